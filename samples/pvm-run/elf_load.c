/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest loader: an ELF64 little-endian aarch64 executable, its PT_LOAD
 * segments copied into fresh host pages that are then donated to the guest
 * at the segments' physical addresses (p_paddr: the guest runs with its
 * MMU off). Every segment must lie inside guest RAM. Only the pages with
 * file contents are donated up front; zero-fill memory (.bss, stacks)
 * comes on demand, from the guest's memory faults, like the rest of RAM.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

static int load_segment(struct vmm *v, const unsigned char *img, size_t size, const Elf64_Phdr *ph)
{
	uint64_t start = ph->p_paddr & ~(PVM_PAGE_SIZE - 1), end, a;

	if (ph->p_filesz > ph->p_memsz || ph->p_offset > size ||
	    ph->p_filesz > size - ph->p_offset || ph->p_memsz > v->ram_size ||
	    ph->p_paddr < v->ram_ipa || ph->p_paddr - v->ram_ipa > v->ram_size - ph->p_memsz) {
		fprintf(stderr, "pvm-run: segment at 0x%llx (0x%llx bytes) outside guest RAM\n",
			(unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
		return -1;
	}
	end = ph->p_paddr + ph->p_filesz;
	for (a = start; a < end; a += PVM_PAGE_SIZE) {
		unsigned char page[PVM_PAGE_SIZE];
		uint64_t lo = a < ph->p_paddr ? ph->p_paddr : a;
		uint64_t hi = a + PVM_PAGE_SIZE;
		uint64_t file_end = ph->p_paddr + ph->p_filesz;
		uint64_t pa = v->ipa_to_pa[(a - v->ram_ipa) / PVM_PAGE_SIZE];

		/* Once donated, a page is the guest's: segments cannot share one. */
		if (pa) {
			fprintf(stderr, "pvm-run: two segments share the page at 0x%llx\n",
				(unsigned long long)a);
			return -1;
		}
		memset(page, 0, sizeof(page));
		if (hi > end)
			hi = end;
		if (lo < file_end)
			memcpy(page + (lo - a), img + ph->p_offset + (lo - ph->p_paddr),
			       (hi < file_end ? hi : file_end) - lo);
		if (vmm_back_page(v, a, page, sizeof(page),
				  (ph->p_flags & PF_X) ? PVM_MEASURE_CODE : PVM_MEASURE_DATA))
			return -1;
	}
	return 0;
}

int vmm_load_elf(struct vmm *v, const char *path, uint64_t *entry)
{
	FILE *f = fopen(path, "rb");
	unsigned char *img = NULL;
	Elf64_Ehdr eh;
	long size;
	int ret = -1;
	unsigned i;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < (long)sizeof(Elf64_Ehdr) ||
	    fseek(f, 0, SEEK_SET) || !(img = malloc((size_t)size)) ||
	    fread(img, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "pvm-run: cannot read %s\n", path);
		goto out;
	}
	memcpy(&eh, img, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_AARCH64 ||
	    eh.e_type != ET_EXEC || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phoff > (uint64_t)size ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > (uint64_t)size - eh.e_phoff) {
		fprintf(stderr, "pvm-run: %s is not an aarch64 ELF64 executable\n", path);
		goto out;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && ph.p_memsz && load_segment(v, img, (size_t)size, &ph))
			goto out;
	}
	*entry = eh.e_entry;
	ret = 0;
out:
	free(img);
	fclose(f);
	return ret;
}
