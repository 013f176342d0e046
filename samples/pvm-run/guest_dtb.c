/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pvm-guest-dtb: write the device tree pvm-run gives a sample guest, made
 * by pvm-run's own code (fdt_build.c), for a VMM that cannot build one when
 * it runs: the EL2 port's host program, a bare EL1 program without libc or
 * libfdt, which embeds this file.
 *
 *   pvm-guest-dtb OUT.dtb VCPUS [linux]
 *
 * With "linux": the tree of a Linux guest of that host program instead,
 * pvm-run-kvm's for --kernel/--initrd (PVM_LAYOUT_LINUX_RAM_SIZE of RAM,
 * the GICv3 at the layout's addresses, the timer, the UART's interrupt and
 * clock, PVM_LAYOUT_LINUX_CMDLINE), whose linux,initrd-start/end the host
 * writes in place (64-bit values: the placeholders have their final size).
 *
 * The tree is pvm-run's for guest RAM [PVM_LAYOUT_RAM_BASE, +RAM_SIZE) and
 * VCPUS vCPUs, byte for byte: the host loads it measured, as pvm-run does,
 * so both give the same guest the same RIM (docs/attestation.md §1.3).
 *
 * Why at build time rather than libfdt at EL1: the tree then comes from
 * the one piece of code that makes it for the other ports, so the guests
 * see the same tree everywhere, and the host program stays free of a
 * library built for glibc (Debian's arm64 libfdt.a needs libc functions
 * and the stack protector's symbols the host does not have).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "pvm_layout.h"
#include "vmm.h"

int main(int argc, char **argv)
{
	static struct vmm v;
	static unsigned char buf[4096];
	FILE *f;
	int ok;

	bool is_linux = argc == 4 && !strcmp(argv[3], "linux");

	if ((argc != 3 && !is_linux) || atoi(argv[2]) < 1 || atoi(argv[2]) > (int)PVM_VCPU_MAX) {
		fprintf(stderr, "usage: %s OUT.dtb VCPUS (1..%u) [linux]\n", argv[0], PVM_VCPU_MAX);
		return 2;
	}
	v.ram_ipa = PVM_LAYOUT_RAM_BASE;
	v.ram_size = PVM_LAYOUT_RAM_SIZE;
	v.nvcpus = (unsigned)atoi(argv[2]);
	if (is_linux) {
		v.ram_size = PVM_LAYOUT_LINUX_RAM_SIZE;
		v.has_gic = true;
		v.gic.dist_base = PVM_LAYOUT_GICD_BASE;
		v.gic.dist_size = PVM_LAYOUT_GICD_SIZE;
		v.gic.redist_base = PVM_LAYOUT_GICR_BASE;
		v.gic.redist_size = (uint64_t)v.nvcpus * PVM_LAYOUT_GICR_STRIDE;
		v.cmdline = PVM_LAYOUT_LINUX_CMDLINE;
		v.initrd_start = v.ram_ipa; /* placeholders, filled in by the host */
		v.initrd_end = v.ram_ipa + 1;
	}
	if (vmm_build_fdt(&v, buf, sizeof(buf))) {
		fprintf(stderr, "pvm-guest-dtb: the tree does not fit in %zu bytes\n", sizeof(buf));
		return 1;
	}
	f = fopen(argv[1], "wb");
	ok = f && fwrite(buf, 1, fdt_totalsize(buf), f) == fdt_totalsize(buf);
	if (f && fclose(f))
		ok = 0;
	if (!ok) {
		fprintf(stderr, "pvm-guest-dtb: cannot write %s\n", argv[1]);
		return 1;
	}
	return 0;
}
