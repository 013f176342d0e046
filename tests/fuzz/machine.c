/* SPDX-License-Identifier: Apache-2.0 */
/* The harnesses' machine, input decoding and host-call oracles (machine.h). */
#include "machine.h"

#include <libpvm/abi.h>
#include <libpvm/attest.h>
#include <libpvm/host_call.h>
#include <libpvm/hyp.h>
#include <libpvm/pvm.h>
#include <libpvm/sim.h>
#include <libpvm/vm.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

/* 4 GiB of PA (the host's IPA): the RAM fits, and the host stage-2 has few
 * top-level entries for pvm_mem_check() to walk. */
#define FZ_PA_BITS 32
#define PAGE	   PVM_PAGE_SIZE
#define NPAGES	   (FZ_RAM_SIZE / PAGE)

struct pvm_hyp *fz_hyp;
static uint64_t carve_pages;
static bool trace; /* FUZZ_TRACE set: print every host call (to read what an input does) */
/*
 * The vCPU pages (hypervisor-owned, holding vCPU state that
 * pvm_mem_check() does not read): the set-up's, and those of VCPU_CREATE
 * calls, dropped when their VM's teardown starts.
 */
static struct {
	uint64_t pa;
	uint64_t vm;
} vcpu_pages[64];
static unsigned nvcpu_pages, setup_vcpu_pages;

static bool dirty; /* a call of this input changed the machine; not checked since */

void fz_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static void setup_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
		       uint64_t a6)
{
	uint64_t x[8] = {fn, a1, a2, a3, a4, a5, a6, 0};

	pvm_host_call(fz_hyp, x);
	if (x[0])
		fz_die("set-up call 0x%llx failed: %lld", (unsigned long long)fn, (long long)x[0]);
}

static void setup(void)
{
	struct pvm_sim_config sc = {.ram_base = FZ_RAM, .ram_size = FZ_RAM_SIZE};
	struct pvm_hyp_config hc = {
		.ram_base = FZ_RAM, .ram_size = FZ_RAM_SIZE, .pa_bits = FZ_PA_BITS};
	struct pvm_attest_config ac = {.mode = 1};
	const uint64_t s = FZ_SETUP, ipa = FZ_GUEST_RAM,
		       vm_pages = pvm_vm_create_pages(FZ_IPA_BITS);

	/*
	 * The object, metadata and host root, and a small pool: the set-up
	 * leaves a few pages in it, so that the pool running dry (PVM_E_NOMEM,
	 * PVM_EXIT_NEED_PAGES) and the top-up are a few calls away.
	 */
	carve_pages = pvm_hyp_carveout_pages(FZ_RAM_SIZE, FZ_PA_BITS) + 6;
	hc.hyp_size = carve_pages * PAGE;
	hc.hyp_base = FZ_RAM + FZ_RAM_SIZE - hc.hyp_size;
	if (pvm_sim_init(&sc) || pvm_hyp_init(&hc, &fz_hyp, NULL))
		fz_die("set-up: machine");
	memset(ac.uds, 0x5a, sizeof(ac.uds));
	if (pvm_attest_init(fz_hyp, &ac))
		fz_die("set-up: attestation");
	/* VM 0 protected, VM 1 not: their pages at 1 MiB and 1 MiB + 64 KiB. */
	setup_call(PVM_HC_VM_CREATE, 1, FZ_IPA_BITS, s + 1 * FZ_MiB, vm_pages, ipa,
		   FZ_GUEST_RAM_SIZE);
	setup_call(PVM_HC_VM_CREATE, 0, FZ_IPA_BITS, s + 1 * FZ_MiB + 0x10000, vm_pages, ipa,
		   FZ_GUEST_RAM_SIZE);
	/* VM 0: vCPU 0 booted, vCPU 1 off (CPU_ON starts it); VM 1: vCPU 0 booted. */
	setup_call(PVM_HC_VCPU_CREATE, 0, s + 1 * FZ_MiB + 0x20000, 0, 0, 0, 0);
	setup_call(PVM_HC_VCPU_CREATE, 0, s + 1 * FZ_MiB + 0x21000, 0, 0, 0, 0);
	setup_call(PVM_HC_VCPU_CREATE, 1, s + 1 * FZ_MiB + 0x22000, 0, 0, 0, 0);
	setup_call(PVM_HC_VCPU_BOOT, 0, 0, ipa, 0, 0, 0);
	setup_call(PVM_HC_VCPU_BOOT, 1, 0, ipa, 0, 0, 0);
	/* Four pages at the start of each VM's RAM (donated to VM 0, shared with VM 1). */
	setup_call(PVM_HC_DONATE_GUEST, 0, s + 2 * FZ_MiB, ipa, 4, 0, 0);
	setup_call(PVM_HC_SHARE_GUEST, 1, s + 2 * FZ_MiB + 0x10000, ipa, 4, 0, 0);
	for (unsigned i = 0; i < 3; i++) {
		vcpu_pages[i].pa = s + 1 * FZ_MiB + 0x20000 + i * PAGE;
		vcpu_pages[i].vm = i < 2 ? 0 : 1;
	}
	nvcpu_pages = setup_vcpu_pages = 3;
	fz_check("set-up");
	snap_init(pvm_sim_ram(pvm_pa(FZ_RAM), FZ_RAM_SIZE), FZ_RAM_SIZE);
}

void fz_restore(void)
{
	if (!fz_hyp) {
		trace = getenv("FUZZ_TRACE") != NULL;
		setup();
	} else
		snap_restore();
	/* The TLB model is not in the RAM: empty it, as a fresh machine has it. */
	pvm_sim_tlb_reset();
}

uint8_t fz_byte(struct fz_input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

uint64_t fz_bytes(struct fz_input *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)fz_byte(in) << (8 * i);
	return v;
}

uint64_t fz_reg(struct fz_input *in)
{
	uint8_t sel = fz_byte(in);

	switch (sel & 7) {
	case 0: /* a page near the set-up's (and the carve-out's first pages) */
		return FZ_SETUP + (fz_bytes(in, 2) % (4 * FZ_MiB / PAGE + 16)) * PAGE;
	case 1: /* a small number: a handle, an index, a count, flags */
		return sel >> 3;
	case 2: /* a guest IPA in or near guest RAM */
		return FZ_GUEST_RAM + (fz_bytes(in, 2) << 12) - 0x10000;
	case 3: /* a page count */
		return 1 + (sel >> 3);
	case 4: /* an INTID */
		return fz_bytes(in, 1);
	case 5: /* any page of RAM, or just past it */
		return FZ_RAM + (fz_bytes(in, 3) % (NPAGES + 16)) * PAGE;
	default: /* anything */
		return fz_bytes(in, 8);
	}
}

void fz_check(const char *after)
{
	struct pvm_mem_report r;

	if (pvm_mem_check(fz_hyp, &r) != PVM_OK)
		fz_die("after %s: invariant: %s (pa 0x%llx)", after, r.what,
		       (unsigned long long)r.pa);
}

static bool vcpu_page(uint64_t pa)
{
	for (unsigned i = 0; i < nvcpu_pages; i++)
		if (vcpu_pages[i].pa == pa)
			return true;
	return false;
}

static void track_vcpu_pages(uint64_t fn, const uint64_t a[4], int64_t ret)
{
	unsigned i = 0;

	if (ret)
		return;
	if (fn == PVM_HC_VCPU_CREATE && nvcpu_pages < sizeof(vcpu_pages) / sizeof(vcpu_pages[0])) {
		vcpu_pages[nvcpu_pages].pa = a[1] & ~(uint64_t)(PAGE - 1);
		vcpu_pages[nvcpu_pages++].vm = a[0];
	} else if (fn == PVM_HC_VM_TEARDOWN) {
		while (i < nvcpu_pages)
			if (vcpu_pages[i].vm == a[0])
				vcpu_pages[i] = vcpu_pages[--nvcpu_pages];
			else
				i++;
	}
}

/*
 * Whether the call can have changed what pvm_mem_check() checks: the
 * metadata, the tables and the VMs are all in hypervisor-owned pages, so a
 * call that changed only guest, host and vCPU pages cannot have broken an
 * invariant (the pages' owners are in the metadata, which did not change).
 * pvm_mem_check() walks every table and every page: most of a harness's
 * time if it ran after each call.
 */
static bool needs_check(void)
{
	size_t offs[64], n = snap_changed_pages(offs, 64);
	struct pvm_page_info info;

	if (n > 64)
		return true;
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = FZ_RAM + offs[i];

		if (vcpu_page(pa))
			continue;
		if (pvm_mem_page(fz_hyp, pvm_pa(pa), &info) || info.owner == PVM_ID_HYP) {
			if (trace)
				fprintf(stderr, "  changed hypervisor page 0x%llx: check\n",
					(unsigned long long)pa);
			return true;
		}
	}
	return false;
}

void fz_host_call(uint64_t x[8])
{
	uint64_t fn = x[0], a[4] = {x[1], x[2], x[3], x[4]};
	bool changed;
	size_t off;

	snap_mark();
	pvm_host_call(fz_hyp, x);
	changed = snap_changed(&off);
	if (trace)
		fprintf(stderr,
			"host call +%-2llu (%llx %llx %llx %llx) -> %lld: %llx %llx %llx %llx\n",
			(unsigned long long)(fn - PVM_HC_BASE), (unsigned long long)a[0],
			(unsigned long long)a[1], (unsigned long long)a[2],
			(unsigned long long)a[3], (long long)x[0], (unsigned long long)x[1],
			(unsigned long long)x[2], (unsigned long long)x[3],
			(unsigned long long)x[4]);
	/* A refused call changes nothing: x0 an error (negative). */
	if ((int64_t)x[0] < 0 && changed)
		fz_die("host call 0x%llx refused (%lld) but changed RAM at PA 0x%llx",
		       (unsigned long long)fn, (long long)x[0], (unsigned long long)(FZ_RAM + off));
	track_vcpu_pages(fn, a, (int64_t)x[0]);
	if (!changed || !needs_check())
		return;
#ifndef FUZZ_BIG
	/*
	 * A run changes its VM's structure on every exit (its stage-2 walk
	 * cache, its vGIC, its counters) and so would be followed by a full
	 * check each time: its check is left to the end of the input, where a
	 * broken invariant that stayed broken is found. Host memory calls are
	 * checked at once.
	 */
	if (fn != PVM_HC_VCPU_RUN) {
		fz_check("a host call");
		dirty = false;
		return;
	}
#endif
	dirty = true;
}

void fz_end(void)
{
	if (dirty)
		fz_check("the input");
	dirty = false;
}
