/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stage2-demo: build the stage-2 tables of a small VM on the simulated
 * machine, map its RAM and a UART, and show what the simulated MMU makes of
 * them. It walks the same bytes an EL2 port would load into VTTBR_EL2.
 */
#include <libpvm/sim.h>
#include <libpvm/stage2.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static void die(const char *what, int status)
{
	fprintf(stderr, "stage2-demo: %s: %s\n", what, pvm_strerror(status));
	exit(1);
}

static const char *fsc_name(unsigned fsc)
{
	static const char *const kind[] = {"address size", "translation", "access flag",
					   "permission"};
	static char buf[48];

	if (fsc < 16) {
		snprintf(buf, sizeof(buf), "%s fault, level %u", kind[fsc >> 2], fsc & 3);
		return buf;
	}
	return "fault";
}

static void show(uint64_t vtcr, uint64_t vttbr, uint64_t ipa, enum pvm_sim_access acc)
{
	static const char *const acc_name[] = {"read ", "write", "exec "};
	struct pvm_sim_s2_result r;
	int ret = pvm_sim_s2_translate(vtcr, vttbr, ipa, acc, &r);

	if (ret)
		die("translate", ret);
	printf("  %s IPA 0x%010" PRIx64 " -> ", acc_name[acc], ipa);
	if (r.fault) {
		printf("%s\n", fsc_name(r.fsc));
		return;
	}
	printf("PA 0x%010" PRIx64 "  (%s, %s, level %u %s)\n", pvm_pa_val(r.pa),
	       r.memattr == 0xf ? "normal WB" : "device nGnRE",
	       (r.s2ap & 2) ? "RW" : ((r.s2ap & 1) ? "RO" : "--"), r.level,
	       r.block == GiB	    ? "1 GiB block"
	       : r.block == 2 * MiB ? "2 MiB block"
				    : "4 KiB page");
}

int main(void)
{
	struct pvm_sim_config mc = {.ram_base = PVM_SIM_RAM_BASE_DEFAULT, .ram_size = 64 * MiB};
	struct pvm_stage2_config cfg = {.ipa_bits = 40, .pa_bits = 40, .vmid = 1};
	struct pvm_stage2 s2;
	struct pvm_pool pool;
	pvm_paddr_t root, pages;
	size_t need = 0;
	int ret;

	ret = pvm_sim_init(&mc);
	if (ret)
		die("sim init", ret);
	ret = pvm_sim_carve(pvm_stage2_root_pages(cfg.ipa_bits),
			    pvm_stage2_root_pages(cfg.ipa_bits), &root);
	if (ret)
		die("carve root", ret);
	pvm_pool_init(&pool);
	ret = pvm_stage2_init(&s2, &cfg, root, &pool);
	if (ret)
		die("stage2 init", ret);

	printf("libpvm stage-2 demo: IPA %u bits, start level %u, %u root page(s)\n", s2.ipa_bits,
	       s2.start_level, s2.root_pages);
	printf("  VTCR_EL2  = 0x%016" PRIx64 "\n  VTTBR_EL2 = 0x%016" PRIx64 "\n",
	       pvm_stage2_vtcr(&s2), pvm_stage2_vttbr(&s2));

	/* The first map finds the pool empty and says how much it needs. */
	ret = pvm_stage2_map(&s2, pvm_ipa(0x40000000), pvm_pa(0x80000000), GiB + 6 * MiB + 8192,
			     PVM_PROT_RWX, 0, &need);
	printf("\nmap 1 GiB + 6 MiB + 8 KiB of RAM with an empty pool: %s, %zu page(s) needed\n",
	       pvm_strerror(ret), need);
	ret = pvm_sim_carve(need, 1, &pages);
	if (ret)
		die("carve", ret);
	pvm_pool_donate(&pool, pages, need);
	ret = pvm_stage2_map(&s2, pvm_ipa(0x40000000), pvm_pa(0x80000000), GiB + 6 * MiB + 8192,
			     PVM_PROT_RWX, 0, &need);
	if (ret)
		die("map RAM", ret);

	/* A UART page, device memory, not executable. */
	ret = pvm_sim_carve(8, 1, &pages);
	if (ret)
		die("carve", ret);
	pvm_pool_donate(&pool, pages, 8);
	ret = pvm_stage2_map(&s2, pvm_ipa(0x09000000), pvm_pa(0x09000000), 4096,
			     PVM_PROT_RW | PVM_PROT_DEVICE, 0, NULL);
	if (ret)
		die("map UART", ret);
	/* Make one RAM page read-only: its 2 MiB block is split. */
	ret = pvm_stage2_protect(&s2, pvm_ipa(0x80200000), 4096, PVM_PROT_R, NULL);
	if (ret)
		die("protect", ret);

	printf("\ntranslations seen by the simulated MMU:\n");
	uint64_t vtcr = pvm_stage2_vtcr(&s2), vttbr = pvm_stage2_vttbr(&s2);
	show(vtcr, vttbr, 0x40000000, PVM_SIM_READ);
	show(vtcr, vttbr, 0x7ffff000, PVM_SIM_EXEC);
	show(vtcr, vttbr, 0x80000000, PVM_SIM_WRITE);
	show(vtcr, vttbr, 0x80200123, PVM_SIM_READ);
	show(vtcr, vttbr, 0x80200123, PVM_SIM_WRITE);
	show(vtcr, vttbr, 0x80601000, PVM_SIM_READ);
	show(vtcr, vttbr, 0x80602000, PVM_SIM_READ);
	show(vtcr, vttbr, 0x09000000, PVM_SIM_WRITE);
	show(vtcr, vttbr, 0x09000000, PVM_SIM_EXEC);
	show(vtcr, vttbr, 0x10000000, PVM_SIM_READ);

	printf("\ntable usage: %u root page(s) + %" PRIu32 " table page(s); pool has %zu free\n",
	       s2.root_pages, s2.table_pages, pvm_pool_free_pages(&pool));

	pvm_stage2_destroy(&s2);
	printf("after destroy: %" PRIu32 " table pages, pool has %zu free\n", s2.table_pages,
	       pvm_pool_free_pages(&pool));
	pvm_sim_fini();
	return 0;
}
