/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest's GICv3 distributor and redistributors, emulated by a VMM on MMIO
 * exits at the sample guests' addresses (pvm_layout.h: QEMU virt's), as
 * far as a GICv3 guest programs them (samples/guests/irq.c). Used by
 * pvm-run on the simulator and by the EL2 port's host program: freestanding
 * (no libc, no libpvm), it only keeps the state; the caller injects what
 * gic_model_next() hands out into the vCPU's CPU interface (list registers
 * on EL2, the simulator's emulated interface), which is the hypervisor's.
 * Not thread-safe: the caller serialises.
 */
#ifndef PVM_GIC_MODEL_H
#define PVM_GIC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define GIC_MODEL_CPUS 8u   /* redistributors (PVM_VCPU_MAX) */
#define GIC_MODEL_IRQS 128u /* INTIDs 0..127: libpvm injects below 128 */

struct gic_model {
	unsigned ncpus;
	uint32_t ctlr;
	/* SPIs: words 1..3 of each bitmap (INTIDs 32..127); word 0 unused. */
	uint32_t group[GIC_MODEL_IRQS / 32], enable[GIC_MODEL_IRQS / 32];
	uint32_t pending[GIC_MODEL_IRQS / 32], cfg[GIC_MODEL_IRQS / 16];
	uint8_t priority[GIC_MODEL_IRQS];
	uint64_t route[GIC_MODEL_IRQS];
	/* Each vCPU's redistributor: its SGIs and PPIs. */
	struct {
		uint32_t waker, group, enable;
		uint8_t priority[32];
	} cpu[GIC_MODEL_CPUS];
};

/* Out of reset, for @ncpus vCPUs (1..GIC_MODEL_CPUS; more are cut). */
void gic_model_reset(struct gic_model *g, unsigned ncpus);

/*
 * An MMIO access at @ipa: false if it is not in the GIC's windows; else
 * *handled, false for an access the model does not emulate (the guest gets
 * an abort). A read's value goes to *data.
 */
bool gic_model_mmio(struct gic_model *g, uint64_t ipa, bool write, unsigned size, uint64_t *data,
		    bool *handled);

/* A device's edge on SPI @intid: false if @intid is not an SPI (32..127). */
bool gic_model_edge(struct gic_model *g, unsigned intid);

/*
 * Hand out one pending interrupt the distributor now delivers (its group
 * and it enabled, routed to an awake redistributor): true with the vCPU
 * and INTID, which leave the distributor for that vCPU's CPU interface.
 */
bool gic_model_next(struct gic_model *g, unsigned *cpu, unsigned *intid);

#endif
