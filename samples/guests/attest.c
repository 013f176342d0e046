/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest: a protected guest proves what it runs. It takes the relying
 * party's challenge from its device tree, extends a runtime measurement
 * register with what it is about to do, asks the hypervisor for evidence
 * bound to the challenge, derives sealing keys, and hands the evidence to
 * the VMM over pages it shares for that (the VMM verifies it).
 */
#include "fdt.h"
#include "hvc.h"
#include "mmio.h"
#include "pvm_layout.h"
#include "runtime.h"
#include "uart.h"

#include <libpvm/abi.h>

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE      4096
#define EVIDENCE_PAGES 2

static const char rem_data[] = "attest guest: about to report";

/* Evidence goes to pages of its own: sharing them exposes nothing else. */
static unsigned char evidence[EVIDENCE_PAGES * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned char key_a[32], key_b[32], key_c[32];

static bool fail(const char *what, long got)
{
	uart_puts("attest: FAIL ");
	uart_puts(what);
	uart_puts(" (");
	uart_putdec(got);
	uart_puts(")\n");
	return false;
}

static bool same(const unsigned char *a, const unsigned char *b, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool calls_available(void)
{
	const unsigned long need = 1ul << (PVM_GUEST_CALL_ATTEST - PVM_GUEST_CALL_BASE) |
				   1ul << (PVM_GUEST_CALL_REM_EXTEND - PVM_GUEST_CALL_BASE) |
				   1ul << (PVM_GUEST_CALL_SEAL_KEY - PVM_GUEST_CALL_BASE);
	unsigned long got = smccc_hvc(PVM_GUEST_CALL_FEATURES, 0, 0, 0, 0, 0).a0;

	return (long)got >= 0 && (got & need) == need;
}

/* Two derivations with one context agree; another context gives another key. */
static bool sealing_keys(void)
{
	static const char ctx1[] = "disk", ctx2[] = "other";
	long r;

	r = (long)smccc_hvc(PVM_GUEST_CALL_SEAL_KEY, (unsigned long)key_a, (unsigned long)ctx1,
			    sizeof(ctx1) - 1, 0, 0)
		    .a0;
	if (r)
		return fail("seal_key returned", r);
	smccc_hvc(PVM_GUEST_CALL_SEAL_KEY, (unsigned long)key_b, (unsigned long)ctx1,
		  sizeof(ctx1) - 1, 0, 0);
	smccc_hvc(PVM_GUEST_CALL_SEAL_KEY, (unsigned long)key_c, (unsigned long)ctx2,
		  sizeof(ctx2) - 1, 0, 0);
	if (!same(key_a, key_b, 32) || same(key_a, key_c, 32))
		return fail("sealing keys are not stable and context-bound", 0);
	uart_puts("attest: sealing keys derived\n");
	return true;
}

/* Share the evidence pages, hand the evidence over, unshare them. */
static bool hand_over(unsigned long len)
{
	unsigned long base = (unsigned long)evidence, i;
	uint32_t status;
	long r;

	for (i = 0; i < EVIDENCE_PAGES; i++) {
		r = (long)smccc_hvc(ARM_SMCCC_KVM_FUNC_MEM_SHARE, base + i * PAGE_SIZE, 0, 0, 0, 0)
			    .a0;
		if (r)
			return fail("mem_share returned", r);
	}
	mmio_write64(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_BLOB_ADDR, base);
	mmio_write64(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_BLOB_LEN, len);
	status = mmio_read32(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_STATUS);
	for (i = 0; i < EVIDENCE_PAGES; i++)
		smccc_hvc(ARM_SMCCC_KVM_FUNC_MEM_UNSHARE, base + i * PAGE_SIZE, 0, 0, 0, 0);
	if (status != 1)
		return fail("the host could not read the evidence", (long)status);
	uart_puts("attest: evidence handed to the VMM\n");
	return true;
}

int main(unsigned long dtb)
{
	const unsigned char *challenge;
	unsigned clen = 0;
	struct smccc_res r;

	if (!calls_available()) {
		uart_puts("attest: attestation calls unavailable\n");
		goto done;
	}
	challenge = fdt_chosen_prop(dtb, PVM_LAYOUT_CHOSEN_CHALLENGE, &clen);
	if (!challenge || !clen) {
		uart_puts("attest: no challenge in the device tree\n");
		goto done;
	}
	uart_puts("attest: challenge of ");
	uart_putdec(clen);
	uart_puts(" bytes\n");

	r = smccc_hvc(PVM_GUEST_CALL_REM_EXTEND, 0, (unsigned long)rem_data, sizeof(rem_data) - 1,
		      0, 0);
	if (r.a0) {
		fail("rem_extend returned", (long)r.a0);
		goto done;
	}
	/* The challenge is read by the hypervisor where it is: in the device tree. */
	r = smccc_hvc(PVM_GUEST_CALL_ATTEST, (unsigned long)challenge, clen,
		      (unsigned long)evidence, sizeof(evidence), 0);
	if (r.a0) {
		fail("attest returned", (long)r.a0);
		goto done;
	}
	uart_puts("attest: evidence received\n");
	if (sealing_keys())
		hand_over(r.a1);
done:
	uart_puts("attest: done\n");
	return 0;
}
