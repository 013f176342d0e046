/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pvm-run's side of attestation: it plays the port at boot (the simulated
 * device secret and the hypervisor's own measurement go to
 * pvm_attest_init()) and the relying party at the end (the evidence a
 * guest hands over is verified against the root key and the challenge the
 * VMM gave the guest through the mailbox).
 */
#include <libpvm/attest.h>
#ifndef PVM_RUN_NO_VERIFIER
#include <libpvm/verify.h>
#endif

#include <stdio.h>
#include <string.h>

#include "vmm.h"

/* What the simulated hypervisor "is": its measurement, as a boot loader would take it. */
static const char hyp_identity[] = "libpvm simulator hypervisor layer v1";

int vmm_parse_hex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (hex[0] && hex[1]) {
		unsigned v;

		if (n == max || sscanf(hex, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return hex[0] ? -1 : (int)n;
}

int vmm_attest_init(struct vmm *v)
{
	struct pvm_attest_config cfg;
	struct pvm_sha512_ctx h;
	pvm_status_t ret;

	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.uds, v->uds, sizeof(cfg.uds));
	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, hyp_identity, sizeof(hyp_identity) - 1);
	pvm_crypto_sha512_final(&h, cfg.code_hash);
	cfg.mode = 1; /* normal */
	ret = pvm_attest_init(v->hyp, &cfg);
	memset(&cfg, 0, sizeof(cfg));
	if (ret) {
		fprintf(stderr, "pvm-run: attestation: %s\n", pvm_strerror(ret));
		return -1;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, len, f) == len;

	if (f && fclose(f))
		ok = 0;
	if (!ok)
		fprintf(stderr, "pvm-run: cannot write %s\n", path);
	return ok ? 0 : -1;
}

#ifdef PVM_RUN_NO_VERIFIER
/*
 * No verifier in this build (the KVM port's static binary runs inside a
 * test kernel, without libcbor and OpenSSL): put the evidence and the root
 * key on stderr as hex between marker lines, for the host to take off the
 * console and check with `pvm-verify --hex` (tests/integration/kvm/boot.sh).
 */
static void print_hex(struct vmm *v, const char *what, const uint8_t *b, size_t len)
{
	char line[2 * 32 + 1];
	size_t i, n;

	vmm_printf(v, true, "pvm-run: %s hex begin\n", what);
	for (i = 0; i < len; i += n) {
		size_t k;

		n = len - i < 32 ? len - i : 32;
		for (k = 0; k < n; k++)
			snprintf(line + 2 * k, 3, "%02x", b[i + k]);
		vmm_printf(v, true, "%s\n", line);
	}
	vmm_printf(v, true, "pvm-run: %s hex end\n", what);
}
#else
static void hex16(char out[33], const uint8_t *b)
{
	unsigned i;

	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}
#endif

void vmm_evidence(struct vmm *v, const uint8_t *ev, size_t len)
{
	uint8_t root[PVM_P256_PUB_SIZE];
#ifndef PVM_RUN_NO_VERIFIER
	struct pvm_claims claims;
	char rim[33], rem0[33];
	int err;
#endif

	if (pvm_attest_root_key(v->hyp, root)) {
		vmm_printf(v, true, "pvm-run: no root key: attestation is not initialised\n");
		v->result = 1;
		return;
	}
	if ((v->evidence_out && write_file(v->evidence_out, ev, len)) ||
	    (v->root_out && write_file(v->root_out, root, sizeof(root))))
		v->result = 1;
#ifdef PVM_RUN_NO_VERIFIER
	print_hex(v, "evidence", ev, len);
	print_hex(v, "root key", root, sizeof(root));
#endif
	if (!v->attest)
		return;
#ifdef PVM_RUN_NO_VERIFIER
	/* The verifier (libcbor, OpenSSL) is not in this build: pvm-verify checks the file. */
	vmm_printf(v, false, "pvm-run: evidence received (%zu bytes), not verified here\n", len);
#else
	err = pvm_verify_evidence(ev, len, root, v->challenge, v->challenge_len, &claims);
	if (err) {
		vmm_printf(v, false, "pvm-run: evidence REJECTED: %s\n", pvm_verify_strerror(err));
		v->result = 1;
		return;
	}
	hex16(rim, claims.rim);
	hex16(rem0, claims.rem[0]);
	vmm_printf(v, false, "pvm-run: evidence verified (rim %s... rem0 %s...)\n", rim, rem0);
	v->evidence_ok = true;
#endif
}
