/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a guest's calls get, and what a VMM may do, on a kernel's VM: run
 * inside the kernels of tests/integration/kvm, with raw KVM.
 *
 *   pvm-kvm-pkvm-calls protected|ordinary
 *
 * One VM (upstream pKVM's KVM_VM_TYPE_ARM_PROTECTED, or an ordinary KVM VM)
 * whose VMM asks KVM's SMCCC filter to forward the calls libpvm serves
 * (0xc6000000-0xc6001fff) to it, as the KVM port does. Its guest calls, in
 * order, pKVM's MEM_SHARE on a page it then writes, MEM_UNSHARE on it,
 * HYP_MEMINFO, MMIO_GUARD, libpvm's FEATURES and KVM's vendor-hyp
 * FEATURES, and reports each result with an MMIO write; the VMM answers a
 * forwarded call with NOT_SUPPORTED. Between the calls the VMM reads the
 * shared page, then the unshared one, and adds and deletes a memslot once
 * the guest has run.
 *
 * Output: one line per observation (the table that
 * tests/integration/kvm/pkvm-calls/ holds per kernel: what the kernel does
 * is compared there, not decided here), a PASS/FAIL line per mechanic (the
 * VM was made, the guest reported every call and powered off), then
 * `END ok` or `END failed`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define VM_TYPE_ARM_PROTECTED (1ul << 31) /* linux/kvm.h from 7.1 */
#define PAGE		      4096ul
#define GUEST_IPA	      0x80000000ull /* code page, then the data page */
#define MMIO_IPA	      0x09000000ull
#define MARKER		      0x56781234ull

/* KVM_ARM_VM_SMCCC_CTRL's filter (Linux 6.4; not in Debian 12's headers). */
struct smccc_filter {
	uint32_t base, nr_functions;
	uint8_t action, pad[15];
};
#define SMCCC_CTRL	     0
#define SMCCC_FILTER	     0
#define SMCCC_FILTER_TO_USER 2

/*
 * The guest. x9: the data page, x10: MMIO_IPA. Each call's x0 is stored to
 * MMIO_IPA + 8 * (its row + 1); then PSCI SYSTEM_OFF.
 */
extern const uint32_t calls_code[], calls_code_end[];
__asm__(".pushsection .rodata\n"
	".balign 4\n"
	/* Global: a GOT reference to a local label would resolve to the section's start. */
	".globl calls_code, calls_code_end\n"
	"calls_code:\n"
	"	movz x9, #0x8000, lsl #16\n"
	"	add x9, x9, #0x1000\n"
	"	movz x10, #0x0900, lsl #16\n"
	/* MEM_SHARE the data page, write the marker in it, report. */
	"	movz x0, #0x0003\n"
	"	movk x0, #0xc600, lsl #16\n"
	"	mov x1, x9\n"
	"	mov x2, #0\n"
	"	mov x3, #0\n"
	"	hvc #0\n"
	"	movz x1, #0x1234\n"
	"	movk x1, #0x5678, lsl #16\n"
	"	str x1, [x9]\n"
	"	str x0, [x10, #0x08]\n"
	/* MEM_UNSHARE it. */
	"	movz x0, #0x0004\n"
	"	movk x0, #0xc600, lsl #16\n"
	"	mov x1, x9\n"
	"	mov x2, #0\n"
	"	mov x3, #0\n"
	"	hvc #0\n"
	"	str x0, [x10, #0x10]\n"
	/* HYP_MEMINFO. */
	"	movz x0, #0x0002\n"
	"	movk x0, #0xc600, lsl #16\n"
	"	mov x1, #0\n"
	"	mov x2, #0\n"
	"	mov x3, #0\n"
	"	hvc #0\n"
	"	str x0, [x10, #0x18]\n"
	/* MMIO_GUARD (upstream's one call: Android's MAP) on MMIO_IPA. */
	"	movz x0, #0x0007\n"
	"	movk x0, #0xc600, lsl #16\n"
	"	mov x1, x10\n"
	"	mov x2, #0\n"
	"	mov x3, #0\n"
	"	hvc #0\n"
	"	str x0, [x10, #0x20]\n"
	/* libpvm's FEATURES (PVM_GUEST_CALL_FEATURES). */
	"	movz x0, #0x0100\n"
	"	movk x0, #0xc600, lsl #16\n"
	"	mov x1, #0\n"
	"	mov x2, #0\n"
	"	mov x3, #0\n"
	"	hvc #0\n"
	"	str x0, [x10, #0x28]\n"
	/* KVM's vendor-hyp FEATURES: the bitmap of KVM's own calls offered. */
	"	movz x0, #0x0000\n"
	"	movk x0, #0x8600, lsl #16\n"
	"	hvc #0\n"
	"	str x0, [x10, #0x30]\n"
	/* PSCI SYSTEM_OFF. */
	"	movz x0, #0x0008\n"
	"	movk x0, #0x8400, lsl #16\n"
	"	hvc #0\n"
	"1:	wfi\n"
	"	b 1b\n"
	"calls_code_end:\n"
	".popsection\n");

static const char *const rows[] = {"MEM_SHARE",	 "MEM_UNSHARE",	    "HYP_MEMINFO",
				   "MMIO_GUARD", "libpvm FEATURES", "KVM vendor FEATURES"};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static int failed;

static void check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		failed = 1;
}

static sigjmp_buf jb;

static void on_segv(int sig)
{
	siglongjmp(jb, sig);
}

/* What the VMM reads in the data page through its mapping. */
static const char *read_page(const volatile uint64_t *p)
{
	static volatile uint64_t v;

	if (sigsetjmp(jb, 1))
		return "faults";
	v = *p;
	return v == MARKER ? "the guest's data" : v ? "other data" : "zero";
}

#define CORE_REG(x)                                                                                \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, x) / 4))

static int set_reg(int vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)&val};

	return ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

int main(int argc, char **argv)
{
	struct smccc_filter f = {
		.base = 0xc6000000u, .nr_functions = 0x2000, .action = SMCCC_FILTER_TO_USER};
	struct kvm_device_attr attr = {
		.group = SMCCC_CTRL, .attr = SMCCC_FILTER, .addr = (uint64_t)(uintptr_t)&f};
	struct kvm_userspace_memory_region slot = {.guest_phys_addr = GUEST_IPA,
						   .memory_size = 2 * PAGE};
	bool reported[NROWS] = {false}, forwarded = false, off = false;
	struct kvm_vcpu_init init;
	struct kvm_run *run;
	unsigned long type;
	int kvm, vm, vcpu, sz;
	uint8_t *mem;

	if (argc != 2 || (strcmp(argv[1], "protected") && strcmp(argv[1], "ordinary"))) {
		fprintf(stderr, "usage: %s protected|ordinary\n", argv[0]);
		return 2;
	}
	type = strcmp(argv[1], "protected") ? 0 : VM_TYPE_ARM_PROTECTED;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGSEGV, on_segv);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, type);
	mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(vm >= 0 && mem != MAP_FAILED, "a VM of the type asked for");
	if (vm < 0 || mem == MAP_FAILED) {
		printf("END failed\n");
		return 1;
	}
	memcpy(mem, calls_code, (size_t)((uintptr_t)calls_code_end - (uintptr_t)calls_code));
	slot.userspace_addr = (uint64_t)(uintptr_t)mem;
	printf("FILTER forward 0xc6000000-0xc6001fff to the VMM: %s\n",
	       ioctl(vm, KVM_SET_DEVICE_ATTR, &attr) ? strerror(errno) : "ok");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = vcpu < 0 || sz <= 0
		      ? MAP_FAILED
		      : mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	check(!ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) && run != MAP_FAILED &&
		      !ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init),
	      "memory and a vCPU");
	if (run == MAP_FAILED) {
		printf("END failed\n");
		return 1;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	check(!ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) &&
		      !set_reg(vcpu, CORE_REG(regs.pc), GUEST_IPA),
	      "the vCPU at the guest's entry");
	for (unsigned n = 0; n < 32 && !off; n++) {
		if (ioctl(vcpu, KVM_RUN, 0)) {
			printf("KVM_RUN: %s\n", strerror(errno));
			break;
		}
		if (run->exit_reason == KVM_EXIT_HYPERCALL) {
			/* A forwarded call: the VMM answers NOT_SUPPORTED. */
			forwarded = true;
			set_reg(vcpu, CORE_REG(regs.regs[0]), (uint64_t)-1);
		} else if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
			   run->mmio.phys_addr > MMIO_IPA &&
			   run->mmio.phys_addr <= MMIO_IPA + 8 * NROWS) {
			unsigned row = (unsigned)((run->mmio.phys_addr - MMIO_IPA) / 8 - 1);
			int64_t x0;

			memcpy(&x0, run->mmio.data, sizeof(x0));
			if (forwarded)
				printf("CALL %s: to the VMM\n", rows[row]);
			else
				printf("CALL %s: %lld\n", rows[row], (long long)x0);
			forwarded = false;
			reported[row] = true;
			if (row == 0) {
				printf("PAGE shared, read by the VMM: %s\n",
				       read_page((const uint64_t *)(mem + PAGE)));
				slot.slot = 1;
				slot.guest_phys_addr = GUEST_IPA + 0x10000000;
				slot.memory_size = PAGE;
				printf("SLOT added after the guest ran: %s\n",
				       ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot)
					       ? strerror(errno)
					       : "ok");
				slot.memory_size = 0;
				printf("SLOT deleted after the guest ran: %s\n",
				       ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot)
					       ? strerror(errno)
					       : "ok");
			} else if (row == 1) {
				printf("PAGE unshared, read by the VMM: %s\n",
				       read_page((const uint64_t *)(mem + PAGE)));
			}
		} else if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT) {
			off = run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN;
			if (!off)
				break;
		} else {
			printf("EXIT %u\n", run->exit_reason);
			break;
		}
	}
	for (unsigned i = 0; i < NROWS; i++)
		if (!reported[i]) {
			printf("CALL %s: not reported\n", rows[i]);
			off = false;
		}
	check(off, "the guest reported every call and powered off");
	printf("END %s\n", failed ? "failed" : "ok");
	return failed;
}
