/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Linux loader: an arm64 kernel Image (Documentation/arch/arm64/
 * booting.rst) and its initramfs, placed in guest RAM as the boot protocol
 * asks. The Image goes at text_offset from the start of RAM (2 MiB
 * aligned), with image_size bytes free from there (its .bss and early page
 * tables); the initramfs below the device tree at the top of RAM; the
 * kernel is entered at its first byte with the MMU off and x0 holding the
 * device tree's IPA. Both are measured into a protected VM's RIM, the
 * kernel as code, the initramfs as data, each as one region.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

#define MiB (1ull << 20)

/* The Image header: 64 bytes, little-endian. */
#define IMAGE_HDR_SIZE	   64u
#define IMAGE_TEXT_OFFSET  8u  /* u64: where in a 2 MiB aligned region to load it */
#define IMAGE_SIZE	   16u /* u64: bytes the kernel uses from there, 0 if unknown */
#define IMAGE_FLAGS	   24u /* u64: bit 0 big-endian */
#define IMAGE_MAGIC	   56u /* u32 "ARM\x64" */
#define IMAGE_MAGIC_VALUE  0x644d5241u
#define IMAGE_FLAG_BE	   1ull
#define IMAGE_OLD_TEXT_OFS 0x80000ull /* before Linux 3.17 the header had no size */

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The whole file in a fresh buffer, its size in @size; NULL on error. */
static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (!f) {
		perror(path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)n)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "pvm-run: cannot read %s\n", path);
		free(buf);
		buf = NULL;
	} else {
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

static uint64_t pages(uint64_t bytes)
{
	return (bytes + PVM_PAGE_SIZE - 1) / PVM_PAGE_SIZE;
}

int vmm_load_linux(struct vmm *v, const char *kernel, const char *initrd, uint64_t fdt_ipa,
		   uint64_t *entry)
{
	unsigned char *img, *rd = NULL;
	size_t isize = 0, rsize = 0;
	uint64_t text, need, load, kend, rd_ipa = fdt_ipa;
	int ret = -1;

	if (v->ram_ipa & (2 * MiB - 1)) {
		fprintf(stderr, "pvm-run: guest RAM is not 2 MiB aligned\n");
		return -1;
	}
	img = slurp(kernel, &isize);
	if (!img)
		return -1;
	if (isize < IMAGE_HDR_SIZE || (uint32_t)le64(img + IMAGE_MAGIC) != IMAGE_MAGIC_VALUE ||
	    (le64(img + IMAGE_FLAGS) & IMAGE_FLAG_BE)) {
		fprintf(stderr,
			"pvm-run: %s is not a little-endian arm64 Image (a compressed vmlinuz "
			"must be uncompressed first)\n",
			kernel);
		goto out;
	}
	text = le64(img + IMAGE_TEXT_OFFSET);
	need = le64(img + IMAGE_SIZE);
	if (!need) {
		/* No size in the header: the old fixed offset, and a generous guess. */
		text = IMAGE_OLD_TEXT_OFS;
		need = isize + 8 * MiB;
	}
	if (text % PVM_PAGE_SIZE || need < isize || text >= v->ram_size ||
	    need > v->ram_size - text) {
		fprintf(stderr, "pvm-run: Image text_offset 0x%llx size 0x%llx does not fit RAM\n",
			(unsigned long long)text, (unsigned long long)need);
		goto out;
	}
	load = v->ram_ipa + text;
	kend = load + need;
	if (initrd) {
		rd = slurp(initrd, &rsize);
		if (!rd)
			goto out;
		rd_ipa = (fdt_ipa - rsize) & ~(PVM_PAGE_SIZE - 1);
		if (rsize > fdt_ipa - v->ram_ipa || rd_ipa < kend) {
			fprintf(stderr, "pvm-run: the kernel and initrd do not fit in %llu MiB\n",
				(unsigned long long)(v->ram_size / MiB));
			goto out;
		}
	}
	if (fdt_ipa < kend) {
		fprintf(stderr, "pvm-run: the kernel overlaps the device tree\n");
		goto out;
	}
	if (vmm_back_range(v, load, pages(isize), img, isize, PVM_MEASURE_CODE))
		goto out;
	if (rd && vmm_back_range(v, rd_ipa, pages(rsize), rd, rsize, PVM_MEASURE_DATA))
		goto out;
	v->initrd_start = rd_ipa;
	v->initrd_end = rd_ipa + rsize;
	*entry = load;
	ret = 0;
out:
	free(rd);
	free(img);
	return ret;
}
