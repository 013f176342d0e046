/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests "hello", "share", "smp", "hostile", "attest", "fpu", "irq"
 * (EL2_GUESTS): the host runs the sample guest of the test's name
 * (samples/guests' NAME.bin, embedded by guest_blob.S) as a protected
 * guest, through host calls only, as pvm-run does on the simulator and in
 * the order of docs/attestation.md §1.3: create the VM and its two vCPUs,
 * load the image measured page by page, then pvm-run's device tree
 * (guest_dtb.c) measured page by page, boot vCPU 0 at the image's start
 * with the tree in x0 and run its vCPUs, serving their exits until the
 * guest powers itself off; then tear the VM down and check that every page
 * it had comes back zeroed. So the RIM is pvm-run's for the same guest: the
 * sample guests' file contents are all in their R X segment (.data is
 * empty), whose pages pvm-run loads as code, as here.
 *
 * guest_run() does all this for a plan (host.h: struct guest_plan), which
 * the attack tests (attack.c) change: a page of the host's besides the image
 * and tree, vCPU 0's entry, a seal by the host before the run, a run that
 * ends at the first guest fault.
 *
 * Test "attest_np": the attest guest as a non-protected VM, whose memory the
 * host lends (PVM_HC_SHARE_GUEST) rather than gives, measures nothing and
 * keeps; its evidence says so (mode 2, debug).
 *
 * The exits are served as pvm-run serves them (samples/pvm-run/vmm.c,
 * devices.c): UART writes, the mailbox device (which reads guest memory as
 * the host, through the host's own stage-2), pages for memory faults, pool
 * pages, and an abort for any other MMIO access. The mailbox's CHALLENGE
 * register gives the boot's challenge ("el2-challenge=<hex>") to the attest
 * guest, written as the host into the page the guest names (a page it did
 * not share takes the host a stage-2 abort, and the guest gets nothing).
 * A blob handed over through
 * the mailbox (the attest guest's evidence) is printed in hex between
 * "el2-evidence-begin" and "el2-evidence-end": this VMM has no verifier, the
 * test script runs pvm-verify on it (guest.sh), where pvm-run verifies.
 * For guests that take interrupts: a GICv3 distributor and redistributors
 * (guest_gic.c) and the mailbox's doorbell.
 *
 * Every physical CPU of the host runs vCPUs (smp.c brings them up through
 * the hypervisor): vCPU v belongs to CPU v % HOST_CPUS, and each CPU runs
 * its own loop over its own vCPUs, as a host kernel's scheduler would:
 * each run gets a time slice (the CPU's CNTP tick, gic.c), a vCPU whose
 * slice ends (INTERRUPTED) yields to the CPU's next runnable one, a vCPU
 * the guest started with PSCI CPU_ON becomes runnable (its CPU is kicked,
 * SGI 1), one in WFI waits until its timer deadline (the WFI exit's) or an
 * injected interrupt. So smp's vCPU 1 runs on CPU 1 while its vCPU 0 polls
 * AFFINITY_INFO on CPU 0, inside the hypervisor, at the same time; the
 * host reports which CPU ran which vCPU and fails a guest that started a
 * second vCPU if no two runs ever overlapped. The VMM's state (g) is
 * shared under g.lock, taken to pick a vCPU and to serve an exit, never
 * across a run; the exits of each vCPU come in its order, which is what
 * the expected files compare.
 *
 * Around every run the host holds values of its own in its FP/SIMD
 * registers (fpregs.h, a new seed each run) and checks them afterwards: a
 * guest using FP/SIMD (fpu) must not leave a trace in them.
 *
 * Two kinds of lines on the console for the test to compare with the
 * simulator's (tests/guests/expected/NAME.*): "el2-exit: " + each exit in
 * pvm-run --trace's format, and "el2-guest: " + each line pvm-run prints on
 * its standard output: the guest's UART lines and the mailbox's lines.
 */
#include <libpvm/abi.h>
#include <libpvm/types.h>

#include <stddef.h>
#include <stdint.h>

#include "bootargs.h"
#include "el2_tests.h"
#include "fpregs.h"
#include "pl011_model.h"
#include "host.h"
#include "hvc.h"
#include "print.h"
#include "pvm_layout.h"
#include "sysreg.h"

/* The exit kinds of libpvm/vcpu.h (the host has no libpvm: only the ABI). */
#define EXIT_MMIO	 1
#define EXIT_MEM_FAULT	 2
#define EXIT_WFI	 3
#define EXIT_HVC	 4
#define EXIT_PSCI	 5
#define EXIT_MEM_SHARE	 6
#define EXIT_GUEST_FAULT 7
#define EXIT_NEED_PAGES	 9
#define EXIT_INTERRUPTED 10
#define EXIT_IPI	 11
#define SHARE_RELINQUISH 2 /* PVM_SHARE_OP_RELINQUISH */
#define MEASURE_CODE	 1 /* PVM_MEASURE_CODE */
#define MEASURE_DATA	 2 /* PVM_MEASURE_DATA */
#define FDT_PAGES	 (PVM_LAYOUT_FDT_SIZE / PAGE)
#define NO_DEADLINE	 UINT64_MAX /* PVM_WFI_NO_DEADLINE */

#define IMAGE_PAGES 8  /* room for the guest's image */
#define FAULT_PAGES 16 /* pages for its memory faults (hello takes 2, share and hostile 3) */
#define VCPUS	    2  /* as pvm-run: hostile's CPU_ON checks need a vCPU with MPIDR 1 */
#define MAX_RUNS    4096
#define LINUX_RUNS  (1u << 24) /* Linux: every UART byte and timer tick is an exit */
#define SLICE_US    1000       /* a vCPU's time slice */

_Static_assert(VCPUS <= GUEST_GIC_CPUS, "every vCPU has a redistributor");

/* What the scheduler knows of a vCPU. */
enum vcpu_state {
	VCPU_OFF,  /* not started, or switched off */
	VCPU_RUN,  /* runnable */
	VCPU_WAIT, /* in WFI: until deadline, or an injected interrupt */
};

/* The embedded images (guest_blob.S). */
#define EL2_GUEST_EXTERN(n) extern const char host_guest_##n[], host_guest_##n##_end[];
EL2_GUESTS(EL2_GUEST_EXTERN)
#undef EL2_GUEST_EXTERN

static const struct guest_image {
	const char *name;
	const char *start, *end;
} guest_images[] = {
#define EL2_GUEST_IMAGE(n) {#n, host_guest_##n, host_guest_##n##_end},
	EL2_GUESTS(EL2_GUEST_IMAGE)
#undef EL2_GUEST_IMAGE
};

static uint8_t image[IMAGE_PAGES * PAGE] __attribute__((aligned(PAGE)));
static uint8_t fault_pages[FAULT_PAGES * PAGE] __attribute__((aligned(PAGE)));
static uint8_t vcpu_pages[VCPUS][PAGE] __attribute__((aligned(PAGE)));
static uint8_t dtb_pages[FDT_PAGES * PAGE] __attribute__((aligned(PAGE)));
static uint8_t extra_page[PAGE] __attribute__((aligned(PAGE))); /* guest_plan's extra page */
static uint8_t spare_page[PAGE] __attribute__((aligned(PAGE))); /* refused VCPU_CREATEs */
static uint8_t blob[PVM_LAYOUT_MAILBOX_BLOB_MAX];

/* What one run of a guest keeps: its image, the IPAs it got pages for, the mailbox. */
static struct {
	const struct guest_image *img;
	bool is_linux;		 /* test "linux": an arm64 Image (linux.c), its exits untraced */
	bool protected_vm;	 /* false: its memory is lent (PVM_HC_SHARE_GUEST), not given */
	uint64_t extra_ipa;	 /* the plan's extra page (0: none) */
	bool until_fault;	 /* the run ends at the first guest fault */
	bool faulted;		 /* it did: */
	uint64_t fault_kind;	 /* PVM_FAULT_* */
	uint64_t fault_ipa_seen; /* and its IPA */
	unsigned uart_bytes;	 /* bytes the guest wrote to its UART */
	struct pl011_model uart; /* its UART */
	size_t image_pages;
	uint64_t fault_ipa[FAULT_PAGES]; /* fault_pages[i] backs fault_ipa[i]; 0: none (any more) */
	unsigned faults;
	uint32_t mailbox_status;
	uint64_t blob_ipa;
	uint8_t challenge[PVM_LAYOUT_CHALLENGE_MAX]; /* el2-challenge=: for the CHALLENGE register
						      */
	size_t challenge_len;
	char line[256]; /* the guest's UART line being assembled */
	size_t line_len;
	struct {
		enum vcpu_state state;
		uint64_t deadline; /* VCPU_WAIT: when its timer fires (NO_DEADLINE: never) */
		uint64_t done[2];  /* the completion of its last exit: flags, data */
		unsigned ran_on;   /* the physical CPUs that ran it (bit n: CPU n) */
	} cpu[VCPUS];
	bool woke[HOST_CPUS]; /* an interrupt was injected: that CPU's waiting vCPUs may run */
	uint32_t lock;
	bool off;	  /* the guest powered itself off */
	unsigned runs;	  /* VCPU_RUN calls, every CPU */
	unsigned running; /* CPUs inside VCPU_RUN now */
	unsigned most;	  /* the most at once */
} g;

/* Wake the CPU that owns vCPU v (if another), or every other CPU (v < 0). */
static void kick_for(int v)
{
	for (unsigned c = 0; c < HOST_CPUS; c++)
		if (c != host_cpu() && (v < 0 || (unsigned)v % HOST_CPUS == c))
			host_kick(c);
}

/* An interrupt was injected: every waiting vCPU may run (a WFI may always end early). */
static void wake_all(void)
{
	for (unsigned c = 0; c < HOST_CPUS; c++)
		g.woke[c] = true;
	kick_for(-1);
}

/* An exit, as pvm-run --trace prints it: not for Linux, whose exits are too many. */
static void trace(const char *fmt, ...)
{
	va_list ap;

	if (g.is_linux)
		return;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void uart_byte(uint8_t c)
{
	g.uart_bytes++;
	if (c != '\n' && g.line_len < sizeof(g.line) - 1) {
		if (c != '\r')
			g.line[g.line_len++] = (char)c;
		return;
	}
	g.line[g.line_len] = 0;
	print("el2-guest: %s\n", g.line);
	g.line_len = 0;
}

/*
 * Give guest page ipa from host page p: measured with flags kind (a
 * protected VM: one page per call, docs/attestation.md §1.3), lent
 * (a non-protected one), or donated plainly (kind 0: zero memory).
 */
static void give_page(uint64_t vm, const uint8_t *p, uint64_t ipa, unsigned kind)
{
	int64_t ret;

	if (!g.protected_vm)
		ret = hc_topup(PVM_HC_SHARE_GUEST, vm, pa(p), ipa, 1, 0, 0, NULL);
	else if (kind)
		ret = hc_topup(PVM_HC_VM_LOAD_MEASURED, vm, pa(p), ipa, 1, kind, 0, NULL);
	else
		ret = hc_topup(PVM_HC_DONATE_GUEST, vm, pa(p), ipa, 1, 0, 0, NULL);
	CHECK(ret == 0, "giving IPA 0x%lx to the guest (%s): %ld", ipa,
	      !g.protected_vm ? "PVM_HC_SHARE_GUEST"
	      : kind	      ? "PVM_HC_VM_LOAD_MEASURED"
			      : "PVM_HC_DONATE_GUEST",
	      ret);
}

/* Copy the image into host pages and give them to the guest, measured, at its link address. */
static void load(uint64_t vm)
{
	size_t size = (size_t)(g.img->end - g.img->start), i;

	CHECK(size, "the host program has no image of guest '%s' (the build gave no %s.bin)",
	      g.img->name, g.img->name);
	g.image_pages = (size + PAGE - 1) / PAGE;
	CHECK(g.image_pages <= IMAGE_PAGES, "the guest image is %zu bytes, more than %u pages",
	      size, IMAGE_PAGES);
	for (i = 0; i < IMAGE_PAGES * PAGE; i++)
		((volatile uint8_t *)image)[i] = i < size ? (uint8_t)g.img->start[i] : 0;
	for (i = 0; i < g.image_pages; i++)
		give_page(vm, image + i * PAGE, PVM_LAYOUT_RAM_BASE + i * PAGE, MEASURE_CODE);
	print("host: loaded guest '%s' (%zu bytes, %zu pages) at IPA 0x%x\n", g.img->name, size,
	      g.image_pages, PVM_LAYOUT_RAM_BASE);
}

/* The host's PA backing a guest IPA (as pvm-run's ipa_to_pa), or 0 when none does. */
static uint64_t ipa_to_pa(uint64_t ipa)
{
	uint64_t page = ipa & ~(uint64_t)(PAGE - 1), off = ipa & (PAGE - 1);
	unsigned i;

	if (page >= PVM_LAYOUT_RAM_BASE && page < PVM_LAYOUT_RAM_BASE + g.image_pages * PAGE)
		return pa(image) + (page - PVM_LAYOUT_RAM_BASE) + off;
	if (g.extra_ipa && page == g.extra_ipa)
		return pa(extra_page) + off;
	if (page >= PVM_LAYOUT_RAM_BASE + PVM_LAYOUT_FDT_OFFSET &&
	    page < PVM_LAYOUT_RAM_BASE + PVM_LAYOUT_FDT_OFFSET + PVM_LAYOUT_FDT_SIZE)
		return pa(dtb_pages) + (page - PVM_LAYOUT_RAM_BASE - PVM_LAYOUT_FDT_OFFSET) + off;
	for (i = 0; i < g.faults; i++)
		if (g.fault_ipa[i] == page)
			return pa(fault_pages + i * PAGE) + off;
	return 0;
}

/*
 * Guest memory at an IPA, read as the host: through the host's own view,
 * at the PA it gave for that IPA. While the guest shares the pages the
 * reads work; otherwise the first one takes a stage-2 abort (the host
 * survives it: peek8()) and the read fails, as in devices.c. With stop,
 * up to and including the first NUL (then *n says how many bytes were read).
 */
static bool host_read(uint64_t ipa, uint8_t *out, size_t max, bool stop, size_t *n)
{
	size_t i;

	for (i = 0; i < max; i++) {
		uint64_t p = ipa_to_pa(ipa + i);

		if (!p || !peek8((const volatile uint8_t *)(uintptr_t)p, &out[i]))
			return false;
		if (stop && !out[i])
			break;
	}
	*n = i;
	return true;
}

/* Write guest memory at an IPA as the host: false at the first byte whose store aborts. */
static bool host_write(uint64_t ipa, const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t p = ipa_to_pa(ipa + i);

		if (!p || !poke8((volatile uint8_t *)(uintptr_t)p, data[i]))
			return false;
	}
	return true;
}

/* The CHALLENGE register (pvm_layout.h): the boot's challenge at the blob's IPA; its length. */
static uint32_t host_challenge(void)
{
	if (!g.challenge_len) {
		g.mailbox_status = 1;
		print("el2-guest: mailbox: no challenge to give\n");
		return 0;
	}
	g.mailbox_status = host_write(g.blob_ipa, g.challenge, g.challenge_len);
	if (!g.mailbox_status) {
		print("el2-guest: mailbox: host write faulted\n");
		return 0;
	}
	return (uint32_t)g.challenge_len;
}

/* The NUL-terminated string at a guest IPA, at most max bytes with its NUL (cut there). */
static bool host_read_string(uint64_t ipa, char *out, size_t max)
{
	size_t n;

	if (!host_read(ipa, (uint8_t *)out, max, true, &n))
		return false;
	if (n == max)
		out[max - 1] = 0;
	return true;
}

/* A blob the guest hands over (BLOB_ADDR, then BLOB_LEN): on the console in hex, as devices.c. */
static bool host_blob(uint64_t len)
{
	size_t n, i;

	if (!len || len > sizeof(blob)) {
		print("el2-guest: mailbox: blob of %lu bytes refused\n", len);
		return false;
	}
	if (!host_read(g.blob_ipa, blob, (size_t)len, false, &n)) {
		print("el2-guest: mailbox: host read faulted\n");
		return false;
	}
	print("el2-guest: mailbox: blob of %lu bytes\nel2-evidence-begin\n", len);
	for (i = 0; i < n; i++)
		print("%02x%s", blob[i], (i % 32 == 31 || i + 1 == n) ? "\n" : "");
	print("el2-evidence-end\n");
	return true;
}

/* The sample mailbox (pvm_layout.h) as pvm-run has it. */
static bool mailbox(uint64_t off, bool write, unsigned size, uint64_t *data)
{
	static char s[PVM_LAYOUT_MAILBOX_STR_MAX];

	if (write && off == PVM_LAYOUT_MAILBOX_ADDR && size == 8) {
		bool ok = host_read_string(*data, s, sizeof(s));

		g.mailbox_status = ok;
		if (ok)
			print("el2-guest: mailbox: %s\n", s);
		else
			print("el2-guest: mailbox: host read faulted\n");
		return true;
	}
	if (write && off == PVM_LAYOUT_MAILBOX_BLOB_ADDR && size == 8) {
		g.blob_ipa = *data;
		return true;
	}
	if (write && off == PVM_LAYOUT_MAILBOX_BLOB_LEN && size == 8) {
		g.mailbox_status = host_blob(*data);
		return true;
	}
	if (!write && off == PVM_LAYOUT_MAILBOX_CHALLENGE && size == 4) {
		*data = host_challenge();
		return true;
	}
	if (!write && off == PVM_LAYOUT_MAILBOX_STATUS) {
		*data = g.mailbox_status;
		return true;
	}
	if (write && off == PVM_LAYOUT_MAILBOX_DOORBELL && size == 4) {
		bool woke;

		if (!guest_gic_raise(*data, &woke))
			return false; /* an SPI, nothing else */
		if (woke)
			wake_all();
		return true;
	}
	return false;
}

/* An MMIO access: emulated (a read's value in *data), or false: no device, an abort. */
static bool mmio(uint64_t ipa, bool write, unsigned size, uint64_t *data)
{
	bool handled, woke;

	if (guest_gic_mmio(ipa, write, size, data, &handled, &woke)) {
		if (woke)
			wake_all();
		return handled;
	}
	if (g.is_linux && ipa >= PVM_LAYOUT_UART_BASE &&
	    ipa < PVM_LAYOUT_UART_BASE + PVM_LAYOUT_UART_SIZE) {
		uint8_t c;

		if (pl011_model_access(&g.uart, ipa - PVM_LAYOUT_UART_BASE, write, data, &c))
			uart_byte(c);
		return true;
	}
	if (ipa >= PVM_LAYOUT_UART_BASE && ipa < PVM_LAYOUT_UART_BASE + PVM_LAYOUT_UART_SIZE) {
		if (write && ipa - PVM_LAYOUT_UART_BASE == PVM_LAYOUT_UART_DR)
			uart_byte((uint8_t)*data);
		if (!write) /* UARTFR: never busy, never full, no input; other registers: zero */
			*data = ipa - PVM_LAYOUT_UART_BASE == PVM_LAYOUT_UART_FR
					? PVM_LAYOUT_UART_FR_IDLE
					: 0;
		return true;
	}
	if (ipa >= PVM_LAYOUT_MAILBOX_BASE &&
	    ipa < PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_SIZE)
		return mailbox(ipa - PVM_LAYOUT_MAILBOX_BASE, write, size, data);
	return false;
}

/*
 * Serve one exit of vCPU cpu (x as PVM_HC_VCPU_RUN returned it) and print
 * it, after serving it as pvm-run --trace does (a read's value, the abort);
 * the vCPU's next completion goes in done[0..1] (flags, data). False when
 * the guest is off.
 */
static bool serve(uint64_t vm, unsigned cpu, const uint64_t x[8], uint64_t done[2])
{
	static const char *const ops[] = {"share", "unshare", "relinquish"};
	static const char *const faults[] = {"dabt", "iabt", "undef"};
	uint64_t ipa = x[2];
	unsigned i;

	done[0] = done[1] = 0;
	switch (x[1]) {
	case EXIT_MMIO: {
		bool write = (x[4] >> 8) & 1;
		unsigned size = x[4] & 0xff;
		uint64_t data = write ? x[3] : 0;

		if (!mmio(ipa, write, size, &data))
			done[0] = PVM_HC_RUN_F_ABORT; /* no device there: the guest gets an abort */
		done[1] = write ? 0 : data;
		(done[0] ? print : trace)(
			"el2-exit: exit vcpu=%u mmio %s ipa=0x%lx size=%u data=0x%lx%s\n", cpu,
			write ? "write" : "read", ipa, size, data, done[0] ? " abort" : "");
		return true;
	}
	case EXIT_MEM_FAULT:
		trace("el2-exit: exit vcpu=%u mem_fault ipa=0x%lx write=%lu exec=%lu\n", cpu, ipa,
		      x[3] & 1, (x[3] >> 1) & 1);
		CHECK(g.faults < FAULT_PAGES, "the guest faulted on more than %u pages",
		      FAULT_PAGES);
		give_page(vm, fault_pages + g.faults * PAGE, ipa, 0);
		g.fault_ipa[g.faults++] = ipa;
		return true;
	case EXIT_MEM_SHARE:
		trace("el2-exit: exit vcpu=%u mem_share op=%s ipa=0x%lx pages=%lu\n", cpu,
		      x[4] < 3 ? ops[x[4]] : "?", ipa, x[3]);
		/* Relinquished pages are the host's again: no longer guest memory. */
		for (i = 0; x[4] == SHARE_RELINQUISH && i < g.faults; i++)
			if (g.fault_ipa[i] >= ipa && g.fault_ipa[i] < ipa + x[3] * PAGE)
				g.fault_ipa[i] = 0;
		return true;
	case EXIT_GUEST_FAULT:
		print("el2-exit: exit vcpu=%u guest_fault %s ipa=0x%lx\n", cpu,
		      x[2] < 3 ? faults[x[2]] : "?", x[3]);
		if (!g.until_fault)
			return true;
		/* The plan ends the run here (the VM goes, whatever its vCPUs do next). */
		g.faulted = true;
		g.fault_kind = x[2];
		g.fault_ipa_seen = x[3];
		return false;
	case EXIT_NEED_PAGES:
		trace("el2-exit: exit vcpu=%u need_pages pages=%lu\n", cpu, x[2]);
		topup(x[2]);
		return true;
	case EXIT_PSCI:
		trace("el2-exit: exit vcpu=%u psci fn=0x%lx target=%lu\n", cpu, x[2], x[3]);
		if (x[2] == PSCI_CPU_ON || x[2] == PSCI_CPU_ON64) {
			CHECK(x[3] < VCPUS, "CPU_ON of vCPU %lu", x[3]);
			g.cpu[x[3]].state = VCPU_RUN; /* ON_PENDING: it runs from its entry */
			kick_for((int)x[3]);
			return true;
		}
		if (x[2] == PSCI_CPU_OFF) {
			g.cpu[cpu].state = VCPU_OFF;
			return true;
		}
		CHECK(x[2] == PSCI_SYSTEM_OFF, "the guest called PSCI 0x%lx", x[2]);
		return false;
	case EXIT_WFI:
		trace("el2-exit: exit vcpu=%u wfi\n", cpu);
		g.cpu[cpu].state = VCPU_WAIT;
		g.cpu[cpu].deadline = x[2];
		return true;
	case EXIT_INTERRUPTED:
		trace("el2-exit: exit vcpu=%u interrupted\n", cpu);
		return true;
	case EXIT_HVC:
		/* A non-protected guest's call the core does not answer: none here (as pvm-run). */
		trace("el2-exit: exit vcpu=%u hvc x0=0x%lx\n", cpu, x[2]);
		done[1] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED; /* its x0 */
		return true;
	case EXIT_IPI:
		trace("el2-exit: exit vcpu=%u ipi sgi=%lu targets=0x%lx\n", cpu, x[3], x[2]);
		/* The SGI is pending in each target already: run those that wait. */
		for (i = 0; i < VCPUS; i++)
			if (((x[2] >> i) & 1) && g.cpu[i].state == VCPU_WAIT)
				g.cpu[i].state = VCPU_RUN;
		for (i = 0; i < VCPUS; i++)
			if ((x[2] >> i) & 1)
				kick_for((int)i);
		return true;
	default:
		fail("unexpected exit %lu: x2..x4 0x%lx 0x%lx 0x%lx", x[1], x[2], x[3], x[4]);
	}
}

/* Give the guest its device tree, measured page by page (as pvm-run: the guest reads it). */
static void give_dtb(uint64_t vm)
{
	size_t size = guest_dtb(dtb_pages, sizeof(dtb_pages)), i;

	for (i = 0; i < FDT_PAGES; i++)
		give_page(vm, dtb_pages + i * PAGE,
			  PVM_LAYOUT_RAM_BASE + PVM_LAYOUT_FDT_OFFSET + i * PAGE, MEASURE_DATA);
	print("host: device tree at IPA 0x%x (%zu bytes, %u pages)\n",
	      PVM_LAYOUT_RAM_BASE + PVM_LAYOUT_FDT_OFFSET, size, FDT_PAGES);
}

/* The relying party's challenge of this boot, "el2-challenge=<hex>" (none: the guest gets 0). */
static void take_challenge(void)
{
	const char *hex = bootarg(host_bootargs, "el2-challenge=");

	g.challenge_len = 0;
	if (hex) {
		g.challenge_len = bootarg_hex(hex, g.challenge, sizeof(g.challenge));
		CHECK(g.challenge_len, "el2-challenge= wants 1 to %zu bytes in hex",
		      sizeof(g.challenge));
	}
}

/* Words of the fpu guest's key material (fpregs.h: FPREGS_SECRET_SEED) in n bytes at p. */
static unsigned secrets_in(const uint8_t *p, size_t n)
{
	const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)p;
	unsigned found = 0, r;
	size_t i;

	for (i = 0; i < n / 8; i++) {
		uint64_t v = w[i], lo = FPREGS_SECRET_SEED;

		for (r = 0; r < 32; r++) {
			lo += FPREGS_STEP;
			found += v == lo || v == (lo ^ FPREGS_HI_FLIP);
		}
	}
	return found;
}

/* Nonzero bytes in n bytes at p. */
static size_t dirty(const uint8_t *p, size_t n)
{
	size_t i, d = 0;

	for (i = 0; i < n; i++)
		d += ((const volatile uint8_t *)p)[i] != 0;
	return d;
}

/*
 * After the teardown, every page the guest had is the host's again: its
 * image, the pages of its memory faults (its stack, BSS and heap: where the
 * fpu guest left its key material), its device tree and its vCPUs' pages
 * (where its registers were saved). Each must read zero, and the key
 * material must be nowhere. The scan is checked first on a copy of the
 * key material the host makes itself, so it cannot pass by finding nothing.
 */
static void check_scrubbed(void)
{
	static const struct {
		const char *what;
		const uint8_t *p;
		size_t pages;
	} ranges[] = {
		{"image", image, IMAGE_PAGES},
		{"memory-fault", fault_pages, FAULT_PAGES},
		{"device-tree", dtb_pages, FDT_PAGES},
		{"vCPU", vcpu_pages[0], VCPUS},
		{"extra", extra_page, 1},
	};
	static uint8_t probe[512] __attribute__((aligned(16)));
	size_t pages = 0, r, d;
	unsigned found;

	fpregs_fill(FPREGS_SECRET_SEED);
	fpregs_store(probe);
	CHECK(secrets_in(probe, sizeof(probe)) == 64, "the key-material scan misses it");
	for (r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		size_t n = ranges[r].pages * PAGE;

		d = dirty(ranges[r].p, n);
		found = secrets_in(ranges[r].p, n);
		CHECK(!d && !found,
		      "the guest's %s pages came back with %zu nonzero bytes (%u words "
		      "of the fpu guest's key material)",
		      ranges[r].what, d, found);
		pages += ranges[r].pages;
	}
	print("host: after the teardown %zu reclaimed pages read zero; the guest's secrets are in "
	      "none of them\n",
	      pages);
}

/*
 * The vCPU of this physical CPU (me) to run next, from vCPU from on in
 * turn: runnable, or waiting and due. -1: none. Under g.lock.
 */
static int pick(unsigned me, unsigned from)
{
	uint64_t now = host_now();
	unsigned c;

	for (c = me; c < VCPUS; c += HOST_CPUS)
		if (g.cpu[c].state == VCPU_WAIT && (g.woke[me] || g.cpu[c].deadline <= now))
			g.cpu[c].state = VCPU_RUN;
	g.woke[me] = false;
	for (unsigned k = 0; k < VCPUS; k++) {
		c = (from + k) % VCPUS;
		if (c % HOST_CPUS == me && g.cpu[c].state == VCPU_RUN)
			return (int)c;
	}
	return -1;
}

/*
 * Nothing of this CPU's to run: until the earliest timer deadline among its
 * waiting vCPUs, or a kick. Under g.lock, which it drops while asleep.
 */
static void idle(unsigned me)
{
	uint64_t soonest = NO_DEADLINE;
	bool live = g.running > 0;

	for (unsigned c = 0; c < VCPUS; c++) {
		live |= g.cpu[c].state == VCPU_RUN ||
			(g.cpu[c].state == VCPU_WAIT && g.cpu[c].deadline != NO_DEADLINE);
		if (c % HOST_CPUS == me && g.cpu[c].state == VCPU_WAIT &&
		    g.cpu[c].deadline < soonest)
			soonest = g.cpu[c].deadline;
	}
	CHECK(live, "every vCPU is off or waits with no timer armed");
	spin_unlock(&g.lock);
	host_sleep(soonest);
	spin_lock(&g.lock);
}

/*
 * Run vCPU cpu once (its n-th run); x: the exit. Around the run the host
 * holds values of its own in its FP/SIMD registers and checks them after.
 */
/*
 * The host's pointer-authentication keys (APIA, APIB, APDA, APDB, APGA: ten
 * 64-bit halves, S3_0_C2_C1..C3): a guest that signs pointers (Linux) has
 * its own, which the hypervisor loads for its runs only. The host puts other
 * values in its keys for every run and checks them afterwards. Nothing here
 * signs pointers itself (-mbranch-protection=none).
 */
static bool host_has_pauth(void)
{
	uint64_t isar1, isar2;

	__asm__ volatile("mrs %0, id_aa64isar1_el1" : "=r"(isar1));
	__asm__ volatile("mrs %0, s3_0_c0_c6_2" : "=r"(isar2)); /* ID_AA64ISAR2_EL1 */
	/* ISAR1 APA 7:4, API 11:8, GPA 27:24, GPI 31:28; ISAR2 GPA3 11:8, APA3 15:12. */
	return (isar1 & 0xff000ff0ull) || (isar2 & 0xff00ull);
}

/* clang-format off: one key per line (clang-format does not settle on this macro) */
#define PAC_KEYS(X)                                                                                \
	X(0, "s3_0_c2_c1_0") /* APIAKEYLO_EL1 */                                                   \
	X(1, "s3_0_c2_c1_1") /* APIAKEYHI_EL1 */                                                   \
	X(2, "s3_0_c2_c1_2") /* APIBKEYLO_EL1 */                                                   \
	X(3, "s3_0_c2_c1_3") /* APIBKEYHI_EL1 */                                                   \
	X(4, "s3_0_c2_c2_0") /* APDAKEYLO_EL1 */                                                   \
	X(5, "s3_0_c2_c2_1") /* APDAKEYHI_EL1 */                                                   \
	X(6, "s3_0_c2_c2_2") /* APDBKEYLO_EL1 */                                                   \
	X(7, "s3_0_c2_c2_3") /* APDBKEYHI_EL1 */                                                   \
	X(8, "s3_0_c2_c3_0") /* APGAKEYLO_EL1 */                                                   \
	X(9, "s3_0_c2_c3_1") /* APGAKEYHI_EL1 */
/* clang-format on */

static void pac_keys_fill(uint64_t seed)
{
#define PAC_WRITE(i, reg) __asm__ volatile("msr " reg ", %0" : : "r"(seed * (i + 3) + i));
	PAC_KEYS(PAC_WRITE)
#undef PAC_WRITE
}

/* 0 if every key half holds what pac_keys_fill(seed) put there, else 1 + its index. */
static unsigned pac_keys_check(uint64_t seed)
{
	uint64_t v;

#define PAC_READ(i, reg)                                                                           \
	__asm__ volatile("mrs %0, " reg : "=r"(v));                                                \
	if (v != seed * (i + 3) + i)                                                               \
		return i + 1;
	PAC_KEYS(PAC_READ)
#undef PAC_READ
	return 0;
}

static void run(uint64_t vm, unsigned cpu, unsigned n, uint64_t x[8])
{
	/* Other values in the host's FP/SIMD registers for every run (FPCR too). */
	uint64_t seed = 0x4057c0de00000000ull + n * 0x1357ull;
	unsigned bad;

	x[0] = PVM_HC_VCPU_RUN;
	x[1] = vm;
	x[2] = cpu;
	x[3] = g.cpu[cpu].done[0];
	x[4] = g.cpu[cpu].done[1];
	x[5] = x[6] = x[7] = 0;
	host_slice_start(SLICE_US);
	bool pauth = host_has_pauth();
	unsigned bad_key = 0;

	if (pauth)
		pac_keys_fill(seed);
	fpregs_fill(seed);
	host_hvc(x);
	bad = (unsigned)fpregs_check(seed);
	if (pauth)
		bad_key = pac_keys_check(seed);
	/* A physical interrupt that stopped the guest is the host's: take it now. */
	host_irqs_take();
	host_slice_stop();
	CHECK(!bad, "run %u changed the host's FP/SIMD %s%d", n,
	      bad <= 32	  ? "V"
	      : bad == 33 ? "FPSR"
			  : "FPCR",
	      bad <= 32 ? (int)bad - 1 : -1);
	CHECK(!bad_key, "run %u changed the host's pointer-authentication key half %u", n,
	      bad_key - 1);
	CHECK(x[0] == 0 || (int64_t)x[0] == PVM_E_STATE, "PVM_HC_VCPU_RUN of vCPU %u: %ld", cpu,
	      (int64_t)x[0]);
}

/*
 * VCPU_RUN refused with PVM_E_STATE: another vCPU powered the VM off
 * (PSCI SYSTEM_OFF: the core refuses every later run) while this CPU was
 * entering this one. The CPU that took the SYSTEM_OFF exit ends every loop
 * once it has served it (g.off); anything else is a failure. Called and
 * returning with g.lock held.
 */
static void run_refused(unsigned cpu)
{
	uint64_t frq, end;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
	end = host_now() + frq; /* one second */
	spin_unlock(&g.lock);
	while (!__atomic_load_n(&g.off, __ATOMIC_ACQUIRE))
		CHECK(host_now() < end,
		      "PVM_HC_VCPU_RUN of vCPU %u: %d, and the guest did not power off", cpu,
		      PVM_E_STATE);
	spin_lock(&g.lock);
}

/* The vCPU loop of one physical CPU, until the guest is off. */
static void vcpu_loop(void *arg)
{
	uint64_t vm = *(const uint64_t *)arg, x[8];
	unsigned me = host_cpu(), cpu = me, n;
	int next;

	spin_lock(&g.lock);
	while (!g.off) {
		next = pick(me, cpu);
		if (next < 0) {
			idle(me);
			continue;
		}
		cpu = (unsigned)next;
		n = ++g.runs;
		CHECK(n <= (g.is_linux ? LINUX_RUNS : MAX_RUNS),
		      "the guest still runs after %u exits", n - 1);
		g.cpu[cpu].ran_on |= 1u << me;
		if (++g.running > g.most)
			g.most = g.running;
		spin_unlock(&g.lock);
		run(vm, cpu, n, x);
		spin_lock(&g.lock);
		g.running--;
		if ((int64_t)x[0] == PVM_E_STATE) {
			run_refused(cpu);
			continue;
		}
		if (!serve(vm, cpu, x, g.cpu[cpu].done)) {
			g.off = true;
			kick_for(-1); /* the other CPUs' loops end too */
		}
		/* The slice is over: the next runnable vCPU's turn (round robin). */
		if (x[1] == EXIT_INTERRUPTED)
			cpu = (cpu + HOST_CPUS) % VCPUS;
	}
	spin_unlock(&g.lock);
}

/*
 * Build and run one VM as the plan says (host.h: struct guest_plan). The
 * sample guests' tests run it plainly; test_attack_*() (attack.c) add a
 * page, move vCPU 0's entry or seal the VM under a name before its run.
 */
void guest_run(const struct guest_plan *p)
{
	const char *name = p->name;
	bool protected_vm = !p->not_protected;
	uint64_t vm, entry = PVM_LAYOUT_RAM_BASE, fdt = PVM_LAYOUT_RAM_BASE + PVM_LAYOUT_FDT_OFFSET;
	uint64_t vbar = read_sysreg(vbar_el1), tpidr = 0x7e57ab1e0000cafeull;
	unsigned i, ticks = host_ticks(), started = 0;
	int64_t ret;

	for (i = 0; i < sizeof(guest_images) / sizeof(guest_images[0]); i++)
		if (same(guest_images[i].name, name))
			break;
	CHECK(i < sizeof(guest_images) / sizeof(guest_images[0]) || same(name, "linux"),
	      "no guest '%s'", name);
	for (size_t b = 0; b < sizeof(g); b++)
		((volatile uint8_t *)&g)[b] = 0;
	g.is_linux = same(name, "linux");
	g.img = g.is_linux ? NULL : &guest_images[i];
	g.protected_vm = protected_vm;
	g.until_fault = p->until_fault;
	take_challenge();

	/* The guest sets its own VBAR_EL1 and SP_EL1: the world switch must keep ours. */
	write_sysreg(tpidr, tpidr_el1);
	vm = vm_create_kind(g.is_linux ? PVM_LAYOUT_LINUX_RAM_SIZE : PVM_LAYOUT_RAM_SIZE,
			    protected_vm);
	guest_gic_reset(vm);
	/* docs/attestation.md §1.3's order: the vCPUs, the image, the tree, the boot. */
	for (i = 0; i < VCPUS; i++) {
		uint64_t index = 0;

		ret = hc_topup(PVM_HC_VCPU_CREATE, vm, pa(vcpu_pages[i]), 0, 0, 0, 0, &index);
		CHECK(ret == 0 && index == i, "PVM_HC_VCPU_CREATE: %ld (index %lu)", ret, index);
	}
	if (g.is_linux) {
		entry = linux_load(vm, &fdt);
	} else {
		load(vm);
		give_dtb(vm);
	}
	if (p->extra) {
		/* The plan's page: its bytes in a host page, given as the plan says. */
		for (i = 0; i < PAGE; i++)
			((volatile uint8_t *)extra_page)[i] = p->extra[i];
		give_page(vm, extra_page, p->extra_ipa, p->extra_kind);
		g.extra_ipa = p->extra_ipa;
		print("host: gave the host's page at IPA 0x%lx with %s\n", p->extra_ipa,
		      p->extra_kind ? "PVM_HC_VM_LOAD_MEASURED" : "PVM_HC_DONATE_GUEST");
		if (p->boot_extra)
			entry = p->extra_ipa;
	}
	ret = hvc(PVM_HC_VCPU_BOOT, vm, 0, entry, fdt, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VCPU_BOOT: %ld", ret);
	print("host: vCPU 0 boots at IPA 0x%lx\n", entry);
	if (p->role) {
		/*
		 * Sealed by the host before the first run: the hypervisor prints
		 * the evidence for the boot's challenge right after this line.
		 * From then on the host can neither add a vCPU nor move one.
		 */
		print("el2-attack: seal %s\n", p->role);
		ret = hvc(PVM_HC_VM_SEAL, vm, 0, 0, 0, 0, 0, NULL);
		CHECK(ret == 0, "PVM_HC_VM_SEAL: %ld", ret);
		ret = hc_topup(PVM_HC_VCPU_CREATE, vm, pa(spare_page), 0, 0, 0, 0, NULL);
		CHECK(ret == PVM_E_BUSY, "PVM_HC_VCPU_CREATE after the seal: %ld", ret);
		ret = hvc(PVM_HC_VCPU_BOOT, vm, 1, entry, fdt, 0, 0, NULL);
		CHECK(ret == PVM_E_STATE, "PVM_HC_VCPU_BOOT after the seal: %ld", ret);
		print("host: sealed; a vCPU created or booted after the seal is refused (%d, %d)\n",
		      PVM_E_BUSY, PVM_E_STATE);
	}
	g.cpu[0].state = VCPU_RUN;
	for (i = 1; i < HOST_CPUS; i++)
		host_cpu_post(i, vcpu_loop, &vm);
	vcpu_loop(&vm);
	for (i = 1; i < HOST_CPUS; i++)
		host_cpu_join(i);
	CHECK(read_sysreg(vbar_el1) == vbar && read_sysreg(tpidr_el1) == tpidr,
	      "the host's EL1 registers changed across guest runs: VBAR_EL1 0x%lx TPIDR_EL1 0x%lx",
	      read_sysreg(vbar_el1), read_sysreg(tpidr_el1));
	print_lock();
	print("host: the guest %s after %u runs (%u time slices ended on CPU 0), %u pages "
	      "donated on faults; the host's FP/SIMD registers held their own values across "
	      "every run\nhost:",
	      g.faulted ? "stopped at its first guest fault" : "powered off", g.runs,
	      host_ticks() - ticks, g.faults);
	for (i = 0; i < VCPUS; i++) {
		started += g.cpu[i].ran_on != 0;
		print(" vCPU %u ran on physical CPUs 0x%x;", i, g.cpu[i].ran_on);
	}
	print(" at most %u vCPUs at once\n", g.most);
	print_unlock();
	CHECK(started < 2 || g.most == HOST_CPUS,
	      "%u vCPUs ran, but never on %u physical CPUs at once", started, HOST_CPUS);
	vm_destroy(vm);
	/* A non-protected VM's memory was the host's all along: nothing to scrub. */
	if (protected_vm)
		check_scrubbed();
	if (g.is_linux)
		linux_check_scrubbed();
	if (p->result) {
		p->result->faulted = g.faulted;
		p->result->fault_kind = g.fault_kind;
		p->result->fault_ipa = g.fault_ipa_seen;
		p->result->uart_bytes = g.uart_bytes;
	}
}

void test_guest(const char *name, bool protected_vm)
{
	struct guest_plan p = {.name = name, .not_protected = !protected_vm};

	guest_run(&p);
}
