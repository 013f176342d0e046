/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMCCC 1.1 (Arm DEN 0028) and PSCI 1.1 (Arm DEN 0022) conformance, and
 * the vendor hypervisor service as pKVM answers it, from a C guest.
 *
 * One table: (VM kind, vCPUs and their power states, calls made first,
 * the call) → (x0..x3 the guest sees, the exit the VMM sees if any, and
 * what must hold afterwards). Each row runs in a fresh VM whose guest RAM
 * has its first two pages backed. Expected values are written from the
 * specifications (the literals, not abi.h's macros, where a typo in the
 * header would otherwise go unnoticed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "vcpu_fixture.h"

#define NEG(v)			((uint64_t)(int64_t)(v))
#define NOT_SUPPORTED		NEG(-1)
#define INVALID_PARAMETER	NEG(-3) /* SMCCC */
#define PSCI_INVALID_PARAMETERS NEG(-2)
#define PSCI_ALREADY_ON		NEG(-4)
#define PSCI_ON_PENDING		NEG(-5)
#define PSCI_INVALID_ADDRESS	NEG(-9)
#define JUNK			0xffffffff00000000ull /* upper halves a 32-bit call must ignore */
#define PSCI_SYSTEM_SUSPEND	0x8400000eu
#define PSCI_SYSTEM_SUSPEND64	0xc400000eu
#define PSCI_MIGRATE		0x84000005u

#define RAM	FX_GUEST_RAM
#define RAM_END (FX_GUEST_RAM + FX_GUEST_RAM_SIZE)
#define ENTRY1	(RAM + 0x200) /* vCPU 1's entry point in CPU_ON rows */
#define PATTERN 0x5ec2e75ec2e7ull

/* VM kinds a row runs on. */
#define K_PROT	1u
#define K_NPROT 2u
#define K_BOTH	(K_PROT | K_NPROT)

enum op_kind {
	OP_NONE = 0,
	OP_CALL,  /* HVC #0 with x0..x7 */
	OP_LOAD,  /* x[1] IPA, x[2] size: results {faulted, value} */
	OP_STORE, /* x[1] IPA, x[2] value (8 bytes): results {faulted} */
};

struct op {
	enum op_kind k;
	uint64_t x[8];
};

#define CALL(...)                                                                                  \
	{                                                                                          \
		OP_CALL,                                                                           \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}
#define LOAD(ipa, size)                                                                            \
	{                                                                                          \
		OP_LOAD,                                                                           \
		{                                                                                  \
			0, (ipa), (size)                                                           \
		}                                                                                  \
	}
#define STORE(ipa, v)                                                                              \
	{                                                                                          \
		OP_STORE,                                                                          \
		{                                                                                  \
			0, (ipa), (v)                                                              \
		}                                                                                  \
	}

/* What must hold after the row (besides x0..x3 and the exit). */
#define POST_SAME	  (1u << 0) /* nothing changed: metadata, VM, TLBIs (snapshot before the call) */
#define POST_V1_POWER	  (1u << 1) /* vCPU 1's power state is v1_power */
#define POST_RUN_V1	  (1u << 2) /* vCPU 1 starts at v1_entry with x0 = v1_arg */
#define POST_REFUSED	  (1u << 3) /* vCPU 0 may not run any more (PVM_E_STATE) */
#define POST_RELINQUISHED (1u << 4) /* page 0 is the host's again, zeroed; the VM lost it */
#define POST_HOST_BORROWS (1u << 5) /* the host borrows page 0 */

struct row {
	const char *rule;
	unsigned kinds;
	unsigned nvcpus;  /* 0: 2 */
	bool boot_v1;	  /* the host boots vCPU 1 (ON) before the guest runs */
	struct op pre[4]; /* done first; each must succeed (x0 0, or no fault) */
	struct op op;
	struct pvm_exit want; /* the call's exit (kind NONE: none) */
	uint64_t answer[4];   /* the VMM's completion (forwarded call: x0..x3; MMIO: the value) */
	bool no_return;	      /* the call does not return to the guest */
	unsigned nr;	      /* 1: only x0 is a result, x1..x3 must be the call's own */
	uint64_t r[4];	      /* expected x0..x3 (LOAD: faulted, value) */
	unsigned post;
	enum pvm_vcpu_power v1_power;
	uint64_t v1_entry, v1_arg;
};

#define R1(v)		.nr = 1, .r = {(v)}
#define R4(a, b, c, d)	.nr = 4, .r = {(a), (b), (c), (d)}
#define PSCI_EXIT(f, t) .want = {.kind = PVM_EXIT_PSCI, .psci = {.fn = (f), .target = (t)}}
#define SHARE_EXIT(a, o)                                                                           \
	.want = {.kind = PVM_EXIT_MEM_SHARE, .share = {.ipa = (a), .pages = 1, .op = (o)}}
#define FWD_EXIT(...)                                                                              \
	.want = {.kind = PVM_EXIT_HVC, .hvc = {.x = {__VA_ARGS__}}},                               \
	.answer = {0x11, 0x22, 0x33, 0x44}, R4(0x11, 0x22, 0x33, 0x44)
#define MMIO_READ_EXIT(a, sz) .want = {.kind = PVM_EXIT_MMIO, .mmio = {.ipa = (a), .size = (sz)}}
#define ABORT_EXIT(a)                                                                              \
	.want = {.kind = PVM_EXIT_GUEST_FAULT, .fault = {.reason = PVM_FAULT_DABT, .ipa = (a)}}
#define PSCI_FEAT(fn, res)                                                                         \
	{                                                                                          \
		"PSCI_FEATURES(" #fn ")", K_BOTH, .op = CALL(PSCI_FEATURES, fn), R1(res)           \
	}
#define ARCH_FEAT(fn, res)                                                                         \
	{                                                                                          \
		"SMCCC_ARCH_FEATURES(" #fn ")", K_BOTH, .op = CALL(SMCCC_ARCH_FEATURES, fn),       \
							R1(res)                                    \
	}
#define CPU_ON_OK(name, fn, tgt, entry, ctx, want_entry, want_arg)                                 \
	{                                                                                          \
		name, K_BOTH, .op = CALL(fn, tgt, entry, ctx), PSCI_EXIT(PSCI_CPU_ON, 1), R1(0),   \
			      .post = POST_V1_POWER | POST_RUN_V1,                                 \
			      .v1_power = PVM_VCPU_ON_PENDING, .v1_entry = (want_entry),           \
			      .v1_arg = (want_arg)                                                 \
	}
#define CPU_ON_BAD(name, tgt, entry, res)                                                          \
	{                                                                                          \
		name, K_BOTH, .op = CALL(PSCI_CPU_ON64, tgt, entry, 0), R1(res),                   \
			      .post = POST_V1_POWER, .v1_power = PVM_VCPU_OFF                      \
	}
/* A refused memory call: -3, and nothing changed. */
#define NOPRE                                                                                      \
	{                                                                                          \
		OP_NONE                                                                            \
	}
#define MEM_BAD(fn, name, ipa, a2, a3, pre1)                                                       \
	{                                                                                          \
#fn ": " name " → INVALID_PARAMETER, nothing changes", K_PROT,                     \
			.pre = {pre1 }, .op = CALL(fn, ipa, a2, a3), R1(INVALID_PARAMETER),        \
					.post = POST_SAME                                          \
	}
#define MEM_BAD_ALL(fn)                                                                            \
	MEM_BAD(fn, "x2 nonzero (reserved)", RAM, 1, 0, NOPRE),                                    \
		MEM_BAD(fn, "x3 nonzero (reserved)", RAM, 0, 1, NOPRE),                            \
		MEM_BAD(fn, "IPA not granule aligned", RAM + 8, 0, 0, NOPRE),                      \
		MEM_BAD(fn, "IPA outside RAM (MMIO)", FX_UART, 0, 0, NOPRE),                       \
		MEM_BAD(fn, "IPA just past RAM", RAM_END, 0, 0, NOPRE),                            \
		MEM_BAD(fn, "IPA in RAM but unmapped", RAM + 0x5000, 0, 0, NOPRE)
#define ENROLL	   CALL(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_ENROLL)
#define MAP(ipa)   CALL(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_MAP, ipa)
#define UNMAP(ipa) CALL(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_UNMAP, ipa)
#define SHARE(ipa) CALL(ARM_SMCCC_KVM_FUNC_MEM_SHARE, ipa)

static const struct row rows[] = {
	/* --- SMCCC arch calls --- */
	{"SMCCC_VERSION is 1.1", K_BOTH, .op = CALL(SMCCC_VERSION), R1(0x10001)},
	ARCH_FEAT(SMCCC_VERSION, 0),
	ARCH_FEAT(SMCCC_ARCH_FEATURES, 0),
	ARCH_FEAT(SMCCC_ARCH_SOC_ID, NOT_SUPPORTED),
	ARCH_FEAT(SMCCC_ARCH_WORKAROUND_1, NOT_SUPPORTED),
	ARCH_FEAT(SMCCC_ARCH_WORKAROUND_2, NOT_SUPPORTED),
	ARCH_FEAT(SMCCC_ARCH_WORKAROUND_3, NOT_SUPPORTED),
	ARCH_FEAT(0x80000fffu, NOT_SUPPORTED),
	ARCH_FEAT(PSCI_VERSION /* not an arch call */, NOT_SUPPORTED),
	ARCH_FEAT(JUNK | SMCCC_VERSION /* a 32-bit call: w1 */, 0),
	/* --- PSCI discovery --- */
	{"PSCI_VERSION is 1.1", K_BOTH, .op = CALL(PSCI_VERSION), R1(0x10001)},
	PSCI_FEAT(PSCI_VERSION, 0),
	PSCI_FEAT(PSCI_CPU_OFF, 0),
	PSCI_FEAT(PSCI_CPU_ON, 0),
	PSCI_FEAT(PSCI_CPU_ON64, 0),
	PSCI_FEAT(PSCI_AFFINITY_INFO, 0),
	PSCI_FEAT(PSCI_AFFINITY_INFO64, 0),
	PSCI_FEAT(PSCI_MIGRATE_INFO_TYPE, 0),
	PSCI_FEAT(PSCI_SYSTEM_OFF, 0),
	PSCI_FEAT(PSCI_SYSTEM_RESET, 0),
	PSCI_FEAT(PSCI_FEATURES, 0),
	PSCI_FEAT(SMCCC_VERSION /* how SMCCC 1.1 is discovered */, 0),
	PSCI_FEAT(JUNK | PSCI_VERSION /* a 32-bit call: w1 */, 0),
	/* Mandatory in PSCI 1.x; 0: the original power_state format, no OS-initiated mode. */
	PSCI_FEAT(PSCI_CPU_SUSPEND, 0),
	PSCI_FEAT(PSCI_CPU_SUSPEND64, 0),
	PSCI_FEAT(PSCI_SYSTEM_SUSPEND, NOT_SUPPORTED),
	PSCI_FEAT(PSCI_SYSTEM_SUSPEND64, NOT_SUPPORTED),
	PSCI_FEAT(PSCI_MIGRATE, NOT_SUPPORTED),
	PSCI_FEAT(0x8400001fu, NOT_SUPPORTED),
	PSCI_FEAT(0x12345678u, NOT_SUPPORTED),
	/* Every power state is a standby state here (as KVM): a WFI, then SUCCESS. */
	{"CPU_SUSPEND64 → a WFI exit, then SUCCESS", K_BOTH,
	 .op = CALL(PSCI_CPU_SUSPEND64, 0x10000, RAM, 0), .want = {.kind = PVM_EXIT_WFI}, R1(0)},
	{"CPU_SUSPEND (32-bit) → a WFI exit, then SUCCESS", K_BOTH,
	 .op = CALL(PSCI_CPU_SUSPEND, 0, RAM, 0), .want = {.kind = PVM_EXIT_WFI}, R1(0)},
	{"MIGRATE_INFO_TYPE: no Trusted OS (2)", K_BOTH, .op = CALL(PSCI_MIGRATE_INFO_TYPE), R1(2)},
	/* --- CPU_ON --- */
	CPU_ON_OK("CPU_ON64 starts vCPU 1 ON_PENDING at the entry with x0 = context", PSCI_CPU_ON64,
		  1, ENTRY1, 0x77, ENTRY1, 0x77),
	CPU_ON_OK("CPU_ON (32-bit) ignores the upper halves of x1..x3", PSCI_CPU_ON, JUNK | 1,
		  JUNK | ENTRY1, 0xabcdef0012345678ull, ENTRY1, 0x12345678),
	CPU_ON_OK("CPU_ON64: a 64-bit context id is passed whole", PSCI_CPU_ON64, 1, ENTRY1,
		  0xabcdef0012345678ull, ENTRY1, 0xabcdef0012345678ull),
	CPU_ON_OK("CPU_ON64: the last word of RAM is a valid entry", PSCI_CPU_ON64, 1, RAM_END - 4,
		  0, RAM_END - 4, 0),
	CPU_ON_BAD("CPU_ON64: the upper half of a 64-bit target counts (Aff3)", JUNK | 1, ENTRY1,
		   PSCI_INVALID_PARAMETERS),
	CPU_ON_BAD("CPU_ON64: Aff1 set → INVALID_PARAMETERS", 0x101, ENTRY1,
		   PSCI_INVALID_PARAMETERS),
	CPU_ON_BAD("CPU_ON64: Aff2 set → INVALID_PARAMETERS", 0x10001, ENTRY1,
		   PSCI_INVALID_PARAMETERS),
	CPU_ON_BAD("CPU_ON64: MPIDR bit 31 (RES1, not affinity) → INVALID_PARAMETERS",
		   0x80000001ull, ENTRY1, PSCI_INVALID_PARAMETERS),
	CPU_ON_BAD("CPU_ON64: index = nvcpus → INVALID_PARAMETERS", 2, ENTRY1,
		   PSCI_INVALID_PARAMETERS),
	CPU_ON_BAD("CPU_ON64: a vCPU never created (7) → INVALID_PARAMETERS", 7, ENTRY1,
		   PSCI_INVALID_PARAMETERS),
	CPU_ON_BAD("CPU_ON64: Aff0 255 → INVALID_PARAMETERS", 0xff, ENTRY1,
		   PSCI_INVALID_PARAMETERS),
	CPU_ON_BAD("CPU_ON64: entry outside RAM → INVALID_ADDRESS", 1, FX_UART,
		   PSCI_INVALID_ADDRESS),
	CPU_ON_BAD("CPU_ON64: entry just past RAM → INVALID_ADDRESS", 1, RAM_END,
		   PSCI_INVALID_ADDRESS),
	CPU_ON_BAD("CPU_ON64: entry not 4-byte aligned → INVALID_ADDRESS", 1, ENTRY1 + 2,
		   PSCI_INVALID_ADDRESS),
	CPU_ON_BAD("CPU_ON64: entry 2^64 - 4 (wraps) → INVALID_ADDRESS", 1, ~3ull,
		   PSCI_INVALID_ADDRESS),
	{"CPU_ON of vCPU 0 itself → ALREADY_ON", K_BOTH, .op = CALL(PSCI_CPU_ON64, 0, ENTRY1, 0),
	 R1(PSCI_ALREADY_ON)},
	{"CPU_ON of a booted vCPU → ALREADY_ON", K_BOTH, .boot_v1 = true,
	 .op = CALL(PSCI_CPU_ON64, 1, ENTRY1, 0), R1(PSCI_ALREADY_ON), .post = POST_V1_POWER,
	 .v1_power = PVM_VCPU_ON},
	{"CPU_ON of an ON_PENDING vCPU → ON_PENDING, its entry unchanged", K_BOTH,
	 .pre = {CALL(PSCI_CPU_ON64, 1, ENTRY1, 0x55)}, .op = CALL(PSCI_CPU_ON64, 1, RAM, 0x66),
	 R1(PSCI_ON_PENDING), .post = POST_V1_POWER | POST_RUN_V1, .v1_power = PVM_VCPU_ON_PENDING,
	 .v1_entry = ENTRY1, .v1_arg = 0x55},
	/* --- AFFINITY_INFO --- */
	{"AFFINITY_INFO of the caller → ON (0)", K_BOTH, .op = CALL(PSCI_AFFINITY_INFO64, 0, 0),
	 R1(0)},
	{"AFFINITY_INFO of a vCPU never started → OFF (1)", K_BOTH,
	 .op = CALL(PSCI_AFFINITY_INFO64, 1, 0), R1(1)},
	{"AFFINITY_INFO of a booted vCPU → ON (0)", K_BOTH, .boot_v1 = true,
	 .op = CALL(PSCI_AFFINITY_INFO64, 1, 0), R1(0)},
	{"AFFINITY_INFO of a vCPU after CPU_ON → ON_PENDING (2)", K_BOTH,
	 .pre = {CALL(PSCI_CPU_ON64, 1, ENTRY1, 0)}, .op = CALL(PSCI_AFFINITY_INFO64, 1, 0), R1(2)},
	{"AFFINITY_INFO (32-bit) ignores the upper half of x1", K_BOTH,
	 .op = CALL(PSCI_AFFINITY_INFO, JUNK | 1, JUNK), R1(1)},
	{"AFFINITY_INFO lowest_affinity_level 1 → INVALID_PARAMETERS", K_BOTH,
	 .op = CALL(PSCI_AFFINITY_INFO64, 0, 1), R1(PSCI_INVALID_PARAMETERS)},
	{"AFFINITY_INFO lowest_affinity_level 3 → INVALID_PARAMETERS", K_BOTH,
	 .op = CALL(PSCI_AFFINITY_INFO64, 0, 3), R1(PSCI_INVALID_PARAMETERS)},
	{"AFFINITY_INFO of a vCPU that does not exist → INVALID_PARAMETERS", K_BOTH,
	 .op = CALL(PSCI_AFFINITY_INFO64, 2, 0), R1(PSCI_INVALID_PARAMETERS)},
	{"AFFINITY_INFO with Aff1 set → INVALID_PARAMETERS", K_BOTH,
	 .op = CALL(PSCI_AFFINITY_INFO64, 0x100, 0), R1(PSCI_INVALID_PARAMETERS)},
	/* --- power off and reset: the VMM acts, the guest does not come back --- */
	{"SYSTEM_RESET → PSCI exit; the VM refuses to run after", K_BOTH,
	 .op = CALL(PSCI_SYSTEM_RESET), PSCI_EXIT(PSCI_SYSTEM_RESET, 0), .no_return = true,
	 .post = POST_REFUSED},
	{"SYSTEM_OFF → PSCI exit; the VM refuses to run after", K_BOTH, .op = CALL(PSCI_SYSTEM_OFF),
	 PSCI_EXIT(PSCI_SYSTEM_OFF, 0), .no_return = true, .post = POST_REFUSED},
	{"CPU_OFF → PSCI exit; the vCPU is OFF and refuses to run", K_BOTH,
	 .op = CALL(PSCI_CPU_OFF), PSCI_EXIT(PSCI_CPU_OFF, 0), .no_return = true,
	 .post = POST_REFUSED},
	/* --- vendor hypervisor service: discovery, as KVM --- */
	{"CALL_UID is KVM's 28b46fb6-2ec5-11e9-a9ca-4b564d003a74", K_BOTH,
	 .op = CALL(ARM_SMCCC_VENDOR_HYP_CALL_UID),
	 R4(0xb66fb428u, 0xe911c52eu, 0x564bcaa9u, 0x743a004du)},
	{"KVM_FEATURES, protected: bits 0, 2..9", K_PROT,
	 .op = CALL(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES, 1, 2, 3), R4(0x3fd, 0, 0, 0)},
	{"KVM_FEATURES, non-protected: no MEM_SHARE/UNSHARE/RELINQUISH (bits 3, 4, 9)", K_NPROT,
	 .op = CALL(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES, 1, 2, 3), R4(0x1e5, 0, 0, 0)},
	{"HYP_MEMINFO is the granule, 4096", K_BOTH, .op = CALL(ARM_SMCCC_KVM_FUNC_HYP_MEMINFO),
	 R1(4096)},
	{"HYP_MEMINFO x1 nonzero → INVALID_PARAMETER", K_BOTH,
	 .op = CALL(ARM_SMCCC_KVM_FUNC_HYP_MEMINFO, 1), R1(INVALID_PARAMETER)},
	{"HYP_MEMINFO x2 nonzero → INVALID_PARAMETER", K_BOTH,
	 .op = CALL(ARM_SMCCC_KVM_FUNC_HYP_MEMINFO, 0, 1), R1(INVALID_PARAMETER)},
	{"HYP_MEMINFO x3 nonzero → INVALID_PARAMETER", K_BOTH,
	 .op = CALL(ARM_SMCCC_KVM_FUNC_HYP_MEMINFO, 0, 0, 1), R1(INVALID_PARAMETER)},
	{"PVM_GUEST_CALL_FEATURES: itself, ATTEST, REM_EXTEND, SEAL_KEY (bits 0-3)", K_BOTH,
	 .op = CALL(PVM_GUEST_CALL_FEATURES), R4(0xf, 0, 0, 0)},
	/* --- pKVM memory calls (protected VMs) --- */
	MEM_BAD_ALL(ARM_SMCCC_KVM_FUNC_MEM_SHARE),
	MEM_BAD_ALL(ARM_SMCCC_KVM_FUNC_MEM_UNSHARE),
	MEM_BAD_ALL(ARM_SMCCC_KVM_FUNC_MEM_RELINQUISH),
	MEM_BAD(ARM_SMCCC_KVM_FUNC_MEM_SHARE, "a page already shared", RAM, 0, 0, SHARE(RAM)),
	MEM_BAD(ARM_SMCCC_KVM_FUNC_MEM_UNSHARE, "a page not shared", RAM, 0, 0, NOPRE),
	MEM_BAD(ARM_SMCCC_KVM_FUNC_MEM_RELINQUISH, "a page shared with the host", RAM, 0, 0,
		SHARE(RAM)),
	{"MEM_SHARE of an owned page → exit SHARE; the host borrows it", K_PROT,
	 .op = CALL(ARM_SMCCC_KVM_FUNC_MEM_SHARE, RAM + 0x1000),
	 SHARE_EXIT(RAM + 0x1000, PVM_SHARE_OP_SHARE), R1(0), .post = POST_HOST_BORROWS},
	{"MEM_RELINQUISH of a mapped page → exit RELINQUISH; the host's again, zeroed", K_PROT,
	 .pre = {STORE(RAM + 0x10, PATTERN)}, .op = CALL(ARM_SMCCC_KVM_FUNC_MEM_RELINQUISH, RAM),
	 SHARE_EXIT(RAM, PVM_SHARE_OP_RELINQUISH), R1(0), .post = POST_RELINQUISHED},
	{"MEM_SHARE from a non-protected VM (not offered): forwarded to the VMM", K_NPROT,
	 .op = CALL(ARM_SMCCC_KVM_FUNC_MEM_SHARE, RAM),
	 FWD_EXIT(ARM_SMCCC_KVM_FUNC_MEM_SHARE, RAM)},
	/* --- MMIO guard --- */
	{"MMIO_GUARD_INFO is the granule, 4096", K_BOTH,
	 .op = CALL(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_INFO), R1(4096)},
	{"MMIO_GUARD_INFO x1 nonzero → INVALID_PARAMETER", K_BOTH,
	 .op = CALL(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_INFO, 1), R1(INVALID_PARAMETER)},
	{"MMIO_GUARD_ENROLL → SUCCESS", K_BOTH, .op = ENROLL, R1(0)},
	{"MMIO_GUARD_MAP before ENROLL → INVALID_PARAMETER", K_BOTH, .op = MAP(FX_UART),
	 R1(INVALID_PARAMETER)},
	{"MMIO_GUARD_MAP of a RAM IPA → INVALID_PARAMETER", K_BOTH, .pre = {ENROLL}, .op = MAP(RAM),
	 R1(INVALID_PARAMETER)},
	{"MMIO_GUARD_MAP of the last page of RAM → INVALID_PARAMETER", K_BOTH, .pre = {ENROLL},
	 .op = MAP(RAM_END - 0x1000), R1(INVALID_PARAMETER)},
	{"MMIO_GUARD_MAP not granule aligned → INVALID_PARAMETER", K_BOTH, .pre = {ENROLL},
	 .op = MAP(FX_UART + 8), R1(INVALID_PARAMETER)},
	{"MMIO_GUARD_MAP beyond the IPA space → INVALID_PARAMETER", K_BOTH, .pre = {ENROLL},
	 .op = MAP(1ull << 36), R1(INVALID_PARAMETER)},
	{"MMIO_GUARD_MAP twice is idempotent", K_BOTH, .pre = {ENROLL, MAP(FX_UART)},
	 .op = MAP(FX_UART), R1(0)},
	{"MMIO_GUARD_UNMAP of a granule not mapped → INVALID_PARAMETER", K_BOTH, .pre = {ENROLL},
	 .op = UNMAP(FX_UART), R1(INVALID_PARAMETER)},
	{"not enrolled: any MMIO IPA exits to the VMM", K_BOTH, .op = LOAD(FX_UART + 0x18, 4),
	 MMIO_READ_EXIT(FX_UART + 0x18, 4), .answer = {0x42}, R4(0, 0x42, 0, 0)},
	{"enrolled, granule not mapped: the access aborts, no MMIO exit", K_BOTH, .pre = {ENROLL},
	 .op = LOAD(FX_UART + 0x18, 4), ABORT_EXIT(FX_UART + 0x18), R4(1, 0, 0, 0)},
	{"enrolled, granule mapped: MMIO exit", K_BOTH, .pre = {ENROLL, MAP(FX_UART)},
	 .op = LOAD(FX_UART + 0x18, 4), MMIO_READ_EXIT(FX_UART + 0x18, 4), .answer = {0x42},
	 R4(0, 0x42, 0, 0)},
	{"enrolled, the neighbouring granule of a mapped one: abort", K_BOTH,
	 .pre = {ENROLL, MAP(FX_UART)}, .op = LOAD(FX_UART + 0x1000, 4),
	 ABORT_EXIT(FX_UART + 0x1000), R4(1, 0, 0, 0)},
	{"enrolled, granule mapped then unmapped: abort again", K_BOTH,
	 .pre = {ENROLL, MAP(FX_UART), UNMAP(FX_UART)}, .op = LOAD(FX_UART + 0x18, 4),
	 ABORT_EXIT(FX_UART + 0x18), R4(1, 0, 0, 0)},
	/* --- calls nobody defined --- */
	{"undefined vendor call, protected: NOT_SUPPORTED, the host learns nothing", K_PROT,
	 .op = CALL(0xc600abcdu, 1, 2, 3, 4, 5, 6, 7), R1(NOT_SUPPORTED)},
	{"undefined standard call, protected: NOT_SUPPORTED, the host learns nothing", K_PROT,
	 .op = CALL(0x84000fffu, 1, 2, 3, 4, 5, 6, 7), R1(NOT_SUPPORTED)},
	{"undefined vendor call, non-protected: the VMM sees x0..x5 and answers x0..x3", K_NPROT,
	 .op = CALL(0xc600abcdu, 1, 2, 3, 4, 5, 6, 7), FWD_EXIT(0xc600abcdu, 1, 2, 3, 4, 5)},
	{"undefined standard call, non-protected: forwarded", K_NPROT,
	 .op = CALL(0x84000fffu, 1, 2, 3, 4, 5, 6, 7), FWD_EXIT(0x84000fffu, 1, 2, 3, 4, 5)},
};

/* ------------------------------------------------------------------ */

enum phase { PH_PRE, PH_SYNC, PH_OP, PH_POST, PH_DONE };
#define POST_V1	   (POST_V1_POWER | POST_RUN_V1)
#define SYNC_MAGIC 0x53594e43ull

struct gstate {
	const struct row *row;
	enum phase phase;
	uint64_t pre[4];
	uint64_t res[4];
	bool v1_ran;
	uint64_t v1_entry, v1_arg;
};

static void g_op(struct pvm_sim_cpu *cpu, const struct op *op, uint64_t res[4])
{
	uint64_t x[8];
	bool fault = false;

	switch (op->k) {
	case OP_CALL:
		memcpy(x, op->x, sizeof(x));
		pvm_sim_cpu_hvc(cpu, x);
		memcpy(res, x, 4 * sizeof(x[0]));
		break;
	case OP_LOAD:
		res[1] = pvm_sim_cpu_read(cpu, op->x[1], (unsigned)op->x[2], &fault);
		res[0] = fault;
		break;
	case OP_STORE:
		res[0] = !pvm_sim_cpu_write(cpu, op->x[1], 8, op->x[2]);
		break;
	default:
		break;
	}
}

static void g_main(struct pvm_sim_cpu *cpu, void *arg)
{
	struct gstate *st = arg;
	const struct row *row = st->row;
	uint64_t res[4] = {0};
	unsigned i;

	if (pvm_sim_cpu_index(cpu) == 1) {
		uint64_t x[8] = {PSCI_CPU_OFF};

		st->v1_ran = true;
		st->v1_entry = pvm_sim_cpu_entry(cpu);
		st->v1_arg = pvm_sim_cpu_boot_arg(cpu);
		pvm_sim_cpu_hvc(cpu, x);
		fail_msg("CPU_OFF returned");
	}
	for (i = 0; i < 4 && row->pre[i].k != OP_NONE; i++) {
		g_op(cpu, &row->pre[i], res);
		st->pre[i] = res[0];
	}
	if (row->post & POST_SAME) {
		/* Let the VMM take its snapshot right before the call. */
		st->phase = PH_SYNC;
		assert_true(pvm_sim_cpu_write(cpu, FX_UART, 8, SYNC_MAGIC));
	}
	st->phase = PH_OP;
	g_op(cpu, &row->op, st->res);
	if (row->post & POST_V1) {
		/* Let the VMM look at vCPU 1 while the VM is still on. */
		st->phase = PH_POST;
		assert_true(pvm_sim_cpu_write(cpu, FX_UART, 8, SYNC_MAGIC));
	}
	st->phase = PH_DONE;
	{
		uint64_t x[8] = {PSCI_SYSTEM_OFF};

		pvm_sim_cpu_hvc(cpu, x);
	}
	fail_msg("SYSTEM_OFF returned");
}

/* ------------------------------------------------------------------ */

struct snap {
	struct pvm_page_info page[2];
	struct pvm_vm_info vm;
	enum pvm_vcpu_power power[2];
	uint64_t tlbi_ipa, tlbi_vmid;
};

static void take(struct snap *s, unsigned vm, const uint64_t pa[2])
{
	struct pvm_sim_stats st;
	unsigned i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 2; i++) {
		assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(pa[i]), &s->page[i]), PVM_OK);
		assert_int_equal(pvm_vcpu_power(fx_hyp, vm, i, &s->power[i]), PVM_OK);
	}
	assert_int_equal(pvm_vm_info(fx_hyp, vm, &s->vm), PVM_OK);
	pvm_sim_get_stats(&st);
	s->tlbi_ipa = st.tlbi_ipa;
	s->tlbi_vmid = st.tlbi_vmid;
}

static void expect_exit(const char *rule, const struct pvm_exit *got, const struct pvm_exit *w)
{
	bool ok = got->kind == w->kind;

	if (ok) {
		switch (w->kind) {
		case PVM_EXIT_PSCI:
			ok = got->psci.fn == w->psci.fn && got->psci.target == w->psci.target;
			break;
		case PVM_EXIT_MEM_SHARE:
			ok = got->share.ipa == w->share.ipa && got->share.pages == w->share.pages &&
			     got->share.op == w->share.op;
			break;
		case PVM_EXIT_HVC:
			ok = !memcmp(got->hvc.x, w->hvc.x, sizeof(w->hvc.x));
			break;
		case PVM_EXIT_MMIO:
			ok = got->mmio.ipa == w->mmio.ipa && got->mmio.size == w->mmio.size &&
			     got->mmio.write == w->mmio.write;
			break;
		case PVM_EXIT_GUEST_FAULT:
			ok = got->fault.reason == w->fault.reason && got->fault.ipa == w->fault.ipa;
			break;
		default:
			break;
		}
	}
	if (!ok)
		fail_msg("%s: exit kind %u (want %u) or its fields differ", rule, got->kind,
			 w->kind);
}

static void complete(const struct row *row, struct pvm_exit *e)
{
	if (e->kind == PVM_EXIT_HVC)
		memcpy(e->hvc.x, row->answer, sizeof(row->answer));
	else if (e->kind == PVM_EXIT_MMIO && !e->mmio.write)
		e->mmio.data = row->answer[0];
}

/* vCPU 1, after the call and before the guest turns the VM off. */
static void v1_checks(const struct row *row, unsigned vm, const struct gstate *st)
{
	struct pvm_exit e = {0};
	enum pvm_vcpu_power p;

	if (row->post & POST_V1_POWER) {
		assert_int_equal(pvm_vcpu_power(fx_hyp, vm, 1, &p), PVM_OK);
		if (p != row->v1_power)
			fail_msg("%s: vCPU 1 power %d, want %d", row->rule, p, row->v1_power);
	}
	if (row->post & POST_RUN_V1) {
		assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 1, &e), PVM_OK);
		assert_int_equal(e.kind, PVM_EXIT_PSCI);
		assert_int_equal(e.psci.fn, PSCI_CPU_OFF);
		assert_int_equal(e.psci.target, 1);
		if (!st->v1_ran || st->v1_entry != row->v1_entry || st->v1_arg != row->v1_arg)
			fail_msg("%s: vCPU 1 started at 0x%llx with x0 0x%llx", row->rule,
				 (unsigned long long)st->v1_entry, (unsigned long long)st->v1_arg);
	}
}

static void post_checks(const struct row *row, unsigned vm, const struct snap *before,
			const uint64_t pa[2], uint64_t pages_before)
{
	struct pvm_exit e = {0};
	struct pvm_page_info pi;
	struct pvm_vm_info vi;
	struct snap after;

	if (row->post & POST_SAME) {
		take(&after, vm, pa);
		if (memcmp(&after, before, sizeof(after)))
			fail_msg("%s: the refused call changed something", row->rule);
	}
	if (row->post & POST_REFUSED)
		assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, &e), PVM_E_STATE);
	if (row->post & POST_HOST_BORROWS) {
		assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(pa[1]), &pi), PVM_OK);
		assert_true(pi.host_borrows);
		assert_int_equal(pi.state, PVM_PAGE_SHARED_OWNED);
	}
	if (row->post & POST_RELINQUISHED) {
		static uint8_t page[FX_PAGE], zero[FX_PAGE];

		assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(pa[0]), &pi), PVM_OK);
		assert_int_equal(pi.owner, PVM_ID_HOST);
		assert_int_equal(pi.state, PVM_PAGE_OWNED);
		/* Through the host's own stage-2, as the host kernel would read it. */
		memset(page, 0xa5, sizeof(page));
		assert_int_equal(pvm_sim_s2_copy(pvm_stage2_vtcr(&fx_hyp->host),
						 pvm_stage2_vttbr(&fx_hyp->host), pa[0], page,
						 sizeof(page), false, NULL),
				 PVM_OK);
		assert_memory_equal(page, zero, sizeof(page));
		assert_int_equal(pvm_vm_info(fx_hyp, vm, &vi), PVM_OK);
		assert_int_equal(vi.pages, pages_before - 1);
	}
}

static void run_row(const struct row *row, bool prot)
{
	struct gstate st = {.row = row};
	struct pvm_exit e = {0};
	struct pvm_vm_info vi;
	struct snap before;
	uint64_t pa[2];
	bool exited = false;
	unsigned vm = fx_vm(prot, row->nvcpus ? row->nvcpus : 2, g_main, &st), i;

	pa[0] = fx_back(vm, RAM);
	pa[1] = fx_back(vm, RAM + 0x1000);
	memset(&before, 0, sizeof(before));
	assert_int_equal(pvm_vm_info(fx_hyp, vm, &vi), PVM_OK);
	if (row->boot_v1)
		assert_int_equal(pvm_vcpu_boot(fx_hyp, vm, 1, pvm_ipa(ENTRY1), 0), PVM_OK);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, vm, 0, pvm_ipa(RAM + 0x100), 0), PVM_OK);
	for (;;) {
		pvm_status_t ret = pvm_vcpu_run(fx_hyp, vm, 0, &e);

		if (ret != PVM_OK)
			fail_msg("%s: pvm_vcpu_run() = %d", row->rule, ret);
		fx_check();
		if (st.phase == PH_PRE) {
			/* The calls made first: a CPU_ON or a share the VMM just notes. */
			if (e.kind != PVM_EXIT_PSCI && e.kind != PVM_EXIT_MEM_SHARE)
				fail_msg("%s: unexpected exit %u before the call", row->rule,
					 e.kind);
		} else if (st.phase == PH_SYNC) {
			assert_int_equal(e.kind, PVM_EXIT_MMIO);
			assert_int_equal(e.mmio.data, SYNC_MAGIC);
			take(&before, vm, pa);
		} else if (st.phase == PH_OP) {
			if (exited)
				fail_msg("%s: a second exit %u", row->rule, e.kind);
			expect_exit(row->rule, &e, &row->want);
			exited = true;
			if (row->no_return)
				break;
			complete(row, &e);
		} else if (st.phase == PH_POST) {
			assert_int_equal(e.kind, PVM_EXIT_MMIO);
			assert_int_equal(e.mmio.data, SYNC_MAGIC);
			v1_checks(row, vm, &st);
		} else {
			if (e.kind != PVM_EXIT_PSCI || e.psci.fn != PSCI_SYSTEM_OFF)
				fail_msg("%s: exit %u, want SYSTEM_OFF", row->rule, e.kind);
			break;
		}
	}
	if (!exited && row->want.kind != PVM_EXIT_NONE)
		fail_msg("%s: no exit, want kind %u", row->rule, row->want.kind);
	for (i = 0; i < 4 && row->pre[i].k != OP_NONE; i++)
		if (st.pre[i])
			fail_msg("%s: preparatory op %u failed (0x%llx)", row->rule, i,
				 (unsigned long long)st.pre[i]);
	if (!row->no_return) {
		for (i = 0; i < 4; i++) {
			uint64_t want = i < row->nr	       ? row->r[i]
					: row->op.k == OP_CALL ? row->op.x[i]
							       : 0;

			if (st.res[i] != want)
				fail_msg("%s (%s VM): x%u = 0x%llx, want 0x%llx", row->rule,
					 prot ? "protected" : "non-protected", i,
					 (unsigned long long)st.res[i], (unsigned long long)want);
		}
	}
	post_checks(row, vm, &before, pa, vi.pages);
	fx_destroy(vm);
}

static void t_smccc_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].kinds & K_PROT)
			run_row(&rows[i], true);
		if (rows[i].kinds & K_NPROT)
			run_row(&rows[i], false);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_smccc_table, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
