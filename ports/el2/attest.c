/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attestation at boot: the device secret from the boot configuration, the
 * hypervisor layer's DICE inputs, pvm_attest_init(), and the root public key
 * on the console (what a verifier is given to trust).
 *
 * The UDS comes from "pvm.uds=<64 hex digits>" in /chosen/bootargs; without
 * it the UDS is all zero, which the DICE profile calls unprovisioned (and
 * the mode is then "not configured"). The DTB lies below the image, outside
 * the host's stage-2, so the host never sees it; the digits are overwritten
 * in place as soon as they are read, so that no later print shows them.
 */
#include <libpvm/attest.h>

#include <string.h>

#include "bootargs.h"
#include "el2.h"
#include "print.h"
#include "spinlock.h"

extern const char __data_start[];

/*
 * "KEY<hex>" in the boot arguments: the bytes into out (at most max), their
 * number returned; 0 if KEY is absent. Anything but 2..2*max hex digits
 * ending the word stops the boot. With hide, the digits are overwritten in
 * place (the DTB is RAM mapped writable for the hypervisor alone, mmu.c).
 */
static size_t boot_hex(const char *args, const char *key, uint8_t *out, size_t max, bool hide)
{
	char *digits = bootarg(args, key);
	size_t n;

	if (!digits)
		return 0;
	n = bootarg_hex(digits, out, max);
	if (!n)
		el2_panic("%s wants 1 to %zu bytes in hex", key, max);
	if (hide)
		memset(digits, '*', 2 * n);
	return n;
}

bool el2_attest_uds(const char *bootargs, uint8_t uds[32])
{
	memset(uds, 0, 32);
	switch (boot_hex(bootargs, "pvm.uds=", uds, 32, true)) {
	case 0:
		return false;
	case 32:
		return true;
	default:
		el2_panic("pvm.uds= wants exactly 32 bytes in hex");
	}
}

/*
 * The challenge of the el2 attestation test ("el2-challenge=<hex>", from
 * the test script playing the relying party); none: no evidence printed.
 */
static uint8_t challenge[PVM_CHALLENGE_MAX];
static size_t challenge_len;

void el2_attest_init(const char *bootargs, uint8_t uds[32], bool provisioned)
{
	struct pvm_attest_config cfg = {
		/* DICE mode: normal once provisioned, else not configured. */
		.mode = provisioned ? 1 : 0,
	};
	struct pvm_sha512_ctx h;
	uint8_t pub[PVM_P256_PUB_SIZE];
	pvm_status_t ret;
	unsigned i;

	challenge_len = boot_hex(bootargs, "el2-challenge=", challenge, sizeof(challenge), false);
	el2_crypto_heap_init();
	memcpy(cfg.uds, uds, sizeof(cfg.uds));
	memset(uds, 0, 32);
	/* Code: everything read-only in the image (text, vectors, rodata). */
	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, __image_start, (size_t)(__data_start - __image_start));
	pvm_crypto_sha512_final(&h, cfg.code_hash);
	/* Configuration and authority: none yet (no signed image, no options). */
	ret = pvm_attest_init(el2_hyp, &cfg);
	memset(&cfg, 0, sizeof(cfg));
	if (!ret)
		ret = pvm_attest_root_key(el2_hyp, pub);
	if (ret)
		el2_panic("pvm_attest_init: %s", pvm_strerror(ret));
	print("el2: attestation root key ");
	for (i = 0; i < sizeof(pub); i++)
		print("%02x", pub[i]);
	print(" (%s UDS)\n", provisioned ? "provisioned" : "unprovisioned, all-zero");
}

/*
 * After the host sealed VM `vm`: its evidence for the boot challenge, in
 * hex between marker lines, for the test script to hand to pvm-verify.
 * There is no host call for evidence yet (the host would need a page
 * shared with the hypervisor to receive it); the console stands in.
 */
void el2_attest_sealed(unsigned vm)
{
	/* One buffer for every CPU (it is large for a stack): one sealing host call at a time. */
	static uint8_t ev[PVM_EVIDENCE_MAX];
	static uint32_t lock;
	size_t len = 0, i;
	pvm_status_t ret;

	if (!challenge_len)
		return;
	spin_lock(&lock);
	ret = pvm_attest_evidence(el2_hyp, vm, challenge, challenge_len, ev, sizeof(ev), &len);
	if (ret)
		el2_panic("pvm_attest_evidence(VM %u): %s", vm, pvm_strerror(ret));
	print_lock(); /* the block stays whole on the console */
	print("el2: evidence of VM %u for a %zu-byte challenge, %zu bytes\nel2: evidence-begin\n",
	      vm, challenge_len, len);
	for (i = 0; i < len; i++)
		print("%02x%s", ev[i], (i % 32 == 31 || i + 1 == len) ? "\n" : "");
	print("el2: evidence-end\n");
	print_unlock();
	spin_unlock(&lock);
}
