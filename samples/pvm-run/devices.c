/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The devices pvm-run emulates for its guests: a PL011 UART (transmit
 * only) and the sample mailbox (pvm_layout.h), whose reads go through the
 * host's stage-2 so that what the host may see of guest memory is visible.
 */
#include <libpvm/sim.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pvm_layout.h"
#include "vmm.h"

#define LINE_MAX_BYTES 256

/* One line buffer per vCPU: lines from different vCPUs never mix. */
static char line[PVM_VCPU_MAX][LINE_MAX_BYTES];
static size_t line_len[PVM_VCPU_MAX];

void vmm_printf(struct vmm *v, bool err, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&v->lock);
	va_start(ap, fmt);
	vfprintf(err ? stderr : stdout, fmt, ap);
	va_end(ap);
	fflush(err ? stderr : stdout);
	pthread_mutex_unlock(&v->lock);
}

static void uart_putc(struct vmm *v, unsigned cpu, char c)
{
	if (c == '\n' || line_len[cpu] == LINE_MAX_BYTES - 1) {
		line[cpu][line_len[cpu]] = 0;
		vmm_printf(v, false, "%s\n", line[cpu]);
		line_len[cpu] = 0;
		if (c == '\n')
			return;
	}
	if (c != '\r')
		line[cpu][line_len[cpu]++] = c;
}

static bool uart(struct vmm *v, unsigned cpu, struct pvm_exit *e, uint64_t off)
{
	if (e->mmio.write) {
		if (off == PVM_LAYOUT_UART_DR)
			uart_putc(v, cpu, (char)(e->mmio.data & 0xff));
		return true; /* other registers: writes ignored */
	}
	/* UARTFR: never busy, never full. Other registers read as zero. */
	e->mmio.data = 0;
	return true;
}

/* Read a guest string as the host would: through the host's own stage-2. */
static bool host_read_string(struct vmm *v, uint64_t ipa, char *out, size_t max)
{
	size_t i;

	for (i = 0; i < max; i++) {
		uint64_t page = (ipa + i - v->ram_ipa) / PVM_PAGE_SIZE, pa;

		if (ipa + i < v->ram_ipa || page >= v->ram_size / PVM_PAGE_SIZE)
			return false;
		pthread_mutex_lock(&v->lock);
		pa = v->ipa_to_pa[page];
		pthread_mutex_unlock(&v->lock);
		if (!pa || pvm_sim_s2_copy(
				   pvm_stage2_vtcr(&v->mem.host), pvm_stage2_vttbr(&v->mem.host),
				   pa + ((ipa + i) & (PVM_PAGE_SIZE - 1)), &out[i], 1, false, NULL))
			return false;
		if (!out[i])
			return true;
	}
	out[max - 1] = 0;
	return true;
}

static bool mailbox(struct vmm *v, struct pvm_exit *e, uint64_t off)
{
	char s[PVM_LAYOUT_MAILBOX_STR_MAX];

	if (e->mmio.write && off == PVM_LAYOUT_MAILBOX_ADDR && e->mmio.size == 8) {
		bool ok = host_read_string(v, e->mmio.data, s, sizeof(s));

		v->mailbox_status = ok;
		if (ok)
			vmm_printf(v, false, "mailbox: %s\n", s);
		else
			vmm_printf(v, false, "mailbox: host read faulted\n");
		return true;
	}
	if (!e->mmio.write && off == PVM_LAYOUT_MAILBOX_STATUS) {
		e->mmio.data = v->mailbox_status;
		return true;
	}
	return false;
}

bool vmm_mmio(struct vmm *v, unsigned cpu, struct pvm_exit *e)
{
	uint64_t a = e->mmio.ipa;

	if (a >= PVM_LAYOUT_UART_BASE && a < PVM_LAYOUT_UART_BASE + PVM_LAYOUT_UART_SIZE)
		return uart(v, cpu, e, a - PVM_LAYOUT_UART_BASE);
	if (a >= PVM_LAYOUT_MAILBOX_BASE && a < PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_SIZE)
		return mailbox(v, e, a - PVM_LAYOUT_MAILBOX_BASE);
	return false;
}
