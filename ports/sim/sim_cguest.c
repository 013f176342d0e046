/* SPDX-License-Identifier: Apache-2.0 */
/*
 * C-function guests: a guest is a C function on a stack of its own, a
 * coroutine the world switch resumes. Its "instructions" (pvm_sim_cpu_*)
 * run against the simulated MMU and, when hardware would trap to EL2,
 * save the syndrome and switch back to pvm_port_vcpu_enter().
 *
 * The guest's register file is the vCPU context the core owns: a load
 * that traps names x1 as its register (SRT = 1) and reads x1 back after
 * the hypervisor completed it, an HVC passes x0..x7 there. The PC advances
 * by 4 per instruction, so the core's PC handling (ELR_EL2 + 4 after an
 * emulated access, an HVC replayed after a pool top-up, an exception
 * vector) is visible to the guest exactly as on a CPU.
 *
 * Switching uses makecontext() once per guest (to get onto its stack) and
 * _setjmp()/_longjmp() afterwards: no signal-mask system call per exit.
 * Under AddressSanitizer every switch is announced to it.
 */
#include <libpvm/esr.h>
#include <libpvm/sim.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "sim_internal.h"
#include "sim_vcpu_internal.h"

/* GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address; clang only answers __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif
#ifdef SIM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#define STACK_SIZE (256u * 1024u)
#define SRT_DATA   1u

struct sim_cguest {
	struct sim_vcpu *v;
	pvm_sim_guest_fn fn;
	void *arg;
	ucontext_t start;
	jmp_buf host, guest;
	bool started, done;
	void *stack;
	struct pvm_vcpu_ctx *ctx; /* valid while the guest runs */
	struct pvm_trap *trap;	  /* where the next trap goes */
	uint64_t entry, boot_arg;
#ifdef SIM_ASAN
	void *fake_host, *fake_guest;
	const void *host_bottom;
	size_t host_size;
#endif
};

struct pvm_sim_cpu {
	struct sim_cguest g;
};

/*
 * Stacks of freed guests, for the next ones: a fuzzer attaches guests for
 * every input, and a fresh 256 KiB allocation costs page faults each time.
 * A stack left by a guest that never finished may still be poisoned by
 * AddressSanitizer (the redzones of its frames): it is unpoisoned on reuse.
 */
#define STACK_CACHE 4
static void *stack_cache[STACK_CACHE];
static unsigned stack_cached;
static pthread_mutex_t stack_lock = PTHREAD_MUTEX_INITIALIZER;

static void *stack_get(void)
{
	void *p = NULL;

	pthread_mutex_lock(&stack_lock);
	if (stack_cached)
		p = stack_cache[--stack_cached];
	pthread_mutex_unlock(&stack_lock);
#ifdef SIM_ASAN
	if (p)
		ASAN_UNPOISON_MEMORY_REGION(p, STACK_SIZE);
#endif
	return p ? p : malloc(STACK_SIZE);
}

static void stack_put(void *p)
{
	pthread_mutex_lock(&stack_lock);
	if (p && stack_cached < STACK_CACHE) {
		stack_cache[stack_cached++] = p;
		p = NULL;
	}
	pthread_mutex_unlock(&stack_lock);
	free(p);
}

static struct sim_cguest *of(struct pvm_sim_cpu *cpu)
{
	return &cpu->g;
}

/* Guest -> host: the vCPU has trapped (or ended). */
static void to_host(struct sim_cguest *g)
{
#ifdef SIM_ASAN
	__sanitizer_start_switch_fiber(g->done ? NULL : &g->fake_guest, g->host_bottom,
				       g->host_size);
#endif
	if (!_setjmp(g->guest))
		_longjmp(g->host, 1);
#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(g->fake_guest, NULL, NULL);
#endif
}

static void trampoline(unsigned hi, unsigned lo)
{
	struct sim_cguest *g = (struct sim_cguest *)(((uintptr_t)hi << 32) | lo);

#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(NULL, &g->host_bottom, &g->host_size);
#endif
	g->fn((struct pvm_sim_cpu *)g, g->arg);
	g->done = true;
	g->trap->kind = PVM_TRAP_HALT;
	to_host(g);
	sim_die("a finished C guest was resumed");
}

struct sim_cguest *sim_cguest_new(struct sim_vcpu *v, pvm_sim_guest_fn fn, void *arg)
{
	struct pvm_sim_cpu *cpu = calloc(1, sizeof(*cpu));
	/* volatile: live across getcontext(), which the compiler takes to return twice. */
	struct sim_cguest *volatile g;
	uintptr_t p;

	if (!cpu)
		return NULL;
	g = &cpu->g;
	g->stack = stack_get();
	if (!g->stack || getcontext(&g->start)) {
		stack_put(g->stack);
		free(cpu);
		return NULL;
	}
	g->v = v;
	g->fn = fn;
	g->arg = arg;
	g->start.uc_stack.ss_sp = g->stack;
	g->start.uc_stack.ss_size = STACK_SIZE;
	g->start.uc_link = NULL;
	p = (uintptr_t)g;
	makecontext(&g->start, (void (*)(void))trampoline, 2, (unsigned)(p >> 32),
		    (unsigned)(p & 0xffffffffu));
	return g;
}

void sim_cguest_free(struct sim_cguest *g)
{
	stack_put(g->stack);
	free(g); /* g is the first member of its pvm_sim_cpu */
}

void sim_cguest_enter(struct sim_cguest *g, struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap)
{
	if (g->done) {
		trap->kind = PVM_TRAP_HALT;
		return;
	}
	g->ctx = ctx;
	g->trap = trap;
	if (_setjmp(g->host))
		goto back;
#ifdef SIM_ASAN
	__sanitizer_start_switch_fiber(&g->fake_host, g->stack, STACK_SIZE);
#endif
	if (!g->started) {
		g->started = true;
		g->entry = ctx->regs.pc;
		g->boot_arg = ctx->regs.x[0];
		setcontext(&g->start);
		sim_die("setcontext failed");
	}
	_longjmp(g->guest, 1);
back:
#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(g->fake_host, NULL, NULL);
#endif
	g->ctx = NULL;
}

/* An instruction boundary: take a kick as a physical IRQ (the PC does not move). */
static void boundary(struct sim_cguest *g)
{
	while (sim_vcpu_take_kick(g->v)) {
		memset(g->trap, 0, sizeof(*g->trap));
		g->trap->kind = PVM_TRAP_IRQ;
		to_host(g);
	}
}

static void trap_sync(struct sim_cguest *g, uint64_t esr, uint64_t far, uint64_t hpfar)
{
	g->trap->kind = PVM_TRAP_SYNC;
	g->trap->esr = esr;
	g->trap->far = far;
	g->trap->hpfar = hpfar;
	to_host(g);
}

/*
 * After a trap at pc P: did the hypervisor complete the instruction (PC at
 * P + 4), ask for it again (PC still P), or take an exception into the
 * guest (PC elsewhere)? For the last, play the guest's vector: skip the
 * instruction and return from the exception, reporting the fault.
 */
enum outcome { DONE, RETRY, EXCEPTION };

static enum outcome after_trap(struct sim_cguest *g, uint64_t p)
{
	struct pvm_vcpu_regs *r = &g->ctx->regs;

	if (r->pc == p + 4)
		return DONE;
	if (r->pc == p)
		return RETRY;
	r->pc = r->sys[PVM_SYS_ELR_EL1] + 4;
	r->pstate = r->sys[PVM_SYS_SPSR_EL1];
	return EXCEPTION;
}

static bool access(struct sim_cguest *g, uint64_t ipa, unsigned size, bool write, uint64_t *val)
{
	struct pvm_vcpu_regs *r;

	if ((size != 1 && size != 2 && size != 4 && size != 8) || (ipa & (size - 1)))
		sim_die("C guest: bad access size %u at %#llx", size, (unsigned long long)ipa);
	for (;;) {
		struct pvm_sim_s2_result res;
		uint64_t p;

		boundary(g);
		r = &g->ctx->regs;
		p = r->pc;
		if (pvm_sim_s2_translate(g->ctx->vtcr, g->ctx->vttbr, ipa,
					 write ? PVM_SIM_WRITE : PVM_SIM_READ, &res))
			sim_die("C guest: the VM's stage-2 cannot be walked");
		if (!res.fault) {
			void *host = pvm_sim_ram(res.pa, size);

			if (!host)
				sim_die("C guest: stage-2 output %#llx outside RAM",
					(unsigned long long)pvm_pa_val(res.pa));
			if (write)
				memcpy(host, val, size); /* little-endian host, as the guest */
			else {
				*val = 0;
				memcpy(val, host, size);
			}
			r->pc = p + 4;
			return true;
		}
		if (write)
			r->x[SRT_DATA] = *val;
		trap_sync(g, pvm_esr_dabt(res.fsc, write, size, SRT_DATA, false, size == 8), ipa,
			  pvm_hpfar_from_ipa(ipa));
		switch (after_trap(g, p)) {
		case DONE:
			if (!write)
				*val = g->ctx->regs.x[SRT_DATA];
			return true;
		case RETRY:
			continue;
		default:
			*val = 0;
			return false;
		}
	}
}

uint64_t pvm_sim_cpu_read(struct pvm_sim_cpu *cpu, uint64_t ipa, unsigned size, bool *fault)
{
	uint64_t v = 0;
	bool ok = access(of(cpu), ipa, size, false, &v);

	if (fault)
		*fault = !ok;
	return v;
}

bool pvm_sim_cpu_write(struct pvm_sim_cpu *cpu, uint64_t ipa, unsigned size, uint64_t value)
{
	return access(of(cpu), ipa, size, true, &value);
}

void pvm_sim_cpu_hvc(struct pvm_sim_cpu *cpu, uint64_t x[8])
{
	struct sim_cguest *g = of(cpu);
	uint64_t p;

	boundary(g);
	/* HVC's preferred return address is the next instruction. */
	p = g->ctx->regs.pc + 4;
	for (;;) {
		memcpy(g->ctx->regs.x, x, 8 * sizeof(x[0]));
		g->ctx->regs.pc = p;
		trap_sync(g, ((uint64_t)PVM_EC_HVC64 << PVM_ESR_EC_SHIFT) | PVM_ESR_IL, 0, 0);
		if (g->ctx->regs.pc != p - 4)
			break;
		/* Rewound onto the HVC (a pool top-up): execute it again. */
	}
	memcpy(x, g->ctx->regs.x, 4 * sizeof(x[0]));
}

void pvm_sim_cpu_wfi(struct pvm_sim_cpu *cpu)
{
	struct sim_cguest *g = of(cpu);
	uint64_t p;

	boundary(g);
	p = g->ctx->regs.pc;
	trap_sync(g, ((uint64_t)PVM_EC_WFX << PVM_ESR_EC_SHIFT) | PVM_ESR_IL, 0, 0);
	(void)after_trap(g, p);
}

int pvm_sim_cpu_trap(struct pvm_sim_cpu *cpu, uint64_t esr, uint64_t far, uint64_t hpfar)
{
	struct sim_cguest *g = of(cpu);
	uint64_t p;

	boundary(g);
	p = g->ctx->regs.pc;
	trap_sync(g, esr, far, hpfar);
	switch (after_trap(g, p)) {
	case DONE:
		return 0;
	case RETRY:
		return 1;
	default:
		return 2;
	}
}

int pvm_sim_cpu_take_irq(struct pvm_sim_cpu *cpu)
{
	struct sim_cguest *g = of(cpu);
	int intid;

	boundary(g);
	g->ctx->regs.pstate &= ~(1ull << 7); /* PSTATE.I */
	intid = sim_virq_take(g->ctx);
	return intid;
}

unsigned pvm_sim_cpu_index(const struct pvm_sim_cpu *cpu)
{
	return cpu->g.v->index;
}

uint64_t pvm_sim_cpu_boot_arg(const struct pvm_sim_cpu *cpu)
{
	return cpu->g.boot_arg;
}

uint64_t pvm_sim_cpu_entry(const struct pvm_sim_cpu *cpu)
{
	return cpu->g.entry;
}
