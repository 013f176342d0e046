/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ownership protocol under concurrency, on the simulator.
 *
 * Host threads and "guest" threads (each makes the guest-initiated calls
 * a vCPU's hypercall handler makes: share, unshare, relinquish) run at
 * once against one hypervisor, on shared VMs (two guest threads a VM) and a
 * small shared pool that they run dry and top up, so that every lock of the
 * core is contended: the memory lock by every call, each VM's lock by the
 * threads working in that VM. Each thread owns its own
 * host pages and its own IPA window in each VM, so it can predict every
 * status: all calls must succeed (a PVM_E_NOMEM is answered with a top-up
 * and a retry, as a host does). One more thread creates, fills and tears
 * down VMs over and over.
 *
 * Every ROUND operations the threads meet at a barrier and one of them runs
 * pvm_mem_check() while the others wait (a quiescent point). At the end
 * every page of every thread is where that thread's model says (owner and
 * state): no page lost or duplicated. Built with ThreadSanitizer (the tsan
 * preset), the run must also be free of data-race reports.
 *
 * PVM_STRESS_OPS sets the operations per thread (default 20000).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB	 (1ull << 20)
#define PAGE	 PVM_PAGE_SIZE
#define RAM	 0x40000000ull
#define RAM_SIZE (128 * MiB)
#define PA_BITS	 40

#define HOSTS	   2 /* host threads: hyp and non-protected guest transitions */
#define GUESTS	   4 /* guest threads: donations to a protected VM and its calls */
#define THREADS	   (HOSTS + GUESTS)
#define TPAGES	   64					   /* pages each thread owns */
#define TREGION(t) (RAM + 4 * MiB + (uint64_t)(t)*2 * MiB) /* its pages: 2 MiB each */
#define RESERVE	   (RAM + 32 * MiB)			   /* pages for top-ups */
#define CHURN	   (RAM + 48 * MiB)			   /* the VM churner's pages */
#define ROUND	   500

enum where { HOST, HYP_LENT, HYP_OWNED, GUEST_LENT, GUEST_OWNED, GUEST_SHARED };

struct thread {
	unsigned id;
	uint64_t seed;
	enum where page[TPAGES];
	unsigned long ops;
};

static struct pvm_hyp *hyp;
static unsigned vm_prot[GUESTS / 2], vm_np; /* two guest threads per protected VM */
static pthread_barrier_t barrier;
static pthread_mutex_t reserve_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t reserve_next = RESERVE;
static unsigned long ops_per_thread = 20000;
static int failed; /* atomic: set by any thread */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fail_now(const char *what, unsigned t, unsigned i, pvm_status_t st)
{
	fprintf(stderr, "stress: thread %u page %u: %s: %s\n", t, i, what, pvm_strerror(st));
	__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
}

/* Answer PVM_E_NOMEM as a host does: top up `need` pages, try again. */
static void topup(size_t need)
{
	uint64_t pa;

	pthread_mutex_lock(&reserve_lock);
	pa = reserve_next;
	reserve_next += need * PAGE;
	pthread_mutex_unlock(&reserve_lock);
	if (pa + need * PAGE > CHURN || pvm_mem_topup(hyp, pvm_pa(pa), need, NULL) != PVM_OK)
		__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
}

#define CALL(t, i, what, expr)                                                                     \
	do {                                                                                       \
		size_t need = 0;                                                                   \
		pvm_status_t st_;                                                                  \
		(void)need;                                                                        \
		while ((st_ = (expr)) == PVM_E_NOMEM)                                              \
			topup(need);                                                               \
		if (st_ != PVM_OK)                                                                 \
			fail_now(what, t, i, st_);                                                 \
	} while (0)

static uint64_t tpa(const struct thread *th, unsigned i)
{
	return TREGION(th->id) + (uint64_t)i * PAGE;
}

/* A thread's IPA window in every VM: 2 MiB apart, like its pages. */
static uint64_t tipa(const struct thread *th, unsigned i)
{
	return 0x40000000ull + (uint64_t)th->id * 2 * MiB + (uint64_t)i * PAGE;
}

/* One step of a host thread: the host <-> hypervisor and host -> non-protected guest calls. */
static void host_step(struct thread *th, unsigned i)
{
	unsigned t = th->id;

	switch (th->page[i]) {
	case HOST:
		switch (rnd(&th->seed) % 3) {
		case 0:
			CALL(t, i, "share hyp",
			     pvm_host_share_hyp(hyp, pvm_pa(tpa(th, i)), 1, &need));
			th->page[i] = HYP_LENT;
			break;
		case 1:
			CALL(t, i, "donate hyp",
			     pvm_host_donate_hyp(hyp, pvm_pa(tpa(th, i)), 1, &need));
			th->page[i] = HYP_OWNED;
			break;
		default:
			CALL(t, i, "share guest",
			     pvm_host_share_guest(hyp, vm_np, pvm_pa(tpa(th, i)),
						  pvm_ipa(tipa(th, i)), 1, PVM_PROT_RW, &need));
			th->page[i] = GUEST_LENT;
		}
		break;
	case HYP_LENT:
		CALL(t, i, "unshare hyp", pvm_host_unshare_hyp(hyp, pvm_pa(tpa(th, i)), 1, &need));
		th->page[i] = HOST;
		break;
	case HYP_OWNED:
		CALL(t, i, "hyp donate host",
		     pvm_hyp_donate_host(hyp, pvm_pa(tpa(th, i)), 1, &need));
		th->page[i] = HOST;
		break;
	case GUEST_LENT:
		CALL(t, i, "unshare guest",
		     pvm_host_unshare_guest(hyp, vm_np, pvm_ipa(tipa(th, i)), 1, &need));
		th->page[i] = HOST;
		break;
	default:
		fail_now("host thread: impossible state", t, i, PVM_E_STATE);
	}
}

/* One step of a guest thread: the host donates, the guest shares, unshares, relinquishes. */
static void guest_step(struct thread *th, unsigned i)
{
	unsigned t = th->id, vm = vm_prot[(t - HOSTS) / 2];

	switch (th->page[i]) {
	case HOST:
		CALL(t, i, "donate guest",
		     pvm_host_donate_guest(hyp, vm, pvm_pa(tpa(th, i)), pvm_ipa(tipa(th, i)), 1,
					   &need));
		th->page[i] = GUEST_OWNED;
		break;
	case GUEST_OWNED:
		if (rnd(&th->seed) & 1) {
			CALL(t, i, "guest share",
			     pvm_guest_share_host(hyp, vm, pvm_ipa(tipa(th, i)), 1, &need));
			th->page[i] = GUEST_SHARED;
		} else {
			CALL(t, i, "guest relinquish",
			     pvm_guest_relinquish_host(hyp, vm, pvm_ipa(tipa(th, i)), 1, &need));
			th->page[i] = HOST;
		}
		break;
	case GUEST_SHARED:
		CALL(t, i, "guest unshare",
		     pvm_guest_unshare_host(hyp, vm, pvm_ipa(tipa(th, i)), 1, &need));
		th->page[i] = GUEST_OWNED;
		break;
	default:
		fail_now("guest thread: impossible state", t, i, PVM_E_STATE);
	}
}

/* A quiescent point: everybody stops, one thread proves the invariants. */
static void quiesce(unsigned t)
{
	struct pvm_mem_report r = {0};

	if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD &&
	    pvm_mem_check(hyp, &r) != PVM_OK) {
		fprintf(stderr, "stress: thread %u: invariant: %s (pa 0x%llx vm %u)\n", t, r.what,
			(unsigned long long)r.pa, r.vm);
		__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
	}
	pthread_barrier_wait(&barrier);
}

static void *worker(void *arg)
{
	struct thread *th = arg;

	for (unsigned long n = 1;
	     n <= ops_per_thread && !__atomic_load_n(&failed, __ATOMIC_RELAXED); n++) {
		unsigned i = (unsigned)(rnd(&th->seed) % TPAGES);

		if (th->id < HOSTS)
			host_step(th, i);
		else
			guest_step(th, i);
		th->ops++;
		if (n % ROUND == 0)
			quiesce(th->id);
	}
	/* Keep the barrier's count right for threads still running. */
	for (unsigned long n = th->ops; n < ops_per_thread; n++)
		if ((n + 1) % ROUND == 0)
			quiesce(th->id);
	return NULL;
}

/* VM churn: create a VM, give it pages, tear it down, all the while. */
static int churn_stop; /* atomic */
static unsigned long churned;

static void *churner(void *arg)
{
	const uint64_t n = pvm_vm_create_pages(36);
	struct pvm_vm_config cfg = {.ipa_bits = 36, .protected_vm = true};

	(void)arg;
	while (!__atomic_load_n(&churn_stop, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&failed, __ATOMIC_RELAXED)) {
		unsigned h = PVM_VM_MAX;
		uint64_t left = 1;

		CALL(99, 0, "churn create", pvm_vm_create(hyp, &cfg, pvm_pa(CHURN), n, &h, &need));
		if (__atomic_load_n(&failed, __ATOMIC_RELAXED))
			break;
		CALL(99, 1, "churn donate",
		     pvm_host_donate_guest(hyp, h, pvm_pa(CHURN + 16 * PAGE), pvm_ipa(0), 8,
					   &need));
		CALL(99, 2, "churn teardown", pvm_vm_teardown_start(hyp, h));
		while (left && !__atomic_load_n(&failed, __ATOMIC_RELAXED))
			CALL(99, 3, "churn reclaim", pvm_vm_reclaim(hyp, h, 3, &left, &need));
		CALL(99, 4, "churn finish", pvm_vm_teardown_finish(hyp, h));
		churned++;
	}
	return NULL;
}

static void stress(void **state)
{
	static struct thread th[THREADS];
	struct pvm_sim_config sc = {.ram_base = RAM, .ram_size = RAM_SIZE};
	/* A carve-out with a small pool: the threads run it dry and top it up, concurrently. */
	const uint64_t carve = (pvm_hyp_carveout_pages(RAM_SIZE, PA_BITS) + 16) * PAGE;
	struct pvm_hyp_config hc = {.ram_base = RAM,
				    .ram_size = RAM_SIZE,
				    .hyp_base = RAM + RAM_SIZE - carve,
				    .hyp_size = carve,
				    .pa_bits = PA_BITS};
	size_t need = 0;
	struct pvm_vm_config pc = {.ipa_bits = 36, .protected_vm = true};
	struct pvm_vm_config nc = {.ipa_bits = 36, .protected_vm = false};
	const uint64_t vmpages = pvm_vm_create_pages(36);
	pthread_t tid[THREADS], ctid;
	const char *env = getenv("PVM_STRESS_OPS");
	unsigned long total = 0;

	(void)state;
	if (env && strtoul(env, NULL, 0))
		ops_per_thread = strtoul(env, NULL, 0);
	assert_int_equal(pvm_sim_init(&sc), PVM_OK);
	if (pvm_hyp_init(&hc, &hyp, &need) == PVM_E_NOMEM) { /* the host's tables */
		hc.hyp_base -= need * PAGE;
		hc.hyp_size += need * PAGE;
	}
	assert_int_equal(pvm_hyp_init(&hc, &hyp, NULL), PVM_OK);
	/* The VMs live in pages of their own, 64 KiB apart, below the threads' regions. */
	for (unsigned g = 0; g < GUESTS / 2; g++)
		assert_int_equal(pvm_vm_create(hyp, &pc, pvm_pa(RAM + 2 * MiB + g * 0x10000),
					       vmpages, &vm_prot[g], NULL),
				 PVM_OK);
	assert_int_equal(pvm_vm_create(hyp, &nc, pvm_pa(RAM + 2 * MiB + GUESTS * 0x10000), vmpages,
				       &vm_np, NULL),
			 PVM_OK);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, THREADS), 0);
	for (unsigned t = 0; t < THREADS; t++) {
		th[t] = (struct thread){.id = t, .seed = 0x9e3779b97f4a7c15ull * (t + 1)};
		assert_int_equal(pthread_create(&tid[t], NULL, worker, &th[t]), 0);
	}
	assert_int_equal(pthread_create(&ctid, NULL, churner, NULL), 0);
	for (unsigned t = 0; t < THREADS; t++)
		pthread_join(tid[t], NULL);
	__atomic_store_n(&churn_stop, 1, __ATOMIC_RELAXED);
	pthread_join(ctid, NULL);
	pthread_barrier_destroy(&barrier);
	assert_false(__atomic_load_n(&failed, __ATOMIC_RELAXED));

	/* No page lost or duplicated: each is where its thread's model says. */
	for (unsigned t = 0; t < THREADS; t++) {
		total += th[t].ops;
		for (unsigned i = 0; i < TPAGES; i++) {
			struct pvm_page_info pi;
			unsigned want_owner = PVM_ID_HOST;

			assert_int_equal(pvm_mem_page(hyp, pvm_pa(tpa(&th[t], i)), &pi), PVM_OK);
			switch (th[t].page[i]) {
			case HYP_OWNED:
				want_owner = PVM_ID_HYP;
				break;
			case GUEST_OWNED:
			case GUEST_SHARED:
				want_owner = PVM_ID_GUEST(vm_prot[(t - HOSTS) / 2]);
				break;
			default:
				break;
			}
			if (pi.owner != want_owner ||
			    pi.hyp_borrows != (th[t].page[i] == HYP_LENT) ||
			    pi.guests != (th[t].page[i] == GUEST_LENT) ||
			    pi.host_borrows != (th[t].page[i] == GUEST_SHARED))
				fail_msg("thread %u page %u: owner %u (want %u), hyp %d host %d "
					 "guests %u, model state %d",
					 t, i, pi.owner, want_owner, pi.hyp_borrows,
					 pi.host_borrows, pi.guests, th[t].page[i]);
		}
	}
	{
		struct pvm_mem_report r = {0};

		if (pvm_mem_check(hyp, &r) != PVM_OK)
			fail_msg("invariant at the end: %s (pa 0x%llx)", r.what,
				 (unsigned long long)r.pa);
	}
	print_message("stress: %u threads, %lu transitions, %lu VMs created and torn down, "
		      "%llu top-up pages\n",
		      THREADS, total, churned,
		      (unsigned long long)((reserve_next - RESERVE) / PAGE));
	assert_int_equal(pvm_sim_bbm_check(), 0);
	pvm_sim_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(stress)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
