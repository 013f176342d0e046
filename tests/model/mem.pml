/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The ownership protocol of mem.h as a Promela model, checked with spin.
 *
 * One page, the components that can hold it (the host, the hypervisor,
 * the protected VM P, the non-protected VMs A and B), its metadata as
 * mem.h keeps it, and what each component's stage-2 grants (the "views",
 * what an MMU would let it do). The transitions are the rows of the table
 * unit.mem_table checks the code against, in the same order, written here
 * again from mem.h; each commits in the code's order: revoke what is lost,
 * update the metadata, scrub, grant what is gained.
 *
 * Verification (the default): two CPUs each make a few transitions at once
 * under the documented locking (the memory lock, then the VM's lock), P's
 * vCPU writes a secret into the page whenever its stage-2 lets it, and a
 * monitor asserts in every reachable state:
 *   - no component reaches the page unless it owns or borrows it, and the
 *     host never sees P's secret unless P lent it the page;
 *   - whenever the memory lock is free, the views are exactly what the
 *     metadata says and the metadata is well formed (pvm_mem_check());
 * and spin reports any deadlock as an invalid end state.
 * Seeded bugs show the checks can fail: -DBUG_GRANT_FIRST (relinquish
 * grants the host before the scrub), -DBUG_LOCK_ORDER (guest calls take the
 * VM's lock before the memory lock).
 *
 * -DTABLE: instead, print the model's single-page transition table (every
 * state of the metadata, every row: the status codes that apply and the
 * state after), as unit.mem_table prints the C spec's (PVM_TABLE_DUMP), so
 * tests/model/check.sh can prove the two agree.
 */

/* Owners (the component ids of mem.h, the guests by VM index). */
#define O_HOST 0
#define O_HYP 1
#define O_P 2 /* only P, protected, can own */

/* VMs, and their lifecycle. */
#define VP 0
#define VA 1
#define VB 2
#define NOVM 3
#define ACTIVE 0
#define DYING 1
#define GONE 2

/* Status codes, as bits: 1 << -code of pvm_status_t. */
#define S_OK 1
#define S_EXISTS 16
#define S_NOENT 32
#define S_STATE 64
#define S_BUSY 128
#define S_PERM 256

/* Calls. */
#define C_SHARE_HYP 0
#define C_UNSHARE_HYP 1
#define C_PIN 2
#define C_UNPIN 3
#define C_DONATE_HYP 4
#define C_HYP_DONATE_HOST 5
#define C_SHARE_GUEST 6
#define C_UNSHARE_GUEST 7
#define C_DONATE_GUEST 8
#define C_GUEST_SHARE_HOST 9
#define C_GUEST_UNSHARE_HOST 10
#define C_GUEST_RELINQUISH 11
#define C_TEARDOWN_START 12
#define C_RECLAIM 13
#define C_TEARDOWN_FINISH 14

/* What the IPA must be; which kind of VM. */
#define NO_IPA 0
#define FREE 1
#define MAPPED 2
#define ANY 0
#define PROT 1
#define NONPROT 2

#define NROWS 26
#define PINS_MAX 2

/* The rows: call, VM, the VM's required lifecycle, kind, IPA rule (constant: hidden). */
hidden byte r_call[NROWS], r_vm[NROWS], r_life[NROWS], r_kind[NROWS], r_ipa[NROWS];

/* The page's metadata. */
byte owner = O_HOST;
bool hyp_borrows, host_borrows;
byte pins;
byte guests; /* bit per VM: a host page lent to it */
byte life[3];

/* The views: what each stage-2 grants now; the page's bytes. */
bool host_view = true; /* the host owns the page at first */
bool guest_view[3];
bool secret; /* P's data is in the page */

/* Locks: 0 free, else the owner's _pid + 1. */
byte mem_lock;
byte vm_lock[3];

inline row(i, c, v, l, k, p)
{
	r_call[i] = c;
	r_vm[i] = v;
	r_life[i] = l;
	r_kind[i] = k;
	r_ipa[i] = p
}

/* The same rows, in the same order, as test_mem_table.c's table[]. */
inline init_rows()
{
	row(0, C_SHARE_HYP, NOVM, ACTIVE, ANY, NO_IPA);
	row(1, C_UNSHARE_HYP, NOVM, ACTIVE, ANY, NO_IPA);
	row(2, C_PIN, NOVM, ACTIVE, ANY, NO_IPA);
	row(3, C_UNPIN, NOVM, ACTIVE, ANY, NO_IPA);
	row(4, C_DONATE_HYP, NOVM, ACTIVE, ANY, NO_IPA);
	row(5, C_HYP_DONATE_HOST, NOVM, ACTIVE, ANY, NO_IPA);
	row(6, C_SHARE_GUEST, VA, ACTIVE, NONPROT, FREE);
	row(7, C_SHARE_GUEST, VB, ACTIVE, NONPROT, FREE);
	row(8, C_SHARE_GUEST, VP, ACTIVE, NONPROT, FREE);
	row(9, C_UNSHARE_GUEST, VA, ACTIVE, NONPROT, MAPPED);
	row(10, C_UNSHARE_GUEST, VB, ACTIVE, NONPROT, MAPPED);
	row(11, C_UNSHARE_GUEST, VP, ACTIVE, NONPROT, MAPPED);
	row(12, C_DONATE_GUEST, VP, ACTIVE, PROT, FREE);
	row(13, C_DONATE_GUEST, VA, ACTIVE, PROT, FREE);
	row(14, C_GUEST_SHARE_HOST, VP, ACTIVE, PROT, MAPPED);
	row(15, C_GUEST_SHARE_HOST, VA, ACTIVE, PROT, MAPPED);
	row(16, C_GUEST_UNSHARE_HOST, VP, ACTIVE, PROT, MAPPED);
	row(17, C_GUEST_UNSHARE_HOST, VA, ACTIVE, PROT, MAPPED);
	row(18, C_GUEST_RELINQUISH, VP, ACTIVE, PROT, MAPPED);
	row(19, C_GUEST_RELINQUISH, VA, ACTIVE, PROT, MAPPED);
	row(20, C_TEARDOWN_START, VP, ACTIVE, ANY, NO_IPA);
	row(21, C_RECLAIM, VP, DYING, ANY, NO_IPA);
	row(22, C_TEARDOWN_FINISH, VP, DYING, ANY, NO_IPA);
	row(23, C_TEARDOWN_START, VA, ACTIVE, ANY, NO_IPA);
	row(24, C_RECLAIM, VA, DYING, ANY, NO_IPA);
	row(25, C_TEARDOWN_FINISH, VA, DYING, ANY, NO_IPA)
}

#define protected_vm(v) ((v) == VP)
#define lends(v) ((guests >> (v)) & 1)
#define lent (hyp_borrows || host_borrows || guests != 0)
#define owns(v) ((v) == VP && owner == O_P)
#define maps(v) (owns(v) || lends(v))

/* The page requirement of a row ("page must be"), into ok. */
inline requires(c, v, ok)
{
	if
	:: c == C_SHARE_HYP || c == C_SHARE_GUEST -> ok = (owner == O_HOST && !hyp_borrows)
	:: c == C_UNSHARE_HYP || c == C_PIN -> ok = (owner == O_HOST && hyp_borrows)
	:: c == C_UNPIN -> ok = (owner == O_HOST && hyp_borrows && pins > 0)
	:: c == C_DONATE_HYP || c == C_DONATE_GUEST -> ok = (owner == O_HOST && !lent)
	:: c == C_HYP_DONATE_HOST -> ok = (owner == O_HYP)
	:: c == C_UNSHARE_GUEST -> ok = (owner == O_HOST && lends(v))
	:: c == C_GUEST_SHARE_HOST || c == C_GUEST_RELINQUISH -> ok = (owns(v) && !lent)
	:: c == C_GUEST_UNSHARE_HOST -> ok = (owns(v) && host_borrows)
	:: c == C_TEARDOWN_START || c == C_RECLAIM -> ok = true
	:: c == C_TEARDOWN_FINISH -> ok = !maps(v)
	fi
}

/* The status codes that apply to row r in the current state, into st. */
inline allowed(r, st)
{
	bool page = true, ok = false;

	st = 0;
	if
	:: r_vm[r] != NOVM && life[r_vm[r]] == GONE -> st = S_NOENT; goto done
	:: else
	fi;
	if
	:: r_vm[r] != NOVM && life[r_vm[r]] != r_life[r] -> st = st | S_STATE
	:: else
	fi;
	if
	:: r_vm[r] != NOVM && ((r_kind[r] == PROT && !protected_vm(r_vm[r])) ||
			       (r_kind[r] == NONPROT && protected_vm(r_vm[r]))) -> st = st | S_PERM
	:: else
	fi;
	if
	:: r_ipa[r] == FREE && maps(r_vm[r]) -> st = st | S_EXISTS
	:: r_ipa[r] == MAPPED && !maps(r_vm[r]) -> st = st | S_NOENT; page = false
	:: else
	fi;
	if
	:: page -> requires(r_call[r], r_vm[r], ok);
		if
		:: !ok -> st = st | S_STATE
		:: ok && r_call[r] == C_UNSHARE_HYP && pins > 0 -> st = st | S_BUSY
		:: else
		fi
	:: else
	fi;
	if
	:: st == 0 -> st = S_OK
	:: else
	fi;
done:
	skip
}

/*
 * Commit row r (allowed): each statement one step, in the code's order:
 * revoke, metadata, scrub, grant. The views follow the metadata: the host
 * maps a page it owns or borrows, a guest one it owns or borrows.
 */
inline commit(r)
{
	byte cv = r_vm[r];

	if
	:: r_call[r] == C_SHARE_HYP -> hyp_borrows = true
	:: r_call[r] == C_UNSHARE_HYP -> hyp_borrows = false
	:: r_call[r] == C_PIN -> pins++
	:: r_call[r] == C_UNPIN -> pins--
	:: r_call[r] == C_DONATE_HYP -> host_view = false; owner = O_HYP
	:: r_call[r] == C_HYP_DONATE_HOST -> owner = O_HOST; host_view = true
	:: r_call[r] == C_SHARE_GUEST -> guests = guests | (1 << cv); guest_view[cv] = true
	:: r_call[r] == C_UNSHARE_GUEST -> guest_view[cv] = false; guests = guests & ~(1 << cv)
	:: r_call[r] == C_DONATE_GUEST -> host_view = false; secret = false; owner = O_P;
		guest_view[cv] = true
	:: r_call[r] == C_GUEST_SHARE_HOST -> host_borrows = true; host_view = true
	:: r_call[r] == C_GUEST_UNSHARE_HOST -> host_view = false; host_borrows = false
	:: r_call[r] == C_GUEST_RELINQUISH -> relinquish(cv)
	:: r_call[r] == C_TEARDOWN_START -> life[cv] = DYING
	:: r_call[r] == C_RECLAIM ->
		if
		:: owns(cv) -> relinquish(cv)
		:: else
		fi;
		if
		:: lends(cv) -> guest_view[cv] = false; guests = guests & ~(1 << cv)
		:: else
		fi
	:: r_call[r] == C_TEARDOWN_FINISH -> life[cv] = GONE
	fi
}

/* "page zeroed, host OWNED, guest NOPAGE" */
inline relinquish(v)
{
#ifdef BUG_GRANT_FIRST
	owner = O_HOST;
	host_view = true;
	guest_view[v] = false;
	host_borrows = false;
	secret = false
#else
	guest_view[v] = false;
	host_view = false;
	host_borrows = false;
	owner = O_HOST;
	secret = false;
	host_view = true
#endif
}

#ifdef TABLE

/* ---- The table: every metadata state, every row ---------------------------- */

init
{
	byte o, hb, p, b, g, lp, la, r;
	short st;

	init_rows();
	for (o : 0 .. 2) {
		for (hb : 0 .. 1) {
			for (p : 0 .. PINS_MAX) {
				for (b : 0 .. 1) {
					for (g : 0 .. 7) {
						for (lp : 0 .. 2) {
							for (la : 0 .. 2) {
								for (r : 0 .. NROWS - 1) {
									owner = o; hyp_borrows = hb; pins = p;
									host_borrows = b; guests = g; life[VP] = lp;
									life[VA] = la; life[VB] = ACTIVE;
									allowed(r, st);
									printf("CELL %d %d %d %d %d %d %d %d : %d %d",
									       o, hb, p, b, g, lp, la, life[VB], r, st);
									if
									:: st == S_OK -> commit(r);
										printf(" -> %d %d %d %d %d %d %d %d\n",
										       owner, hyp_borrows, pins,
										       host_borrows, guests, life[VP],
										       life[VA], life[VB])
									:: else -> printf("\n")
									fi
								}
							}
						}
					}
				}
			}
		}
	}
}

#else

/* ---- Verification: two CPUs, P's vCPU, a monitor --------------------------- */

#ifndef STEPS
#define STEPS 2 /* transitions per CPU */
#endif

#define host_may (owner == O_HOST || (owner == O_P && host_borrows))
#define guest_may(v) (owns(v) || lends(v))

/* True in every state: nobody reaches a page it neither owns nor borrows. */
#define views_safe                                                                                 \
	((!host_view || host_may) && (!guest_view[VP] || guest_may(VP)) &&                         \
	 (!guest_view[VA] || guest_may(VA)) && (!guest_view[VB] || guest_may(VB)) &&               \
	 (!(host_view && secret) || (owner == O_P && host_borrows)))

/* True whenever no transition is in flight: pvm_mem_check()'s invariants. */
#define consistent                                                                                 \
	(host_view == host_may && guest_view[VP] == guest_may(VP) &&                               \
	 guest_view[VA] == guest_may(VA) && guest_view[VB] == guest_may(VB) &&                     \
	 (!hyp_borrows || owner == O_HOST) && (!host_borrows || owner == O_P) &&                   \
	 (guests == 0 || owner == O_HOST) && (pins == 0 || hyp_borrows) && !lends(VP) &&           \
	 (life[VP] != GONE || !maps(VP)) && (life[VA] != GONE || !maps(VA)))

inline lock(l) { atomic { l == 0 -> l = _pid + 1 } }
inline unlock(l) { atomic { assert(l == _pid + 1); l = 0 } }

proctype cpu()
{
	byte n, r, v;
	short st;

	for (n : 1 .. STEPS) {
		/* Any row, its arguments chosen by whoever calls (the host, or a guest). */
		atomic {
			select(r : 0 .. NROWS - 1);
			v = r_vm[r]
		};
#ifdef BUG_LOCK_ORDER
		if
		:: v != NOVM && r_call[r] >= C_GUEST_SHARE_HOST && r_call[r] <= C_GUEST_RELINQUISH ->
			lock(vm_lock[v]); lock(mem_lock)
		:: else -> lock(mem_lock);
			if
			:: v != NOVM -> lock(vm_lock[v])
			:: else
			fi
		fi;
#else
		lock(mem_lock);
		if
		:: v != NOVM -> lock(vm_lock[v])
		:: else
		fi;
#endif
		atomic { allowed(r, st) };
		if
		:: st == S_OK && !(r_call[r] == C_PIN && pins >= PINS_MAX) -> commit(r)
		:: else
		fi;
		if
		:: v != NOVM -> unlock(vm_lock[v])
		:: else
		fi;
		unlock(mem_lock)
	}
}

/*
 * P's vCPU: writes its secret whenever its stage-2 lets it (no lock: the
 * MMU). The translation and the write are one step: a revoke in the model
 * is the code's break-before-make (the entry cleared, then the TLB
 * invalidation and its DSB), and by the architecture that invalidation
 * completes only once every access through the old entry has. (As two
 * steps, spin finds the stale write that the TLBI exists to prevent.)
 */
active proctype vcpu_p()
{
	do
	:: atomic { guest_view[VP] -> secret = true }
	:: true -> break
	od
}

active proctype monitor()
{
	assert(views_safe && (mem_lock != 0 || consistent))
}

init
{
	atomic {
		init_rows();
		run cpu();
		run cpu()
	}
}

#endif
