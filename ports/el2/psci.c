/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's PSCI calls (its SMC #0, trapped by HCR_EL2.TSC, or HVC #0),
 * as pKVM's host PSCI relay has them: the hypervisor stands between the
 * host and the firmware, so that no CPU ever starts or resumes in the host
 * without passing through EL2 first.
 *
 * - CPU_ON: the target must be a CPU of the device tree (else
 *   INVALID_PARAMETERS, without asking the firmware) and the entry point
 *   host memory by the core's ownership state: a page the host owns, lent
 *   or not, never the hypervisor's, a guest's or unmanaged memory such as
 *   the hypervisor's image (else INVALID_ADDRESS, PSCI 1.0). The entry and
 *   the host's context id go to the target's struct el2_cpu, under its
 *   boot_lock (a CPU_ON still being taken up gets ON_PENDING); the
 *   firmware gets the hypervisor's entry point and that struct as the
 *   context id (cpu.c); its answer (ALREADY_ON...) goes back to the host.
 *   The check is a courtesy, not the protection: the host could give the
 *   page away before the CPU starts, and then its first fetch, at EL1
 *   behind the stage-2, faults like any other access of the host's.
 * - CPU_SUSPEND: the same for a power-down state (its entry checked, the
 *   firmware given the hypervisor's); a standby state, or a power-down the
 *   firmware turns into one (QEMU's always), returns to the caller.
 * - CPU_OFF, AFFINITY_INFO, MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET,
 *   PSCI_VERSION and PSCI_FEATURES (for a function passed or relayed
 *   here; SMCCC_VERSION is the hypervisor's): forwarded as they are. They
 *   start nothing at EL2 on the host's behalf.
 * - Everything else (SYSTEM_SUSPEND, CPU_FREEZE, CPU_DEFAULT_SUSPEND,
 *   SYSTEM_RESET2, MEM_PROTECT, MIGRATE, ...), and any other SMC the host
 *   makes: NOT_SUPPORTED, never forwarded. Some would start the host at an
 *   entry point of its choosing at EL2 (SYSTEM_SUSPEND), and a firmware
 *   service the hypervisor does not know is attack surface it cannot
 *   vouch for; on QEMU's virt machine, which has no EL3, an SMC that its
 *   PSCI emulation does not recognise is even UNDEFINED at EL2. (pKVM
 *   forwards unknown SMCs; a vendor port would keep a list of the
 *   services its firmware offers.)
 */
#include <libpvm/abi.h>

#include "el2.h"
#include "print.h"

#define PSCI_FN_MASK	 0xbfffffe0u /* the PSCI range of SMC32 and SMC64 */
#define PSCI_FN_BASE	 0x84000000u
#define PSCI_SMC64	 (1u << 30)
#define SMCCC_VERSION_ID 0x80000000u

/* power_state: StateType, power-down, in the original and the extended format. */
#define PS_POWERDOWN_ORIGINAL (1u << 16)
#define PS_POWERDOWN_EXTENDED (1u << 30)
#define FEATURES_SUSPEND_EXT  (1u << 1) /* PSCI_FEATURES(CPU_SUSPEND): extended format */

static uint32_t powerdown_bit = PS_POWERDOWN_ORIGINAL;

static int32_t smc(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int32_t)el2_smc(fn, a1, a2, a3);
}

void el2_psci_init(void)
{
	int32_t v = smc(PSCI_VERSION, 0, 0, 0), f;

	/* PSCI_FEATURES, which this file relies on, came with PSCI 1.0. */
	if (v < 0x10000)
		el2_panic("firmware PSCI version 0x%x: PSCI 1.0 or later needed", (unsigned)v);
	f = smc(PSCI_FEATURES, PSCI_CPU_SUSPEND64, 0, 0);
	if (f >= 0 && (f & FEATURES_SUSPEND_EXT))
		powerdown_bit = PS_POWERDOWN_EXTENDED;
	print("el2: firmware PSCI %d.%d through SMC, CPU_SUSPEND power_state in the %s format\n",
	      v >> 16, v & 0xffff,
	      powerdown_bit == PS_POWERDOWN_EXTENDED ? "extended" : "original");
}

/* Passed to the firmware as they are. */
static bool forwarded(uint32_t fn)
{
	return fn == PSCI_VERSION || fn == PSCI_FEATURES || fn == PSCI_CPU_OFF ||
	       fn == PSCI_AFFINITY_INFO || fn == PSCI_AFFINITY_INFO64 ||
	       fn == PSCI_MIGRATE_INFO_TYPE || fn == PSCI_SYSTEM_OFF || fn == PSCI_SYSTEM_RESET;
}

static bool relayed(uint32_t fn)
{
	return fn == PSCI_CPU_ON || fn == PSCI_CPU_ON64 || fn == PSCI_CPU_SUSPEND ||
	       fn == PSCI_CPU_SUSPEND64;
}

/* Where the host may start a CPU: a page it owns (lent or not). */
static bool host_code(uint64_t entry)
{
	struct pvm_page_info info;

	return !(entry & 3) && !pvm_mem_page(el2_hyp, pvm_pa(entry), &info) &&
	       info.owner == PVM_ID_HOST &&
	       (info.state == PVM_PAGE_OWNED || info.state == PVM_PAGE_SHARED_OWNED);
}

static int32_t cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	struct el2_cpu *t = el2_cpu_by_mpidr(mpidr);
	uint32_t free = 0;
	int32_t ret;

	if (!t)
		return PSCI_RET_INVALID_PARAMETERS;
	if (!host_code(entry))
		return PSCI_RET_INVALID_ADDRESS;
	if (!__atomic_compare_exchange_n(&t->boot_lock, &free, 1, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return PSCI_RET_ON_PENDING;
	t->on_entry = entry;
	t->on_ctx = ctx;
	/* The record before the CPU can start (it reads it with its caches on: coherent). */
	dsb(ish);
	ret = smc(PSCI_CPU_ON64, t->mpidr, (uint64_t)(uintptr_t)el2_secondary_entry,
		  (uint64_t)(uintptr_t)t);
	/* Not started (ALREADY_ON...): nobody will take the record. */
	if (ret != PSCI_RET_SUCCESS)
		__atomic_store_n(&t->boot_lock, 0, __ATOMIC_RELEASE);
	return ret;
}

static int32_t cpu_suspend(uint32_t state, uint64_t entry, uint64_t ctx)
{
	struct el2_cpu *c = el2_this_cpu();
	bool down = state & powerdown_bit;
	int32_t ret;

	if (down && !host_code(entry))
		return PSCI_RET_INVALID_ADDRESS;
	c->suspend_entry = entry;
	c->suspend_ctx = ctx;
	c->suspending = down;
	dsb(ish);
	/* A power-down resumes at el2_secondary_entry (cpu.c); anything else returns here. */
	ret = smc(PSCI_CPU_SUSPEND64, state, (uint64_t)(uintptr_t)el2_secondary_entry,
		  (uint64_t)(uintptr_t)c);
	c->suspending = false;
	return ret;
}

static int32_t cpu_off(void)
{
	int32_t ret = smc(PSCI_CPU_OFF, 0, 0, 0);

	if (ret != PSCI_RET_SUCCESS)
		return ret; /* DENIED: the host carries on */
	/* Real firmware does not return; QEMU's stops the CPU a moment later. */
	for (;;)
		__asm__ volatile("wfi");
}

bool el2_psci_host_call(struct el2_frame *f)
{
	uint64_t fn = f->x[0], a[3];
	int32_t ret;

	if (fn > 0xffffffffu || ((uint32_t)fn & PSCI_FN_MASK) != PSCI_FN_BASE)
		return false;
	/* SMC32 calls: the upper halves of the arguments are not the host's to mean. */
	for (unsigned i = 0; i < 3; i++)
		a[i] = (fn & PSCI_SMC64) ? f->x[1 + i] : (uint32_t)f->x[1 + i];
	switch (fn) {
	case PSCI_CPU_ON:
	case PSCI_CPU_ON64:
		ret = cpu_on(a[0], a[1], a[2]);
		break;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND64:
		ret = cpu_suspend((uint32_t)a[0], a[1], a[2]);
		break;
	case PSCI_CPU_OFF:
		ret = cpu_off();
		break;
	case PSCI_FEATURES:
		if (a[0] == SMCCC_VERSION_ID)
			ret = PSCI_RET_SUCCESS;
		else if (forwarded((uint32_t)a[0]) || relayed((uint32_t)a[0]))
			ret = smc(PSCI_FEATURES, a[0], 0, 0);
		else
			ret = PSCI_RET_NOT_SUPPORTED;
		break;
	default:
		if (fn == PSCI_SYSTEM_OFF)
			print("el2: the host powers the machine off\n");
		ret = forwarded((uint32_t)fn) ? smc((uint32_t)fn, a[0], a[1], a[2])
					      : PSCI_RET_NOT_SUPPORTED;
		break;
	}
	f->x[0] = (uint64_t)(int64_t)ret;
	return true;
}
