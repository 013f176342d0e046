/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An out-of-tree user of an installed libpvm: builds a stage-2 table on the
 * simulated machine, maps one page and checks that the core's lookup and the
 * simulator's independent MMU both translate it. Built twice by
 * tests/install: once through find_package(libpvm), once through pkg-config.
 */
#include <libpvm/pool.h>
#include <libpvm/sim.h>
#include <libpvm/pvm.h>
#include <libpvm/types.h>

#include <stdio.h>
#include <stdlib.h>

#define IPA_BITS  40
#define PA_BITS	  40
#define MAP_IPA	  0x80000000ull
#define PROBE_OFF 0x123ull

static void check(int ok, const char *what, int status)
{
	if (ok)
		return;
	fprintf(stderr, "install-consumer: FAIL: %s (%d, %s)\n", what, status,
		pvm_strerror(status));
	exit(1);
}

int main(void)
{
	struct pvm_sim_config mc = {.ram_base = PVM_SIM_RAM_BASE_DEFAULT, .ram_size = 64ull << 20};
	struct pvm_stage2_config sc = {.ipa_bits = IPA_BITS, .pa_bits = PA_BITS, .vmid = 1};
	struct pvm_stage2_mapping m;
	struct pvm_sim_s2_result r;
	struct pvm_stage2 s2;
	struct pvm_pool pool;
	pvm_paddr_t root, pages, data;
	unsigned nroot = pvm_stage2_root_pages(IPA_BITS);
	size_t need = 0;
	int st;

	check(nroot >= 1 && nroot <= PVM_S2_ROOT_PAGES_MAX, "pvm_stage2_root_pages", (int)nroot);
	st = pvm_sim_init(&mc);
	check(st == PVM_OK, "pvm_sim_init", st);
	st = pvm_sim_carve(nroot, nroot, &root);
	check(st == PVM_OK, "carve root", st);
	st = pvm_sim_carve(16, 1, &pages);
	check(st == PVM_OK, "carve pool pages", st);
	st = pvm_sim_carve(1, 1, &data);
	check(st == PVM_OK, "carve data page", st);

	pvm_pool_init(&pool);
	st = pvm_pool_donate(&pool, pages, 16);
	check(st == PVM_OK, "pvm_pool_donate", st);
	st = pvm_stage2_init(&s2, &sc, root, &pool);
	check(st == PVM_OK, "pvm_stage2_init", st);

	st = pvm_stage2_map(&s2, pvm_ipa(MAP_IPA), data, PVM_PAGE_SIZE, PVM_PROT_RW, 0, &need);
	check(st == PVM_OK, "pvm_stage2_map", st);

	st = pvm_stage2_lookup(&s2, pvm_ipa(MAP_IPA + PROBE_OFF), &m);
	check(st == PVM_OK && m.valid, "pvm_stage2_lookup: mapped", st);
	check(pvm_pa_val(m.pa) == pvm_pa_val(data) + PROBE_OFF, "pvm_stage2_lookup: PA", st);
	st = pvm_stage2_lookup(&s2, pvm_ipa(MAP_IPA + PVM_PAGE_SIZE), &m);
	check(st == PVM_E_NOENT, "pvm_stage2_lookup: next page unmapped", st);

	st = pvm_sim_s2_translate(pvm_stage2_vtcr(&s2), pvm_stage2_vttbr(&s2), MAP_IPA + PROBE_OFF,
				  PVM_SIM_WRITE, &r);
	check(st == PVM_OK && !r.fault, "pvm_sim_s2_translate: write allowed", st);
	check(pvm_pa_val(r.pa) == pvm_pa_val(data) + PROBE_OFF, "pvm_sim_s2_translate: PA", st);
	st = pvm_sim_s2_translate(pvm_stage2_vtcr(&s2), pvm_stage2_vttbr(&s2),
				  MAP_IPA + PVM_PAGE_SIZE, PVM_SIM_READ, &r);
	check(st == PVM_OK && r.fault, "pvm_sim_s2_translate: next page faults", st);

	pvm_stage2_destroy(&s2);
	pvm_sim_fini();
	printf("install-consumer: OK (ipa 0x%llx -> pa 0x%llx)\n",
	       (unsigned long long)(MAP_IPA + PROBE_OFF),
	       (unsigned long long)(pvm_pa_val(data) + PROBE_OFF));
	return 0;
}
