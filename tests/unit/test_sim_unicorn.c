/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Binary guests on the Unicorn backend: real A64 code runs through the core's
 * run loop. Each test is a guest program (hand-encoded; the assembly beside
 * each word) and the exits the VMM must see, with the completions it gives.
 *
 * Guest layout: RAM at GUEST (32 MiB); the first page holds the program at
 * GUEST (after a prologue that sets VBAR_EL1 = GUEST + 0x800 and x1 = the
 * MMIO "UART") and an exception vector table whose synchronous vector
 * (current EL, SPx) reports ESR_EL1 then ELR_EL1 to the UART and whose IRQ
 * vector reports ELR_EL1 to UART + 8.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <libpvm/abi.h>
#include <libpvm/esr.h>

#include "sim_vcpu_internal.h" /* the port's instruction decoder and region count */
#include "vcpu_fixture.h"

/* Internal to the simulator port (ports/sim/sim_unicorn.c). */

#define GUEST		 0x80000000ull
#define GUEST_SIZE	 (32 * FX_MiB)
#define UART		 FX_UART
#define VBAR		 (GUEST + 0x800)
#define PROLOGUE	 0x10ull       /* bytes before a program's first instruction */
#define ESR_EL1_DABT_EXT 0x96000010ull /* EC 0x25 (current EL), IL, external abort */

/* Assembled with aarch64-linux-gnu-as; one instruction per word. */
static const uint32_t prologue[] = {
	0xd2b00009, /* movz x9, #0x8000, lsl #16 */
	0x91200129, /* add x9, x9, #0x800 */
	0xd518c009, /* msr vbar_el1, x9 */
	0xd2a12001, /* movz x1, #0x0900, lsl #16 */
};

static const uint32_t vec_sync[] = {
	0xd5385204, /* mrs x4, esr_el1 */
	0xd2a12005, /* movz x5, #0x0900, lsl #16 */
	0xf90000a4, /* str x4, [x5] */
	0xd5384024, /* mrs x4, elr_el1 */
	0xf90000a4, /* str x4, [x5] */
	0x14000000, /* b . */
};

static const uint32_t vec_irq[] = {
	0xd5384024, /* mrs x4, elr_el1 */
	0xd2a12005, /* movz x5, #0x0900, lsl #16 */
	0xf90004a4, /* str x4, [x5, #8] */
	0x14000000, /* b . */
};

static const uint32_t version[] = {
	0xd2b00000, /* movz x0, #0x8000, lsl #16 */
	0xd4000002, /* hvc #0 */
	0xf9000020, /* str x0, [x1] */
	0xd2b08000, /* movz x0, #0x8400, lsl #16 */
	0xf2800100, /* movk x0, #8 */
	0xd4000002, /* hvc #0 */
	0x14000000, /* b . */
};

static const uint32_t stores[] = {
	0xd28ef102, /* movz x2, #0x7788 */
	0xf2aaacc2, /* movk x2, #0x5566, lsl #16 */
	0xf2c66882, /* movk x2, #0x3344, lsl #32 */
	0xf2e22442, /* movk x2, #0x1122, lsl #48 */
	0x39000022, /* strb w2, [x1] */
	0x79000022, /* strh w2, [x1] */
	0xb9000022, /* str w2, [x1] */
	0xf9000022, /* str x2, [x1] */
	0xf8008022, /* stur x2, [x1, #8] */
	0xf8236822, /* str x2, [x1, x3] */
	0x14000000, /* b . */
};

static const uint32_t loads[] = {
	0x39800023, /* ldrsb x3, [x1] */
	0xf9000023, /* str x3, [x1] */
	0x79c00023, /* ldrsh w3, [x1] */
	0xf9000023, /* str x3, [x1] */
	0xb9400023, /* ldr w3, [x1] */
	0xf9000023, /* str x3, [x1] */
	0xf9400023, /* ldr x3, [x1] */
	0xf9000023, /* str x3, [x1] */
	0x39400023, /* ldrb w3, [x1] */
	0xf9000023, /* str x3, [x1] */
	0xb9800023, /* ldrsw x3, [x1] */
	0xf9000023, /* str x3, [x1] */
	0x14000000, /* b . */
};

static const uint32_t writeback[] = {
	0xd2824682, /* movz x2, #0x1234 */
	0xf8008422, /* str x2, [x1], #8 */
	0x14000000, /* b . */
};

static const uint32_t unbacked[] = {
	0xd2b00206, /* movz x6, #0x8010, lsl #16 */
	0xf94000c3, /* ldr x3, [x6] */
	0xf9000023, /* str x3, [x1] */
	0xd2b00407, /* movz x7, #0x8020, lsl #16 */
	0xd61f00e0, /* br x7 */
};

static const uint32_t fetched[] = {
	0xd2981bc3, /* movz x3, #0xc0de */
	0xf9000023, /* str x3, [x1] */
	0x14000000, /* b . */
};

static const uint32_t wfi[] = {
	0xd503207f, /* wfi */
	0xd2800ee8, /* movz x8, #0x77 */
	0xf9000028, /* str x8, [x1] */
	0x14000000, /* b . */
};

/* The GIC CPU interface on: Group 1 enabled, priority mask open. */
#define GIC_ON                                                                                     \
	0xd2801fe2,	    /* movz x2, #0xff */                                                   \
		0xd5184602, /* msr icc_pmr_el1, x2 */                                              \
		0xd2800022, /* movz x2, #1 */                                                      \
		0xd518cce2  /* msr icc_igrpen1_el1, x2 */

static const uint32_t irq[] = {
	GIC_ON, 0xd50342ff, /* msr daifclr, #2 */
	0xd503207f,	    /* wfi */
	0x14000000,	    /* b . */
};

/* The CPU interface with IRQs masked: acknowledge and end by hand. */
static const uint32_t icc[] = {
	GIC_ON,	    0xd538cca3, /* mrs x3, icc_sre_el1 */
	0xf9000023,		/* str x3, [x1] */
	0xd538cc04,		/* mrs x4, icc_iar1_el1 */
	0xf9000024,		/* str x4, [x1] */
	0xd538cb63,		/* mrs x3, icc_rpr_el1 */
	0xf9000023,		/* str x3, [x1] */
	0xd518cc24,		/* msr icc_eoir1_el1, x4 */
	0xd538cb63,		/* mrs x3, icc_rpr_el1 */
	0xf9000023,		/* str x3, [x1] */
	0xd538cc43,		/* mrs x3, icc_hppir1_el1 */
	0xf9000023,		/* str x3, [x1] */
	0x14000000,		/* b . */
};

/* ICC_* registers the interface does not have, or not in that direction. */
static const uint32_t icc_sgi1r[] = {
	0xd538cba3, /* mrs x3, icc_sgi1r_el1 (write-only, and not emulated) */
	0x14000000, /* b . */
};

static const uint32_t icc_iar1_write[] = {
	0xd518cc03, /* msr icc_iar1_el1, x3 (read-only) */
	0x14000000, /* b . */
};

static const uint32_t icc_ap1r0[] = {
	0xd538c903, /* mrs x3, icc_ap1r0_el1 (not emulated) */
	0x14000000, /* b . */
};

/* The virtual timer: its count, 1/512 s ahead, WFI, its interrupt. */
static const uint32_t timer[] = {
	0xd53be043,		/* mrs x3, cntvct_el0 */
	0xf9000023,		/* str x3, [x1] */
	GIC_ON,	    0xd53be003, /* mrs x3, cntfrq_el0 */
	0xd349fc63,		/* lsr x3, x3, #9 */
	0xd51be303,		/* msr cntv_tval_el0, x3 */
	0xd51be322,		/* msr cntv_ctl_el0, x2 */
	0xd503207f,		/* wfi */
	0xd538cc03,		/* mrs x3, icc_iar1_el1 */
	0xf9000023,		/* str x3, [x1] */
	0xd53be323,		/* mrs x3, cntv_ctl_el0 */
	0xf9000023,		/* str x3, [x1] */
	0x14000000,		/* b . */
};

static const uint32_t big[] = {
	0xd2b0200a, /* movz x10, #0x8100, lsl #16 */
	0xd2b0400b, /* movz x11, #0x8200, lsl #16 */
	0xf900014a, /* 1: str x10, [x10] */
	0x9140054a, /* add x10, x10, #4096 */
	0xeb0b015f, /* cmp x10, x11 */
	0x54ffffa1, /* b.ne 1b */
	0xd2b0200a, /* movz x10, #0x8100, lsl #16 */
	0xf940014c, /* 2: ldr x12, [x10] */
	0xeb0a019f, /* cmp x12, x10 */
	0x54000081, /* b.ne 3f */
	0x9140054a, /* add x10, x10, #4096 */
	0xeb0b015f, /* cmp x10, x11 */
	0x54ffff61, /* b.ne 2b */
	0xf900002a, /* 3: str x10, [x1] */
	0x14000000, /* b . */
};

static const uint32_t tlbi[] = {
	0xd2b00206, /* movz x6, #0x8010, lsl #16 */
	0xf94000c3, /* ldr x3, [x6] */
	0xf9000023, /* str x3, [x1] */
	0xf94000c3, /* ldr x3, [x6] */
	0xf9000023, /* str x3, [x1] */
	0x14000000, /* b . */
};

static const uint32_t svc[] = {
	0xd40000a1, /* svc #5 */
	0x14000000, /* b . */
};

static const uint32_t brk[] = {
	0xd42000e0, /* brk #7 */
	0x14000000, /* b . */
};

static const uint32_t undef[] = {
	0x00000000, /* udf #0 */
	0x14000000, /* b . */
};

#define PROG(p) p, sizeof(p) / sizeof(p[0])

/* Host side. */

static struct pvm_exit run(unsigned vm, struct pvm_exit *e)
{
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, e), PVM_OK);
	fx_check();
	return *e;
}

static void expect_mmio(unsigned vm, struct pvm_exit *e, bool write, uint64_t ipa, unsigned size,
			uint64_t data)
{
	run(vm, e);
	fx_expect_mmio(e, ipa, size, write, data);
}

static void expect_report(unsigned vm, struct pvm_exit *e, uint64_t v)
{
	expect_mmio(vm, e, true, UART, 8, v);
}

/* A VM with GUEST_SIZE of RAM at GUEST and one vCPU, not running yet. */
static unsigned vm_new(bool protected_vm)
{
	struct pvm_vm_config cfg = {.ipa_bits = 36,
				    .protected_vm = protected_vm,
				    .ram_base = GUEST,
				    .ram_size = GUEST_SIZE};
	uint64_t n = pvm_vm_create_pages(36), first, i;
	unsigned h, idx;

	/* The root must be aligned to its size: skip to an aligned run. */
	do
		first = fx_host_page();
	while (first & ((n - 1) * FX_PAGE));
	for (i = 1; i < n; i++)
		assert_int_equal(fx_host_page(), first + i * FX_PAGE);
	assert_int_equal(pvm_vm_create(fx_hyp, &cfg, pvm_pa(first), n, &h, NULL), PVM_OK);
	assert_int_equal(pvm_vcpu_create(fx_hyp, h, pvm_pa(fx_host_page()), &idx, NULL), PVM_OK);
	assert_int_equal(idx, 0);
	return h;
}

/* A VM running @prog (after the prologue) on Unicorn from GUEST. */
static unsigned boot(bool protected_vm, const uint32_t *prog, size_t n)
{
	static uint8_t page[FX_PAGE];
	unsigned vm = vm_new(protected_vm);

	memset(page, 0, sizeof(page));
	memcpy(page, prologue, sizeof(prologue));
	memcpy(page + PROLOGUE, prog, n * sizeof(prog[0]));
	memcpy(page + 0xa00, vec_sync, sizeof(vec_sync));
	memcpy(page + 0xa80, vec_irq, sizeof(vec_irq));
	fx_back_data(vm, GUEST, page, sizeof(page));
	assert_int_equal(pvm_vcpu_boot(fx_hyp, vm, 0, pvm_ipa(GUEST), 0), PVM_OK);
	assert_int_equal(pvm_sim_vcpu_attach_unicorn(vm, 0), PVM_OK);
	return vm;
}

/* Tests. */

static void smccc_version_then_system_off(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(version));

	(void)state;
	expect_report(vm, &e, SMCCC_VERSION_1_1);
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_PSCI);
	assert_int_equal(e.psci.fn, PSCI_SYSTEM_OFF);
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, &e), PVM_E_STATE);
	fx_destroy(vm);
}

static void mmio_stores_of_each_size(void **state)
{
	static const struct {
		uint64_t ipa;
		unsigned size;
		uint64_t data;
	} want[] = {
		{UART, 1, 0x88},		      /* strb w2, [x1] */
		{UART, 2, 0x7788},		      /* strh w2, [x1] */
		{UART, 4, 0x55667788},		      /* str w2, [x1] */
		{UART, 8, 0x1122334455667788ull},     /* str x2, [x1] */
		{UART + 8, 8, 0x1122334455667788ull}, /* stur x2, [x1, #8] */
		{UART, 8, 0x1122334455667788ull},     /* str x2, [x1, x3] */
	};
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(stores)), i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		expect_mmio(vm, &e, true, want[i].ipa, want[i].size, want[i].data);
	fx_destroy(vm);
}

static void mmio_loads_extend_as_the_instruction_says(void **state)
{
	static const struct {
		unsigned size;
		uint64_t completion, reg;
	} want[] = {
		{1, 0x80, 0xffffffffffffff80ull},		   /* ldrsb x3 */
		{2, 0x8001, 0xffff8001ull},			   /* ldrsh w3 */
		{4, 0xdeadbeefcafef00dull, 0xcafef00dull},	   /* ldr w3 */
		{8, 0xdeadbeefcafef00dull, 0xdeadbeefcafef00dull}, /* ldr x3 */
		{1, 0x1ff, 0xff},				   /* ldrb w3 */
		{4, 0x80000000, 0xffffffff80000000ull},		   /* ldrsw x3 */
	};
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(loads)), i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		expect_mmio(vm, &e, false, UART, want[i].size, 0);
		e.mmio.data = want[i].completion;
		expect_report(vm, &e, want[i].reg);
	}
	fx_destroy(vm);
}

static void mmio_store_with_writeback_gets_an_abort(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(writeback));

	(void)state;
	/* str x2, [x1], #8: no instruction syndrome, so no emulation. */
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_GUEST_FAULT);
	assert_int_equal(e.fault.reason, PVM_FAULT_DABT);
	assert_int_equal(e.fault.ipa, UART);
	/* The guest's own vector runs: ESR_EL1, then ELR_EL1 = the store. */
	expect_report(vm, &e, ESR_EL1_DABT_EXT);
	expect_report(vm, &e, GUEST + PROLOGUE + 4);
	fx_destroy(vm);
}

/*
 * A non-protected VM: the host lends the pages, with what it wrote in them
 * (a protected VM's faulted-in pages arrive zeroed: the test after this).
 */
static void unbacked_ram_faults_until_donated(void **state)
{
	static const uint64_t value = 0x5a5a5a5a12345678ull;
	struct pvm_exit e = {0};
	unsigned vm = boot(false, PROG(unbacked));

	(void)state;
	/* ldr x3, [x6] with x6 = GUEST + 1 MiB. */
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_MEM_FAULT);
	assert_int_equal(e.mem_fault.ipa, GUEST + FX_MiB);
	assert_false(e.mem_fault.write);
	assert_false(e.mem_fault.exec);
	fx_back_data(vm, GUEST + FX_MiB, &value, sizeof(value));
	expect_report(vm, &e, value);
	/* br x7 with x7 = GUEST + 2 MiB: an instruction fetch. */
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_MEM_FAULT);
	assert_int_equal(e.mem_fault.ipa, GUEST + 2 * FX_MiB);
	assert_true(e.mem_fault.exec);
	fx_back_data(vm, GUEST + 2 * FX_MiB, fetched, sizeof(fetched));
	/* fetched uses x1 = UART from the prologue. */
	expect_report(vm, &e, 0xc0de);
	fx_destroy(vm);
}

/*
 * A protected VM asked for memory, not for the host's bytes: what the host
 * wrote in a page it donates after the first run is gone, and its code in
 * such a page never runs (the guest fetches zeroes: UNDEFINED).
 */
static void protected_faulted_in_pages_arrive_zeroed(void **state)
{
	static const uint64_t value = 0x5a5a5a5a12345678ull;
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(unbacked));
	uint64_t pa;

	(void)state;
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_MEM_FAULT);
	pa = fx_host_page();
	memcpy(pvm_sim_ram(pvm_pa(pa), FX_PAGE), &value, sizeof(value));
	assert_int_equal(
		pvm_host_donate_guest(fx_hyp, vm, pvm_pa(pa), pvm_ipa(GUEST + FX_MiB), 1, NULL),
		PVM_OK);
	expect_report(vm, &e, 0);
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_MEM_FAULT);
	assert_true(e.mem_fault.exec);
	pa = fx_host_page();
	memcpy(pvm_sim_ram(pvm_pa(pa), FX_PAGE), fetched, sizeof(fetched));
	assert_int_equal(
		pvm_host_donate_guest(fx_hyp, vm, pvm_pa(pa), pvm_ipa(GUEST + 2 * FX_MiB), 1, NULL),
		PVM_OK);
	/* The fetch of 0x00000000 (UDF) reaches the guest's vector, which reports ESR and ELR. */
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_GUEST_FAULT);
	assert_int_equal(e.fault.reason, PVM_FAULT_UNDEF);
	fx_destroy(vm);
}

static void wfi_exits_and_resumes_after_it(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(wfi));

	(void)state;
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_WFI);
	expect_report(vm, &e, 0x77);
	fx_destroy(vm);
}

static void virtual_irq_is_taken_at_the_irq_vector(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(irq));

	(void)state;
	/* The CPU interface on; msr daifclr, #2; wfi */
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_WFI);
	assert_int_equal(e.wfi.deadline, PVM_WFI_NO_DEADLINE);
	assert_int_equal(pvm_vcpu_inject_irq(fx_hyp, vm, 0, 48), PVM_OK);
	/* Taken at VBAR + 0x280 with ELR_EL1 = the instruction after the WFI. */
	expect_mmio(vm, &e, true, UART + 8, 8, GUEST + PROLOGUE + 24);
	fx_destroy(vm);
}

static void gic_cpu_interface_through_system_registers(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(icc));

	(void)state;
	/* Pending before the guest runs; its IRQs stay masked (PSTATE.I). */
	assert_int_equal(pvm_vcpu_inject_irq(fx_hyp, vm, 0, 48), PVM_OK);
	expect_report(vm, &e, 0x7);  /* ICC_SRE_EL1 */
	expect_report(vm, &e, 48);   /* ICC_IAR1_EL1 */
	expect_report(vm, &e, 0xa0); /* ICC_RPR_EL1: active across the exits */
	expect_report(vm, &e, 0xff); /* after the EOI: idle */
	expect_report(vm, &e, 1023); /* ICC_HPPIR1_EL1: nothing pending */
	fx_destroy(vm);
}

static void virtual_timer_interrupt_after_wfi(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(timer));
	uint64_t before = pvm_sim_counter(), count, deadline;

	(void)state;
	/* The guest's count is the simulator's. */
	run(vm, &e);
	fx_expect_mmio(&e, UART, 8, true, e.mmio.data);
	count = e.mmio.data;
	assert_true(before <= count && count <= pvm_sim_counter());
	/* WFI before the deadline: an exit that reports it. */
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_WFI);
	deadline = e.wfi.deadline;
	assert_true(deadline > count && deadline <= count + PVM_SIM_COUNTER_HZ / 512 + 1000000);
	while (pvm_sim_counter() < deadline)
		;
	/* Then the interrupt is pending: INTID 27, and CNTV_CTL_EL0 says ISTATUS. */
	expect_report(vm, &e, 27);
	expect_report(vm, &e, 0x5);
	fx_destroy(vm);
}

static void guest_exceptions_reach_the_guest(void **state)
{
	static const struct {
		const uint32_t *prog;
		size_t n;
		uint64_t esr_el1, elr_el1;
		bool undef;
	} cases[] = {
		/* SVC: to the guest's vector, no exit; ELR = the next instruction. */
		{PROG(svc), 0x56000005ull, GUEST + PROLOGUE + 4, false},
		/* BRK: likewise; ELR = the BRK. */
		{PROG(brk), 0xf2000007ull, GUEST + PROLOGUE, false},
		/* UDF: through the core, which injects UNDEF (EC 0). */
		{PROG(undef), 0x02000000ull, GUEST + PROLOGUE, true},
		/* ICC_* registers the CPU interface does not have, or not that way: likewise. */
		{PROG(icc_sgi1r), 0x02000000ull, GUEST + PROLOGUE, true},
		{PROG(icc_iar1_write), 0x02000000ull, GUEST + PROLOGUE, true},
		{PROG(icc_ap1r0), 0x02000000ull, GUEST + PROLOGUE, true},
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_exit e = {0};
		unsigned vm = boot(true, cases[i].prog, cases[i].n);

		if (cases[i].undef) {
			run(vm, &e);
			assert_int_equal(e.kind, PVM_EXIT_GUEST_FAULT);
			assert_int_equal(e.fault.reason, PVM_FAULT_UNDEF);
		}
		expect_report(vm, &e, cases[i].esr_el1);
		expect_report(vm, &e, cases[i].elr_el1);
		fx_destroy(vm);
	}
}

static void sixteen_mib_donated_page_by_page_is_few_regions(void **state)
{
	const uint64_t base = GUEST + 16 * FX_MiB, pages = 16 * FX_MiB / FX_PAGE;
	struct pvm_exit e = {0};
	unsigned vm = boot(true, PROG(big));
	uint64_t i, pa0 = 0;

	(void)state;
	for (i = 0; i < pages; i++) {
		uint64_t pa = fx_back_data(vm, base + i * FX_PAGE, NULL, 0);

		if (!i)
			pa0 = pa;
		assert_int_equal(pa, pa0 + i * FX_PAGE); /* contiguous PAs */
	}
	/* Every page written with its own IPA and read back: x10 reaches the end. */
	expect_report(vm, &e, base + 16 * FX_MiB);
	assert_true(sim_uc_region_count(vm, 0) <= 4);
	for (i = 0; i < pages; i += 255) {
		uint64_t v;

		memcpy(&v, pvm_sim_ram(pvm_pa(pa0 + i * FX_PAGE), 8), 8);
		assert_int_equal(v, base + i * FX_PAGE);
	}
	fx_destroy(vm);
}

static void unshared_page_faults_again(void **state)
{
	static const uint64_t first = 0x1111, second = 0x2222;
	const uint64_t ipa = GUEST + FX_MiB;
	struct pvm_exit e = {0};
	unsigned vm = boot(false, PROG(tlbi));

	(void)state;
	fx_back_data(vm, ipa, &first, sizeof(first));
	expect_report(vm, &e, first); /* the page is in the mirror now */
	/* The host takes it back: the core unmaps it and invalidates the TLB. */
	assert_int_equal(pvm_host_unshare_guest(fx_hyp, vm, pvm_ipa(ipa), 1, NULL), PVM_OK);
	run(vm, &e);
	assert_int_equal(e.kind, PVM_EXIT_MEM_FAULT);
	assert_int_equal(e.mem_fault.ipa, ipa);
	fx_back_data(vm, ipa, &second, sizeof(second));
	expect_report(vm, &e, second);
	fx_destroy(vm);
}

/* The instruction syndrome of a stage-2 data abort, instruction by instruction. */
static void dabt_syndrome_decoding(void **state)
{
	static const struct {
		uint32_t insn;
		bool write;
		bool isv;
		unsigned size, srt;
		bool sse, sf, ar;
	} cases[] = {
		{0x39800023, false, true, 1, 3, true, true, false},    /* ldrsb x3, [x1] */
		{0x79c00423, false, true, 2, 3, true, false, false},   /* ldrsh w3, [x1, #2] */
		{0xb9800027, false, true, 4, 7, true, true, false},    /* ldrsw x7, [x1] */
		{0x79000022, true, true, 2, 2, false, false, false},   /* strh w2, [x1] */
		{0xf8008422, true, false, 0, 0, false, false, false},  /* str x2, [x1], #8 */
		{0xf8008c22, true, false, 0, 0, false, false, false},  /* str x2, [x1, #8]! */
		{0xb85fcc29, false, false, 0, 0, false, false, false}, /* ldr w9, [x1, #-4]! */
		{0xa9000861, true, false, 0, 0, false, false, false},  /* stp x1, x2, [x3] */
		{0x3dc00020, false, false, 0, 0, false, false, false}, /* ldr q0, [x1] */
		{0xc85f7c20, false, false, 0, 0, false, false, false}, /* ldxr x0, [x1] */
		{0x88dffc22, false, true, 4, 2, false, false, true},   /* ldar w2, [x1] */
		{0xc89ffc3e, true, true, 8, 30, false, true, true},    /* stlr x30, [x1] */
		{0xf85f8023, false, true, 8, 3, false, true, false},   /* ldur x3, [x1, #-8] */
		{0xf8656823, false, true, 8, 3, false, true, false},   /* ldr x3, [x1, x5] */
		{0x38400824, false, true, 1, 4, false, false, false},  /* ldtrb w4, [x1] */
		{0xf8210062, true, false, 0, 0, false, false, false},  /* ldadd x1, x2, [x3] */
		{0xf900003f, true, true, 8, 31, false, true, false},   /* str xzr, [x1] */
		{0x39800023, true, false, 0, 0, false, false,
		 false}, /* ldrsb, but a write faulted */
	};
	const unsigned fsc = PVM_FSC_TRANSLATION(3);
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t want =
			pvm_esr_dabt(fsc, cases[i].write, cases[i].size,
				     cases[i].isv ? cases[i].srt : 32, cases[i].sse, cases[i].sf);

		if (cases[i].ar)
			want |= PVM_ISS_AR;
		assert_int_equal(sim_insn_dabt_esr(cases[i].insn, fsc, cases[i].write), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dabt_syndrome_decoding),
		cmocka_unit_test_setup_teardown(smccc_version_then_system_off, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(mmio_stores_of_each_size, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(mmio_loads_extend_as_the_instruction_says, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(mmio_store_with_writeback_gets_an_abort, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(protected_faulted_in_pages_arrive_zeroed, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(unbacked_ram_faults_until_donated, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(wfi_exits_and_resumes_after_it, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(virtual_irq_is_taken_at_the_irq_vector, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(gic_cpu_interface_through_system_registers,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(virtual_timer_interrupt_after_wfi, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(guest_exceptions_reach_the_guest, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(sixteen_mib_donated_page_by_page_is_few_regions,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(unshared_page_faults_again, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
