/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated machine and its stage-2 MMU, checked against tables built
 * by hand from the architecture's descriptor format (not with the core's
 * stage-2 engine: these tests are what makes the simulator a trustworthy
 * second opinion on the engine).
 *
 * Each regime below is written out descriptor by descriptor; the tables of
 * expected results give the architectural outcome of one access each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/port.h>
#include <libpvm/sim.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (64 * MiB)

/* Stage-2 descriptor bits, from the Arm ARM (VMSAv8-64, 4 KiB granule). */
#define D_NORMAL	(0xfull << 2) /* MemAttr: Normal, Inner/Outer Write-Back */
#define D_DEVICE	(0x1ull << 2) /* MemAttr: Device-nGnRE */
#define D_R		(1ull << 6)   /* S2AP[0] */
#define D_W		(1ull << 7)   /* S2AP[1] */
#define D_ISH		(3ull << 8)   /* SH: Inner Shareable */
#define D_AF		(1ull << 10)
#define D_XN(x)		((uint64_t)(x) << 53)
#define D_SW(x)		((uint64_t)(x) << 55)
#define D_RW		(D_NORMAL | D_R | D_W | D_ISH | D_AF)
#define D_RO		(D_NORMAL | D_R | D_ISH | D_AF)
#define TABLE(pa)	((pa) | 0x3ull)
#define BLOCK(pa, attr) ((pa) | 0x1ull | (attr))
#define PAGE(pa, attr)	((pa) | 0x3ull | (attr))

#define R PVM_SIM_READ
#define W PVM_SIM_WRITE
#define X PVM_SIM_EXEC

/* VTCR_EL2 as a hypervisor would write it: WB walks, inner shareable, 16-bit VMID, RES1 bit 31. */
static uint64_t vtcr(unsigned ipa_bits, unsigned sl0, unsigned ps)
{
	return (uint64_t)(64 - ipa_bits) | (uint64_t)sl0 << 6 | 1ull << 8 | 1ull << 10 |
	       3ull << 12 | (uint64_t)ps << 16 | 1ull << 19 | 1ull << 31;
}

static uint64_t vttbr(uint64_t root, uint16_t vmid)
{
	return root | (uint64_t)vmid << 48;
}

static uint64_t carve(uint64_t npages, uint64_t align)
{
	pvm_paddr_t pa;

	assert_int_equal(pvm_sim_carve(npages, align, &pa), PVM_OK);
	return pvm_pa_val(pa);
}

static void wr(uint64_t table, unsigned idx, uint64_t desc)
{
	uint64_t *p = pvm_sim_ram(pvm_pa(table + idx * 8ull), 8);

	assert_non_null(p);
	*p = desc;
}

static int machine_up(void **state)
{
	struct pvm_sim_config cfg = {.ram_base = RAM_BASE, .ram_size = RAM_SIZE};

	(void)state;
	return pvm_sim_init(&cfg) == PVM_OK ? 0 : -1;
}

static int machine_down(void **state)
{
	(void)state;
	pvm_sim_fini();
	return 0;
}

/* ---- the machine: RAM, carving, PA<->VA, locks, counters ---- */

static void test_init_rejects_bad_config(void **state)
{
	static const struct pvm_sim_config bad[] = {
		{.ram_base = RAM_BASE, .ram_size = 0},
		{.ram_base = RAM_BASE + 1, .ram_size = MiB},
		{.ram_base = RAM_BASE, .ram_size = MiB + 8},
		{.ram_base = (1ull << 48) - MiB, .ram_size = 2 * MiB},
		{.ram_base = 0, .ram_size = (1ull << 48) + 4096},
		{.ram_base = ~0ull & ~4095ull, .ram_size = 8192},
	};
	unsigned i;

	(void)state;
	assert_int_equal(pvm_sim_init(NULL), PVM_E_INVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pvm_sim_init(&bad[i]), PVM_E_INVAL);
	/* A failed init leaves the machine as it was. */
	assert_int_equal(pvm_sim_ram_base(), RAM_BASE);
	assert_int_equal(pvm_sim_ram_size(), RAM_SIZE);
}

static void test_ram_window(void **state)
{
	uint8_t *p;

	(void)state;
	p = pvm_sim_ram(pvm_pa(RAM_BASE), RAM_SIZE);
	assert_non_null(p);
	/* RAM reads zero until written; a large machine costs nothing untouched. */
	assert_int_equal(p[0], 0);
	assert_int_equal(p[RAM_SIZE - 1], 0);
	assert_ptr_equal(pvm_sim_ram(pvm_pa(RAM_BASE + 4096), 16), p + 4096);
	assert_null(pvm_sim_ram(pvm_pa(RAM_BASE - 1), 1));
	assert_null(pvm_sim_ram(pvm_pa(RAM_BASE), RAM_SIZE + 1));
	assert_null(pvm_sim_ram(pvm_pa(RAM_BASE + RAM_SIZE - 8), 16));
	assert_null(pvm_sim_ram(pvm_pa(RAM_BASE + RAM_SIZE), 1));
	assert_null(pvm_sim_ram(pvm_pa(RAM_BASE + 8), ~0ull));
	assert_null(pvm_sim_ram(pvm_pa(0), 4096));
}

static void test_phys_virt(void **state)
{
	uint8_t *p = pvm_sim_ram(pvm_pa(RAM_BASE), RAM_SIZE);
	void *va;

	(void)state;
	va = pvm_port_phys_to_virt(pvm_pa(RAM_BASE + 0x1234));
	assert_ptr_equal(va, p + 0x1234);
	assert_int_equal(pvm_pa_val(pvm_port_virt_to_phys(va)), RAM_BASE + 0x1234);
	va = pvm_port_phys_to_virt(pvm_pa(RAM_BASE + RAM_SIZE - 1));
	assert_int_equal(pvm_pa_val(pvm_port_virt_to_phys(va)), RAM_BASE + RAM_SIZE - 1);
}

static void test_carve(void **state)
{
	pvm_paddr_t pa = pvm_pa(0x1234);
	uint64_t a, b, c;

	(void)state;
	/* From the top down, aligned as asked. */
	a = carve(1, 1);
	assert_int_equal(a, RAM_BASE + RAM_SIZE - 4096);
	b = carve(3, 4);
	assert_int_equal(b % (16 * KiB), 0);
	assert_true(b + 3 * 4096 <= a);
	c = carve(1, 512);
	assert_int_equal(c % (2 * MiB), 0);
	assert_true(c < b);

	assert_int_equal(pvm_sim_carve(0, 1, &pa), PVM_E_INVAL);
	assert_int_equal(pvm_sim_carve(1, 0, &pa), PVM_E_INVAL);
	assert_int_equal(pvm_sim_carve(1, 3, &pa), PVM_E_INVAL);
	assert_int_equal(pvm_sim_carve(1, 1, NULL), PVM_E_INVAL);
	assert_int_equal(pvm_sim_carve(1, 1ull << 40, &pa), PVM_E_INVAL);
	assert_int_equal(pvm_pa_val(pa), 0x1234);

	/* Too much, or more than is left: NOMEM, and nothing is used up. */
	assert_int_equal(pvm_sim_carve(RAM_SIZE / 4096 + 1, 1, &pa), PVM_E_NOMEM);
	assert_int_equal(pvm_sim_carve(~0ull, 1, &pa), PVM_E_NOMEM);
	assert_int_equal(pvm_sim_carve(1, 1ull << 20, &pa), PVM_E_NOMEM);
	assert_int_equal(pvm_pa_val(pa), 0x1234);
	a = carve((c - RAM_BASE) / 4096, 1);
	assert_int_equal(a, RAM_BASE);
	assert_int_equal(pvm_sim_carve(1, 1, &pa), PVM_E_NOMEM);
}

static void test_carve_without_machine(void **state)
{
	pvm_paddr_t pa;

	(void)state;
	pvm_sim_fini();
	assert_int_equal(pvm_sim_ram_size(), 0);
	assert_null(pvm_sim_ram(pvm_pa(RAM_BASE), 1));
	assert_int_equal(pvm_sim_carve(1, 1, &pa), PVM_E_NOMEM);
}

static void test_counters(void **state)
{
	struct pvm_sim_stats st;
	pvm_lock_t lock = PVM_LOCK_INIT;

	(void)state;
	pvm_port_dcache_clean_poc(pvm_port_phys_to_virt(pvm_pa(RAM_BASE)), 4096);
	pvm_port_dcache_clean_poc(pvm_port_phys_to_virt(pvm_pa(RAM_BASE)), 3);
	pvm_port_tlbi_ipa(1, pvm_ipa(0), PVM_TLBI_LEVEL_ANY);
	pvm_port_tlbi_vmid(1);
	pvm_port_tlbi_vmid(2);
	pvm_port_lock(&lock);
	assert_int_not_equal(lock.word, 0);
	pvm_port_unlock(&lock);
	assert_int_equal(lock.word, 0);

	pvm_sim_get_stats(&st);
	assert_int_equal(st.dcache_cleans, 2);
	assert_int_equal(st.tlbi_ipa, 1);
	assert_int_equal(st.tlbi_vmid, 2);
	assert_int_equal(st.bbm_violations, 0);
	pvm_sim_reset_stats();
	pvm_sim_get_stats(&st);
	assert_int_equal(st.dcache_cleans + st.tlbi_ipa + st.tlbi_vmid, 0);
}

static pvm_lock_t shared_lock = PVM_LOCK_INIT;
static uint64_t shared_count;

static void *hammer(void *arg)
{
	struct pvm_sim_s2_result res;
	unsigned i;

	(void)arg;
	for (i = 0; i < 20000; i++) {
		pvm_port_lock(&shared_lock);
		/* Not atomic: only the lock keeps the count right. */
		shared_count = shared_count + 1;
		pvm_port_unlock(&shared_lock);
		/* The port's own state is shared by vCPU threads too. */
		if (i % 64 == 0) {
			pvm_port_tlbi_ipa(1, pvm_ipa(0), 3);
			(void)pvm_sim_s2_translate(1ull << 31 | 1ull << 19 | 1ull << 6 | 24,
						   RAM_BASE, 0, PVM_SIM_READ, &res);
		}
	}
	return NULL;
}

static void test_lock_excludes(void **state)
{
	pthread_t t[4];
	struct pvm_sim_stats st;
	unsigned i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(shared_count, 4 * 20000);
	assert_int_equal(shared_lock.word, 0);
	pvm_sim_get_stats(&st);
	assert_int_equal(st.tlbi_ipa, 4 * ((20000 + 63) / 64));
	assert_int_equal(st.tlb_misses + st.tlb_hits, st.tlbi_ipa);
}

/* A fork() child tags the locks it takes with its own thread id, not its parent's. */
static void test_lock_owner_after_fork(void **state)
{
	pvm_lock_t lock = PVM_LOCK_INIT;
	int status;
	pid_t pid;

	(void)state;
	pvm_port_lock(&lock);
	assert_int_equal(lock.word, (uint32_t)getpid());
	pvm_port_unlock(&lock);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pvm_port_lock(&lock);
		_exit(lock.word == (uint32_t)getpid() ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Run fn in a child process; it must die of SIGABRT (a core bug the port reports). */
static void expect_abort(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Keep the expected message out of the test log. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void p2v_below_ram(void)
{
	(void)pvm_port_phys_to_virt(pvm_pa(RAM_BASE - 4096));
}

static void p2v_above_ram(void)
{
	(void)pvm_port_phys_to_virt(pvm_pa(RAM_BASE + RAM_SIZE));
}

static void v2p_foreign(void)
{
	static int not_ram;

	(void)pvm_port_virt_to_phys(&not_ram);
}

static void lock_twice(void)
{
	static pvm_lock_t lock = PVM_LOCK_INIT;

	pvm_port_lock(&lock);
	pvm_port_lock(&lock);
}

static void unlock_free(void)
{
	static pvm_lock_t lock = PVM_LOCK_INIT;

	pvm_port_unlock(&lock);
}

static void bad_tlbi_level(void)
{
	pvm_port_tlbi_ipa(1, pvm_ipa(0), 4);
}

static void test_core_bugs_abort(void **state)
{
	(void)state;
	expect_abort(p2v_below_ram);
	expect_abort(p2v_above_ram);
	expect_abort(v2p_foreign);
	expect_abort(lock_twice);
	expect_abort(unlock_free);
	expect_abort(bad_tlbi_level);
}

/* ---- the MMU ---- */

struct expect {
	const char *what;
	uint64_t ipa;
	enum pvm_sim_access access;
	bool fault;
	uint8_t fsc;	/* when fault */
	unsigned level; /* leaf or fault level */
	uint64_t pa;	/* when !fault */
	uint64_t block; /* when !fault */
};

#define OK(w, i, a, lvl, p, b)                                                                     \
	{                                                                                          \
		w, i, a, false, 0, lvl, p, b                                                       \
	}
#define FAULT(w, i, a, fsc, lvl)                                                                   \
	{                                                                                          \
		w, i, a, true, fsc, lvl, 0, 0                                                      \
	}
#define TF(l)  PVM_FSC_TRANSLATION(l)
#define AS(l)  PVM_FSC_ADDR_SIZE(l)
#define AFF(l) PVM_FSC_ACCESS_FLAG(l)
#define PF(l)  PVM_FSC_PERMISSION(l)

static void check_all(uint64_t vt, uint64_t vb, const struct expect *e, unsigned n)
{
	struct pvm_sim_s2_result res;
	unsigned i;

	for (i = 0; i < n; i++) {
		/* Each access twice: the walk, then (for a translation) the cached leaf. */
		for (int pass = 0; pass < 2; pass++) {
			assert_int_equal(pvm_sim_s2_translate(vt, vb, e[i].ipa, e[i].access, &res),
					 PVM_OK);
			if (res.fault != e[i].fault || res.level != e[i].level ||
			    (e[i].fault && res.fsc != e[i].fsc) ||
			    (!e[i].fault &&
			     (pvm_pa_val(res.pa) != e[i].pa || res.block != e[i].block)))
				fail_msg("%s (pass %d): fault %d fsc 0x%02x level %u pa 0x%llx "
					 "block 0x%llx",
					 e[i].what, pass, res.fault, res.fsc, res.level,
					 (unsigned long long)pvm_pa_val(res.pa),
					 (unsigned long long)res.block);
		}
	}
}

/*
 * Regime A: 40-bit IPA, start level 1 with two concatenated root pages,
 * 40-bit PA. One example of every fault a level 1, 2 or 3 entry can cause.
 */
struct regime_a {
	uint64_t root, l2, l3;
};

static struct regime_a build_a(void)
{
	struct regime_a a;

	a.root = carve(2, 2);
	a.l2 = carve(1, 1);
	a.l3 = carve(1, 1);

	wr(a.root, 0, TABLE(a.l2));
	wr(a.root, 1, BLOCK(0x40000000ull, D_RW));
	wr(a.root, 2, 0);
	wr(a.root, 3, BLOCK(0x80000000ull, D_RW & ~D_AF));
	wr(a.root, 4, BLOCK(1ull << 40, D_RW));
	wr(a.root, 5, TABLE(1ull << 40));
	wr(a.root, 6, BLOCK(0xc0000000ull, D_RO));
	wr(a.root, 7, TABLE(0x01000000ull));	      /* below RAM, inside the PA size */
	wr(a.root, 8, 0x40000000ull | 0x2 | D_RW);    /* bit 0 clear: invalid whatever else */
	wr(a.root, 600, BLOCK(0x100000000ull, D_RW)); /* second root page */

	wr(a.l2, 0, TABLE(a.l3));
	wr(a.l2, 1, BLOCK(0x40400000ull, D_RW | D_SW(0xa) | D_XN(2)));
	wr(a.l2, 2, 0);
	wr(a.l2, 3, BLOCK(0x40600000ull, D_RW & ~D_AF));
	wr(a.l2, 4, BLOCK((1ull << 40) | 0x200000ull, D_RW));
	wr(a.l2, 5, TABLE(1ull << 40));
	wr(a.l2, 6, BLOCK(0x40800000ull, D_RO));
	wr(a.l2, 7, BLOCK(0x40a00000ull, D_NORMAL | D_W | D_ISH | D_AF));
	wr(a.l2, 8, TABLE(0xfffff000ull)); /* inside the PA size, outside RAM */

	wr(a.l3, 0, PAGE(0x40010000ull, D_RW));
	wr(a.l3, 1, 0);
	wr(a.l3, 2, PAGE(0x40012000ull, D_RW & ~D_AF));
	wr(a.l3, 3, 0x40013000ull | 0x1 | D_RW); /* "block" at level 3: reserved */
	wr(a.l3, 4, PAGE(0x40014000ull, D_RO));
	wr(a.l3, 5, PAGE(0x40015000ull, D_NORMAL | D_ISH | D_AF)); /* S2AP = 0b00 */
	wr(a.l3, 6, PAGE(1ull << 40, D_RW));
	wr(a.l3, 7, PAGE(0x40017000ull, D_RW | D_XN(0)));
	wr(a.l3, 8, PAGE(0x40018000ull, D_RW | D_XN(1)));
	wr(a.l3, 9, PAGE(0x40019000ull, D_RW | D_XN(2)));
	wr(a.l3, 10, PAGE(0x4001a000ull, D_RW | D_XN(3)));
	wr(a.l3, 11, PAGE(0x4001b000ull, D_DEVICE | D_R | D_W | D_AF));
	wr(a.l3, 12, PAGE(0x4001c000ull, D_NORMAL | D_W | D_ISH | D_AF)); /* write-only */
	return a;
}

static void test_regime_a(void **state)
{
	struct regime_a a;
	uint64_t vt = vtcr(40, 1, 2), vb;
	struct pvm_sim_s2_result res;
	const struct expect e[] = {
		/* level 3 pages */
		OK("page", 0x123, R, 3, 0x40010123ull, 4 * KiB),
		OK("page write", 0xff8, W, 3, 0x40010ff8ull, 4 * KiB),
		FAULT("L3 invalid", 0x1000, R, TF(3), 3),
		FAULT("L3 AF clear", 0x2000, R, AFF(3), 3),
		FAULT("L3 0b01 reserved", 0x3000, R, TF(3), 3),
		OK("L3 read-only read", 0x4000, R, 3, 0x40014000ull, 4 * KiB),
		FAULT("L3 read-only write", 0x4008, W, PF(3), 3),
		FAULT("L3 no-access read", 0x5000, R, PF(3), 3),
		FAULT("L3 no-access write", 0x5000, W, PF(3), 3),
		FAULT("L3 OA beyond PS", 0x6000, R, AS(3), 3),
		OK("XN 0b00 exec", 0x7000, X, 3, 0x40017000ull, 4 * KiB),
		FAULT("XN 0b01 exec (EL0 only)", 0x8000, X, PF(3), 3),
		FAULT("XN 0b10 exec (none)", 0x9000, X, PF(3), 3),
		OK("XN 0b11 exec (EL1 only)", 0xa000, X, 3, 0x4001a000ull, 4 * KiB),
		OK("XN 0b10 read", 0x9000, R, 3, 0x40019000ull, 4 * KiB),
		OK("device read", 0xb010, R, 3, 0x4001b010ull, 4 * KiB),
		FAULT("write-only read", 0xc000, R, PF(3), 3),
		OK("write-only write", 0xc000, W, 3, 0x4001c000ull, 4 * KiB),
		FAULT("L3 past the filled entries", 0x1ff000, R, TF(3), 3),
		/* level 2 blocks */
		OK("L2 block", 0x2abcde, R, 2, 0x404abcdeull, 2 * MiB),
		FAULT("L2 block XN 0b10", 0x200000, X, PF(2), 2),
		FAULT("L2 invalid", 0x400000, R, TF(2), 2),
		FAULT("L2 AF clear", 0x600000, W, AFF(2), 2),
		FAULT("L2 OA beyond PS", 0x800000, R, AS(2), 2),
		FAULT("L2 table beyond PS", 0xa00000, R, AS(2), 2),
		OK("L2 read-only read", 0xc00000, R, 2, 0x40800000ull, 2 * MiB),
		FAULT("L2 read-only write", 0xdfffff, W, PF(2), 2),
		FAULT("L2 write-only read", 0xe00000, R, PF(2), 2),
		/* level 1 blocks */
		OK("L1 block", 0x40001234ull, R, 1, 0x40001234ull, GiB),
		OK("L1 block last byte", 0x7fffffffull, W, 1, 0x7fffffffull, GiB),
		FAULT("L1 invalid", 2 * GiB, R, TF(1), 1),
		FAULT("L1 AF clear", 3 * GiB + 5, R, AFF(1), 1),
		FAULT("L1 OA beyond PS", 4 * GiB, R, AS(1), 1),
		FAULT("L1 table beyond PS", 5 * GiB, R, AS(1), 1),
		OK("L1 read-only read", 6 * GiB + 8, R, 1, 0xc0000008ull, GiB),
		FAULT("L1 read-only write", 6 * GiB + 8, W, PF(1), 1),
		FAULT("L1 0b10 (bit 0 clear)", 8 * GiB, R, TF(1), 1),
		/* the second concatenated root page */
		OK("root entry 600", 600 * GiB + 0x5678, R, 1, 0x100005678ull, GiB),
		FAULT("root entry 1023", 1023 * GiB, R, TF(1), 1),
		/* the input size */
		FAULT("IPA = 2^40", 1ull << 40, R, TF(0), 0),
		FAULT("IPA far beyond", ~0ull, R, TF(0), 0),
	};

	(void)state;
	a = build_a();
	vb = vttbr(a.root, 7);
	check_all(vt, vb, e, sizeof(e) / sizeof(e[0]));

	/* The attributes of a leaf come back as they are in the descriptor. */
	assert_int_equal(pvm_sim_s2_translate(vt, vb, 0x200000, R, &res), PVM_OK);
	assert_false(res.fault);
	assert_int_equal(res.s2ap, 3);
	assert_int_equal(res.xn, 2);
	assert_int_equal(res.memattr, 0xf);
	assert_int_equal(res.sh, 3);
	assert_int_equal(res.sw, 0xa);
	assert_int_equal(pvm_sim_s2_translate(vt, vb, 0xb000, W, &res), PVM_OK);
	assert_false(res.fault);
	assert_int_equal(res.memattr, 0x1);
	assert_int_equal(res.sh, 0);
	assert_int_equal(res.xn, 0);
	assert_int_equal(res.sw, 0);
	assert_int_equal(pvm_sim_s2_translate(vt, vb, 0x4000, R, &res), PVM_OK);
	assert_int_equal(res.s2ap, 1);

	/* A table outside simulated RAM is an error of the tables' builder, not a fault. */
	assert_int_equal(pvm_sim_s2_translate(vt, vb, 7 * GiB, R, &res), PVM_E_INVAL);
	assert_int_equal(pvm_sim_s2_translate(vt, vb, 16 * MiB, R, &res), PVM_E_INVAL);
	/* CnP (VTTBR bit 0) does not move the root. */
	assert_int_equal(pvm_sim_s2_translate(vt, vb | 1, 0x123, R, &res), PVM_OK);
	assert_int_equal(pvm_pa_val(res.pa), 0x40010123ull);
}

/*
 * Regime B: 48-bit IPA, start level 0 (one root page). A full four-level
 * walk, the level-0 faults, and the same root read with a 32-bit PS.
 */
static void test_regime_b_level0(void **state)
{
	uint64_t root = carve(1, 1), l1 = carve(1, 1), l2 = carve(1, 1), l3 = carve(1, 1);
	uint64_t ipa_full = (2ull << 39) | (3ull << 30) | (4ull << 21) | (5ull << 12) | 0x678;
	struct pvm_sim_s2_result res;
	const struct expect e48[] = {
		OK("4-level walk", ipa_full, R, 3, 0x40030678ull, 4 * KiB),
		OK("L1 block below L0", (2ull << 39) | 0x123, W, 1, 0x100000123ull, GiB),
		FAULT("L0 invalid", 0, R, TF(0), 0),
		FAULT("L0 0b01 (no blocks at L0)", 1ull << 39, R, TF(0), 0),
		FAULT("L1 invalid below L0", (2ull << 39) | (1ull << 30), R, TF(1), 1),
		FAULT("L2 invalid", (2ull << 39) | (3ull << 30), R, TF(2), 2),
		FAULT("L3 invalid", (2ull << 39) | (3ull << 30) | (4ull << 21), R, TF(3), 3),
		FAULT("root entry 511", 511ull << 39, R, TF(0), 0),
		FAULT("IPA = 2^48", 1ull << 48, R, TF(0), 0),
	};
	const struct expect e32[] = {
		FAULT("L0 table beyond a 32-bit PS", 3ull << 39, R, AS(0), 0),
		OK("4-level walk, 32-bit PS", ipa_full, R, 3, 0x40030678ull, 4 * KiB),
		FAULT("L1 block beyond a 32-bit PS", (2ull << 39) | 0x123, R, AS(1), 1),
	};

	(void)state;
	wr(root, 1, BLOCK(0x8000000000ull, D_RW));
	wr(root, 2, TABLE(l1));
	wr(root, 3, TABLE(0x100000000ull));
	wr(l1, 0, BLOCK(0x100000000ull, D_RW));
	wr(l1, 3, TABLE(l2));
	wr(l2, 4, TABLE(l3));
	wr(l3, 5, PAGE(0x40030000ull, D_RW));

	check_all(vtcr(48, 2, 5), vttbr(root, 1), e48, sizeof(e48) / sizeof(e48[0]));
	/* Same tables, another VMID so that nothing comes from the TLB. */
	check_all(vtcr(48, 2, 0), vttbr(root, 2), e32, sizeof(e32) / sizeof(e32[0]));
	/* With PS = 48 bits the L0 table at 4 GiB is in range but not RAM. */
	assert_int_equal(pvm_sim_s2_translate(vtcr(48, 2, 5), vttbr(root, 1), 3ull << 39, R, &res),
			 PVM_E_INVAL);

	/* A root beyond the PA size: level 0 address size fault, before any read. */
	assert_int_equal(pvm_sim_s2_translate(vtcr(48, 2, 0), vttbr(0x100000000ull, 3), 0, R, &res),
			 PVM_OK);
	assert_true(res.fault);
	assert_int_equal(res.fsc, AS(0));
	assert_int_equal(res.level, 0);
	/* The same for a level 1 start: the root's fault is still reported at level 0. */
	assert_int_equal(pvm_sim_s2_translate(vtcr(36, 1, 0), vttbr(0x100000000ull, 3), 0, R, &res),
			 PVM_OK);
	assert_true(res.fault);
	assert_int_equal(res.fsc, AS(0));
	assert_int_equal(res.level, 0);
	/* A root inside the PA size but outside RAM. */
	assert_int_equal(pvm_sim_s2_translate(vtcr(48, 2, 5), vttbr(0x1000, 3), 0, R, &res),
			 PVM_E_INVAL);
}

/* Concatenated roots and start levels for other IPA sizes. */
static void test_start_levels(void **state)
{
	uint64_t r32 = carve(4, 4), r34 = carve(16, 16), r36 = carve(1, 1), r40 = carve(1, 1);
	uint64_t l1 = carve(1, 1), l2 = carve(1, 1);
	const struct expect e32[] = {
		OK("IPA 32, L2 root entry 1500 (page 2)", (1500ull << 21) + 0x1234, R, 2,
		   0x40201234ull, 2 * MiB),
		OK("IPA 32, L2 root entry 2047 (page 3)", 0xffffffffull, R, 2, 0x405fffffull,
		   2 * MiB),
		FAULT("IPA 32, L2 root entry 0", 0, R, TF(2), 2),
		FAULT("IPA 32, 2^32", 1ull << 32, R, TF(0), 0),
	};
	const struct expect e34[] = {
		OK("IPA 34, L2 root entry 8191 (page 15)", (1ull << 34) - 1, R, 2, 0x407fffffull,
		   2 * MiB),
		FAULT("IPA 34, 2^34", 1ull << 34, R, TF(0), 0),
	};
	const struct expect e36[] = {
		OK("IPA 36, L1 root entry 63", (63ull << 30) + 7, R, 1, 0x40000007ull, GiB),
		FAULT("IPA 36, 2^36", 1ull << 36, R, TF(0), 0),
	};
	const struct expect e40_l0[] = {
		/* Two entries at level 0; the second leads to a level 1 table. */
		OK("IPA 40 from L0, entry 1", (1ull << 39) + (5ull << 30) + (1ull << 21) + 9, W, 2,
		   0x40600009ull, 2 * MiB),
		FAULT("IPA 40 from L0, entry 0", 0, R, TF(0), 0),
		FAULT("IPA 40 from L0, 2^40", 1ull << 40, R, TF(0), 0),
	};

	(void)state;
	wr(r32, 1500, BLOCK(0x40200000ull, D_RW));
	wr(r32, 2047, BLOCK(0x40400000ull, D_RW));
	wr(r34, 8191, BLOCK(0x40600000ull, D_RW));
	wr(r36, 63, BLOCK(0x40000000ull, D_RW));
	wr(r40, 1, TABLE(l1));
	wr(l1, 5, TABLE(l2));
	wr(l2, 1, BLOCK(0x40600000ull, D_RW));

	check_all(vtcr(32, 0, 0), vttbr(r32, 1), e32, sizeof(e32) / sizeof(e32[0]));
	check_all(vtcr(34, 0, 0), vttbr(r34, 2), e34, sizeof(e34) / sizeof(e34[0]));
	check_all(vtcr(36, 1, 1), vttbr(r36, 3), e36, sizeof(e36) / sizeof(e36[0]));
	check_all(vtcr(40, 2, 2), vttbr(r40, 4), e40_l0, sizeof(e40_l0) / sizeof(e40_l0[0]));
}

static void test_bad_registers(void **state)
{
	uint64_t root2 = carve(2, 2), root1 = carve(1, 1);
	uint64_t good = vtcr(40, 1, 2);
	struct pvm_sim_s2_result res;
	const struct {
		const char *what;
		uint64_t vtcr, vttbr;
	} bad[] = {
		{"T0SZ 15 (49-bit IPA)", vtcr(49, 2, 5), vttbr(root1, 1)},
		{"T0SZ 33 (31-bit IPA)", vtcr(31, 0, 0), vttbr(root1, 1)},
		{"T0SZ 0", vtcr(64, 2, 5), vttbr(root1, 1)},
		{"T0SZ 63", vtcr(1, 0, 0), vttbr(root1, 1)},
		{"SL0 3", vtcr(40, 3, 2), vttbr(root2, 1)},
		{"TG0 64K", good | 1ull << 14, vttbr(root2, 1)},
		{"TG0 16K", good | 2ull << 14, vttbr(root2, 1)},
		{"TG0 reserved", good | 3ull << 14, vttbr(root2, 1)},
		{"PS 52 bits", vtcr(40, 1, 6), vttbr(root2, 1)},
		{"PS reserved", vtcr(40, 1, 7), vttbr(root2, 1)},
		{"IPA 35 from L2 (32 tables)", vtcr(35, 0, 2), vttbr(root1, 1)},
		{"IPA 48 from L1 (512 tables)", vtcr(48, 1, 5), vttbr(root1, 1)},
		{"IPA 39 from L0 (no bits left)", vtcr(39, 2, 2), vttbr(root1, 1)},
		{"IPA 32 from L0", vtcr(32, 2, 0), vttbr(root1, 1)},
		{"T0SZ 34", vtcr(30, 1, 0), vttbr(root1, 1)},
		{"2-page root on a 4K boundary", good, vttbr(root2 + 4096, 1)},
		{"low BADDR bits set", good, vttbr(root2 | 0x10, 1)},
		{"hardware AF (HA)", good | 1ull << 21, vttbr(root2, 1)},
		{"hardware dirty (HD)", good | 1ull << 22, vttbr(root2, 1)},
		{"LPA2 (DS)", good | 1ull << 32, vttbr(root2, 1)},
		{"S2PIE", good | 1ull << 36, vttbr(root2, 1)},
		{"128-bit descriptors", good | 1ull << 38, vttbr(root2, 1)},
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pvm_sim_s2_translate(bad[i].vtcr, bad[i].vttbr, 0, R, &res) != PVM_E_INVAL)
			fail_msg("accepted: %s", bad[i].what);
		if (pvm_sim_bbm_watch(bad[i].vtcr, bad[i].vttbr) != PVM_E_INVAL)
			fail_msg("watch accepted: %s", bad[i].what);
	}
	/* The good values around them are accepted. */
	assert_int_equal(pvm_sim_s2_translate(good, vttbr(root2, 1), 0, R, &res), PVM_OK);
	assert_int_equal(pvm_sim_s2_translate(vtcr(32, 1, 0), vttbr(root1, 1), 0, R, &res), PVM_OK);
	assert_int_equal(pvm_sim_s2_translate(good, vttbr(root2, 1), 0, 3, &res), PVM_E_INVAL);
	assert_int_equal(pvm_sim_s2_translate(good, vttbr(root2, 1), 0, R, NULL), PVM_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_rejects_bad_config, machine_up,
						machine_down),
		cmocka_unit_test_setup_teardown(test_ram_window, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_phys_virt, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_carve, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_carve_without_machine, machine_up,
						machine_down),
		cmocka_unit_test_setup_teardown(test_counters, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_lock_excludes, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_lock_owner_after_fork, machine_up,
						machine_down),
		cmocka_unit_test_setup_teardown(test_core_bugs_abort, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_regime_a, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_regime_b_level0, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_start_levels, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_bad_registers, machine_up, machine_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
