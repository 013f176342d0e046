/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random sequences of every ownership transition, checked against a
 * reference model.
 *
 * The model is deliberately simple: the owner and borrowers of every
 * managed page, and for each VM the IPA -> PA map of two windows of its
 * IPA space (the bottom 2 MiB and the top 512 KiB). From it each call's
 * status is predicted as the *set* of codes mem.h allows (mem.h fixes what
 * is wrong, not which of several faults is reported first); the call must
 * return one of them, and succeed exactly when none applies. After every
 * operation pvm_mem_check() proves the core's own invariants; every few
 * operations the model is compared with pvm_mem_page() for every page and
 * with each VM's stage-2.
 *
 * Arguments are often wrong on purpose: ranges that straddle owners or
 * the end of memory, bad VM handles, IPAs beyond the VM's IPA size, zero
 * and absurd counts, misaligned addresses. When the pool runs dry
 * (PVM_E_NOMEM) the test donates exactly `need` pages and calls again.
 * The host and the guests also touch memory through their stage-2s with
 * the simulated MMU and its TLB model: an access must fault exactly when
 * the model says the component has no such access, so a missing TLB
 * invalidation shows up as a stale access. Pages a guest owned read back
 * as zeroes when they return to the host (each donated page is filled
 * with a marker through the guest's stage-2 first).
 *
 * CI runs three fixed seeds; PVM_SOAK_SEED=<seed> [PVM_SOAK_OPS=<n>] runs
 * one seed for n operations (1,000,000 by default) instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm_internal.h"

#define PAGE	 PVM_PAGE_SIZE
#define MiB	 (1ull << 20)
#define RAM	 0x40000000ull
#define RAM_SIZE (6 * MiB)
#define RAM_END	 (RAM + RAM_SIZE)
#define NPAGES	 (RAM_SIZE / PAGE)
#define PA_BITS	 40

/*
 * Memory map: the arena [0, 4 MiB) is where most ranges fall; the reserve
 * [4 MiB, 5 MiB) feeds the pool when it runs dry (the host block there is
 * split by the carve-out's annotation, so a top-up from it costs no table);
 * the carve-out starts at 5 MiB with a pool of POOL0 pages, and the pages
 * after it are the host's.
 *
 * pvm_mem_check() walks every entry of every table, so what a check costs
 * is the number of tables: hence small windows, one table each, and root
 * tables that are small but for one VM with four concatenated pages.
 */
#define ARENA	   1024u /* pages */
#define ARENA_PICK 768u	 /* the last 1 MiB of the arena is mostly for bulk operations */
#define RES_FIRST  ARENA
#define RES_PAGES  256u
#define HYP_BASE   (RAM + 5 * MiB)
#define POOL0	   8u

#define CI_OPS 34000u /* per seed; three seeds */

#define W0	512u /* IPA pages [0, 2 MiB) */
#define W0_PICK 384u /* the rest of W0 is mostly for bulk operations */
#define W1	128u /* IPA pages [limit - 512 KiB, limit) */

#define NROLES 4
static const struct {
	unsigned ipa_bits;
	bool protected_vm;
} roles[NROLES] = {{36, true}, {32, true}, {35, false}, {36, false}};

/* ---- Status sets ------------------------------------------------------------- */

#define B(st) (1u << (unsigned)-(st))
#define OK    B(PVM_OK)
#define INVAL B(PVM_E_INVAL)
#define RANGE B(PVM_E_RANGE)
#define NOENT B(PVM_E_NOENT)
#define EXIST B(PVM_E_EXISTS)
#define STATE B(PVM_E_STATE)
#define BUSY  B(PVM_E_BUSY)
#define PERM  B(PVM_E_PERM)

/* ---- The model ------------------------------------------------------------------ */

enum kind { K_NONE, K_CARVE, K_POOL, K_VM, K_PLAIN }; /* what a hypervisor page is for */

struct mpage {
	uint8_t owner, kind;
	bool hyp_b, host_b;
	uint16_t guests, pins;
	uint8_t marker; /* what a guest wrote into its page, 0 if nothing */
};

struct ment {
	uint64_t pa; /* 0: unmapped */
	pvm_prot_t prot;
};

struct mvm {
	bool exists, protected_vm, dying;
	int role;
	unsigned ipa_bits, refs;
	struct pvm_vm *loaded[4];
	uint64_t limit, pages_pa, npages, mapped;
	struct ment w0[W0], w1[W1];
};

static struct pvm_hyp *mem;
static struct mpage mp[NPAGES];
static struct mvm mv[PVM_VM_MAX];
static int role_vm[NROLES]; /* handle, or -1 */

/* ---- Random numbers, the log, statistics ------------------------------------ */

static uint64_t rng;
static uint64_t op_no;

static uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t n)
{
	return n ? rnd64() % n : 0;
}

#define LOG_N 24
static char oplog[LOG_N][200];

static void logf_op(const char *fmt, ...) CMOCKA_PRINTF_ATTRIBUTE(1, 2);
static void logf_op(const char *fmt, ...)
{
	va_list ap;
	char *s = oplog[op_no % LOG_N];
	int k = snprintf(s, sizeof(oplog[0]), "#%llu ", (unsigned long long)op_no);

	va_start(ap, fmt);
	vsnprintf(s + k, sizeof(oplog[0]) - (size_t)k, fmt, ap);
	va_end(ap);
}

static void dump_log(void)
{
	print_error("last operations (oldest first):\n");
	for (uint64_t i = op_no + 1 > LOG_N ? op_no + 1 - LOG_N : 0; i <= op_no; i++)
		print_error("  %s\n", oplog[i % LOG_N]);
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		dump_log();                                                                        \
		fail_msg(__VA_ARGS__);                                                             \
	} while (0)

enum opk {
	O_SHARE_HYP,
	O_UNSHARE_HYP,
	O_PIN,
	O_UNPIN,
	O_DONATE_HYP,
	O_HYP_DONATE_HOST,
	O_TOPUP,
	O_RECLAIM_POOL,
	O_SHARE_GUEST,
	O_UNSHARE_GUEST,
	O_DONATE_GUEST,
	O_GUEST_SHARE,
	O_GUEST_UNSHARE,
	O_RELINQUISH,
	O_HOST_ACCESS,
	O_GUEST_ACCESS,
	O_LOAD_PUT,
	O_TEARDOWN,
	O_CREATE,
	O_INFO,
	O_BULK,
	O_N
};

static const char *const opname[O_N] = {
	"host_share_hyp",      "host_unshare_hyp",   "hyp_pin_shared",	  "hyp_unpin_shared",
	"host_donate_hyp",     "hyp_donate_host",    "mem_topup",	  "mem_reclaim_pool",
	"host_share_guest",    "host_unshare_guest", "host_donate_guest", "guest_share_host",
	"guest_unshare_host",  "guest_relinquish",   "host access",	  "guest access",
	"vm_load/put",	       "teardown",	     "vm_create",	  "vm_info",
	"bulk (33-128 pages)",
};

/* Relative frequencies (rebalanced as the run goes, see balance()). */
static const unsigned weight0[O_N] = {4, 5, 3, 5, 4, 4, 1, 4, 8, 8, 10,
				      6, 5, 6, 5, 6, 3, 4, 2, 1, 2};
static unsigned weight[O_N], total_weight;

static struct {
	uint64_t calls[O_N], ok[O_N];
	uint64_t nomem, nomem_then_error, nomem_no_need, reclaimed, recreated, zero_checks;
	uint64_t faults_seen, big_ok;
} stats;

/* ---- Helpers ----------------------------------------------------------------------- */

static uint64_t pidx(uint64_t pa)
{
	return (pa - RAM) / PAGE;
}

static bool lent(const struct mpage *p)
{
	return p->hyp_b || p->host_b || p->guests;
}

static bool host_unlent(const struct mpage *p)
{
	return p->owner == PVM_ID_HOST && !lent(p);
}

static void check(void)
{
	struct pvm_mem_report r = {0};

	if (pvm_mem_check(mem, &r) != PVM_OK)
		FAIL("invariant: %s (pa 0x%llx vm %u)", r.what, (unsigned long long)r.pa, r.vm);
}

static const char *sname(pvm_status_t st)
{
	return pvm_strerror(st);
}

static void mask_str(unsigned m, char *buf, size_t len)
{
	buf[0] = 0;
	for (int s = 0; s <= 9; s++)
		if (m & (1u << s)) {
			size_t k = strlen(buf);
			snprintf(buf + k, len - k, "%s%s", k ? "|" : "", sname((pvm_status_t)-s));
		}
}

static void expect(pvm_status_t st, unsigned mask, const char *what)
{
	char m[160];

	if (st > 0 || st < -9 || !(mask & B(st))) {
		mask_str(mask, m, sizeof(m));
		FAIL("%s returned %s; the model allows %s", what, sname(st), m);
	}
}

/*
 * What a transition must return. mem.h fixes the order in which faults are
 * reported: `first` is what that order gives (two codes where mem.h is
 * vague), `all` every code that applies. A status outside `all` (or OK
 * when something applies) is fatal at once: the model and the core no
 * longer agree. A status in `all` but not `first` only breaks the order:
 * it is counted and reported at the end, so the run goes on.
 */
struct pred {
	unsigned first, all;
};

static void add(struct pred *p, unsigned bits)
{
	if (!p->first)
		p->first = bits;
	p->all |= bits;
}

/* Statuses out of mem.h's order, by kind: (call, returned, expected, absurd count or not). */
#define ORDER_KINDS 64
static struct {
	enum opk op;
	pvm_status_t got;
	unsigned first;
	bool absurd;
	uint64_t n;
	char example[240];
} order_broken[ORDER_KINDS];

static void order_mismatch(enum opk op, pvm_status_t st, const struct pred *p, uint64_t n)
{
	bool absurd = n >= (1ull << 36);
	unsigned k;

	for (k = 0; k < ORDER_KINDS && order_broken[k].n; k++)
		if (order_broken[k].op == op && order_broken[k].got == st &&
		    order_broken[k].first == p->first && order_broken[k].absurd == absurd)
			break;
	if (k == ORDER_KINDS)
		return;
	if (!order_broken[k].n++) {
		order_broken[k].op = op;
		order_broken[k].got = st;
		order_broken[k].first = p->first;
		order_broken[k].absurd = absurd;
		snprintf(order_broken[k].example, sizeof(order_broken[k].example), "%s",
			 oplog[op_no % LOG_N]);
	}
}

static void expect_pred(pvm_status_t st, const struct pred *p, enum opk op, uint64_t n)
{
	unsigned first = p->first ? p->first : OK;

	if (st <= 0 && st >= -9 && (first & B(st)))
		return;
	if (st < 0 && st >= -9 && (p->all & B(st))) {
		order_mismatch(op, st, p, n);
		return;
	}
	expect(st, first, opname[op]);
}

static struct ment *ment(struct mvm *v, uint64_t ipa)
{
	if (ipa < (uint64_t)W0 * PAGE)
		return &v->w0[ipa / PAGE];
	if (ipa < v->limit && ipa >= v->limit - (uint64_t)W1 * PAGE)
		return &v->w1[(ipa - (v->limit - (uint64_t)W1 * PAGE)) / PAGE];
	return NULL;
}

static struct mvm *live(unsigned h)
{
	return h < PVM_VM_MAX && mv[h].exists ? &mv[h] : NULL;
}

static void regime(unsigned h, uint64_t *vtcr, uint64_t *vttbr)
{
	struct pvm_vm_info info;

	if (h == PVM_VM_MAX) {
		*vtcr = pvm_stage2_vtcr(&mem->host);
		*vttbr = pvm_stage2_vttbr(&mem->host);
		return;
	}
	if (pvm_vm_info(mem, h, &info) != PVM_OK)
		FAIL("pvm_vm_info(%u) of a live VM", h);
	*vtcr = info.vtcr;
	*vttbr = info.vttbr;
}

static pvm_status_t host_rw(uint64_t pa, void *buf, size_t len, bool write)
{
	uint64_t vtcr, vttbr;

	regime(PVM_VM_MAX, &vtcr, &vttbr);
	return pvm_sim_s2_copy(vtcr, vttbr, pa, buf, len, write, NULL);
}

/* A page that has just come back to the host reads as zeroes through its stage-2. */
static void host_reads_zero(uint64_t pa, uint64_t n, const char *why)
{
	static uint8_t buf[PAGE];

	for (uint64_t i = 0; i < n; i++) {
		pvm_status_t st = host_rw(pa + i * PAGE, buf, PAGE, false);

		if (st != PVM_OK)
			FAIL("%s: the host cannot read PA 0x%llx: %s", why,
			     (unsigned long long)(pa + i * PAGE), sname(st));
		for (size_t k = 0; k < PAGE; k++)
			if (buf[k])
				FAIL("%s: PA 0x%llx byte %zu is 0x%02x, not zero (marker was "
				     "0x%02x)",
				     why, (unsigned long long)(pa + i * PAGE), k, buf[k],
				     mp[pidx(pa + i * PAGE)].marker);
		mp[pidx(pa + i * PAGE)].marker = 0;
		stats.zero_checks++;
	}
}

/*
 * TLB sandwich: before a transition, the host and the guest read a few
 * pages of its range, so that the TLB model caches their translations;
 * after it, each access must succeed or fault exactly as the model says.
 * A translation the core forgot to invalidate shows up here.
 */
#define PROBES 4

struct probe {
	unsigned n, vm;
	uint64_t pa[PROBES], ipa[PROBES];
};

static void probe_add(struct probe *pb, uint64_t pa, uint64_t ipa)
{
	if (pb->n < PROBES) {
		pb->pa[pb->n] = pa;
		pb->ipa[pb->n] = ipa;
		pb->n++;
	}
}

/* First, last and two other pages of [start, start + n pages). */
static uint64_t probe_page(uint64_t k, uint64_t n)
{
	return k == 0 ? 0 : k == 1 ? n - 1 : rnd(n);
}

static void probe_run(const struct probe *pb, bool verify)
{
	uint64_t val;

	for (unsigned k = 0; k < pb->n; k++) {
		uint64_t pa = pb->pa[k], ipa = pb->ipa[k];
		struct mvm *v = live(pb->vm);

		if (pa >= RAM && pa < RAM_END) {
			const struct mpage *p = &mp[pidx(pa)];
			pvm_status_t st = host_rw(pa, &val, 8, false);
			bool may = p->owner == PVM_ID_HOST || p->host_b;

			if (verify && st != (may ? PVM_OK : PVM_E_PERM))
				FAIL("after the call the host %s read PA 0x%llx (owner %u): %s",
				     may ? "may" : "may not", (unsigned long long)pa, p->owner,
				     sname(st));
		}
		if (v && ipa != ~0ull && ipa < v->limit && !(ipa & (PAGE - 1))) {
			const struct ment *e = ment(v, ipa);
			bool may = e && e->pa && (e->prot & PVM_PROT_R);
			uint64_t vtcr, vttbr;
			pvm_status_t st;

			regime(pb->vm, &vtcr, &vttbr);
			st = pvm_sim_s2_copy(vtcr, vttbr, ipa, &val, 8, false, NULL);
			if (verify && st != (may ? PVM_OK : PVM_E_PERM))
				FAIL("after the call VM %u %s read IPA 0x%llx: %s", pb->vm,
				     may ? "may" : "may not", (unsigned long long)ipa, sname(st));
		}
	}
}

/*
 * A failed call changes nothing: no TLB invalidation, no cache maintenance,
 * no pool page (the metadata and tables are compared with the model and
 * proved by pvm_mem_check()).
 */
struct quiet {
	struct pvm_sim_stats st;
	size_t pool;
};

static void quiet_take(struct quiet *q)
{
	pvm_sim_get_stats(&q->st);
	q->pool = pvm_pool_free_pages(&mem->pool);
}

static void quiet_same(const struct quiet *q, const char *what, pvm_status_t st)
{
	struct quiet now;

	quiet_take(&now);
	if (now.st.tlbi_ipa != q->st.tlbi_ipa || now.st.tlbi_vmid != q->st.tlbi_vmid ||
	    now.st.dcache_cleans != q->st.dcache_cleans ||
	    now.st.dcache_clean_bytes != q->st.dcache_clean_bytes || now.pool != q->pool)
		FAIL("%s failed (%s) but changed something: tlbi_ipa %+lld tlbi_vmid %+lld "
		     "dcache_cleans %+lld pool %+lld",
		     what, sname(st), (long long)(now.st.tlbi_ipa - q->st.tlbi_ipa),
		     (long long)(now.st.tlbi_vmid - q->st.tlbi_vmid),
		     (long long)(now.st.dcache_cleans - q->st.dcache_cleans),
		     (long long)now.pool - (long long)q->pool);
}

/* Pages a guest owned are cleaned to the Point of Coherency on their way back. */
static void cleaned(const struct quiet *q, uint64_t pages, const char *what)
{
	struct pvm_sim_stats now;

	pvm_sim_get_stats(&now);
	if (now.dcache_clean_bytes - q->st.dcache_clean_bytes < pages * PAGE)
		FAIL("%s: %llu pages came back, %llu bytes cleaned to PoC", what,
		     (unsigned long long)pages,
		     (unsigned long long)(now.dcache_clean_bytes - q->st.dcache_clean_bytes));
}

/* ---- Top-ups from the reserve ---------------------------------------------------- */

/* Pages the call being retried names: a top-up must not take them from under it. */
static uint64_t excl_first, excl_end;

static bool usable(uint64_t i)
{
	return host_unlent(&mp[i]) && (i < excl_first || i >= excl_end);
}

static void topup_reserve(size_t n)
{
	while (n) {
		uint64_t i = RES_FIRST, len;

		while (i < RES_FIRST + RES_PAGES && !usable(i))
			i++;
		if (i == RES_FIRST + RES_PAGES)
			FAIL("the reserve is exhausted");
		for (len = 0; len < n && i + len < RES_FIRST + RES_PAGES && usable(i + len); len++)
			;
		pvm_status_t st = pvm_mem_topup(mem, pvm_pa(RAM + i * PAGE), len, NULL);
		if (st != PVM_OK)
			FAIL("top-up of %llu reserve pages at 0x%llx: %s", (unsigned long long)len,
			     (unsigned long long)(RAM + i * PAGE), sname(st));
		for (uint64_t k = 0; k < len; k++) {
			mp[i + k].owner = PVM_ID_HYP;
			mp[i + k].kind = K_POOL;
		}
		n -= len;
	}
}

/*
 * Make a call; on PVM_E_NOMEM top up `need` pages (or a few, for calls that
 * cannot say how many) and call again. A failed call changes nothing, so
 * the model is still right for the retry.
 */
static bool pa_valid(uint64_t pa, uint64_t n);

struct call {
	enum opk op;
	unsigned vm;
	uint64_t pa, ipa, n;
	pvm_prot_t prot;
};

static pvm_status_t do_call(const struct call *c, size_t *need, bool *has_need)
{
	*has_need = true;
	switch (c->op) {
	case O_SHARE_GUEST:
		return pvm_host_share_guest(mem, c->vm, pvm_pa(c->pa), pvm_ipa(c->ipa), c->n,
					    c->prot, need);
	case O_UNSHARE_GUEST:
		return pvm_host_unshare_guest(mem, c->vm, pvm_ipa(c->ipa), c->n, need);
	case O_DONATE_GUEST:
		return pvm_host_donate_guest(mem, c->vm, pvm_pa(c->pa), pvm_ipa(c->ipa), c->n,
					     need);
	case O_GUEST_SHARE:
		return pvm_guest_share_host(mem, c->vm, pvm_ipa(c->ipa), c->n, need);
	case O_GUEST_UNSHARE:
		return pvm_guest_unshare_host(mem, c->vm, pvm_ipa(c->ipa), c->n, need);
	case O_RELINQUISH:
		return pvm_guest_relinquish_host(mem, c->vm, pvm_ipa(c->ipa), c->n, need);
	default:
		break;
	}
	*has_need = false;
	switch (c->op) {
	case O_SHARE_HYP:
		return pvm_host_share_hyp(mem, pvm_pa(c->pa), c->n, NULL);
	case O_UNSHARE_HYP:
		return pvm_host_unshare_hyp(mem, pvm_pa(c->pa), c->n, NULL);
	case O_PIN:
		return pvm_hyp_pin_shared(mem, pvm_pa(c->pa), c->n);
	case O_UNPIN:
		return pvm_hyp_unpin_shared(mem, pvm_pa(c->pa), c->n);
	case O_DONATE_HYP:
		return pvm_host_donate_hyp(mem, pvm_pa(c->pa), c->n, NULL);
	case O_HYP_DONATE_HOST:
		return pvm_hyp_donate_host(mem, pvm_pa(c->pa), c->n, NULL);
	case O_TOPUP:
		return pvm_mem_topup(mem, pvm_pa(c->pa), c->n, NULL);
	default:
		FAIL("do_call: op %d", c->op);
	}
	return PVM_E_INVAL;
}

static pvm_status_t run_call(const struct call *c, const struct pred *p, struct quiet *q)
{
	size_t need = 0;
	bool has_need;
	pvm_status_t st;

	excl_first = excl_end = 0;
	if (c->op != O_UNSHARE_GUEST && c->op != O_GUEST_SHARE && c->op != O_GUEST_UNSHARE &&
	    c->op != O_RELINQUISH && pa_valid(c->pa, c->n)) {
		excl_first = pidx(c->pa);
		excl_end = excl_first + c->n;
	}
	quiet_take(q);
	st = do_call(c, &need, &has_need);
	stats.calls[c->op]++;
	for (int tries = 0; st == PVM_E_NOMEM && tries < 8; tries++) {
		stats.nomem++;
		quiet_same(q, opname[c->op], st);
		check();
		if (p->first) /* the pool comes last in mem.h's order */
			order_mismatch(c->op, st, p, c->n);
		if (has_need) {
			if (!need)
				FAIL("%s: PVM_E_NOMEM with need = 0", opname[c->op]);
			topup_reserve(need);
		} else {
			/* mem.h: every transition may say NOMEM, but this one cannot say how much.
			 */
			stats.nomem_no_need++;
			topup_reserve(4);
		}
		quiet_take(q);
		st = do_call(c, &need, &has_need);
		if (st == PVM_E_NOMEM && has_need)
			FAIL("%s: PVM_E_NOMEM again after a top-up of exactly `need`",
			     opname[c->op]);
		if (st != PVM_E_NOMEM && st != PVM_OK)
			stats.nomem_then_error++;
	}
	expect_pred(st, p, c->op, c->n);
	if (st != PVM_OK)
		quiet_same(q, opname[c->op], st);
	else if (stats.ok[c->op]++, c->n > 32)
		stats.big_ok++;
	return st;
}

/* ---- Choosing arguments ----------------------------------------------------------- */

enum want { W_ANY, W_HOST_UNLENT, W_HOST_NOT_HYP, W_HYP_BORROWS, W_PINNED, W_HYP_PLAIN };

static bool wants(enum want w, const struct mpage *p)
{
	switch (w) {
	case W_ANY:
		return true;
	case W_HOST_UNLENT:
		return host_unlent(p);
	case W_HOST_NOT_HYP:
		return p->owner == PVM_ID_HOST && !p->hyp_b;
	case W_HYP_BORROWS:
		return p->hyp_b;
	case W_PINNED:
		return p->pins;
	case W_HYP_PLAIN:
		return p->owner == PVM_ID_HYP && p->kind == K_PLAIN;
	}
	return false;
}

/* Mostly 1-16 pages; now and then more than a range's worth of per-page TLBIs. */
static uint64_t pick_n(void)
{
	uint64_t r = rnd(20);

	return r < 10 ? 1 + rnd(2) : r < 16 ? 3 + rnd(6) : r < 19 ? 9 + rnd(8) : 17 + rnd(80);
}

static const uint64_t absurd[] = {UINT64_MAX, 1ull << 52, (1ull << 52) + 1, 1ull << 40, NPAGES + 1};

/* A physical range: mostly pages that suit the call, often straddling; sometimes garbage. */
static void pick_pa(enum want w, uint64_t *pa, uint64_t *n)
{
	uint64_t r = rnd(100), i = 0;

	*n = pick_n();
	if (r < 2) { /* malformed */
		switch (rnd(7)) {
		case 0:
			*pa = RAM + rnd(ARENA) * PAGE + 1 + rnd(PAGE - 1);
			return;
		case 1:
			*pa = RAM + rnd(ARENA) * PAGE;
			*n = 0;
			return;
		case 2:
			*pa = RAM + rnd(ARENA) * PAGE;
			*n = absurd[rnd(5)];
			return;
		case 3:
			*pa = RAM + rnd(ARENA) * PAGE;
			*n = (0 - *pa) / PAGE + 1 + rnd(2);
			return;
		case 4:
			*pa = 0 - PAGE * (1 + rnd(2));
			return;
		case 5:
			*pa = RAM_END + rnd(16) * PAGE;
			return;
		default:
			*pa = rnd(2) ? 0 : 1ull << (40 + rnd(24));
			return;
		}
	}
	if (r < 6) { /* at either end of managed memory */
		int64_t s = rnd(2) ? (int64_t)rnd(8) - 4 : (int64_t)NPAGES - 12 + (int64_t)rnd(12);

		*pa = RAM + (uint64_t)s * PAGE;
		return;
	}
	if (r < 10) { /* anywhere but the bulk zone: carve-out, reserve and tail included */
		i = rnd(NPAGES - (ARENA - ARENA_PICK));
		*pa = RAM + (i < ARENA_PICK ? i : i + ARENA - ARENA_PICK) * PAGE;
		return;
	}
	if (r < 11) { /* the first 2 MiB block of the arena, whole (the other has the bulk zone) */
		*pa = RAM;
		*n = 512;
		return;
	}
	if (*n > 16 && rnd(2)) {
		/* A long range that suits the call throughout: many TLBIs in one call. */
		for (uint64_t t = 0, start = rnd(ARENA_PICK), run = 0; t < 2 * ARENA_PICK; t++) {
			uint64_t k = (start + t) % ARENA_PICK;

			run = k && wants(w, &mp[k]) ? run + 1 : 0;
			if (run == *n) {
				*pa = RAM + (k + 1 - *n) * PAGE;
				return;
			}
		}
	}
	for (int t = 0; t < 16; t++) {
		i = rnd(ARENA_PICK);
		if (wants(w, &mp[i]))
			break;
	}
	/* Often start a little before a suitable page: the range straddles. */
	if (rnd(4) == 0 && i > 0)
		i -= 1 + rnd(i < 3 ? i : 3);
	if (*n <= ARENA_PICK && i + *n > ARENA_PICK) /* leave the bulk zone alone */
		i = ARENA_PICK - *n;
	*pa = RAM + i * PAGE;
}

/* A mapped (or, for !mapped, a free) IPA of v's windows; often garbage. */
static void pick_ipa(struct mvm *v, bool mapped, uint64_t n, bool block, uint64_t *ipa,
		     uint64_t *nn)
{
	uint64_t r = rnd(100), limit = v ? v->limit : 1ull << 36, i = 0;

	*nn = n;
	if (block) {
		*ipa = 0;
		return;
	}
	if (r < 3) {
		switch (rnd(5)) {
		case 0:
			*ipa = rnd(W0) * PAGE + 1 + rnd(PAGE - 1);
			return;
		case 1:
			*ipa = limit + rnd(4) * PAGE;
			return;
		case 2:
			*ipa = rnd(W0) * PAGE;
			*nn = absurd[rnd(5)];
			return;
		case 3:
			*ipa = rnd(W0) * PAGE;
			*nn = 0;
			return;
		default:
			*ipa = 0 - PAGE * (1 + rnd(2));
			return;
		}
	}
	if (r < 15) { /* the top window, often running past the IPA limit */
		*ipa = limit - (1 + rnd(W1)) * PAGE;
		if (v && mapped)
			for (int t = 0; t < 8; t++) {
				i = W1 - 1 - rnd(W1);
				if (v->w1[i].pa) {
					*ipa = limit - (uint64_t)(W1 - i) * PAGE;
					break;
				}
			}
		return;
	}
	for (int t = 0; t < 16; t++) {
		i = rnd(rnd(32) ? W0_PICK : W0);
		if (!v || !!v->w0[i].pa == mapped)
			break;
	}
	if (rnd(4) == 0 && i > 0)
		i -= 1 + rnd(i < 3 ? i : 3);
	if (i < W0_PICK && n <= W0_PICK && i + n > W0_PICK)
		i = W0_PICK - n;
	if (n <= W0 && i + n > W0)
		i = W0 - n;
	*ipa = i * PAGE;
}

/* A VM handle: mostly a live VM (of the kind asked for, if any), sometimes no VM at all. */
static unsigned pick_vm(int kind /* -1 any, 0 non-protected, 1 protected */)
{
	unsigned cand[PVM_VM_MAX], nc = 0, any[PVM_VM_MAX], na = 0;

	for (unsigned h = 0; h < PVM_VM_MAX; h++)
		if (mv[h].exists) {
			any[na++] = h;
			if (kind < 0 || mv[h].protected_vm == (kind == 1))
				cand[nc++] = h;
		}
	uint64_t r = rnd(100);
	if (r < 4 || !na) {
		unsigned live_h = na ? any[rnd(na)] : 0;

		switch (rnd(5)) {
		case 0:
			for (unsigned h = (unsigned)rnd(PVM_VM_MAX);; h = (h + 1) % PVM_VM_MAX)
				if (!mv[h].exists)
					return h;
		case 1:
			return PVM_VM_MAX;
		case 2:
			return UINT_MAX - (unsigned)rnd(2);
		case 3:
			return 0x10000u + live_h;
		default:
			return PVM_VM_MAX + live_h;
		}
	}
	if (r < 20 || !nc)
		return any[rnd(na)];
	return cand[rnd(nc)];
}

/* ---- Predicting statuses ------------------------------------------------------------- */

#define ABSURD (1ull << 52) /* n * 4096 does not fit in 64 bits: INVAL (mem.h) */
#define HUGE   (1ull << 36) /* more pages than a 48-bit space: out of range */

static bool pa_valid(uint64_t pa, uint64_t n)
{
	return n && n <= NPAGES && !(pa & (PAGE - 1)) && pa >= RAM &&
	       (pa - RAM) / PAGE <= NPAGES - n;
}

/* The arguments: INVAL (count, alignment, protections), then RANGE for the pages. */
static bool pa_pred(struct pred *p, uint64_t pa, uint64_t n, bool bad_prot)
{
	if (n == 0 || n >= ABSURD || (pa & (PAGE - 1)) || bad_prot)
		add(p, INVAL);
	if (n && !pa_valid(pa & ~(PAGE - 1), n))
		add(p, RANGE);
	return pa_valid(pa, n) && !bad_prot;
}

/* The VM: NOENT, then STATE when it is dying, then PERM for the wrong kind. */
static struct mvm *vm_pred(struct pred *p, unsigned h, int kind /* -1 any, 0, 1 protected */)
{
	struct mvm *v = live(h);

	if (!v) {
		add(p, NOENT);
		return NULL;
	}
	if (v->dying)
		add(p, STATE);
	if (kind >= 0 && v->protected_vm != (kind == 1))
		add(p, PERM);
	return v;
}

/* The guest IPA range: INVAL, then RANGE. */
static bool ipa_pred(struct pred *p, const struct mvm *v, uint64_t ipa, uint64_t n)
{
	uint64_t a = ipa & ~(PAGE - 1);
	bool beyond = a >= v->limit || n > (v->limit - a) / PAGE;

	if (ipa & (PAGE - 1))
		add(p, INVAL);
	if (n && beyond)
		add(p, RANGE);
	return n && n < HUGE && !beyond && !(ipa & (PAGE - 1));
}

/* ---- Operations --------------------------------------------------------------------- */

typedef unsigned (*page_rule)(const struct mpage *p);
typedef void (*page_apply)(struct mpage *p);

static unsigned r_share_hyp(const struct mpage *p)
{
	return p->owner == PVM_ID_HOST && !p->hyp_b ? 0 : STATE;
}
static void a_share_hyp(struct mpage *p)
{
	p->hyp_b = true;
}
static unsigned r_unshare_hyp(const struct mpage *p)
{
	if (p->owner != PVM_ID_HOST || !p->hyp_b)
		return STATE;
	return p->pins ? BUSY : 0;
}
static void a_unshare_hyp(struct mpage *p)
{
	p->hyp_b = false;
}
static unsigned r_pin(const struct mpage *p)
{
	if (p->owner != PVM_ID_HOST || !p->hyp_b)
		return STATE;
	return p->pins == UINT16_MAX ? BUSY | STATE : 0;
}
static void a_pin(struct mpage *p)
{
	p->pins++;
}
static unsigned r_unpin(const struct mpage *p)
{
	return p->hyp_b && p->pins ? 0 : STATE;
}
static void a_unpin(struct mpage *p)
{
	p->pins--;
}
static unsigned r_donate_hyp(const struct mpage *p)
{
	return host_unlent(p) ? 0 : STATE;
}
static void a_donate_hyp(struct mpage *p)
{
	p->owner = PVM_ID_HYP;
	p->kind = K_PLAIN;
}
static void a_topup(struct mpage *p)
{
	p->owner = PVM_ID_HYP;
	p->kind = K_POOL;
}
static unsigned r_hyp_donate_host(const struct mpage *p)
{
	return p->owner == PVM_ID_HYP && p->kind != K_CARVE ? 0 : STATE;
}
static void a_to_host(struct mpage *p)
{
	p->owner = PVM_ID_HOST;
	p->kind = K_NONE;
	p->hyp_b = p->host_b = false;
}

/* Host-to-hypervisor calls: a physical range and a per-page rule. */
static const struct {
	enum want w;
	page_rule rule;
	page_apply apply;
} host_hyp[] = {
	[O_SHARE_HYP] = {W_HOST_NOT_HYP, r_share_hyp, a_share_hyp},
	[O_UNSHARE_HYP] = {W_HYP_BORROWS, r_unshare_hyp, a_unshare_hyp},
	[O_PIN] = {W_HYP_BORROWS, r_pin, a_pin},
	[O_UNPIN] = {W_PINNED, r_unpin, a_unpin},
	[O_DONATE_HYP] = {W_HOST_UNLENT, r_donate_hyp, a_donate_hyp},
	[O_HYP_DONATE_HOST] = {W_HYP_PLAIN, r_hyp_donate_host, a_to_host},
	[O_TOPUP] = {W_HOST_UNLENT, r_donate_hyp, a_topup},
};

static pvm_status_t do_host_hyp(struct call c)
{
	const enum opk op = c.op;
	struct pred pr = {0, 0};
	struct quiet q;
	pvm_status_t st;

	if (pa_pred(&pr, c.pa, c.n, false))
		for (uint64_t i = 0; i < c.n; i++) {
			const struct mpage *p = &mp[pidx(c.pa) + i];
			unsigned r = host_hyp[op].rule(p);

			/*
			 * pvm_hyp_donate_host() is hypervisor-internal: the hypervisor never
			 * gives away its pool or a live VM's pages, so neither does this test.
			 */
			if (op == O_HYP_DONATE_HOST && p->owner == PVM_ID_HYP &&
			    (p->kind == K_POOL || p->kind == K_VM))
				return PVM_E_NOTSUP; /* not called */
			if (r)
				add(&pr, r);
		}
	logf_op("%s pa=0x%llx n=%llu", opname[op], (unsigned long long)c.pa,
		(unsigned long long)c.n);
	struct probe pb = {.vm = PVM_VM_MAX};
	if (pa_valid(c.pa, c.n))
		for (unsigned k = 0; k < PROBES; k++)
			probe_add(&pb, c.pa + probe_page(k, c.n) * PAGE, ~0ull);
	probe_run(&pb, false);
	st = run_call(&c, &pr, &q);
	if (st == PVM_OK) {
		for (uint64_t i = 0; i < c.n; i++)
			host_hyp[op].apply(&mp[pidx(c.pa) + i]);
		if (op == O_HYP_DONATE_HOST) /* mem.h: "page zeroed" */
			host_reads_zero(c.pa, c.n, "a page the hypervisor gave the host");
	}
	probe_run(&pb, true);
	return st;
}

static void op_host_hyp(enum opk op)
{
	struct call c = {.op = op};

	pick_pa(host_hyp[op].w, &c.pa, &c.n);
	(void)do_host_hyp(c);
}

static void op_reclaim_pool(void)
{
	uint64_t max = rnd(2) ? rnd(16) : 1 + rnd(512), got, back = 0;

	logf_op("mem_reclaim_pool max=%llu", (unsigned long long)max);
	stats.calls[O_RECLAIM_POOL]++;
	got = pvm_mem_reclaim_pool(mem, max);
	if (got > max)
		FAIL("pvm_mem_reclaim_pool(%llu) returned %llu", (unsigned long long)max,
		     (unsigned long long)got);
	for (uint64_t i = 0; i < NPAGES; i++) {
		struct pvm_page_info pi;

		if (mp[i].owner != PVM_ID_HYP || mp[i].kind != K_POOL)
			continue;
		if (pvm_mem_page(mem, pvm_pa(RAM + i * PAGE), &pi) != PVM_OK)
			FAIL("pvm_mem_page");
		if (pi.owner == PVM_ID_HYP)
			continue;
		if (pi.owner != PVM_ID_HOST || pi.state != PVM_PAGE_OWNED)
			FAIL("a pool page went to %u", pi.owner);
		a_to_host(&mp[i]);
		host_reads_zero(RAM + i * PAGE, 1, "a page back from the pool");
		back++;
	}
	if (back != got)
		FAIL("pvm_mem_reclaim_pool() said %llu pages, %llu went back",
		     (unsigned long long)got, (unsigned long long)back);
	if (got)
		stats.ok[O_RECLAIM_POOL]++;
}

/* A guest writes its marker into every page donated to it. */
static void guest_marks(unsigned h, uint64_t ipa, uint64_t pa, uint64_t n)
{
	static uint8_t buf[PAGE];
	uint64_t vtcr, vttbr;

	regime(h, &vtcr, &vttbr);
	for (uint64_t i = 0; i < n; i++) {
		uint8_t mark = (uint8_t)(0x80 | (rnd64() & 0x7f));

		memset(buf, mark, PAGE);
		if (pvm_sim_s2_copy(vtcr, vttbr, ipa + i * PAGE, buf, PAGE, true, NULL) != PVM_OK)
			FAIL("VM %u cannot write the page just donated at IPA 0x%llx", h,
			     (unsigned long long)(ipa + i * PAGE));
		mp[pidx(pa) + i].marker = mark;
	}
}

static pvm_status_t do_share_donate_guest(struct call c)
{
	const enum opk op = c.op;
	const bool donate = op == O_DONATE_GUEST;
	bool pv, iv = false;
	struct pred pr = {0, 0};
	struct quiet q;
	struct mvm *v;
	pvm_status_t st;

	pv = pa_pred(&pr, c.pa, c.n, !donate && (c.prot & ~PVM_PROT_RWX));
	v = vm_pred(&pr, c.vm, donate ? 1 : 0);
	if (v)
		iv = ipa_pred(&pr, v, c.ipa, c.n);
	if (pv)
		for (uint64_t i = 0; i < c.n; i++) {
			const struct mpage *p = &mp[pidx(c.pa) + i];

			if (donate ? !host_unlent(p) : p->owner != PVM_ID_HOST || p->hyp_b)
				add(&pr, STATE);
			else if (!donate && p->guests == UINT16_MAX)
				add(&pr, BUSY | STATE);
		}
	if (iv)
		for (uint64_t i = 0; i < c.n; i++) {
			const struct ment *e = ment(v, c.ipa + i * PAGE);

			if (e && e->pa)
				add(&pr, EXIST);
		}
	logf_op("%s vm=%u pa=0x%llx ipa=0x%llx n=%llu prot=0x%x", opname[op], c.vm,
		(unsigned long long)c.pa, (unsigned long long)c.ipa, (unsigned long long)c.n,
		c.prot);
	struct probe pb = {.vm = c.vm};
	if (pa_valid(c.pa, c.n) && c.n <= W0)
		for (unsigned k = 0; k < PROBES; k++) {
			uint64_t i = probe_page(k, c.n);

			probe_add(&pb, c.pa + i * PAGE, c.ipa + i * PAGE);
		}
	probe_run(&pb, false);
	st = run_call(&c, &pr, &q);
	if (st != PVM_OK) {
		probe_run(&pb, true);
		return st;
	}
	for (uint64_t i = 0; i < c.n; i++) {
		struct mpage *p = &mp[pidx(c.pa) + i];
		struct ment *e = ment(v, c.ipa + i * PAGE);

		if (!e)
			FAIL("a mapping outside the model's IPA windows");
		if (donate) {
			p->owner = (uint8_t)PVM_ID_GUEST(c.vm);
			p->kind = K_NONE;
		} else {
			p->guests++;
		}
		e->pa = c.pa + i * PAGE;
		e->prot = donate ? PVM_PROT_RWX : c.prot;
	}
	v->mapped += c.n;
	probe_run(&pb, true);
	if (donate)
		guest_marks(c.vm, c.ipa, c.pa, c.n);
	return st;
}

static void op_share_donate_guest(enum opk op)
{
	const bool donate = op == O_DONATE_GUEST;
	struct call c = {.op = op, .vm = pick_vm(donate ? 1 : 0)};
	static const pvm_prot_t prots[] = {
		PVM_PROT_R, PVM_PROT_RW, PVM_PROT_RWX, PVM_PROT_R | PVM_PROT_X, PVM_PROT_W, 0};
	bool block = rnd(100) == 0;
	struct mvm *v = live(c.vm);

	pick_pa(donate ? W_HOST_UNLENT : W_HOST_NOT_HYP, &c.pa, &c.n);
	if (block) {
		c.pa = RAM;
		c.n = 512;
	}
	c.prot = donate	   ? 0
		 : rnd(50) ? prots[rnd(rnd(8) ? 4 : 6)]
			   : PVM_PROT_R | (1u << (3 + rnd(8)));
	if (v)
		pick_ipa(v, false, c.n, block, &c.ipa, &c.n); /* it may choose a malformed count */
	else
		c.ipa = rnd(W0) * PAGE;
	if (v && !donate && rnd(6) == 0) {
		/* Lend pages the VM already borrows again, a little further on. */
		for (int t = 0; t < 16; t++) {
			uint64_t i = rnd(W0_PICK - 8);

			if (v->w0[i].pa) {
				c.pa = v->w0[i].pa;
				c.n = 1 + rnd(4);
				c.ipa = (i + 1 + rnd(4)) * PAGE;
				break;
			}
		}
	}
	(void)do_share_donate_guest(c);
}

/* Calls on a guest's IPAs: host unshare guest, guest share / unshare / relinquish. */
static pvm_status_t do_guest_ipa(struct call c)
{
	const enum opk op = c.op;
	struct pred pr = {0, 0};
	struct quiet q;
	struct mvm *v;
	unsigned id = PVM_ID_GUEST(c.vm);
	pvm_status_t st;

	if (c.n == 0 || c.n >= ABSURD)
		add(&pr, INVAL);
	/* Guest-initiated calls are for protected VMs; unsharing from a guest for the others. */
	v = vm_pred(&pr, c.vm, op == O_UNSHARE_GUEST ? 0 : 1);
	if (v && ipa_pred(&pr, v, c.ipa, c.n)) {
		static bool seen[NPAGES];

		for (uint64_t i = 0; i < c.n; i++) {
			const struct ment *e = ment(v, c.ipa + i * PAGE);
			const struct mpage *p;
			bool okay;

			if (!e || !e->pa) {
				add(&pr, NOENT);
				continue;
			}
			/* mem.h: a range that reaches the same page twice is refused. */
			if (seen[pidx(e->pa)])
				add(&pr, STATE);
			seen[pidx(e->pa)] = true;
			p = &mp[pidx(e->pa)];
			switch (op) {
			case O_UNSHARE_GUEST:
				okay = p->owner == PVM_ID_HOST && p->guests;
				break;
			case O_GUEST_SHARE:
				okay = p->owner == id && !p->host_b;
				break;
			case O_GUEST_UNSHARE:
				okay = p->owner == id && p->host_b;
				break;
			default:
				okay = p->owner == id && !p->host_b;
				break;
			}
			if (!okay)
				add(&pr, STATE);
		}
		for (uint64_t i = 0; i < c.n; i++) {
			const struct ment *e = ment(v, c.ipa + i * PAGE);

			if (e && e->pa)
				seen[pidx(e->pa)] = false;
		}
	}
	logf_op("%s vm=%u ipa=0x%llx n=%llu", opname[op], c.vm, (unsigned long long)c.ipa,
		(unsigned long long)c.n);
	struct probe pb = {.vm = c.vm};
	if (v && c.n && c.n <= W0)
		for (unsigned k = 0; k < PROBES; k++) {
			uint64_t ipa = c.ipa + probe_page(k, c.n) * PAGE;
			const struct ment *e = ipa < v->limit ? ment(v, ipa) : NULL;

			probe_add(&pb, e && e->pa ? e->pa : 0, ipa);
		}
	probe_run(&pb, false);
	st = run_call(&c, &pr, &q);
	if (st != PVM_OK) {
		probe_run(&pb, true);
		return st;
	}
	if (op == O_RELINQUISH)
		cleaned(&q, c.n, "guest relinquish");
	for (uint64_t i = 0; i < c.n; i++) {
		struct ment *e = ment(v, c.ipa + i * PAGE);
		struct mpage *p = &mp[pidx(e->pa)];

		switch (op) {
		case O_UNSHARE_GUEST:
			p->guests--;
			e->pa = 0;
			v->mapped--;
			break;
		case O_GUEST_SHARE:
			p->host_b = true;
			break;
		case O_GUEST_UNSHARE:
			p->host_b = false;
			break;
		default:
			a_to_host(p);
			host_reads_zero(e->pa, 1, "a relinquished page");
			e->pa = 0;
			v->mapped--;
			break;
		}
	}
	probe_run(&pb, true);
	return st;
}

static void op_guest_ipa(enum opk op)
{
	struct call c = {.op = op, .vm = pick_vm(op == O_UNSHARE_GUEST ? 0 : 1)};
	struct mvm *v = live(c.vm);

	if (v) {
		bool blk = rnd(100) == 0;

		pick_ipa(v, true, blk ? 512 : pick_n(), blk, &c.ipa, &c.n);
		if (c.ipa % (2 * MiB) == 0 && c.n == 512 && rnd(2))
			c.n = 1 + rnd(511); /* part of a block */
	} else {
		c.ipa = rnd(W0) * PAGE;
		c.n = rnd(20) ? pick_n() : 0;
	}
	(void)do_guest_ipa(c);
}

/*
 * A transition over 33-128 pages and its reverse, in the bulk zone (where
 * ranges are still long): more changes than one call invalidates page by
 * page, so the core falls back to invalidating the whole VMID. The TLB
 * sandwich around each call checks that it does.
 */
/* The longest run of [first, end) that pred accepts, up to max; its length. */
static uint64_t longest(uint64_t first, uint64_t end, uint64_t max, bool (*pred)(uint64_t),
			uint64_t *start)
{
	uint64_t best = 0, run = 0;

	for (uint64_t k = first; k < end && best < max; k++) {
		run = pred(k) ? run + 1 : 0;
		if (run > best) {
			best = run;
			*start = k + 1 - run;
		}
	}
	return best;
}

static bool bulk_page_free(uint64_t i)
{
	return host_unlent(&mp[i]);
}

static struct mvm *bulk_vm;

static bool bulk_ipa_free(uint64_t i)
{
	return !bulk_vm->w0[i].pa;
}

static void op_bulk(void)
{
	uint64_t n = 33 + rnd(96), i = 0, k = 0;
	int r = (int)rnd(4), role = r == 2 ? (int)rnd(2) : 2 + (int)rnd(2);
	struct call c = {.prot = PVM_PROT_RW};

	stats.calls[O_BULK]++;
	c.vm = role_vm[role] >= 0 ? (unsigned)role_vm[role] : pick_vm(r == 2);
	/* The longest free runs of the zone (random ops stray into it now and then). */
	n = longest(ARENA_PICK + rnd(ARENA - ARENA_PICK - n), ARENA, n, bulk_page_free, &i);
	bulk_vm = live(c.vm);
	if (r >= 2 && bulk_vm)
		n = longest(W0_PICK + rnd(W0 - W0_PICK - n), W0, n, bulk_ipa_free, &k);
	if (n < 33)
		return;
	c.pa = RAM + i * PAGE;
	c.ipa = k * PAGE;
	c.n = n;
	switch (r) {
	case 0:
		c.op = O_DONATE_HYP;
		if (do_host_hyp(c))
			return;
		c.op = O_HYP_DONATE_HOST;
		break;
	case 1:
		c.op = O_SHARE_HYP;
		if (do_host_hyp(c))
			return;
		c.op = O_UNSHARE_HYP;
		break;
	case 2:
		c.op = O_DONATE_GUEST;
		if (do_share_donate_guest(c))
			return;
		c.op = O_GUEST_SHARE;
		if (rnd(2) && !do_guest_ipa(c)) {
			c.op = O_GUEST_UNSHARE;
			(void)do_guest_ipa(c);
		}
		c.op = O_RELINQUISH;
		break;
	default:
		c.op = O_SHARE_GUEST;
		if (do_share_donate_guest(c))
			return;
		c.op = O_UNSHARE_GUEST;
		break;
	}
	stats.ok[O_BULK]++;
	if (c.op == O_HYP_DONATE_HOST || c.op == O_UNSHARE_HYP)
		(void)do_host_hyp(c);
	else
		(void)do_guest_ipa(c);
}

/* The host touches a page: it faults unless it owns or borrows it. */
/* Does an instruction fetch at ipa fault through the regime h (PVM_VM_MAX: the host)? */
static bool exec_faults(unsigned h, uint64_t ipa)
{
	struct pvm_sim_s2_result res;
	uint64_t vtcr, vttbr;

	regime(h, &vtcr, &vttbr);
	if (pvm_sim_s2_translate(vtcr, vttbr, ipa, PVM_SIM_EXEC, &res) != PVM_OK)
		FAIL("pvm_sim_s2_translate(0x%llx)", (unsigned long long)ipa);
	return res.fault;
}

static void op_host_access(void)
{
	uint64_t i = rnd(10) ? rnd(ARENA) : rnd(NPAGES), off = rnd(PAGE / 8) * 8, val = rnd64();
	const struct mpage *p = &mp[i];
	bool write = rnd(2), may = p->owner == PVM_ID_HOST || p->host_b;
	pvm_status_t st;

	logf_op("host %s pa=0x%llx", write ? "writes" : "reads",
		(unsigned long long)(RAM + i * PAGE + off));
	stats.calls[O_HOST_ACCESS]++;
	/* mem.h: what the host borrows from a guest is never executable. */
	if (rnd(4) == 0 && (p->host_b || !may)) {
		if (!exec_faults(PVM_VM_MAX, RAM + i * PAGE))
			FAIL("the host can execute PA 0x%llx (owner %u%s)",
			     (unsigned long long)(RAM + i * PAGE), p->owner,
			     p->host_b ? ", host borrows" : "");
		return;
	}
	st = host_rw(RAM + i * PAGE + off, &val, 8, write);
	if (st != (may ? PVM_OK : PVM_E_PERM))
		FAIL("host %s of PA 0x%llx (owner %u%s): %s", write ? "write" : "read",
		     (unsigned long long)(RAM + i * PAGE), p->owner,
		     p->host_b ? ", host borrows" : "", sname(st));
	if (st == PVM_OK)
		stats.ok[O_HOST_ACCESS]++;
	else
		stats.faults_seen++;
}

/* A guest touches an IPA: it faults unless the model maps it with that access. */
static void op_guest_access(void)
{
	unsigned h = pick_vm(-1);
	struct mvm *v = live(h);
	uint64_t ipa, n, vtcr, vttbr, val = rnd64();
	const struct ment *e;
	bool write = rnd(2), may;
	pvm_status_t st;

	if (!v)
		return;
	pick_ipa(v, rnd(4) != 0, 1, false, &ipa, &n);
	ipa &= ~(PAGE - 1);
	e = ipa < v->limit ? ment(v, ipa) : NULL;
	may = e && e->pa && (e->prot & (write ? PVM_PROT_W : PVM_PROT_R));
	logf_op("VM %u %s ipa=0x%llx", h, write ? "writes" : "reads", (unsigned long long)ipa);
	stats.calls[O_GUEST_ACCESS]++;
	if (rnd(4) == 0) { /* a fetch: only where the protections say X */
		bool x = e && e->pa && (e->prot & PVM_PROT_X);

		if (exec_faults(h, ipa) == x)
			FAIL("VM %u %s execute IPA 0x%llx (model: %s, prot 0x%x)", h,
			     x ? "cannot" : "can", (unsigned long long)ipa,
			     e && e->pa ? "mapped" : "unmapped", e ? e->prot : 0);
		return;
	}
	regime(h, &vtcr, &vttbr);
	st = pvm_sim_s2_copy(vtcr, vttbr, ipa + rnd(PAGE / 8) * 8, &val, 8, write, NULL);
	if (st != (may ? PVM_OK : PVM_E_PERM))
		FAIL("VM %u %s of IPA 0x%llx (model: %s, prot 0x%x): %s", h,
		     write ? "write" : "read", (unsigned long long)ipa,
		     e && e->pa ? "mapped" : "unmapped", e ? e->prot : 0, sname(st));
	if (st == PVM_OK)
		stats.ok[O_GUEST_ACCESS]++;
	else
		stats.faults_seen++;
	if (st == PVM_OK && write && mp[pidx(e->pa)].owner == PVM_ID_GUEST(h))
		mp[pidx(e->pa)].marker = (uint8_t)val ? (uint8_t)val : 1;
}

static void op_load_put(void)
{
	unsigned h = pick_vm(-1);
	struct mvm *v = live(h);
	struct pvm_vm *vm;
	pvm_status_t st;

	stats.calls[O_LOAD_PUT]++;
	if (v && v->refs && (rnd(3) || v->refs == 4)) {
		logf_op("vm_put vm=%u", h);
		vm_put(mem, v->loaded[--v->refs]);
		stats.ok[O_LOAD_PUT]++;
		return;
	}
	logf_op("vm_load vm=%u", h);
	st = vm_get(mem, h, &vm);
	expect(st, !v ? NOENT : v->dying ? STATE : OK, "pvm_vm_load");
	if (st == PVM_OK) {
		v->loaded[v->refs++] = vm;
		stats.ok[O_LOAD_PUT]++;
	}
}

/* Pages reclaimed from a dying VM: what its stage-2 no longer maps. */
static uint64_t sync_reclaimed(unsigned h, uint64_t *owned)
{
	struct mvm *v = &mv[h];
	uint64_t got = 0;

	*owned = 0;
	for (uint64_t k = 0; k < W0 + W1; k++) {
		struct ment *e = k < W0 ? &v->w0[k] : &v->w1[k - W0];
		uint64_t ipa = k < W0 ? k * PAGE : v->limit - (uint64_t)(W0 + W1 - k) * PAGE;
		struct pvm_stage2_mapping m;
		struct mpage *p;

		if (!e->pa || pvm_stage2_lookup(&mem->vms[h]->s2, pvm_ipa(ipa), &m) == PVM_OK)
			continue;
		p = &mp[pidx(e->pa)];
		if (p->owner == PVM_ID_GUEST(h)) {
			a_to_host(p);
			host_reads_zero(e->pa, 1, "a reclaimed guest page");
			(*owned)++;
		} else {
			p->guests--;
		}
		e->pa = 0;
		v->mapped--;
		got++;
	}
	return got;
}

static void vm_gone(unsigned h)
{
	struct mvm *v = &mv[h];

	for (uint64_t i = 0; i < v->npages; i++)
		a_to_host(&mp[pidx(v->pages_pa) + i]);
	host_reads_zero(v->pages_pa, v->npages, "a torn-down VM's own page");
	pvm_sim_bbm_unwatch((uint16_t)(h + 1));
	role_vm[v->role] = -1;
	memset(v, 0, sizeof(*v));
}

static void finish(unsigned h, unsigned mask)
{
	struct quiet q;
	pvm_status_t st;

	logf_op("vm_teardown_finish vm=%u (%llu pages left)", h,
		(unsigned long long)(live(h) ? live(h)->mapped : 0));
	quiet_take(&q);
	st = pvm_vm_teardown_finish(mem, h);
	expect(st, mask, "pvm_vm_teardown_finish");
	if (st != PVM_OK) {
		quiet_same(&q, "pvm_vm_teardown_finish", st);
		return;
	}
	cleaned(&q, mv[h].npages, "pvm_vm_teardown_finish");
	vm_gone(h);
	stats.ok[O_TEARDOWN]++;
}

static void reclaim(unsigned h, uint64_t max, unsigned mask)
{
	struct mvm *v = live(h);
	uint64_t left = ~0ull, before = v ? v->mapped : 0, got, owned;
	size_t need = 0;
	struct quiet q;
	pvm_status_t st;

	logf_op("vm_reclaim vm=%u max=%llu (%llu mapped)", h, (unsigned long long)max,
		(unsigned long long)before);
	struct probe pb = {.vm = h};
	for (uint64_t k = 0; v && k < W0 + W1 && pb.n < PROBES; k++) {
		const struct ment *e = k < W0 ? &v->w0[k] : &v->w1[k - W0];

		if (e->pa)
			probe_add(&pb, e->pa,
				  k < W0 ? k * PAGE : v->limit - (uint64_t)(W0 + W1 - k) * PAGE);
	}
	probe_run(&pb, false);
	quiet_take(&q);
	st = pvm_vm_reclaim(mem, h, max, &left, &need);
	while (st == PVM_E_NOMEM) {
		stats.nomem++;
		got = sync_reclaimed(h, &owned);
		if (got)
			FAIL("pvm_vm_reclaim() failed (PVM_E_NOMEM) having reclaimed %llu pages: "
			     "a failed call must change nothing",
			     (unsigned long long)got);
		quiet_same(&q, "pvm_vm_reclaim", st);
		if (!need)
			FAIL("pvm_vm_reclaim: PVM_E_NOMEM with need = 0");
		topup_reserve(need);
		quiet_take(&q);
		st = pvm_vm_reclaim(mem, h, max, &left, &need);
		if (st == PVM_E_NOMEM)
			FAIL("pvm_vm_reclaim: PVM_E_NOMEM again after a top-up of `need`");
	}
	expect(st, mask, "pvm_vm_reclaim");
	if (st != PVM_OK) {
		quiet_same(&q, "pvm_vm_reclaim", st);
		if (v && sync_reclaimed(h, &owned))
			FAIL("a failed pvm_vm_reclaim() reclaimed pages");
		return;
	}
	got = sync_reclaimed(h, &owned);
	cleaned(&q, owned, "pvm_vm_reclaim");
	probe_run(&pb, true);
	stats.ok[O_TEARDOWN]++;
	stats.reclaimed += got;
	if (left != v->mapped || got > max || (before && !got))
		FAIL("pvm_vm_reclaim(max %llu): %llu of %llu pages reclaimed, left = %llu, the "
		     "model has %llu",
		     (unsigned long long)max, (unsigned long long)got, (unsigned long long)before,
		     (unsigned long long)left, (unsigned long long)v->mapped);
}

static void op_teardown(void)
{
	unsigned dying[PVM_VM_MAX], nd = 0, h;
	struct quiet q;
	struct mvm *v;
	pvm_status_t st;

	for (h = 0; h < PVM_VM_MAX; h++)
		if (mv[h].exists && mv[h].dying)
			dying[nd++] = h;
	stats.calls[O_TEARDOWN]++;
	if (!nd || rnd(8) == 0) {
		/* Now and then start a teardown; otherwise a phase out of order. */
		uint64_t r = rnd(100), max = rnd(4) ? 1 + rnd(32) : 0;

		h = pick_vm(-1);
		v = live(h);
		if (r < 40) {
			if (!v || !v->dying)
				reclaim(h, max, (!max ? INVAL : 0) | (!v ? NOENT : STATE));
		} else if (r < 80) {
			finish(h, !v ? NOENT : v->dying && !v->mapped ? OK : STATE);
		} else if (r >= 90) {
			logf_op("vm_teardown_start vm=%u", h);
			quiet_take(&q);
			st = pvm_vm_teardown_start(mem, h);
			expect(st,
			       !v	  ? NOENT
			       : v->dying ? STATE
			       : v->refs  ? BUSY
					  : OK,
			       "pvm_vm_teardown_start");
			if (st == PVM_OK) {
				v->dying = true;
				stats.ok[O_TEARDOWN]++;
			} else {
				quiet_same(&q, "pvm_vm_teardown_start", st);
			}
		}
		return;
	}
	h = dying[rnd(nd)];
	v = &mv[h];
	if (!v->mapped || rnd(10) == 0) {
		finish(h, v->mapped ? STATE : OK);
	} else {
		uint64_t max = rnd(10) ? 1 + rnd(rnd(2) ? 8 : 600) : 0;

		reclaim(h, max, max ? OK : INVAL);
	}
}

/* Create a VM for a vacant role; or try to create one from bad arguments. */
static void op_create(void)
{
	int role = -1;
	struct pvm_vm_config cfg = {0};
	uint64_t pa, n, root;
	unsigned m = 0, h = PVM_VM_MAX, live_n = 0;
	struct quiet q;
	pvm_status_t st;
	bool valid;

	for (int r = 0; r < NROLES; r++)
		if (role_vm[r] < 0)
			role = r;
	for (unsigned k = 0; k < PVM_VM_MAX; k++)
		live_n += mv[k].exists;
	cfg.ipa_bits = role >= 0 ? roles[role].ipa_bits : roles[rnd(NROLES)].ipa_bits;
	cfg.protected_vm = role >= 0 ? roles[role].protected_vm : rnd(2);
	if (rnd(10) == 0)
		cfg.ipa_bits = (unsigned[]){0, 31, 41, 49, 64}[rnd(5)];
	n = pvm_vm_create_pages(cfg.ipa_bits);
	root = n ? n - 1 : 1;
	if (rnd(10) == 0)
		n = rnd(2) ? n + 1 : n ? n - 1 : 2;
	pa = RAM + rnd(ARENA_PICK) * PAGE;
	if (rnd(4)) { /* host pages that would do */
		for (uint64_t i = rnd(ARENA_PICK) & ~(root - 1), t = 0; t < ARENA_PICK; t++) {
			uint64_t k = 0;

			for (; k < n && i + k < ARENA_PICK && host_unlent(&mp[i + k]); k++)
				;
			if (k == n) {
				pa = RAM + i * PAGE;
				break;
			}
			i = (i + root) % ARENA_PICK & ~(root - 1);
		}
	}
	if (rnd(20) == 0)
		pa = rnd(2) ? RAM_END - PAGE * rnd(4) : pa + PAGE * (1 + rnd(root));

	root = pvm_stage2_root_pages(cfg.ipa_bits);
	if (!root || cfg.ipa_bits > PA_BITS || n != root + 1 || (pa & (root * PAGE - 1)))
		m |= INVAL;
	valid = pa_valid(pa, n);
	if (n && !valid)
		m |= RANGE;
	if (valid)
		for (uint64_t i = 0; i < n; i++)
			m |= host_unlent(&mp[pidx(pa) + i]) ? 0 : STATE;
	if (live_n == PVM_VM_MAX)
		m |= BUSY;
	if (!m && role < 0)
		return; /* would succeed, and there is no role for it */
	if (!m)
		m = OK;
	logf_op("vm_create ipa_bits=%u %s pa=0x%llx n=%llu", cfg.ipa_bits,
		cfg.protected_vm ? "protected" : "non-protected", (unsigned long long)pa,
		(unsigned long long)n);
	stats.calls[O_CREATE]++;
	excl_first = pa >= RAM ? pidx(pa) : 0;
	excl_end = excl_first + n;
	quiet_take(&q);
	size_t need = 0;

	st = pvm_vm_create(mem, &cfg, pvm_pa(pa), n, &h, &need);
	if (st == PVM_E_NOMEM) {
		/* Top up exactly the reported shortfall; the retry must not run short again. */
		stats.nomem++;
		if (need == 0)
			FAIL("pvm_vm_create() returned PVM_E_NOMEM with need 0");
		quiet_same(&q, "pvm_vm_create", st);
		topup_reserve(need);
		quiet_take(&q);
		st = pvm_vm_create(mem, &cfg, pvm_pa(pa), n, &h, &need);
	}
	expect(st, m, "pvm_vm_create");
	if (st != PVM_OK) {
		quiet_same(&q, "pvm_vm_create", st);
		return;
	}
	if (h >= PVM_VM_MAX || mv[h].exists)
		FAIL("pvm_vm_create() returned handle %u, which is not free", h);
	stats.ok[O_CREATE]++;
	stats.recreated++;
	struct mvm *v = &mv[h];
	memset(v, 0, sizeof(*v));
	v->exists = true;
	v->protected_vm = cfg.protected_vm;
	v->ipa_bits = cfg.ipa_bits;
	v->limit = 1ull << cfg.ipa_bits;
	v->pages_pa = pa;
	v->npages = n;
	v->role = role;
	role_vm[role] = (int)h;
	for (uint64_t i = 0; i < n; i++) {
		mp[pidx(pa) + i].owner = PVM_ID_HYP;
		mp[pidx(pa) + i].kind = K_VM;
	}
	struct pvm_vm_info info;
	if (pvm_vm_info(mem, h, &info) != PVM_OK ||
	    pvm_sim_bbm_watch(info.vtcr, info.vttbr) != PVM_OK)
		FAIL("cannot watch the new VM %u", h);
}

static void op_info(void)
{
	unsigned h = pick_vm(-1);
	struct mvm *v = live(h);
	struct pvm_vm_info info;
	pvm_status_t st;

	logf_op("vm_info vm=%u", h);
	stats.calls[O_INFO]++;
	st = pvm_vm_info(mem, h, &info);
	expect(st, v ? OK : NOENT, "pvm_vm_info");
	if (st != PVM_OK)
		return;
	stats.ok[O_INFO]++;
	if (info.pages != v->mapped || info.ipa_bits != v->ipa_bits ||
	    info.protected_vm != v->protected_vm ||
	    info.state != (v->dying ? PVM_VM_DYING : PVM_VM_ACTIVE) || info.vmid != h + 1)
		FAIL("pvm_vm_info(%u) disagrees with the model (pages %llu vs %llu)", h,
		     (unsigned long long)info.pages, (unsigned long long)v->mapped);
}

/* ---- Whole-model comparison ------------------------------------------------------- */

/*
 * What the core reported through pvm_port_host_access() is what the host
 * stage-2 holds: a port that keeps its own copy of the host's rights from
 * those reports (KVM: the VMM's view of memory) never drifts from it.
 */
static void host_access_follows(uint64_t pa)
{
	struct pvm_stage2_mapping m;
	unsigned want = 0, got = pvm_sim_host_access(pvm_pa(pa));

	if (pvm_stage2_lookup(&mem->host, pvm_ipa(pa), &m) == PVM_OK && m.valid)
		want = m.prot & PVM_PROT_RWX;
	if (got != want)
		FAIL("PA 0x%llx: the host stage-2 grants 0x%x, the port was told 0x%x",
		     (unsigned long long)pa, want, got);
}

static void compare_model(void)
{
	for (uint64_t i = 0; i < NPAGES; i++) {
		const struct mpage *p = &mp[i];
		struct pvm_page_info pi;

		if (pvm_mem_page(mem, pvm_pa(RAM + i * PAGE), &pi) != PVM_OK)
			FAIL("pvm_mem_page(0x%llx)", (unsigned long long)(RAM + i * PAGE));
		if (pi.owner != p->owner ||
		    pi.state != (lent(p) ? PVM_PAGE_SHARED_OWNED : PVM_PAGE_OWNED) ||
		    pi.hyp_borrows != p->hyp_b || pi.host_borrows != p->host_b ||
		    pi.guests != p->guests || pi.pins != p->pins)
			FAIL("PA 0x%llx: core says owner %u state %d hyp %d host %d guests %u pins "
			     "%u; the model owner %u hyp %d host %d guests %u pins %u",
			     (unsigned long long)(RAM + i * PAGE), pi.owner, pi.state,
			     pi.hyp_borrows, pi.host_borrows, pi.guests, pi.pins, p->owner,
			     p->hyp_b, p->host_b, p->guests, p->pins);
		host_access_follows(RAM + i * PAGE);
	}
	for (unsigned h = 0; h < PVM_VM_MAX; h++) {
		struct mvm *v = &mv[h];
		struct pvm_vm_info info;

		if (!v->exists) {
			if (pvm_vm_info(mem, h, &info) != PVM_E_NOENT)
				FAIL("VM %u exists in the core, not in the model", h);
			continue;
		}
		if (pvm_vm_info(mem, h, &info) != PVM_OK || info.pages != v->mapped)
			FAIL("VM %u: page count", h);
		for (uint64_t k = 0; k < W0 + W1; k++) {
			const struct ment *e = k < W0 ? &v->w0[k] : &v->w1[k - W0];
			uint64_t ipa =
				k < W0 ? k * PAGE : v->limit - (uint64_t)(W0 + W1 - k) * PAGE;
			struct pvm_stage2_mapping m;
			bool mapped =
				pvm_stage2_lookup(&mem->vms[h]->s2, pvm_ipa(ipa), &m) == PVM_OK;

			if (mapped != !!e->pa ||
			    (mapped && (pvm_pa_val(m.pa) != e->pa ||
					(m.prot & PVM_PROT_RW) != (e->prot & PVM_PROT_RW))))
				FAIL("VM %u IPA 0x%llx: stage-2 %s 0x%llx, the model 0x%llx", h,
				     (unsigned long long)ipa, mapped ? "maps" : "does not map",
				     (unsigned long long)pvm_pa_val(m.pa),
				     (unsigned long long)e->pa);
		}
	}
}

/* ---- Set-up and the run -------------------------------------------------------------- */

static void start(void)
{
	struct pvm_sim_config mc = {.ram_base = RAM, .ram_size = RAM_SIZE};
	struct pvm_hyp_config cfg = {
		.ram_base = RAM, .ram_size = RAM_SIZE, .hyp_base = HYP_BASE, .pa_bits = PA_BITS};
	pvm_status_t st = PVM_E_INVAL;
	uint64_t carve;

	memset(mp, 0, sizeof(mp));
	memset(mv, 0, sizeof(mv));
	memset(&stats, 0, sizeof(stats));
	memset(order_broken, 0, sizeof(order_broken));
	for (int r = 0; r < NROLES; r++)
		role_vm[r] = -1;
	assert_int_equal(pvm_sim_init(&mc), PVM_OK);
	/* The smallest carve-out that works, plus POOL0 pages of pool. */
	for (carve = 1; carve < 64 && st != PVM_OK; carve++) {
		cfg.hyp_size = carve * PAGE;
		st = pvm_hyp_init(&cfg, &mem, NULL);
	}
	assert_int_equal(st, PVM_OK);
	cfg.hyp_size = (carve - 1 + POOL0) * PAGE;
	assert_int_equal(pvm_hyp_init(&cfg, &mem, NULL), PVM_OK);
	assert_int_equal(
		pvm_sim_bbm_watch(pvm_stage2_vtcr(&mem->host), pvm_stage2_vttbr(&mem->host)),
		PVM_OK);
	for (uint64_t i = 0; i < NPAGES; i++) {
		bool carved = RAM + i * PAGE >= cfg.hyp_base &&
			      RAM + i * PAGE < cfg.hyp_base + cfg.hyp_size;

		mp[i].owner = carved ? PVM_ID_HYP : PVM_ID_HOST;
		mp[i].kind = carved ? K_CARVE : K_NONE;
	}
	compare_model();
	check();
	/* The VMs: every role filled once before the random walk. */
	while (role_vm[0] < 0 || role_vm[1] < 0 || role_vm[2] < 0 || role_vm[3] < 0)
		op_create();
}

/*
 * Left alone, a random walk drifts into a corner: pins pile up, everything
 * ends up lent to the hypervisor and nothing else can happen. So when a
 * kind of page takes more than a quarter of the arena, the calls that give
 * it back get three times as frequent.
 */
static void balance(void)
{
	unsigned hyp_b = 0, pinned = 0, hyp = 0, lent_g = 0;

	for (unsigned i = 0; i < ARENA_PICK; i++) {
		hyp_b += mp[i].hyp_b;
		pinned += mp[i].pins > 0;
		hyp += mp[i].owner == PVM_ID_HYP;
		lent_g += mp[i].guests > 0;
	}
	memcpy(weight, weight0, sizeof(weight));
	if (hyp_b > ARENA_PICK / 4)
		weight[O_UNSHARE_HYP] *= 3;
	if (pinned > ARENA_PICK / 8)
		weight[O_UNPIN] *= 3;
	if (hyp > ARENA_PICK / 4)
		weight[O_HYP_DONATE_HOST] *= 3;
	if (lent_g > ARENA_PICK / 4)
		weight[O_UNSHARE_GUEST] *= 3;
	total_weight = 0;
	for (int k = 0; k < O_N; k++)
		total_weight += weight[k];
}

static void run(uint64_t seed, uint64_t ops)
{
	clock_t t0 = clock();

	rng = seed;
	op_no = 0;
	start();
	for (op_no = 1; op_no <= ops; op_no++) {
		unsigned w;
		int k = 0;

		if (op_no % 256 == 1)
			balance();
		w = (unsigned)rnd(total_weight);
		while (w >= weight[k])
			w -= weight[k++];
		switch ((enum opk)k) {
		case O_SHARE_HYP:
		case O_UNSHARE_HYP:
		case O_PIN:
		case O_UNPIN:
		case O_DONATE_HYP:
		case O_HYP_DONATE_HOST:
		case O_TOPUP:
			op_host_hyp((enum opk)k);
			break;
		case O_RECLAIM_POOL:
			op_reclaim_pool();
			break;
		case O_SHARE_GUEST:
		case O_DONATE_GUEST:
			op_share_donate_guest((enum opk)k);
			break;
		case O_UNSHARE_GUEST:
		case O_GUEST_SHARE:
		case O_GUEST_UNSHARE:
		case O_RELINQUISH:
			op_guest_ipa((enum opk)k);
			break;
		case O_HOST_ACCESS:
			op_host_access();
			break;
		case O_GUEST_ACCESS:
			op_guest_access();
			break;
		case O_LOAD_PUT:
			op_load_put();
			break;
		case O_TEARDOWN:
			op_teardown();
			break;
		case O_CREATE:
			op_create();
			break;
		case O_INFO:
			op_info();
			break;
		case O_BULK:
			op_bulk();
			break;
		case O_N:
			break;
		}
		check();
		if (pvm_sim_bbm_check())
			FAIL("break-before-make: %s", pvm_sim_bbm_last());
		if (op_no % 64 == 0)
			compare_model();
	}
	op_no--;
	compare_model();

	print_message("seed %llu: %llu operations in %.1f s; %llu PVM_E_NOMEM retries "
		      "(%llu from calls without `need`, %llu then failed otherwise), %llu pages "
		      "reclaimed, %llu VMs created, %llu zero checks, %llu faults, %llu calls of "
		      "more than 32 pages\n",
		      (unsigned long long)seed, (unsigned long long)ops,
		      (double)(clock() - t0) / CLOCKS_PER_SEC, (unsigned long long)stats.nomem,
		      (unsigned long long)stats.nomem_no_need,
		      (unsigned long long)stats.nomem_then_error,
		      (unsigned long long)stats.reclaimed, (unsigned long long)stats.recreated,
		      (unsigned long long)stats.zero_checks, (unsigned long long)stats.faults_seen,
		      (unsigned long long)stats.big_ok);
	for (int k = 0; k < O_N; k++)
		print_message("  %-20s %7llu calls %7llu ok\n", opname[k],
			      (unsigned long long)stats.calls[k], (unsigned long long)stats.ok[k]);
	pvm_sim_fini();

	uint64_t broken = 0;
	for (unsigned k = 0; k < ORDER_KINDS && order_broken[k].n; k++) {
		char m[160];

		mask_str(order_broken[k].first, m, sizeof(m));
		print_error("%-18s %5llu x %s where mem.h's order says %s%s; e.g. %s\n",
			    opname[order_broken[k].op], (unsigned long long)order_broken[k].n,
			    sname(order_broken[k].got), m,
			    order_broken[k].absurd ? " (absurd count)" : "",
			    order_broken[k].example);
		broken += order_broken[k].n;
	}
	if (broken)
		fail_msg("seed %llu: %llu statuses out of mem.h's order (see above)",
			 (unsigned long long)seed, (unsigned long long)broken);
}

static void test_seed(void **state)
{
	run((uint64_t)(uintptr_t)*state, CI_OPS);
}

static void test_soak(void **state)
{
	const char *ops = getenv("PVM_SOAK_OPS");

	(void)state;
	run(strtoull(getenv("PVM_SOAK_SEED"), NULL, 0), ops ? strtoull(ops, NULL, 0) : 1000000);
}

int main(void)
{
	const struct CMUnitTest ci[] = {
		cmocka_unit_test_prestate(test_seed, (void *)(uintptr_t)1),
		cmocka_unit_test_prestate(test_seed, (void *)(uintptr_t)0x5eed),
		cmocka_unit_test_prestate(test_seed, (void *)(uintptr_t)20240601),
	};
	const struct CMUnitTest soak[] = {
		cmocka_unit_test(test_soak),
	};

	if (getenv("PVM_SOAK_SEED"))
		return cmocka_run_group_tests_name("soak", soak, NULL, NULL);
	return cmocka_run_group_tests_name("random", ci, NULL, NULL);
}
