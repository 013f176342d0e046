/* SPDX-License-Identifier: Apache-2.0 */
/* pvm-run on the KVM port (pvm-run-kvm): guest CPUs are KVM vCPUs. */
#include <libpvm/kvm.h>

#include <stdio.h>
#include <string.h>

#include "vmm.h"

const char vmm_port_name[] = "kvm";

static struct pvm_kvm_caps caps;

int vmm_port_init(uint64_t ram_base, uint64_t ram_size)
{
	/* The sample guests' layout fits 36-bit IPAs (pvm-run's VMs use IPA_BITS 36). */
	struct pvm_kvm_config cfg = {.ram_base = ram_base, .ram_size = ram_size, .ipa_bits = 36};
	pvm_status_t ret = pvm_kvm_init(&cfg, &caps);

	if (ret)
		fprintf(stderr, "pvm-run: KVM port: %s\n", pvm_strerror(ret));
	return ret ? -1 : 0;
}

/* Without the SMCCC filter (Linux < 6.4) KVM runs the guest's PSCI itself. */
bool vmm_port_psci_in_kernel(void)
{
	return !caps.smccc_filter;
}

void vmm_port_fini(void)
{
	pvm_kvm_fini();
}

void *vmm_port_ram(uint64_t pa, size_t len)
{
	return pvm_kvm_ram(pvm_pa(pa), len);
}

pvm_status_t vmm_port_vcpu_attach(unsigned vm, unsigned index)
{
	return pvm_kvm_vcpu_attach(vm, index);
}

void vmm_port_vcpu_kick(unsigned vm, unsigned index)
{
	pvm_kvm_vcpu_kick(vm, index);
}

void vmm_port_vm_detach(unsigned vm, unsigned nvcpus)
{
	(void)nvcpus;
	pvm_kvm_vm_detach(vm);
}

/*
 * The host's right to read comes from the core's host stage-2 (its
 * bookkeeping): this process maps all of physical memory, so the check is
 * libpvm's rule, not the MMU's (libpvm/kvm.h, Trust).
 */
bool vmm_port_host_read(struct vmm *v, uint64_t pa, void *out, size_t len)
{
	while (len) {
		struct pvm_stage2_mapping m;
		size_t chunk = PVM_PAGE_SIZE - (pa & (PVM_PAGE_SIZE - 1));
		void *src;

		if (chunk > len)
			chunk = len;
		if (pvm_stage2_lookup(&v->mem.host, pvm_ipa(pa), &m) || !m.valid ||
		    !(m.prot & PVM_PROT_R) || !(src = pvm_kvm_ram(m.pa, chunk)))
			return false;
		memcpy(out, src, chunk);
		out = (uint8_t *)out + chunk;
		pa += chunk;
		len -= chunk;
	}
	return true;
}
