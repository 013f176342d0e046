/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The run loop with C-function guests: each test is a guest program and
 * the exact sequence of exits the VMM must see, with the completions it
 * gives, and what the guest observes of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "vcpu_fixture.h"

/* Guest helpers. */
static uint64_t hvc(struct pvm_sim_cpu *cpu, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t x[8] = {fn, a1, a2, a3, 0, 0, 0, 0};

	pvm_sim_cpu_hvc(cpu, x);
	return x[0];
}

static void report(struct pvm_sim_cpu *cpu, uint64_t v)
{
	assert_true(pvm_sim_cpu_write(cpu, FX_UART, 8, v));
}

static void off(struct pvm_sim_cpu *cpu)
{
	hvc(cpu, PSCI_SYSTEM_OFF, 0, 0, 0);
	fail_msg("SYSTEM_OFF returned");
}

/* Host helpers. */
static struct pvm_exit run(unsigned vm, unsigned cpu, struct pvm_exit *e)
{
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, cpu, e), PVM_OK);
	fx_check();
	return *e;
}

static void expect_report(unsigned vm, struct pvm_exit *e, uint64_t v)
{
	run(vm, 0, e);
	assert_int_equal(e->kind, PVM_EXIT_MMIO);
	assert_true(e->mmio.write);
	assert_int_equal(e->mmio.ipa, FX_UART);
	assert_int_equal(e->mmio.size, 8);
	assert_int_equal(e->mmio.data, v);
}

static void expect_off(unsigned vm, struct pvm_exit *e)
{
	run(vm, 0, e);
	assert_int_equal(e->kind, PVM_EXIT_PSCI);
	assert_int_equal(e->psci.fn, PSCI_SYSTEM_OFF);
	/* Off is off: no vCPU of the VM runs again. */
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, e), PVM_E_STATE);
}

static unsigned boot(bool prot, unsigned n, pvm_sim_guest_fn fn)
{
	unsigned vm = fx_vm(prot, n, fn, NULL);

	assert_int_equal(pvm_vcpu_boot(fx_hyp, vm, 0, pvm_ipa(FX_GUEST_RAM), 0x1234), PVM_OK);
	return vm;
}

/* --- an HVC handled in the hypervisor, an MMIO store, SYSTEM_OFF --- */
static void g_version(struct pvm_sim_cpu *cpu, void *arg)
{
	(void)arg;
	assert_int_equal(pvm_sim_cpu_boot_arg(cpu), 0x1234);
	report(cpu, hvc(cpu, SMCCC_VERSION, 0, 0, 0));
	report(cpu, hvc(cpu, PSCI_VERSION, 0, 0, 0));
	off(cpu);
}

static void t_version(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, 1, g_version);

	(void)state;
	expect_report(vm, &e, SMCCC_VERSION_1_1);
	expect_report(vm, &e, PSCI_VERSION_1_1);
	expect_off(vm, &e);
	fx_destroy(vm);
}

/* --- MMIO loads completed by the VMM, of every size --- */
static void g_mmio_read(struct pvm_sim_cpu *cpu, void *arg)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	unsigned i;
	bool fault = true;

	(void)arg;
	for (i = 0; i < 4; i++) {
		uint64_t v = pvm_sim_cpu_read(cpu, FX_UART + 0x18, sizes[i], &fault);

		assert_false(fault);
		report(cpu, v);
	}
	off(cpu);
}

static void t_mmio_read(void **state)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	struct pvm_exit e = {0};
	unsigned vm = boot(true, 1, g_mmio_read), i;

	(void)state;
	for (i = 0; i < 4; i++) {
		run(vm, 0, &e);
		assert_int_equal(e.kind, PVM_EXIT_MMIO);
		assert_false(e.mmio.write);
		assert_int_equal(e.mmio.ipa, FX_UART + 0x18);
		assert_int_equal(e.mmio.size, sizes[i]);
		/* The VMM answers with more bits than the access has: they are cut. */
		e.mmio.data = 0x8877665544332211ull;
		expect_report(vm, &e,
			      sizes[i] == 8
				      ? 0x8877665544332211ull
				      : 0x8877665544332211ull & ((1ull << (8 * sizes[i])) - 1));
	}
	expect_off(vm, &e);
	fx_destroy(vm);
}

/* --- guest RAM not backed: a memory fault, the VMM donates, the access completes --- */
static void g_fault(struct pvm_sim_cpu *cpu, void *arg)
{
	(void)arg;
	assert_true(pvm_sim_cpu_write(cpu, FX_GUEST_RAM + 0x3008, 8, 0xfeedull));
	report(cpu, pvm_sim_cpu_read(cpu, FX_GUEST_RAM + 0x3008, 8, NULL));
	off(cpu);
}

static void t_mem_fault(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, 1, g_fault);

	(void)state;
	run(vm, 0, &e);
	assert_int_equal(e.kind, PVM_EXIT_MEM_FAULT);
	assert_int_equal(e.mem_fault.ipa, FX_GUEST_RAM + 0x3000);
	assert_true(e.mem_fault.write);
	assert_false(e.mem_fault.exec);
	fx_back(vm, FX_GUEST_RAM + 0x3000);
	expect_report(vm, &e, 0xfeed);
	expect_off(vm, &e);
	fx_destroy(vm);
}

/* --- the VMM fails an MMIO access: the guest takes a data abort at its vector --- */
static void g_abort(struct pvm_sim_cpu *cpu, void *arg)
{
	bool fault = false;

	(void)arg;
	(void)pvm_sim_cpu_read(cpu, 0x20000000, 4, &fault);
	report(cpu, fault);
	off(cpu);
}

static void t_mmio_abort(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, 1, g_abort);

	(void)state;
	run(vm, 0, &e);
	assert_int_equal(e.kind, PVM_EXIT_MMIO);
	e.flags = PVM_EXIT_F_ABORT;
	expect_report(vm, &e, 1);
	expect_off(vm, &e);
	fx_destroy(vm);
}

/* --- a protected VM: the host learns only the access, never registers --- */
static void g_secret(struct pvm_sim_cpu *cpu, void *arg)
{
	(void)arg;
	/* Secrets in registers the host must not see. */
	assert_true(pvm_sim_cpu_write(cpu, FX_UART, 1, 0x41));
	off(cpu);
}

static void t_protected_exit(void **state)
{
	struct pvm_exit e, zero;
	struct pvm_vcpu_regs regs;
	unsigned vm = boot(true, 1, g_secret);

	(void)state;
	memset(&e, 0xa5, sizeof(e));
	e.kind = PVM_EXIT_NONE;
	run(vm, 0, &e);
	/* Exactly kind, ipa, size, write, data; every other byte zero. */
	memset(&zero, 0, sizeof(zero));
	zero.kind = PVM_EXIT_MMIO;
	zero.mmio.ipa = FX_UART;
	zero.mmio.size = 1;
	zero.mmio.write = true;
	zero.mmio.data = 0x41;
	assert_memory_equal(&e, &zero, sizeof(e));
	assert_int_equal(pvm_vcpu_get_regs(fx_hyp, vm, 0, &regs), PVM_E_PERM);
	assert_int_equal(pvm_vcpu_set_regs(fx_hyp, vm, 0, &regs), PVM_E_PERM);
	expect_off(vm, &e);
	fx_destroy(vm);
}

/* --- WFI, and a virtual interrupt taken after it --- */
static void g_wfi(struct pvm_sim_cpu *cpu, void *arg)
{
	(void)arg;
	assert_int_equal(pvm_sim_cpu_take_irq(cpu), -1);
	pvm_sim_cpu_wfi(cpu);
	report(cpu, (uint64_t)pvm_sim_cpu_take_irq(cpu));
	off(cpu);
}

static void t_wfi_irq(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(false, 1, g_wfi);

	(void)state;
	run(vm, 0, &e);
	assert_int_equal(e.kind, PVM_EXIT_WFI);
	/* No timer armed (CNTV_CTL_EL0 is 0 at reset): only an interrupt ends the wait. */
	assert_true(e.wfi.deadline == PVM_WFI_NO_DEADLINE);
	assert_int_equal(pvm_vcpu_inject_irq(fx_hyp, vm, 0, 128), PVM_E_INVAL);
	assert_int_equal(pvm_vcpu_inject_irq(fx_hyp, vm, 1, 27), PVM_E_NOENT);
	assert_int_equal(pvm_vcpu_inject_irq(fx_hyp, vm, 0, 27), PVM_OK);
	expect_report(vm, &e, 27);
	expect_off(vm, &e);
	fx_destroy(vm);
}

/*
 * The WFI exit's deadline is the guest's virtual timer's, when the timer
 * can raise its interrupt: enabled and not masked (CNTV_CTL_EL0).
 */
static void t_wfi_deadline(void **state)
{
	static const struct {
		uint64_t ctl, deadline;
	} rows[] = {
		{1, 0x123456789ull},	      /* ENABLE */
		{1 | 4, 0x123456789ull},      /* ENABLE, ISTATUS: already due */
		{0, PVM_WFI_NO_DEADLINE},     /* disabled */
		{1 | 2, PVM_WFI_NO_DEADLINE}, /* ENABLE, IMASK: masked */
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pvm_exit e = {0};
		struct pvm_vcpu_regs regs;
		unsigned vm = boot(false, 1, g_wfi);

		assert_int_equal(pvm_vcpu_get_regs(fx_hyp, vm, 0, &regs), PVM_OK);
		regs.sys[PVM_SYS_CNTV_CTL_EL0] = rows[i].ctl;
		regs.sys[PVM_SYS_CNTV_CVAL_EL0] = 0x123456789ull;
		assert_int_equal(pvm_vcpu_set_regs(fx_hyp, vm, 0, &regs), PVM_OK);
		run(vm, 0, &e);
		assert_int_equal(e.kind, PVM_EXIT_WFI);
		assert_true(e.wfi.deadline == rows[i].deadline);
		assert_int_equal(pvm_vcpu_inject_irq(fx_hyp, vm, 0, 27), PVM_OK);
		expect_report(vm, &e, 27);
		expect_off(vm, &e);
		fx_destroy(vm);
	}
}

/* --- PSCI CPU_ON / AFFINITY_INFO / CPU_OFF across two vCPUs --- */
static void g_smp(struct pvm_sim_cpu *cpu, void *arg)
{
	(void)arg;
	if (pvm_sim_cpu_index(cpu) == 1) {
		assert_int_equal(pvm_sim_cpu_boot_arg(cpu), 0x77);
		assert_int_equal(pvm_sim_cpu_entry(cpu), FX_GUEST_RAM + 0x100);
		report(cpu, 0x1111);
		hvc(cpu, PSCI_CPU_OFF, 0, 0, 0);
		fail_msg("CPU_OFF returned");
	}
	report(cpu, hvc(cpu, PSCI_CPU_ON64, 1, FX_GUEST_RAM + 0x100, 0x77));
	report(cpu, hvc(cpu, PSCI_CPU_ON64, 1, FX_GUEST_RAM + 0x100, 0x77));
	report(cpu, hvc(cpu, PSCI_AFFINITY_INFO64, 1, 0, 0));
	off(cpu);
}

static void t_smp(void **state)
{
	struct pvm_exit e = {0};
	enum pvm_vcpu_power p;
	unsigned vm = boot(true, 2, g_smp);

	(void)state;
	/* vCPU 1 is off until the guest starts it. */
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 1, &e), PVM_E_STATE);
	run(vm, 0, &e);
	assert_int_equal(e.kind, PVM_EXIT_PSCI);
	assert_int_equal(e.psci.fn, PSCI_CPU_ON);
	assert_int_equal(e.psci.target, 1);
	assert_int_equal(pvm_vcpu_power(fx_hyp, vm, 1, &p), PVM_OK);
	assert_int_equal(p, PVM_VCPU_ON_PENDING);
	expect_report(vm, &e, PSCI_RET_SUCCESS);
	expect_report(vm, &e, (uint64_t)(int64_t)PSCI_RET_ON_PENDING);

	memset(&e, 0, sizeof(e));
	run(vm, 1, &e);
	assert_int_equal(e.kind, PVM_EXIT_MMIO);
	assert_int_equal(e.mmio.data, 0x1111);
	run(vm, 1, &e);
	assert_int_equal(e.kind, PVM_EXIT_PSCI);
	assert_int_equal(e.psci.fn, PSCI_CPU_OFF);
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 1, &e), PVM_E_STATE);

	memset(&e, 0, sizeof(e));
	expect_report(vm, &e, PSCI_AFF_OFF);
	expect_off(vm, &e);
	fx_destroy(vm);
}

/* --- a protected guest shares a page; the pool is empty first --- */
static void g_share(struct pvm_sim_cpu *cpu, void *arg)
{
	(void)arg;
	assert_true(pvm_sim_cpu_write(cpu, FX_GUEST_RAM, 8, 0x5ec2e7));
	report(cpu, hvc(cpu, ARM_SMCCC_KVM_FUNC_MEM_SHARE, FX_GUEST_RAM, 0, 0));
	report(cpu, hvc(cpu, ARM_SMCCC_KVM_FUNC_MEM_UNSHARE, FX_GUEST_RAM, 0, 0));
	report(cpu, hvc(cpu, ARM_SMCCC_KVM_FUNC_MEM_UNSHARE, FX_GUEST_RAM, 0, 0));
	off(cpu);
}

static void t_share(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, 1, g_share);
	uint64_t pa = fx_back(vm, FX_GUEST_RAM), v = 0;

	(void)state;
	run(vm, 0, &e);
	assert_int_equal(e.kind, PVM_EXIT_MEM_SHARE);
	assert_int_equal(e.share.op, PVM_SHARE_OP_SHARE);
	assert_int_equal(e.share.ipa, FX_GUEST_RAM);
	assert_int_equal(e.share.pages, 1);
	/* The host can read what the guest shared. */
	assert_int_equal(pvm_sim_s2_copy(pvm_stage2_vtcr(&fx_hyp->host),
					 pvm_stage2_vttbr(&fx_hyp->host), pa, &v, 8, false, NULL),
			 PVM_OK);
	assert_int_equal(v, 0x5ec2e7);
	expect_report(vm, &e, SMCCC_RET_SUCCESS);
	run(vm, 0, &e);
	assert_int_equal(e.kind, PVM_EXIT_MEM_SHARE);
	assert_int_equal(e.share.op, PVM_SHARE_OP_UNSHARE);
	assert_int_equal(pvm_sim_s2_copy(pvm_stage2_vtcr(&fx_hyp->host),
					 pvm_stage2_vttbr(&fx_hyp->host), pa, &v, 8, false, NULL),
			 PVM_E_PERM);
	expect_report(vm, &e, SMCCC_RET_SUCCESS);
	/* Unsharing a page that is not shared is refused, and nothing else happens. */
	expect_report(vm, &e, (uint64_t)(int64_t)SMCCC_RET_INVALID_PARAMETER);
	expect_off(vm, &e);
	fx_destroy(vm);
}

/* --- a non-protected VM: unknown calls go to the VMM, registers are the VMM's --- */
static void g_forward(struct pvm_sim_cpu *cpu, void *arg)
{
	uint64_t x[8] = {0xc2000042, 1, 2, 3, 4, 5, 6, 7};

	(void)arg;
	pvm_sim_cpu_hvc(cpu, x);
	report(cpu, x[0] ^ x[1] ^ x[2] ^ x[3]);
	off(cpu);
}

static void t_forward(void **state)
{
	struct pvm_exit e = {0};
	struct pvm_vcpu_regs regs;
	unsigned vm = boot(false, 1, g_forward);

	(void)state;
	run(vm, 0, &e);
	assert_int_equal(e.kind, PVM_EXIT_HVC);
	assert_int_equal(e.hvc.x[0], 0xc2000042);
	assert_int_equal(e.hvc.x[5], 5);
	assert_int_equal(pvm_vcpu_get_regs(fx_hyp, vm, 0, &regs), PVM_OK);
	assert_int_equal(regs.x[6], 6);
	e.hvc.x[0] = 0x10;
	e.hvc.x[1] = 0x20;
	e.hvc.x[2] = 0x40;
	e.hvc.x[3] = 0x80;
	expect_report(vm, &e, 0xf0);
	expect_off(vm, &e);
	fx_destroy(vm);
}

/* --- a running VM cannot be torn down; a running vCPU cannot be run twice --- */
static void t_busy(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(true, 1, g_version);

	(void)state;
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, NULL), PVM_E_INVAL);
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 5, &e), PVM_E_NOENT);
	assert_int_equal(pvm_vcpu_run(fx_hyp, 63, 0, &e), PVM_E_NOENT);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, vm, 0, pvm_ipa(FX_GUEST_RAM), 0), PVM_E_STATE);
	run(vm, 0, &e);
	/* A protected VM is booted once; vCPUs are created before it runs. */
	assert_int_equal(pvm_vcpu_create(fx_hyp, vm, pvm_pa(fx_host_page()), &(unsigned){0}, NULL),
			 PVM_E_BUSY);
	expect_report(vm, &e, PSCI_VERSION_1_1);
	expect_off(vm, &e);
	fx_destroy(vm);
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, &e), PVM_E_NOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_version, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_mmio_read, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_mem_fault, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_mmio_abort, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_protected_exit, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_wfi_irq, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_wfi_deadline, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_smp, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_share, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_forward, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_busy, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
