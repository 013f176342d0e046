/* SPDX-License-Identifier: Apache-2.0 */
/*
 * share: a protected guest opens one page to the host and closes it again,
 * and the mailbox device shows what the host can read each time.
 *
 * Like Linux's pKVM guest code, it uses MEM_SHARE and MEM_UNSHARE only after
 * the vendor-hyp UID is KVM's and KVM_FEATURES lists both calls.
 */
#include "hvc.h"
#include "mmio.h"
#include "pvm_layout.h"
#include "runtime.h"
#include "uart.h"

#include <libpvm/abi.h>

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096

static const char message[] = "the guest says hi";

/* The page the guest shares: its own page, so sharing exposes nothing else. */
static char page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static bool pkvm_calls_available(void)
{
	const uint32_t need = (1u << (ARM_SMCCC_KVM_FUNC_MEM_SHARE & 0xffff)) |
			      (1u << (ARM_SMCCC_KVM_FUNC_MEM_UNSHARE & 0xffff));
	struct smccc_res r = smccc_hvc(ARM_SMCCC_VENDOR_HYP_CALL_UID, 0, 0, 0, 0, 0);

	if ((uint32_t)r.a0 != ARM_SMCCC_VENDOR_HYP_UID_KVM_W0 ||
	    (uint32_t)r.a1 != ARM_SMCCC_VENDOR_HYP_UID_KVM_W1 ||
	    (uint32_t)r.a2 != ARM_SMCCC_VENDOR_HYP_UID_KVM_W2 ||
	    (uint32_t)r.a3 != ARM_SMCCC_VENDOR_HYP_UID_KVM_W3)
		return false;
	r = smccc_hvc(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES, 0, 0, 0, 0, 0);
	return ((uint32_t)r.a0 & need) == need;
}

/* A 64-bit vendor call on one page: 0 or a negative SMCCC status. */
static long page_call(uint32_t fn, unsigned long ipa)
{
	return (long)smccc_hvc(fn, ipa, 0, 0, 0, 0).a0;
}

/*
 * Clean and invalidate the page to the point of coherency. With the MMU off
 * the guest's stores bypass the caches, but the host reads through a
 * cacheable mapping and could hit a stale line (from when the VMM loaded or
 * cleared this memory). Harmless where caches are not modelled.
 */
static void page_clean_to_poc(const char *p)
{
	unsigned long ctr, line, a;

	asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
	line = 4ul << ((ctr >> 16) & 0xf); /* CTR_EL0.DminLine: log2 of words */
	for (a = (unsigned long)p; a < (unsigned long)p + PAGE_SIZE; a += line)
		asm volatile("dc civac, %0" : : "r"(a) : "memory");
	asm volatile("dsb sy" : : : "memory");
}

/* Ask the VMM to read and print the string at ipa as the host; 1 if it could. */
static uint32_t mailbox_host_read(unsigned long ipa)
{
	mmio_write64(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_ADDR, ipa);
	return mmio_read32(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_STATUS);
}

static void fail(const char *what, long got, long expected)
{
	uart_puts("share: FAIL ");
	uart_puts(what);
	uart_putc(' ');
	uart_putdec(got);
	uart_puts(" (expected ");
	uart_putdec(expected);
	uart_puts(")\n");
}

/* Share, read as the host, unshare, read again. false after a FAIL line. */
static bool share_round_trip(void)
{
	unsigned long ipa = (unsigned long)page;
	uint32_t shared_read, unshared_read;
	long ret;
	unsigned i;

	ret = (long)smccc_hvc(ARM_SMCCC_KVM_FUNC_HYP_MEMINFO, 0, 0, 0, 0, 0).a0;
	if (ret != PAGE_SIZE) {
		fail("hyp_meminfo returned", ret, PAGE_SIZE);
		return false;
	}

	for (i = 0; i < sizeof(message); i++) /* the NUL too */
		page[i] = message[i];
	page_clean_to_poc(page);

	ret = page_call(ARM_SMCCC_KVM_FUNC_MEM_SHARE, ipa);
	if (ret != SMCCC_RET_SUCCESS) {
		fail("mem_share returned", ret, SMCCC_RET_SUCCESS);
		return false;
	}
	shared_read = mailbox_host_read(ipa); /* mailbox: the guest says hi */

	ret = page_call(ARM_SMCCC_KVM_FUNC_MEM_UNSHARE, ipa);
	if (ret != SMCCC_RET_SUCCESS) {
		fail("mem_unshare returned", ret, SMCCC_RET_SUCCESS);
		return false;
	}
	unshared_read = mailbox_host_read(ipa); /* mailbox: host read faulted */

	if (shared_read != 1)
		fail("shared page: mailbox status", shared_read, 1);
	if (unshared_read != 0)
		fail("unshared page: mailbox status", unshared_read, 0);
	return shared_read == 1 && unshared_read == 0;
}

int main(unsigned long dtb)
{
	(void)dtb;
	if (pkvm_calls_available()) {
		uart_puts("share: pkvm calls available\n");
		if (share_round_trip())
			uart_puts("share: shared read ok, unshared read refused\n");
	} else {
		uart_puts("share: pkvm calls unavailable\n");
	}
	uart_puts("share: done\n");
	return 0;
}
