/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attestation benchmarks on the simulated machine (medians of several runs):
 *
 *   attest_keyderive_us      a VM layer's CDIs and key pair (the derivation
 *                            sealing does, without the certificate).
 *   attest_seal_us           all of pvm_vm_seal(): the above plus signing
 *                            the VM certificate with the hypervisor key.
 *   attest_token_us          pvm_attest_evidence() for a 64-byte challenge
 *                            (the chain and the token, signing included).
 *   attest_measure_mb_per_s  pvm_vm_load_measured() of a 64 MiB image:
 *                            donation and hashing.
 *
 * --quick runs each briefly (CTest keeps the benchmark working, never
 * judges its speed).
 */
#include <libpvm/attest.h>
#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include <stdio.h>
#include <string.h>

#include "attest/attest_priv.h"
#include "bench_util.h"
#include "attest/attest_state.h"

#define MiB	  (1ull << 20)
#define RAM	  0x40000000ull
#define RAM_SIZE  (192 * MiB)
#define HYP_SIZE  (16 * MiB)
#define GUEST_RAM 0x80000000ull
#define PAGE	  4096ull

static const char *prog = "bench_attest";
static struct pvm_hyp *hyp;
static uint64_t next_page;

static uint64_t host_pages(uint64_t n, uint64_t align)
{
	uint64_t pa = (next_page + align * PAGE - 1) & ~(align * PAGE - 1);

	next_page = pa + n * PAGE;
	if (next_page > RAM + RAM_SIZE - HYP_SIZE) {
		fprintf(stderr, "%s: out of host memory\n", prog);
		exit(1);
	}
	return pa;
}

static void machine(void)
{
	struct pvm_sim_config mc = {.ram_base = RAM, .ram_size = RAM_SIZE};
	struct pvm_hyp_config cfg = {.ram_base = RAM,
				     .ram_size = RAM_SIZE,
				     .hyp_base = RAM + RAM_SIZE - HYP_SIZE,
				     .hyp_size = HYP_SIZE,
				     .pa_bits = 40};
	struct pvm_attest_config ac;

	memset(&ac, 0x5c, sizeof(ac));
	ac.mode = 1;
	bench_check(prog, pvm_sim_init(&mc), "sim");
	bench_check(prog, pvm_hyp_init(&cfg, &hyp, NULL), "mem");
	bench_check(prog, pvm_attest_init(hyp, &ac), "attest init");
	next_page = RAM;
}

static unsigned new_vm(void)
{
	struct pvm_vm_config cfg = {
		.ipa_bits = 36, .protected_vm = true, .ram_base = GUEST_RAM, .ram_size = 128 * MiB};
	uint64_t n = pvm_vm_create_pages(36);
	unsigned h;

	bench_check(prog, pvm_vm_create(hyp, &cfg, pvm_pa(host_pages(n, n - 1)), n, &h, NULL),
		    "vm create");
	return h;
}

static void destroy(unsigned h)
{
	uint64_t left = 1;

	bench_check(prog, pvm_vm_teardown_start(hyp, h), "teardown");
	while (left)
		bench_check(prog, pvm_vm_reclaim(hyp, h, 1u << 20, &left, NULL), "reclaim");
	bench_check(prog, pvm_vm_teardown_finish(hyp, h), "finish");
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	int runs = quick ? 3 : 21, mruns = quick ? 1 : 5, i;
	uint64_t image_pages = (quick ? 8 : 64) * MiB / PAGE;
	double t[32], t0;
	uint8_t cdi_a[32], cdi_s[32], priv[32], pub[65], code[64], config[64], auth[64];
	uint8_t challenge[64], buf[PVM_EVIDENCE_MAX];
	struct dice_inputs in = {.code = code, .config = config, .authority = auth, .mode = 1};
	unsigned h;
	size_t len;

	machine();
	memset(code, 1, sizeof(code));
	memset(config, 2, sizeof(config));
	memset(auth, 3, sizeof(auth));
	memset(challenge, 4, sizeof(challenge));

	for (i = 0; i < runs; i++) {
		code[0] = (uint8_t)i;
		t0 = now_ns();
		bench_check(
			prog,
			dice_cdis(hyp->attest.cdi_attest, hyp->attest.cdi_seal, &in, cdi_a, cdi_s),
			"cdis");
		bench_check(prog, dice_asym_kdf(cdi_a, priv, pub), "asym kdf");
		t[i] = (now_ns() - t0) / 1e3;
	}
	printf("BENCH attest_keyderive_us %.1f us\n", median(t, runs));

	for (i = 0; i < runs; i++) {
		h = new_vm();
		t0 = now_ns();
		bench_check(prog, pvm_vm_seal(hyp, h), "seal");
		t[i] = (now_ns() - t0) / 1e3;
		if (i < runs - 1)
			destroy(h);
	}
	printf("BENCH attest_seal_us %.1f us\n", median(t, runs));

	/* h: the last VM, sealed. */
	for (i = 0; i < runs; i++) {
		challenge[0] = (uint8_t)i;
		t0 = now_ns();
		bench_check(prog,
			    pvm_attest_evidence(hyp, h, challenge, 64, buf, sizeof(buf), &len),
			    "evidence");
		t[i] = (now_ns() - t0) / 1e3;
	}
	printf("BENCH attest_token_us %.1f us\n", median(t, runs));
	destroy(h);

	for (i = 0; i < mruns; i++) {
		uint64_t pa;

		next_page = RAM + 4 * MiB;
		h = new_vm();
		pa = host_pages(image_pages, 1);
		memset(pvm_sim_ram(pvm_pa(pa), image_pages * PAGE), 0x3a + i, image_pages * PAGE);
		t0 = now_ns();
		bench_check(prog,
			    pvm_vm_load_measured(hyp, h, pvm_pa(pa), pvm_ipa(GUEST_RAM),
						 image_pages, PVM_MEASURE_CODE, NULL),
			    "load measured");
		t[i] = (double)(image_pages * PAGE) / ((now_ns() - t0) / 1e9) / 1e6;
		destroy(h);
	}
	printf("BENCH attest_measure_mb_per_s %.1f MB/s\n", median(t, mruns));
	pvm_sim_fini();
	return 0;
}
