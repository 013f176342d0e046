/* SPDX-License-Identifier: Apache-2.0 */
/* What the host program's tests share (main.c): failing, host calls, VMs. */
#ifndef PVM_EL2_HOST_H
#define PVM_EL2_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE	   4096u
#define VM_RAM_IPA 0x80000000ull /* guest RAM, where the sample guests are linked */

/* The host's CPUs (smp.c): HOST_CPUS. */
#include "cpus.h"
/* This CPU's number. */
unsigned host_cpu(void);
/* Start CPU cpu through PSCI CPU_ON (and so the hypervisor); false if it did not come up. */
bool host_cpu_up(unsigned cpu);
/* Have CPU cpu (up) run fn(arg); wait for it to finish. */
void host_cpu_call(unsigned cpu, void (*fn)(void *), void *arg);
/* Start fn(arg) on CPU cpu (up) without waiting; host_cpu_join() waits. */
void host_cpu_post(unsigned cpu, void (*fn)(void *), void *arg);
void host_cpu_join(unsigned cpu);
/* A host lock (common/spinlock.h), for state the host's CPUs share. */
#include "spinlock.h"
/* Test "cpus" (smp.c). */
void test_cpus(void);

/* The boot arguments (the hypervisor's copy, the device secret masked). */
extern const char *host_bootargs;

/* Print "el2-test: FAIL <test>: ..." and power the machine off. */
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail(__VA_ARGS__);                                                         \
	} while (0)

/* The abort of the last touch()/peek8() of this CPU: ESR_EL1, FAR_EL1. */
uint64_t host_abort_esr(void);
uint64_t host_abort_far(void);
/* The physical address of host memory (the host's MMU is off). */
uint64_t pa(const void *p);
/* One load or store that is expected to abort; the number of aborts it took. */
unsigned touch(volatile uint64_t *p, bool write);
/* A byte load that may abort (a stage-2 fault): false if it did, else the byte in *out. */
bool peek8(const volatile uint8_t *p, uint8_t *out);
/* A byte store that may abort: false if it did. */
bool poke8(volatile uint8_t *p, uint8_t v);
/* Donate pages to the hypervisor's pool (PVM_HC_TOPUP). */
void topup(uint64_t pages);
/* A host call that may need pool pages: donate them (PVM_HC_TOPUP) and retry. x0 returned. */
int64_t hc_topup(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
		 uint64_t a6, uint64_t *x1);
/* A protected VM with RAM [VM_RAM_IPA, +ram_size); its handle. */
uint64_t vm_create(uint64_t ram_size);
/* The same, protected or not (its memory then lent by the host: PVM_HC_SHARE_GUEST). */
uint64_t vm_create_kind(uint64_t ram_size, bool protected_vm);
/* Tear it down (TEARDOWN, RECLAIM until done, FINISH); checks pages come back zeroed. */
void vm_destroy(uint64_t handle);
/* A protected VM whose one measured page holds [code, end), its vCPU 0 booted there. */
uint64_t vm_boot_code(const char *code, const char *end);
/* Tests "debug" and "lrs" (isolation.c). */
void test_debug(void);
void test_lrs(void);

/*
 * guest.c: run the sample guest of that name (EL2_GUESTS) as a protected
 * guest, or as a non-protected one (test attest_np: the attest guest).
 */
void test_guest(const char *name, bool protected_vm);

/*
 * What guest_run() builds: the sample guest's VM as test_guest() does
 * (vCPUs, image, device tree, vCPU 0 at the image's start), and then what
 * the attack tests (attack.c) change.
 */
struct guest_result {
	bool faulted;	     /* the run ended at a guest-fault exit (until_fault) */
	uint64_t fault_kind; /* its PVM_FAULT_* */
	uint64_t fault_ipa;  /* and its IPA */
	unsigned uart_bytes; /* bytes the guest wrote to its UART */
};
struct guest_plan {
	const char *name;     /* the sample guest (EL2_GUESTS) */
	bool not_protected;   /* its memory lent, not given (attest_np) */
	const uint8_t *extra; /* a page of the host's bytes, after the tree (NULL: none) */
	uint64_t extra_ipa;   /* where */
	unsigned extra_kind;  /* its PVM_MEASURE_* flags (measured), or 0: plain DONATE_GUEST */
	bool boot_extra;      /* vCPU 0 boots there, not at the image's start */
	const char *role;     /* sealed by the host before the run, after "el2-attack: seal ROLE" */
	bool until_fault;     /* the run ends at the first guest-fault exit */
	struct guest_result *result; /* what the run saw (NULL: not wanted) */
};
void guest_run(const struct guest_plan *p);
/* Tests "attack_unmeasured" and "attack_seal_keys" (attack.c). */
void test_attack_unmeasured(void);
void test_attack_seal_keys(void);
/* guest_dtb.c: the guests' device tree into out (at most max bytes, the rest zeroed); its size. */
size_t guest_dtb(uint8_t *out, size_t max);

/*
 * Test "linux" (linux.c): give VM vm its RAM with the Image, initramfs and
 * device tree the boot arguments name; the entry point returned, the
 * tree's IPA in *fdt_ipa. After the teardown: that RAM reads zero again.
 */
uint64_t linux_load(uint64_t vm, uint64_t *fdt_ipa);
void linux_check_scrubbed(void);

/* gic.c: the host's physical GIC and its EL1 physical timer (PPI 30), its scheduler tick. */
void host_gic_init(uintptr_t gicd, uintptr_t gicr);
/* On each other CPU: its redistributor and CPU interface. */
void host_gic_cpu_init(void);
/* Wake CPU cpu (SGI 1): it finds in memory what for. */
void host_kick(unsigned cpu);
/* Sleep (WFI) until the count reaches when (UINT64_MAX: no timer) or an interrupt. */
void host_sleep(uint64_t when);
/* The IRQ exception: acknowledge, handle and end every pending interrupt. */
void host_irq(void);
/* Unmask IRQs for an instant: pending ones are taken (host_irq()). */
void host_irqs_take(void);
/* The physical count (CNTPCT_EL0); the guests' virtual count is the same (CNTVOFF_EL2 0). */
uint64_t host_now(void);
/* Arm the tick to fire in us microseconds; stop it. */
void host_slice_start(uint64_t us);
void host_slice_stop(void);
/* How many ticks fired. */
unsigned host_ticks(void);
/* Sleep (WFI) until the physical count reaches when. */
void host_wait_until(uint64_t when);

/* guest_gic.c: a guest's GICv3 distributor and redistributors, for GUEST_GIC_CPUS vCPUs. */
#define GUEST_GIC_CPUS 2
/* Forget every state: a new VM. */
void guest_gic_reset(uint64_t vm);
/*
 * An MMIO access: false if not the GIC's; else *handled (false: abort) and
 * *woke (an interrupt was injected: a vCPU waiting in WFI may run).
 */
bool guest_gic_mmio(uint64_t ipa, bool write, unsigned size, uint64_t *data, bool *handled,
		    bool *woke);
/*
 * A device's edge on SPI INTID: false if INTID is not an SPI the model
 * has; *woke: it was injected now.
 */
bool guest_gic_raise(uint64_t intid, bool *woke);

#endif /* PVM_EL2_HOST_H */
