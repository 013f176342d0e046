/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linker script of the sample guests, run through the C preprocessor so the
 * addresses come from pvm_layout.h, the header the VMM uses too.
 *
 * The image is linked at the base of guest RAM and runs where it is linked
 * (no relocation): _start first, then code and read-only data in one
 * read-execute segment, then writable data, .bss and the vCPU stacks in a
 * read-write segment starting on a fresh page.
 */
#include "pvm_layout.h"

OUTPUT_FORMAT("elf64-littleaarch64")
OUTPUT_ARCH(aarch64)
ENTRY(_start)

MEMORY
{
	ram (rwx) : ORIGIN = PVM_LAYOUT_RAM_BASE, LENGTH = PVM_LAYOUT_RAM_SIZE
}

PHDRS
{
	text PT_LOAD FLAGS(5);	/* R X */
	data PT_LOAD FLAGS(6);	/* R W */
}

SECTIONS
{
	.text : {
		KEEP(*(.text.boot))
		*(.text .text.*)
	} > ram :text

	.rodata : ALIGN(16) {
		*(.rodata .rodata.*)
	} > ram :text

	/* On a fresh page; the symbol keeps the section, and so the page, when it is empty. */
	.data : ALIGN(4096) {
		__data_start = .;
		*(.data .data.*)
	} > ram :data

	/* start.S zeroes [__bss_start, __bss_end) 16 bytes at a time. */
	.bss : ALIGN(16) {
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(16);
		__bss_end = .;
	} > ram :data

	.stacks : ALIGN(16) {
		*(.stacks)
	} > ram :data

	/DISCARD/ : {
		*(.comment)
		*(.note .note.*)
		*(.eh_frame .eh_frame_hdr)
		*(.interp .dynamic .dynsym .dynstr .hash .gnu.hash)
	}
}

ASSERT(_start == PVM_LAYOUT_RAM_BASE, "_start must be the first byte of guest RAM")
