/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The devices pvm-run emulates for its guests: a PL011 UART (transmit
 * only) and the sample mailbox (pvm_layout.h), whose reads go through the
 * host's stage-2 so that what the host may see of guest memory is visible.
 */
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

/*
 * Read guest memory as the host would: through the host's own stage-2, at
 * the PA the VMM backed each guest page with. False if a page is not
 * backed or the host may not read it (it faults).
 */
static bool host_read(struct vmm *v, uint64_t ipa, uint8_t *out, size_t len)
{
	while (len) {
		uint64_t page = (ipa - v->ram_ipa) / PVM_PAGE_SIZE, off = ipa & (PVM_PAGE_SIZE - 1);
		size_t chunk = PVM_PAGE_SIZE - off;
		uint64_t pa;

		if (chunk > len)
			chunk = len;
		if (ipa < v->ram_ipa || page >= v->ram_size / PVM_PAGE_SIZE)
			return false;
		pthread_mutex_lock(&v->lock);
		pa = v->ipa_to_pa[page];
		pthread_mutex_unlock(&v->lock);
		if (!pa || !vmm_port_host_read(v, pa + off, out, chunk))
			return false;
		out += chunk;
		ipa += chunk;
		len -= chunk;
	}
	return true;
}

/* A NUL-terminated guest string, read as the host. */
static bool host_read_string(struct vmm *v, uint64_t ipa, char *out, size_t max)
{
	size_t i;

	for (i = 0; i < max; i++) {
		if (!host_read(v, ipa + i, (uint8_t *)&out[i], 1))
			return false;
		if (!out[i])
			return true;
	}
	out[max - 1] = 0;
	return true;
}

/* A guest blob, read as the host, for the VMM's attestation code. */
static bool blob(struct vmm *v, uint64_t ipa, uint64_t len)
{
	static uint8_t buf[PVM_LAYOUT_MAILBOX_BLOB_MAX];

	if (!len || len > sizeof(buf)) {
		vmm_printf(v, false, "mailbox: blob of %llu bytes refused\n",
			   (unsigned long long)len);
		return false;
	}
	if (!host_read(v, ipa, buf, (size_t)len)) {
		vmm_printf(v, false, "mailbox: host read faulted\n");
		return false;
	}
	vmm_printf(v, false, "mailbox: blob of %llu bytes\n", (unsigned long long)len);
	vmm_evidence(v, buf, (size_t)len);
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
	if (e->mmio.write && off == PVM_LAYOUT_MAILBOX_BLOB_ADDR && e->mmio.size == 8) {
		v->blob_ipa = e->mmio.data;
		return true;
	}
	if (e->mmio.write && off == PVM_LAYOUT_MAILBOX_BLOB_LEN && e->mmio.size == 8) {
		v->mailbox_status = blob(v, v->blob_ipa, e->mmio.data);
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
