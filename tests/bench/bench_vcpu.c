/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run-loop benchmarks on the simulated machine.
 *
 *   exit_mmio_per_sec      MMIO exits to the VMM and back per second, with a
 *                          C-function guest storing to a device in a loop
 *                          (median of several runs).
 *   exit_unicorn_per_sec   the same with a binary guest on Unicorn.
 *   exit_hvc_inhyp_instr   (--callgrind) instructions executed in the core
 *                          (functions of src/) per HVC handled inside the
 *                          hypervisor (SMCCC_VERSION), counted by callgrind
 *                          inside pvm_vcpu_run(): the simulated world switch
 *                          and the guest are excluded.
 *
 * --quick runs each briefly (CTest keeps the benchmark working, never
 * judges its speed).
 */
#include <libpvm/attest.h>
#include <libpvm/pvm.h>
#include <libpvm/sim.h>
#include <libpvm/sim_vcpu.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

#define MiB	  (1ull << 20)
#define RAM	  0x40000000ull
#define GUEST_RAM 0x80000000ull
#define MMIO	  0x09000000ull
#define PAGE	  4096ull

static const char *prog = "bench_vcpu";
static struct pvm_hyp *hyp;
static uint64_t next_page = RAM;
static unsigned long long loops;

static uint64_t host_pages(uint64_t n, uint64_t align)
{
	uint64_t pa = (next_page + align * PAGE - 1) & ~(align * PAGE - 1);

	next_page = pa + n * PAGE;
	return pa;
}

static void machine(void)
{
	struct pvm_sim_config mc = {.ram_base = RAM, .ram_size = 64 * MiB};
	struct pvm_hyp_config cfg = {.ram_base = RAM,
				     .ram_size = 64 * MiB,
				     .hyp_base = RAM + 60 * MiB,
				     .hyp_size = 4 * MiB,
				     .pa_bits = 40};

	bench_check(prog, pvm_sim_init(&mc), "sim");
	bench_check(prog, pvm_hyp_init(&cfg, &hyp, NULL), "mem");
	next_page = RAM;
}

static unsigned vm_with_vcpu(void)
{
	struct pvm_vm_config vc = {
		.ipa_bits = 36, .protected_vm = true, .ram_base = GUEST_RAM, .ram_size = 2 * MiB};
	uint64_t n = pvm_vm_create_pages(36);
	unsigned vm, idx;

	bench_check(prog, pvm_vm_create(hyp, &vc, pvm_pa(host_pages(n, n)), n, &vm, NULL), "vm");
	bench_check(prog, pvm_vcpu_create(hyp, vm, pvm_pa(host_pages(1, 1)), &idx, NULL), "vcpu");
	bench_check(prog, pvm_vcpu_boot(hyp, vm, 0, pvm_ipa(GUEST_RAM), 0), "boot");
	return vm;
}

/* The C guests: an MMIO store loop, and an HVC loop ending in one MMIO store. */
static void g_mmio(struct pvm_sim_cpu *cpu, void *arg)
{
	(void)arg;
	for (;;)
		pvm_sim_cpu_write(cpu, MMIO, 4, 1);
}

static void g_hvc(struct pvm_sim_cpu *cpu, void *arg)
{
	unsigned long long i;

	(void)arg;
	for (;;) {
		for (i = 0; i < loops; i++) {
			uint64_t x[8] = {SMCCC_VERSION};

			pvm_sim_cpu_hvc(cpu, x);
		}
		pvm_sim_cpu_write(cpu, MMIO, 4, 1);
	}
}

/*
 * The Unicorn guest: `mov x2, #0x09000000; 1: str w1, [x2]; b 1b`.
 * movz x2, #0x900, lsl #16 = 0xd2a12002; str w1, [x2] = 0xb9000041;
 * b .-4 = 0x17ffffff.
 */
static const uint32_t uc_mmio_loop[] = {0xd2a12002, 0xb9000041, 0x17ffffff};

static double mmio_rate(bool unicorn, unsigned long long n)
{
	struct pvm_exit e = {0};
	unsigned vm;
	unsigned long long i;
	uint64_t pa;
	double t0, t1;

	machine();
	vm = vm_with_vcpu();
	pa = host_pages(1, 1);
	memcpy(pvm_sim_ram(pvm_pa(pa), PAGE), uc_mmio_loop, sizeof(uc_mmio_loop));
	/* The code reaches the protected guest the only way host bytes can: measured. */
	bench_check(prog,
		    pvm_vm_load_measured(hyp, vm, pvm_pa(pa), pvm_ipa(GUEST_RAM), 1,
					 PVM_MEASURE_CODE, NULL),
		    "load");
	if (unicorn)
		bench_check(prog, pvm_sim_vcpu_attach_unicorn(vm, 0), "unicorn");
	else
		bench_check(prog, pvm_sim_vcpu_attach_fn(vm, 0, g_mmio, NULL), "attach");
	/* Warm up: the first exits map code and fill the TLB. */
	for (i = 0; i < 100; i++)
		bench_check(prog, pvm_vcpu_run(hyp, vm, 0, &e), "run");
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		bench_check(prog, pvm_vcpu_run(hyp, vm, 0, &e), "run");
		if (e.kind != PVM_EXIT_MMIO) {
			fprintf(stderr, "%s: unexpected exit %u\n", prog, e.kind);
			exit(1);
		}
	}
	t1 = now_ns();
	pvm_sim_fini();
	return (double)n / ((t1 - t0) / 1e9);
}

/* Under callgrind: one pvm_vcpu_run() serving `loops` HVCs in the hypervisor. */
static void hvc_once(void)
{
	struct pvm_exit e = {0};
	unsigned vm;

	machine();
	vm = vm_with_vcpu();
	bench_check(prog, pvm_sim_vcpu_attach_fn(vm, 0, g_hvc, NULL), "attach");
	/* One warm-up run (first entry, TLB), then the measured one. */
	bench_check(prog, pvm_vcpu_run(hyp, vm, 0, &e), "run");
	bench_check(prog, pvm_vcpu_run(hyp, vm, 0, &e), "run");
	pvm_sim_fini();
}

/*
 * Sum the self cost of the core's functions (those defined in src/) in a
 * callgrind profile, as callgrind_annotate lists them per file. The libc
 * string functions the core calls (memcpy, memset) are not counted: on the
 * EL2 port they are the port's.
 */
static unsigned long long core_instructions(const char *out)
{
	char cmd[512], line[1024];
	unsigned long long sum = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "callgrind_annotate --threshold=100 --auto=no %s", out);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char digits[64];
		unsigned long long v = 0;
		size_t i, j = 0;

		/* "1,234,567 (12.3%)  src/file.c:function [binary]" (paths relative to the tree) */
		if (!strstr(line, " src/") && !strstr(line, "/src/"))
			continue;
		for (i = 0; line[i] == ' '; i++)
			;
		for (; line[i] && line[i] != ' ' && j < sizeof(digits) - 1; i++)
			if (line[i] != ',')
				digits[j++] = line[i];
		digits[j] = 0;
		if (sscanf(digits, "%llu", &v) == 1)
			sum += v;
	}
	pclose(f);
	return sum;
}

static int callgrind(const char *self, unsigned long long n)
{
	char cmd[1024];
	const char *out = "bench_vcpu.callgrind.out";
	unsigned long long a, b;

	/*
	 * Two profiles, of n and 2n calls per run (two runs each): the
	 * difference is 2n calls' worth, with the fixed costs of entering and
	 * leaving pvm_vcpu_run() and of the MMIO exit cancelled.
	 */
	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --callgrind-out-file=%s --collect-atstart=no "
		 "--toggle-collect=pvm_vcpu_run %s --hvc-once %llu >/dev/null 2>&1",
		 out, self, n);
	if (system(cmd) != 0 || !(a = core_instructions(out)))
		goto fail;
	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --callgrind-out-file=%s --collect-atstart=no "
		 "--toggle-collect=pvm_vcpu_run %s --hvc-once %llu >/dev/null 2>&1",
		 out, self, 2 * n);
	if (system(cmd) != 0 || !(b = core_instructions(out)) || b <= a)
		goto fail;
	unlink(out);
	printf("BENCH exit_hvc_inhyp_instr %.1f instructions/call\n",
	       (double)(b - a) / (double)(2 * n));
	return 0;
fail:
	fprintf(stderr, "%s: callgrind measurement failed: %s\n", prog, cmd);
	return 1;
}

int main(int argc, char **argv)
{
	bool quick = false, with_callgrind = false;
	unsigned long long n;
	double rates[7];
	int i, reps;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = true;
		else if (!strcmp(argv[i], "--callgrind"))
			with_callgrind = true;
		else if (!strcmp(argv[i], "--hvc-once") && i + 1 < argc) {
			loops = strtoull(argv[++i], NULL, 0);
			hvc_once();
			return 0;
		} else {
			fprintf(stderr, "usage: %s [--quick] [--callgrind]\n", argv[0]);
			return 2;
		}
	}
	n = quick ? 2000 : 1000000;
	reps = quick ? 1 : 7;
	for (i = 0; i < reps; i++)
		rates[i] = mmio_rate(false, n);
	printf("BENCH exit_mmio_per_sec %.0f exits/s\n", median(rates, reps));
	for (i = 0; i < reps; i++)
		rates[i] = mmio_rate(true, quick ? 2000 : 200000);
	printf("BENCH exit_unicorn_per_sec %.0f exits/s\n", median(rates, reps));
	if (with_callgrind)
		return callgrind(argv[0], quick ? 1000 : 10000);
	return 0;
}
