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

#include "el2.h"
#include "print.h"

extern const char __data_start[];

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool el2_attest_uds(const char *bootargs, uint8_t uds[32])
{
	static const char key[] = "pvm.uds=";
	const char *p = strstr(bootargs, key);
	char *digits;
	unsigned i;
	int hi, lo;

	memset(uds, 0, 32);
	if (!p)
		return false;
	/* The DTB is RAM mapped writable for the hypervisor alone (mmu.c). */
	digits = (char *)(uintptr_t)(p + sizeof(key) - 1);
	for (i = 0; i < 32; i++) {
		hi = hexval(digits[2 * i]);
		lo = hi < 0 ? -1 : hexval(digits[2 * i + 1]);
		if (lo < 0)
			break;
		uds[i] = (uint8_t)(hi << 4 | lo);
	}
	if (i < 32 || (digits[64] && digits[64] != ' '))
		el2_panic("pvm.uds= wants exactly 64 hex digits");
	memset(digits, '*', 64);
	return true;
}

void el2_attest_init(uint8_t uds[32], bool provisioned)
{
	struct pvm_attest_config cfg = {
		/* DICE mode: normal once provisioned, else not configured. */
		.mode = provisioned ? 1 : 0,
	};
	struct pvm_sha512_ctx h;
	uint8_t pub[PVM_P256_PUB_SIZE];
	pvm_status_t ret;
	unsigned i;

	el2_crypto_heap_init();
	memcpy(cfg.uds, uds, sizeof(cfg.uds));
	memset(uds, 0, 32);
	/* Code: everything read-only in the image (text, vectors, rodata). */
	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, __image_start, (size_t)(__data_start - __image_start));
	pvm_crypto_sha512_final(&h, cfg.code_hash);
	/* Configuration and authority: none yet (no signed image, no options). */
	ret = pvm_attest_init(&el2_mem, &cfg);
	memset(&cfg, 0, sizeof(cfg));
	if (!ret)
		ret = pvm_attest_root_key(&el2_mem, pub);
	if (ret)
		el2_panic("pvm_attest_init: %s", pvm_strerror(ret));
	print("el2: attestation root key ");
	for (i = 0; i < sizeof(pub); i++)
		print("%02x", pub[i]);
	print(" (%s UDS)\n", provisioned ? "provisioned" : "unprovisioned, all-zero");
}
