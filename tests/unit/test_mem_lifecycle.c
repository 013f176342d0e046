/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A protected and a non-protected VM through their whole life on the
 * simulated machine, with the invariant checker after every step, and the
 * confidentiality property: a guest's secret is unreadable by the host
 * while the guest owns the page (the host's access faults through its
 * stage-2) and reads back as zeroes after teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/pvm.h>
#include <libpvm/sim.h>

#include <string.h>

#include "vm_internal.h"

#define MiB  (1ull << 20)
#define PAGE 4096ull
#define RAM  0x40000000ull

static struct pvm_hyp *hyp;

static void check(void)
{
	struct pvm_mem_report r = {0};

	if (pvm_mem_check(hyp, &r) != PVM_OK)
		fail_msg("invariant: %s (pa 0x%llx vm %u)", r.what, (unsigned long long)r.pa, r.vm);
}

static int setup(void **state)
{
	struct pvm_sim_config mc = {.ram_base = RAM, .ram_size = 64 * MiB};
	struct pvm_hyp_config cfg = {.ram_base = RAM,
				     .ram_size = 64 * MiB,
				     .hyp_base = RAM + 60 * MiB,
				     .hyp_size = 4 * MiB,
				     .pa_bits = 40};

	(void)state;
	assert_int_equal(pvm_sim_init(&mc), PVM_OK);
	assert_int_equal(pvm_hyp_init(&cfg, &hyp, NULL), PVM_OK);
	assert_int_equal(
		pvm_sim_bbm_watch(pvm_stage2_vtcr(&hyp->host), pvm_stage2_vttbr(&hyp->host)),
		PVM_OK);
	check();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(pvm_sim_bbm_check(), 0);
	pvm_sim_fini();
	return 0;
}

static pvm_status_t host_rw(uint64_t pa, void *buf, size_t len, bool write)
{
	return pvm_sim_s2_copy(pvm_stage2_vtcr(&hyp->host), pvm_stage2_vttbr(&hyp->host), pa, buf,
			       len, write, NULL);
}

static pvm_status_t guest_rw(unsigned vm, uint64_t ipa, void *buf, size_t len, bool write)
{
	struct pvm_vm_info info;

	assert_int_equal(pvm_vm_info(hyp, vm, &info), PVM_OK);
	return pvm_sim_s2_copy(info.vtcr, info.vttbr, ipa, buf, len, write, NULL);
}

static unsigned new_vm(bool protected_vm, uint64_t pages_pa)
{
	struct pvm_vm_config cfg = {.ipa_bits = 36, .protected_vm = protected_vm};
	unsigned h;

	assert_int_equal(
		pvm_vm_create(hyp, &cfg, pvm_pa(pages_pa), pvm_vm_create_pages(36), &h, NULL),
		PVM_OK);
	check();
	return h;
}

static void test_protected_vm_confidentiality(void **state)
{
	static const char secret[] = "the guest's key: 0xdeadbeef";
	char buf[64];
	struct pvm_page_info pi;
	uint64_t left = 1;
	unsigned vm = new_vm(true, RAM + 32 * MiB);

	(void)state;
	/* The host can read its own page before it donates it. */
	assert_int_equal(host_rw(RAM + 2 * MiB, buf, 16, false), PVM_OK);
	assert_int_equal(
		pvm_host_donate_guest(hyp, vm, pvm_pa(RAM + 2 * MiB), pvm_ipa(0x80000000), 4, NULL),
		PVM_OK);
	check();
	assert_int_equal(pvm_mem_page(hyp, pvm_pa(RAM + 2 * MiB), &pi), PVM_OK);
	assert_int_equal(pi.owner, PVM_ID_GUEST(vm));

	/* The guest writes its secret; the host can neither read nor write it. */
	assert_int_equal(guest_rw(vm, 0x80001000, (void *)secret, sizeof(secret), true), PVM_OK);
	assert_int_equal(host_rw(RAM + 2 * MiB + PAGE, buf, sizeof(buf), false), PVM_E_PERM);
	assert_int_equal(host_rw(RAM + 2 * MiB + PAGE, buf, 8, true), PVM_E_PERM);

	/* Shared for I/O: the host sees that page only, and only while shared. */
	assert_int_equal(pvm_guest_share_host(hyp, vm, pvm_ipa(0x80001000), 1, NULL), PVM_OK);
	check();
	assert_int_equal(host_rw(RAM + 2 * MiB + PAGE, buf, sizeof(secret), false), PVM_OK);
	assert_memory_equal(buf, secret, sizeof(secret));
	assert_int_equal(host_rw(RAM + 2 * MiB, buf, 8, false), PVM_E_PERM);
	assert_int_equal(pvm_guest_unshare_host(hyp, vm, pvm_ipa(0x80001000), 1, NULL), PVM_OK);
	check();
	assert_int_equal(host_rw(RAM + 2 * MiB + PAGE, buf, 8, false), PVM_E_PERM);

	/* A vCPU is loaded: no teardown. */
	struct pvm_vm *loaded;
	assert_int_equal(vm_get(hyp, vm, &loaded), PVM_OK);
	assert_int_equal(pvm_vm_teardown_start(hyp, vm), PVM_E_BUSY);
	vm_put(hyp, loaded);

	struct pvm_sim_stats before, after;
	pvm_sim_get_stats(&before);
	assert_int_equal(pvm_vm_teardown_start(hyp, vm), PVM_OK);
	assert_int_equal(
		pvm_host_donate_guest(hyp, vm, pvm_pa(RAM + 3 * MiB), pvm_ipa(0x90000000), 1, NULL),
		PVM_E_STATE);
	assert_int_equal(pvm_vm_teardown_finish(hyp, vm), PVM_E_STATE);
	assert_int_equal(pvm_vm_reclaim(hyp, vm, 3, &left, NULL), PVM_OK);
	assert_int_equal(left, 1);
	check();
	assert_int_equal(pvm_vm_reclaim(hyp, vm, 100, &left, NULL), PVM_OK);
	assert_int_equal(left, 0);
	check();
	assert_int_equal(pvm_vm_teardown_finish(hyp, vm), PVM_OK);
	check();
	pvm_sim_get_stats(&after);
	/* Every reclaimed page and the VM's own pages were cleaned to PoC. */
	assert_true(after.dcache_clean_bytes - before.dcache_clean_bytes >=
		    (4 + pvm_vm_create_pages(36)) * PAGE);

	/* Only zeroes come back. */
	char zero[sizeof(secret)] = {0};
	assert_int_equal(host_rw(RAM + 2 * MiB + PAGE, buf, sizeof(secret), false), PVM_OK);
	assert_memory_equal(buf, zero, sizeof(secret));
	assert_int_equal(pvm_mem_page(hyp, pvm_pa(RAM + 2 * MiB), &pi), PVM_OK);
	assert_int_equal(pi.owner, PVM_ID_HOST);
	assert_int_equal(pvm_vm_info(hyp, vm, &(struct pvm_vm_info){0}), PVM_E_NOENT);
}

static void test_relinquish_zeroes(void **state)
{
	unsigned vm = new_vm(true, RAM + 32 * MiB);
	char buf[16], zero[16] = {0};

	(void)state;
	assert_int_equal(
		pvm_host_donate_guest(hyp, vm, pvm_pa(RAM + 5 * MiB), pvm_ipa(0x1000), 2, NULL),
		PVM_OK);
	assert_int_equal(guest_rw(vm, 0x2000, (char[]){"private"}, 8, true), PVM_OK);
	assert_int_equal(pvm_guest_relinquish_host(hyp, vm, pvm_ipa(0x2000), 1, NULL), PVM_OK);
	check();
	assert_int_equal(guest_rw(vm, 0x2000, buf, 8, false), PVM_E_PERM);
	assert_int_equal(host_rw(RAM + 5 * MiB + PAGE, buf, sizeof(buf), false), PVM_OK);
	assert_memory_equal(buf, zero, sizeof(buf));
}

static void test_non_protected_sharing(void **state)
{
	unsigned a = new_vm(false, RAM + 32 * MiB), b = new_vm(false, RAM + 33 * MiB);
	struct pvm_page_info pi;
	char buf[8];

	(void)state;
	assert_int_equal(pvm_host_share_guest(hyp, a, pvm_pa(RAM + 8 * MiB), pvm_ipa(0), 16,
					      PVM_PROT_RW, NULL),
			 PVM_OK);
	assert_int_equal(pvm_host_share_guest(hyp, b, pvm_pa(RAM + 8 * MiB), pvm_ipa(0x10000), 1,
					      PVM_PROT_R, NULL),
			 PVM_OK);
	check();
	assert_int_equal(pvm_mem_page(hyp, pvm_pa(RAM + 8 * MiB), &pi), PVM_OK);
	assert_int_equal(pi.guests, 2);
	assert_int_equal(pi.state, PVM_PAGE_SHARED_OWNED);
	/* Both see the host's data; b may not write. */
	assert_int_equal(host_rw(RAM + 8 * MiB, (char[]){"hello"}, 6, true), PVM_OK);
	assert_int_equal(guest_rw(b, 0x10000, buf, 6, false), PVM_OK);
	assert_string_equal(buf, "hello");
	assert_int_equal(guest_rw(b, 0x10000, buf, 6, true), PVM_E_PERM);
	/* Donating a shared page is refused; so is donating to a non-protected VM. */
	assert_int_equal(pvm_host_donate_hyp(hyp, pvm_pa(RAM + 8 * MiB), 1, NULL), PVM_E_STATE);
	assert_int_equal(
		pvm_host_donate_guest(hyp, a, pvm_pa(RAM + 9 * MiB), pvm_ipa(0x100000), 1, NULL),
		PVM_E_PERM);
	assert_int_equal(pvm_host_unshare_guest(hyp, a, pvm_ipa(0), 16, NULL), PVM_OK);
	check();
	assert_int_equal(pvm_mem_page(hyp, pvm_pa(RAM + 8 * MiB), &pi), PVM_OK);
	assert_int_equal(pi.guests, 1);
	assert_int_equal(pvm_vm_teardown_start(hyp, b), PVM_OK);
	assert_int_equal(pvm_vm_reclaim(hyp, b, 10, NULL, NULL), PVM_OK);
	assert_int_equal(pvm_vm_teardown_finish(hyp, b), PVM_OK);
	check();
	/* Host pages lent to a guest are not zeroed when it goes: they were never its. */
	assert_int_equal(host_rw(RAM + 8 * MiB, buf, 6, false), PVM_OK);
	assert_string_equal(buf, "hello");
	assert_int_equal(pvm_mem_page(hyp, pvm_pa(RAM + 8 * MiB), &pi), PVM_OK);
	assert_int_equal(pi.state, PVM_PAGE_OWNED);
}

/* Counters of the cache maintenance done for guests since *before. */
static void cache_delta(const struct pvm_sim_stats *before, uint64_t *dc_bytes, uint64_t *ic_bytes)
{
	struct pvm_sim_stats now;

	pvm_sim_get_stats(&now);
	*dc_bytes = now.dcache_clean_inval_bytes - before->dcache_clean_inval_bytes;
	*ic_bytes = now.icache_inval_bytes - before->icache_inval_bytes;
}

/*
 * Pages entering a guest are cleaned and invalidated to the PoC (a guest
 * with its MMU off reads memory, not the host's dirty lines) and, when
 * executable, invalidated in the instruction cache: on the single-page path
 * and on the range path alike, for donation and sharing; a refused call
 * does no maintenance.
 */
static void test_cache_sync_for_guest(void **state)
{
	unsigned p = new_vm(true, RAM + 32 * MiB), np = new_vm(false, RAM + 33 * MiB);
	struct pvm_sim_stats before;
	uint64_t dc, ic;

	(void)state;
	pvm_sim_get_stats(&before);
	assert_int_equal(
		pvm_host_donate_guest(hyp, p, pvm_pa(RAM + 2 * MiB), pvm_ipa(0x80000000), 1, NULL),
		PVM_OK);
	cache_delta(&before, &dc, &ic);
	assert_int_equal(dc, PAGE);
	assert_int_equal(ic, PAGE); /* donated pages are executable */

	pvm_sim_get_stats(&before);
	assert_int_equal(pvm_host_donate_guest(hyp, p, pvm_pa(RAM + 3 * MiB), pvm_ipa(0x80200000),
					       512, NULL),
			 PVM_OK);
	cache_delta(&before, &dc, &ic);
	assert_int_equal(dc, 512 * PAGE);
	assert_int_equal(ic, 512 * PAGE);

	pvm_sim_get_stats(&before);
	assert_int_equal(pvm_host_share_guest(hyp, np, pvm_pa(RAM + 8 * MiB), pvm_ipa(0), 16,
					      PVM_PROT_RW, NULL),
			 PVM_OK);
	cache_delta(&before, &dc, &ic);
	assert_int_equal(dc, 16 * PAGE);
	assert_int_equal(ic, 0); /* not executable: no instruction fetch to keep coherent */

	pvm_sim_get_stats(&before);
	assert_int_equal(pvm_host_share_guest(hyp, np, pvm_pa(RAM + 9 * MiB), pvm_ipa(0x100000), 1,
					      PVM_PROT_RWX, NULL),
			 PVM_OK);
	cache_delta(&before, &dc, &ic);
	assert_int_equal(dc, PAGE);
	assert_int_equal(ic, PAGE);

	/* Refused: the page is the guest's already, or the IPA is taken. */
	pvm_sim_get_stats(&before);
	assert_int_equal(
		pvm_host_donate_guest(hyp, p, pvm_pa(RAM + 2 * MiB), pvm_ipa(0x90000000), 1, NULL),
		PVM_E_STATE);
	assert_int_equal(pvm_host_share_guest(hyp, np, pvm_pa(RAM + 10 * MiB), pvm_ipa(0), 4,
					      PVM_PROT_RW, NULL),
			 PVM_E_EXISTS);
	cache_delta(&before, &dc, &ic);
	assert_int_equal(dc, 0);
	assert_int_equal(ic, 0);
	check();
}

/*
 * A host stage-2 fault is retried only when the host's stage-2 grants the
 * access (it raced a transition on another CPU); otherwise the port injects
 * an abort. One row per (page state, access).
 */
static void test_host_fault(void **state)
{
	unsigned p = new_vm(true, RAM + 32 * MiB), np = new_vm(false, RAM + 33 * MiB);
	static const struct {
		uint64_t pa;
		pvm_prot_t access;
		pvm_status_t want;
	} rows[] = {
		/* the host's own page */
		{RAM + 1 * MiB, PVM_PROT_R, PVM_OK},
		{RAM + 1 * MiB, PVM_PROT_W, PVM_OK},
		{RAM + 1 * MiB, PVM_PROT_X, PVM_OK},
		/* donated to a protected guest */
		{RAM + 2 * MiB, PVM_PROT_R, PVM_E_PERM},
		{RAM + 2 * MiB, PVM_PROT_W, PVM_E_PERM},
		{RAM + 2 * MiB, PVM_PROT_X, PVM_E_PERM},
		/* donated to the hypervisor, and its VM pages */
		{RAM + 20 * MiB, PVM_PROT_R, PVM_E_PERM},
		{RAM + 32 * MiB, PVM_PROT_W, PVM_E_PERM},
		/* lent to the hypervisor, lent to a non-protected guest: still the host's */
		{RAM + 12 * MiB, PVM_PROT_W, PVM_OK},
		{RAM + 8 * MiB, PVM_PROT_W, PVM_OK},
		/* bad calls */
		{RAM + 1 * MiB, 0, PVM_E_INVAL},
		{RAM + 1 * MiB, PVM_PROT_R | PVM_PROT_W, PVM_E_INVAL},
		{RAM + 1 * MiB, PVM_PROT_RWX, PVM_E_INVAL},
		{RAM + 1 * MiB, PVM_PROT_DEVICE, PVM_E_INVAL},
		{1ull << 52, PVM_PROT_R, PVM_E_RANGE},
	};

	(void)state;
	assert_int_equal(
		pvm_host_donate_guest(hyp, p, pvm_pa(RAM + 2 * MiB), pvm_ipa(0x80000000), 1, NULL),
		PVM_OK);
	assert_int_equal(pvm_host_donate_hyp(hyp, pvm_pa(RAM + 20 * MiB), 1, NULL), PVM_OK);
	assert_int_equal(pvm_host_share_hyp(hyp, pvm_pa(RAM + 12 * MiB), 1, NULL), PVM_OK);
	assert_int_equal(pvm_host_share_guest(hyp, np, pvm_pa(RAM + 8 * MiB), pvm_ipa(0), 1,
					      PVM_PROT_RW, NULL),
			 PVM_OK);
	check();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		pvm_status_t got = pvm_mem_host_fault(hyp, pvm_pa(rows[i].pa), rows[i].access);

		if (got != rows[i].want)
			fail_msg("row %zu: pa 0x%llx access 0x%x: %d, want %d", i,
				 (unsigned long long)rows[i].pa, rows[i].access, got, rows[i].want);
	}
	assert_int_equal(pvm_mem_host_fault(NULL, pvm_pa(RAM), PVM_PROT_R), PVM_E_INVAL);
	check(); /* deciding changes nothing */
}

static void test_hyp_share_pin(void **state)
{
	(void)state;
	assert_int_equal(pvm_host_share_hyp(hyp, pvm_pa(RAM + 12 * MiB), 2, NULL), PVM_OK);
	assert_int_equal(pvm_hyp_pin_shared(hyp, pvm_pa(RAM + 12 * MiB), 1), PVM_OK);
	check();
	assert_int_equal(pvm_host_unshare_hyp(hyp, pvm_pa(RAM + 12 * MiB), 2, NULL), PVM_E_BUSY);
	assert_int_equal(pvm_hyp_unpin_shared(hyp, pvm_pa(RAM + 12 * MiB), 1), PVM_OK);
	assert_int_equal(pvm_host_unshare_hyp(hyp, pvm_pa(RAM + 12 * MiB), 2, NULL), PVM_OK);
	check();
	/* Pool top-up and return; the host cannot ask for in-use pages back. */
	assert_int_equal(pvm_mem_topup(hyp, pvm_pa(RAM + 16 * MiB), 8, NULL), PVM_OK);
	check();
	assert_int_equal(pvm_hyp_donate_host(hyp, pvm_pa(RAM + 16 * MiB), 1, NULL), PVM_E_STATE);
	assert_int_equal(pvm_mem_reclaim_pool(hyp, 8), 8);
	check();
	/* A VM's own pages are in use too; a loose hyp page is not. */
	(void)new_vm(true, RAM + 32 * MiB);
	assert_int_equal(pvm_hyp_donate_host(hyp, pvm_pa(RAM + 32 * MiB), 1, NULL), PVM_E_STATE);
	assert_int_equal(pvm_host_donate_hyp(hyp, pvm_pa(RAM + 20 * MiB), 1, NULL), PVM_OK);
	assert_int_equal(pvm_hyp_donate_host(hyp, pvm_pa(RAM + 20 * MiB), 1, NULL), PVM_OK);
	check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_protected_vm_confidentiality, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relinquish_zeroes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_protected_sharing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_sync_for_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hyp_share_pin, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
