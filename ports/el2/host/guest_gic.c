/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest's GICv3 distributor and redistributors, emulated by the host on
 * MMIO exits: pvm-run's model (samples/pvm-run/gic_model.c, compiled in
 * here too), with the host's injection. The guest's CPU interface is the
 * hardware's (the hypervisor's list registers); what the model delivers is
 * injected with PVM_HC_VCPU_IRQ: an SPI a device of the host raised (the
 * mailbox doorbell) stays pending in the distributor until the guest has
 * configured it edge-triggered, put it in Group 1, routed it to a vCPU and
 * enabled it, and enabled the distributor's Group 1, as a GIC would keep
 * it. The virtual timer's PPI 27 is delivered by the hypervisor whatever
 * the redistributor's enable bit says (the hypervisor does not see this
 * emulation): a guest that keeps it disabled must keep its timer disabled
 * too.
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
	*woke = false;
	if (intid > UINT32_MAX || !gic_model_edge(&gic, (unsigned)intid))
		return false;
	*woke = deliver();
	return true;
}

bool guest_gic_mmio(uint64_t ipa, bool write, unsigned size, uint64_t *data, bool *handled,
		    bool *woke)
{
	*woke = false;
	if (!gic_model_mmio(&gic, ipa, write, size, data, handled))
		return false;
	if (*handled && write)
		*woke = deliver();
	return true;
}
