/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest's PL011 UART, transmit only, emulated by a VMM on MMIO exits:
 * enough of one for Linux's amba-pl011 driver and its earlycon (the
 * PrimeCell identification registers the AMBA bus probes, a flag register
 * saying "transmit FIFO empty, receive FIFO empty", control registers that
 * read back what was written, no interrupt ever raised). Used by pvm-run
 * (devices.c) and by the EL2 port's host program: freestanding (no libc,
 * no libpvm); the caller prints the bytes. Accesses to one register may
 * come from several vCPUs at once: each register is a relaxed atomic.
 */
#ifndef PVM_PL011_MODEL_H
#define PVM_PL011_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define PL011_MODEL_REGS_END 0x4c /* ILPR..DMACR: read back as written */

struct pl011_model {
	uint32_t reg[PL011_MODEL_REGS_END / 4];
};

/*
 * An access at offset @off of the UART's page (any size: a misaligned one
 * reads as zero and is ignored). A read's value goes to *data. True when
 * the access was a write of the data register: the byte to print in *tx.
 */
bool pl011_model_access(struct pl011_model *u, uint64_t off, bool write, uint64_t *data,
			uint8_t *tx);

#endif
