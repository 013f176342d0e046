/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the guest ABI (SMCCC, PSCI, pKVM's and libpvm's guest
 * calls, docs/abi.md) and trap handling, from a protected and a
 * non-protected guest, interleaved with host calls.
 *
 * The machine of machine.h: VM 0 protected (vCPU 0 running, vCPU 1 off
 * until a CPU_ON), VM 1 not (vCPU 0). fuzz_guest_call_1g runs on its
 * FUZZ_BIG variant, whose guest RAM has a free 2 MiB block that a donation
 * maps whole: a guest's call on one of its pages must split it, which
 * needs pool pages (PVM_EXIT_NEED_PAGES, the top-up, the call again).
 *
 * Each vCPU is a C-function guest of the simulator (sim_vcpu.h) whose
 * instructions come from the same input as the host's steps: while a
 * guest runs it consumes the input (HVCs with fuzzed registers, loads and
 * stores anywhere, traps with fuzzed ESR, FAR and HPFAR, WFI, interrupts);
 * when it exits, the host goes on consuming it (host calls, VCPU_RUN with
 * fuzzed completion data, or the VMM's answer to the last exit: donate the
 * faulting page, top the pool up).
 *
 * Oracles, besides the sanitizers and the host-call oracles of machine.h
 * (pvm_mem_check() after every change, a refused call changes nothing):
 * a protected guest keeps a secret value in x4..x7 of every HVC and in
 * its private memory (stored there, loaded back into x1), and no exit of a
 * protected vCPU may carry it in any register (docs/abi.md: an exit holds
 * the fields listed, nothing else). Every value the input puts in a
 * register or in memory is first made unequal to the secret's halves, so
 * the secret can only reach an exit by a leak.
 */
#include <libpvm/abi.h>
#include <libpvm/esr.h>
#include <libpvm/sim.h>
#include <libpvm/sim_vcpu.h>
#include <libpvm/vcpu.h>

#include "machine.h"

#define MAX_STEPS 24
#define NCALLS	  (PVM_HC_END - PVM_HC_BASE)
#define PAGE	  PVM_PAGE_SIZE
#define SECRET	  0xa5c3e1f7d2b49687ull
#define SECRET_HI 0xa5c3e1f7u
#define SECRET_LO 0xd2b49687u
#ifdef FUZZ_BIG
#define GPAGE_BYTES 2 /* a page of guest RAM: 1,024 of them */
#else
#define GPAGE_BYTES 1
#endif

static struct fz_input in;
static bool started[2][2]; /* the guest of VM, vCPU has begun (its coroutine is used) */

/* v with neither 32-bit half equal to a half of the secret. */
static uint64_t pub(uint64_t v)
{
	uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);

	if (lo == SECRET_LO || lo == SECRET_HI)
		lo ^= 1;
	if (hi == SECRET_LO || hi == SECRET_HI)
		hi ^= 1;
	return (uint64_t)hi << 32 | lo;
}

static bool holds_secret(uint64_t v)
{
	uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);

	return lo == SECRET_LO || lo == SECRET_HI || hi == SECRET_LO || hi == SECRET_HI;
}

/* Function IDs a guest calls: every one the ABI defines, and neighbours. */
static const uint32_t fids[] = {
	SMCCC_VERSION,
	SMCCC_ARCH_FEATURES,
	SMCCC_ARCH_SOC_ID,
	SMCCC_ARCH_WORKAROUND_1,
	PSCI_VERSION,
	PSCI_CPU_SUSPEND,
	PSCI_CPU_SUSPEND64,
	PSCI_CPU_OFF,
	PSCI_CPU_ON,
	PSCI_CPU_ON64,
	PSCI_AFFINITY_INFO,
	PSCI_AFFINITY_INFO64,
	PSCI_MIGRATE_INFO_TYPE,
	PSCI_SYSTEM_OFF,
	PSCI_SYSTEM_RESET,
	PSCI_FEATURES,
	0x8400000bu,
	ARM_SMCCC_VENDOR_HYP_CALL_UID,
	ARM_SMCCC_VENDOR_HYP_KVM_FEATURES,
	ARM_SMCCC_KVM_FUNC_HYP_MEMINFO,
	ARM_SMCCC_KVM_FUNC_MEM_SHARE,
	ARM_SMCCC_KVM_FUNC_MEM_UNSHARE,
	ARM_SMCCC_KVM_FUNC_MMIO_GUARD_INFO,
	ARM_SMCCC_KVM_FUNC_MMIO_GUARD_ENROLL,
	ARM_SMCCC_KVM_FUNC_MMIO_GUARD_MAP,
	ARM_SMCCC_KVM_FUNC_MMIO_GUARD_UNMAP,
	ARM_SMCCC_KVM_FUNC_MEM_RELINQUISH,
	0xc600000au,
	PVM_GUEST_CALL_FEATURES,
	PVM_GUEST_CALL_ATTEST,
	PVM_GUEST_CALL_REM_EXTEND,
	PVM_GUEST_CALL_SEAL_KEY,
	PVM_GUEST_CALL_BASE + 4u,
	PVM_HC_VERSION, /* a host call from a guest */
};

/* Exception classes a guest's trap claims (and any, from the input). */
static const uint8_t ecs[] = {PVM_EC_UNKNOWN,  PVM_EC_WFX,	PVM_EC_HVC32,	PVM_EC_SMC32,
			      PVM_EC_HVC64,    PVM_EC_SMC64,	PVM_EC_SYS64,	PVM_EC_IABT_LOW,
			      PVM_EC_IABT_CUR, PVM_EC_DABT_LOW, PVM_EC_DABT_CUR};

/* A guest address: backed RAM, unbacked RAM, a device, anywhere, beyond the IPA space. */
static uint64_t gaddr(void)
{
	uint8_t sel = fz_byte(&in);
	uint64_t off = (uint64_t)(sel >> 3) << 3;

	switch (sel & 3) {
	case 0:
		return FZ_GUEST_RAM +
		       (fz_bytes(&in, GPAGE_BYTES) % (FZ_GUEST_RAM_SIZE / PAGE)) * PAGE + off;
	case 1:
		return FZ_MMIO + (fz_byte(&in) % 4) * PAGE + off;
	case 2:
		return pub(fz_bytes(&in, 4));
	default:
		return pub((1ull << FZ_IPA_BITS) + fz_bytes(&in, 2) * PAGE);
	}
}

/* A guest register argument: an address, a small number, a vCPU's MPIDR, raw. */
static uint64_t garg(void)
{
	uint8_t sel = fz_byte(&in);

	switch (sel & 3) {
	case 0:
		return gaddr();
	case 1:
		return sel >> 2;
	case 2:
		return fz_byte(&in) & 3; /* MPIDR Aff0 */
	default:
		return pub(fz_bytes(&in, 8));
	}
}

static void guest_hvc(struct pvm_sim_cpu *cpu, bool prot)
{
	uint8_t sel = fz_byte(&in);
	uint64_t x[8];

	x[0] = sel < 0xf0 ? fids[sel % (sizeof(fids) / sizeof(fids[0]))] : pub(fz_bytes(&in, 4));
	for (unsigned i = 1; i < 4; i++)
		x[i] = garg();
	for (unsigned i = 4; i < 8; i++)
		x[i] = prot ? SECRET : pub(fz_bytes(&in, 8));
	pvm_sim_cpu_hvc(cpu, x);
}

static void guest_trap(struct pvm_sim_cpu *cpu)
{
	uint8_t sel = fz_byte(&in);
	uint64_t ec = sel < 0xf0 ? ecs[sel % sizeof(ecs)] : sel & 0x3f;
	uint64_t iss = fz_bytes(&in, 4) & PVM_ESR_ISS_MASK, far = gaddr(), hpfar;

	/* A register the trap transfers (SRT, Rt) is x0, x2 or x3: never the secret's x1, x4..x7.
	 */
	if (ec == PVM_EC_DABT_LOW || ec == PVM_EC_DABT_CUR) {
		unsigned srt = (iss >> PVM_ISS_SRT_SHIFT) & 31;

		if (srt == 1 || (srt >= 4 && srt != 31))
			iss &= ~(31ull << PVM_ISS_SRT_SHIFT);
	}
	if (ec == PVM_EC_SYS64) {
		unsigned rt = (iss >> 5) & 31;

		if (rt == 1 || (rt >= 4 && rt != 31))
			iss &= ~(31ull << 5);
	}
	hpfar = fz_byte(&in) & 1 ? pvm_hpfar_from_ipa(far) : pub(fz_bytes(&in, 8));
	pvm_sim_cpu_trap(cpu, ec << PVM_ESR_EC_SHIFT | PVM_ESR_IL | iss, far, hpfar);
}

/* The body of every guest: its instructions from the input, until it ends. */
static void guest(struct pvm_sim_cpu *cpu, void *arg)
{
	bool prot = !arg; /* VM 0 */
	unsigned size;
	uint64_t a;

	started[!prot][pvm_sim_cpu_index(cpu) & 1] = true;
	while (in.left) {
		uint8_t op = fz_byte(&in);

		switch (op % 8) {
		case 0:
		case 1:
			guest_hvc(cpu, prot);
			break;
		case 2: /* a load */
			size = 1u << (op >> 3 & 3);
			pvm_sim_cpu_read(cpu, gaddr() & ~(uint64_t)(size - 1), size, NULL);
			break;
		case 3: /* a store */
			size = 1u << (op >> 3 & 3);
			a = gaddr() & ~(uint64_t)(size - 1);
			pvm_sim_cpu_write(cpu, a, size, pub(fz_bytes(&in, size)));
			break;
		case 4:
			guest_trap(cpu);
			break;
		case 5:
			pvm_sim_cpu_wfi(cpu);
			break;
		case 6:
			pvm_sim_cpu_take_irq(cpu);
			break;
		default: /* the secret into private memory, and back into x1 */
			a = FZ_GUEST_RAM + (fz_byte(&in) % 4) * PAGE + (op >> 3) * 8;
			if (prot && pvm_sim_cpu_write(cpu, a, 8, SECRET))
				pvm_sim_cpu_read(cpu, a, 8, NULL);
			break;
		}
	}
	/* Out of input: the vCPU stops for good. */
}

/* The VMM's side of VCPU_RUN: completion data from the input; the exit checked for the secret. */
static void run(uint8_t op, uint64_t last[8])
{
	unsigned vm = op & 1, vcpu = vm ? 0 : (op >> 1) & 1;
	uint64_t x[8] = {PVM_HC_VCPU_RUN, vm, vcpu, fz_byte(&in) & PVM_HC_RUN_F_ABORT};

	for (unsigned i = 4; i < 8; i++)
		x[i] = pub(fz_bytes(&in, i == 4 ? 8 : 1));
	fz_host_call(x);
	if (vm == 0 && !x[0]) {
		for (unsigned i = 1; i < 8; i++)
			if (holds_secret(x[i]))
				fz_die("protected vCPU %u: exit %llu carries the secret in x%u "
				       "(0x%llx)",
				       vcpu, (unsigned long long)x[1], i, (unsigned long long)x[i]);
	}
	for (unsigned i = 0; i < 8; i++)
		last[i] = x[i];
	last[0] = vm;
}

/* The VMM's answer to the last exit: back the faulting page, or top the pool up. */
static uint64_t spare = FZ_SETUP + 3 * FZ_MiB; /* host pages the answers take */

static void answer(const uint64_t last[8])
{
	uint64_t x[8] = {0};

	if (last[1] == PVM_EXIT_MEM_FAULT) {
		x[0] = last[0] ? PVM_HC_SHARE_GUEST : PVM_HC_DONATE_GUEST;
		x[1] = last[0];
		x[2] = spare;
		x[3] = last[2];
		x[4] = 1;
		spare += PAGE;
	} else if (last[1] == PVM_EXIT_NEED_PAGES) {
		x[0] = PVM_HC_TOPUP;
		x[1] = spare;
		x[2] = last[2] < 64 ? last[2] : 64;
		spare += x[2] * PAGE;
	} else {
		return;
	}
	fz_host_call(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool attached;
	uint64_t last[8] = {0};

	in = (struct fz_input){data, size};
	fz_restore();
	spare = FZ_SETUP + 3 * FZ_MiB;
	/*
	 * Fresh guests where the last input began one: a coroutine is not in
	 * the RAM the restore put back. (Attaching costs a stack: only those.)
	 */
	for (unsigned vm = 0; vm < 2; vm++)
		for (unsigned i = 0; i < (vm ? 1u : 2u); i++) {
			if (!attached || started[vm][i]) {
				pvm_sim_vcpu_detach(vm, i);
				if (pvm_sim_vcpu_attach_fn(vm, i, guest, (void *)(uintptr_t)vm))
					fz_die("attach");
			}
			started[vm][i] = false;
		}
	attached = true;
	for (unsigned n = 0; n < MAX_STEPS && in.left; n++) {
		uint8_t op = fz_byte(&in);
		uint64_t x[8];

		if (op < 0x90) {
			run(op, last);
			continue;
		}
		if (op < 0xa0) {
			answer(last);
			continue;
		}
		x[0] = PVM_HC_BASE + op % NCALLS;
		if (x[0] == PVM_HC_VCPU_RUN)
			continue;
		for (unsigned i = 1; i < 8; i++)
			x[i] = pub(fz_reg(&in));
		fz_host_call(x);
	}
	fz_end();
	return 0;
}
