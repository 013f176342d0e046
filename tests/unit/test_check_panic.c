/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What cannot happen stops the machine (src/check.h). Each case runs in a
 * child process, the simulated machine: an injected impossible failure
 * must end it through pvm_port_panic() (the simulator aborts, SIGABRT) with
 * a report naming the broken condition, never let it return with half a
 * state. The same steps without the injected failure run to their end, so
 * the check is what stops the child, not the setup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/port.h>
#include <libpvm/sim.h>
#include <libpvm/stage2.h>
#include <libpvm/vm.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attest/attest_internal.h"
#include "stage2_internal.h"

#define MiB  (1ull << 20)
#define PAGE 4096ull
#define IPA  0x200000000ull /* nothing mapped near: a map there needs new tables */

struct outcome {
	int status; /* waitpid()'s */
	char err[4096];
};

/* Run fn in a child with its stderr captured; the child exits 0 if fn returns. */
static struct outcome in_child(void (*fn)(bool), bool inject)
{
	struct outcome o = {0};
	int fd[2];
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(fd[0]);
		dup2(fd[1], STDERR_FILENO);
		signal(SIGABRT, SIG_DFL);
		fn(inject);
		_exit(0);
	}
	close(fd[1]);
	while (got < sizeof(o.err) - 1 &&
	       (n = read(fd[0], o.err + got, sizeof(o.err) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd[0]);
	assert_int_equal(waitpid(pid, &o.status, 0), pid);
	return o;
}

static void assert_panicked(const struct outcome *o, const char *where, const char *what)
{
	if (!WIFSIGNALED(o->status) || WTERMSIG(o->status) != SIGABRT)
		fail_msg("the machine ran on (status 0x%x): %s", o->status, o->err);
	if (!strstr(o->err, "panic: ") || !strstr(o->err, where) || !strstr(o->err, what))
		fail_msg("no panic report naming %s and %s: '%s'", where, what, o->err);
}

static void assert_ran_to_end(const struct outcome *o)
{
	if (!WIFEXITED(o->status) || WEXITSTATUS(o->status))
		fail_msg("without the injected failure the child did not finish: 0x%x: %s",
			 o->status, o->err);
}

/*
 * A map prepared (checked, its tables counted) and then committed. The
 * injected failure: the pool loses the pages the check reserved before the
 * commit, which a correct caller can never bring about (the commit follows
 * the reservation under the same lock).
 */
static void commit_map(bool drain)
{
	struct pvm_sim_config mc = {.ram_base = PVM_SIM_RAM_BASE_DEFAULT, .ram_size = 64 * MiB};
	struct pvm_stage2_config cfg = {.ipa_bits = 36, .pa_bits = 40, .vmid = 1};
	static struct pvm_stage2 s2;
	static struct pvm_pool pool;
	struct pvm_stage2_mapping m;
	pvm_paddr_t root, pages, p;
	struct s2_op op;

	if (pvm_sim_init(&mc) || pvm_sim_carve(1, 1, &root) || pvm_sim_carve(8, 1, &pages))
		_exit(2);
	pvm_pool_init(&pool);
	if (pvm_stage2_init(&s2, &cfg, root, &pool) || pvm_pool_donate(&pool, pages, 8))
		_exit(3);
	if (s2_map_prepare(&op, &s2, pvm_ipa(IPA), pvm_pa(PVM_SIM_RAM_BASE_DEFAULT), PAGE,
			   PVM_PROT_RW, 0) ||
	    !op.need)
		_exit(4);
	if (drain)
		while (pvm_pool_alloc(&pool, &p) == PVM_OK)
			;
	s2_commit(&op);
	/* Only without the injection: the commit did all it was prepared for. */
	if (pvm_stage2_lookup(&s2, pvm_ipa(IPA), &m) || !m.valid)
		_exit(5);
}

static void test_commit_without_its_pages_stops(void **state)
{
	struct outcome o;

	(void)state;
	o = in_child(commit_map, false);
	assert_ran_to_end(&o);
	o = in_child(commit_map, true);
	assert_panicked(&o, "stage2.c:", "pvm_pool_alloc");
}

/* A function whose contract is "the VM's lock held", called with or without it. */
static void frozen_query(bool unlocked)
{
	static struct pvm_vm vm;

	if (!unlocked)
		pvm_port_lock(&vm.lock);
	(void)attest_vm_frozen_locked(&vm);
	if (!unlocked)
		pvm_port_unlock(&vm.lock);
}

static void test_lock_not_held_stops_debug_builds(void **state)
{
	struct outcome o;

	(void)state;
	o = in_child(frozen_query, false);
	assert_ran_to_end(&o);
	o = in_child(frozen_query, true);
#ifdef NDEBUG
	/* Release builds compile the lock assertions out (src/check.h): nothing to stop. */
	assert_ran_to_end(&o);
#else
	assert_panicked(&o, "measure.c:", "pvm_port_lock_held(&vm->lock)");
#endif
}

/* The simulator's own hook, called directly: it reports and aborts. */
static void panic_directly(bool unused)
{
	(void)unused;
	pvm_port_panic("test: the hook itself");
}

static void test_port_panic_reports_and_aborts(void **state)
{
	struct outcome o;

	(void)state;
	o = in_child(panic_directly, false);
	assert_panicked(&o, "test:", "the hook itself");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_panic_reports_and_aborts),
		cmocka_unit_test(test_commit_without_its_pages_stops),
		cmocka_unit_test(test_lock_not_held_stops_debug_builds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
