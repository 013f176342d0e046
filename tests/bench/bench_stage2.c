/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage-2 engine benchmark. Prints one line per figure:
 *
 *     BENCH <name> <value> <unit>
 *
 * Times are medians of several runs over 1 GiB of IPA space with the
 * simulator's TLB model off (it is a test instrument, not part of the
 * cost); a second set of lines with the suffix _tlbmodel has it on.
 * `--callgrind` also runs the ranged map once under valgrind's callgrind
 * and reports instructions per page (stable on a noisy machine).
 * `--quick` runs a small, fast version for the test suite.
 */
#include <libpvm/sim.h>

#include "bench_util.h"
#include <libpvm/stage2.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MiB  ((uint64_t)1 << 20)
#define GiB  ((uint64_t)1 << 30)
#define PAGE ((uint64_t)4096)

static uint64_t span = GiB; /* IPA space benchmarked */
static const char *only;    /* run just this figure (for profiling) */
static int reps = 7;
static struct pvm_stage2 s2;
static struct pvm_pool pool;

static void check(int ret, const char *what)
{
	bench_check("bench_stage2", ret, what);
}

/* The benchmarked range starts at 1 GiB, so it is one level-1 entry. */
#define BASE_IPA 0x40000000ull
#define BASE_PA	 0x100000000ull

static void map_range(void)
{
	check(pvm_stage2_map(&s2, pvm_ipa(BASE_IPA), pvm_pa(BASE_PA), span, PVM_PROT_RW,
			     PVM_S2_MAP_PAGES, NULL),
	      "map range");
}

static void unmap_range(void)
{
	check(pvm_stage2_unmap(&s2, pvm_ipa(BASE_IPA), span, NULL), "unmap range");
}

static void map_single(void)
{
	for (uint64_t off = 0; off < span; off += PAGE)
		check(pvm_stage2_map(&s2, pvm_ipa(BASE_IPA + off), pvm_pa(BASE_PA + off), PAGE,
				     PVM_PROT_RW, PVM_S2_MAP_PAGES, NULL),
		      "map page");
}

static void unmap_single(void)
{
	for (uint64_t off = 0; off < span; off += PAGE)
		check(pvm_stage2_unmap(&s2, pvm_ipa(BASE_IPA + off), PAGE, NULL), "unmap page");
}

static void protect_range(void)
{
	check(pvm_stage2_protect(&s2, pvm_ipa(BASE_IPA), span, PVM_PROT_R, NULL), "protect");
}

struct figure {
	const char *name;
	void (*setup)(void);
	void (*op)(void);
	void (*cleanup)(void);
};

static const struct figure figures[] = {
	{"stage2_map_4k_range_ns", NULL, map_range, unmap_range},
	{"stage2_map_4k_single_ns", NULL, map_single, unmap_range},
	{"stage2_unmap_4k_range_ns", map_range, unmap_range, NULL},
	{"stage2_unmap_4k_single_ns", map_range, unmap_single, NULL},
	{"stage2_protect_4k_range_ns", map_range, protect_range, unmap_range},
};

static void run_figures(const char *suffix)
{
	const double pages = (double)(span / PAGE);

	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
		const struct figure *f = &figures[i];
		double t[64];

		if (only && strcmp(only, f->name))
			continue;
		/* Run 0 warms caches and first-touch page faults; it is not counted. */
		for (int r = -1; r < reps; r++) {
			double t0, dt;

			if (f->setup)
				f->setup();
			t0 = now_ns();
			f->op();
			dt = (now_ns() - t0) / pages;
			if (r >= 0)
				t[r] = dt;
			if (f->cleanup)
				f->cleanup();
			if (s2.table_pages != 0) {
				fprintf(stderr, "bench_stage2: %s left %u table pages\n", f->name,
					s2.table_pages);
				exit(1);
			}
		}
		printf("BENCH %s%s %.2f ns/page\n", f->name, suffix, median(t, reps));
	}
}

static int table_pages(void)
{
	/* Architectural minimum for the span as 4 KiB pages inside one level-1 entry. */
	uint64_t l3 = span / (2 * MiB), l2 = 1, root = s2.root_pages;
	uint64_t used;

	map_range();
	used = s2.table_pages + s2.root_pages;
	unmap_range();
	printf("BENCH stage2_table_pages_%s %" PRIu64 " pages\n", span == GiB ? "1g" : "quick",
	       used);
	if (used != l3 + l2 + root) {
		fprintf(stderr, "bench_stage2: %" PRIu64 " table pages, minimum is %" PRIu64 "\n",
			used, l3 + l2 + root);
		return 1;
	}
	return 0;
}

/* Run the ranged map once under callgrind, counting only inside pvm_stage2_map. */
static int callgrind(const char *self)
{
	char cmd[1024], line[512];
	const char *out = "bench_stage2.callgrind.out";
	unsigned long long total = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --callgrind-out-file=%s --collect-atstart=no "
		 "--toggle-collect=pvm_stage2_map %s --map-once >/dev/null 2>&1",
		 out, self);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_stage2: valgrind failed: %s\n", cmd);
		return 1;
	}
	f = fopen(out, "r");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "totals: %llu", &total) == 1 ||
		    sscanf(line, "summary: %llu", &total) == 1)
			break;
	fclose(f);
	unlink(out);
	if (!total)
		return 1;
	printf("BENCH stage2_map_4k_range_instr %.1f instructions/page\n",
	       (double)total / (double)(span / PAGE));
	return 0;
}

int main(int argc, char **argv)
{
	struct pvm_sim_config mc = {.ram_base = PVM_SIM_RAM_BASE_DEFAULT, .ram_size = 64 * MiB};
	struct pvm_stage2_config cfg = {.ipa_bits = 40, .pa_bits = 40, .vmid = 1};
	bool with_callgrind = false, map_once = false;
	pvm_paddr_t root, pages;
	int ret = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			span = 64 * MiB;
			reps = 3;
		} else if (!strcmp(argv[i], "--callgrind")) {
			with_callgrind = true;
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
			reps = 1;
		} else if (!strcmp(argv[i], "--map-once")) {
			map_once = true;
		} else {
			fprintf(stderr, "usage: %s [--quick] [--callgrind] [--only NAME]\n",
				argv[0]);
			return 2;
		}
	}

	check(pvm_sim_init(&mc), "sim init");
	check(pvm_sim_carve(2, 2, &root), "carve root");
	pvm_pool_init(&pool);
	check(pvm_stage2_init(&s2, &cfg, root, &pool), "stage2 init");
	check(pvm_sim_carve(1024, 1, &pages), "carve pool");
	check(pvm_pool_donate(&pool, pages, 1024), "donate");

	if (map_once) {
		map_range();
		return 0;
	}

	pvm_sim_tlb_enable(false);
	printf("# stage-2, %" PRIu64 " MiB as 4 KiB pages, median of %d runs, TLB model off\n",
	       span / MiB, reps);
	run_figures("");
	ret |= table_pages();
	if (with_callgrind)
		ret |= callgrind(argv[0]);

	pvm_sim_tlb_enable(true);
	printf("# the same with the TLB model on\n");
	run_figures("_tlbmodel");
	pvm_sim_fini();
	return ret;
}
