/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verifying a VM's evidence (libpvm/verify.h) end to end: decode, three
 * ES256 signatures, three IDs, every claim. The evidence comes from the
 * verifier's reference encoder (tools/pvm-verify/evidence_gen).
 *
 *   bench_verify [--quick]
 * prints "BENCH attest_verify_us <median> us".
 */
#include <libpvm/verify.h>

#include "evidence_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static uint8_t ev[8192];
	static struct vgen g;
	struct pvm_claims claims;
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	int runs = quick ? 20 : 2000, ret;
	double *t = malloc(sizeof(*t) * (size_t)runs);
	size_t len;

	if (!t || vgen_init(&g)) {
		fprintf(stderr, "bench_verify: setup failed\n");
		return 1;
	}
	len = vgen_build(&g, ev, sizeof(ev));
	/* Warm up OpenSSL's provider caches, as a long-running verifier would be. */
	for (int i = 0; i < (quick ? 2 : 50); i++)
		pvm_verify_evidence(ev, len, g.root.pub, g.challenge, g.challenge_len, &claims);
	for (int i = 0; i < runs; i++) {
		double t0 = now_us();

		ret = pvm_verify_evidence(ev, len, g.root.pub, g.challenge, g.challenge_len,
					  &claims);
		t[i] = now_us() - t0;
		if (ret) {
			fprintf(stderr, "bench_verify: %s\n", pvm_verify_strerror(ret));
			return 1;
		}
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("BENCH attest_verify_us %.1f us\n", t[runs / 2]);
	printf("BENCH attest_evidence_bytes %zu bytes\n", len);
	free(t);
	vgen_free(&g);
	return 0;
}
