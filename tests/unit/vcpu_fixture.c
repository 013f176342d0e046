/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <libpvm/attest.h>

#include "vcpu_fixture.h"

struct pvm_hyp *fx_hyp;
static uint64_t next_page;

void fx_check(void)
{
	struct pvm_mem_report r = {0};

	if (pvm_mem_check(fx_hyp, &r) != PVM_OK)
		fail_msg("invariant: %s (pa 0x%llx vm %u)", r.what, (unsigned long long)r.pa, r.vm);
}

int fx_setup(void **state)
{
	struct pvm_sim_config mc = {.ram_base = FX_RAM, .ram_size = 64 * FX_MiB};
	struct pvm_hyp_config cfg = {.ram_base = FX_RAM,
				     .ram_size = 64 * FX_MiB,
				     .hyp_base = FX_RAM + 60 * FX_MiB,
				     .hyp_size = 4 * FX_MiB,
				     .pa_bits = 40};

	(void)state;
	assert_int_equal(pvm_sim_init(&mc), PVM_OK);
	assert_int_equal(pvm_hyp_init(&cfg, &fx_hyp, NULL), PVM_OK);
	assert_int_equal(pvm_sim_bbm_watch(pvm_mem_host_vtcr(fx_hyp), pvm_mem_host_vttbr(fx_hyp)),
			 PVM_OK);
	next_page = FX_RAM;
	fx_check();
	return 0;
}

int fx_teardown(void **state)
{
	(void)state;
	fx_check();
	assert_int_equal(pvm_sim_bbm_check(), 0);
	pvm_sim_fini();
	return 0;
}

uint64_t fx_host_page(void)
{
	uint64_t pa = next_page;

	assert_true(pa < FX_RAM + 48 * FX_MiB);
	next_page += FX_PAGE;
	return pa;
}

unsigned fx_vm(bool protected_vm, unsigned nvcpus, pvm_sim_guest_fn fn, void *arg)
{
	struct pvm_vm_config cfg = {.ipa_bits = 36,
				    .protected_vm = protected_vm,
				    .ram_base = FX_GUEST_RAM,
				    .ram_size = FX_GUEST_RAM_SIZE};
	uint64_t n = pvm_vm_create_pages(36), pa, first;
	unsigned h, i, idx;

	/* The root must be aligned to its size: skip to an aligned run. */
	while (next_page & ((n - 1) * FX_PAGE))
		next_page += FX_PAGE;
	first = next_page;
	next_page += n * FX_PAGE;
	assert_int_equal(pvm_vm_create(fx_hyp, &cfg, pvm_pa(first), n, &h, NULL), PVM_OK);
	for (i = 0; i < nvcpus; i++) {
		pa = fx_host_page();
		assert_int_equal(pvm_vcpu_create(fx_hyp, h, pvm_pa(pa), &idx, NULL), PVM_OK);
		assert_int_equal(idx, i);
		if (fn)
			assert_int_equal(pvm_sim_vcpu_attach_fn(h, i, fn, arg), PVM_OK);
	}
	fx_check();
	return h;
}

uint64_t fx_back_data(unsigned vm, uint64_t ipa, const void *data, size_t len)
{
	struct pvm_vm_info info;
	uint64_t pa = fx_host_page();

	assert_true(len <= FX_PAGE);
	memset(pvm_sim_ram(pvm_pa(pa), FX_PAGE), 0, FX_PAGE);
	if (len)
		memcpy(pvm_sim_ram(pvm_pa(pa), FX_PAGE), data, len);
	assert_int_equal(pvm_vm_info(fx_hyp, vm, &info), PVM_OK);
	/* A protected guest gets the host's bytes only through a measured load. */
	if (info.protected_vm && len)
		assert_int_equal(pvm_vm_load_measured(fx_hyp, vm, pvm_pa(pa), pvm_ipa(ipa), 1,
						      PVM_MEASURE_CODE, NULL),
				 PVM_OK);
	else if (info.protected_vm)
		assert_int_equal(
			pvm_host_donate_guest(fx_hyp, vm, pvm_pa(pa), pvm_ipa(ipa), 1, NULL),
			PVM_OK);
	else
		assert_int_equal(pvm_host_share_guest(fx_hyp, vm, pvm_pa(pa), pvm_ipa(ipa), 1,
						      PVM_PROT_RWX, NULL),
				 PVM_OK);
	return pa;
}

uint64_t fx_back(unsigned vm, uint64_t ipa)
{
	return fx_back_data(vm, ipa, NULL, 0);
}

void fx_expect_mmio(const struct pvm_exit *e, uint64_t ipa, unsigned size, bool write,
		    uint64_t data)
{
	assert_int_equal(e->kind, PVM_EXIT_MMIO);
	assert_int_equal(e->mmio.ipa, ipa);
	assert_int_equal(e->mmio.size, size);
	assert_int_equal(e->mmio.write, write);
	if (write)
		assert_int_equal(e->mmio.data, data);
}

void fx_destroy(unsigned vm)
{
	struct pvm_vm_info info;
	unsigned i;
	uint64_t left = 1;

	assert_int_equal(pvm_vm_info(fx_hyp, vm, &info), PVM_OK);
	assert_int_equal(pvm_vm_teardown_start(fx_hyp, vm), PVM_OK);
	while (left)
		assert_int_equal(pvm_vm_reclaim(fx_hyp, vm, 1u << 20, &left, NULL), PVM_OK);
	assert_int_equal(pvm_vm_teardown_finish(fx_hyp, vm), PVM_OK);
	for (i = 0; i < PVM_VCPU_MAX; i++)
		pvm_sim_vcpu_detach(vm, i);
	fx_check();
}
