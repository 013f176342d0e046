/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interrupts on the KVM port: KVM's in-kernel GICv3 (the vGIC) and, through
 * it, the arch timer. The guest's distributor and redistributors are
 * emulated in the kernel, its timer PPIs are raised there, and the VMM's
 * device interrupts go in with KVM_IRQ_LINE. The core's virtual interrupt
 * bitmap is not used: pvm_port_vcpu_irq() turns pvm_vcpu_inject_irq() into
 * an edge on the interrupt's line at once, because a vCPU waiting in WFI
 * sleeps inside KVM_RUN (KVM handles WFI itself) and only the vGIC wakes it.
 */
#include <libpvm/port.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_internal.h"

/* SGIs 0-15, PPIs 16-31, SPIs from 32 (GICv3). */
#define GIC_PPI_FIRST 16u
#define GIC_SPI_FIRST 32u
#define GIC_MAX_IRQS  1024u
#define GIC_ALIGN     0x10000ull

static int dev_attr(int fd, uint32_t group, uint64_t attr, void *val)
{
	struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)val};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static pvm_status_t gic_check(const struct pvm_kvm_gic *gic)
{
	uint64_t rlen = PVM_VCPU_MAX * PVM_KVM_GIC_REDIST_STRIDE;
	uint64_t top = 1ull << kvm_port.ipa_bits;

	if (!gic || (gic->dist_base | gic->redist_base) & (GIC_ALIGN - 1) || gic->nr_irqs % 32 ||
	    gic->nr_irqs < 64 || gic->nr_irqs > GIC_MAX_IRQS)
		return PVM_E_INVAL;
	if (gic->dist_base >= top || top - gic->dist_base < PVM_KVM_GIC_DIST_SIZE ||
	    gic->redist_base >= top || top - gic->redist_base < rlen ||
	    overlap(gic->dist_base, PVM_KVM_GIC_DIST_SIZE, gic->redist_base, rlen))
		return PVM_E_RANGE;
	return PVM_OK;
}

pvm_status_t pvm_kvm_vm_gic(unsigned vm, const struct pvm_kvm_gic *gic)
{
	struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
	struct kvm_vm_port *v;
	uint64_t dist, redist;
	uint32_t nr;
	pvm_status_t ret;

	if (vm >= PVM_VM_MAX || kvm_port.kvm_fd < 0)
		return PVM_E_INVAL;
	ret = gic_check(gic);
	if (ret)
		return ret;
	if (!kvm_port.caps.gic_v3)
		return PVM_E_NOTSUP;
	v = kvm_vm_get(vm);
	if (!v)
		return PVM_E_STATE; /* pvm_kvm_vm_attach() first */
	pthread_mutex_lock(&v->gic_lock);
	if (v->gic_fd >= 0) {
		ret = PVM_E_EXISTS;
		goto out;
	}
	if (v->frozen) {
		ret = PVM_E_STATE;
		goto out;
	}
	dist = gic->dist_base;
	redist = gic->redist_base;
	nr = gic->nr_irqs;
	/*
	 * KVM checks too (EBUSY once a vCPU has run, E2BIG beyond the IPA
	 * size); with one redistributor region for all vCPUs, vCPU n's frames
	 * are at redist + n * 128 KiB in KVM's creation order.
	 */
	if (ioctl(v->fd, KVM_CREATE_DEVICE, &cd)) {
		fprintf(stderr, "libpvm-kvm: KVM_CREATE_DEVICE(vGICv3): %s\n", strerror(errno));
		ret = errno == EBUSY ? PVM_E_STATE : PVM_E_NOTSUP;
		goto out;
	}
	if (dev_attr((int)cd.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
	    dev_attr((int)cd.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST,
		     &redist) ||
	    dev_attr((int)cd.fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr)) {
		fprintf(stderr, "libpvm-kvm: vGICv3 layout: %s\n", strerror(errno));
		close((int)cd.fd); /* KVM keeps the device until the VM goes: it is never inited */
		ret = PVM_E_NOTSUP;
		goto out;
	}
	v->gic_nr_irqs = nr;
	__atomic_store_n(&v->gic_fd, (int)cd.fd, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&v->gic_lock);
	return ret;
}

bool kvm_gic_ready(struct kvm_vm_port *v)
{
	bool ok = true;

	if (__atomic_load_n(&v->frozen, __ATOMIC_ACQUIRE))
		return true;
	/*
	 * The vGIC sizes its redistributors and private interrupts for the
	 * vCPUs that exist when it is initialised, and KVM creates no vCPU
	 * after; but neither runs a vCPU nor takes an interrupt line (EBUSY)
	 * before. The first entry of a vCPU or the first line raised, whichever
	 * comes first, is the moment.
	 */
	pthread_mutex_lock(&v->gic_lock);
	if (!v->frozen && v->gic_fd >= 0) {
		ok = dev_attr(v->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
			      NULL) == 0;
		if (!ok)
			fprintf(stderr, "libpvm-kvm: KVM_DEV_ARM_VGIC_CTRL_INIT: %s\n",
				strerror(errno));
	}
	if (ok)
		__atomic_store_n(&v->frozen, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&v->gic_lock);
	return ok;
}

/* KVM_IRQ_LINE's irq word (arm64): vCPU index high bits, type, vCPU index, INTID. */
static uint32_t line_word(unsigned type, unsigned kvm_idx, unsigned intid)
{
	return ((kvm_idx >> 8) & 0xfu) << KVM_ARM_IRQ_VCPU2_SHIFT | type << KVM_ARM_IRQ_TYPE_SHIFT |
	       (kvm_idx & 0xffu) << KVM_ARM_IRQ_VCPU_SHIFT | intid << KVM_ARM_IRQ_NUM_SHIFT;
}

/* The line of @intid: 0 and its irq word in @word, or a status. */
static pvm_status_t line_of(unsigned vm, unsigned index, unsigned intid, struct kvm_vm_port **vp,
			    uint32_t *word)
{
	struct kvm_vm_port *v;

	if (vm >= PVM_VM_MAX || index >= PVM_VCPU_MAX || intid >= GIC_MAX_IRQS)
		return PVM_E_INVAL;
	v = __atomic_load_n(&kvm_port.vms[vm], __ATOMIC_ACQUIRE);
	if (!v || __atomic_load_n(&v->gic_fd, __ATOMIC_ACQUIRE) < 0)
		return PVM_E_STATE;
	if (intid < GIC_PPI_FIRST)
		return PVM_E_NOTSUP; /* SGIs come from the guest's ICC_SGI1R_EL1 only */
	if (intid >= v->gic_nr_irqs)
		return PVM_E_INVAL;
	if (!kvm_gic_ready(v))
		return PVM_E_NOTSUP;
	if (intid < GIC_SPI_FIRST) {
		struct kvm_vcpu_port *c = __atomic_load_n(&v->vcpus[index], __ATOMIC_ACQUIRE);

		if (!c)
			return PVM_E_NOENT;
		*word = line_word(KVM_ARM_IRQ_TYPE_PPI, c->kvm_idx, intid);
	} else {
		*word = line_word(KVM_ARM_IRQ_TYPE_SPI, 0, intid);
	}
	*vp = v;
	return PVM_OK;
}

static pvm_status_t set_line(struct kvm_vm_port *v, uint32_t word, bool level)
{
	struct kvm_irq_level l = {.irq = word, .level = level};

	if (ioctl(v->fd, KVM_IRQ_LINE, &l) == 0)
		return PVM_OK;
	fprintf(stderr, "libpvm-kvm: KVM_IRQ_LINE 0x%x=%d: %s\n", word, level, strerror(errno));
	return PVM_E_NOTSUP;
}

pvm_status_t pvm_kvm_irq_line(unsigned vm, unsigned index, unsigned intid, bool level)
{
	struct kvm_vm_port *v = NULL;
	uint32_t word = 0;
	pvm_status_t ret = line_of(vm, index, intid, &v, &word);

	return ret ? ret : set_line(v, word, level);
}

/*
 * pvm_vcpu_inject_irq() asks for "pending once", the GIC's edge: a rising
 * and a falling edge on the line (as kvmtool triggers an edge interrupt),
 * which the vGIC latches for an edge-triggered SPI. KVM keeps PPIs
 * level-sensitive, so an edge on one is never latched (the falling edge
 * withdraws it before the vCPU looks): refused, as are SGIs; a VMM drives
 * PPI levels with pvm_kvm_irq_line(). An SPI goes to the vCPU the guest
 * routes it to (GICD_IROUTER), whatever @index says.
 */
pvm_status_t pvm_port_vcpu_irq(unsigned vm, unsigned index, unsigned intid, bool *queue)
{
	struct kvm_vm_port *v = NULL;
	uint32_t word = 0;
	pvm_status_t ret;

	*queue = false;
	/* An SGI or PPI; or no vGIC, or an SPI beyond it: nothing can deliver it. */
	if (intid < GIC_SPI_FIRST || line_of(vm, index, intid, &v, &word))
		return PVM_E_NOTSUP;
	ret = set_line(v, word, true);
	if (!ret)
		ret = set_line(v, word, false);
	return ret;
}
