/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest: a guest proves what it runs. It shares the pages its evidence
 * will go to, takes the relying party's challenge from the VMM through them
 * (the mailbox's CHALLENGE register: at run time, so that the challenge is
 * in none of the measured pages), extends a runtime measurement register
 * with what it is about to do, asks the hypervisor for evidence bound to
 * the challenge, derives sealing keys (and prints a fingerprint of one, so
 * that tests can compare the keys of different images), and hands the
 * evidence to the VMM over the same pages (the VMM verifies it).
 *
 * A non-protected VM has no MEM_SHARE (its memory is the host's already:
 * KVM_FEATURES does not list the call); the guest then hands over the same
 * pages without sharing them, and the evidence says mode 2, debug.
 */
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
static const char fingerprint_ctx[] = "libpvm fingerprint";

/*
 * Evidence goes to pages of its own: sharing them exposes nothing else.
 * The challenge comes in through the first of them.
 */
static unsigned char evidence[EVIDENCE_PAGES * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned char challenge[PVM_LAYOUT_CHALLENGE_MAX];
static unsigned char key_a[32], key_b[32], key_c[32], key_f[32];

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

/*
 * Whether this VM shares memory with MEM_SHARE: a protected VM does; a
 * non-protected VM's KVM_FEATURES lacks the call, as pKVM's do (Linux's
 * guest takes the same answer to mean "no sharing needed").
 */
static bool must_share(void)
{
	const uint32_t need = (1u << (ARM_SMCCC_KVM_FUNC_MEM_SHARE & 0xffff)) |
			      (1u << (ARM_SMCCC_KVM_FUNC_MEM_UNSHARE & 0xffff));

	return ((uint32_t)smccc_hvc(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES, 0, 0, 0, 0, 0).a0 & need) ==
	       need;
}

/* MEM_SHARE or MEM_UNSHARE of the evidence pages. */
static bool share_pages(uint32_t fn)
{
	unsigned long base = (unsigned long)evidence, i;
	long r;

	for (i = 0; i < EVIDENCE_PAGES; i++) {
		r = (long)smccc_hvc(fn, base + i * PAGE_SIZE, 0, 0, 0, 0).a0;
		if (r)
			return fail(fn == ARM_SMCCC_KVM_FUNC_MEM_SHARE ? "mem_share returned"
								       : "mem_unshare returned",
				    r);
	}
	return true;
}

/* The relying party's challenge, from the VMM into the shared page, then into private memory. */
static unsigned take_challenge(void)
{
	unsigned long base = (unsigned long)evidence;
	uint32_t len;
	unsigned i;

	mmio_write64(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_BLOB_ADDR, base);
	len = mmio_read32(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_CHALLENGE);
	if (!len || len > sizeof(challenge)) {
		uart_puts("attest: no challenge from the VMM (");
		uart_putdec(len);
		uart_puts(" bytes)\n");
		return 0;
	}
	/* Copied before use: the host may change the shared page at any time. */
	for (i = 0; i < len; i++)
		challenge[i] = ((volatile unsigned char *)evidence)[i];
	uart_puts("attest: challenge of ");
	uart_putdec(len);
	uart_puts(" bytes\n");
	return len;
}

static void put_bytes(const unsigned char *b, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uart_putc("0123456789abcdef"[b[i] >> 4]);
		uart_putc("0123456789abcdef"[b[i] & 0xf]);
	}
}

/*
 * Two derivations with one context agree; another context gives another
 * key. Then the fingerprint: the first 8 bytes of the key for a fixed
 * context, which depends on the VM's code (an unsigned VM's key is bound
 * to its RIM) and on nothing per run.
 */
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
	smccc_hvc(PVM_GUEST_CALL_SEAL_KEY, (unsigned long)key_f, (unsigned long)fingerprint_ctx,
		  sizeof(fingerprint_ctx) - 1, 0, 0);
	uart_puts("attest: sealing keys derived, fingerprint ");
	put_bytes(key_f, 8);
	uart_puts("\n");
	return true;
}

/* Hand the evidence over through the (shared) pages. */
static bool hand_over(unsigned long len)
{
	uint32_t status;

	mmio_write64(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_BLOB_ADDR,
		     (unsigned long)evidence);
	mmio_write64(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_BLOB_LEN, len);
	status = mmio_read32(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_STATUS);
	if (status != 1)
		return fail("the host could not read the evidence", (long)status);
	uart_puts("attest: evidence handed to the VMM\n");
	return true;
}

/* With the evidence pages visible to the host: challenge in, evidence out. */
static void attest(void)
{
	unsigned clen = take_challenge();
	struct smccc_res r;

	if (!clen)
		return;
	r = smccc_hvc(PVM_GUEST_CALL_REM_EXTEND, 0, (unsigned long)rem_data, sizeof(rem_data) - 1,
		      0, 0);
	if (r.a0) {
		fail("rem_extend returned", (long)r.a0);
		return;
	}
	r = smccc_hvc(PVM_GUEST_CALL_ATTEST, (unsigned long)challenge, clen,
		      (unsigned long)evidence, sizeof(evidence), 0);
	if (r.a0) {
		fail("attest returned", (long)r.a0);
		return;
	}
	uart_puts("attest: evidence received\n");
	if (sealing_keys())
		hand_over(r.a1);
}

int main(unsigned long dtb)
{
	bool share;

	(void)dtb;
	if (!calls_available()) {
		uart_puts("attest: attestation calls unavailable\n");
		goto done;
	}
	share = must_share();
	if (!share)
		uart_puts("attest: no MEM_SHARE: a non-protected VM, its memory is the host's\n");
	if (!share || share_pages(ARM_SMCCC_KVM_FUNC_MEM_SHARE)) {
		attest();
		if (share)
			share_pages(ARM_SMCCC_KVM_FUNC_MEM_UNSHARE);
	}
done:
	uart_puts("attest: done\n");
	return 0;
}
