/* SPDX-License-Identifier: Apache-2.0 */
/* pvm-run on the simulator port: Unicorn guest CPUs, the simulated MMU for host reads. */
#include <libpvm/sim.h>
#include <libpvm/sim_vcpu.h>

#include <string.h>

#include "vmm.h"

const char vmm_port_name[] = "sim";

int vmm_port_init(uint64_t ram_base, uint64_t ram_size)
{
	struct pvm_sim_config mc = {.ram_base = ram_base, .ram_size = ram_size};

	return pvm_sim_init(&mc) ? -1 : 0;
}

void vmm_port_fini(void)
{
	pvm_sim_fini();
}

bool vmm_port_psci_in_kernel(void)
{
	return false;
}

bool vmm_port_back_up_front(void)
{
	return false;
}

void *vmm_port_ram(uint64_t pa, size_t len)
{
	return pvm_sim_ram(pvm_pa(pa), len);
}

/* The simulator's VMs need nothing of the port until their vCPUs do. */
pvm_status_t vmm_port_vm_attach(struct pvm_hyp *hyp, unsigned vm)
{
	(void)hyp;
	(void)vm;
	return PVM_OK;
}

pvm_status_t vmm_port_vcpu_attach(unsigned vm, unsigned index)
{
	return pvm_sim_vcpu_attach_unicorn(vm, index);
}

void vmm_port_vcpu_kick(unsigned vm, unsigned index)
{
	pvm_sim_vcpu_kick(vm, index);
}

void vmm_port_vm_detach(unsigned vm, unsigned nvcpus)
{
	unsigned i;

	for (i = 0; i < nvcpus; i++)
		pvm_sim_vcpu_detach(vm, i);
}

/*
 * No interrupt controller in the port: the simulated CPUs have a GICv3 CPU
 * interface of their own (fed by the core's virq bitmap), and pvm-run
 * emulates the distributor and redistributors (gic_model.c).
 */
int vmm_port_vm_gic(unsigned vm, unsigned nvcpus, struct vmm_gic *gic)
{
	(void)vm;
	(void)nvcpus;
	(void)gic;
	return 1;
}

/* The binary guests' count is the simulator's (CLOCK_MONOTONIC at 62.5 MHz). */
bool vmm_port_deadline_ns(uint64_t count, uint64_t *ns)
{
	*ns = pvm_sim_counter_ns(count);
	return true;
}

/* Through the host's stage-2 and the simulated MMU: a donated page faults. */
bool vmm_port_host_read(struct vmm *v, uint64_t pa, void *out, size_t len)
{
	return !pvm_sim_s2_copy(pvm_mem_host_vtcr(v->hyp), pvm_mem_host_vttbr(v->hyp), pa, out, len,
				false, NULL);
}

bool vmm_port_host_write(struct vmm *v, uint64_t pa, const void *data, size_t len)
{
	uint8_t buf[PVM_PAGE_SIZE];

	/* pvm_sim_s2_copy() takes one buffer for both directions: a copy keeps data const. */
	if (len > sizeof(buf))
		return false;
	memcpy(buf, data, len);
	return !pvm_sim_s2_copy(pvm_mem_host_vtcr(v->hyp), pvm_mem_host_vttbr(v->hyp), pa, buf, len,
				true, NULL);
}
