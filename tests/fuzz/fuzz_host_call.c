/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the host-call ABI (pvm_host_call(), abi.h) with
 * arbitrary registers, on the simulator.
 *
 * The machine is built once: 4 MiB of RAM (small, so that copying it is
 * cheap), the hypervisor in a 512 KiB carve-out, attestation on, a protected and a non-protected VM
 * with a vCPU each and some pages. All of the hypervisor's state (object, page metadata, tables,
 * pool, VMs) lives in simulated RAM, so every input starts from a copy of that RAM taken after the
 * set-up. An input is a sequence of calls; each register is decoded from a selector byte (a managed
 * page, a small number, a guest IPA, or 8 raw bytes) so the fuzzer reaches deep states and every
 * edge. After each call:
 *   - pvm_mem_check() must hold (every ownership invariant);
 *   - a refused call (x0 an error) must have changed nothing at all: the
 *     RAM (and so every byte of the hypervisor's state) is compared with a
 *     copy taken before the call.
 * A broken oracle aborts, which libFuzzer reports as a crash with the input.
 * VCPU_RUN is not called: its vCPUs would need a CPU model (Unicorn).
 */
#include <libpvm/abi.h>
#include <libpvm/attest.h>
#include <libpvm/host_call.h>
#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB	  (1ull << 20)
#define PAGE	  PVM_PAGE_SIZE
#define RAM	  0x40000000ull
#define RAM_SIZE  (4 * MiB)
#define CARVE	  (512 * 1024ull)
#define NPAGES	  ((RAM_SIZE - CARVE) / PAGE) /* the host's pages */
#define MAX_CALLS 8

static struct pvm_hyp *hyp;
static uint8_t *ram, *initial, *before;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_host_call: %s\n", what);
	abort();
}

static void call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t x[8] = {fn, a1, a2, a3, a4, a5, 0, 0};

	pvm_host_call(hyp, x);
	if (x[0])
		die("set-up call failed");
}

static void setup(void)
{
	struct pvm_sim_config sc = {.ram_base = RAM, .ram_size = RAM_SIZE};
	struct pvm_hyp_config hc = {.ram_base = RAM,
				    .ram_size = RAM_SIZE,
				    .hyp_base = RAM + RAM_SIZE - CARVE,
				    .hyp_size = CARVE,
				    .pa_bits = 40};
	struct pvm_attest_config ac = {.mode = 1};

	if (pvm_sim_init(&sc) || pvm_hyp_init(&hc, &hyp, NULL))
		die("set-up: machine");
	memset(ac.uds, 0x5a, sizeof(ac.uds));
	if (pvm_attest_init(hyp, &ac))
		die("set-up: attestation");
	/* VM 0 protected, VM 1 not: 36-bit IPA, two pages each, at 1 MiB and 1 MiB + 64 KiB. */
	call(PVM_HC_VM_CREATE, 1, 36, RAM + 1 * MiB, 2, 0x80000000ull);
	call(PVM_HC_VM_CREATE, 0, 36, RAM + 1 * MiB + 0x10000, 2, 0x80000000ull);
	call(PVM_HC_VCPU_CREATE, 0, RAM + 1 * MiB + 0x20000, 0, 0, 0);
	call(PVM_HC_VCPU_CREATE, 1, RAM + 1 * MiB + 0x21000, 0, 0, 0);
	call(PVM_HC_DONATE_GUEST, 0, RAM + 2 * MiB, 0x80000000ull, 4, 0);
	call(PVM_HC_SHARE_GUEST, 1, RAM + 2 * MiB + 0x10000, 0x80000000ull, 4, 0);
	ram = pvm_sim_ram(pvm_pa(RAM), RAM_SIZE);
	initial = malloc(RAM_SIZE);
	before = malloc(RAM_SIZE);
	if (!ram || !initial || !before)
		die("set-up: memory");
	memcpy(initial, ram, RAM_SIZE);
}

/* The input, consumed a byte at a time (zeroes once it runs out). */
struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static uint64_t bytes(struct input *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)byte(in) << (8 * i);
	return v;
}

/* One register: a selector byte, then what it selects. */
static uint64_t reg(struct input *in)
{
	uint8_t sel = byte(in);

	switch (sel & 7) {
	case 0: /* a host page (or the carve-out's first pages) */
		return RAM + (bytes(in, 2) % (NPAGES + 16)) * PAGE;
	case 1: /* a small number: a handle, an index, a count, flags */
		return sel >> 3;
	case 2: /* a guest IPA near the VMs' pages */
		return 0x80000000ull + (bytes(in, 1) << 12);
	case 3: /* a page count */
		return 1 + (sel >> 3);
	case 4: /* an INTID */
		return bytes(in, 1);
	default: /* anything */
		return bytes(in, 8);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct pvm_mem_report r;

	if (!hyp)
		setup();
	memcpy(ram, initial, RAM_SIZE);
	for (unsigned n = 0; n < MAX_CALLS && in.left; n++) {
		uint64_t x[8];
		uint8_t f = byte(&in);

		x[0] = f < 0xf0 ? PVM_HC_BASE + f % (PVM_HC_END - PVM_HC_BASE) : bytes(&in, 4);
		if (x[0] == PVM_HC_VCPU_RUN)
			continue;
		for (unsigned i = 1; i < 8; i++)
			x[i] = reg(&in);
		memcpy(before, ram, RAM_SIZE);
		pvm_host_call(hyp, x);
		if (pvm_mem_check(hyp, &r) != PVM_OK) {
			fprintf(stderr, "call 0x%llx: invariant: %s (pa 0x%llx)\n",
				(unsigned long long)x[0], r.what, (unsigned long long)r.pa);
			die("pvm_mem_check() failed");
		}
		/* A refused call changes nothing: x0 an error (negative). */
		if ((int64_t)x[0] < 0 && memcmp(before, ram, RAM_SIZE)) {
			size_t off = 0;

			while (before[off] == ram[off])
				off++;
			fprintf(stderr, "call %u refused (%lld) but changed RAM at PA 0x%llx\n",
				f < 0xf0 ? f % (PVM_HC_END - PVM_HC_BASE) : 0xff, (long long)x[0],
				(unsigned long long)(RAM + off));
			die("a refused call changed state");
		}
	}
	return 0;
}
