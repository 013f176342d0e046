/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ownership-transition benchmark on the simulator. Prints
 *
 *     BENCH <name> <value> <unit>
 *
 * medians of several runs: donating 1 GiB to a protected VM in one call
 * and page by page, a guest's share+unshare round trip, and teardown
 * (reclaim with zeroing and cleaning) of a 1 GiB guest against a plain
 * memset of 1 GiB in the same run. `--quick` runs a small version for the
 * test suite.
 */
#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include "bench_util.h"
#include "hyp_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MiB  ((uint64_t)1 << 20)
#define GiB  ((uint64_t)1 << 30)
#define PAGE ((uint64_t)4096)
#define RAM  ((uint64_t)0x40000000)

static uint64_t span = GiB;	 /* guest memory for the range figures */
static uint64_t singles = 16384; /* pages for the per-page figures */
static int reps = 5;
static struct pvm_hyp *hyp;

static void check(int ret, const char *what)
{
	bench_check("bench_mem", ret, what);
}

/* Guest memory is [RAM, RAM + span); the VM's own pages and the carve-out sit above it. */
static unsigned new_vm(void)
{
	struct pvm_vm_config cfg = {.ipa_bits = 40, .protected_vm = true};
	unsigned h;

	check(pvm_vm_create(hyp, &cfg, pvm_pa(RAM + span), pvm_vm_create_pages(40), &h, NULL),
	      "vm create");
	return h;
}

static void teardown(unsigned vm)
{
	uint64_t left = 1;

	check(pvm_vm_teardown_start(hyp, vm), "teardown start");
	while (left)
		check(pvm_vm_reclaim(hyp, vm, UINT64_MAX, &left, NULL), "reclaim");
	check(pvm_vm_teardown_finish(hyp, vm), "teardown finish");
}

int main(int argc, char **argv)
{
	double donate[16], single[16], share[16], ratio[16];
	uint64_t ram_size;
	void *guest_va;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			span = 64 * MiB;
			singles = 1024;
			reps = 3;
		} else {
			fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
			return 2;
		}
	}
	ram_size = span + 64 * MiB;
	struct pvm_sim_config mc = {.ram_base = RAM, .ram_size = ram_size};
	struct pvm_hyp_config cfg = {.ram_base = RAM,
				     .ram_size = ram_size,
				     .hyp_base = RAM + span + 32 * MiB,
				     .hyp_size = 32 * MiB,
				     .pa_bits = 40};

	check(pvm_sim_init(&mc), "sim init");
	pvm_sim_tlb_enable(false);
	check(pvm_hyp_init(&cfg, &hyp, NULL), "mem init");
	guest_va = pvm_sim_ram(pvm_pa(RAM), span);
	/* Touch guest memory once, so neither teardown nor memset pays first-touch faults. */
	memset(guest_va, 0x5a, span);

	for (int r = 0; r < reps; r++) {
		unsigned vm = new_vm();
		double t0, t_memset, t_teardown;

		/* One call for the whole span: block-sized on both stage-2s. */
		t0 = now_ns();
		check(pvm_host_donate_guest(hyp, vm, pvm_pa(RAM), pvm_ipa(GiB), span / PAGE, NULL),
		      "donate range");
		donate[r] = (now_ns() - t0) / (double)(span / PAGE);

		t0 = now_ns();
		teardown(vm);
		t_teardown = now_ns() - t0;
		t0 = now_ns();
		memset(guest_va, 0, span);
		t_memset = now_ns() - t0;
		ratio[r] = t_teardown / t_memset;

		/* Page by page. */
		vm = new_vm();
		t0 = now_ns();
		for (uint64_t i = 0; i < singles; i++)
			check(pvm_host_donate_guest(hyp, vm, pvm_pa(RAM + i * PAGE),
						    pvm_ipa(GiB + i * PAGE), 1, NULL),
			      "donate page");
		single[r] = (now_ns() - t0) / (double)singles;

		/* The guest opens each page to the host and closes it again. */
		t0 = now_ns();
		for (uint64_t i = 0; i < singles; i++) {
			check(pvm_guest_share_host(hyp, vm, pvm_ipa(GiB + i * PAGE), 1, NULL),
			      "share");
			check(pvm_guest_unshare_host(hyp, vm, pvm_ipa(GiB + i * PAGE), 1, NULL),
			      "unshare");
		}
		share[r] = (now_ns() - t0) / (double)singles;
		teardown(vm);
	}

	if (pvm_mem_check(hyp, NULL) != PVM_OK) {
		fprintf(stderr, "bench_mem: invariants broken after the runs\n");
		return 1;
	}
	printf("# ownership, %" PRIu64 " MiB guest, %" PRIu64 " single pages, median of %d runs\n",
	       span / MiB, singles, reps);
	printf("BENCH mem_donate_1g_range_ns %.2f ns/page\n", median(donate, reps));
	printf("BENCH mem_donate_single_ns %.2f ns/page\n", median(single, reps));
	printf("BENCH mem_share_unshare_ns %.2f ns/round-trip\n", median(share, reps));
	printf("BENCH mem_teardown_vs_memset %.3f ratio\n", median(ratio, reps));
	printf("BENCH mem_meta_bytes_per_page %zu bytes\n", sizeof(struct pvm_page));
	pvm_sim_fini();
	return 0;
}
