/* SPDX-License-Identifier: Apache-2.0 */
/* The PL011 model of pl011_model.h. */
#include "pl011_model.h"

#include "pvm_layout.h"

#define UART_RIS      0x03c /* raw and masked interrupt status: nothing pending */
#define UART_MIS      0x040
#define UART_ICR      0x044 /* write-only */
#define UART_ID_FIRST 0xfe0
/* UARTPeriphID0-3 (a PL011 r1p5, designer ARM) and UARTPCellID0-3. */
static const uint8_t uart_id[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

/* A register that reads back what was written. */
static bool plain(uint64_t off)
{
	return off < PL011_MODEL_REGS_END && off != PVM_LAYOUT_UART_DR &&
	       off != PVM_LAYOUT_UART_FR && off != UART_RIS && off != UART_MIS && off != UART_ICR;
}

bool pl011_model_access(struct pl011_model *u, uint64_t off, bool write, uint64_t *data,
			uint8_t *tx)
{
	if (off & 3) {
		if (!write)
			*data = 0; /* not a register: reads as zero, writes ignored */
		return false;
	}
	if (write) {
		if (off == PVM_LAYOUT_UART_DR) {
			*tx = (uint8_t)*data;
			return true;
		}
		if (plain(off))
			__atomic_store_n(&u->reg[off / 4], (uint32_t)*data, __ATOMIC_RELAXED);
		return false; /* read-only registers: writes ignored */
	}
	if (off == PVM_LAYOUT_UART_FR)
		*data = PVM_LAYOUT_UART_FR_IDLE; /* never busy, never full, no input */
	else if (off >= UART_ID_FIRST && off < UART_ID_FIRST + 4 * sizeof(uart_id))
		*data = uart_id[(off - UART_ID_FIRST) / 4];
	else if (plain(off))
		*data = __atomic_load_n(&u->reg[off / 4], __ATOMIC_RELAXED);
	else
		*data = 0; /* no received data, no interrupt */
	return false;
}
