/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the evidence verifier (libpvm/verify.h), seeded with
 * real evidence.
 *
 * Once, the core produces genuine evidence on the simulator: a protected VM
 * with a measured page, sealed, asked for evidence over a fixed challenge,
 * under a fixed root key. Every input is then verified against that root
 * and challenge, in one of two forms (its first byte):
 *   - even: the rest is the evidence, whole (libFuzzer's own mutations);
 *   - odd: the rest is a list of (offset, byte) edits (3 bytes each) to the
 *     genuine evidence, so the fuzzer works deep inside valid structures,
 *     past the signatures.
 * Oracles: no crash, no sanitizer report, no read outside the input (ASan),
 * and what the verifier accepts claims exactly what the genuine evidence
 * claims: an edit that still verifies must not change one claim.
 */
#include <libpvm/attest.h>
#include <libpvm/pvm.h>
#include <libpvm/sim.h>
#include <libpvm/verify.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB	  (1ull << 20)
#define PAGE	  PVM_PAGE_SIZE
#define RAM	  0x40000000ull
#define RAM_SIZE  (8 * MiB)
#define GUEST_RAM 0x80000000ull
#define CHALLENGE "libpvm fuzz_verify challenge"

static uint8_t genuine[PVM_EVIDENCE_MAX], root[PVM_VERIFY_PUB_SIZE], edited[PVM_EVIDENCE_MAX];
static size_t genuine_len;
static struct pvm_claims genuine_claims;

static void die(const char *what, int status)
{
	fprintf(stderr, "fuzz_verify: %s (%d)\n", what, status);
	abort();
}

static void produce(void)
{
	struct pvm_sim_config sc = {.ram_base = RAM, .ram_size = RAM_SIZE};
	struct pvm_hyp_config hc = {.ram_base = RAM,
				    .ram_size = RAM_SIZE,
				    .hyp_base = RAM + RAM_SIZE - MiB,
				    .hyp_size = MiB,
				    .pa_bits = 40};
	struct pvm_vm_config vc = {
		.ipa_bits = 36, .protected_vm = true, .ram_base = GUEST_RAM, .ram_size = 2 * MiB};
	struct pvm_attest_config ac = {.mode = 1};
	struct pvm_hyp *hyp = NULL;
	unsigned vm = 0;
	int st;

	memset(ac.uds, 0x5a, sizeof(ac.uds));
	if ((st = pvm_sim_init(&sc)) || (st = pvm_hyp_init(&hc, &hyp, NULL)) ||
	    (st = pvm_attest_init(hyp, &ac)) || (st = pvm_attest_root_key(hyp, root)))
		die("set-up: machine", st);
	memset(pvm_sim_ram(pvm_pa(RAM + 2 * MiB), PAGE), 0xc3, PAGE);
	if ((st = pvm_vm_create(hyp, &vc, pvm_pa(RAM + MiB), pvm_vm_create_pages(36), &vm, NULL)) ||
	    (st = pvm_vm_load_measured(hyp, vm, pvm_pa(RAM + 2 * MiB), pvm_ipa(GUEST_RAM), 1,
				       PVM_MEASURE_CODE, NULL)) ||
	    (st = pvm_vm_seal(hyp, vm)) ||
	    (st = pvm_attest_evidence(hyp, vm, (const uint8_t *)CHALLENGE, sizeof(CHALLENGE) - 1,
				      genuine, sizeof(genuine), &genuine_len)))
		die("set-up: evidence", st);
	st = pvm_verify_evidence(genuine, genuine_len, root, (const uint8_t *)CHALLENGE,
				 sizeof(CHALLENGE) - 1, &genuine_claims);
	if (st != PVM_VERIFY_OK)
		die("the genuine evidence does not verify", st);
	pvm_sim_fini();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvm_claims claims;
	const uint8_t *ev = data + 1;
	size_t len = size ? size - 1 : 0;
	int st;

	if (!genuine_len)
		produce();
	if (size && (data[0] & 1)) {
		memcpy(edited, genuine, genuine_len);
		for (size_t i = 1; i + 3 <= size; i += 3)
			edited[((size_t)data[i] << 8 | data[i + 1]) % genuine_len] = data[i + 2];
		ev = edited;
		len = genuine_len;
	}
	/* A copy of exactly len bytes, so ASan sees any read past the end. */
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		die("memory", 0);
	memcpy(copy, ev, len);
	st = pvm_verify_evidence(copy, len, root, (const uint8_t *)CHALLENGE, sizeof(CHALLENGE) - 1,
				 &claims);
	free(copy);
	if (st == PVM_VERIFY_OK && memcmp(&claims, &genuine_claims, sizeof(claims)))
		die("evidence that verifies claims something else than the genuine one", st);
	return 0;
}
