/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test "hello": the host runs samples/guests' hello as a protected guest,
 * through host calls only, as pvm-run does on the simulator: create the VM,
 * load the image measured, boot vCPU 0 at the image's start and run it,
 * serving its exits (its UART writes, pages for its memory faults) until it
 * powers itself off; then tear the VM down.
 *
 * Two kinds of lines on the console for the test to compare with the
 * simulator's (tests/guests/expected/hello.*): "el2-exit: " + each exit in
 * pvm-run --trace's format, and "el2-guest: " + each line the guest wrote to
 * its UART.
 */
#include <libpvm/abi.h>

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "hvc.h"
#include "print.h"
#include "pvm_layout.h"
#include "sysreg.h"

/* The exit kinds of libpvm/vcpu.h (the host has no libpvm: only the ABI). */
#define EXIT_MMIO      1
#define EXIT_MEM_FAULT 2
#define EXIT_PSCI      5
#define MEASURE_CODE   1 /* PVM_MEASURE_CODE */

#define IMAGE_PAGES 8  /* room for the guest's image */
#define FAULT_PAGES 16 /* pages for its memory faults (hello takes 2) */
#define MAX_RUNS    4096

extern const char host_guest_blob[], host_guest_blob_end[];

static uint8_t image[IMAGE_PAGES * PAGE] __attribute__((aligned(PAGE)));
static uint8_t fault_pages[FAULT_PAGES * PAGE] __attribute__((aligned(PAGE)));
static uint8_t vcpu_page[PAGE] __attribute__((aligned(PAGE)));

/* The guest's UART line being assembled. */
static char line[256];
static size_t line_len;

static void uart_byte(uint8_t c)
{
	if (c != '\n' && line_len < sizeof(line) - 1) {
		line[line_len++] = (char)c;
		return;
	}
	line[line_len] = 0;
	print("el2-guest: %s\n", line);
	line_len = 0;
}

/* Copy the image into host pages and give them to the guest, measured, at its link address. */
static void load(uint64_t vm)
{
	size_t size = (size_t)(host_guest_blob_end - host_guest_blob), pages, i;
	int64_t ret;

	CHECK(size, "the host program has no guest image (the build gave no hello.bin)");
	pages = (size + PAGE - 1) / PAGE;
	CHECK(pages <= IMAGE_PAGES, "the guest image is %zu bytes, more than %u pages", size,
	      IMAGE_PAGES);
	for (i = 0; i < IMAGE_PAGES * PAGE; i++)
		((volatile uint8_t *)image)[i] = i < size ? (uint8_t)host_guest_blob[i] : 0;
	ret = hc_topup(PVM_HC_VM_LOAD_MEASURED, vm, pa(image), PVM_LAYOUT_RAM_BASE, pages,
		       MEASURE_CODE, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VM_LOAD_MEASURED: %ld", ret);
	print("host: loaded the guest image (%zu bytes, %zu pages) at IPA 0x%x\n", size, pages,
	      PVM_LAYOUT_RAM_BASE);
}

/*
 * Serve one exit (x as PVM_HC_VCPU_RUN returned it); the next run's
 * completion goes in done[0..1] (flags, data). False when the guest is off.
 */
static bool serve(uint64_t vm, const uint64_t x[8], uint64_t done[2], unsigned *faults)
{
	uint64_t ipa = x[2];
	int64_t ret;

	done[0] = done[1] = 0;
	switch (x[1]) {
	case EXIT_MMIO: {
		bool write = (x[4] >> 8) & 1;

		print("el2-exit: exit vcpu=0 mmio %s ipa=0x%lx size=%lu data=0x%lx\n",
		      write ? "write" : "read", ipa, x[4] & 0xff, write ? x[3] : 0);
		if (write && ipa == PVM_LAYOUT_UART_BASE + PVM_LAYOUT_UART_DR)
			uart_byte((uint8_t)x[3]);
		/* A read (of UARTFR): 0, the FIFO is never full. Other devices: none here. */
		return true;
	}
	case EXIT_MEM_FAULT:
		print("el2-exit: exit vcpu=0 mem_fault ipa=0x%lx write=%lu exec=%lu\n", ipa,
		      x[3] & 1, (x[3] >> 1) & 1);
		CHECK(*faults < FAULT_PAGES, "the guest faulted on more than %u pages",
		      FAULT_PAGES);
		ret = hc_topup(PVM_HC_DONATE_GUEST, vm, pa(fault_pages + *faults * PAGE), ipa, 1, 0,
			       0, NULL);
		CHECK(ret == 0, "PVM_HC_DONATE_GUEST at IPA 0x%lx: %ld", ipa, ret);
		++*faults;
		return true;
	case EXIT_PSCI:
		print("el2-exit: exit vcpu=0 psci fn=0x%lx target=%lu\n", x[2], x[3]);
		CHECK(x[2] == PSCI_SYSTEM_OFF, "the guest called PSCI 0x%lx", x[2]);
		return false;
	default:
		fail("unexpected exit %lu: x2..x4 0x%lx 0x%lx 0x%lx", x[1], x[2], x[3], x[4]);
	}
}

void test_hello(void)
{
	uint64_t vm = vm_create(PVM_LAYOUT_RAM_SIZE), x[8], done[2] = {0, 0};
	unsigned runs = 0, faults = 0;
	uint64_t vbar = read_sysreg(vbar_el1), tpidr = 0x7e57ab1e0000cafeull;
	int64_t ret;

	/* The guest sets its own VBAR_EL1 and SP_EL1: the world switch must keep ours. */
	write_sysreg(tpidr, tpidr_el1);
	load(vm);
	ret = hc_topup(PVM_HC_VCPU_CREATE, vm, pa(vcpu_page), 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VCPU_CREATE: %ld", ret);
	ret = hvc(PVM_HC_VCPU_BOOT, vm, 0, PVM_LAYOUT_RAM_BASE, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VCPU_BOOT: %ld", ret);
	do {
		CHECK(++runs <= MAX_RUNS, "the guest still runs after %u exits", MAX_RUNS);
		x[0] = PVM_HC_VCPU_RUN;
		x[1] = vm;
		x[2] = 0;
		x[3] = done[0];
		x[4] = done[1];
		x[5] = x[6] = x[7] = 0;
		host_hvc(x);
		CHECK(x[0] == 0, "PVM_HC_VCPU_RUN: %ld", (int64_t)x[0]);
	} while (serve(vm, x, done, &faults));
	CHECK(read_sysreg(vbar_el1) == vbar && read_sysreg(tpidr_el1) == tpidr,
	      "the host's EL1 registers changed across guest runs: VBAR_EL1 0x%lx TPIDR_EL1 0x%lx",
	      read_sysreg(vbar_el1), read_sysreg(tpidr_el1));
	print("host: the guest powered off after %u runs, %u pages donated on faults\n", runs,
	      faults);
	vm_destroy(vm);
}
