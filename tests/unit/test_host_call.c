/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host-call ABI (abi.h, host_call.h) against a malicious host.
 *
 * First the happy path, every call once, exits decoded with
 * pvm_exit_unpack() as a host would. Then a table of hostile calls made
 * against one fixed world:
 *
 *   P  protected VM, 2 vCPUs: vCPU 0 booted and run once (it waits in WFI),
 *      vCPU 1 never started (OFF); one page donated at guest RAM.
 *   N  non-protected VM, 1 vCPU never booted; one host page lent at guest RAM.
 *   D  protected VM being torn down (DYING), one page still to reclaim.
 *   F  the handle of a VM created and torn down completely (free again).
 *
 * Each row gives x0..x7 and the status x0 must come back with; and for
 * every row, nothing may change: every page's metadata, every VM's info,
 * the vCPUs' power states, the pool, the simulator's TLBI counters, the
 * guest's progress, and the ownership invariants. Result registers the
 * call does not define stay as they were.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpvm/attest.h>
#include <libpvm/host_call.h>

#include "vcpu_fixture.h"

#define NPAGES	 (64 * FX_MiB / FX_PAGE)
#define HYP_PAGE (FX_RAM + 60 * FX_MiB) /* the hypervisor's boot carve-out */
#define RAM	 FX_GUEST_RAM
#define TOP	 0xfffffffffffff000ull /* a page whose range wraps past 2^64 */
#define HUGE	 (1ull << 52)	       /* pages whose size in bytes does not fit in 64 bits */

static void hc(uint64_t x[8])
{
	pvm_host_call(fx_hyp, x);
}

/* ------------------------------------------------------------------ */
/* The happy path                                                     */
/* ------------------------------------------------------------------ */

static void g_happy(struct pvm_sim_cpu *cpu, void *arg)
{
	bool fault = false;
	uint64_t v;

	(void)arg;
	/* What the host loaded before donating is there. */
	assert_true(pvm_sim_cpu_write(cpu, FX_UART + 8, 8, pvm_sim_cpu_read(cpu, RAM, 8, NULL)));
	v = pvm_sim_cpu_read(cpu, FX_UART, 4, &fault);
	assert_false(fault);
	assert_true(pvm_sim_cpu_write(cpu, FX_UART + 8, 4, v + 1));
	(void)pvm_sim_cpu_read(cpu, FX_UART, 4, &fault);
	assert_true(pvm_sim_cpu_write(cpu, FX_UART + 8, 8, fault));
	{
		uint64_t x[8] = {PSCI_SYSTEM_OFF};

		pvm_sim_cpu_hvc(cpu, x);
	}
	fail_msg("SYSTEM_OFF returned");
}

/* VCPU_RUN with a completion; returns the exit, unpacked. */
static struct pvm_exit run_hc(unsigned vm, uint64_t flags, uint64_t data)
{
	uint64_t x[8] = {PVM_HC_VCPU_RUN, vm, 0, flags, data};
	struct pvm_exit e;

	hc(x);
	assert_int_equal(x[0], PVM_OK);
	assert_int_equal(pvm_exit_unpack(x, &e), PVM_OK);
	fx_check();
	return e;
}

static void t_happy(void **state)
{
	uint64_t n = pvm_vm_create_pages(36), vmpages, vcpu_page, gpage, pool, marker = 0x1a2b3c4d;
	uint64_t x[8], i, buf[FX_PAGE / 8];
	struct pvm_page_info pi;
	struct pvm_vm_info vi;
	struct pvm_exit e;
	unsigned h;

	(void)state;
	/* VERSION */
	memset(x, 0, sizeof(x));
	x[0] = PVM_HC_VERSION;
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	assert_int_equal(x[1], PVM_HC_ABI_VERSION);
	assert_int_equal(x[1], 0x10004);

	/* TOPUP: four pages into the pool. */
	pool = pvm_pool_free_pages(&fx_hyp->pool);
	{
		uint64_t first = fx_host_page();

		for (i = 1; i < 4; i++)
			(void)fx_host_page();
		memcpy(x, (uint64_t[8]){PVM_HC_TOPUP, first, 4}, sizeof(x));
		hc(x);
		assert_int_equal(x[0], PVM_OK);
		/* The pool grew (by up to 4: splitting the host's block may take a table page). */
		assert_true(pvm_pool_free_pages(&fx_hyp->pool) > pool);
		for (i = 0; i < 4; i++) {
			assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(first + i * FX_PAGE), &pi),
					 PVM_OK);
			assert_int_equal(pi.owner, PVM_ID_HYP);
		}
	}

	/* VM_CREATE: protected, 36-bit IPA, 2 MiB of RAM. */
	vmpages = fx_host_page();
	while (vmpages & ((n - 1) * FX_PAGE))
		vmpages = fx_host_page();
	for (i = 1; i < n; i++)
		(void)fx_host_page();
	memcpy(x, (uint64_t[8]){PVM_HC_VM_CREATE, 1, 36, vmpages, n, RAM, FX_GUEST_RAM_SIZE},
	       sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	h = (unsigned)x[1];
	assert_int_equal(pvm_vm_info(fx_hyp, h, &vi), PVM_OK);
	assert_true(vi.protected_vm);
	assert_int_equal(vi.ipa_bits, 36);

	/* VCPU_CREATE */
	vcpu_page = fx_host_page();
	memcpy(x, (uint64_t[8]){PVM_HC_VCPU_CREATE, h, vcpu_page}, sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	assert_int_equal(x[1], 0);
	assert_int_equal(pvm_sim_vcpu_attach_fn(h, 0, g_happy, NULL), PVM_OK);

	/* DONATE_GUEST: the page arrives zeroed, whatever the host wrote in it. */
	gpage = fx_host_page();
	assert_int_equal(pvm_sim_s2_copy(pvm_stage2_vtcr(&fx_hyp->host),
					 pvm_stage2_vttbr(&fx_hyp->host), gpage, &marker, 8, true,
					 NULL),
			 PVM_OK);
	memcpy(x, (uint64_t[8]){PVM_HC_DONATE_GUEST, h, gpage, RAM, 1}, sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);

	/* VCPU_BOOT */
	memcpy(x, (uint64_t[8]){PVM_HC_VCPU_BOOT, h, 0, RAM + 0x100, 0x1234}, sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	fx_check();

	/* VCPU_RUN: exits and completions through x3/x4. */
	e = run_hc(h, 0, 0);
	fx_expect_mmio(&e, FX_UART + 8, 8, true, 0);
	e = run_hc(h, 0, 0);
	fx_expect_mmio(&e, FX_UART, 4, false, 0);
	e = run_hc(h, 0, 0x41); /* the value of the load, in x4 */
	fx_expect_mmio(&e, FX_UART + 8, 4, true, 0x42);
	e = run_hc(h, 0, 0);
	fx_expect_mmio(&e, FX_UART, 4, false, 0);
	e = run_hc(h, PVM_HC_RUN_F_ABORT, 0); /* the device failed the load */
	fx_expect_mmio(&e, FX_UART + 8, 8, true, 1);
	e = run_hc(h, 0, 0);
	assert_int_equal(e.kind, PVM_EXIT_PSCI);
	assert_int_equal(e.psci.fn, PSCI_SYSTEM_OFF);
	memcpy(x, (uint64_t[8]){PVM_HC_VCPU_RUN, h, 0}, sizeof(x));
	hc(x);
	assert_int_equal((int64_t)x[0], PVM_E_STATE);

	/* Teardown: start, reclaim to 0, finish. */
	memcpy(x, (uint64_t[8]){PVM_HC_VM_TEARDOWN, h}, sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	memcpy(x, (uint64_t[8]){PVM_HC_VM_RECLAIM, h, 1000}, sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	assert_int_equal(x[1], 0);
	memcpy(x, (uint64_t[8]){PVM_HC_VM_FINISH, h}, sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	assert_int_equal(pvm_vm_info(fx_hyp, h, &vi), PVM_E_NOENT);
	pvm_sim_vcpu_detach(h, 0);

	/* Every page is the host's again; what the guest owned reads as zeroes. */
	for (i = 0; i < n; i++) {
		assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(vmpages + i * FX_PAGE), &pi), PVM_OK);
		assert_int_equal(pi.owner, PVM_ID_HOST);
	}
	assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(vcpu_page), &pi), PVM_OK);
	assert_int_equal(pi.owner, PVM_ID_HOST);
	assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(gpage), &pi), PVM_OK);
	assert_int_equal(pi.owner, PVM_ID_HOST);
	assert_int_equal(pi.state, PVM_PAGE_OWNED);
	assert_int_equal(pvm_sim_s2_copy(pvm_stage2_vtcr(&fx_hyp->host),
					 pvm_stage2_vttbr(&fx_hyp->host), gpage, buf, sizeof(buf),
					 false, NULL),
			 PVM_OK);
	for (i = 0; i < FX_PAGE / 8; i++)
		assert_int_equal(buf[i], 0);
}

/* ------------------------------------------------------------------ */
/* Measured loading and sealing through host calls                   */
/* ------------------------------------------------------------------ */

static int attest_setup(void **state)
{
	struct pvm_attest_config cfg = {.mode = 1};

	fx_setup(state);
	memset(cfg.uds, 0x5a, sizeof(cfg.uds));
	assert_int_equal(pvm_attest_init(fx_hyp, &cfg), PVM_OK);
	return 0;
}

/* A host page holding `fill` in every byte. */
static uint64_t filled_page(uint8_t fill)
{
	uint64_t pa = fx_host_page();
	uint8_t buf[FX_PAGE];

	memset(buf, fill, sizeof(buf));
	assert_int_equal(pvm_sim_s2_copy(pvm_stage2_vtcr(&fx_hyp->host),
					 pvm_stage2_vttbr(&fx_hyp->host), pa, buf, sizeof(buf),
					 true, NULL),
			 PVM_OK);
	return pa;
}

/*
 * VM_LOAD_MEASURED gives the pages and measures them exactly as
 * pvm_vm_load_measured() does (same RIM for the same load), VM_SEAL
 * freezes the RIM and derives the key; loads after the seal are refused.
 */
static void t_measured(void **state)
{
	unsigned a = fx_vm(true, 0, NULL, NULL), b = fx_vm(true, 0, NULL, NULL);
	struct pvm_measurement ma, mb;
	struct pvm_page_info pi;
	uint64_t x[8], pa = filled_page(0xc3);

	(void)state;
	assert_int_equal(pvm_vm_load_measured(fx_hyp, b, pvm_pa(filled_page(0xc3)), pvm_ipa(RAM), 1,
					      PVM_MEASURE_CODE, NULL),
			 PVM_OK);
	/* Flags nobody defined, in or above the low 32 bits: refused, nothing given. */
	memcpy(x, (uint64_t[8]){PVM_HC_VM_LOAD_MEASURED, a, pa, RAM, 1, 1ull << 32 | 1}, sizeof(x));
	hc(x);
	assert_int_equal((int64_t)x[0], PVM_E_INVAL);
	memcpy(x, (uint64_t[8]){PVM_HC_VM_LOAD_MEASURED, a, pa, RAM, 1, 4}, sizeof(x));
	hc(x);
	assert_int_equal((int64_t)x[0], PVM_E_INVAL);
	assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(pa), &pi), PVM_OK);
	assert_int_equal(pi.owner, PVM_ID_HOST);

	memcpy(x, (uint64_t[8]){PVM_HC_VM_LOAD_MEASURED, a, pa, RAM, 1, PVM_MEASURE_CODE},
	       sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(pa), &pi), PVM_OK);
	assert_int_not_equal(pi.owner, PVM_ID_HOST);
	assert_int_equal(pvm_vm_measurement(fx_hyp, a, &ma), PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, b, &mb), PVM_OK);
	assert_memory_equal(ma.rim, mb.rim, sizeof(ma.rim));
	assert_false(ma.sealed);

	memcpy(x, (uint64_t[8]){PVM_HC_VM_SEAL, a}, sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, a, &ma), PVM_OK);
	assert_true(ma.sealed);
	assert_int_equal(ma.pub[0], 0x04);
	memcpy(x, (uint64_t[8]){PVM_HC_VM_SEAL, a}, sizeof(x));
	hc(x); /* sealing again: nothing to do */
	assert_int_equal(x[0], PVM_OK);
	memcpy(x,
	       (uint64_t[8]){PVM_HC_VM_LOAD_MEASURED, a, filled_page(1), RAM + FX_PAGE, 1,
			     PVM_MEASURE_DATA},
	       sizeof(x));
	hc(x);
	assert_int_equal((int64_t)x[0], PVM_E_STATE);
}

/* ------------------------------------------------------------------ */
/* The world the hostile calls are made against                       */
/* ------------------------------------------------------------------ */

static unsigned hp, hn, hd, hf;
static uint64_t pp, pn, pd, free_page, free_pair, p_root, p_vmpage;
static unsigned steps;

static void g_world(struct pvm_sim_cpu *cpu, void *arg)
{
	(void)arg;
	for (;;) {
		steps++;
		pvm_sim_cpu_wfi(cpu);
	}
}

static int world_setup(void **state)
{
	struct pvm_exit e = {0};
	struct pvm_vm_info vi;
	uint64_t n = pvm_vm_create_pages(36);

	fx_setup(state);
	hp = fx_vm(true, 2, g_world, NULL);
	hn = fx_vm(false, 1, g_world, NULL);
	hd = fx_vm(true, 1, g_world, NULL);
	hf = fx_vm(true, 1, g_world, NULL);
	pp = fx_back(hp, RAM);
	pn = fx_back(hn, RAM);
	pd = fx_back(hd, RAM);
	fx_destroy(hf);
	assert_int_equal(pvm_vm_teardown_start(fx_hyp, hd), PVM_OK);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, hp, 0, pvm_ipa(RAM + 0x100), 0), PVM_OK);
	assert_int_equal(pvm_vcpu_run(fx_hyp, hp, 0, &e), PVM_OK);
	assert_int_equal(e.kind, PVM_EXIT_WFI);
	assert_int_equal(steps, 1);
	/* Free host pages: one alone, and a run fit for VM_CREATE. */
	free_page = fx_host_page();
	free_pair = fx_host_page();
	while (free_pair & ((n - 1) * FX_PAGE))
		free_pair = fx_host_page();
	for (uint64_t i = 1; i < n; i++)
		(void)fx_host_page();
	/* P's stage-2 root (VTTBR_EL2.BADDR) and the VM structure after it. */
	assert_int_equal(pvm_vm_info(fx_hyp, hp, &vi), PVM_OK);
	p_root = vi.vttbr & 0x0000fffffffffffeull;
	p_vmpage = p_root + (n - 1) * FX_PAGE;
	{
		struct pvm_page_info pi;

		assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(pp - FX_PAGE), &pi), PVM_OK);
		assert_int_equal(pi.owner, PVM_ID_HOST);
		assert_int_equal(pi.state, PVM_PAGE_OWNED);
	}
	fx_check();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Snapshot                                                           */
/* ------------------------------------------------------------------ */

#define NVMS 5

struct snap {
	uint64_t page[NPAGES];
	uint64_t vm[NVMS][8];
	int power[4];
	uint64_t pool, tlbi_ipa, tlbi_vmid, steps;
};

static struct snap before, after;

static void take(struct snap *s)
{
	struct pvm_sim_stats st;
	uint64_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < NPAGES; i++) {
		struct pvm_page_info pi;

		assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(FX_RAM + i * FX_PAGE), &pi), PVM_OK);
		s->page[i] = pi.owner | (uint64_t)pi.state << 8 | (uint64_t)pi.hyp_borrows << 16 |
			     (uint64_t)pi.host_borrows << 17 | (uint64_t)pi.guests << 20 |
			     (uint64_t)pi.pins << 40;
	}
	for (i = 0; i < NVMS; i++) {
		struct pvm_vm_info vi;
		pvm_status_t r = pvm_vm_info(fx_hyp, (unsigned)i, &vi);

		s->vm[i][0] = (uint64_t)(int64_t)r;
		if (r == PVM_OK) {
			s->vm[i][1] = vi.vmid;
			s->vm[i][2] = vi.ipa_bits;
			s->vm[i][3] = vi.protected_vm;
			s->vm[i][4] = vi.state;
			s->vm[i][5] = vi.pages;
			s->vm[i][6] = vi.vtcr;
			s->vm[i][7] = vi.vttbr;
		}
	}
	{
		enum pvm_vcpu_power p;

		s->power[0] = pvm_vcpu_power(fx_hyp, hp, 0, &p) ? -1 : (int)p;
		s->power[1] = pvm_vcpu_power(fx_hyp, hp, 1, &p) ? -1 : (int)p;
		s->power[2] = pvm_vcpu_power(fx_hyp, hn, 0, &p) ? -1 : (int)p;
		s->power[3] = pvm_vcpu_power(fx_hyp, hd, 0, &p) ? -1 : (int)p;
	}
	s->pool = pvm_pool_free_pages(&fx_hyp->pool);
	pvm_sim_get_stats(&st);
	s->tlbi_ipa = st.tlbi_ipa;
	s->tlbi_vmid = st.tlbi_vmid;
	s->steps = steps;
}

/* What differs between two snapshots, in words (NULL: nothing). */
static const char *diff(const struct snap *a, const struct snap *b)
{
	static char why[128];
	uint64_t i;

	for (i = 0; i < NPAGES; i++)
		if (a->page[i] != b->page[i]) {
			snprintf(why, sizeof(why), "page 0x%llx metadata",
				 (unsigned long long)(FX_RAM + i * FX_PAGE));
			return why;
		}
	if (memcmp(a->vm, b->vm, sizeof(a->vm)))
		return "a VM's info";
	if (memcmp(a->power, b->power, sizeof(a->power)))
		return "a vCPU's power state";
	if (a->pool != b->pool)
		return "the pool";
	if (a->tlbi_ipa != b->tlbi_ipa || a->tlbi_vmid != b->tlbi_vmid)
		return "TLBI counters (a refused call invalidated)";
	if (a->steps != b->steps)
		return "the guest ran";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Hostile calls                                                      */
/* ------------------------------------------------------------------ */

/* Placeholders for what exists only at run time: 0xa5a5 in the top 16 bits. */
#define TOK(n) (0xa5a5000000000000ull | (n))
enum {
	T_HP = 1,    /* P's handle */
	T_HN,	     /* N's handle */
	T_HD,	     /* D's handle */
	T_HF,	     /* the freed handle */
	T_HP_HI,     /* P's handle + 2^32 */
	T_PP,	     /* P's guest page */
	T_PN,	     /* the host page lent to N */
	T_PD,	     /* D's guest page */
	T_FREE,	     /* a host page nobody uses */
	T_FREE_MIS,  /* the same + 0x800 */
	T_PAIR,	     /* free host pages fit for VM_CREATE */
	T_HYP,	     /* a carve-out page */
	T_ROOT,	     /* P's stage-2 root */
	T_VMPAGE,    /* P's VM structure */
	T_LAST_RAM,  /* the last page of managed RAM */
	T_BEFORE_PP, /* the host page just before P's guest page */
};
#define HP	  TOK(T_HP)
#define HN	  TOK(T_HN)
#define HD	  TOK(T_HD)
#define HF	  TOK(T_HF)
#define HP_HI	  TOK(T_HP_HI)
#define PP	  TOK(T_PP)
#define PN	  TOK(T_PN)
#define PD	  TOK(T_PD)
#define FREE	  TOK(T_FREE)
#define FREE_MIS  TOK(T_FREE_MIS)
#define PAIR	  TOK(T_PAIR)
#define HYP	  TOK(T_HYP)
#define ROOT	  TOK(T_ROOT)
#define VMPAGE	  TOK(T_VMPAGE)
#define LAST_RAM  TOK(T_LAST_RAM)
#define BEFORE_PP TOK(T_BEFORE_PP)

static uint64_t subst(uint64_t v)
{
	if ((v >> 48) != 0xa5a5)
		return v;
	switch (v & 0xffff) {
	case T_HP:
		return hp;
	case T_HN:
		return hn;
	case T_HD:
		return hd;
	case T_HF:
		return hf;
	case T_HP_HI:
		return (1ull << 32) + hp;
	case T_PP:
		return pp;
	case T_PN:
		return pn;
	case T_PD:
		return pd;
	case T_FREE:
		return free_page;
	case T_FREE_MIS:
		return free_page + 0x800;
	case T_PAIR:
		return free_pair;
	case T_HYP:
		return HYP_PAGE;
	case T_ROOT:
		return p_root;
	case T_VMPAGE:
		return p_vmpage;
	case T_LAST_RAM:
		return FX_RAM + 64 * FX_MiB - FX_PAGE;
	case T_BEFORE_PP:
		return pp - FX_PAGE;
	default:
		fail_msg("bad token");
		return 0;
	}
}

#define F_X1_ZERO  (1u << 0) /* the call defines x1 as a result: 0 (or unchanged) on error */
#define F_NULL_MEM (1u << 1) /* made with mem NULL */

struct hrow {
	const char *rule;
	uint64_t x[8];
	pvm_status_t want;
	unsigned flags;
};

#define C(...)                                                                                     \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
#define CREATE(flags, bits, pa, n, base, size) C(PVM_HC_VM_CREATE, flags, bits, pa, n, base, size)

static const struct hrow rows[] = {
	/* --- function IDs: only [PVM_HC_BASE, PVM_HC_END) in all 64 bits of x0 --- */
	{"below PVM_HC_BASE", C(PVM_HC_BASE - 1, 1, 2, 3, 4, 5, 6, 7), PVM_E_NOTSUP},
	{"PVM_HC_END (one past the last)", C(PVM_HC_END, 1, 2, 3, 4, 5, 6, 7), PVM_E_NOTSUP},
	{"0", C(0, 1, 2, 3, 4, 5, 6, 7), PVM_E_NOTSUP},
	{"a guest's call (SMCCC_VERSION) is no host call", C(SMCCC_VERSION), PVM_E_NOTSUP},
	{"all ones", C(~0ull, 1, 2, 3), PVM_E_NOTSUP},
	{"junk above w0: VERSION | 1 << 32 (x1 not written)", C((1ull << 32) | PVM_HC_VERSION, 7),
	 PVM_E_NOTSUP},
	{"junk above w0: VM_TEARDOWN | 0xffffffff << 32 tears nothing down",
	 C(0xffffffff00000000ull | PVM_HC_VM_TEARDOWN, HP), PVM_E_NOTSUP},
	/* --- no memory state: refused, and no crash --- */
	{"mem NULL: VERSION", C(PVM_HC_VERSION), PVM_E_INVAL, F_NULL_MEM},
	{"mem NULL: VM_TEARDOWN", C(PVM_HC_VM_TEARDOWN, HP), PVM_E_INVAL, F_NULL_MEM},
	{"mem NULL: unknown ID", C(PVM_HC_END), PVM_E_INVAL, F_NULL_MEM},
	/* --- running what cannot run --- */
	{"VCPU_RUN of a dying VM", C(PVM_HC_VCPU_RUN, HD, 0), PVM_E_STATE},
	{"VCPU_RUN vCPU 8 (beyond PVM_VCPU_MAX)", C(PVM_HC_VCPU_RUN, HP, 8), PVM_E_NOENT},
	{"VCPU_RUN vCPU 2 of a VM with 2", C(PVM_HC_VCPU_RUN, HP, 2), PVM_E_NOENT},
	{"VCPU_RUN vCPU 0xffffffff", C(PVM_HC_VCPU_RUN, HP, 0xffffffffull), PVM_E_NOENT},
	{"VCPU_RUN vCPU 2^32 (not vCPU 0): no such vCPU, as VCPU_BOOT/IRQ say",
	 C(PVM_HC_VCPU_RUN, HP, 1ull << 32), PVM_E_NOENT},
	{"VCPU_RUN vCPU 1 of N, never created", C(PVM_HC_VCPU_RUN, HN, 1), PVM_E_NOENT},
	{"VCPU_RUN a vCPU that is OFF (never started)", C(PVM_HC_VCPU_RUN, HP, 1), PVM_E_STATE},
	{"VCPU_RUN a vCPU never booted", C(PVM_HC_VCPU_RUN, HN, 0), PVM_E_STATE},
	{"VCPU_RUN completion flag bit 1 (unknown): the guest does not run",
	 C(PVM_HC_VCPU_RUN, HP, 0, 2), PVM_E_INVAL},
	{"VCPU_RUN completion flags ABORT | bit 63", C(PVM_HC_VCPU_RUN, HP, 0, 1 | (1ull << 63)),
	 PVM_E_INVAL},
	{"VCPU_RUN completion flags all ones", C(PVM_HC_VCPU_RUN, HP, 0, ~0ull), PVM_E_INVAL},
	/* --- VM_CREATE: configuration --- */
	{"VM_CREATE flags bit 1", CREATE(2, 36, PAIR, 2, RAM, FX_MiB), PVM_E_INVAL, F_X1_ZERO},
	{"VM_CREATE flags protected | 1 << 32", CREATE((1ull << 32) | 1, 36, PAIR, 2, RAM, FX_MiB),
	 PVM_E_INVAL, F_X1_ZERO},
	{"VM_CREATE flags all ones", CREATE(~0ull, 36, PAIR, 2, RAM, FX_MiB), PVM_E_INVAL,
	 F_X1_ZERO},
	{"VM_CREATE IPA bits 0", CREATE(1, 0, PAIR, 2, RAM, FX_MiB), PVM_E_INVAL, F_X1_ZERO},
	{"VM_CREATE IPA bits 31 (below 32)", CREATE(1, 31, PAIR, 2, RAM, FX_MiB), PVM_E_INVAL,
	 F_X1_ZERO},
	{"VM_CREATE IPA bits 41 (beyond the PA size, 40)", CREATE(1, 41, PAIR, 2, RAM, FX_MiB),
	 PVM_E_INVAL, F_X1_ZERO},
	{"VM_CREATE IPA bits 36 | 1 << 32", CREATE(1, (1ull << 32) | 36, PAIR, 2, RAM, FX_MiB),
	 PVM_E_INVAL, F_X1_ZERO},
	{"VM_CREATE pages misaligned", CREATE(1, 36, FREE_MIS, 2, RAM, FX_MiB), PVM_E_INVAL,
	 F_X1_ZERO},
	{"VM_CREATE page count 1 (needs 2)", CREATE(1, 36, PAIR, 1, RAM, FX_MiB), PVM_E_INVAL,
	 F_X1_ZERO},
	{"VM_CREATE page count 0", CREATE(1, 36, PAIR, 0, RAM, FX_MiB), PVM_E_INVAL, F_X1_ZERO},
	{"VM_CREATE page count 2^52", CREATE(1, 36, PAIR, HUGE, RAM, FX_MiB), PVM_E_INVAL,
	 F_X1_ZERO},
	{"VM_CREATE pages of a guest (P's)", CREATE(1, 36, PP, 2, RAM, FX_MiB), PVM_E_STATE,
	 F_X1_ZERO},
	{"VM_CREATE pages lent to a guest (N's)", CREATE(1, 36, PN, 2, RAM, FX_MiB), PVM_E_STATE,
	 F_X1_ZERO},
	{"VM_CREATE pages of the hypervisor (carve-out)", CREATE(1, 36, HYP, 2, RAM, FX_MiB),
	 PVM_E_STATE, F_X1_ZERO},
	{"VM_CREATE pages of the hypervisor (P's root and VM)", CREATE(1, 36, ROOT, 2, RAM, FX_MiB),
	 PVM_E_STATE, F_X1_ZERO},
	{"VM_CREATE pages outside RAM", CREATE(1, 36, 0x1000, 2, RAM, FX_MiB), PVM_E_RANGE,
	 F_X1_ZERO},
	{"VM_CREATE pages running past the end of RAM", CREATE(1, 36, LAST_RAM, 2, RAM, FX_MiB),
	 PVM_E_RANGE, F_X1_ZERO},
	{"VM_CREATE pages at 2^64 - 4096 (wraps)", CREATE(1, 36, TOP, 2, RAM, FX_MiB), PVM_E_RANGE,
	 F_X1_ZERO},
	{"VM_CREATE RAM base misaligned", CREATE(1, 36, PAIR, 2, RAM + 8, FX_MiB), PVM_E_INVAL,
	 F_X1_ZERO},
	{"VM_CREATE RAM size misaligned", CREATE(1, 36, PAIR, 2, RAM, FX_MiB + 8), PVM_E_INVAL,
	 F_X1_ZERO},
	{"VM_CREATE RAM overflowing the IPA space",
	 CREATE(1, 36, PAIR, 2, (1ull << 36) - 0x1000, 0x2000), PVM_E_RANGE, F_X1_ZERO},
	{"VM_CREATE RAM starting at the IPA limit", CREATE(1, 36, PAIR, 2, 1ull << 36, 0x1000),
	 PVM_E_RANGE, F_X1_ZERO},
	{"VM_CREATE RAM wrapping past 2^64", CREATE(1, 36, PAIR, 2, TOP, 0x2000), PVM_E_RANGE,
	 F_X1_ZERO},
	{"VM_CREATE RAM size 2^64 - 4096", CREATE(1, 36, PAIR, 2, 0, TOP), PVM_E_RANGE, F_X1_ZERO},
	/* --- VCPU_CREATE --- */
	{"VCPU_CREATE after the VM ran", C(PVM_HC_VCPU_CREATE, HP, FREE), PVM_E_BUSY, F_X1_ZERO},
	{"VCPU_CREATE in a dying VM", C(PVM_HC_VCPU_CREATE, HD, FREE), PVM_E_STATE, F_X1_ZERO},
	{"VCPU_CREATE with a page donated to a guest", C(PVM_HC_VCPU_CREATE, HN, PD), PVM_E_STATE,
	 F_X1_ZERO},
	{"VCPU_CREATE with a page lent to a guest", C(PVM_HC_VCPU_CREATE, HN, PN), PVM_E_STATE,
	 F_X1_ZERO},
	{"VCPU_CREATE with a carve-out page", C(PVM_HC_VCPU_CREATE, HN, HYP), PVM_E_STATE,
	 F_X1_ZERO},
	{"VCPU_CREATE with P's VM structure", C(PVM_HC_VCPU_CREATE, HN, VMPAGE), PVM_E_STATE,
	 F_X1_ZERO},
	{"VCPU_CREATE with a misaligned page", C(PVM_HC_VCPU_CREATE, HN, FREE_MIS), PVM_E_INVAL,
	 F_X1_ZERO},
	{"VCPU_CREATE with a page outside RAM", C(PVM_HC_VCPU_CREATE, HN, 0x1000), PVM_E_RANGE,
	 F_X1_ZERO},
	{"VCPU_CREATE with a page at 2^64 - 4096", C(PVM_HC_VCPU_CREATE, HN, TOP), PVM_E_RANGE,
	 F_X1_ZERO},
	/* --- VCPU_BOOT --- */
	{"VCPU_BOOT a protected VM's vCPU after it ran", C(PVM_HC_VCPU_BOOT, HP, 1, RAM, 0),
	 PVM_E_STATE},
	{"VCPU_BOOT a vCPU already ON", C(PVM_HC_VCPU_BOOT, HP, 0, RAM, 0), PVM_E_STATE},
	{"VCPU_BOOT in a dying VM", C(PVM_HC_VCPU_BOOT, HD, 0, RAM, 0), PVM_E_STATE},
	{"VCPU_BOOT entry misaligned", C(PVM_HC_VCPU_BOOT, HN, 0, RAM + 2, 0), PVM_E_INVAL},
	{"VCPU_BOOT entry outside RAM", C(PVM_HC_VCPU_BOOT, HN, 0, FX_UART, 0), PVM_E_RANGE},
	{"VCPU_BOOT vCPU never created", C(PVM_HC_VCPU_BOOT, HN, 1, RAM, 0), PVM_E_NOENT},
	{"VCPU_BOOT vCPU 2^32 (not vCPU 0)", C(PVM_HC_VCPU_BOOT, HN, 1ull << 32, RAM, 0),
	 PVM_E_NOENT},
	/* --- DONATE_GUEST / SHARE_GUEST / UNSHARE_GUEST --- */
	{"DONATE_GUEST into an IPA the VM already uses", C(PVM_HC_DONATE_GUEST, HP, FREE, RAM, 1),
	 PVM_E_EXISTS},
	{"DONATE_GUEST of a page donated to another VM",
	 C(PVM_HC_DONATE_GUEST, HP, PD, RAM + 0x3000, 1), PVM_E_STATE},
	{"DONATE_GUEST of a page lent to another VM",
	 C(PVM_HC_DONATE_GUEST, HP, PN, RAM + 0x3000, 1), PVM_E_STATE},
	{"DONATE_GUEST of a hypervisor page", C(PVM_HC_DONATE_GUEST, HP, VMPAGE, RAM + 0x3000, 1),
	 PVM_E_STATE},
	{"DONATE_GUEST to a non-protected VM", C(PVM_HC_DONATE_GUEST, HN, FREE, RAM + 0x3000, 1),
	 PVM_E_PERM},
	{"DONATE_GUEST to a dying VM", C(PVM_HC_DONATE_GUEST, HD, FREE, RAM + 0x3000, 1),
	 PVM_E_STATE},
	{"DONATE_GUEST 2^52 pages", C(PVM_HC_DONATE_GUEST, HP, FREE, RAM + 0x3000, HUGE),
	 PVM_E_INVAL},
	{"DONATE_GUEST 0 pages", C(PVM_HC_DONATE_GUEST, HP, FREE, RAM + 0x3000, 0), PVM_E_INVAL},
	{"DONATE_GUEST PA range wrapping past 2^64",
	 C(PVM_HC_DONATE_GUEST, HP, TOP, RAM + 0x3000, 2), PVM_E_RANGE},
	{"DONATE_GUEST IPA range wrapping past 2^64", C(PVM_HC_DONATE_GUEST, HP, FREE, TOP, 2),
	 PVM_E_RANGE},
	{"DONATE_GUEST IPA beyond the IPA size", C(PVM_HC_DONATE_GUEST, HP, FREE, 1ull << 36, 1),
	 PVM_E_RANGE},
	{"DONATE_GUEST IPA misaligned", C(PVM_HC_DONATE_GUEST, HP, FREE, RAM + 8, 1), PVM_E_INVAL},
	/* --- VM_LOAD_MEASURED / VM_SEAL (this world has no attestation initialised) --- */
	{"VM_LOAD_MEASURED with an unknown flag",
	 C(PVM_HC_VM_LOAD_MEASURED, HP, FREE, RAM + 0x3000, 1, 1u << 2), PVM_E_INVAL},
	{"VM_LOAD_MEASURED with flags beyond 32 bits",
	 C(PVM_HC_VM_LOAD_MEASURED, HP, FREE, RAM + 0x3000, 1, 1ull << 32), PVM_E_INVAL},
	{"VM_LOAD_MEASURED 0 pages", C(PVM_HC_VM_LOAD_MEASURED, HP, FREE, RAM + 0x3000, 0, 1),
	 PVM_E_INVAL},
	{"VM_LOAD_MEASURED into a non-protected VM",
	 C(PVM_HC_VM_LOAD_MEASURED, HN, FREE, RAM + 0x3000, 1, 1), PVM_E_PERM},
	{"VM_LOAD_MEASURED into a dying VM",
	 C(PVM_HC_VM_LOAD_MEASURED, HD, FREE, RAM + 0x3000, 1, 1), PVM_E_STATE},
	{"VM_LOAD_MEASURED of a page donated to another VM",
	 C(PVM_HC_VM_LOAD_MEASURED, HP, PD, RAM + 0x3000, 1, 1), PVM_E_STATE},
	{"VM_LOAD_MEASURED into a VM that has run (its RIM is final)",
	 C(PVM_HC_VM_LOAD_MEASURED, HP, FREE, RAM, 1, 1), PVM_E_STATE},
	{"VM_SEAL without attestation", C(PVM_HC_VM_SEAL, HP), PVM_E_STATE},
	{"VM_SEAL of a dying VM", C(PVM_HC_VM_SEAL, HD), PVM_E_STATE},
	{"DONATE_GUEST PA misaligned", C(PVM_HC_DONATE_GUEST, HP, FREE_MIS, RAM + 0x3000, 1),
	 PVM_E_INVAL},
	{"SHARE_GUEST into a protected VM", C(PVM_HC_SHARE_GUEST, HP, FREE, RAM + 0x3000, 1),
	 PVM_E_PERM},
	{"SHARE_GUEST into an IPA the VM already uses", C(PVM_HC_SHARE_GUEST, HN, FREE, RAM, 1),
	 PVM_E_EXISTS},
	{"SHARE_GUEST of a guest's page", C(PVM_HC_SHARE_GUEST, HN, PP, RAM + 0x3000, 1),
	 PVM_E_STATE},
	{"SHARE_GUEST of a carve-out page", C(PVM_HC_SHARE_GUEST, HN, HYP, RAM + 0x3000, 1),
	 PVM_E_STATE},
	{"SHARE_GUEST 2^52 pages", C(PVM_HC_SHARE_GUEST, HN, FREE, RAM + 0x3000, HUGE),
	 PVM_E_INVAL},
	{"SHARE_GUEST PA range wrapping past 2^64", C(PVM_HC_SHARE_GUEST, HN, TOP, RAM + 0x3000, 2),
	 PVM_E_RANGE},
	{"UNSHARE_GUEST from a protected VM", C(PVM_HC_UNSHARE_GUEST, HP, RAM, 1), PVM_E_PERM},
	{"UNSHARE_GUEST of an IPA not mapped", C(PVM_HC_UNSHARE_GUEST, HN, RAM + 0x3000, 1),
	 PVM_E_NOENT},
	{"UNSHARE_GUEST 0 pages", C(PVM_HC_UNSHARE_GUEST, HN, RAM, 0), PVM_E_INVAL},
	{"UNSHARE_GUEST 2^52 pages", C(PVM_HC_UNSHARE_GUEST, HN, RAM, HUGE), PVM_E_INVAL},
	/* --- the hypervisor's own pages --- */
	{"TOPUP 2^52 pages", C(PVM_HC_TOPUP, FREE, HUGE), PVM_E_INVAL},
	{"TOPUP 0 pages", C(PVM_HC_TOPUP, FREE, 0), PVM_E_INVAL},
	{"TOPUP range wrapping past 2^64", C(PVM_HC_TOPUP, TOP, 2), PVM_E_RANGE},
	{"TOPUP misaligned", C(PVM_HC_TOPUP, FREE_MIS, 1), PVM_E_INVAL},
	{"TOPUP with a guest's page", C(PVM_HC_TOPUP, PP, 1), PVM_E_STATE},
	{"TOPUP with a page lent to a guest", C(PVM_HC_TOPUP, PN, 1), PVM_E_STATE},
	{"TOPUP with a carve-out page", C(PVM_HC_TOPUP, HYP, 1), PVM_E_STATE},
	{"TOPUP of a host page and a guest's after it: the range moves whole or not at all",
	 C(PVM_HC_TOPUP, BEFORE_PP, 2), PVM_E_STATE},
	{"SHARE_HYP of a guest's page", C(PVM_HC_SHARE_HYP, PP, 1), PVM_E_STATE},
	{"SHARE_HYP range wrapping past 2^64", C(PVM_HC_SHARE_HYP, TOP, 2), PVM_E_RANGE},
	{"UNSHARE_HYP of a page not lent", C(PVM_HC_UNSHARE_HYP, FREE, 1), PVM_E_STATE},
	{"DONATE_HYP of a guest's page", C(PVM_HC_DONATE_HYP, PD, 1), PVM_E_STATE},
	{"RECLAIM_HYP of the carve-out", C(PVM_HC_RECLAIM_HYP, HYP, 1), PVM_E_STATE},
	{"RECLAIM_HYP of a VM's structure (in use)", C(PVM_HC_RECLAIM_HYP, VMPAGE, 1), PVM_E_STATE},
	{"RECLAIM_HYP of a VM's stage-2 root (in use)", C(PVM_HC_RECLAIM_HYP, ROOT, 1),
	 PVM_E_STATE},
	{"RECLAIM_HYP of a host page", C(PVM_HC_RECLAIM_HYP, FREE, 1), PVM_E_STATE},
	/* --- teardown out of order --- */
	{"VM_TEARDOWN twice", C(PVM_HC_VM_TEARDOWN, HD), PVM_E_STATE},
	{"VM_RECLAIM before VM_TEARDOWN", C(PVM_HC_VM_RECLAIM, HP, 16), PVM_E_STATE, F_X1_ZERO},
	{"VM_RECLAIM of at most 0 pages", C(PVM_HC_VM_RECLAIM, HD, 0), PVM_E_INVAL, F_X1_ZERO},
	{"VM_FINISH before the reclaim is done", C(PVM_HC_VM_FINISH, HD), PVM_E_STATE},
	{"VM_FINISH before VM_TEARDOWN", C(PVM_HC_VM_FINISH, HP), PVM_E_STATE},
	/* --- interrupts --- */
	{"VCPU_IRQ INTID 128", C(PVM_HC_VCPU_IRQ, HP, 0, 128), PVM_E_INVAL},
	{"VCPU_IRQ INTID 2^32", C(PVM_HC_VCPU_IRQ, HP, 0, 1ull << 32), PVM_E_INVAL},
	{"VCPU_IRQ INTID 2^32 + 27 (not 27)", C(PVM_HC_VCPU_IRQ, HP, 0, (1ull << 32) + 27),
	 PVM_E_INVAL},
	{"VCPU_IRQ vCPU 8", C(PVM_HC_VCPU_IRQ, HP, 8, 27), PVM_E_NOENT},
	{"VCPU_IRQ vCPU 2^32", C(PVM_HC_VCPU_IRQ, HP, 1ull << 32, 27), PVM_E_NOENT},
	{"VCPU_IRQ into a dying VM", C(PVM_HC_VCPU_IRQ, HD, 0, 27), PVM_E_STATE},
};

/*
 * Calls naming a VM, and handles that name none: every pair is NOENT
 * (the handle is checked before anything else the call does).
 */
#define H TOK(0xffff) /* the handle slot */
static const struct hrow handle_calls[] = {
	{"SHARE_GUEST", C(PVM_HC_SHARE_GUEST, H, FREE, RAM + 0x3000, 1), PVM_E_NOENT},
	{"UNSHARE_GUEST", C(PVM_HC_UNSHARE_GUEST, H, RAM, 1), PVM_E_NOENT},
	{"DONATE_GUEST", C(PVM_HC_DONATE_GUEST, H, FREE, RAM + 0x3000, 1), PVM_E_NOENT},
	{"VCPU_CREATE", C(PVM_HC_VCPU_CREATE, H, FREE), PVM_E_NOENT, F_X1_ZERO},
	{"VCPU_BOOT", C(PVM_HC_VCPU_BOOT, H, 0, RAM, 0), PVM_E_NOENT},
	{"VCPU_RUN", C(PVM_HC_VCPU_RUN, H, 0, 0), PVM_E_NOENT},
	{"VCPU_IRQ", C(PVM_HC_VCPU_IRQ, H, 0, 27), PVM_E_NOENT},
	{"VM_TEARDOWN", C(PVM_HC_VM_TEARDOWN, H), PVM_E_NOENT},
	{"VM_RECLAIM", C(PVM_HC_VM_RECLAIM, H, 16), PVM_E_NOENT, F_X1_ZERO},
	{"VM_FINISH", C(PVM_HC_VM_FINISH, H), PVM_E_NOENT},
	{"VM_LOAD_MEASURED", C(PVM_HC_VM_LOAD_MEASURED, H, FREE, RAM + 0x3000, 1, 1), PVM_E_NOENT},
	{"VM_SEAL", C(PVM_HC_VM_SEAL, H), PVM_E_NOENT},
};
static const struct {
	const char *what;
	uint64_t h;
} bad_handles[] = {
	{"handle 64 (PVM_VM_MAX)", 64}, {"handle 0xffffffff", 0xffffffffull},
	{"handle 2^32 + P's", HP_HI},	{"a torn-down VM's handle", HF},
	{"handle 2^63", 1ull << 63},
};

static unsigned failures;

/* One hostile call: the status, the result registers, and nothing else changed. */
static void hostile(const char *rule, const char *what, const struct hrow *row, uint64_t h)
{
	uint64_t in[8], x[8];
	pvm_status_t got;
	const char *d;
	struct pvm_mem_report rep = {0};
	unsigned i;

	for (i = 0; i < 8; i++)
		in[i] = row->x[i] == H ? h : subst(row->x[i]);
	memcpy(x, in, sizeof(x));
	/* HC_TRACE=1 names each row before it runs (to find a row that crashes). */
	if (getenv("HC_TRACE"))
		fprintf(stderr, "row: %s %s\n", rule, what ? what : "");
	take(&before);
	pvm_host_call((row->flags & F_NULL_MEM) ? NULL : fx_hyp, x);
	got = (pvm_status_t)(int64_t)x[0];
	if ((uint64_t)(int64_t)got != x[0] || got != row->want) {
		print_error("ROW FAILED: %s%s%s: x0 = %lld, want %d\n", rule, what ? ": " : "",
			    what ? what : "", (long long)(int64_t)x[0], row->want);
		failures++;
	}
	for (i = 1; i < 8; i++) {
		/* x1 a result of the call: 0 on error, or left as it was; never a handle. */
		bool ok = x[i] == in[i] || (i == 1 && (row->flags & F_X1_ZERO) && x[i] == 0);

		if (!ok) {
			print_error("ROW FAILED: %s%s%s: x%u = 0x%llx, was 0x%llx\n", rule,
				    what ? ": " : "", what ? what : "", i, (unsigned long long)x[i],
				    (unsigned long long)in[i]);
			failures++;
		}
	}
	take(&after);
	d = diff(&before, &after);
	if (d) {
		print_error("ROW FAILED: %s%s%s: changed %s\n", rule, what ? ": " : "",
			    what ? what : "", d);
		failures++;
	}
	if (pvm_mem_check(fx_hyp, &rep) != PVM_OK) {
		print_error("ROW FAILED: %s: invariant %s\n", rule, rep.what);
		failures++;
	}
}

static void t_hostile(void **state)
{
	size_t i, j, n = 0;
	uint64_t r[8];

	(void)state;
	failures = 0;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++, n++) {
		hostile(rows[i].rule, NULL, &rows[i], 0);
	}
	for (i = 0; i < sizeof(handle_calls) / sizeof(handle_calls[0]); i++)
		for (j = 0; j < sizeof(bad_handles) / sizeof(bad_handles[0]); j++, n++)
			hostile(handle_calls[i].rule, bad_handles[j].what, &handle_calls[i],
				subst(bad_handles[j].h));
	/* regs NULL: nothing to answer in, nothing done, no crash. */
	take(&before);
	pvm_host_call(fx_hyp, NULL);
	pvm_host_call(NULL, NULL);
	take(&after);
	assert_null(diff(&before, &after));
	/* The world still works: P's guest runs on from its WFI. */
	memcpy(r, (uint64_t[8]){PVM_HC_VCPU_RUN, hp, 0}, sizeof(r));
	hc(r);
	assert_int_equal(r[0], PVM_OK);
	assert_int_equal(r[1], PVM_EXIT_WFI);
	assert_true(r[2] == PVM_WFI_NO_DEADLINE); /* its timer is off: x2 says so */
	assert_int_equal(steps, 2);
	print_message("%zu hostile rows, %u failures\n", n + 1, failures);
	assert_int_equal(failures, 0);
}

/*
 * The host <-> hypervisor calls with an empty pool: a call that splits a
 * host block answers NOMEM with the shortfall in x1 and changes nothing; a
 * TOPUP pays for its own split; after it the calls go through.
 */
static void t_hyp_need(void **state)
{
	static uint64_t held[2048];
	const uint64_t blk = FX_RAM + 50 * FX_MiB; /* an untouched host block */
	static const uint32_t fns[] = {PVM_HC_SHARE_HYP, PVM_HC_DONATE_HYP};
	size_t n = 0;
	struct pvm_page_info pi;
	uint64_t x[8];

	(void)state;
	/* Empty the pool: the fixture's pages are held here, not given back. */
	while (n < 2048 && pvm_pool_free_pages(&fx_hyp->pool)) {
		pvm_paddr_t pa;

		assert_int_equal(pvm_pool_alloc(&fx_hyp->pool, &pa), PVM_OK);
		held[n++] = pvm_pa_val(pa);
	}
	assert_int_equal(pvm_pool_free_pages(&fx_hyp->pool), 0);
	for (size_t i = 0; i < 2; i++) {
		memcpy(x, (uint64_t[8]){fns[i], blk + (i + 1) * FX_PAGE, 1}, sizeof(x));
		hc(x);
		assert_int_equal((int64_t)x[0], PVM_E_NOMEM);
		assert_int_equal(x[1], 1);
		assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(blk + (i + 1) * FX_PAGE), &pi),
				 PVM_OK);
		assert_int_equal(pi.owner, PVM_ID_HOST);
		assert_false(pi.hyp_borrows);
	}
	/* One page into the empty pool: it becomes the table its own split needs. */
	memcpy(x, (uint64_t[8]){PVM_HC_TOPUP, blk + 8 * FX_PAGE, 1}, sizeof(x));
	hc(x);
	assert_int_equal(x[0], PVM_OK);
	for (size_t i = 0; i < 2; i++) {
		memcpy(x, (uint64_t[8]){fns[i], blk + (i + 1) * FX_PAGE, 1}, sizeof(x));
		hc(x);
		assert_int_equal(x[0], PVM_OK);
	}
	assert_int_equal(pvm_mem_check(fx_hyp, NULL), PVM_OK);
	while (n)
		pvm_pool_free(&fx_hyp->pool, pvm_pa(held[--n]));
}

/* PVM_EXIT_IPI through the host-call registers: x2 the targets' bitmap, x3 the SGI. */
static void t_ipi_pack(void **state)
{
	struct pvm_exit e = {.kind = PVM_EXIT_IPI}, back;
	uint64_t x[8];

	(void)state;
	e.ipi.targets = 0x8000000000000005ull;
	e.ipi.intid = 15;
	pvm_exit_pack(&e, x);
	assert_int_equal(x[1], PVM_EXIT_IPI);
	assert_int_equal(x[2], 0x8000000000000005ull);
	assert_int_equal(x[3], 15);
	assert_int_equal(x[4] | x[5] | x[6] | x[7], 0);
	assert_int_equal(pvm_exit_unpack(x, &back), PVM_OK);
	assert_int_equal(back.kind, PVM_EXIT_IPI);
	assert_int_equal(back.ipi.targets, 0x8000000000000005ull);
	assert_int_equal(back.ipi.intid, 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_happy, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_measured, attest_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_hyp_need, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_hostile, world_setup, fx_teardown),
		cmocka_unit_test(t_ipi_pack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
