/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest's GICv3 distributor and redistributors, emulated by the host on
 * MMIO exits: pvm-run's model (samples/common/gic_model.c, compiled in
 * here too), with the host's injection. The guest's CPU interface is the
 * hardware's (the hypervisor's list registers); what the model delivers is
 * injected with PVM_HC_VCPU_IRQ: an SPI a device of the host raised (the
 * mailbox doorbell) stays pending in the distributor until the guest has
 * configured it edge-triggered, put it in Group 1, routed it to a vCPU and
 * enabled it, and enabled the distributor's Group 1, as a GIC would keep
 * it. The virtual timer's PPI 27 is delivered by the hypervisor whatever
 * the redistributor's enable bit says (the hypervisor does not see this
 * emulation): a guest that keeps it disabled must keep its timer disabled
 * too. The host's CPUs run vCPUs at the same time and each serves its
 * vCPU's MMIO exits: one lock keeps the model and its injections whole.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gic_model.h"
#include "host.h"
#include "hvc.h"

#include <libpvm/abi.h>

static struct gic_model gic;
static uint64_t gic_vm;
static uint32_t gic_lock;

void guest_gic_reset(uint64_t vm)
{
	gic_model_reset(&gic, GUEST_GIC_CPUS);
	gic_vm = vm;
}

/* Inject what the distributor delivers now; true if anything was. */
static bool deliver(void)
{
	unsigned cpu, intid;
	bool any = false;
	int64_t ret;

	while (gic_model_next(&gic, &cpu, &intid)) {
		ret = hvc(PVM_HC_VCPU_IRQ, gic_vm, cpu, intid, 0, 0, 0, NULL);
		CHECK(ret == 0, "PVM_HC_VCPU_IRQ vCPU %u INTID %u: %ld", cpu, intid, ret);
		any = true;
	}
	return any;
}

bool guest_gic_raise(uint64_t intid, bool *woke)
{
	bool ok;

	*woke = false;
	if (intid > UINT32_MAX)
		return false;
	spin_lock(&gic_lock);
	ok = gic_model_edge(&gic, (unsigned)intid);
	if (ok)
		*woke = deliver();
	spin_unlock(&gic_lock);
	return ok;
}

bool guest_gic_mmio(uint64_t ipa, bool write, unsigned size, uint64_t *data, bool *handled,
		    bool *woke)
{
	bool ok;

	*woke = false;
	spin_lock(&gic_lock);
	ok = gic_model_mmio(&gic, ipa, write, size, data, handled);
	if (ok && *handled && write)
		*woke = deliver();
	spin_unlock(&gic_lock);
	return ok;
}
