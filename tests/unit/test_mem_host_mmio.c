/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pvm_mem_host_mmio_map(): the port's way to give the host its devices
 * through the ownership layer. A table of (range -> status), each failing
 * row changing nothing; the mappings it makes are identity, read-write
 * Device memory that the invariant checker accepts, and a device mapping
 * made around it is one the checker refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include "vcpu_fixture.h"

#define RAM_END (FX_RAM + 64 * FX_MiB)

static void test_bad_ranges_change_nothing(void **state)
{
	static const struct {
		const char *what;
		uint64_t pa, size;
		pvm_status_t want;
	} rows[] = {
		{"misaligned start", FX_UART + 8, FX_PAGE, PVM_E_INVAL},
		{"misaligned size", FX_UART, FX_PAGE + 1, PVM_E_INVAL},
		{"zero size", FX_UART, 0, PVM_E_INVAL},
		{"wraps", 0xfffffffffffff000ull, 2 * FX_PAGE, PVM_E_RANGE},
		{"beyond the host's 40-bit space", 1ull << 40, FX_PAGE, PVM_E_RANGE},
		{"straddles the end of the space", (1ull << 40) - FX_PAGE, 2 * FX_PAGE,
		 PVM_E_RANGE},
		{"inside managed RAM", FX_RAM + FX_MiB, FX_PAGE, PVM_E_PERM},
		{"ends in managed RAM", FX_RAM - FX_PAGE, 2 * FX_PAGE, PVM_E_PERM},
		{"starts in managed RAM", RAM_END - FX_PAGE, 2 * FX_PAGE, PVM_E_PERM},
		{"covers managed RAM", 0, 1ull << 32, PVM_E_PERM},
	};
	struct pvm_stage2_mapping m;

	(void)state;
	assert_int_equal(pvm_mem_host_mmio_map(NULL, pvm_pa(FX_UART), FX_PAGE, NULL), PVM_E_INVAL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t need = 99;
		pvm_status_t got =
			pvm_mem_host_mmio_map(fx_hyp, pvm_pa(rows[i].pa), rows[i].size, &need);

		if (got != rows[i].want)
			fail_msg("%s: %s, want %s", rows[i].what, pvm_strerror(got),
				 pvm_strerror(rows[i].want));
		assert_int_equal(need, 0);
		assert_int_equal(fx_hyp->nmmio, 0);
	}
	assert_int_equal(pvm_stage2_lookup(&fx_hyp->host, pvm_ipa(FX_UART), &m), PVM_E_NOENT);
	fx_check();
}

static void test_devices_mapped_and_checked(void **state)
{
	struct pvm_stage2_mapping m;

	(void)state;
	assert_int_equal(pvm_mem_host_mmio_map(fx_hyp, pvm_pa(FX_UART), FX_PAGE, NULL), PVM_OK);
	assert_int_equal(pvm_mem_host_mmio_map(fx_hyp, pvm_pa(0x08000000), 0x10000, NULL), PVM_OK);
	assert_int_equal(pvm_stage2_lookup(&fx_hyp->host, pvm_ipa(FX_UART + 0x18), &m), PVM_OK);
	assert_int_equal(pvm_pa_val(m.pa), FX_UART + 0x18);
	assert_int_equal(m.prot, PVM_PROT_RW | PVM_PROT_DEVICE);
	fx_check();
	/* Twice, or overlapping: refused, nothing recorded. */
	assert_int_equal(pvm_mem_host_mmio_map(fx_hyp, pvm_pa(FX_UART), FX_PAGE, NULL),
			 PVM_E_EXISTS);
	assert_int_equal(pvm_mem_host_mmio_map(fx_hyp, pvm_pa(0x0800f000), 2 * FX_PAGE, NULL),
			 PVM_E_EXISTS);
	assert_int_equal(fx_hyp->nmmio, 2);
	/* The registers a port loads for the host are its stage-2's. */
	assert_int_equal(pvm_mem_host_vtcr(fx_hyp), pvm_stage2_vtcr(&fx_hyp->host));
	assert_int_equal(pvm_mem_host_vttbr(fx_hyp), pvm_stage2_vttbr(&fx_hyp->host));
}

static void test_table_is_bounded(void **state)
{
	(void)state;
	for (unsigned i = 0; i < PVM_HOST_MMIO_MAX; i++)
		assert_int_equal(pvm_mem_host_mmio_map(fx_hyp, pvm_pa(0x10000000 + i * FX_MiB),
						       FX_PAGE, NULL),
				 PVM_OK);
	assert_int_equal(pvm_mem_host_mmio_map(fx_hyp, pvm_pa(0x20000000), FX_PAGE, NULL),
			 PVM_E_BUSY);
	assert_int_equal(fx_hyp->nmmio, PVM_HOST_MMIO_MAX);
	fx_check();
}

/* A device mapping made around the API is not the host's: the checker says so. */
static void test_checker_refuses_unrecorded_device(void **state)
{
	struct pvm_mem_report r = {0};

	(void)state;
	assert_int_equal(pvm_stage2_map(&fx_hyp->host, pvm_ipa(FX_UART), pvm_pa(FX_UART), FX_PAGE,
					PVM_PROT_RW | PVM_PROT_DEVICE, 0, NULL),
			 PVM_OK);
	assert_int_equal(pvm_mem_check(fx_hyp, &r), PVM_E_STATE);
	assert_string_equal(r.what, "host stage-2 maps or annotates unmanaged memory");
	assert_int_equal(pvm_stage2_unmap(&fx_hyp->host, pvm_ipa(FX_UART), FX_PAGE, NULL), PVM_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_ranges_change_nothing, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_devices_mapped_and_checked, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_table_is_bounded, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_checker_refuses_unrecorded_device, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
