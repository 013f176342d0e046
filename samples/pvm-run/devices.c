/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The devices pvm-run emulates for its guests: a PL011 UART (transmit
 * only), the sample mailbox (pvm_layout.h), whose reads (and the write of
 * the relying party's challenge) go through the host's stage-2 so that what
 * the host may see of guest memory is visible and whose doorbell raises an
 * SPI, and, on a port without an interrupt
 * controller of its own (the simulator), the guest's GICv3 distributor and
 * redistributors (gic_model.c).
 *
 * The UART is enough of a PL011 for Linux's amba-pl011 driver and its
 * earlycon (pl011_model.c, shared with the EL2 port's host program); every
 * byte is printed as it is written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pl011_model.h"
#include "pvm_layout.h"
#include "vmm.h"

#define LINE_MAX_BYTES 256

/*
 * One line buffer per vCPU, so lines a bare-metal guest's vCPUs print at
 * once never mix; a Linux guest's console is one stream (its tty writes a
 * line from whichever CPU runs it, part on one, the rest on another): only
 * buffer 0, under uart_lock.
 */
static char line[PVM_VCPU_MAX][LINE_MAX_BYTES];
static size_t line_len[PVM_VCPU_MAX];
static pthread_mutex_t uart_lock = PTHREAD_MUTEX_INITIALIZER;

static struct pl011_model uart_model;

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
	unsigned b = v->uart_one_stream ? 0 : cpu;

	pthread_mutex_lock(&uart_lock);
	if (c == '\n' || line_len[b] == LINE_MAX_BYTES - 1) {
		line[b][line_len[b]] = 0;
		vmm_printf(v, false, "%s\n", line[b]);
		line_len[b] = 0;
	}
	if (c != '\n' && c != '\r')
		line[b][line_len[b]++] = c;
	pthread_mutex_unlock(&uart_lock);
}

static bool uart(struct vmm *v, unsigned cpu, struct pvm_exit *e, uint64_t off)
{
	uint8_t c;

	if (pl011_model_access(&uart_model, off, e->mmio.write, &e->mmio.data, &c))
		uart_putc(v, cpu, (char)c);
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

/* Write guest memory as the host would: the other direction of host_read(). */
static bool host_write(struct vmm *v, uint64_t ipa, const uint8_t *data, size_t len)
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
		if (!pa || !vmm_port_host_write(v, pa + off, data, chunk))
			return false;
		data += chunk;
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

/*
 * The relying party's challenge, written as the host at the blob's IPA:
 * its length, 0 if there is none or the host may not write there (a page
 * the guest did not share: the status says so).
 */
static uint32_t challenge(struct vmm *v)
{
	if (!v->challenge_len) {
		v->mailbox_status = 1;
		vmm_printf(v, false, "mailbox: no challenge to give\n");
		return 0;
	}
	v->mailbox_status = host_write(v, v->blob_ipa, v->challenge, v->challenge_len);
	if (!v->mailbox_status) {
		vmm_printf(v, false, "mailbox: host write faulted\n");
		return 0;
	}
	return v->challenge_len;
}

/* Inject what pvm-run's distributor delivers now. Under gic_lock. */
static bool gic_deliver(struct vmm *v, unsigned self)
{
	unsigned cpu, intid;
	pvm_status_t ret;

	while (gic_model_next(&v->gic_model, &cpu, &intid)) {
		ret = pvm_vcpu_inject_irq(v->hyp, v->vm, cpu, intid);
		if (ret) {
			vmm_printf(v, true, "pvm-run: injecting INTID %u into vCPU %u: %s\n", intid,
				   cpu, pvm_strerror(ret));
			return false;
		}
		vmm_wake(v, cpu, cpu != self);
	}
	return true;
}

/*
 * The doorbell: an edge on an SPI. KVM's vGIC latches it itself
 * (pvm_vcpu_inject_irq() is that edge there); elsewhere pvm-run's
 * distributor does, and delivers it when the guest's GIC lets it through.
 */
static bool doorbell(struct vmm *v, unsigned cpu, uint64_t intid)
{
	pvm_status_t ret;
	bool ok;

	if (intid < 32 || intid > PVM_LAYOUT_DOORBELL_MAX)
		return false;
	if (v->has_gic) {
		ret = pvm_vcpu_inject_irq(v->hyp, v->vm, cpu, (unsigned)intid);
		if (ret)
			vmm_printf(v, true, "pvm-run: doorbell INTID %u: %s\n", (unsigned)intid,
				   pvm_strerror(ret));
		return !ret;
	}
	pthread_mutex_lock(&v->gic_lock);
	ok = gic_model_edge(&v->gic_model, (unsigned)intid) && gic_deliver(v, cpu);
	pthread_mutex_unlock(&v->gic_lock);
	return ok;
}

static bool gic(struct vmm *v, unsigned cpu, struct pvm_exit *e, bool *handled)
{
	bool in;

	if (v->has_gic)
		return false; /* the port's own: its accesses never reach pvm-run */
	pthread_mutex_lock(&v->gic_lock);
	in = gic_model_mmio(&v->gic_model, e->mmio.ipa, e->mmio.write, e->mmio.size, &e->mmio.data,
			    handled);
	if (in && *handled && e->mmio.write)
		*handled = gic_deliver(v, cpu);
	pthread_mutex_unlock(&v->gic_lock);
	return in;
}

static bool mailbox(struct vmm *v, unsigned cpu, struct pvm_exit *e, uint64_t off)
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
	if (!e->mmio.write && off == PVM_LAYOUT_MAILBOX_CHALLENGE && e->mmio.size == 4) {
		e->mmio.data = challenge(v);
		return true;
	}
	if (!e->mmio.write && off == PVM_LAYOUT_MAILBOX_STATUS) {
		e->mmio.data = v->mailbox_status;
		return true;
	}
	if (e->mmio.write && off == PVM_LAYOUT_MAILBOX_DOORBELL && e->mmio.size == 4)
		return doorbell(v, cpu, e->mmio.data);
	return false;
}

bool vmm_mmio(struct vmm *v, unsigned cpu, struct pvm_exit *e)
{
	uint64_t a = e->mmio.ipa;
	bool handled;

	if (gic(v, cpu, e, &handled))
		return handled;
	if (a >= PVM_LAYOUT_UART_BASE && a < PVM_LAYOUT_UART_BASE + PVM_LAYOUT_UART_SIZE)
		return uart(v, cpu, e, a - PVM_LAYOUT_UART_BASE);
	if (a >= PVM_LAYOUT_MAILBOX_BASE && a < PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_SIZE)
		return mailbox(v, cpu, e, a - PVM_LAYOUT_MAILBOX_BASE);
	return false;
}
