/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The world switch of the KVM port: pvm_port_vcpu_enter() is KVM_RUN.
 *
 * The core decodes traps from the syndromes hardware gives EL2; KVM gives
 * decoded exits instead. Each KVM exit is turned back into the syndrome the
 * hardware would have reported, so the core stays the single decoder and
 * the same exits reach the VMM as on the other ports:
 *  - KVM_EXIT_MMIO: a data abort with a valid instruction syndrome. KVM
 *    says address, size, direction and (stores) data, not the register, so
 *    the port names x0 as the transfer register, lends the core ctx's x0
 *    (the data of a store in it) and takes the core's completion of a load
 *    back out of it; KVM itself writes the guest's real register and steps
 *    over the instruction on the next KVM_RUN.
 *  - KVM_EXIT_ARM_NISV: a data abort without instruction syndrome.
 *  - KVM_EXIT_SYSTEM_EVENT: KVM ran the guest's PSCI SYSTEM_OFF/RESET in the
 *    kernel; the core sees the guest's HVC of that call.
 *  - KVM_EXIT_HYPERCALL (SMCCC filter, Linux 6.4+): the guest's HVC.
 * An abort on an IPA the core has mapped (a page donated after the last
 * memslot update) is not the core's business: the port adds the memslot
 * and reruns, as a TLB miss is invisible on hardware.
 *
 * Registers: KVM holds the guest's. The port keeps in `shadow` what it last
 * read from or wrote to KVM, and on entry writes back only the general
 * registers, PC and PSTATE the core changed; on exit it reads PC (and x0-x5
 * for a hypercall). The EL1 system registers in ctx are not synchronised:
 * an exception the core injects is replayed through KVM's own injection,
 * and a reset by the core (ctx->resets) is KVM_ARM_VCPU_INIT again.
 */
#define _GNU_SOURCE
#include <libpvm/abi.h>
#include <libpvm/esr.h>
#include <libpvm/port.h>

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_internal.h"

/* The register the port names in synthesised MMIO syndromes. */
#define KVM_SRT 0u

#define CORE_REG(name)                                                                             \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |                                     \
	 (offsetof(struct kvm_regs, name) / sizeof(__u32)))

static struct kvm_vcpu_port *vcpu_get(unsigned vm, unsigned index)
{
	struct kvm_vm_port *v;

	if (vm >= PVM_VM_MAX || index >= PVM_VCPU_MAX)
		return NULL;
	v = __atomic_load_n(&kvm_port.vms[vm], __ATOMIC_ACQUIRE);
	return v ? __atomic_load_n(&v->vcpus[index], __ATOMIC_ACQUIRE) : NULL;
}

static int reg_get(struct kvm_vcpu_port *c, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)val};

	return ioctl(c->fd, KVM_GET_ONE_REG, &r);
}

static int reg_set(struct kvm_vcpu_port *c, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)&val};

	return ioctl(c->fd, KVM_SET_ONE_REG, &r);
}

static void on_kick(int sig)
{
	(void)sig; /* only there to make KVM_RUN return EINTR */
}

pvm_status_t pvm_kvm_vcpu_attach(unsigned vm, unsigned index)
{
	struct kvm_vm_port *v;
	struct kvm_vcpu_port *c;
	struct kvm_vcpu_init init;
	struct sigaction sa = {.sa_handler = on_kick};
	int sz;

	if (vm >= PVM_VM_MAX || index >= PVM_VCPU_MAX || kvm_port.kvm_fd < 0)
		return PVM_E_INVAL;
	if (vcpu_get(vm, index))
		return PVM_E_EXISTS;
	v = kvm_vm_get(vm);
	if (!v)
		return PVM_E_STATE; /* pvm_kvm_vm_attach() first */
	if (__atomic_load_n(&v->frozen, __ATOMIC_ACQUIRE))
		return PVM_E_STATE; /* KVM takes no vCPU once the VM has run or its vGIC is set up
				     */
	sigaction(SIGUSR1, &sa, NULL);
	c = calloc(1, sizeof(*c));
	if (!c)
		return PVM_E_NOMEM;
	sz = ioctl(kvm_port.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	c->fd = ioctl(v->fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (c->fd >= 0)
		c->kvm_idx = v->nvcpus++; /* KVM counts it even if its init fails below */
	if (sz <= 0 || c->fd < 0 || ioctl(v->fd, KVM_ARM_PREFERRED_TARGET, &init))
		goto fail;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	/*
	 * With the filter the core runs PSCI and enters a vCPU only once it is
	 * on, so KVM never needs to hold one back. Without it KVM runs PSCI:
	 * secondaries start powered off, their VMM threads block in KVM_RUN
	 * until the guest's CPU_ON wakes them (pvm_kvm_vm_caps.guest_calls).
	 */
	if (index && !v->guest_calls) {
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
		c->regs_from_kvm = true;
	}
	/*
	 * pKVM (7.3) shows a protected VM's vCPU the CPU's pointer
	 * authentication in its ID registers whatever the VMM asked, but traps
	 * the key registers as undefined unless the vCPU has the feature: a
	 * Linux guest then dies at its first context switch. Ordinary VMs keep
	 * KVM's default (no PAuth, hidden) as before.
	 */
	if (v->kprot &&
	    ioctl(kvm_port.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PTRAUTH_ADDRESS) > 0 &&
	    ioctl(kvm_port.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PTRAUTH_GENERIC) > 0)
		init.features[0] |=
			1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS | 1u << KVM_ARM_VCPU_PTRAUTH_GENERIC;
	if (ioctl(c->fd, KVM_ARM_VCPU_INIT, &init))
		goto fail;
	c->init = init;
	c->run_size = (size_t)sz;
	c->run = mmap(NULL, c->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED)
		goto fail;
	/* KVM_ARM_VCPU_INIT's reset state: registers zero, EL1h with DAIF masked. */
	c->shadow.pstate = PVM_PSTATE_EL1H_MASKED;
	__atomic_store_n(&v->vcpus[index], c, __ATOMIC_RELEASE);
	return PVM_OK;
fail:
	fprintf(stderr, "libpvm-kvm: vCPU %u: %s\n", index, strerror(errno));
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return PVM_E_NOTSUP;
}

void pvm_kvm_vcpu_kick(unsigned vm, unsigned index)
{
	struct kvm_vcpu_port *c = vcpu_get(vm, index);
	pthread_t t;

	if (!c)
		return;
	__atomic_store_n(&c->kick, 1, __ATOMIC_RELEASE);
	/* immediate_exit catches a kick that lands just before KVM_RUN; the signal one inside. */
	__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_RELEASE);
	t = (pthread_t)__atomic_load_n(&c->thread, __ATOMIC_ACQUIRE);
	if (t)
		pthread_kill(t, SIGUSR1);
}

/*
 * The core reset the vCPU (a guest's PSCI CPU_ON of a vCPU that ran and
 * switched itself off, or pvm_vcpu_boot()): its EL1 system registers
 * (SCTLR_EL1, VBAR_EL1, TTBRs, ...) are in KVM, not in ctx, so KVM must
 * reset them, as its own PSCI CPU_ON does: KVM_ARM_VCPU_INIT again, with
 * the same features. The core registers are then written from ctx.
 */
static void reset(struct kvm_vcpu_port *c)
{
	if (ioctl(c->fd, KVM_ARM_VCPU_INIT, &c->init))
		fprintf(stderr, "libpvm-kvm: resetting a vCPU: %s\n", strerror(errno));
	memset(&c->shadow, 0, sizeof(c->shadow));
	c->shadow.pstate = PVM_PSTATE_EL1H_MASKED;
	c->pend = KP_NONE;
}

/* Write back what the core changed in the registers KVM holds. */
static void load_regs(struct kvm_vcpu_port *c, struct pvm_vcpu_regs *r)
{
	unsigned i;

	for (i = 0; i < 31; i++)
		if (r->x[i] != c->shadow.x[i] && !reg_set(c, CORE_REG(regs.regs[i]), r->x[i]))
			c->shadow.x[i] = r->x[i];
	if (r->pc != c->shadow.pc && !reg_set(c, CORE_REG(regs.pc), r->pc))
		c->shadow.pc = r->pc;
	if (r->pstate != c->shadow.pstate && !reg_set(c, CORE_REG(regs.pstate), r->pstate))
		c->shadow.pstate = r->pstate;
}

/* ESR_EL1 (op0 3, op1 0, CRn 5, CRm 2, op2 0) as a ONE_REG id. */
#define ESR_EL1_REG ARM64_SYS_REG(3, 0, 5, 2, 0)

/*
 * KVM makes the exception entry (vector, ELR, SPSR, FAR from the trap's
 * FAR_EL2); the syndrome is then overwritten with the core's, so the guest
 * reads the same ESR_EL1 as on the other ports. Not only for uniformity:
 * 6.1's inject_abt64() builds the EC from int constants shifted into bit
 * 31, which sign-extends, and the guest read 0xffffffff96000010 (QEMU keeps
 * ESR_EL1[63:32], RES0 here, as written).
 */
static void inject_dabt(struct kvm_vcpu_port *c, uint64_t esr)
{
	struct kvm_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	if (ioctl(c->fd, KVM_SET_VCPU_EVENTS, &ev) || reg_set(c, ESR_EL1_REG, esr))
		fprintf(stderr, "libpvm-kvm: cannot inject a data abort: %s\n", strerror(errno));
}

/*
 * Apply the core's completion of the exit handed over last time. The core
 * completes an emulated access by stepping PC over it, asks for a retry
 * (the page has been donated since) by leaving PC alone, and answers with
 * an abort by moving PC to the guest's vector. KVM does each of those its
 * own way; ctx is put back to what KVM holds.
 */
static void complete(struct kvm_vcpu_port *c, struct pvm_vcpu_regs *r)
{
	struct kvm_run *run = c->run;
	uint8_t pend = c->pend;
	uint64_t pc = r->pc;

	c->pend = KP_NONE;
	if (pend == KP_NONE)
		return;
	if (pend == KP_MMIO) {
		uint64_t val = r->x[KVM_SRT];

		r->x[KVM_SRT] = c->pend_saved;
		if (pc == c->pend_pc + 4) {
			if (!run->mmio.is_write)
				memcpy(run->mmio.data, &val, run->mmio.len);
			r->pc = c->pend_pc; /* KVM steps over the access itself */
			return;
		}
		/* Not completed: KVM must not step over the access on the next KVM_RUN. */
		run->exit_reason = KVM_EXIT_UNKNOWN;
	}
	if (pc != c->pend_pc) {
		/* The core injected an abort into ctx; KVM's injection does the same to the guest.
		 */
		r->pc = c->shadow.pc;
		r->pstate = c->shadow.pstate;
		inject_dabt(c, r->sys[PVM_SYS_ESR_EL1]);
	}
}

static void trap_dabt(struct pvm_trap *trap, uint64_t esr, uint64_t ipa)
{
	trap->kind = PVM_TRAP_SYNC;
	trap->esr = esr;
	trap->far = ipa; /* the guest VA is not known; the core uses only its page offset */
	trap->hpfar = pvm_hpfar_from_ipa(ipa);
}

static void read_pc(struct kvm_vcpu_port *c, struct pvm_vcpu_regs *r)
{
	if (!reg_get(c, CORE_REG(regs.pc), &c->shadow.pc))
		r->pc = c->shadow.pc;
}

/* KVM's in-kernel CPU_ON reset the vCPU: take all its registers as the truth. */
static void read_all(struct kvm_vcpu_port *c, struct pvm_vcpu_regs *r)
{
	unsigned i;

	for (i = 0; i < 31; i++)
		if (!reg_get(c, CORE_REG(regs.regs[i]), &c->shadow.x[i]))
			r->x[i] = c->shadow.x[i];
	if (!reg_get(c, CORE_REG(regs.pstate), &c->shadow.pstate))
		r->pstate = c->shadow.pstate;
	read_pc(c, r);
}

/* An exit KVM cannot serve: hand it to the core as a trap, or return false to rerun. */
static bool translate(struct kvm_vm_port *v, struct kvm_vcpu_port *c, struct pvm_vcpu_regs *r,
		      struct pvm_trap *trap)
{
	struct kvm_run *run = c->run;
	bool writable, write;
	uint64_t ipa;
	unsigned i;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
	case KVM_EXIT_ARM_NISV:
		if (run->exit_reason == KVM_EXIT_MMIO) {
			ipa = run->mmio.phys_addr;
			write = run->mmio.is_write;
		} else {
			ipa = run->arm_nisv.fault_ipa;
			write = (run->arm_nisv.esr_iss & PVM_ISS_WNR) != 0;
		}
		if (kvm_s2_fault_in(v, ipa, &writable) && (writable || !write)) {
			/* Mapped by the core since the memslots were made: now it is KVM's too. */
			run->exit_reason = KVM_EXIT_UNKNOWN;
			return false;
		}
		read_pc(c, r);
		c->pend_pc = r->pc;
		if (run->exit_reason == KVM_EXIT_ARM_NISV) {
			c->pend = KP_NISV;
			trap_dabt(trap,
				  pvm_esr_dabt(PVM_FSC_TRANS_ANY | 3, write, 0, 32, false, false),
				  ipa);
			return true;
		}
		c->pend = KP_MMIO;
		c->pend_saved = r->x[KVM_SRT];
		if (write) {
			uint64_t val = 0;

			memcpy(&val, run->mmio.data, run->mmio.len);
			r->x[KVM_SRT] = val;
		}
		/* A write to a read-only page the core mapped: a permission fault, not MMIO. */
		trap_dabt(trap,
			  pvm_esr_dabt((kvm_s2_fault_in(v, ipa, &writable) ? PVM_FSC_PERM_ANY
									   : PVM_FSC_TRANS_ANY) |
					       3,
				       write, run->mmio.len, KVM_SRT, false, true),
			  ipa);
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		/*
		 * KVM ran PSCI SYSTEM_OFF/RESET itself. The core sees the call the
		 * guest made, and turns it into the same PSCI exit as elsewhere.
		 */
		read_pc(c, r);
		r->x[0] = run->system_event.type == KVM_SYSTEM_EVENT_RESET ? PSCI_SYSTEM_RESET
									   : PSCI_SYSTEM_OFF;
		c->shadow.x[0] = r->x[0];
		trap->kind = PVM_TRAP_SYNC;
		trap->esr = ((uint64_t)PVM_EC_HVC64 << PVM_ESR_EC_SHIFT) | PVM_ESR_IL;
		return true;
	case KVM_EXIT_HYPERCALL:
		/* The filter sent the call here; PC is already past the HVC/SMC. */
		for (i = 0; i < 6; i++)
			if (!reg_get(c, CORE_REG(regs.regs[i]), &c->shadow.x[i]))
				r->x[i] = c->shadow.x[i];
		read_pc(c, r);
		trap->kind = PVM_TRAP_SYNC;
		trap->esr = ((uint64_t)PVM_EC_HVC64 << PVM_ESR_EC_SHIFT) | PVM_ESR_IL;
		return true;
	case KVM_EXIT_INTR:
		/* A kick (or another signal): the VMM gets PVM_EXIT_INTERRUPTED. */
		__atomic_store_n(&c->kick, 0, __ATOMIC_RELEASE);
		run->immediate_exit = 0;
		trap->kind = PVM_TRAP_IRQ;
		return true;
	default:
		fprintf(stderr, "libpvm-kvm: unhandled KVM exit %u\n", run->exit_reason);
		trap->kind = PVM_TRAP_SERROR;
		trap->esr = run->exit_reason;
		return true;
	}
}

void pvm_port_vcpu_enter(struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap)
{
	struct kvm_vm_port *v = ctx->vm < PVM_VM_MAX ? kvm_port.vms[ctx->vm] : NULL;
	struct kvm_vcpu_port *c = vcpu_get(ctx->vm, ctx->index);

	if (!c) {
		trap->kind = PVM_TRAP_HALT; /* no KVM vCPU behind it: it can never run */
		return;
	}
	if (__atomic_load_n(&v->retired, __ATOMIC_ACQUIRE)) {
		trap->kind = PVM_TRAP_HALT; /* its KVM VM is gone (kvm_vm_retire()) */
		return;
	}
	if (!kvm_gic_ready(v)) {
		trap->kind = PVM_TRAP_HALT; /* a VM whose GIC KVM refused cannot run */
		return;
	}
	v->vttbr = ctx->vttbr;
	v->vtcr = ctx->vtcr;
	/* KVM_ARM_VCPU_INIT at attach was the reset before the first entry. */
	if (c->entered && ctx->resets != c->resets && !c->regs_from_kvm)
		reset(c);
	c->entered = true;
	c->resets = ctx->resets;
	complete(c, &ctx->regs);
	if (!c->regs_from_kvm)
		load_regs(c, &ctx->regs); /* else KVM's CPU_ON will set them */
	__atomic_store_n(&c->thread, (uint64_t)pthread_self(), __ATOMIC_RELEASE);
	for (;;) {
		if (__atomic_exchange_n(&c->kick, 0, __ATOMIC_ACQ_REL)) {
			c->run->immediate_exit = 0;
			trap->kind = PVM_TRAP_IRQ;
			break;
		}
		if (__atomic_load_n(&v->resync, __ATOMIC_ACQUIRE))
			kvm_s2_sync(v);
		/* From here a pKVM-protected VM's memslots stay (kvm_s2_drop()). */
		__atomic_store_n(&v->ran, true, __ATOMIC_RELEASE);
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				c->run->exit_reason = KVM_EXIT_INTR;
			} else {
				fprintf(stderr, "libpvm-kvm: KVM_RUN: %s\n", strerror(errno));
				trap->kind = PVM_TRAP_HALT;
				break;
			}
		}
		if (c->regs_from_kvm && c->run->exit_reason != KVM_EXIT_INTR) {
			read_all(c, &ctx->regs);
			c->regs_from_kvm = false;
		}
		if (translate(v, c, &ctx->regs, trap))
			break;
	}
	__atomic_store_n(&c->thread, 0, __ATOMIC_RELEASE);
}

/* KVM keeps the guests' ID registers in the kernel: their reads never reach the core. */
uint64_t pvm_port_id_reg(unsigned crm, unsigned op2)
{
	(void)crm;
	(void)op2;
	return 0;
}
