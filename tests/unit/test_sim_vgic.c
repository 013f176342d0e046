/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulator's GICv3 virtual CPU interface and virtual timer
 * (ports/sim/sim_vgic.c) on a bare vCPU context, as the binary guests'
 * MRS/MSR reach them: register decoding, acknowledge / priority drop /
 * deactivation, running priority, masking, the timer's level, and bad
 * accesses (read-only and write-only registers, registers the interface
 * does not have, EOI of an interrupt that is not active), which change
 * nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <libpvm/sim.h>

#include "sim_vcpu_internal.h"

#define SPURIOUS 1023u
#define TIMER	 27u
#define DOORBELL 48u

static struct pvm_vcpu_ctx ctx;

static int reset(void **state)
{
	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	return 0;
}

static uint64_t rd_t(enum sim_icc reg, bool timer)
{
	uint64_t v = 0xdeadbeef;

	assert_true(sim_icc_read(&ctx, reg, timer, &v));
	return v;
}

static uint64_t rd(enum sim_icc reg)
{
	return rd_t(reg, false);
}

static void wr(enum sim_icc reg, uint64_t v)
{
	assert_true(sim_icc_write(&ctx, reg, v));
}

static void inject(unsigned intid)
{
	ctx.virq[intid / 32] |= 1u << (intid % 32);
}

static bool pending(unsigned intid)
{
	return ctx.virq[intid / 32] & (1u << (intid % 32));
}

/* Group 1 on, nothing masked by priority. */
static void enable(void)
{
	wr(SIM_ICC_PMR, 0xff);
	wr(SIM_ICC_IGRPEN1, 1);
}

static void decode_names_the_emulated_registers(void **state)
{
	static const struct {
		unsigned op0, op1, crn, crm, op2;
		enum sim_icc want;
	} rows[] = {
		{3, 0, 4, 6, 0, SIM_ICC_PMR},
		{3, 0, 12, 12, 0, SIM_ICC_IAR1},
		{3, 0, 12, 12, 1, SIM_ICC_EOIR1},
		{3, 0, 12, 12, 2, SIM_ICC_HPPIR1},
		{3, 0, 12, 12, 3, SIM_ICC_BPR1},
		{3, 0, 12, 12, 4, SIM_ICC_CTLR},
		{3, 0, 12, 12, 5, SIM_ICC_SRE},
		{3, 0, 12, 12, 7, SIM_ICC_IGRPEN1},
		{3, 0, 12, 11, 1, SIM_ICC_DIR},
		{3, 0, 12, 11, 3, SIM_ICC_RPR},
		/* ICC_* the interface does not have: IGRPEN0, SGI1R, AP1R0, IAR0. */
		{3, 0, 12, 12, 6, SIM_ICC_OTHER},
		{3, 0, 12, 11, 5, SIM_ICC_OTHER},
		{3, 0, 12, 9, 0, SIM_ICC_OTHER},
		{3, 0, 12, 8, 0, SIM_ICC_OTHER},
		/* Not the CPU interface: VBAR_EL1, CNTV_CTL_EL0, ICC_SRE_EL2, op0 2. */
		{3, 0, 12, 0, 0, SIM_ICC_NONE},
		{3, 3, 14, 3, 1, SIM_ICC_NONE},
		{3, 4, 12, 9, 5, SIM_ICC_NONE},
		{2, 0, 12, 12, 0, SIM_ICC_NONE},
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(sim_icc_decode(rows[i].op0, rows[i].op1, rows[i].crn, rows[i].crm,
						rows[i].op2),
				 rows[i].want);
}

static void out_of_reset(void **state)
{
	(void)state;
	assert_int_equal(rd(SIM_ICC_SRE), 0x7); /* SRE, DFB, DIB */
	assert_int_equal(rd(SIM_ICC_PMR), 0);	/* everything masked */
	assert_int_equal(rd(SIM_ICC_IGRPEN1), 0);
	assert_int_equal(rd(SIM_ICC_BPR1), 3);	   /* the minimum with 5 preemption bits */
	assert_int_equal(rd(SIM_ICC_CTLR), 0x400); /* PRIbits 4 (5 bits), IDbits 0 */
	assert_int_equal(rd(SIM_ICC_RPR), 0xff);   /* idle */
	assert_int_equal(rd(SIM_ICC_HPPIR1), SPURIOUS);
	assert_int_equal(rd(SIM_ICC_IAR1), SPURIOUS);
	/* Pending but masked (PMR 0, group off): never signalled, not acknowledged. */
	inject(DOORBELL);
	assert_false(sim_icc_irq(&ctx, false));
	assert_int_equal(rd(SIM_ICC_HPPIR1), DOORBELL);
	assert_int_equal(rd(SIM_ICC_IAR1), SPURIOUS);
	assert_true(pending(DOORBELL));
}

static void register_fields_read_back_as_implemented(void **state)
{
	(void)state;
	wr(SIM_ICC_PMR, 0x1ff); /* 5 bits of priority: 0xf8 */
	assert_int_equal(rd(SIM_ICC_PMR), 0xf8);
	wr(SIM_ICC_BPR1, 0); /* below the minimum: the minimum */
	assert_int_equal(rd(SIM_ICC_BPR1), 3);
	wr(SIM_ICC_BPR1, 0xff);
	assert_int_equal(rd(SIM_ICC_BPR1), 7);
	wr(SIM_ICC_SRE, 0); /* RAO/WI */
	assert_int_equal(rd(SIM_ICC_SRE), 0x7);
	wr(SIM_ICC_IGRPEN1, 0xffffffff);
	assert_int_equal(rd(SIM_ICC_IGRPEN1), 1);
	wr(SIM_ICC_CTLR, ~0ull); /* CBPR and EOImode only */
	assert_int_equal(rd(SIM_ICC_CTLR), 0x403);
	/* With CBPR, BPR1 is BPR0 + 1 (BPR0's minimum is 2) and ignores writes. */
	wr(SIM_ICC_BPR1, 7);
	assert_int_equal(rd(SIM_ICC_BPR1), 3);
}

static void acknowledge_runs_until_end_of_interrupt(void **state)
{
	(void)state;
	enable();
	inject(DOORBELL);
	assert_true(sim_icc_irq(&ctx, false));
	assert_int_equal(rd(SIM_ICC_HPPIR1), DOORBELL);
	assert_int_equal(rd(SIM_ICC_IAR1), DOORBELL);
	assert_false(pending(DOORBELL)); /* the edge is consumed */
	assert_int_equal(rd(SIM_ICC_RPR), 0xa0);
	assert_int_equal(ctx.vgic.nr_lr, 1); /* kept active in the context, across exits */
	/* An interrupt of the same priority does not preempt: not signalled, not acknowledged. */
	inject(DOORBELL + 1);
	assert_false(sim_icc_irq(&ctx, false));
	assert_int_equal(rd(SIM_ICC_HPPIR1), DOORBELL + 1);
	assert_int_equal(rd(SIM_ICC_IAR1), SPURIOUS);
	/* The same INTID again while active: pending, not acknowledged twice. */
	inject(DOORBELL);
	assert_int_equal(rd(SIM_ICC_HPPIR1), DOORBELL + 1);
	wr(SIM_ICC_EOIR1, DOORBELL);
	assert_int_equal(rd(SIM_ICC_RPR), 0xff);
	assert_int_equal(ctx.vgic.nr_lr, 0);
	assert_true(sim_icc_irq(&ctx, false));
	assert_int_equal(rd(SIM_ICC_IAR1), DOORBELL); /* the lowest INTID first */
	wr(SIM_ICC_EOIR1, DOORBELL);
	assert_int_equal(rd(SIM_ICC_IAR1), DOORBELL + 1);
	wr(SIM_ICC_EOIR1, DOORBELL + 1);
	assert_int_equal(rd(SIM_ICC_HPPIR1), SPURIOUS);
	assert_false(sim_icc_irq(&ctx, false));
}

static void priority_mask_and_group_enable_hold_interrupts_back(void **state)
{
	(void)state;
	enable();
	inject(DOORBELL);
	wr(SIM_ICC_PMR, 0xa0); /* 0xa0 is not below the mask */
	assert_false(sim_icc_irq(&ctx, false));
	assert_int_equal(rd(SIM_ICC_IAR1), SPURIOUS);
	wr(SIM_ICC_PMR, 0xa8);
	assert_true(sim_icc_irq(&ctx, false));
	wr(SIM_ICC_IGRPEN1, 0);
	assert_false(sim_icc_irq(&ctx, false));
	assert_int_equal(rd(SIM_ICC_IAR1), SPURIOUS);
	assert_true(pending(DOORBELL));
}

static void timer_level_is_pending_while_asserted(void **state)
{
	(void)state;
	enable();
	assert_true(sim_icc_irq(&ctx, true));
	assert_int_equal(rd_t(SIM_ICC_HPPIR1, true), TIMER);
	assert_int_equal(rd_t(SIM_ICC_IAR1, true), TIMER);
	/* Still asserted while active: not acknowledged again. */
	assert_false(sim_icc_irq(&ctx, true));
	assert_int_equal(rd_t(SIM_ICC_IAR1, true), SPURIOUS);
	wr(SIM_ICC_EOIR1, TIMER);
	/* Still asserted after the EOI: it fires again, as a level does. */
	assert_true(sim_icc_irq(&ctx, true));
	/* Deasserted: gone, nothing was latched. */
	assert_false(sim_icc_irq(&ctx, false));
	assert_int_equal(rd(SIM_ICC_HPPIR1), SPURIOUS);
}

static void eoi_mode_splits_priority_drop_and_deactivation(void **state)
{
	(void)state;
	enable();
	wr(SIM_ICC_CTLR, 2);	   /* EOImode */
	wr(SIM_ICC_DIR, DOORBELL); /* nothing active: nothing */
	inject(DOORBELL);
	assert_int_equal(rd(SIM_ICC_IAR1), DOORBELL);
	wr(SIM_ICC_EOIR1, DOORBELL);
	assert_int_equal(rd(SIM_ICC_RPR), 0xff); /* dropped */
	inject(DOORBELL);
	assert_int_equal(rd(SIM_ICC_IAR1), SPURIOUS); /* still active */
	wr(SIM_ICC_DIR, DOORBELL);
	assert_int_equal(ctx.vgic.nr_lr, 0);
	assert_int_equal(rd(SIM_ICC_IAR1), DOORBELL);
}

static void eoi_mode_fills_the_list_registers_then_stops(void **state)
{
	unsigned i;

	(void)state;
	enable();
	wr(SIM_ICC_CTLR, 2);
	for (i = 0; i < 17; i++)
		inject(32 + i);
	for (i = 0; i < PVM_VGIC_LR_MAX; i++) {
		assert_int_equal(rd(SIM_ICC_IAR1), 32 + i);
		wr(SIM_ICC_EOIR1, 32 + i);
	}
	/* Every slot holds an active interrupt: the 17th waits. */
	assert_int_equal(rd(SIM_ICC_IAR1), SPURIOUS);
	assert_true(pending(32 + PVM_VGIC_LR_MAX));
	wr(SIM_ICC_DIR, 40);
	assert_int_equal(rd(SIM_ICC_IAR1), 32 + PVM_VGIC_LR_MAX);
}

/* Bad accesses: false (UNDEFINED for the guest) or ignored, and nothing changes. */
static void bad_accesses_change_nothing(void **state)
{
	static const enum sim_icc write_only[] = {SIM_ICC_EOIR1, SIM_ICC_DIR, SIM_ICC_OTHER,
						  SIM_ICC_NONE};
	static const enum sim_icc read_only[] = {SIM_ICC_IAR1, SIM_ICC_HPPIR1, SIM_ICC_RPR,
						 SIM_ICC_OTHER, SIM_ICC_NONE};
	static const uint64_t eois[] = {DOORBELL + 2, SPURIOUS, 1020, TIMER, 0x7fffff};
	struct pvm_vcpu_ctx before;
	uint64_t v = 0x5a5a;
	unsigned i;

	(void)state;
	enable();
	inject(DOORBELL);
	inject(DOORBELL + 1);
	assert_int_equal(rd(SIM_ICC_IAR1), DOORBELL);
	before = ctx;
	for (i = 0; i < sizeof(write_only) / sizeof(write_only[0]); i++) {
		assert_false(sim_icc_read(&ctx, write_only[i], false, &v));
		assert_int_equal(v, 0x5a5a);
	}
	for (i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++)
		assert_false(sim_icc_write(&ctx, read_only[i], DOORBELL));
	/* EOI and DIR of INTIDs that are not active; DIR without EOImode. */
	for (i = 0; i < sizeof(eois) / sizeof(eois[0]); i++) {
		wr(SIM_ICC_EOIR1, eois[i]);
		wr(SIM_ICC_DIR, eois[i]);
	}
	wr(SIM_ICC_DIR, DOORBELL);
	assert_memory_equal(&before, &ctx, sizeof(ctx));
	wr(SIM_ICC_EOIR1, DOORBELL);
	assert_int_equal(rd(SIM_ICC_RPR), 0xff);
}

static void virtual_timer_registers(void **state)
{
	uint64_t v, now = 1000000;

	(void)state;
	v = 0xff;
	assert_true(sim_timer_access(&ctx, SIM_CNTV_CTL, true, &v, now));
	assert_int_equal(ctx.regs.sys[PVM_SYS_CNTV_CTL_EL0], 3); /* ENABLE, IMASK only */
	v = now + 100;
	assert_true(sim_timer_access(&ctx, SIM_CNTV_CVAL, true, &v, now));
	assert_true(sim_timer_access(&ctx, SIM_CNTV_TVAL, false, &v, now));
	assert_int_equal(v, 100);
	assert_true(sim_timer_access(&ctx, SIM_CNTV_CTL, false, &v, now));
	assert_int_equal(v, 3);				/* not met: ISTATUS clear */
	assert_false(sim_timer_level(&ctx, now + 100)); /* masked */
	assert_false(sim_timer_armed(&ctx, now));
	v = 1;
	assert_true(sim_timer_access(&ctx, SIM_CNTV_CTL, true, &v, now));
	assert_true(sim_timer_armed(&ctx, now));
	assert_false(sim_timer_level(&ctx, now + 99));
	assert_true(sim_timer_level(&ctx, now + 100));
	assert_true(sim_timer_access(&ctx, SIM_CNTV_CTL, false, &v, now + 100));
	assert_int_equal(v, 5); /* ISTATUS */
	/* TVAL is a signed 32-bit distance. */
	v = 0xfffffffb; /* -5 */
	assert_true(sim_timer_access(&ctx, SIM_CNTV_TVAL, true, &v, now));
	assert_int_equal(ctx.regs.sys[PVM_SYS_CNTV_CVAL_EL0], now - 5);
	assert_true(sim_timer_level(&ctx, now));
	assert_false(sim_timer_armed(&ctx, now));
	/* op2 3.. names no timer register. */
	assert_false(sim_timer_access(&ctx, 3, false, &v, now));
	/* The WFI deadline's clock: counts convert to CLOCK_MONOTONIC ns (16 ns each). */
	assert_int_equal(pvm_sim_counter_ns(62500000ull), 1000000000ull);
	assert_int_equal(pvm_sim_counter_ns(UINT64_MAX), UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_names_the_emulated_registers),
		cmocka_unit_test_setup(out_of_reset, reset),
		cmocka_unit_test_setup(register_fields_read_back_as_implemented, reset),
		cmocka_unit_test_setup(acknowledge_runs_until_end_of_interrupt, reset),
		cmocka_unit_test_setup(priority_mask_and_group_enable_hold_interrupts_back, reset),
		cmocka_unit_test_setup(timer_level_is_pending_while_asserted, reset),
		cmocka_unit_test_setup(eoi_mode_splits_priority_drop_and_deactivation, reset),
		cmocka_unit_test_setup(eoi_mode_fills_the_list_registers_then_stops, reset),
		cmocka_unit_test_setup(bad_accesses_change_nothing, reset),
		cmocka_unit_test_setup(virtual_timer_registers, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
