/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test "linux": an unmodified arm64 Linux Image as a protected guest, as
 * pKVM's host runs protected VMs. QEMU puts the Image and an initramfs in
 * RAM the host owns (-device loader); the boot arguments say where:
 *
 *   el2-linux=IMAGE_PA,IMAGE_SIZE,INITRD_PA,INITRD_SIZE,RAM_PA  (hex)
 *
 * The guest's RAM is PVM_LAYOUT_LINUX_RAM_SIZE at PVM_LAYOUT_RAM_BASE, all
 * donated before it runs, in contiguous runs (no memory-fault exits): the
 * Image's pages in place at text_offset (the Linux boot protocol: a 2 MiB
 * aligned base), measured; the initramfs's in place at INITRD_IPA,
 * measured; the device tree (linux.dtb, pvm-guest-dtb's: GICv3, timer,
 * PL011, PSCI, /chosen with PVM_LAYOUT_LINUX_CMDLINE) with the initramfs's
 * place written into its placeholders, at FDT_IPA, measured; every other
 * page (zero RAM: donated plainly) from
 * [RAM_PA, +RAM size), at the same offset. The tree has 2 vCPUs (one per
 * physical CPU of the host); vCPU 0 boots at the Image with x0 = the tree,
 * Linux starts vCPU 1 with PSCI CPU_ON. After the teardown every page the
 * guest had reads zero again.
 */
#include <libpvm/abi.h>

#include <stddef.h>
#include <stdint.h>

#include "bootargs.h"
#include "fdt_chosen.h"
#include "host.h"
#include "hvc.h"
#include "print.h"
#include "pvm_layout.h"

#define MIB	      (1024ul * 1024)
#define RAM_SIZE      ((uint64_t)PVM_LAYOUT_LINUX_RAM_SIZE)
#define INITRD_OFFSET (96 * MIB)
#define FDT_OFFSET    (RAM_SIZE - 4 * MIB) /* below the tree's restricted-dma pool */
#define MEASURE_CODE  1u		   /* PVM_MEASURE_CODE */
#define MEASURE_DATA  2u		   /* PVM_MEASURE_DATA */
#define ARM64_MAGIC   0x644d5241u	   /* "ARM\x64" at 0x38 of an Image */

extern const char host_guest_linux_dtb[], host_guest_linux_dtb_end[];

static uint8_t dtb_page[PAGE] __attribute__((aligned(PAGE)));
static struct linux_layout {
	uint64_t image_pa, image_size, initrd_pa, initrd_size, ram_pa, text_offset;
	uint64_t ram[4][2]; /* the runs given from [RAM_PA, ...): offsets [from, to) */
} l;

static uint64_t hex(const char **p)
{
	uint64_t v = 0;
	unsigned n = 0;

	for (;; n++, (*p)++) {
		char c = **p;
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16u;
		if (d == 16)
			break;
		CHECK(n < 16, "el2-linux=: a number of more than 16 hex digits");
		v = v << 4 | d;
	}
	CHECK(n, "el2-linux= wants IMAGE_PA,IMAGE_SIZE,INITRD_PA,INITRD_SIZE,RAM_PA in hex");
	if (**p == ',')
		(*p)++;
	return v;
}

static uint64_t rd64(uint64_t pa)
{
	return *(const volatile uint64_t *)(uintptr_t)pa;
}

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* Give [ipa, +pages) of the guest's RAM from [pa, ...): measured (kind) or plainly (0). */
static void give(uint64_t vm, uint64_t pa, uint64_t ipa, uint64_t pages, unsigned kind)
{
	int64_t ret;

	if (!pages)
		return;
	if (kind)
		ret = hc_topup(PVM_HC_VM_LOAD_MEASURED, vm, pa, ipa, pages, kind, 0, NULL);
	else
		ret = hc_topup(PVM_HC_DONATE_GUEST, vm, pa, ipa, pages, 0, 0, NULL);
	CHECK(ret == 0, "%s of %lu pages at IPA 0x%lx: %ld",
	      kind ? "PVM_HC_VM_LOAD_MEASURED" : "PVM_HC_DONATE_GUEST", pages, ipa, ret);
}

/* The rest of RAM from [RAM_PA, ...): every page of [from, to) (offsets), as run n. */
static void give_ram(uint64_t vm, unsigned n, uint64_t from, uint64_t to)
{
	if (to <= from)
		return;
	give(vm, l.ram_pa + from, PVM_LAYOUT_RAM_BASE + from, (to - from) / PAGE, 0);
	l.ram[n][0] = from;
	l.ram[n][1] = to;
}

static void give_dtb(uint64_t vm)
{
	size_t size = (size_t)(host_guest_linux_dtb_end - host_guest_linux_dtb), i;
	uint64_t start = PVM_LAYOUT_RAM_BASE + INITRD_OFFSET;
	uint8_t *s, *e;
	unsigned n = 0, m = 0;

	CHECK(size && size <= PAGE,
	      "the Linux guest's device tree is %zu bytes (the build gave "
	      "no linux.dtb?)",
	      size);
	for (i = 0; i < PAGE; i++)
		((volatile uint8_t *)dtb_page)[i] = i < size ? (uint8_t)host_guest_linux_dtb[i] : 0;
	s = (uint8_t *)(uintptr_t)fdt_chosen_prop((unsigned long)(uintptr_t)dtb_page,
						  "linux,initrd-start", &n);
	e = (uint8_t *)(uintptr_t)fdt_chosen_prop((unsigned long)(uintptr_t)dtb_page,
						  "linux,initrd-end", &m);
	CHECK(s && e && n == 8 && m == 8, "no 64-bit initrd placeholders in linux.dtb");
	be64(s, start);
	be64(e, start + l.initrd_size);
	/* Measured: the guest reads it, and a plain donation arrives zeroed once the VM is sealed.
	 */
	give(vm, pa(dtb_page), PVM_LAYOUT_RAM_BASE + FDT_OFFSET, 1, MEASURE_DATA);
}

uint64_t linux_load(uint64_t vm, uint64_t *fdt_ipa)
{
	const char *a = bootarg(host_bootargs, "el2-linux=");
	uint64_t img_pages, rd_pages, img_end, rd_end;

	CHECK(a, "no el2-linux= in the boot arguments (the test script loads the Image)");
	l.image_pa = hex(&a);
	l.image_size = hex(&a);
	l.initrd_pa = hex(&a);
	l.initrd_size = hex(&a);
	l.ram_pa = hex(&a);
	CHECK(!(l.image_pa % PAGE) && !(l.initrd_pa % PAGE) && !(l.ram_pa % PAGE) &&
		      l.image_size >= 64 && l.initrd_size,
	      "el2-linux=: page-aligned addresses and non-empty files, please");
	CHECK((uint32_t)rd64(l.image_pa + 0x38) == ARM64_MAGIC, "no arm64 Image at 0x%lx",
	      l.image_pa);
	l.text_offset = rd64(l.image_pa + 8);
	img_pages = (l.image_size + PAGE - 1) / PAGE;
	rd_pages = (l.initrd_size + PAGE - 1) / PAGE;
	img_end = l.text_offset + img_pages * PAGE;
	rd_end = INITRD_OFFSET + rd_pages * PAGE;
	CHECK(!(l.text_offset % PAGE) && rd64(l.image_pa + 16) <= INITRD_OFFSET &&
		      img_end <= INITRD_OFFSET && rd_end <= FDT_OFFSET,
	      "the Image (text_offset 0x%lx, image_size 0x%lx) or the initramfs (%lu bytes) does "
	      "not fit the guest's layout",
	      l.text_offset, rd64(l.image_pa + 16), l.initrd_size);

	give(vm, l.image_pa, PVM_LAYOUT_RAM_BASE + l.text_offset, img_pages, MEASURE_CODE);
	give(vm, l.initrd_pa, PVM_LAYOUT_RAM_BASE + INITRD_OFFSET, rd_pages, MEASURE_DATA);
	give_dtb(vm);
	give_ram(vm, 0, 0, l.text_offset);
	give_ram(vm, 1, img_end, INITRD_OFFSET);
	give_ram(vm, 2, rd_end, FDT_OFFSET);
	give_ram(vm, 3, FDT_OFFSET + PAGE, RAM_SIZE);
	print("host: Linux guest: Image %lu bytes at IPA 0x%lx, initramfs %lu bytes at IPA 0x%lx "
	      "(both measured, donated in place), device tree (measured) at IPA 0x%lx, %lu MiB of "
	      "RAM\n",
	      l.image_size, PVM_LAYOUT_RAM_BASE + l.text_offset, l.initrd_size,
	      PVM_LAYOUT_RAM_BASE + INITRD_OFFSET, PVM_LAYOUT_RAM_BASE + FDT_OFFSET,
	      RAM_SIZE / MIB);
	*fdt_ipa = PVM_LAYOUT_RAM_BASE + FDT_OFFSET;
	return PVM_LAYOUT_RAM_BASE + l.text_offset;
}

/* A range the guest had reads zero: its nonzero words. */
static uint64_t nonzero(uint64_t pa, uint64_t bytes)
{
	uint64_t n = 0;

	for (uint64_t o = 0; o < bytes; o += 8)
		n += rd64(pa + o) != 0;
	return n;
}

void linux_check_scrubbed(void)
{
	uint64_t img = (l.image_size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	uint64_t rd = (l.initrd_size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	uint64_t bad =
		nonzero(l.image_pa, img) + nonzero(l.initrd_pa, rd) + nonzero(pa(dtb_page), PAGE);
	uint64_t pages = (img + rd) / PAGE + 1;

	for (unsigned n = 0; n < 4; n++) {
		bad += nonzero(l.ram_pa + l.ram[n][0], l.ram[n][1] - l.ram[n][0]);
		pages += (l.ram[n][1] - l.ram[n][0]) / PAGE;
	}
	CHECK(!bad, "%lu nonzero words in the pages the Linux guest had", bad);
	CHECK(pages == RAM_SIZE / PAGE, "the Linux guest had %lu pages, not its %lu of RAM", pages,
	      RAM_SIZE / PAGE);
	print("host: after the teardown all %lu pages of the Linux guest's RAM (Image, initramfs, "
	      "device tree and the rest) read zero\n",
	      pages);
}
