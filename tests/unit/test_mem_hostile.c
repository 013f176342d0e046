/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A malicious host against the page-state machine (mem.h, vm.h).
 *
 * Every case is a named attack with the status mem.h says it gets. The
 * fixture is a machine in a rich state (protected and non-protected VMs,
 * donated, lent, borrowed-back and pinned pages, a dying VM); for each
 * attack the test takes a snapshot of everything the core owns, makes the
 * call, and proves that nothing changed: not one byte of simulated RAM (so
 * no metadata, table entry, pool header or VM structure), not the digest of
 * any stage-2 (every entry, tables included), not the pool, not the VMs,
 * not the TLB invalidation or cache maintenance counters of the simulator.
 *
 * The second half are the attacks that need a sequence: every allocation
 * failure of every public call that allocates (NOMEM_EVERY_K: the pool one
 * page short, two pages short, ..., empty; each PVM_E_NOMEM with the exact
 * `need` and no change, then the retry succeeds), and saturating counters
 * and the VM table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/attest.h>
#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"

#define PAGE	 PVM_PAGE_SIZE
#define MiB	 (1ull << 20)
#define RAM	 0x40000000ull
#define RAM_SIZE (16 * MiB)
#define RAM_END	 (RAM + RAM_SIZE)
#define NPAGES	 (RAM_SIZE / PAGE)
#define PA_BITS	 40

/*
 * The fixture's memory map. [2 MiB, 4 MiB) is where the fixture's pages
 * live, so the host's block there is split; the other 2 MiB blocks are
 * whole, for the attacks that need a block.
 */
#define BLK0	  (RAM + 0 * MiB)  /* untouched host block */
#define PA_P0	  (RAM + 0x200000) /* 4 pages donated to P0 at IPA_P0; the 2nd shared back */
#define PA_N	  (RAM + 0x210000) /* 4 pages lent to N0 at IPA_N0 (RW); the first 2 to N1 too (R) */
#define PA_HS	  (RAM + 0x220000) /* 2 pages lent to the hypervisor; the first pinned */
#define PA_HD	  (RAM + 0x230000) /* 2 pages donated to the hypervisor */
#define PA_D	  (RAM + 0x240000) /* 2 pages donated to D at IPA_D; D is dying */
#define PA_FREE	  (RAM + 0x250000) /* host OWNED pages, lent to nobody */
#define PA_RES	  (RAM + 0x280000) /* 128 host pages for top-ups that cost no table */
#define RES_PAGES 128
#define VMPG(i)	  (RAM + 0x300000 + (uint64_t)(i)*0x10000) /* the pages of VM i */
#define POOLBLK	  (RAM + 4 * MiB)			   /* given whole to the pool at set-up */
#define BLK6	  (RAM + 6 * MiB)
#define BLK8	  (RAM + 8 * MiB)
#define BLK10	  (RAM + 10 * MiB)
#define HYP_BASE  (RAM + 14 * MiB) /* the carve-out: as small as pvm_hyp_init() accepts */

#define IPA_P0	0x10000ull
#define IPA_N0	0x20000ull
#define IPA_N1	0x30000ull
#define IPA_D	0x0ull
#define IPA_NEW 0x100000ull /* free in every VM */

#define HUGE52 (1ull << 52) /* n * 4096 wraps to 0 */

/* ---- The fixture ----------------------------------------------------------- */

enum vmsel {
	V_P0,		   /* protected, 36-bit IPA */
	V_P1,		   /* protected, 32-bit IPA (4 concatenated root pages) */
	V_N0,		   /* non-protected, 36-bit */
	V_N1,		   /* non-protected, 36-bit */
	V_D,		   /* protected, dying, 2 pages not reclaimed */
	V_NFIX,		   /* VMs in the fixture */
	V_UNUSED = V_NFIX, /* a handle that names no VM */
	V_MAX,		   /* PVM_VM_MAX */
	V_HUGE,		   /* UINT_MAX */
	V_WRAP16,	   /* 0x10000 + P0's handle: P0 if truncated to 16 bits */
	V_MAXP0,	   /* PVM_VM_MAX + P0's handle: P0 if taken modulo */
};

static struct pvm_hyp *hyp;
static unsigned vms[V_NFIX];
static uint64_t carve_pages; /* size of the carve-out */
static uint64_t res_next;    /* next unused page of PA_RES */

static const struct {
	unsigned ipa_bits;
	bool protected_vm;
} vm_cfg[V_NFIX] = {{36, true}, {32, true}, {36, false}, {36, false}, {36, true}};

static void check(void)
{
	struct pvm_mem_report r = {0};

	if (pvm_mem_check(hyp, &r) != PVM_OK)
		fail_msg("invariant: %s (pa 0x%llx vm %u)", r.what, (unsigned long long)r.pa, r.vm);
}

static size_t pool_free(void)
{
	return pvm_pool_free_pages(&hyp->pool);
}

static unsigned handle(int sel)
{
	switch (sel) {
	case V_UNUSED:
		return 40;
	case V_MAX:
		return PVM_VM_MAX;
	case V_HUGE:
		return UINT_MAX;
	case V_WRAP16:
		return 0x10000u + vms[V_P0];
	case V_MAXP0:
		return PVM_VM_MAX + vms[V_P0];
	default:
		return vms[sel];
	}
}

static void ok(pvm_status_t st, const char *what)
{
	if (st != PVM_OK)
		fail_msg("%s: %s", what, pvm_strerror(st));
}

/* Host pages in a region whose host stage-2 is already split: a top-up costs no table. */
static uint64_t res_take(uint64_t n)
{
	uint64_t pa = PA_RES + res_next * PAGE;

	if (res_next + n > RES_PAGES)
		fail_msg("reserve exhausted");
	res_next += n;
	return pa;
}

static void topup(uint64_t n)
{
	ok(pvm_mem_topup(hyp, pvm_pa(res_take(n)), n, NULL), "top-up from the reserve");
}

/* Make the pool hold exactly k free pages. */
static void pool_set(size_t k)
{
	size_t f;

	while ((f = pool_free()) > k)
		if (pvm_mem_reclaim_pool(hyp, f - k) == 0)
			fail_msg("the pool does not give pages back (%zu free)", f);
	if ((f = pool_free()) < k)
		topup(k - f);
	assert_int_equal(pool_free(), k);
}

/* The smallest carve-out pvm_hyp_init() accepts: the pool starts empty. */
static void mem_init_tight(void)
{
	struct pvm_hyp_config cfg = {
		.ram_base = RAM, .ram_size = RAM_SIZE, .hyp_base = HYP_BASE, .pa_bits = PA_BITS};
	pvm_status_t st = PVM_E_INVAL;

	for (carve_pages = 1; carve_pages < 64 && st != PVM_OK; carve_pages++) {
		size_t need = 0;

		cfg.hyp_size = carve_pages * PAGE;
		st = pvm_hyp_init(&cfg, &hyp, &need);
		if (st == PVM_E_NOMEM)
			assert_true(need > 0);
		else if (st != PVM_OK)
			assert_int_equal(st, PVM_E_INVAL);
	}
	carve_pages--;
	ok(st, "pvm_hyp_init");
	assert_int_equal(pool_free(), 0);
}

static void watch(unsigned h)
{
	struct pvm_vm_info info;

	ok(pvm_vm_info(hyp, h, &info), "pvm_vm_info");
	ok(pvm_sim_bbm_watch(info.vtcr, info.vttbr), "pvm_sim_bbm_watch");
}

static unsigned create_vm(unsigned ipa_bits, bool protected_vm, uint64_t pa)
{
	struct pvm_vm_config cfg = {.ipa_bits = ipa_bits, .protected_vm = protected_vm};
	unsigned h = PVM_VM_MAX;

	ok(pvm_vm_create(hyp, &cfg, pvm_pa(pa), pvm_vm_create_pages(ipa_bits), &h, NULL),
	   "pvm_vm_create");
	watch(h);
	return h;
}

static int setup(void **state)
{
	struct pvm_sim_config mc = {.ram_base = RAM, .ram_size = RAM_SIZE};

	(void)state;
	res_next = 0;
	assert_int_equal(pvm_sim_init(&mc), PVM_OK);
	mem_init_tight();
	ok(pvm_sim_bbm_watch(pvm_stage2_vtcr(&hyp->host), pvm_stage2_vttbr(&hyp->host)), "watch");
	/* A whole host block: annotating it costs no table, so an empty pool can take it. */
	ok(pvm_mem_topup(hyp, pvm_pa(POOLBLK), 512, NULL), "top-up of a whole block");

	for (int i = 0; i < V_NFIX; i++)
		vms[i] = create_vm(vm_cfg[i].ipa_bits, vm_cfg[i].protected_vm, VMPG(i));

	ok(pvm_host_donate_guest(hyp, vms[V_P0], pvm_pa(PA_P0), pvm_ipa(IPA_P0), 4, NULL),
	   "donate to P0");
	ok(pvm_guest_share_host(hyp, vms[V_P0], pvm_ipa(IPA_P0 + PAGE), 1, NULL), "P0 shares");
	ok(pvm_host_share_guest(hyp, vms[V_N0], pvm_pa(PA_N), pvm_ipa(IPA_N0), 4, PVM_PROT_RW,
				NULL),
	   "lend to N0");
	ok(pvm_host_share_guest(hyp, vms[V_N1], pvm_pa(PA_N), pvm_ipa(IPA_N1), 2, PVM_PROT_R, NULL),
	   "lend to N1");
	ok(pvm_host_share_hyp(hyp, pvm_pa(PA_HS), 2, NULL), "lend to hyp");
	ok(pvm_hyp_pin_shared(hyp, pvm_pa(PA_HS), 1), "pin");
	ok(pvm_host_donate_hyp(hyp, pvm_pa(PA_HD), 2, NULL), "donate to hyp");
	ok(pvm_host_donate_guest(hyp, vms[V_D], pvm_pa(PA_D), pvm_ipa(IPA_D), 2, NULL),
	   "donate to D");
	ok(pvm_vm_teardown_start(hyp, vms[V_D]), "D dies");
	check();
	assert_int_equal(pvm_sim_bbm_check(), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pvm_sim_fini();
	return 0;
}

/* ---- Snapshots ------------------------------------------------------------- */

struct snap {
	uint8_t *ram; /* a copy of all of simulated RAM */
	struct pvm_page_info meta[NPAGES];
	uint64_t host_s2;
	uint64_t guest_s2[PVM_VM_MAX];
	size_t pool_free;
	pvm_status_t vm_status[PVM_VM_MAX];
	struct pvm_vm_info vm_info[PVM_VM_MAX];
	struct pvm_sim_stats stats;
	struct pvm_hyp hyp; /* the whole object, bytes compared */
};

static struct snap snap_a, snap_b;

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static int digest_visit(const struct pvm_stage2_visit *v, void *arg)
{
	uint64_t *h = arg;

	*h = mix(*h, v->desc);
	*h = mix(*h, v->addr);
	*h = mix(*h, v->end);
	*h = mix(*h, pvm_pa_val(v->table));
	*h = mix(*h, ((uint64_t)v->level << 8) | v->kind);
	return 0;
}

static uint64_t s2_digest(const struct pvm_stage2 *s2)
{
	uint64_t h = s2->ipa_limit;
	int ret = pvm_stage2_walk(s2, pvm_ipa(0), s2->ipa_limit,
				  PVM_S2_VISIT_LEAF | PVM_S2_VISIT_TABLE_PRE |
					  PVM_S2_VISIT_TABLE_POST,
				  digest_visit, &h);

	assert_int_equal(ret, PVM_OK);
	return mix(h, s2->table_pages);
}

static void take(struct snap *s)
{
	if (!s->ram)
		s->ram = malloc(RAM_SIZE);
	assert_non_null(s->ram);
	memcpy(s->ram, pvm_sim_ram(pvm_pa(RAM), RAM_SIZE), RAM_SIZE);
	for (uint64_t i = 0; i < NPAGES; i++)
		ok(pvm_mem_page(hyp, pvm_pa(RAM + i * PAGE), &s->meta[i]), "pvm_mem_page");
	s->host_s2 = s2_digest(&hyp->host);
	for (unsigned h = 0; h < PVM_VM_MAX; h++) {
		s->guest_s2[h] = hyp->vms[h] ? s2_digest(&hyp->vms[h]->s2) : 0;
		memset(&s->vm_info[h], 0, sizeof(s->vm_info[h]));
		s->vm_status[h] = pvm_vm_info(hyp, h, &s->vm_info[h]);
	}
	s->pool_free = pool_free();
	pvm_sim_get_stats(&s->stats);
	memcpy(&s->hyp, hyp, sizeof(*hyp));
}

/* What differs between two snapshots, or NULL when nothing does. */
static const char *diff(const struct snap *a, const struct snap *b)
{
	static char why[160];

	for (uint64_t off = 0; off < RAM_SIZE; off += 8)
		if (memcmp(a->ram + off, b->ram + off, 8)) {
			snprintf(why, sizeof(why), "RAM changed at PA 0x%llx",
				 (unsigned long long)(RAM + off));
			return why;
		}
	for (uint64_t i = 0; i < NPAGES; i++)
		if (memcmp(&a->meta[i], &b->meta[i], sizeof(a->meta[i]))) {
			snprintf(why, sizeof(why), "metadata of PA 0x%llx changed",
				 (unsigned long long)(RAM + i * PAGE));
			return why;
		}
	if (a->host_s2 != b->host_s2)
		return "host stage-2 changed";
	for (unsigned h = 0; h < PVM_VM_MAX; h++) {
		if (a->guest_s2[h] != b->guest_s2[h]) {
			snprintf(why, sizeof(why), "stage-2 of VM %u changed", h);
			return why;
		}
		if (a->vm_status[h] != b->vm_status[h] ||
		    memcmp(&a->vm_info[h], &b->vm_info[h], sizeof(a->vm_info[h]))) {
			snprintf(why, sizeof(why), "VM %u changed", h);
			return why;
		}
	}
	if (a->pool_free != b->pool_free) {
		snprintf(why, sizeof(why), "pool: %zu free pages, was %zu", b->pool_free,
			 a->pool_free);
		return why;
	}
	if (memcmp(&a->stats, &b->stats, sizeof(a->stats))) {
		snprintf(why, sizeof(why),
			 "simulator counters changed: tlbi_ipa %llu->%llu tlbi_vmid %llu->%llu "
			 "dcache_cleans %llu->%llu",
			 (unsigned long long)a->stats.tlbi_ipa,
			 (unsigned long long)b->stats.tlbi_ipa,
			 (unsigned long long)a->stats.tlbi_vmid,
			 (unsigned long long)b->stats.tlbi_vmid,
			 (unsigned long long)a->stats.dcache_cleans,
			 (unsigned long long)b->stats.dcache_cleans);
		return why;
	}
	if (memcmp(&a->hyp, &b->hyp, sizeof(a->hyp)))
		return "struct pvm_hyp changed";
	return NULL;
}

/* Everything the core owns is as it was in a. */
static void same(const struct snap *a, const struct snap *b)
{
	const char *why = diff(a, b);

	if (why)
		fail_msg("a failed call changed something: %s", why);
}

/* ---- The attacks ------------------------------------------------------------- */

enum op {
	OP_SHARE_HYP,
	OP_UNSHARE_HYP,
	OP_PIN,
	OP_UNPIN,
	OP_DONATE_HYP,
	OP_HYP_DONATE_HOST,
	OP_TOPUP,
	OP_SHARE_GUEST,
	OP_UNSHARE_GUEST,
	OP_DONATE_GUEST,
	OP_GUEST_SHARE,
	OP_GUEST_UNSHARE,
	OP_RELINQUISH,
	OP_VM_CREATE, /* arg: ipa_bits | VM_PROT */
	OP_VM_CREATE_NULL_CFG,
	OP_VM_CREATE_NULL_HANDLE,
	OP_VM_LOAD,
	OP_VM_INFO,
	OP_TEARDOWN_START,
	OP_RECLAIM, /* n: max */
	OP_TEARDOWN_FINISH,
};

#define VM_PROT 0x100u

/* Done before the snapshot. */
#define PREP_LOAD_P0	(1u << 0) /* a vCPU of P0 is loaded */
#define PREP_KILL_N1	(1u << 1) /* N1 is dying */
#define PREP_FINISH_D	(1u << 2) /* D is gone: its handle names nothing */
#define PREP_LEND_TWICE (1u << 3) /* PA_N lent to N0 again, right after the first time */

#define NO_ALT 0 /* no second acceptable status (no attack may succeed) */

struct hcase {
	enum op op;
	int vm;
	uint64_t pa, ipa, n;
	uint32_t arg;
	pvm_status_t expect;
	int alt; /* another status the specification allows, or NO_ALT */
	unsigned prep;
};

static pvm_status_t call(const struct hcase *c)
{
	unsigned vm = handle(c->vm);
	pvm_paddr_t pa = pvm_pa(c->pa);
	pvm_ipa_t ipa = pvm_ipa(c->ipa);
	struct pvm_vm_config cfg = {.ipa_bits = c->arg & 0xff, .protected_vm = c->arg & VM_PROT};
	struct pvm_vm_info info;
	struct pvm_vm *loaded;
	size_t need = 0;
	uint64_t left;
	unsigned h;
	pvm_status_t st;

	switch (c->op) {
	case OP_SHARE_HYP:
		return pvm_host_share_hyp(hyp, pa, c->n, NULL);
	case OP_UNSHARE_HYP:
		return pvm_host_unshare_hyp(hyp, pa, c->n, NULL);
	case OP_PIN:
		return pvm_hyp_pin_shared(hyp, pa, c->n);
	case OP_UNPIN:
		return pvm_hyp_unpin_shared(hyp, pa, c->n);
	case OP_DONATE_HYP:
		return pvm_host_donate_hyp(hyp, pa, c->n, NULL);
	case OP_HYP_DONATE_HOST:
		return pvm_hyp_donate_host(hyp, pa, c->n, NULL);
	case OP_TOPUP:
		return pvm_mem_topup(hyp, pa, c->n, NULL);
	case OP_SHARE_GUEST:
		return pvm_host_share_guest(hyp, vm, pa, ipa, c->n, c->arg ? c->arg : PVM_PROT_RW,
					    &need);
	case OP_UNSHARE_GUEST:
		return pvm_host_unshare_guest(hyp, vm, ipa, c->n, &need);
	case OP_DONATE_GUEST:
		return pvm_host_donate_guest(hyp, vm, pa, ipa, c->n, &need);
	case OP_GUEST_SHARE:
		return pvm_guest_share_host(hyp, vm, ipa, c->n, &need);
	case OP_GUEST_UNSHARE:
		return pvm_guest_unshare_host(hyp, vm, ipa, c->n, &need);
	case OP_RELINQUISH:
		return pvm_guest_relinquish_host(hyp, vm, ipa, c->n, &need);
	case OP_VM_CREATE:
		return pvm_vm_create(hyp, &cfg, pa, c->n, &h, NULL);
	case OP_VM_CREATE_NULL_CFG:
		return pvm_vm_create(hyp, NULL, pa, c->n, &h, NULL);
	case OP_VM_CREATE_NULL_HANDLE:
		return pvm_vm_create(hyp, &cfg, pa, c->n, NULL, NULL);
	case OP_VM_LOAD:
		st = vm_get(hyp, vm, &loaded);
		if (st == PVM_OK)
			vm_put(hyp, loaded);
		return st;
	case OP_VM_INFO:
		return pvm_vm_info(hyp, vm, &info);
	case OP_TEARDOWN_START:
		return pvm_vm_teardown_start(hyp, vm);
	case OP_RECLAIM:
		return pvm_vm_reclaim(hyp, vm, c->n, &left, &need);
	case OP_TEARDOWN_FINISH:
		return pvm_vm_teardown_finish(hyp, vm);
	}
	fail_msg("unknown op");
	return PVM_E_INVAL;
}

static void run_case(void **state)
{
	const struct hcase *c = *state;
	struct pvm_vm *loaded = NULL;
	pvm_status_t st;

	if (c->prep & PREP_LOAD_P0)
		ok(vm_get(hyp, vms[V_P0], &loaded), "load P0");
	if (c->prep & PREP_KILL_N1)
		ok(pvm_vm_teardown_start(hyp, vms[V_N1]), "N1 dies");
	if (c->prep & PREP_LEND_TWICE)
		ok(pvm_host_share_guest(hyp, vms[V_N0], pvm_pa(PA_N), pvm_ipa(IPA_N0 + 4 * PAGE), 4,
					PVM_PROT_RW, NULL),
		   "lend PA_N to N0 twice");
	if (c->prep & PREP_FINISH_D) {
		ok(pvm_vm_reclaim(hyp, vms[V_D], 100, NULL, NULL), "reclaim D");
		ok(pvm_vm_teardown_finish(hyp, vms[V_D]), "finish D");
		pvm_sim_bbm_unwatch((uint16_t)(vms[V_D] + 1));
	}
	check();
	take(&snap_a);
	st = call(c);
	take(&snap_b);
	if (st != c->expect && (c->alt == NO_ALT || st != (pvm_status_t)c->alt))
		fail_msg("returned %s, the specification says %s%s%s", pvm_strerror(st),
			 pvm_strerror(c->expect), c->alt == NO_ALT ? "" : " or ",
			 c->alt == NO_ALT ? "" : pvm_strerror(c->alt));
	if (st != c->expect)
		print_message("      (returned %s, which mem.h also allows)\n", pvm_strerror(st));
	same(&snap_a, &snap_b);
	check();
	assert_int_equal(pvm_sim_bbm_check(), 0);
	if (loaded)
		vm_put(hyp, loaded);
}

#define ATTACK(nm, ...)                                                                            \
	{                                                                                          \
		.name = nm, .test_func = run_case, .setup_func = setup, .teardown_func = teardown, \
		.initial_state = &(struct hcase)                                                   \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}

/* Every VM-handle call with a handle that names no VM. */
#define NO_VM(tag, sel, ...)                                                                       \
	ATTACK("unknown VM (" tag "): host donate guest", .op = OP_DONATE_GUEST, .vm = sel,        \
	       .pa = PA_FREE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_NOENT, __VA_ARGS__),         \
		ATTACK("unknown VM (" tag "): host share guest", .op = OP_SHARE_GUEST, .vm = sel,  \
		       .pa = PA_FREE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_NOENT, __VA_ARGS__), \
		ATTACK("unknown VM (" tag "): host unshare guest", .op = OP_UNSHARE_GUEST,         \
		       .vm = sel, .ipa = IPA_P0, .n = 1, .expect = PVM_E_NOENT, __VA_ARGS__),      \
		ATTACK("unknown VM (" tag "): guest share host", .op = OP_GUEST_SHARE, .vm = sel,  \
		       .ipa = IPA_P0, .n = 1, .expect = PVM_E_NOENT, __VA_ARGS__),                 \
		ATTACK("unknown VM (" tag "): guest unshare host", .op = OP_GUEST_UNSHARE,         \
		       .vm = sel, .ipa = IPA_P0 + PAGE, .n = 1, .expect = PVM_E_NOENT,             \
		       __VA_ARGS__),                                                               \
		ATTACK("unknown VM (" tag "): guest relinquish", .op = OP_RELINQUISH, .vm = sel,   \
		       .ipa = IPA_P0, .n = 1, .expect = PVM_E_NOENT, __VA_ARGS__),                 \
		ATTACK("unknown VM (" tag "): vm load", .op = OP_VM_LOAD, .vm = sel,               \
		       .expect = PVM_E_NOENT, __VA_ARGS__),                                        \
		ATTACK("unknown VM (" tag "): vm info", .op = OP_VM_INFO, .vm = sel,               \
		       .expect = PVM_E_NOENT, __VA_ARGS__),                                        \
		ATTACK("unknown VM (" tag "): teardown start", .op = OP_TEARDOWN_START, .vm = sel, \
		       .expect = PVM_E_NOENT, __VA_ARGS__),                                        \
		ATTACK("unknown VM (" tag "): reclaim", .op = OP_RECLAIM, .vm = sel, .n = 16,      \
		       .expect = PVM_E_NOENT, __VA_ARGS__),                                        \
		ATTACK("unknown VM (" tag "): teardown finish", .op = OP_TEARDOWN_FINISH,          \
		       .vm = sel, .expect = PVM_E_NOENT, __VA_ARGS__)

/* A call with zero pages. */
#define ZERO(nm, o, sel, a, i)                                                                     \
	ATTACK("zero pages: " nm, .op = o, .vm = sel, .pa = a, .ipa = i, .n = 0,                   \
	       .expect = PVM_E_INVAL)

/*
 * A page count whose byte size does not fit in 64 bits is absurd: mem.h
 * makes that PVM_E_INVAL, and the arguments' INVAL wins over RANGE.
 */
#define ABSURD(nm, o, sel, a, i, cnt)                                                              \
	ATTACK("absurd count: " nm, .op = o, .vm = sel, .pa = a, .ipa = i, .n = cnt,               \
	       .expect = PVM_E_INVAL)

/* A count that is not absurd but makes the range wrap past 2^64: PVM_E_RANGE. */
#define WRAPS(nm, o, sel, a, i)                                                                    \
	ATTACK("range wraps: " nm, .op = o, .vm = sel, .pa = a, .ipa = i,                          \
	       .n = (0 - ((a) | (i))) / PAGE + 1, .expect = PVM_E_RANGE)

static const struct CMUnitTest attacks[] = {
	/* Donating the same page twice. */
	ATTACK("donate a guest's page to the same guest again", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = PA_P0, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate a guest's page to another guest", .op = OP_DONATE_GUEST, .vm = V_P1,
	       .pa = PA_P0, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate a dying guest's page to another guest", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = PA_D, .ipa = IPA_NEW, .n = 2, .expect = PVM_E_STATE),
	ATTACK("donate a guest's page to the hypervisor", .op = OP_DONATE_HYP, .pa = PA_P0, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("top up the pool with a guest's page", .op = OP_TOPUP, .pa = PA_P0, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("donate a page the host lent to guests", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = PA_N, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate a page the host lent to the hypervisor", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = PA_HS + PAGE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate to the hypervisor a page lent to it", .op = OP_DONATE_HYP,
	       .pa = PA_HS + PAGE, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate to the hypervisor a page the host borrows from a guest", .op = OP_DONATE_HYP,
	       .pa = PA_P0 + PAGE, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate to a guest a page the host borrows from another", .op = OP_DONATE_GUEST,
	       .vm = V_P1, .pa = PA_P0 + PAGE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend to a guest a page the host borrows from a guest", .op = OP_SHARE_GUEST,
	       .vm = V_N0, .pa = PA_P0 + PAGE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend to the hypervisor a page the host borrows from a guest", .op = OP_SHARE_HYP,
	       .pa = PA_P0 + PAGE, .n = 1, .expect = PVM_E_STATE),

	/* Hypervisor memory: the carve-out, pages donated to it, the pool, VM pages. */
	ATTACK("donate the metadata (carve-out) to the hypervisor", .op = OP_DONATE_HYP,
	       .pa = HYP_BASE, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate the metadata (carve-out) to a guest", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = HYP_BASE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend the carve-out to a guest", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = HYP_BASE,
	       .ipa = IPA_NEW, .n = 2, .expect = PVM_E_STATE),
	ATTACK("lend the carve-out to the hypervisor", .op = OP_SHARE_HYP, .pa = HYP_BASE, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("top up the pool with the carve-out", .op = OP_TOPUP, .pa = HYP_BASE, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("donate the host stage-2 root (carve-out) to a guest", .op = OP_DONATE_GUEST,
	       .vm = V_P1, .pa = HYP_BASE + 8 * PAGE, .ipa = IPA_NEW, .n = 2,
	       .expect = PVM_E_STATE),
	ATTACK("donate a hypervisor page again", .op = OP_DONATE_HYP, .pa = PA_HD, .n = 2,
	       .expect = PVM_E_STATE),
	ATTACK("donate a hypervisor page to a guest", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = PA_HD, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend a hypervisor page to the hypervisor", .op = OP_SHARE_HYP, .pa = PA_HD + PAGE,
	       .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend a hypervisor page to a guest", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = PA_HD,
	       .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate a pool page to a guest", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = POOLBLK + 100 * PAGE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("top up the pool with its own pages", .op = OP_TOPUP, .pa = POOLBLK, .n = 4,
	       .expect = PVM_E_STATE),
	ATTACK("lend a pool page to a guest", .op = OP_SHARE_GUEST, .vm = V_N0,
	       .pa = POOLBLK + 7 * PAGE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate a VM's stage-2 root to another VM", .op = OP_DONATE_GUEST, .vm = V_P1,
	       .pa = VMPG(V_P0), .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate a VM's structure to the hypervisor", .op = OP_DONATE_HYP,
	       .pa = VMPG(V_P0) + PAGE, .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend a VM's structure to itself", .op = OP_SHARE_GUEST, .vm = V_N0,
	       .pa = VMPG(V_N0) + PAGE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("hyp donate host: metadata page", .op = OP_HYP_DONATE_HOST, .pa = HYP_BASE, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("hyp donate host: host stage-2 root", .op = OP_HYP_DONATE_HOST,
	       .pa = HYP_BASE + 8 * PAGE, .n = 2, .expect = PVM_E_STATE),
	ATTACK("hyp donate host: a host page", .op = OP_HYP_DONATE_HOST, .pa = PA_FREE, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("hyp donate host: a guest's page", .op = OP_HYP_DONATE_HOST, .pa = PA_P0, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("hyp donate host: a page lent to the hypervisor", .op = OP_HYP_DONATE_HOST,
	       .pa = PA_HS, .n = 1, .expect = PVM_E_STATE),
	ATTACK("hyp donate host: hyp pages, then a host page", .op = OP_HYP_DONATE_HOST,
	       .pa = PA_HD, .n = 3, .expect = PVM_E_STATE),

	/* Lending what is not the host's to lend. */
	ATTACK("lend a guest's page to the hypervisor", .op = OP_SHARE_HYP, .pa = PA_P0, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("lend a protected guest's page to another guest", .op = OP_SHARE_GUEST, .vm = V_N0,
	       .pa = PA_P0, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend a dying guest's page to another guest", .op = OP_SHARE_GUEST, .vm = V_N0,
	       .pa = PA_D, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend to a guest a page lent to the hypervisor", .op = OP_SHARE_GUEST, .vm = V_N0,
	       .pa = PA_HS + PAGE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend to the hypervisor twice", .op = OP_SHARE_HYP, .pa = PA_HS + PAGE, .n = 1,
	       .expect = PVM_E_STATE),

	/* Pins. */
	ATTACK("unshare a pinned page", .op = OP_UNSHARE_HYP, .pa = PA_HS, .n = 1,
	       .expect = PVM_E_BUSY),
	ATTACK("unshare a range that starts pinned", .op = OP_UNSHARE_HYP, .pa = PA_HS, .n = 2,
	       .expect = PVM_E_BUSY),
	ATTACK("unshare a page not lent to the hypervisor", .op = OP_UNSHARE_HYP, .pa = PA_FREE,
	       .n = 1, .expect = PVM_E_STATE),
	ATTACK("unshare from the hypervisor a page lent to guests", .op = OP_UNSHARE_HYP,
	       .pa = PA_N, .n = 1, .expect = PVM_E_STATE),
	ATTACK("unpin an unpinned lent page", .op = OP_UNPIN, .pa = PA_HS + PAGE, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("unpin a page not lent", .op = OP_UNPIN, .pa = PA_FREE, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("unpin a pinned page, then an unpinned one", .op = OP_UNPIN, .pa = PA_HS, .n = 2,
	       .expect = PVM_E_STATE),
	ATTACK("unpin a guest's page", .op = OP_UNPIN, .pa = PA_P0, .n = 1, .expect = PVM_E_STATE),
	ATTACK("pin a page not lent to the hypervisor", .op = OP_PIN, .pa = PA_FREE, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("pin a page the host borrows from a guest", .op = OP_PIN, .pa = PA_P0 + PAGE, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("pin a hypervisor page", .op = OP_PIN, .pa = PA_HD, .n = 1, .expect = PVM_E_STATE),

	/* Teardown out of order. */
	ATTACK("start the teardown of a running VM", .op = OP_TEARDOWN_START, .vm = V_P0,
	       .expect = PVM_E_BUSY, .prep = PREP_LOAD_P0),
	ATTACK("reclaim from a running VM", .op = OP_RECLAIM, .vm = V_P0, .n = 16,
	       .expect = PVM_E_STATE, .prep = PREP_LOAD_P0),
	ATTACK("reclaim from an active VM", .op = OP_RECLAIM, .vm = V_P0, .n = 16,
	       .expect = PVM_E_STATE),
	ATTACK("reclaim from an active non-protected VM", .op = OP_RECLAIM, .vm = V_N0, .n = 16,
	       .expect = PVM_E_STATE),
	ATTACK("finish the teardown of an active VM", .op = OP_TEARDOWN_FINISH, .vm = V_P0,
	       .expect = PVM_E_STATE),
	ATTACK("finish the teardown of a running VM", .op = OP_TEARDOWN_FINISH, .vm = V_P0,
	       .expect = PVM_E_STATE, .prep = PREP_LOAD_P0),
	ATTACK("finish a teardown with pages left", .op = OP_TEARDOWN_FINISH, .vm = V_D,
	       .expect = PVM_E_STATE),
	ATTACK("finish a non-protected teardown with pages left", .op = OP_TEARDOWN_FINISH,
	       .vm = V_N1, .expect = PVM_E_STATE, .prep = PREP_KILL_N1),
	ATTACK("start a teardown twice", .op = OP_TEARDOWN_START, .vm = V_D, .expect = PVM_E_STATE),
	ATTACK("reclaim at most 0 pages", .op = OP_RECLAIM, .vm = V_D, .n = 0,
	       .expect = PVM_E_INVAL),

	/* Transitions into a dying VM. */
	ATTACK("donate to a dying VM", .op = OP_DONATE_GUEST, .vm = V_D, .pa = PA_FREE,
	       .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("donate to a dying VM at a mapped IPA", .op = OP_DONATE_GUEST, .vm = V_D,
	       .pa = PA_FREE, .ipa = IPA_D, .n = 1, .expect = PVM_E_STATE),
	ATTACK("lend to a dying non-protected VM", .op = OP_SHARE_GUEST, .vm = V_N1, .pa = PA_FREE,
	       .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE, .prep = PREP_KILL_N1),
	ATTACK("lend to a dying protected VM", .op = OP_SHARE_GUEST, .vm = V_D, .pa = PA_FREE,
	       .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("unshare from a dying non-protected VM", .op = OP_UNSHARE_GUEST, .vm = V_N1,
	       .ipa = IPA_N1, .n = 1, .expect = PVM_E_STATE, .prep = PREP_KILL_N1),
	ATTACK("dying guest shares with the host", .op = OP_GUEST_SHARE, .vm = V_D, .ipa = IPA_D,
	       .n = 1, .expect = PVM_E_STATE),
	ATTACK("dying guest unshares", .op = OP_GUEST_UNSHARE, .vm = V_D, .ipa = IPA_D, .n = 1,
	       .expect = PVM_E_STATE),
	ATTACK("dying guest relinquishes", .op = OP_RELINQUISH, .vm = V_D, .ipa = IPA_D, .n = 2,
	       .expect = PVM_E_STATE),
	ATTACK("load a dying VM", .op = OP_VM_LOAD, .vm = V_D, .expect = PVM_E_STATE),

	/* Ranges that straddle owners, both ways round. */
	ATTACK("donate host pages, then a guest's", .op = OP_DONATE_HYP, .pa = PA_P0 - 2 * PAGE,
	       .n = 3, .expect = PVM_E_STATE),
	ATTACK("donate a guest's page, then host pages", .op = OP_DONATE_HYP,
	       .pa = PA_P0 + 3 * PAGE, .n = 3, .expect = PVM_E_STATE),
	ATTACK("donate to a guest host pages, then hypervisor pages", .op = OP_DONATE_GUEST,
	       .vm = V_P1, .pa = PA_HD - 2 * PAGE, .ipa = IPA_NEW, .n = 3, .expect = PVM_E_STATE),
	ATTACK("donate to a guest host pages, then the carve-out", .op = OP_DONATE_GUEST,
	       .vm = V_P1, .pa = HYP_BASE - 2 * PAGE, .ipa = IPA_NEW, .n = 3,
	       .expect = PVM_E_STATE),
	ATTACK("lend a host page, then a page lent to the hypervisor", .op = OP_SHARE_GUEST,
	       .vm = V_N0, .pa = PA_HS - PAGE, .ipa = IPA_NEW, .n = 2, .expect = PVM_E_STATE),
	ATTACK("lend to the hypervisor a host page, then a lent one", .op = OP_SHARE_HYP,
	       .pa = PA_HS - PAGE, .n = 2, .expect = PVM_E_STATE),
	ATTACK("unshare a lent page, then one that is not", .op = OP_UNSHARE_HYP,
	       .pa = PA_HS + PAGE, .n = 2, .expect = PVM_E_STATE),
	ATTACK("pin a lent page, then one that is not", .op = OP_PIN, .pa = PA_HS + PAGE, .n = 2,
	       .expect = PVM_E_STATE),
	ATTACK("pin a page that is not lent, then lent ones", .op = OP_PIN, .pa = PA_HS - PAGE,
	       .n = 3, .expect = PVM_E_STATE),
	ATTACK("guest shares owned pages, then an unmapped IPA", .op = OP_GUEST_SHARE, .vm = V_P0,
	       .ipa = IPA_P0 + 2 * PAGE, .n = 3, .expect = PVM_E_NOENT),
	ATTACK("guest shares an unmapped IPA, then owned pages", .op = OP_GUEST_SHARE, .vm = V_P0,
	       .ipa = IPA_P0 - PAGE, .n = 2, .expect = PVM_E_NOENT),
	ATTACK("guest relinquishes an owned page, then a shared one", .op = OP_RELINQUISH,
	       .vm = V_P0, .ipa = IPA_P0, .n = 2, .expect = PVM_E_STATE),
	ATTACK("guest relinquishes owned pages, then an unmapped IPA", .op = OP_RELINQUISH,
	       .vm = V_P0, .ipa = IPA_P0 + 2 * PAGE, .n = 3, .expect = PVM_E_NOENT),
	ATTACK("guest unshares a shared page, then an unshared one", .op = OP_GUEST_UNSHARE,
	       .vm = V_P0, .ipa = IPA_P0 + PAGE, .n = 2, .expect = PVM_E_STATE),
	ATTACK("unshare guest: lent pages, then an unmapped IPA", .op = OP_UNSHARE_GUEST,
	       .vm = V_N0, .ipa = IPA_N0 + 2 * PAGE, .n = 3, .expect = PVM_E_NOENT),
	ATTACK("unshare guest: an unmapped IPA, then lent pages", .op = OP_UNSHARE_GUEST,
	       .vm = V_N1, .ipa = IPA_N1 - PAGE, .n = 3, .expect = PVM_E_NOENT),
	ATTACK("donate to free IPAs, then a mapped one", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = PA_FREE, .ipa = IPA_P0 - 2 * PAGE, .n = 3, .expect = PVM_E_EXISTS),
	ATTACK("lend to a mapped IPA, then free ones", .op = OP_SHARE_GUEST, .vm = V_N0,
	       .pa = PA_FREE, .ipa = IPA_N0 + 3 * PAGE, .n = 2, .expect = PVM_E_EXISTS),
	ATTACK("lend at a mapped IPA", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = PA_FREE,
	       .ipa = IPA_N0, .n = 1, .expect = PVM_E_EXISTS),
	ATTACK("donate at a mapped IPA", .op = OP_DONATE_GUEST, .vm = V_P0, .pa = PA_FREE,
	       .ipa = IPA_P0 + PAGE, .n = 1, .expect = PVM_E_EXISTS),
	ATTACK("donate host pages, then past the end of memory", .op = OP_DONATE_HYP,
	       .pa = RAM_END - 2 * PAGE, .n = 4, .expect = PVM_E_RANGE),
	ATTACK("lend the last page, then past the end of memory", .op = OP_SHARE_HYP,
	       .pa = RAM_END - PAGE, .n = 2, .expect = PVM_E_RANGE),
	ATTACK("donate from below managed memory into it", .op = OP_DONATE_HYP, .pa = RAM - PAGE,
	       .n = 2, .expect = PVM_E_RANGE),
	ATTACK("donate to a guest up to its IPA limit and past it", .op = OP_DONATE_GUEST,
	       .vm = V_P0, .pa = PA_FREE, .ipa = (1ull << 36) - PAGE, .n = 2,
	       .expect = PVM_E_RANGE),

	/* Ranges that overflow. */
	WRAPS("donate hyp", OP_DONATE_HYP, 0, RAM, 0),
	WRAPS("share hyp", OP_SHARE_HYP, 0, PA_FREE, 0),
	WRAPS("unshare hyp", OP_UNSHARE_HYP, 0, PA_HS, 0),
	WRAPS("pin", OP_PIN, 0, PA_HS, 0),
	WRAPS("unpin", OP_UNPIN, 0, PA_HS, 0),
	WRAPS("hyp donate host", OP_HYP_DONATE_HOST, 0, PA_HD, 0),
	WRAPS("top up", OP_TOPUP, 0, PA_FREE, 0),
	WRAPS("donate guest (PA side)", OP_DONATE_GUEST, V_P0, PA_FREE, 0),
	WRAPS("share guest (PA side)", OP_SHARE_GUEST, V_N0, PA_FREE, 0),
	WRAPS("unshare guest", OP_UNSHARE_GUEST, V_N0, 0, IPA_N0),
	WRAPS("guest share host", OP_GUEST_SHARE, V_P0, 0, IPA_P0),
	WRAPS("guest unshare host", OP_GUEST_UNSHARE, V_P0, 0, IPA_P0 + PAGE),
	WRAPS("guest relinquish", OP_RELINQUISH, V_P0, 0, IPA_P0),
	ATTACK("the last page of the address space and one more", .op = OP_DONATE_HYP,
	       .pa = 0xfffffffffffff000ull, .n = 2, .expect = PVM_E_RANGE),
	ATTACK("guest IPA range wraps past 2^64", .op = OP_GUEST_SHARE, .vm = V_P0,
	       .ipa = 0xfffffffffffff000ull, .n = 2, .expect = PVM_E_RANGE),
	ATTACK("donate at an IPA range that wraps past 2^64", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = PA_FREE, .ipa = 0xfffffffffffff000ull, .n = 2, .expect = PVM_E_RANGE),
	ABSURD("donate hyp, n = 2^64 - 1", OP_DONATE_HYP, 0, PA_FREE, 0, UINT64_MAX),
	ABSURD("donate hyp, n * 4096 wraps to 0", OP_DONATE_HYP, 0, PA_FREE, 0, HUGE52),
	ABSURD("donate guest, n * 4096 wraps to 4096", OP_DONATE_GUEST, V_P0, PA_FREE, IPA_NEW,
	       HUGE52 + 1),
	ABSURD("guest share host, n = 2^64 - 1", OP_GUEST_SHARE, V_P0, 0, IPA_P0, UINT64_MAX),
	ABSURD("unshare guest on a protected VM, n = 2^64 - 1", OP_UNSHARE_GUEST, V_P0, 0, IPA_P0,
	       UINT64_MAX),

	/* Addresses outside managed memory. */
	ATTACK("donate the page after managed memory", .op = OP_DONATE_HYP, .pa = RAM_END, .n = 1,
	       .expect = PVM_E_RANGE),
	ATTACK("donate physical address 0", .op = OP_DONATE_HYP, .pa = 0, .n = 1,
	       .expect = PVM_E_RANGE),
	ATTACK("donate a PA beyond the PA size", .op = OP_DONATE_HYP, .pa = 1ull << PA_BITS, .n = 1,
	       .expect = PVM_E_RANGE),
	ATTACK("donate PA 2^63", .op = OP_DONATE_HYP, .pa = 1ull << 63, .n = 1,
	       .expect = PVM_E_RANGE),
	ATTACK("lend unmanaged memory to a guest", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = RAM_END,
	       .ipa = IPA_NEW, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("donate unmanaged memory to a guest", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = RAM - PAGE, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("lend unmanaged memory to the hypervisor", .op = OP_SHARE_HYP, .pa = 0x1000, .n = 1,
	       .expect = PVM_E_RANGE),
	ATTACK("unshare unmanaged memory", .op = OP_UNSHARE_HYP, .pa = RAM_END, .n = 1,
	       .expect = PVM_E_RANGE),
	ATTACK("pin unmanaged memory", .op = OP_PIN, .pa = RAM_END + MiB, .n = 1,
	       .expect = PVM_E_RANGE),
	ATTACK("unpin unmanaged memory", .op = OP_UNPIN, .pa = 0, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("hyp donate host unmanaged memory", .op = OP_HYP_DONATE_HOST, .pa = RAM_END, .n = 1,
	       .expect = PVM_E_RANGE),
	ATTACK("top up with unmanaged memory", .op = OP_TOPUP, .pa = RAM_END, .n = 1,
	       .expect = PVM_E_RANGE),

	/* Misaligned addresses. */
	ATTACK("misaligned: donate hyp", .op = OP_DONATE_HYP, .pa = PA_FREE + 0x800, .n = 1,
	       .expect = PVM_E_INVAL),
	ATTACK("misaligned: share hyp", .op = OP_SHARE_HYP, .pa = PA_FREE + 1, .n = 1,
	       .expect = PVM_E_INVAL),
	ATTACK("misaligned: unshare hyp", .op = OP_UNSHARE_HYP, .pa = PA_HS + 8, .n = 1,
	       .expect = PVM_E_INVAL),
	ATTACK("misaligned: pin", .op = OP_PIN, .pa = PA_HS + 0x10, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("misaligned: unpin", .op = OP_UNPIN, .pa = PA_HS + 0xfff, .n = 1,
	       .expect = PVM_E_INVAL),
	ATTACK("misaligned: hyp donate host", .op = OP_HYP_DONATE_HOST, .pa = PA_HD + 0x800, .n = 1,
	       .expect = PVM_E_INVAL),
	ATTACK("misaligned: top up", .op = OP_TOPUP, .pa = PA_FREE + 0x800, .n = 1,
	       .expect = PVM_E_INVAL),
	ATTACK("misaligned PA: donate guest", .op = OP_DONATE_GUEST, .vm = V_P0, .pa = PA_FREE + 8,
	       .ipa = IPA_NEW, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("misaligned PA: share guest", .op = OP_SHARE_GUEST, .vm = V_N0,
	       .pa = PA_FREE + 0xfff, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("misaligned IPA: donate guest", .op = OP_DONATE_GUEST, .vm = V_P0, .pa = PA_FREE,
	       .ipa = IPA_NEW + 0x800, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("misaligned IPA: share guest", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = PA_FREE,
	       .ipa = IPA_NEW + 4, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("misaligned IPA: unshare guest", .op = OP_UNSHARE_GUEST, .vm = V_N0,
	       .ipa = IPA_N0 + 0x800, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("misaligned IPA: guest share host", .op = OP_GUEST_SHARE, .vm = V_P0,
	       .ipa = IPA_P0 + 0x10, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("misaligned IPA: guest unshare host", .op = OP_GUEST_UNSHARE, .vm = V_P0,
	       .ipa = IPA_P0 + PAGE + 1, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("misaligned IPA: guest relinquish", .op = OP_RELINQUISH, .vm = V_P0,
	       .ipa = IPA_P0 + 4, .n = 1, .expect = PVM_E_INVAL),

	/* Zero pages. */
	ZERO("share hyp", OP_SHARE_HYP, 0, PA_FREE, 0),
	ZERO("unshare hyp", OP_UNSHARE_HYP, 0, PA_HS, 0),
	ZERO("pin", OP_PIN, 0, PA_HS, 0),
	ZERO("unpin", OP_UNPIN, 0, PA_HS, 0),
	ZERO("donate hyp", OP_DONATE_HYP, 0, PA_FREE, 0),
	ZERO("hyp donate host", OP_HYP_DONATE_HOST, 0, PA_HD, 0),
	ZERO("top up", OP_TOPUP, 0, PA_FREE, 0),
	ZERO("share guest", OP_SHARE_GUEST, V_N0, PA_FREE, IPA_NEW),
	ZERO("unshare guest", OP_UNSHARE_GUEST, V_N0, 0, IPA_N0),
	ZERO("donate guest", OP_DONATE_GUEST, V_P0, PA_FREE, IPA_NEW),
	ZERO("guest share host", OP_GUEST_SHARE, V_P0, 0, IPA_P0),
	ZERO("guest unshare host", OP_GUEST_UNSHARE, V_P0, 0, IPA_P0 + PAGE),
	ZERO("guest relinquish", OP_RELINQUISH, V_P0, 0, IPA_P0),

	/* Guest IPAs beyond the VM's IPA size. */
	ATTACK("donate at the IPA limit", .op = OP_DONATE_GUEST, .vm = V_P0, .pa = PA_FREE,
	       .ipa = 1ull << 36, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("donate at a 32-bit VM's IPA limit", .op = OP_DONATE_GUEST, .vm = V_P1,
	       .pa = PA_FREE, .ipa = 1ull << 32, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("donate at an IPA beyond the PA size", .op = OP_DONATE_GUEST, .vm = V_P0,
	       .pa = PA_FREE, .ipa = 1ull << 48, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("lend at the IPA limit", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = PA_FREE,
	       .ipa = 1ull << 36, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("lend across the IPA limit", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = PA_FREE,
	       .ipa = (1ull << 36) - 2 * PAGE, .n = 3, .expect = PVM_E_RANGE),
	ATTACK("unshare guest beyond the IPA limit", .op = OP_UNSHARE_GUEST, .vm = V_N0,
	       .ipa = 1ull << 40, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("guest shares beyond its IPA limit", .op = OP_GUEST_SHARE, .vm = V_P0,
	       .ipa = 1ull << 36, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("guest unshares at IPA 2^63", .op = OP_GUEST_UNSHARE, .vm = V_P0, .ipa = 1ull << 63,
	       .n = 1, .expect = PVM_E_RANGE),
	ATTACK("guest relinquishes beyond a 32-bit limit", .op = OP_RELINQUISH, .vm = V_P1,
	       .ipa = 1ull << 32, .n = 1, .expect = PVM_E_RANGE),

	/* VM handles that name no VM. */
	NO_VM("never used", V_UNUSED),
	NO_VM("PVM_VM_MAX", V_MAX),
	NO_VM("UINT_MAX", V_HUGE),
	NO_VM("0x10000 + a live handle", V_WRAP16),
	NO_VM("PVM_VM_MAX + a live handle", V_MAXP0),
	NO_VM("a torn-down VM", V_D, .prep = PREP_FINISH_D),

	/* The wrong kind of VM. */
	ATTACK("donate to a non-protected VM", .op = OP_DONATE_GUEST, .vm = V_N0, .pa = PA_FREE,
	       .ipa = IPA_NEW, .n = 1, .expect = PVM_E_PERM),
	ATTACK("donate to another non-protected VM", .op = OP_DONATE_GUEST, .vm = V_N1,
	       .pa = PA_FREE, .ipa = IPA_NEW, .n = 4, .expect = PVM_E_PERM),
	ATTACK("lend host pages to a protected VM", .op = OP_SHARE_GUEST, .vm = V_P0, .pa = PA_FREE,
	       .ipa = IPA_NEW, .n = 1, .expect = PVM_E_PERM),
	ATTACK("lend host pages read-only to a protected VM", .op = OP_SHARE_GUEST, .vm = V_P1,
	       .pa = PA_FREE, .ipa = IPA_NEW, .n = 2, .arg = PVM_PROT_R, .expect = PVM_E_PERM),
	ATTACK("unshare guest on a protected VM's page", .op = OP_UNSHARE_GUEST, .vm = V_P0,
	       .ipa = IPA_P0, .n = 1, .expect = PVM_E_PERM),

	/* A guest giving what it does not own. */
	ATTACK("non-protected guest shares a page it borrows", .op = OP_GUEST_SHARE, .vm = V_N0,
	       .ipa = IPA_N0, .n = 1, .expect = PVM_E_PERM),
	ATTACK("guest shares an unmapped IPA", .op = OP_GUEST_SHARE, .vm = V_P0, .ipa = 0x500000,
	       .n = 1, .expect = PVM_E_NOENT),
	ATTACK("guest shares a page twice", .op = OP_GUEST_SHARE, .vm = V_P0, .ipa = IPA_P0 + PAGE,
	       .n = 1, .expect = PVM_E_STATE),
	ATTACK("guest unshares a page it did not share", .op = OP_GUEST_UNSHARE, .vm = V_P0,
	       .ipa = IPA_P0, .n = 1, .expect = PVM_E_STATE),
	ATTACK("non-protected guest unshares a borrowed page", .op = OP_GUEST_UNSHARE, .vm = V_N0,
	       .ipa = IPA_N0, .n = 1, .expect = PVM_E_PERM),
	ATTACK("guest relinquishes a shared page", .op = OP_RELINQUISH, .vm = V_P0,
	       .ipa = IPA_P0 + PAGE, .n = 1, .expect = PVM_E_STATE),
	ATTACK("non-protected guest relinquishes a borrowed page", .op = OP_RELINQUISH, .vm = V_N0,
	       .ipa = IPA_N0, .n = 2, .expect = PVM_E_PERM),
	ATTACK("non-protected guest shares an unmapped IPA", .op = OP_GUEST_SHARE, .vm = V_N1,
	       .ipa = 0x500000, .n = 1, .expect = PVM_E_PERM),
	ATTACK("guest relinquishes an unmapped IPA", .op = OP_RELINQUISH, .vm = V_P0,
	       .ipa = 0x500000, .n = 1, .expect = PVM_E_NOENT),
	ATTACK("unshare guest at an unmapped IPA", .op = OP_UNSHARE_GUEST, .vm = V_N0,
	       .ipa = 0x500000, .n = 1, .expect = PVM_E_NOENT),

	/* One call that reaches a page twice (lent at two IPAs). */
	ATTACK("unshare two mappings of the same pages in one call", .op = OP_UNSHARE_GUEST,
	       .vm = V_N0, .ipa = IPA_N0, .n = 8, .expect = PVM_E_STATE, .prep = PREP_LEND_TWICE),
	ATTACK("unshare a page twice in one call, then a hole", .op = OP_UNSHARE_GUEST, .vm = V_N0,
	       .ipa = IPA_N0 + 3 * PAGE, .n = 6, .expect = PVM_E_STATE, .prep = PREP_LEND_TWICE),

	/* Bad protections. */
	ATTACK("lend as device memory", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = PA_FREE,
	       .ipa = IPA_NEW, .n = 1, .arg = PVM_PROT_R | PVM_PROT_DEVICE, .expect = PVM_E_INVAL),
	ATTACK("lend with software bits", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = PA_FREE,
	       .ipa = IPA_NEW, .n = 1, .arg = PVM_PROT_RW | PVM_PROT_SW(PVM_PAGE_OWNED + 1),
	       .expect = PVM_E_INVAL),
	ATTACK("lend with unknown bits", .op = OP_SHARE_GUEST, .vm = V_N0, .pa = PA_FREE,
	       .ipa = IPA_NEW, .n = 1, .arg = PVM_PROT_R | 0x10000u, .expect = PVM_E_INVAL),

	/* Several faults at once: mem.h says which is reported. */
	ATTACK("first: misaligned PA before an unknown VM", .op = OP_DONATE_GUEST, .vm = V_UNUSED,
	       .pa = PA_FREE + 8, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("first: PA outside memory before an unknown VM", .op = OP_SHARE_GUEST, .vm = V_MAX,
	       .pa = RAM_END, .ipa = IPA_NEW, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("first: zero pages before an unknown VM", .op = OP_RELINQUISH, .vm = V_HUGE,
	       .ipa = IPA_P0, .n = 0, .expect = PVM_E_INVAL),
	ATTACK("first: bad protection before a protected VM", .op = OP_SHARE_GUEST, .vm = V_P0,
	       .pa = PA_FREE, .ipa = IPA_NEW, .n = 1, .arg = PVM_PROT_DEVICE | PVM_PROT_R,
	       .expect = PVM_E_INVAL),
	ATTACK("first: bad protection before a PA outside memory", .op = OP_SHARE_GUEST, .vm = V_N0,
	       .pa = RAM_END, .ipa = IPA_NEW, .n = 1, .arg = PVM_PROT_DEVICE | PVM_PROT_R,
	       .expect = PVM_E_INVAL),
	ATTACK("first: unknown VM before a misaligned IPA", .op = OP_GUEST_SHARE, .vm = V_UNUSED,
	       .ipa = IPA_P0 + 4, .n = 1, .expect = PVM_E_NOENT),
	ATTACK("first: dying before the wrong kind", .op = OP_SHARE_GUEST, .vm = V_D, .pa = PA_FREE,
	       .ipa = IPA_NEW, .n = 1, .expect = PVM_E_STATE),
	ATTACK("first: wrong kind before an IPA beyond the limit", .op = OP_DONATE_GUEST,
	       .vm = V_N0, .pa = PA_FREE, .ipa = 1ull << 36, .n = 1, .expect = PVM_E_PERM),
	ATTACK("first: wrong kind before an unmapped IPA", .op = OP_UNSHARE_GUEST, .vm = V_P1,
	       .ipa = 0x500000, .n = 1, .expect = PVM_E_PERM),
	ATTACK("first: IPA beyond the limit before a page not the host's", .op = OP_DONATE_GUEST,
	       .vm = V_P0, .pa = PA_P0, .ipa = 1ull << 36, .n = 1, .expect = PVM_E_RANGE),
	ATTACK("first: misaligned IPA before a page not the host's", .op = OP_SHARE_GUEST,
	       .vm = V_N0, .pa = PA_HD, .ipa = IPA_NEW + 0x800, .n = 1, .expect = PVM_E_INVAL),
	ATTACK("first: a page not the host's before a mapped IPA", .op = OP_DONATE_GUEST,
	       .vm = V_P0, .pa = PA_P0, .ipa = IPA_P0, .n = 1, .expect = PVM_E_STATE),
	ATTACK("first: a page lent to hyp before a mapped IPA", .op = OP_SHARE_GUEST, .vm = V_N0,
	       .pa = PA_HS, .ipa = IPA_N0, .n = 1, .expect = PVM_E_STATE),
	ATTACK("first: an unlent page before a pinned one", .op = OP_UNSHARE_HYP,
	       .pa = PA_HS - PAGE, .n = 2, .expect = PVM_E_STATE),
	ATTACK("first: a pinned page before unlent ones", .op = OP_UNSHARE_HYP, .pa = PA_HS, .n = 3,
	       .expect = PVM_E_BUSY),
	ATTACK("first: a shared page before an unmapped IPA (relinquish)", .op = OP_RELINQUISH,
	       .vm = V_P0, .ipa = IPA_P0 + PAGE, .n = 4, .expect = PVM_E_STATE),
	ATTACK("first: an unshared page before an unmapped IPA (unshare)", .op = OP_GUEST_UNSHARE,
	       .vm = V_P0, .ipa = IPA_P0 + 2 * PAGE, .n = 3, .expect = PVM_E_STATE),
	ATTACK("first: a shared page before an unmapped IPA (share)", .op = OP_GUEST_SHARE,
	       .vm = V_P0, .ipa = IPA_P0 + PAGE, .n = 4, .expect = PVM_E_STATE),
	ATTACK("first: an unmapped IPA before a shared page", .op = OP_RELINQUISH, .vm = V_P0,
	       .ipa = IPA_P0 - PAGE, .n = 3, .expect = PVM_E_NOENT),

	/* VM creation from pages that are not the host's to give. */
	ATTACK("create a VM from misaligned root pages", .op = OP_VM_CREATE, .pa = VMPG(6) + PAGE,
	       .n = 5, .arg = 32 | VM_PROT, .expect = PVM_E_INVAL),
	ATTACK("create a VM from a misaligned address", .op = OP_VM_CREATE, .pa = VMPG(6) + 0x800,
	       .n = 2, .arg = 36, .expect = PVM_E_INVAL),
	ATTACK("create a VM from too few pages", .op = OP_VM_CREATE, .pa = VMPG(6), .n = 1,
	       .arg = 36, .expect = PVM_E_INVAL),
	ATTACK("create a VM from too few root pages", .op = OP_VM_CREATE, .pa = VMPG(6), .n = 4,
	       .arg = 32, .expect = PVM_E_INVAL),
	ATTACK("create a VM from too many pages", .op = OP_VM_CREATE, .pa = VMPG(6), .n = 3,
	       .arg = 36, .expect = PVM_E_INVAL),
	ATTACK("create a VM from zero pages", .op = OP_VM_CREATE, .pa = VMPG(6), .n = 0, .arg = 36,
	       .expect = PVM_E_INVAL),
	ATTACK("create a VM from 2^64 - 1 pages", .op = OP_VM_CREATE, .pa = VMPG(6),
	       .n = UINT64_MAX, .arg = 36, .expect = PVM_E_INVAL),
	ATTACK("create a VM with a 31-bit IPA", .op = OP_VM_CREATE, .pa = VMPG(6), .n = 2,
	       .arg = 31, .expect = PVM_E_INVAL),
	ATTACK("create a VM with an IPA larger than the PA", .op = OP_VM_CREATE, .pa = VMPG(6),
	       .n = 2, .arg = 41, .expect = PVM_E_INVAL),
	ATTACK("create a VM with a 49-bit IPA", .op = OP_VM_CREATE, .pa = VMPG(6), .n = 2,
	       .arg = 49, .expect = PVM_E_INVAL),
	ATTACK("create a VM with a 0-bit IPA", .op = OP_VM_CREATE, .pa = VMPG(6), .n = 1, .arg = 0,
	       .expect = PVM_E_INVAL),
	ATTACK("create a VM from a guest's pages", .op = OP_VM_CREATE, .pa = PA_P0, .n = 2,
	       .arg = 36, .expect = PVM_E_STATE),
	ATTACK("create a VM from another VM's pages", .op = OP_VM_CREATE, .pa = VMPG(V_P0), .n = 2,
	       .arg = 36 | VM_PROT, .expect = PVM_E_STATE),
	ATTACK("create a VM from hypervisor pages", .op = OP_VM_CREATE, .pa = PA_HD, .n = 2,
	       .arg = 36, .expect = PVM_E_STATE),
	ATTACK("create a VM from host, then hypervisor pages", .op = OP_VM_CREATE,
	       .pa = PA_HD - PAGE, .n = 2, .arg = 36, .expect = PVM_E_STATE),
	ATTACK("create a VM from the carve-out", .op = OP_VM_CREATE, .pa = HYP_BASE, .n = 2,
	       .arg = 36, .expect = PVM_E_STATE),
	ATTACK("create a VM from pool pages", .op = OP_VM_CREATE, .pa = POOLBLK, .n = 5, .arg = 32,
	       .expect = PVM_E_STATE),
	ATTACK("create a VM from pages lent to guests", .op = OP_VM_CREATE, .pa = PA_N, .n = 2,
	       .arg = 36, .expect = PVM_E_STATE),
	ATTACK("create a VM from pages lent to the hypervisor", .op = OP_VM_CREATE, .pa = PA_HS,
	       .n = 2, .arg = 36, .expect = PVM_E_STATE),
	ATTACK("create a VM from pages the host borrows", .op = OP_VM_CREATE, .pa = PA_P0 + PAGE,
	       .n = 2, .arg = 36, .expect = PVM_E_STATE),
	ATTACK("create a VM past the end of memory", .op = OP_VM_CREATE, .pa = RAM_END - PAGE,
	       .n = 2, .arg = 36, .expect = PVM_E_RANGE),
	ATTACK("create a VM from unmanaged memory", .op = OP_VM_CREATE, .pa = 0, .n = 2, .arg = 36,
	       .expect = PVM_E_RANGE),
	ATTACK("create a VM at the top of the address space", .op = OP_VM_CREATE,
	       .pa = 0xffffffffffffe000ull, .n = 2, .arg = 36, .expect = PVM_E_RANGE),
	ATTACK("create a VM without a configuration", .op = OP_VM_CREATE_NULL_CFG, .pa = VMPG(6),
	       .n = 2, .expect = PVM_E_INVAL),
	ATTACK("create a VM without a handle to return", .op = OP_VM_CREATE_NULL_HANDLE,
	       .pa = VMPG(6), .n = 2, .arg = 36, .expect = PVM_E_INVAL),
};

/* ---- Attacks that need a sequence ---------------------------------------- */

/*
 * Every allocation failure of one call. The core reserves every table page
 * a call needs before it changes anything, so "the k+1-th allocation fails"
 * is a pool of k pages. With the pool at 0, 1, ..., N - 1 free pages (N
 * what the call needs from an empty pool): PVM_E_NOMEM with `need` exactly
 * N - k, nothing changed (the whole snapshot), the invariants hold; with N
 * pages the same call succeeds. Returns N.
 */
#define NOMEM_EVERY_K(expr)                                                                        \
	({                                                                                         \
		size_t need = 0, total_;                                                           \
		pvm_status_t st_;                                                                  \
                                                                                                   \
		pool_set(0);                                                                       \
		take(&snap_a);                                                                     \
		st_ = (expr);                                                                      \
		take(&snap_b);                                                                     \
		if (st_ != PVM_E_NOMEM)                                                            \
			fail_msg("%s: %s, not PVM_E_NOMEM", #expr, pvm_strerror(st_));             \
		same(&snap_a, &snap_b);                                                            \
		total_ = need;                                                                     \
		assert_true(total_ > 0);                                                           \
		for (size_t k_ = 1; k_ < total_; k_++) {                                           \
			pool_set(k_);                                                              \
			need = 0;                                                                  \
			take(&snap_a);                                                             \
			st_ = (expr);                                                              \
			take(&snap_b);                                                             \
			if (st_ != PVM_E_NOMEM || need != total_ - k_)                             \
				fail_msg("%s with %zu of %zu pages: %s, need %zu", #expr, k_,      \
					 total_, pvm_strerror(st_), need);                         \
			same(&snap_a, &snap_b);                                                    \
			check();                                                                   \
		}                                                                                  \
		pool_set(total_);                                                                  \
		ok((expr), #expr " with `need` pages in the pool");                                \
		check();                                                                           \
		assert_int_equal(pvm_sim_bbm_check(), 0);                                          \
		print_message("      every k < %zu: %.60s...\n", total_, #expr);                   \
		total_;                                                                            \
	})

/* The pool is empty; lending in a new 1 GiB region of N0's IPA space needs tables. */
static void test_nomem_empty_pool(void **state)
{
	size_t unused = 0;

	(void)state;
	pool_set(0);
	/* The pool comes last: a mapped IPA, or a page in the wrong state, is reported first. */
	take(&snap_a);
	assert_int_equal(pvm_host_share_guest(hyp, vms[V_N0], pvm_pa(BLK8),
					      pvm_ipa(IPA_N0 + 3 * PAGE), 600, PVM_PROT_RW,
					      &unused),
			 PVM_E_EXISTS);
	assert_int_equal(pvm_host_share_guest(hyp, vms[V_N0], pvm_pa(PA_HS), pvm_ipa(1ull << 30), 1,
					      PVM_PROT_RW, &unused),
			 PVM_E_STATE);
	take(&snap_b);
	same(&snap_a, &snap_b);
	NOMEM_EVERY_K(pvm_host_share_guest(hyp, vms[V_N0], pvm_pa(PA_FREE), pvm_ipa(1ull << 30), 4,
					   PVM_PROT_RW, &need));
}

/*
 * The pool has some pages, not enough: a donation whose PAs straddle two
 * untouched host blocks (two splits) and whose IPAs straddle two 2 MiB
 * regions of a new 1 GiB region (three tables).
 */
static void test_nomem_partway(void **state)
{
	(void)state;
	pool_set(2);
	NOMEM_EVERY_K(pvm_host_donate_guest(hyp, vms[V_P0], pvm_pa(BLK8 - 2 * PAGE),
					    pvm_ipa(0x80000000ull + 2 * MiB - 2 * PAGE), 4, &need));
}

/* Guest-initiated: sharing one page of a guest block splits it and the host's annotation. */
static void test_nomem_guest_share(void **state)
{
	(void)state;
	ok(pvm_host_donate_guest(hyp, vms[V_P1], pvm_pa(BLK6), pvm_ipa(0x40000000), 512, NULL),
	   "donate a whole block");
	check();
	pool_set(0);
	NOMEM_EVERY_K(
		pvm_guest_share_host(hyp, vms[V_P1], pvm_ipa(0x40000000 + 5 * PAGE), 1, &need));
}

/*
 * One host block lent twice to one guest through two block mappings:
 * IPA X -> BLK6 and IPA X + 2 MiB -> BLK6; the host keeps its block (only
 * the state bits change). Unsharing [X, X + 2 MiB + 4 KiB) in one call
 * reaches BLK6's first page twice: mem.h refuses that (PVM_E_STATE, before
 * the pool is even asked). One call per mapping works; the second is where
 * the first page's last borrower goes, so the host block must split: with
 * an empty pool that is PVM_E_NOMEM, then a top-up of exactly `need`.
 */
static void test_unshare_page_lent_twice(void **state)
{
	const uint64_t x = 0x40000000ull;
	struct pvm_page_info pi;

	(void)state;
	ok(pvm_host_share_guest(hyp, vms[V_N0], pvm_pa(BLK6), pvm_ipa(x), 512, PVM_PROT_RW, NULL),
	   "lend a block");
	ok(pvm_host_share_guest(hyp, vms[V_N0], pvm_pa(BLK6), pvm_ipa(x + 2 * MiB), 512,
				PVM_PROT_RW, NULL),
	   "lend it again");
	check();
	pool_set(0);
	take(&snap_a);
	assert_int_equal(pvm_host_unshare_guest(hyp, vms[V_N0], pvm_ipa(x), 513, NULL),
			 PVM_E_STATE);
	/* Mapped twice, further apart: the duplicate is refused before the hole after it. */
	assert_int_equal(pvm_host_unshare_guest(hyp, vms[V_N0], pvm_ipa(x), 1025, NULL),
			 PVM_E_STATE);
	take(&snap_b);
	same(&snap_a, &snap_b);
	ok(pvm_host_unshare_guest(hyp, vms[V_N0], pvm_ipa(x), 512, NULL), "unshare the first");
	check();
	NOMEM_EVERY_K(pvm_host_unshare_guest(hyp, vms[V_N0], pvm_ipa(x + 2 * MiB), 1, &need));
	ok(pvm_mem_page(hyp, pvm_pa(BLK6), &pi), "page");
	assert_int_equal(pi.guests, 0);
	assert_int_equal(pi.state, PVM_PAGE_OWNED);
	ok(pvm_mem_page(hyp, pvm_pa(BLK6 + PAGE), &pi), "page");
	assert_int_equal(pi.guests, 1);
}

/*
 * Reclaim runs out of table pages after the first leaf: the first block
 * comes back whole (no table needed), the second must be split. vm.h:
 * reclaim is incremental, so the call reports its progress (PVM_OK, left);
 * the next call, which cannot reclaim even one page, is PVM_E_NOMEM and
 * changes nothing; after a top-up of `need` it goes on.
 */
static void test_nomem_reclaim_partway(void **state)
{
	unsigned e = create_vm(36, false, VMPG(7));
	uint64_t left = 0;

	(void)state;
	ok(pvm_host_share_guest(hyp, e, pvm_pa(BLK8), pvm_ipa(0x40000000), 512, PVM_PROT_RW, NULL),
	   "lend a block");
	ok(pvm_host_share_guest(hyp, e, pvm_pa(BLK10), pvm_ipa(0x40200000), 512, PVM_PROT_RW, NULL),
	   "lend another");
	ok(pvm_vm_teardown_start(hyp, e), "teardown");
	check();
	pool_set(0);
	ok(pvm_vm_reclaim(hyp, e, 513, &left, NULL), "reclaim, running dry part-way");
	check();
	assert_int_equal(left, 512);
	NOMEM_EVERY_K(pvm_vm_reclaim(hyp, e, 1, &left, &need));
	assert_int_equal(left, 511);
}

/*
 * VM creation with an empty pool: the donated pages sit in an untouched host
 * block, whose annotation needs a table: PVM_E_NOMEM with `need`, nothing
 * changed, and a top-up of exactly `need` pages lets it through.
 */
static void test_nomem_vm_create(void **state)
{
	struct pvm_vm_config cfg = {.ipa_bits = 36, .protected_vm = true};
	unsigned h = PVM_VM_MAX;

	(void)state;
	NOMEM_EVERY_K(pvm_vm_create(hyp, &cfg, pvm_pa(BLK0), 2, &h, &need));
}

/* A vCPU's page in an untouched host block: annotating it splits the block. */
static void test_nomem_vcpu_create(void **state)
{
	unsigned idx = PVM_VCPU_MAX;

	(void)state;
	NOMEM_EVERY_K(pvm_vcpu_create(hyp, vms[V_N0], pvm_pa(BLK10 + 3 * PAGE), &idx, &need));
	assert_int_equal(idx, 0);
}

/*
 * A measured load into a new 1 GiB region of P1's IPA space from pages that
 * straddle two untouched host blocks: two host splits and the guest's tables.
 */
static void test_nomem_load_measured(void **state)
{
	size_t total;

	(void)state;
	total = NOMEM_EVERY_K(pvm_vm_load_measured(hyp, vms[V_P1], pvm_pa(BLK8 + 2 * MiB - PAGE),
						   pvm_ipa(0x40000000ull + 2 * MiB - PAGE), 2,
						   PVM_MEASURE_DATA, &need));
	assert_true(total >= 4); /* 2 host splits, 2 guest last-level tables (and a level-1) */
}

/* A device range in a part of the host's IPA space no table reaches yet. */
static void test_nomem_mmio_map(void **state)
{
	(void)state;
	NOMEM_EVERY_K(pvm_mem_host_mmio_map(hyp, pvm_pa(0x09000000ull), 2 * PAGE, &need));
}

/* Guest-initiated, as test_nomem_guest_share: relinquishing one page of a block. */
static void test_nomem_guest_relinquish(void **state)
{
	(void)state;
	ok(pvm_host_donate_guest(hyp, vms[V_P1], pvm_pa(BLK6), pvm_ipa(0x40000000), 512, NULL),
	   "donate a whole block");
	check();
	NOMEM_EVERY_K(pvm_guest_relinquish_host(hyp, vms[V_P1], pvm_ipa(0x40000000 + 7 * PAGE), 1,
						&need));
}

/* A guest shares a whole block and takes one page of it back: both sides split. */
static void test_nomem_guest_unshare(void **state)
{
	(void)state;
	ok(pvm_host_donate_guest(hyp, vms[V_P1], pvm_pa(BLK6), pvm_ipa(0x40000000), 512, NULL),
	   "donate a whole block");
	ok(pvm_guest_share_host(hyp, vms[V_P1], pvm_ipa(0x40000000), 512, NULL), "share it whole");
	check();
	NOMEM_EVERY_K(
		pvm_guest_unshare_host(hyp, vms[V_P1], pvm_ipa(0x40000000 + 9 * PAGE), 1, &need));
}

/*
 * Top-up with an empty pool. The page sits in an untouched host block, so
 * the donation splits it and needs a table the pool does not have: the
 * donated page itself becomes that table (the host cannot reach it any
 * more), and a range over two blocks pays for both of their tables.
 */
static void test_topup_empty_pool(void **state)
{
	size_t need = 77;

	(void)state;
	pool_set(0);
	ok(pvm_mem_topup(hyp, pvm_pa(BLK0 + PAGE), 1, &need), "top-up of one page");
	assert_int_equal(need, 0);
	check();
	assert_int_equal(pool_free(), 0);
	ok(pvm_mem_topup(hyp, pvm_pa(BLK8 + 2 * MiB - 2 * PAGE), 4, &need), "top-up over 2 blocks");
	check();
	assert_int_equal(pool_free(), 2);
	/* The split blocks keep every other page mapped for the host, as before. */
	ok(pvm_host_donate_hyp(hyp, pvm_pa(BLK0), 1, &need), "a page next to the table");
	ok(pvm_host_share_hyp(hyp, pvm_pa(BLK8 + 2 * MiB + 2 * PAGE), 1, &need), "after it");
	check();
	assert_int_equal(pool_free(), 2);
	assert_int_equal(pvm_sim_bbm_check(), 0);
}

/* The host <-> hypervisor calls that split a block, with an empty pool. */
enum hyp_call { H_SHARE, H_UNSHARE, H_DONATE, H_RECLAIM, H_TOPUP };

static pvm_status_t hyp_call(enum hyp_call c, uint64_t pa, uint64_t n, size_t *need)
{
	switch (c) {
	case H_SHARE:
		return pvm_host_share_hyp(hyp, pvm_pa(pa), n, need);
	case H_UNSHARE:
		return pvm_host_unshare_hyp(hyp, pvm_pa(pa), n, need);
	case H_DONATE:
		return pvm_host_donate_hyp(hyp, pvm_pa(pa), n, need);
	case H_RECLAIM:
		return pvm_hyp_donate_host(hyp, pvm_pa(pa), n, need);
	case H_TOPUP:
		return pvm_mem_topup(hyp, pvm_pa(pa), n, need);
	}
	return PVM_E_NOTSUP;
}

static const struct {
	const char *name;
	enum hyp_call prep; /* done whole first, with a full pool (a whole block: no table) */
	uint64_t prep_pa, prep_n;
	enum hyp_call call;
	uint64_t pa, n;
	pvm_status_t want; /* with the pool empty */
	size_t need;
} hyp_rows[] = {
	{"share one page of a block", H_TOPUP, 0, 0, H_SHARE, BLK10 + PAGE, 1, PVM_E_NOMEM, 1},
	{"share across two blocks", H_TOPUP, 0, 0, H_SHARE, BLK8 + 2 * MiB - PAGE, 2, PVM_E_NOMEM,
	 2},
	{"donate one page of a block", H_TOPUP, 0, 0, H_DONATE, BLK10 + 8 * PAGE, 1, PVM_E_NOMEM,
	 1},
	{"donate across two blocks", H_TOPUP, 0, 0, H_DONATE, BLK8 + 2 * MiB - 3 * PAGE, 5,
	 PVM_E_NOMEM, 2},
	{"unshare part of a block lent whole", H_SHARE, BLK10, 512, H_UNSHARE, BLK10 + PAGE, 1,
	 PVM_E_NOMEM, 1},
	{"reclaim part of a block donated whole", H_DONATE, BLK10, 512, H_RECLAIM, BLK10 + PAGE, 2,
	 PVM_E_NOMEM, 1},
	{"unshare a whole block lent whole", H_SHARE, BLK10, 512, H_UNSHARE, BLK10, 512, PVM_OK, 0},
	{"reclaim a whole block donated whole", H_DONATE, BLK10, 512, H_RECLAIM, BLK10, 512, PVM_OK,
	 0},
	{"share a page already split", H_TOPUP, 0, 0, H_SHARE, PA_FREE, 1, PVM_OK, 0},
	{"bad input: misaligned", H_TOPUP, 0, 0, H_DONATE, BLK10 + 1, 1, PVM_E_INVAL, 0},
	{"bad input: no pages", H_TOPUP, 0, 0, H_SHARE, BLK10, 0, PVM_E_INVAL, 0},
	{"bad input: outside RAM", H_TOPUP, 0, 0, H_UNSHARE, RAM_END, 1, PVM_E_RANGE, 0},
	{"bad state before the pool", H_TOPUP, 0, 0, H_RECLAIM, BLK10, 1, PVM_E_STATE, 0},
};

/*
 * Each call that must split a host block with the pool empty: PVM_E_NOMEM
 * with the exact shortfall, nothing changed; topped up with exactly that
 * many pages, the same call succeeds.
 */
static void test_hyp_calls_need(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hyp_rows) / sizeof(hyp_rows[0]); i++) {
		size_t got = 77;
		pvm_status_t st;

		teardown(NULL);
		setup(NULL);
		if (hyp_rows[i].prep_n)
			ok(hyp_call(hyp_rows[i].prep, hyp_rows[i].prep_pa, hyp_rows[i].prep_n,
				    NULL),
			   hyp_rows[i].name);
		if (hyp_rows[i].want == PVM_E_NOMEM) {
			size_t total = NOMEM_EVERY_K(
				hyp_call(hyp_rows[i].call, hyp_rows[i].pa, hyp_rows[i].n, &need));

			if (total != hyp_rows[i].need)
				fail_msg("%s: need %zu, not %zu", hyp_rows[i].name, total,
					 hyp_rows[i].need);
			assert_int_equal(pool_free(), 0);
			continue;
		}
		pool_set(0);
		take(&snap_a);
		st = hyp_call(hyp_rows[i].call, hyp_rows[i].pa, hyp_rows[i].n, &got);
		if (st != hyp_rows[i].want || got != hyp_rows[i].need)
			fail_msg("%s: %s, need %zu", hyp_rows[i].name, pvm_strerror(st), got);
		check();
		if (st != PVM_OK) {
			take(&snap_b);
			same(&snap_a, &snap_b);
		}
	}
}

/* Pins live in the metadata: an empty pool never stops them. */
static void test_pin_needs_no_pool(void **state)
{
	(void)state;
	pool_set(0);
	ok(pvm_hyp_pin_shared(hyp, pvm_pa(PA_HS), 2), "pin");
	ok(pvm_hyp_unpin_shared(hyp, pvm_pa(PA_HS), 2), "unpin");
	check();
}

/* Pins count up to a limit; one more is refused and changes nothing. */
static void test_pin_saturation(void **state)
{
	pvm_status_t st = PVM_OK;
	unsigned n = 0;

	(void)state;
	while (n < 70000 && (st = pvm_hyp_pin_shared(hyp, pvm_pa(PA_HS + PAGE), 1)) == PVM_OK)
		n++;
	if (st == PVM_OK)
		fail_msg("70000 pins and no limit");
	check();
	take(&snap_a);
	st = pvm_hyp_pin_shared(hyp, pvm_pa(PA_HS + PAGE), 1);
	take(&snap_b);
	if (st != PVM_E_BUSY && st != PVM_E_STATE)
		fail_msg("pin beyond the limit: %s", pvm_strerror(st));
	same(&snap_a, &snap_b);
	assert_int_equal(pvm_host_unshare_hyp(hyp, pvm_pa(PA_HS + PAGE), 1, NULL), PVM_E_BUSY);
	for (unsigned i = 0; i < n; i++)
		ok(pvm_hyp_unpin_shared(hyp, pvm_pa(PA_HS + PAGE), 1), "unpin");
	assert_int_equal(pvm_hyp_unpin_shared(hyp, pvm_pa(PA_HS + PAGE), 1), PVM_E_STATE);
	ok(pvm_host_unshare_hyp(hyp, pvm_pa(PA_HS + PAGE), 1, NULL), "unshare");
	check();
}

/*
 * One page lent to a guest at as many IPAs as the borrow count allows; one
 * more is refused; then one unshare of the whole IPA range meets the same
 * page tens of thousands of times.
 */
static void test_guest_borrow_saturation(void **state)
{
	const uint64_t base = 0x100000000ull;
	pvm_status_t st = PVM_OK;
	uint64_t n = 0;

	(void)state;
	while (n < 70000 &&
	       (st = pvm_host_share_guest(hyp, vms[V_N0], pvm_pa(PA_FREE), pvm_ipa(base + n * PAGE),
					  1, PVM_PROT_R, NULL)) == PVM_OK)
		n++;
	if (st == PVM_OK)
		fail_msg("70000 borrowers and no limit");
	check();
	take(&snap_a);
	st = pvm_host_share_guest(hyp, vms[V_N1], pvm_pa(PA_FREE), pvm_ipa(IPA_NEW), 1, PVM_PROT_R,
				  NULL);
	take(&snap_b);
	if (st != PVM_E_BUSY && st != PVM_E_STATE)
		fail_msg("borrow beyond the limit: %s", pvm_strerror(st));
	same(&snap_a, &snap_b);
	/* One call over all of them reaches the page n times: refused, nothing changes. */
	take(&snap_a);
	assert_int_equal(pvm_host_unshare_guest(hyp, vms[V_N0], pvm_ipa(base), n, NULL),
			 PVM_E_STATE);
	take(&snap_b);
	same(&snap_a, &snap_b);
	for (uint64_t i = 0; i < n; i++)
		ok(pvm_host_unshare_guest(hyp, vms[V_N0], pvm_ipa(base + i * PAGE), 1, NULL),
		   "unshare one");
	check();
	struct pvm_page_info pi;
	ok(pvm_mem_page(hyp, pvm_pa(PA_FREE), &pi), "page");
	assert_int_equal(pi.guests, 0);
	assert_int_equal(pi.state, PVM_PAGE_OWNED);
}

/* PVM_VM_MAX VMs exist: one more is refused (BUSY) and its pages stay the host's. */
static void test_vm_table_full(void **state)
{
	struct pvm_vm_config cfg = {.ipa_bits = 36, .protected_vm = false};
	unsigned h, made = V_NFIX;
	pvm_status_t st;

	(void)state;
	for (uint64_t pa = BLK8; made < PVM_VM_MAX; pa += 2 * PAGE, made++)
		ok(pvm_vm_create(hyp, &cfg, pvm_pa(pa), 2, &h, NULL), "create");
	check();
	take(&snap_a);
	st = pvm_vm_create(hyp, &cfg, pvm_pa(BLK10), 2, &h, NULL);
	take(&snap_b);
	assert_int_equal(st, PVM_E_BUSY);
	same(&snap_a, &snap_b);
}

/*
 * The instrument itself: a successful transition, a pin (metadata only) and
 * a top-up (pool only) must each show up as a change.
 */
static void test_snapshot_sees_changes(void **state)
{
	(void)state;
	take(&snap_a);
	take(&snap_b);
	assert_null(diff(&snap_a, &snap_b));
	ok(pvm_hyp_pin_shared(hyp, pvm_pa(PA_HS + PAGE), 1), "pin");
	take(&snap_b);
	assert_non_null(diff(&snap_a, &snap_b));
	take(&snap_a);
	topup(1);
	take(&snap_b);
	assert_non_null(diff(&snap_a, &snap_b));
	take(&snap_a);
	ok(pvm_host_donate_guest(hyp, vms[V_P0], pvm_pa(PA_FREE), pvm_ipa(IPA_NEW), 1, NULL),
	   "donate");
	take(&snap_b);
	assert_non_null(diff(&snap_a, &snap_b));
	check();
}

int main(void)
{
	const struct CMUnitTest sequences[] = {
		cmocka_unit_test_setup_teardown(test_snapshot_sees_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_empty_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_partway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_guest_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unshare_page_lent_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_reclaim_partway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_vm_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_vcpu_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_load_measured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_mmio_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_guest_relinquish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_guest_unshare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topup_empty_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hyp_calls_need, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_needs_no_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_saturation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_borrow_saturation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_table_full, setup, teardown),
	};
	int failed = cmocka_run_group_tests_name("attacks", attacks, NULL, NULL);

	failed += cmocka_run_group_tests_name("sequences", sequences, NULL, NULL);
	return failed;
}
