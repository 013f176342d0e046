/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The page-state machine of mem.h, exhaustively, for one page.
 *
 * A small spec model says what one page can be: who owns it (host, hyp or
 * the protected VM P), whether the hyp borrows it and how often it pinned
 * it, whether the host borrows it (from P), which non-protected VMs (A, B)
 * borrow it, and where P and A are in their lifecycle. The transitions are
 * the rows of `table[]` below, written as mem.h and ARCHITECTURE §5 state
 * them: which VM, which kind of VM, whether the IPA must be free or
 * mapped, what the page must be, what pins refuse, and the result.
 *
 * The reachable states are not hand-picked: a breadth-first search over the
 * model from "host OWNED" derives them (pins bounded to PINS_MAX). Then,
 * for every (reachable state, row) cell, a fresh simulated machine is
 * driven to the state along the search's path, the row's call is made and
 * the machine is compared with the model's prediction:
 *   - the status (one of those the spec allows: where several codes apply
 *     the spec does not say which wins, so each applicable one is
 *     accepted; where none applies, PVM_OK and only PVM_OK);
 *   - every component's view: the page metadata, the host stage-2 entry
 *     (identity map, state in the software bits, or the owner annotation),
 *     each guest's stage-2 entry at its IPA, the VMs' page counts and
 *     lifecycle, and, by access through the simulated MMU (TLB model on),
 *     exactly who can read, write and execute the page;
 *   - the page's contents where the spec says (zeroed when a guest gives
 *     it back or is reclaimed, and cleaned to PoC);
 *   - on failure, nothing changed: no metadata, no table entry anywhere, no
 *     TLB invalidation, no cache maintenance; on success, nothing changed
 *     outside the page (metadata of every other page, every other
 *     translation of every stage-2);
 *   - pvm_mem_check() and the break-before-make checker after every step.
 * Mismatches are all collected (cell, what, expected, got) and the test
 * fails at the end if there is any. Set PVM_TABLE_PRINT=1 to print the
 * whole table of cells; PVM_TABLE_DUMP=FILE writes the spec's cells for
 * the Promela model's comparison (tests/model/check.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"

#define PAGE	  PVM_PAGE_SIZE
#define MiB	  (1ull << 20)
#define RAM_BASE  PVM_SIM_RAM_BASE_DEFAULT
#define RAM_SIZE  (16 * MiB)
#define HYP_PAGES 512ull /* 2 MiB carve-out: metadata, host root, pool */
#define PA_BITS	  40
#define IPA_BITS  36
#define PINS_MAX  2 /* pins beyond this are checked as results, not explored */

/* ---- The components -------------------------------------------------------- */

enum vm_ix { VP, VA, VB, NVM };
#define NO_VM (-1)

static const bool vm_protected[NVM] = {true, false, false};
/* Where each guest maps the page (when it does): distinct, not block aligned. */
static const uint64_t vm_ipa[NVM] = {0x80005000ull, 0x40001000ull, 0x20003000ull};
/* Permissions the host lends with: B only reads, so the guest prot is seen to hold. */
static const pvm_prot_t lend_prot[NVM] = {PVM_PROT_RW, PVM_PROT_RW, PVM_PROT_R};

enum life { ACTIVE = PVM_VM_ACTIVE, DYING = PVM_VM_DYING, GONE };

/* Owner: the component ids of mem.h, guest VMs by index (only P can own). */
#define O_HOST	    0
#define O_HYP	    1
#define O_GUEST(vm) (2 + (vm))

/* What each owner writes into the page when it gets it with unknown contents. */
#define FILL_HOST 0x11
#define FILL_HYP  0x22
#define FILL_P	  0x33
#define UNKNOWN	  (-1)

/* ---- The spec model -------------------------------------------------------- */

struct spec {
	uint8_t owner;	   /* O_HOST, O_HYP or O_GUEST(VP) */
	bool hyp_borrows;  /* a host page lent to the hypervisor */
	uint8_t pins;	   /* the hypervisor's pins of it */
	bool host_borrows; /* P's page lent to the host */
	uint8_t guests;	   /* bit per VM: a host page lent to that (non-protected) VM */
	uint8_t life[NVM]; /* enum life; B is never torn down */
	/* Not part of the state: the page's bytes (UNKNOWN where the spec does
	 * not say), and whether the last transition had to zero and clean it. */
	int content;
	bool scrubbed;
};

static bool lends(const struct spec *s, int vm)
{
	return s->guests & (1u << vm);
}

static bool lent(const struct spec *s)
{
	return s->hyp_borrows || s->host_borrows || s->guests;
}

/* The VM has the page in its stage-2 (owned or borrowed): its IPA is taken. */
static bool maps(const struct spec *s, int vm)
{
	return s->owner == O_GUEST(vm) || lends(s, vm);
}

/* -- What each row requires of the page (the "before" column) -- */

/* host OWNED or SHARED_OWNED, hyp not borrowing */
static bool host_owns_unlent_to_hyp(const struct spec *s, int vm)
{
	(void)vm;
	return s->owner == O_HOST && !s->hyp_borrows;
}

/* host SHARED_OWNED, hyp borrowing */
static bool hyp_borrows(const struct spec *s, int vm)
{
	(void)vm;
	return s->owner == O_HOST && s->hyp_borrows;
}

/* hyp borrowing, pinned */
static bool hyp_borrows_pinned(const struct spec *s, int vm)
{
	return hyp_borrows(s, vm) && s->pins;
}

/* host OWNED: owned and lent to nobody */
static bool host_owned(const struct spec *s, int vm)
{
	(void)vm;
	return s->owner == O_HOST && !lent(s);
}

/* hyp OWNED (not its own carve-out: the page under test never is) */
static bool hyp_owned(const struct spec *s, int vm)
{
	(void)vm;
	return s->owner == O_HYP;
}

/* guest SHARED_BORROWED at the IPA */
static bool guest_borrows(const struct spec *s, int vm)
{
	return s->owner == O_HOST && lends(s, vm);
}

/* guest OWNED: owned and lent to nobody */
static bool guest_owned(const struct spec *s, int vm)
{
	return s->owner == O_GUEST(vm) && !lent(s);
}

/* guest SHARED_OWNED, host borrowing */
static bool guest_lends_host(const struct spec *s, int vm)
{
	return s->owner == O_GUEST(vm) && s->host_borrows;
}

static bool anything(const struct spec *s, int vm)
{
	(void)s, (void)vm;
	return true;
}

/* Teardown finish: "pages left to reclaim" refuses it. */
static bool vm_holds_nothing(const struct spec *s, int vm)
{
	return !maps(s, vm);
}

/* -- What pins refuse -- */

/* host unshare hyp: "no pins" */
static bool pinned(const struct spec *s)
{
	return s->pins != 0;
}

/* -- The result (the "after" column) -- */

static void lend_hyp(struct spec *s, int vm)
{
	(void)vm;
	s->hyp_borrows = true;
}

static void unlend_hyp(struct spec *s, int vm)
{
	(void)vm;
	s->hyp_borrows = false;
}

static void pin(struct spec *s, int vm)
{
	(void)vm;
	s->pins++;
}

static void unpin(struct spec *s, int vm)
{
	(void)vm;
	s->pins--;
}

/* Ownership moves; the spec does not say what the new owner finds in it. */
static void to_hyp(struct spec *s, int vm)
{
	(void)vm;
	s->owner = O_HYP;
	s->content = UNKNOWN;
}

static void to_host(struct spec *s, int vm)
{
	(void)vm;
	s->owner = O_HOST;
	s->content = UNKNOWN;
}

static void to_guest(struct spec *s, int vm)
{
	s->owner = (uint8_t)O_GUEST(vm);
	s->content = UNKNOWN;
}

static void lend_guest(struct spec *s, int vm)
{
	s->guests |= (uint8_t)(1u << vm);
}

static void unlend_guest(struct spec *s, int vm)
{
	s->guests &= (uint8_t) ~(1u << vm);
}

static void lend_host(struct spec *s, int vm)
{
	(void)vm;
	s->host_borrows = true;
}

static void unlend_host(struct spec *s, int vm)
{
	(void)vm;
	s->host_borrows = false;
}

/* "page zeroed, host OWNED, guest NOPAGE" */
static void relinquish(struct spec *s, int vm)
{
	(void)vm;
	s->owner = O_HOST;
	s->host_borrows = false;
	s->content = 0;
	s->scrubbed = true;
}

static void start_teardown(struct spec *s, int vm)
{
	s->life[vm] = DYING;
}

/* Guest-owned pages are zeroed and cleaned to PoC, lent pages just unshared. */
static void reclaim(struct spec *s, int vm)
{
	if (s->owner == O_GUEST(vm))
		relinquish(s, vm);
	unlend_guest(s, vm);
}

static void finish_teardown(struct spec *s, int vm)
{
	s->life[vm] = GONE;
}

/* ---- The table ------------------------------------------------------------- */

enum call {
	C_SHARE_HYP,
	C_UNSHARE_HYP,
	C_PIN,
	C_UNPIN,
	C_DONATE_HYP,
	C_HYP_DONATE_HOST,
	C_SHARE_GUEST,
	C_UNSHARE_GUEST,
	C_DONATE_GUEST,
	C_GUEST_SHARE_HOST,
	C_GUEST_UNSHARE_HOST,
	C_GUEST_RELINQUISH,
	C_TEARDOWN_START,
	C_RECLAIM,
	C_TEARDOWN_FINISH,
};

static const char *const call_name[] = {
	[C_SHARE_HYP] = "host_share_hyp",
	[C_UNSHARE_HYP] = "host_unshare_hyp",
	[C_PIN] = "hyp_pin_shared",
	[C_UNPIN] = "hyp_unpin_shared",
	[C_DONATE_HYP] = "host_donate_hyp",
	[C_HYP_DONATE_HOST] = "hyp_donate_host",
	[C_SHARE_GUEST] = "host_share_guest",
	[C_UNSHARE_GUEST] = "host_unshare_guest",
	[C_DONATE_GUEST] = "host_donate_guest",
	[C_GUEST_SHARE_HOST] = "guest_share_host",
	[C_GUEST_UNSHARE_HOST] = "guest_unshare_host",
	[C_GUEST_RELINQUISH] = "guest_relinquish_host",
	[C_TEARDOWN_START] = "vm_teardown_start",
	[C_RECLAIM] = "vm_reclaim",
	[C_TEARDOWN_FINISH] = "vm_teardown_finish",
};

/* Which kinds of VM the transition applies to (otherwise PVM_E_PERM). */
enum kind { ANY, PROT, NONPROT };
/* What the guest IPA must be: free (else PVM_E_EXISTS) or mapped (else PVM_E_NOENT). */
enum ipa_rule { NO_IPA, FREE, MAPPED };

struct row {
	enum call call;
	int vm;		/* NO_VM, or the VM named by the call */
	uint8_t life;	/* the lifecycle state the VM must be in (else PVM_E_STATE) */
	enum kind kind; /* else PVM_E_PERM */
	enum ipa_rule ipa;
	bool (*requires)(const struct spec *s, int vm); /* the page (else PVM_E_STATE) */
	bool (*busy)(const struct spec *s);		/* refused as PVM_E_BUSY */
	void (*apply)(struct spec *s, int vm);		/* the result */
};

/*
 * mem.h's transition table, one row per call on the page (plus vm.h's
 * teardown phases). "VM is": the lifecycle the VM must be in, else
 * PVM_E_STATE (no transition into a VM being torn down; reclaim and finish
 * only then), and PVM_E_NOENT once it is gone. "kind": ARCHITECTURE §5
 * says host share/unshare guest is for non-protected guests, host donate
 * guest and guest share/unshare/relinquish host for protected ones (mem.h:
 * a guest-initiated call from a non-protected VM is PVM_E_PERM). "IPA": the guest's IPA must be
 * free (PVM_E_EXISTS) or mapped (PVM_E_NOENT). "page must be": the "before" column, else
 * PVM_E_STATE.
 */
/* clang-format off */
static const struct row table[] = {
	/* call                VM     VM is   kind     IPA     page must be             busy if result */
	{C_SHARE_HYP,          NO_VM, ACTIVE, ANY,     NO_IPA, host_owns_unlent_to_hyp, NULL,   lend_hyp},
	{C_UNSHARE_HYP,        NO_VM, ACTIVE, ANY,     NO_IPA, hyp_borrows,             pinned, unlend_hyp},
	{C_PIN,                NO_VM, ACTIVE, ANY,     NO_IPA, hyp_borrows,             NULL,   pin},
	{C_UNPIN,              NO_VM, ACTIVE, ANY,     NO_IPA, hyp_borrows_pinned,      NULL,   unpin},
	{C_DONATE_HYP,         NO_VM, ACTIVE, ANY,     NO_IPA, host_owned,              NULL,   to_hyp},
	{C_HYP_DONATE_HOST,    NO_VM, ACTIVE, ANY,     NO_IPA, hyp_owned,               NULL,   to_host},
	{C_SHARE_GUEST,        VA,    ACTIVE, NONPROT, FREE,   host_owns_unlent_to_hyp, NULL,   lend_guest},
	{C_SHARE_GUEST,        VB,    ACTIVE, NONPROT, FREE,   host_owns_unlent_to_hyp, NULL,   lend_guest},
	{C_SHARE_GUEST,        VP,    ACTIVE, NONPROT, FREE,   host_owns_unlent_to_hyp, NULL,   lend_guest},
	{C_UNSHARE_GUEST,      VA,    ACTIVE, NONPROT, MAPPED, guest_borrows,           NULL,   unlend_guest},
	{C_UNSHARE_GUEST,      VB,    ACTIVE, NONPROT, MAPPED, guest_borrows,           NULL,   unlend_guest},
	{C_UNSHARE_GUEST,      VP,    ACTIVE, NONPROT, MAPPED, guest_borrows,           NULL,   unlend_guest},
	{C_DONATE_GUEST,       VP,    ACTIVE, PROT,    FREE,   host_owned,              NULL,   to_guest},
	{C_DONATE_GUEST,       VA,    ACTIVE, PROT,    FREE,   host_owned,              NULL,   to_guest},
	{C_GUEST_SHARE_HOST,   VP,    ACTIVE, PROT,    MAPPED, guest_owned,             NULL,   lend_host},
	{C_GUEST_SHARE_HOST,   VA,    ACTIVE, PROT,    MAPPED, guest_owned,             NULL,   lend_host},
	{C_GUEST_UNSHARE_HOST, VP,    ACTIVE, PROT,    MAPPED, guest_lends_host,        NULL,   unlend_host},
	{C_GUEST_UNSHARE_HOST, VA,    ACTIVE, PROT,    MAPPED, guest_lends_host,        NULL,   unlend_host},
	{C_GUEST_RELINQUISH,   VP,    ACTIVE, PROT,    MAPPED, guest_owned,             NULL,   relinquish},
	{C_GUEST_RELINQUISH,   VA,    ACTIVE, PROT,    MAPPED, guest_owned,             NULL,   relinquish},
	{C_TEARDOWN_START,     VP,    ACTIVE, ANY,     NO_IPA, anything,                NULL,   start_teardown},
	{C_RECLAIM,            VP,    DYING,  ANY,     NO_IPA, anything,                NULL,   reclaim},
	{C_TEARDOWN_FINISH,    VP,    DYING,  ANY,     NO_IPA, vm_holds_nothing,        NULL,   finish_teardown},
	{C_TEARDOWN_START,     VA,    ACTIVE, ANY,     NO_IPA, anything,                NULL,   start_teardown},
	{C_RECLAIM,            VA,    DYING,  ANY,     NO_IPA, anything,                NULL,   reclaim},
	{C_TEARDOWN_FINISH,    VA,    DYING,  ANY,     NO_IPA, vm_holds_nothing,        NULL,   finish_teardown},
};
/* clang-format on */

#define NROWS (sizeof(table) / sizeof(table[0]))

static const char *const vm_name[NVM] = {"P", "A", "B"};
static char row_names[NROWS][40];

/* "host_share_guest(A)" */
static const char *name_of(const struct row *r)
{
	char *n = row_names[r - table];

	if (!n[0])
		snprintf(n, sizeof(row_names[0]), "%s%s%s%s", call_name[r->call],
			 r->vm == NO_VM ? "" : "(", r->vm == NO_VM ? "" : vm_name[r->vm],
			 r->vm == NO_VM ? "" : ")");
	return n;
}

#define ST(s) (1u << -(s))

/*
 * The statuses the spec allows for a row in a state: every code whose
 * meaning holds (mem.h does not rank them), or PVM_OK alone.
 */
static unsigned allowed(const struct row *r, const struct spec *s)
{
	unsigned err = 0;
	bool page = true; /* there is a page to judge */

	if (r->vm != NO_VM) {
		if (s->life[r->vm] == GONE)
			return ST(PVM_E_NOENT); /* no such VM */
		if (s->life[r->vm] != r->life)
			err |= ST(PVM_E_STATE); /* being torn down (or not yet) */
		if ((r->kind == PROT && !vm_protected[r->vm]) ||
		    (r->kind == NONPROT && vm_protected[r->vm]))
			err |= ST(PVM_E_PERM);
	}
	if (r->ipa == FREE && maps(s, r->vm))
		err |= ST(PVM_E_EXISTS);
	if (r->ipa == MAPPED && !maps(s, r->vm)) {
		err |= ST(PVM_E_NOENT);
		page = false; /* the call names the page by the IPA: there is none */
	}
	if (page && !r->requires(s, r->vm))
		err |= ST(PVM_E_STATE);
	else if (page && r->busy && r->busy(s))
		err |= ST(PVM_E_BUSY);
	return err ? err : ST(PVM_OK);
}

/* The state after a call that the spec says succeeds. */
static struct spec after(const struct row *r, const struct spec *s)
{
	struct spec n = *s;

	n.scrubbed = false;
	r->apply(&n, r->vm);
	return n;
}

/* The owner of a page with contents the spec leaves open writes its own bytes. */
static int fill_of(uint8_t owner)
{
	return owner == O_HOST ? FILL_HOST : owner == O_HYP ? FILL_HYP : FILL_P;
}

static bool same_state(const struct spec *a, const struct spec *b)
{
	return a->owner == b->owner && a->hyp_borrows == b->hyp_borrows && a->pins == b->pins &&
	       a->host_borrows == b->host_borrows && a->guests == b->guests &&
	       !memcmp(a->life, b->life, sizeof(a->life));
}

/* ---- Reachable states: breadth-first over the model ------------------------ */

#define MAX_STATES 512

static struct spec states[MAX_STATES];
static int parent[MAX_STATES], via[MAX_STATES];
static int nstates;

static int find_state(const struct spec *s)
{
	for (int i = 0; i < nstates; i++)
		if (same_state(&states[i], s))
			return i;
	return -1;
}

static void explore(void)
{
	states[0] = (struct spec){.owner = O_HOST, .content = FILL_HOST};
	parent[0] = via[0] = -1;
	nstates = 1;
	for (int i = 0; i < nstates; i++) {
		for (unsigned t = 0; t < NROWS; t++) {
			struct spec n;

			if (allowed(&table[t], &states[i]) != ST(PVM_OK))
				continue;
			n = after(&table[t], &states[i]);
			n.scrubbed = false;
			if (n.content == UNKNOWN)
				n.content = fill_of(n.owner);
			if (n.pins > PINS_MAX || find_state(&n) >= 0)
				continue;
			assert_true(nstates < MAX_STATES);
			states[nstates] = n;
			parent[nstates] = i;
			via[nstates] = (int)t;
			nstates++;
		}
	}
}

/* One component's state, as mem.h names them. */
static const char *comp_state(const struct spec *s, int comp)
{
	static const char *const names[] = {"OWNED", "SHARED_OWNED", "SHARED_BORROWED", "-"};
	bool owner = s->owner == comp, borrows;

	switch (comp) {
	case O_HOST:
		borrows = s->host_borrows;
		break;
	case O_HYP:
		borrows = s->hyp_borrows;
		break;
	default:
		borrows = lends(s, comp - 2);
	}
	if (owner)
		return names[lent(s) ? PVM_PAGE_SHARED_OWNED : PVM_PAGE_OWNED];
	return names[borrows ? PVM_PAGE_SHARED_BORROWED : PVM_PAGE_NOPAGE];
}

static void describe(const struct spec *s, char *buf, size_t len)
{
	static const char *const lives[] = {"", " (dying)", " (gone)"};

	snprintf(buf, len, "host %s, hyp %s pins %u, P %s%s, A %s%s, B %s", comp_state(s, O_HOST),
		 comp_state(s, O_HYP), s->pins, comp_state(s, O_GUEST(VP)), lives[s->life[VP]],
		 comp_state(s, O_GUEST(VA)), lives[s->life[VA]], comp_state(s, O_GUEST(VB)));
}

/* ---- The machine ----------------------------------------------------------- */

static struct pvm_hyp *hyp;

static struct {
	uint64_t x;			/* the page under test */
	unsigned h[NVM];		/* VM handles */
	uint16_t vmid[NVM];		/* their VMIDs */
	uint64_t vm_pages[NVM];		/* first page each VM was created from */
	uint64_t nvm_pages;		/* pages a VM is created from */
	uint64_t vtcr[NVM], vttbr[NVM]; /* each guest's regime, kept after it is gone */
} m;

/* The cell being checked, and what went wrong so far. */
static char cell[256];
static unsigned failures, printed;
static bool print_all;

#define MAX_PRINTED 150

__attribute__((format(printf, 1, 2))) static void mismatch(const char *fmt, ...)
{
	char what[256];
	va_list ap;

	failures++;
	if (printed >= MAX_PRINTED)
		return;
	printed++;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	print_message("MISMATCH %s: %s\n", cell, what);
}

static void check_invariants(const char *when)
{
	struct pvm_mem_report r = {0};
	unsigned bbm;

	if (pvm_mem_check(hyp, &r) != PVM_OK)
		mismatch("%s: pvm_mem_check: %s (pa 0x%llx vm %u)", when, r.what,
			 (unsigned long long)r.pa, r.vm);
	bbm = pvm_sim_bbm_check();
	if (bbm)
		mismatch("%s: %u break-before-make violation(s): %s", when, bbm,
			 pvm_sim_bbm_last());
}

static pvm_status_t host_copy(void *buf, bool write)
{
	return pvm_sim_s2_copy(pvm_stage2_vtcr(&hyp->host), pvm_stage2_vttbr(&hyp->host), m.x, buf,
			       PAGE, write, NULL);
}

static pvm_status_t guest_copy(int vm, void *buf, bool write)
{
	return pvm_sim_s2_copy(m.vtcr[vm], m.vttbr[vm], vm_ipa[vm], buf, PAGE, write, NULL);
}

/* A fresh machine: host owns everything but the carve-out; P, A and B exist. */
static bool boot(void)
{
	const struct pvm_sim_config sc = {.ram_base = RAM_BASE, .ram_size = RAM_SIZE};
	struct pvm_hyp_config mc = {.ram_base = RAM_BASE, .ram_size = RAM_SIZE, .pa_bits = PA_BITS};
	static uint8_t fill[PAGE];
	pvm_paddr_t carve, block, vmp;

	assert_int_equal(pvm_sim_init(&sc), PVM_OK);
	assert_int_equal(pvm_sim_carve(HYP_PAGES, HYP_PAGES, &carve), PVM_OK);
	mc.hyp_base = pvm_pa_val(carve);
	mc.hyp_size = HYP_PAGES * PAGE;
	/* The page lies inside a 2 MiB block of the host's identity map. */
	assert_int_equal(pvm_sim_carve(512, 512, &block), PVM_OK);
	m.x = pvm_pa_val(block) + 5 * PAGE;
	m.nvm_pages = pvm_vm_create_pages(IPA_BITS);
	for (int i = 0; i < NVM; i++) {
		assert_int_equal(pvm_sim_carve(m.nvm_pages, pvm_stage2_root_pages(IPA_BITS), &vmp),
				 PVM_OK);
		m.vm_pages[i] = pvm_pa_val(vmp);
	}
	assert_int_equal(pvm_hyp_init(&mc, &hyp, NULL), PVM_OK);
	assert_int_equal(pvm_sim_bbm_watch(pvm_mem_host_vtcr(hyp), pvm_mem_host_vttbr(hyp)),
			 PVM_OK);
	for (int i = 0; i < NVM; i++) {
		struct pvm_vm_config vc = {.ipa_bits = IPA_BITS, .protected_vm = vm_protected[i]};
		struct pvm_vm_info info;

		assert_int_equal(
			pvm_vm_create(hyp, &vc, pvm_pa(m.vm_pages[i]), m.nvm_pages, &m.h[i], NULL),
			PVM_OK);
		assert_int_equal(pvm_vm_info(hyp, m.h[i], &info), PVM_OK);
		m.vmid[i] = info.vmid;
		m.vtcr[i] = info.vtcr;
		m.vttbr[i] = info.vttbr;
		assert_int_equal(pvm_sim_bbm_watch(info.vtcr, info.vttbr), PVM_OK);
	}
	memset(fill, FILL_HOST, sizeof(fill));
	assert_int_equal(host_copy(fill, true), PVM_OK);
	check_invariants("boot");
	return true;
}

static unsigned owner_id(uint8_t owner)
{
	return owner >= O_GUEST(0) ? PVM_ID_GUEST(m.h[owner - O_GUEST(0)]) : owner;
}

/* Make the call of a row on the page. */
static pvm_status_t call(const struct row *r, uint64_t *left)
{
	const pvm_paddr_t pa = pvm_pa(m.x);
	const unsigned h = r->vm == NO_VM ? 0 : m.h[r->vm];
	const pvm_ipa_t ipa = pvm_ipa(r->vm == NO_VM ? 0 : vm_ipa[r->vm]);
	pvm_status_t ret;

	switch (r->call) {
	case C_SHARE_HYP:
		return pvm_host_share_hyp(hyp, pa, 1, NULL);
	case C_UNSHARE_HYP:
		return pvm_host_unshare_hyp(hyp, pa, 1, NULL);
	case C_PIN:
		return pvm_hyp_pin_shared(hyp, pa, 1);
	case C_UNPIN:
		return pvm_hyp_unpin_shared(hyp, pa, 1);
	case C_DONATE_HYP:
		return pvm_host_donate_hyp(hyp, pa, 1, NULL);
	case C_HYP_DONATE_HOST:
		return pvm_hyp_donate_host(hyp, pa, 1, NULL);
	case C_SHARE_GUEST:
		return pvm_host_share_guest(hyp, h, pa, ipa, 1, lend_prot[r->vm], NULL);
	case C_UNSHARE_GUEST:
		return pvm_host_unshare_guest(hyp, h, ipa, 1, NULL);
	case C_DONATE_GUEST:
		return pvm_host_donate_guest(hyp, h, pa, ipa, 1, NULL);
	case C_GUEST_SHARE_HOST:
		return pvm_guest_share_host(hyp, h, ipa, 1, NULL);
	case C_GUEST_UNSHARE_HOST:
		return pvm_guest_unshare_host(hyp, h, ipa, 1, NULL);
	case C_GUEST_RELINQUISH:
		return pvm_guest_relinquish_host(hyp, h, ipa, 1, NULL);
	case C_TEARDOWN_START:
		return pvm_vm_teardown_start(hyp, h);
	case C_RECLAIM:
		return pvm_vm_reclaim(hyp, h, 16, left, NULL);
	case C_TEARDOWN_FINISH:
		ret = pvm_vm_teardown_finish(hyp, h);
		if (ret == PVM_OK)
			pvm_sim_bbm_unwatch(m.vmid[r->vm]);
		return ret;
	}
	return PVM_E_INVAL;
}

/* The new owner of a page whose contents the spec leaves open writes its bytes into it. */
static void refill(const struct spec *s)
{
	static uint8_t fill[PAGE];
	pvm_status_t ret;

	memset(fill, fill_of(s->owner), sizeof(fill));
	if (s->owner == O_HYP) {
		memcpy(pvm_sim_ram(pvm_pa(m.x), PAGE), fill, PAGE); /* the hyp has no stage-2 */
		return;
	}
	ret = s->owner == O_HOST ? host_copy(fill, true) : guest_copy(VP, fill, true);
	if (ret != PVM_OK)
		mismatch("the owner cannot write its page to fill it: %s", pvm_strerror(ret));
}

/* Drive a fresh machine to state i along the search's path. */
static bool drive(int i)
{
	int path[MAX_STATES], n = 0;
	struct spec s = states[0];

	for (int j = i; parent[j] >= 0; j = parent[j])
		path[n++] = via[j];
	while (n--) {
		const struct row *r = &table[path[n]];
		uint64_t left = 0;
		pvm_status_t ret = call(r, &left);

		if (ret != PVM_OK) {
			mismatch("on the way there, %s: %s", name_of(r), pvm_strerror(ret));
			return false;
		}
		check_invariants(name_of(r));
		s = after(r, &s);
		if (s.content == UNKNOWN) {
			refill(&s);
			s.content = fill_of(s.owner);
		}
	}
	return true;
}

/* ---- What the machine shows, and what the spec says it should ------------- */

struct access {
	int r, w, x; /* 1 can, 0 cannot, -1 the spec does not say */
};

struct view {
	/* pvm_mem_page() */
	unsigned owner, state, guests, pins;
	bool hyp_borrows, host_borrows;
	/* the host stage-2 at the page */
	bool host_mapped;
	uint64_t host_pa;
	unsigned host_sw, host_annot;
	/* each VM: pvm_vm_info(), its stage-2 at its IPA, the pages it was created from */
	struct {
		bool exists, mapped;
		unsigned life, sw;
		uint64_t pages, pa;
		unsigned own_owner; /* owner of the pages it was created from */
		int own_zero;	    /* those pages hold zeroes (-1: not said) */
	} vm[NVM];
	/* by access: host, P, A, B */
	struct access acc[1 + NVM];
	/* the page's bytes: a byte it is full of, -2 mixed, -1 not said */
	int content;
};

static unsigned sw_of(pvm_prot_t prot)
{
	return (prot & PVM_PROT_SW_MASK) >> PVM_PROT_SW_SHIFT;
}

static int uniform(uint64_t pa, uint64_t len)
{
	const uint8_t *p = pvm_sim_ram(pvm_pa(pa), len);

	for (uint64_t i = 1; i < len; i++)
		if (p[i] != p[0])
			return -2;
	return p[0];
}

/* Play the component: read the page, write back what was read, try to execute it. */
static void probe(uint64_t vtcr, uint64_t vttbr, uint64_t addr, struct access *a)
{
	static uint8_t buf[PAGE];
	struct pvm_sim_s2_result res;
	pvm_status_t r, w;

	r = pvm_sim_s2_copy(vtcr, vttbr, addr, buf, PAGE, false, NULL);
	if (r != PVM_OK)
		memset(buf, 0xee, sizeof(buf));
	w = pvm_sim_s2_copy(vtcr, vttbr, addr, buf, PAGE, true, NULL);
	if ((r != PVM_OK && r != PVM_E_PERM) || (w != PVM_OK && w != PVM_E_PERM) ||
	    pvm_sim_s2_translate(vtcr, vttbr, addr, PVM_SIM_EXEC, &res) != PVM_OK)
		mismatch("the simulated MMU cannot walk the regime at 0x%llx",
			 (unsigned long long)addr);
	a->r = r == PVM_OK;
	a->w = w == PVM_OK;
	a->x = !res.fault;
}

static void observe(struct view *v)
{
	struct pvm_page_info pi = {0};
	struct pvm_stage2_mapping mm;
	pvm_status_t ret;

	memset(v, 0, sizeof(*v));
	if (pvm_mem_page(hyp, pvm_pa(m.x), &pi) != PVM_OK)
		mismatch("pvm_mem_page fails");
	v->owner = pi.owner;
	v->state = pi.state;
	v->hyp_borrows = pi.hyp_borrows;
	v->host_borrows = pi.host_borrows;
	v->guests = pi.guests;
	v->pins = pi.pins;

	ret = pvm_stage2_lookup(&hyp->host, pvm_ipa(m.x), &mm);
	v->host_mapped = ret == PVM_OK;
	v->host_pa = pvm_pa_val(mm.pa);
	v->host_sw = sw_of(mm.prot);
	v->host_annot = mm.owner;
	/* Before the probes: a write that should fault and does not must not hide here. */
	v->content = uniform(m.x, PAGE);
	probe(pvm_stage2_vtcr(&hyp->host), pvm_stage2_vttbr(&hyp->host), m.x, &v->acc[0]);

	for (int i = 0; i < NVM; i++) {
		struct pvm_vm_info info;
		struct pvm_page_info own;

		if (pvm_mem_page(hyp, pvm_pa(m.vm_pages[i]), &own) != PVM_OK)
			mismatch("pvm_mem_page fails");
		v->vm[i].own_owner = own.owner;
		for (uint64_t k = 1; k < m.nvm_pages; k++)
			if (pvm_mem_page(hyp, pvm_pa(m.vm_pages[i] + k * PAGE), &own) != PVM_OK ||
			    own.owner != v->vm[i].own_owner)
				v->vm[i].own_owner = ~0u;
		v->vm[i].own_zero = uniform(m.vm_pages[i], m.nvm_pages * PAGE) == 0;
		if (pvm_vm_info(hyp, m.h[i], &info) != PVM_OK)
			continue;
		v->vm[i].exists = true;
		v->vm[i].life = info.state;
		v->vm[i].pages = info.pages;
		ret = pvm_stage2_lookup(&hyp->vms[m.h[i]]->s2, pvm_ipa(vm_ipa[i]), &mm);
		v->vm[i].mapped = ret == PVM_OK;
		v->vm[i].pa = pvm_pa_val(mm.pa);
		v->vm[i].sw = sw_of(mm.prot);
		probe(info.vtcr, info.vttbr, vm_ipa[i], &v->acc[1 + i]);
	}
}

/* What mem.h says every component sees of a page in state s. */
static void predict(const struct spec *s, struct view *v)
{
	const bool host_has = s->owner == O_HOST || s->host_borrows;

	memset(v, 0, sizeof(*v));
	v->owner = owner_id(s->owner);
	/* The owner's state is SHARED_OWNED exactly when the page has a borrower. */
	v->state = lent(s) ? PVM_PAGE_SHARED_OWNED : PVM_PAGE_OWNED;
	v->hyp_borrows = s->hyp_borrows;
	v->host_borrows = s->host_borrows;
	v->guests = (unsigned)__builtin_popcount(s->guests);
	v->pins = s->pins;

	/* The host stage-2 maps, as an identity, exactly what the host owns or
	 * borrows, with its state in the software bits; any other page's
	 * invalid entry carries the owner's id. */
	v->host_mapped = host_has;
	v->host_pa = m.x;
	v->host_sw = s->owner == O_HOST ? v->state : PVM_PAGE_SHARED_BORROWED;
	v->host_annot = v->owner;
	v->acc[0] = (struct access){host_has, host_has, -1};

	for (int i = 0; i < NVM; i++) {
		const bool owns = s->owner == O_GUEST(i);

		v->vm[i].exists = s->life[i] != GONE;
		v->vm[i].life = s->life[i];
		v->vm[i].pages = maps(s, i);
		v->vm[i].mapped = maps(s, i);
		v->vm[i].pa = m.x;
		v->vm[i].sw = owns ? v->state : PVM_PAGE_SHARED_BORROWED;
		/* A VM's own pages are the hyp's until teardown gives them back, zeroed. */
		v->vm[i].own_owner = s->life[i] == GONE ? PVM_ID_HOST : PVM_ID_HYP;
		v->vm[i].own_zero = s->life[i] == GONE ? 1 : -1;
		if (owns) /* donated: mapped RWX */
			v->acc[1 + i] = (struct access){1, 1, 1};
		else if (lends(s, i)) /* lent with lend_prot[] */
			v->acc[1 + i] = (struct access){!!(lend_prot[i] & PVM_PROT_R),
							!!(lend_prot[i] & PVM_PROT_W),
							!!(lend_prot[i] & PVM_PROT_X)};
		else
			v->acc[1 + i] = (struct access){0, 0, 0};
	}
	v->content = s->content;
}

#define SAME(field)                                                                                \
	do {                                                                                       \
		if (want->field != got->field)                                                     \
			mismatch("%s%s: expected %llu, got %llu", when, #field,                    \
				 (unsigned long long)want->field, (unsigned long long)got->field); \
	} while (0)

static void compare(const char *when, const struct view *want, const struct view *got)
{
	static const char *const who[] = {"host", "P", "A", "B"};
	static const char *const how[] = {"read", "write", "execute"};

	SAME(owner);
	SAME(state);
	SAME(hyp_borrows);
	SAME(host_borrows);
	SAME(guests);
	SAME(pins);
	SAME(host_mapped);
	if (want->host_mapped && got->host_mapped) {
		SAME(host_pa);
		SAME(host_sw);
	} else if (!want->host_mapped && !got->host_mapped) {
		SAME(host_annot);
	}
	for (int i = 0; i < NVM; i++) {
		SAME(vm[i].own_owner);
		if (want->vm[i].own_zero >= 0)
			SAME(vm[i].own_zero);
		SAME(vm[i].exists);
		if (!want->vm[i].exists || !got->vm[i].exists)
			continue;
		SAME(vm[i].life);
		SAME(vm[i].pages);
		SAME(vm[i].mapped);
		if (want->vm[i].mapped && got->vm[i].mapped) {
			SAME(vm[i].pa);
			SAME(vm[i].sw);
		}
	}
	for (int c = 0; c < 1 + NVM; c++) {
		const int w[] = {want->acc[c].r, want->acc[c].w, want->acc[c].x};
		const int g[] = {got->acc[c].r, got->acc[c].w, got->acc[c].x};

		if (c > 0 && !got->vm[c - 1].exists)
			continue;
		for (int k = 0; k < 3; k++)
			if (w[k] >= 0 && w[k] != g[k])
				mismatch("%s%s %s %s the page", when, who[c],
					 w[k] ? "cannot" : "can", how[k]);
	}
	if (want->content != UNKNOWN && want->content != got->content)
		mismatch("%scontents: expected all 0x%02x, got %s0x%02x", when, want->content,
			 got->content < 0 ? "mixed, not " : "all ",
			 got->content < 0 ? want->content : got->content);
}

/* ---- Digests of everything else -------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		h = (h ^ (v & 0xff)) * 0x100000001b3ull;
	return h;
}

/* Every entry of a regime, as it is in memory: for "a failing call changes nothing". */
static int raw_visit(const struct pvm_stage2_visit *v, void *arg)
{
	uint64_t *h = arg;

	*h = mix(mix(mix(mix(*h, v->kind), v->level), v->addr), v->desc);
	*h = mix(*h, pvm_pa_val(v->table));
	return 0;
}

/*
 * What a regime translates, outside one page: runs of IPAs with the same
 * attributes and contiguous output (or the same annotation), however the
 * tables are split. For "a transition changes nothing but its page".
 */
struct run {
	uint64_t start, end, pa, attr;
	bool valid;
};

#define MAX_HOLES (1 + NVM)

struct others {
	uint64_t hash;
	uint64_t hole[MAX_HOLES][2]; /* [start, end) left out */
	unsigned nholes;
	struct run cur;
	bool have;
};

static void flush(struct others *o)
{
	if (o->have)
		o->hash = mix(mix(mix(mix(mix(o->hash, o->cur.start), o->cur.end), o->cur.valid),
				  o->cur.pa),
			      o->cur.attr);
	o->have = false;
}

static void add_run(struct others *o, struct run r)
{
	if (o->have && o->cur.end == r.start && o->cur.valid == r.valid && o->cur.attr == r.attr &&
	    (!r.valid || o->cur.pa + (o->cur.end - o->cur.start) == r.pa)) {
		o->cur.end = r.end;
		return;
	}
	flush(o);
	o->cur = r;
	o->have = true;
}

/* Add what of r lies outside holes k and after: [start, hole) and [hole end, end). */
static void add_outside(struct others *o, struct run r, unsigned k)
{
	struct run lo = r, hi = r;

	if (r.start >= r.end)
		return;
	if (k >= o->nholes || k >= MAX_HOLES) {
		add_run(o, r);
		return;
	}
	if (lo.end > o->hole[k][0])
		lo.end = lo.start < o->hole[k][0] ? o->hole[k][0] : lo.start;
	if (hi.start < o->hole[k][1]) {
		uint64_t to = hi.end < o->hole[k][1] ? hi.end : o->hole[k][1];

		if (hi.valid)
			hi.pa += to - hi.start;
		hi.start = to;
	}
	add_outside(o, lo, k + 1);
	add_outside(o, hi, k + 1);
}

static int others_visit(const struct pvm_stage2_visit *v, void *arg)
{
	struct others *o = arg;
	struct run r = {.start = v->addr, .end = v->end, .valid = v->desc & 1};

	if (r.valid) {
		r.pa = (v->desc & 0x0000fffffffff000ull) + (v->addr - v->base);
		r.attr = pvm_stage2_decode_prot(v->desc);
	} else if (v->desc) {
		r.attr = v->desc; /* an annotation */
	} else {
		return 0;
	}
	add_outside(o, r, 0);
	return 0;
}

#define FNV_BASIS 0xcbf29ce484222325ull

struct digest {
	uint64_t raw;		  /* every table entry of every regime */
	uint64_t others[1 + NVM]; /* what each regime translates, outside the page */
	bool exists[1 + NVM];	  /* the regime exists */
	uint64_t meta;		  /* metadata of every other page */
};

/* Digest one regime, leaving out the given IPA ranges from d->others[ix]. */
static void regime_digest(const struct pvm_stage2 *s2, uint64_t size, struct others *o,
			  struct digest *d, int ix)
{
	d->raw = mix(d->raw, (uint64_t)ix);
	if (!s2)
		return;
	d->exists[ix] = true;
	o->hash = FNV_BASIS;
	if (pvm_stage2_walk(s2, pvm_ipa(0), size,
			    PVM_S2_VISIT_LEAF | PVM_S2_VISIT_TABLE_PRE | PVM_S2_VISIT_TABLE_POST,
			    raw_visit, &d->raw) != PVM_OK ||
	    pvm_stage2_walk(s2, pvm_ipa(0), size, PVM_S2_VISIT_LEAF, others_visit, o) != PVM_OK)
		mismatch("pvm_stage2_walk fails");
	flush(o);
	d->others[ix] = o->hash;
}

static bool vm_page(uint64_t pa)
{
	for (int i = 0; i < NVM; i++)
		if (pa >= m.vm_pages[i] && pa < m.vm_pages[i] + m.nvm_pages * PAGE)
			return true;
	return false;
}

static void snapshot(struct digest *d)
{
	struct others o = {.hole = {{m.x, m.x + PAGE}}, .nholes = 1};

	*d = (struct digest){.raw = FNV_BASIS, .meta = FNV_BASIS};
	/* The page and the VMs' own pages are in the view; everything else is here. */
	for (int i = 0; i < NVM; i++) {
		o.hole[1 + i][0] = m.vm_pages[i];
		o.hole[1 + i][1] = m.vm_pages[i] + m.nvm_pages * PAGE;
	}
	o.nholes = 1 + NVM;
	regime_digest(&hyp->host, 1ull << PA_BITS, &o, d, 0);
	for (int i = 0; i < NVM; i++) {
		struct pvm_vm *vm = hyp->vms[m.h[i]];
		struct others g = {.hole = {{vm_ipa[i], vm_ipa[i] + PAGE}}, .nholes = 1};

		regime_digest(vm ? &vm->s2 : NULL, 1ull << IPA_BITS, &g, d, 1 + i);
	}
	for (uint64_t pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE; pa += PAGE) {
		struct pvm_page_info pi;

		if (pa == m.x || vm_page(pa))
			continue;
		if (pvm_mem_page(hyp, pvm_pa(pa), &pi) != PVM_OK)
			mismatch("pvm_mem_page fails");
		d->meta = mix(mix(mix(mix(mix(d->meta, pi.owner), pi.state),
				      pi.hyp_borrows | pi.host_borrows << 1),
				  pi.guests),
			      pi.pins);
	}
}

/* ---- The cells ------------------------------------------------------------- */

static void status_set(unsigned set, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (int s = 0; s < 32 && n < len; s++)
		if (set & (1u << s))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " or " : "",
					      pvm_strerror(-s));
}

static void check_cell(int si, unsigned t)
{
	const struct row *r = &table[t];
	const struct spec *s = &states[si];
	const unsigned ok = allowed(r, s);
	struct spec next = *s;
	struct view want, got;
	struct digest d0, d1;
	struct pvm_sim_stats st0, st1;
	uint64_t left = ~0ull;
	pvm_status_t ret;
	char desc[160], set[96];

	describe(s, desc, sizeof(desc));
	snprintf(cell, sizeof(cell), "[state %d: %s] x %s", si, desc, name_of(r));
	if (!boot() || !drive(si))
		goto out;
	/* Once per state: the machine is where the spec says the path leads. */
	observe(&got);
	if (t == 0) {
		predict(s, &want);
		compare("before: ", &want, &got);
	}
	snapshot(&d0);
	pvm_sim_get_stats(&st0);
	ret = call(r, &left);
	pvm_sim_get_stats(&st1);
	check_invariants(name_of(r));
	snapshot(&d1);

	status_set(ok, set, sizeof(set));
	if (!(ok & ST(ret)))
		mismatch("status: expected %s, got %s", set, pvm_strerror(ret));
	if (ok == ST(PVM_OK)) {
		next = after(r, s);
		if (r->call == C_RECLAIM && left != 0)
			mismatch("reclaim left %llu pages, expected 0", (unsigned long long)left);
		/* vm.h: "every page the guest owned is zeroed and cleaned to the
		 * Point of Coherency before the host gets it back". */
		if (next.scrubbed && st1.dcache_cleans == st0.dcache_cleans)
			mismatch("the page must be zeroed and cleaned to PoC: nothing was cleaned");
		for (int k = 0; k < 1 + NVM; k++)
			if (d0.exists[k] && d1.exists[k] && d0.others[k] != d1.others[k])
				mismatch("%s translates another page differently",
					 k ? "a guest stage-2" : "the host stage-2");
	} else {
		/* A failing call changes nothing: no table entry, no TLB state, no cache. */
		if (d0.raw != d1.raw)
			mismatch("failed, but a stage-2 table entry changed");
		if (st0.tlbi_ipa != st1.tlbi_ipa || st0.tlbi_vmid != st1.tlbi_vmid)
			mismatch("failed, but invalidated TLB entries");
		if (st0.dcache_cleans != st1.dcache_cleans)
			mismatch("failed, but cleaned the data cache");
	}
	if (d0.meta != d1.meta)
		mismatch("metadata of another page changed");
	predict(&next, &want);
	observe(&got);
	compare("after: ", &want, &got);
	check_invariants("after the probes");
	if (print_all) {
		char to[160];

		describe(&next, to, sizeof(to));
		print_message("%3d %-24s %-46s -> %-14s %s\n", si, name_of(r), set,
			      pvm_strerror(ret), ok == ST(PVM_OK) ? to : "(unchanged)");
	}
out:
	pvm_sim_fini();
}

static void dump_state(FILE *f, const struct spec *s)
{
	fprintf(f, "%u %u %u %u %u %u %u %u", s->owner, s->hyp_borrows, s->pins, s->host_borrows,
		s->guests, s->life[VP], s->life[VA], s->life[VB]);
}

/*
 * PVM_TABLE_DUMP=FILE: the spec's table, cell by cell, in the format of
 * the Promela model's (tests/model/mem.pml -DTABLE), so that
 * tests/model/check.sh can prove model and spec agree: "CELL <state> : <row>
 * <status bits> [-> <state after>]".
 */
static void dump_table(const char *path)
{
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < nstates; i++)
		for (unsigned t = 0; t < NROWS; t++) {
			unsigned ok = allowed(&table[t], &states[i]);

			fprintf(f, "CELL ");
			dump_state(f, &states[i]);
			fprintf(f, " : %u %u", t, ok);
			if (ok == ST(PVM_OK)) {
				struct spec n = after(&table[t], &states[i]);

				fprintf(f, " -> ");
				dump_state(f, &n);
			}
			fprintf(f, "\n");
		}
	assert_int_equal(fclose(f), 0);
}

static void test_transition_table(void **state)
{
	unsigned cells = 0, ok_cells = 0, ambiguous = 0;
	const char *env = getenv("PVM_TABLE_PRINT");

	(void)state;
	print_all = env && *env && *env != '0';
	explore();
	for (int i = 0; i < nstates; i++) {
		char desc[160];

		describe(&states[i], desc, sizeof(desc));
		if (print_all)
			print_message("state %3d: %s\n", i, desc);
	}
	dump_table(getenv("PVM_TABLE_DUMP"));
	for (int i = 0; i < nstates; i++) {
		for (unsigned t = 0; t < NROWS; t++) {
			unsigned ok = allowed(&table[t], &states[i]);

			check_cell(i, t);
			cells++;
			ok_cells += ok == ST(PVM_OK);
			ambiguous += __builtin_popcount(ok) > 1;
		}
	}
	print_message("%d reachable states (pins <= %d), %zu transitions, %u cells checked "
		      "(%u succeed, %u fail, %u with several applicable codes), %u mismatches\n",
		      nstates, PINS_MAX, NROWS, cells, ok_cells, cells - ok_cells, ambiguous,
		      failures);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
