/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's other CPUs, as a host kernel brings them up under pKVM: PSCI
 * CPU_ON through SMC #0, which the hypervisor traps (HCR_EL2.TSC), checks
 * and relays to the firmware with its own entry point, so that the CPU
 * comes up at EL2 in the hypervisor and reaches host_secondary_start (at
 * EL1, behind the host's stage-2, x0 = the context id given here) only
 * through it. A started CPU sets up its own GIC redistributor and CPU
 * interface and then waits for work (host_cpu_post()), woken by the
 * host's kick (SGI 1); guest.c gives it a vCPU loop.
 *
 * Test "cpus": the hypervisor's side of PSCI for the host. Bad CPU_ON
 * calls — an MPIDR that is no CPU, an entry point in the hypervisor's
 * image, in a page the host gave the hypervisor or a guest, misaligned —
 * get their PSCI error and leave the CPU off; CPU_ON of a CPU that is on
 * gets ALREADY_ON; calls the hypervisor refuses (SYSTEM_SUSPEND, an
 * unknown SMC) get NOT_SUPPORTED. Then CPU 1 comes up, proves that it runs
 * at EL1 behind the stage-2 (a page the host gave away aborts there as on
 * CPU 0) and can make host calls, goes off with CPU_OFF and comes up again.
 */
#include <libpvm/abi.h>

#include "fpregs.h"
#include "host.h"
#include "hvc.h"
#include "print.h"
#include "sysreg.h"

#define UP_TIMEOUT_US	    1000000 /* for a CPU to come up or go off */
#define PSCI_SYSTEM_SUSPEND 0xc400000eu
#define SMC_SIP_CALL	    0xc2000000u /* a silicon-provider call: no one's here */
#define HYP_IMAGE_OFFSET    0x200000u	/* the hypervisor's image: 2 MiB below the host */
#define PS_POWERDOWN	    (1u << 16)	/* power_state, original format (the firmware's) */

extern char host_secondary_start[], host_start[];
void host_secondary_main(uint64_t ctx);

static struct {
	volatile bool online;
	volatile uint64_t ctx; /* the x0 it came up with */
	void (*volatile fn)(void *);
	void *volatile arg;
	volatile unsigned poster;
} cpus[HOST_CPUS];

unsigned host_cpu(void)
{
	return (unsigned)(read_sysreg(mpidr_el1) & 0xff);
}

void host_secondary_main(uint64_t ctx)
{
	unsigned me = host_cpu();

	fpregs_enable();
	host_gic_cpu_init();
	cpus[me].ctx = ctx;
	__atomic_store_n(&cpus[me].online, true, __ATOMIC_RELEASE);
	host_kick(0);
	for (;;) {
		void (*fn)(void *) = __atomic_load_n(&cpus[me].fn, __ATOMIC_ACQUIRE);

		if (!fn) {
			host_sleep(UINT64_MAX); /* until a kick */
			continue;
		}
		fn(cpus[me].arg);
		__atomic_store_n(&cpus[me].fn, NULL, __ATOMIC_RELEASE);
		host_kick(cpus[me].poster);
	}
}

/* Until cond() holds or the time is up: false then. */
static bool wait_for(bool (*cond)(unsigned), unsigned cpu)
{
	uint64_t end = host_now() + read_sysreg(cntfrq_el0) * (UP_TIMEOUT_US / 1000) / 1000;

	while (!cond(cpu)) {
		if (host_now() >= end)
			return false;
		host_sleep(host_now() + read_sysreg(cntfrq_el0) / 10000); /* 100 us, or a kick */
	}
	return true;
}

static bool is_online(unsigned cpu)
{
	return __atomic_load_n(&cpus[cpu].online, __ATOMIC_ACQUIRE);
}

static bool is_off(unsigned cpu)
{
	return host_psci(PSCI_AFFINITY_INFO64, cpu, 0, 0) == PSCI_AFF_OFF;
}

bool host_cpu_up(unsigned cpu)
{
	int64_t ret;

	if (cpu >= HOST_CPUS || is_online(cpu))
		return cpu < HOST_CPUS;
	ret = host_psci(PSCI_CPU_ON64, cpu, pa(host_secondary_start), cpu);
	CHECK(ret == PSCI_RET_SUCCESS, "CPU_ON of CPU %u: %ld", cpu, ret);
	return wait_for(is_online, cpu);
}

void host_cpu_post(unsigned cpu, void (*fn)(void *), void *arg)
{
	CHECK(cpu < HOST_CPUS && cpu != host_cpu() && is_online(cpu) && !cpus[cpu].fn,
	      "CPU %u cannot take work", cpu);
	cpus[cpu].arg = arg;
	cpus[cpu].poster = host_cpu();
	__atomic_store_n(&cpus[cpu].fn, fn, __ATOMIC_RELEASE);
	host_kick(cpu);
}

void host_cpu_join(unsigned cpu)
{
	while (__atomic_load_n(&cpus[cpu].fn, __ATOMIC_ACQUIRE))
		host_sleep(UINT64_MAX); /* its kick when done */
}

void host_cpu_call(unsigned cpu, void (*fn)(void *), void *arg)
{
	host_cpu_post(cpu, fn, arg);
	host_cpu_join(cpu);
}

/* Pages of the test: one given to the hypervisor, one to a guest. */
static uint8_t hyp_page[PAGE] __attribute__((aligned(PAGE)));
static uint8_t guest_pg[PAGE] __attribute__((aligned(PAGE)));

/* What CPU 1 finds out about itself, for CPU 0 to check. */
static struct {
	uint64_t el, mpidr, ctx, version;
	unsigned aborts;
	uint64_t far;
} seen;

static void on_cpu1(void *arg)
{
	(void)arg;
	seen.el = read_sysreg(CurrentEL) >> 2;
	seen.mpidr = read_sysreg(mpidr_el1);
	seen.ctx = cpus[host_cpu()].ctx;
	(void)hvc(PVM_HC_VERSION, 0, 0, 0, 0, 0, 0, (uint64_t *)&seen.version);
	/* The page the host gave the hypervisor: out of this CPU's stage-2 as well. */
	seen.aborts = touch((volatile uint64_t *)hyp_page, false);
	seen.far = host_abort_far();
}

static void cpu_off(void *arg)
{
	(void)arg;
	__atomic_store_n(&cpus[host_cpu()].online, false, __ATOMIC_RELEASE);
	host_psci(PSCI_CPU_OFF, 0, 0, 0);
	fail("CPU_OFF returned");
}

/* A CPU_ON that must fail with want and leave CPU 1 off. */
static void bad_cpu_on(const char *what, uint64_t mpidr, uint64_t entry, int64_t want)
{
	int64_t ret = host_psci(PSCI_CPU_ON64, mpidr, entry, 1);

	CHECK(ret == want, "CPU_ON with %s: %ld, expected %ld", what, ret, want);
	CHECK(is_off(1) && !is_online(1), "CPU_ON with %s started CPU 1", what);
	print("host: CPU_ON with %s: %ld\n", what, ret);
}

void test_cpus(void)
{
	uint64_t entry = pa(host_secondary_start), vm;
	int64_t ret, v = host_psci(PSCI_VERSION, 0, 0, 0);

	CHECK(v >= 0x10000, "PSCI_VERSION 0x%lx (1.0 or later expected)", (uint64_t)v);
	CHECK(host_psci(PSCI_FEATURES, PSCI_CPU_ON64, 0, 0) == PSCI_RET_SUCCESS &&
		      host_psci(PSCI_FEATURES, PSCI_SYSTEM_SUSPEND, 0, 0) == PSCI_RET_NOT_SUPPORTED,
	      "PSCI_FEATURES of CPU_ON and SYSTEM_SUSPEND");
	ret = host_psci(PSCI_SYSTEM_SUSPEND, entry, 0, 0);
	CHECK(ret == PSCI_RET_NOT_SUPPORTED, "SYSTEM_SUSPEND: %ld", ret);
	ret = host_psci(SMC_SIP_CALL, 0, 0, 0);
	CHECK(ret == SMCCC_RET_NOT_SUPPORTED, "an unknown SMC: %ld", ret);
	print("host: PSCI %ld.%ld through SMC; SYSTEM_SUSPEND and unknown SMCs refused\n", v >> 16,
	      v & 0xffff);
	CHECK(!is_online(1) && is_off(1), "CPU 1 is not off at the start");

	/* Pages that are no longer the host's: the hypervisor's, a guest's. */
	ret = hc_topup(PVM_HC_DONATE_HYP, pa(hyp_page), 1, 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_DONATE_HYP: %ld", ret);
	vm = vm_create(16 * PAGE);
	ret = hc_topup(PVM_HC_DONATE_GUEST, vm, pa(guest_pg), VM_RAM_IPA, 1, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_DONATE_GUEST: %ld", ret);
	bad_cpu_on("MPIDR 7 (no such CPU)", 7, entry, PSCI_RET_INVALID_PARAMETERS);
	bad_cpu_on("MPIDR 0x100 (Aff1 1)", 0x100, entry, PSCI_RET_INVALID_PARAMETERS);
	bad_cpu_on("MPIDR 0x80000001 (bit 31)", 0x80000001ull, entry, PSCI_RET_INVALID_PARAMETERS);
	bad_cpu_on("the entry in the hypervisor's image", 1, pa(host_start) - HYP_IMAGE_OFFSET,
		   PSCI_RET_INVALID_ADDRESS);
	bad_cpu_on("the entry in a page given to the hypervisor", 1, pa(hyp_page),
		   PSCI_RET_INVALID_ADDRESS);
	bad_cpu_on("the entry in a page given to a guest", 1, pa(guest_pg),
		   PSCI_RET_INVALID_ADDRESS);
	bad_cpu_on("a misaligned entry", 1, entry + 2, PSCI_RET_INVALID_ADDRESS);
	ret = host_psci(PSCI_CPU_SUSPEND64, PS_POWERDOWN, pa(hyp_page), 0);
	CHECK(ret == PSCI_RET_INVALID_ADDRESS, "CPU_SUSPEND to a hypervisor page: %ld", ret);
	print("host: CPU_SUSPEND (power down) with the entry in a page given to the hypervisor: "
	      "%ld\n",
	      ret);
	ret = host_psci(PSCI_CPU_ON64, 0, entry, 0);
	CHECK(ret == PSCI_RET_ALREADY_ON, "CPU_ON of CPU 0, which runs this: %ld", ret);
	print("host: CPU_ON of CPU 0 (on): %ld (ALREADY_ON)\n", ret);

	/* The real one, twice: up, off, up again. */
	for (unsigned round = 1; round <= 2; round++) {
		CHECK(host_cpu_up(1), "CPU 1 did not come up (round %u)", round);
		host_cpu_call(1, on_cpu1, NULL);
		CHECK(seen.el == 1 && (seen.mpidr & 0xff) == 1 && seen.ctx == 1,
		      "CPU 1 runs at EL%lu with MPIDR 0x%lx and context id %lu", seen.el,
		      seen.mpidr, seen.ctx);
		CHECK(seen.version == PVM_HC_ABI_VERSION, "PVM_HC_VERSION on CPU 1: 0x%lx",
		      seen.version);
		CHECK(seen.aborts == 1 && seen.far == pa(hyp_page),
		      "CPU 1 read a page given to the hypervisor: %u aborts, FAR 0x%lx",
		      seen.aborts, seen.far);
		ret = host_psci(PSCI_CPU_ON64, 1, entry, 1);
		CHECK(ret == PSCI_RET_ALREADY_ON, "a second CPU_ON of CPU 1: %ld", ret);
		print("host: CPU 1 up (round %u) at EL%lu, MPIDR 0x%lx, x0 %lu: host calls work, "
		      "the "
		      "hypervisor's page aborts there too; CPU_ON again: %ld (ALREADY_ON)\n",
		      round, seen.el, seen.mpidr, seen.ctx, ret);
		if (round == 2)
			break;
		host_cpu_post(1, cpu_off, NULL);
		CHECK(wait_for(is_off, 1), "CPU 1 did not go off");
		cpus[1].fn = NULL; /* it never returned from CPU_OFF */
		print("host: CPU 1 off (CPU_OFF, AFFINITY_INFO says so)\n");
	}

	vm_destroy(vm);
	ret = hvc(PVM_HC_RECLAIM_HYP, pa(hyp_page), 1, 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_RECLAIM_HYP: %ld", ret);
}
