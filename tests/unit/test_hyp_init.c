/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor object (hyp.h): pvm_hyp_init() builds it in the carve-out
 * it is given, refuses what cannot hold it, changes nothing it reports on
 * failure, and keeps the object (with its secrets) out of the host's reach.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/attest.h>
#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include <string.h>

#include "hyp_internal.h"

#define MiB	(1ull << 20)
#define RAM	0x40000000ull
#define RAM_SZ	(64 * MiB)
#define PA_BITS 40

static int setup(void **state)
{
	struct pvm_sim_config sc = {.ram_base = RAM, .ram_size = RAM_SZ};

	(void)state;
	assert_int_equal(pvm_sim_init(&sc), PVM_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pvm_sim_fini();
	return 0;
}

static struct pvm_hyp_config config(uint64_t carve_pages)
{
	/* The carve-out at the top of RAM, as ports place it. */
	return (struct pvm_hyp_config){.ram_base = RAM,
				       .ram_size = RAM_SZ,
				       .hyp_base = RAM + RAM_SZ - carve_pages * PVM_PAGE_SIZE,
				       .hyp_size = carve_pages * PVM_PAGE_SIZE,
				       .pa_bits = PA_BITS};
}

static void carveout_pages_bad_input(void **state)
{
	(void)state;
	assert_int_equal(pvm_hyp_carveout_pages(0, PA_BITS), 0);
	assert_int_equal(pvm_hyp_carveout_pages(RAM_SZ + 1, PA_BITS), 0);
	assert_int_equal(pvm_hyp_carveout_pages(RAM_SZ, 31), 0);
	assert_int_equal(pvm_hyp_carveout_pages(RAM_SZ, 49), 0);
	/* 64 MiB of RAM: 16384 pages, 32 pages of metadata, an object, a root. */
	assert_true(pvm_hyp_carveout_pages(RAM_SZ, PA_BITS) >= 32 + 1 + 1);
	assert_true(pvm_hyp_carveout_pages(2 * RAM_SZ, PA_BITS) ==
		    pvm_hyp_carveout_pages(RAM_SZ, PA_BITS) + 32);
}

static void init_bad_input(void **state)
{
	uint64_t min = pvm_hyp_carveout_pages(RAM_SZ, PA_BITS);
	struct pvm_hyp_config cfg = config(min + 16);
	struct pvm_hyp *hyp = (struct pvm_hyp *)&cfg; /* must be cleared on failure */
	size_t need = 77;

	(void)state;
	assert_int_equal(pvm_hyp_init(NULL, &hyp, &need), PVM_E_INVAL);
	assert_null(hyp);
	assert_int_equal(need, 0);
	assert_int_equal(pvm_hyp_init(&cfg, NULL, NULL), PVM_E_INVAL);
	/* Room for the metadata (32 pages) and the object, but not the root. */
	cfg = config(32 + (sizeof(struct pvm_hyp) + PVM_PAGE_SIZE - 1) / PVM_PAGE_SIZE);
	assert_int_equal(pvm_hyp_init(&cfg, &hyp, NULL), PVM_E_INVAL);
	assert_null(hyp);
	cfg = config(min + 16);
	cfg.hyp_base += 1;
	assert_int_equal(pvm_hyp_init(&cfg, &hyp, NULL), PVM_E_INVAL);
	cfg = config(min + 16);
	cfg.hyp_base = RAM - PVM_PAGE_SIZE; /* starts outside RAM */
	assert_int_equal(pvm_hyp_init(&cfg, &hyp, NULL), PVM_E_INVAL);
	cfg = config(min + 16);
	cfg.pa_bits = 49;
	assert_int_equal(pvm_hyp_init(&cfg, &hyp, NULL), PVM_E_INVAL);
}

/*
 * The smallest carve-out holds the object, the metadata and the root but no
 * pool: the host stage-2's tables are missing and `need` says how many; a
 * carve-out that many pages larger is enough.
 */
static void init_need_then_fits(void **state)
{
	uint64_t min = pvm_hyp_carveout_pages(RAM_SZ, PA_BITS);
	struct pvm_hyp_config cfg = config(min);
	struct pvm_hyp *hyp = NULL;
	struct pvm_mem_report rep = {0};
	size_t need = 0;

	(void)state;
	assert_int_equal(pvm_hyp_init(&cfg, &hyp, &need), PVM_E_NOMEM);
	assert_null(hyp);
	assert_true(need > 0);
	cfg = config(min + need);
	assert_int_equal(pvm_hyp_init(&cfg, &hyp, NULL), PVM_OK);
	assert_non_null(hyp);
	assert_int_equal(pvm_mem_check(hyp, &rep), PVM_OK);
}

/*
 * The object lives in the carve-out, which is the hypervisor's: absent from
 * the host's stage-2, so the host cannot read the attestation secrets in it.
 */
static void object_is_out_of_the_hosts_reach(void **state)
{
	struct pvm_hyp_config cfg = config(pvm_hyp_carveout_pages(RAM_SZ, PA_BITS) + 64);
	struct pvm_attest_config ac = {.mode = 1} /* normal */;
	struct pvm_hyp *hyp = NULL;
	struct pvm_page_info info;
	uint64_t obj;

	(void)state;
	memset(ac.uds, 0x5a, sizeof(ac.uds));
	assert_int_equal(pvm_hyp_init(&cfg, &hyp, NULL), PVM_OK);
	assert_int_equal(pvm_attest_init(hyp, &ac), PVM_OK);
	obj = pvm_pa_val(pvm_port_virt_to_phys(hyp));
	assert_int_equal(obj, cfg.hyp_base);
	assert_int_equal(pvm_mem_page(hyp, pvm_pa(obj), &info), PVM_OK);
	assert_int_equal(info.owner, PVM_ID_HYP);
	for (uint64_t off = 0; off < sizeof(struct pvm_hyp); off += PVM_PAGE_SIZE) {
		assert_int_equal(pvm_mem_host_fault(hyp, pvm_pa(obj + off), PVM_PROT_R),
				 PVM_E_PERM);
		assert_int_equal(pvm_host_donate_hyp(hyp, pvm_pa(obj + off), 1, NULL), PVM_E_STATE);
		assert_int_equal(pvm_hyp_donate_host(hyp, pvm_pa(obj + off), 1, NULL), PVM_E_STATE);
	}
	/* The secrets are there, in the hypervisor's page, not in caller memory. */
	assert_true(hyp->attest.ready);
	assert_memory_not_equal(hyp->attest.cdi_attest, (uint8_t[32]){0}, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(carveout_pages_bad_input),
		cmocka_unit_test_setup_teardown(init_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(init_need_then_fits, setup, teardown),
		cmocka_unit_test_setup_teardown(object_is_out_of_the_hosts_reach, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
