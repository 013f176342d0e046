/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Measurement and sealing as a state machine: what each call does in each
 * state, that a failing call changes nothing, and that keys depend on
 * exactly what docs/attestation.md says they depend on.
 */
#include "attest_util.h"

#include <pthread.h>

#include <libpvm/abi.h>

#include "attest/attest_internal.h"
#include "attest/attest_state.h"

/* Create a VM, load @npages of image @seed (unless 0), seal; return its measurements. */
static unsigned build(bool protected_vm, uint64_t npages, uint8_t seed, int flip,
		      struct pvm_measurement *m)
{
	unsigned h = au_vm(protected_vm, 1);

	if (npages) {
		uint64_t pa = au_image(npages, seed);

		if (flip >= 0)
			((uint8_t *)pvm_sim_ram(pvm_pa(pa), npages * FX_PAGE))[flip] ^= 1;
		assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM),
						      npages, PVM_MEASURE_CODE, NULL),
				 PVM_OK);
	}
	assert_int_equal(pvm_vm_seal(fx_hyp, h), PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, m), PVM_OK);
	assert_true(m->sealed);
	return h;
}

static void test_determinism(void **state)
{
	struct pvm_measurement a, b, c, d, e;
	unsigned ha, hb, hc, hd, he;

	(void)state;
	ha = build(true, 4, 3, -1, &a);
	hb = build(true, 4, 3, -1, &b);
	/* Same image and configuration: same RIM, same key. */
	assert_memory_equal(a.rim, b.rim, 64);
	assert_memory_equal(a.pub, b.pub, 65);
	/* One byte of the image changed: both differ. */
	hc = build(true, 4, 3, 5000, &c);
	assert_memory_not_equal(a.rim, c.rim, 64);
	assert_memory_not_equal(a.pub, c.pub, 65);
	/* Protected or not (debug mode), same (empty) image: different keys. */
	hd = build(true, 0, 0, -1, &d);
	he = build(false, 0, 0, -1, &e);
	assert_memory_not_equal(d.pub, e.pub, 65);
	fx_destroy(ha);
	fx_destroy(hb);
	fx_destroy(hc);
	fx_destroy(hd);
	fx_destroy(he);
}

static void g_off(struct pvm_sim_cpu *cpu, void *arg)
{
	uint64_t x[8] = {PSCI_SYSTEM_OFF};

	(void)arg;
	pvm_sim_cpu_hvc(cpu, x);
}

/*
 * A VCPU_RUN refused because sealing cannot happen yet (a measured load in
 * progress on another CPU) changes nothing: the VM has not "run", so the
 * host may still boot its other vCPUs, and the same run succeeds later.
 */
static void test_refused_run_changes_nothing(void **state)
{
	unsigned h = fx_vm(true, 2, g_off, NULL);
	struct pvm_vm *vm = fx_hyp->vms[h];
	enum pvm_vcpu_power power;
	struct pvm_measurement m;
	struct pvm_exit e = {0};

	(void)state;
	assert_int_equal(pvm_vcpu_boot(fx_hyp, h, 0, pvm_ipa(FX_GUEST_RAM), 0), PVM_OK);
	vm->attest.loading = 1; /* what pvm_vm_load_measured() holds while it hashes */
	assert_int_equal(pvm_vcpu_run(fx_hyp, h, 0, &e), PVM_E_BUSY);
	vm->attest.loading = 0;
	assert_false(vm->ran);
	assert_false(vm->attest.frozen);
	assert_int_equal(vm->refs, 0);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_false(m.sealed);
	assert_int_equal(pvm_vcpu_power(fx_hyp, h, 1, &power), PVM_OK);
	assert_int_equal(power, PVM_VCPU_OFF);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, h, 1, pvm_ipa(FX_GUEST_RAM), 1), PVM_OK);
	assert_int_equal(pvm_vcpu_run(fx_hyp, h, 0, &e), PVM_OK);
	assert_int_equal(e.kind, PVM_EXIT_PSCI);
	assert_true(vm->ran);
	fx_destroy(h);
}

static void test_seal_twice_and_load_after(void **state)
{
	struct pvm_measurement m;
	struct attest_vm before;
	struct pvm_page_info pi;
	unsigned h = build(true, 2, 9, -1, &m);
	uint64_t pa = au_image(1, 1);

	(void)state;
	memcpy(&before, &fx_hyp->vms[h]->attest, sizeof(before));
	assert_int_equal(pvm_vm_seal(fx_hyp, h), PVM_OK);
	assert_int_equal(attest_vm_seal(fx_hyp, fx_hyp->vms[h], NULL), PVM_OK);
	assert_memory_equal(&fx_hyp->vms[h]->attest, &before, sizeof(before));

	/* Loading after the seal: refused, the page still the host's, nothing measured. */
	assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa),
					      pvm_ipa(FX_GUEST_RAM + 0x100000), 1, PVM_MEASURE_DATA,
					      NULL),
			 PVM_E_STATE);
	assert_int_equal(pvm_mem_page(fx_hyp, pvm_pa(pa), &pi), PVM_OK);
	assert_int_equal(pi.owner, PVM_ID_HOST);
	assert_memory_equal(&fx_hyp->vms[h]->attest, &before, sizeof(before));
	fx_destroy(h);
}

/* Every bad argument of every call, and that a failing load changes nothing. */
static void test_bad_args(void **state)
{
	struct pvm_attest_config cfg;
	struct pvm_measurement m, m2;
	unsigned h = au_vm(true, 0), np = au_vm(false, 0);
	uint64_t pa = au_image(1, 1);
	uint8_t pub[65];
	size_t need = 9;

	(void)state;
	au_config(&cfg, 1);
	assert_int_equal(pvm_attest_init(NULL, &cfg), PVM_E_INVAL);
	assert_int_equal(pvm_attest_init(fx_hyp, NULL), PVM_E_INVAL);
	assert_int_equal(pvm_attest_init(fx_hyp, &cfg), PVM_E_STATE); /* already */
	cfg.mode = 4;
	assert_int_equal(pvm_attest_init(fx_hyp, &cfg), PVM_E_INVAL);
	assert_int_equal(pvm_attest_root_key(NULL, pub), PVM_E_INVAL);
	assert_int_equal(pvm_attest_root_key(fx_hyp, NULL), PVM_E_INVAL);
	assert_int_equal(pvm_vm_measurement(NULL, h, &m), PVM_E_INVAL);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, NULL), PVM_E_INVAL);
	assert_int_equal(pvm_vm_measurement(fx_hyp, PVM_VM_MAX, &m), PVM_E_NOENT);
	assert_int_equal(pvm_vm_measurement(fx_hyp, 40, &m), PVM_E_NOENT);
	assert_int_equal(pvm_vm_seal(NULL, h), PVM_E_INVAL);
	assert_int_equal(pvm_vm_seal(fx_hyp, PVM_VM_MAX), PVM_E_NOENT);

	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_int_equal(
		pvm_vm_load_measured(NULL, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM), 1, 0, &need),
		PVM_E_INVAL);
	assert_int_equal(need, 0);
	assert_int_equal(
		pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM), 1, 4, NULL),
		PVM_E_INVAL);
	assert_int_equal(
		pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM), 0, 0, NULL),
		PVM_E_INVAL);
	assert_int_equal(pvm_vm_load_measured(fx_hyp, PVM_VM_MAX, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM),
					      1, 0, NULL),
			 PVM_E_NOENT);
	/* Misaligned, outside memory, not the host's: the donation's own errors. */
	assert_int_equal(
		pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa + 8), pvm_ipa(FX_GUEST_RAM), 1, 0, NULL),
		PVM_E_INVAL);
	assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(FX_RAM + 60 * FX_MiB),
					      pvm_ipa(FX_GUEST_RAM), 1, 0, NULL),
			 PVM_E_STATE);
	/* A non-protected VM takes no donation. */
	assert_int_equal(
		pvm_vm_load_measured(fx_hyp, np, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM), 1, 0, NULL),
		PVM_E_PERM);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m2), PVM_OK);
	assert_memory_equal(&m, &m2, sizeof(m));
	/* Flags 0 are allowed; an IPA already mapped fails and changes nothing more. */
	assert_int_equal(
		pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM), 1, 0, NULL),
		PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	pa = au_image(1, 2);
	assert_int_not_equal(
		pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM), 1, 0, NULL),
		PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m2), PVM_OK);
	assert_memory_equal(&m, &m2, sizeof(m));
	fx_destroy(h);
	fx_destroy(np);
}

/* A dying VM cannot be sealed; attestation not initialised: nothing to seal with. */
static void test_states(void **state)
{
	unsigned h = au_vm(true, 0);
	uint64_t left;

	(void)state;
	assert_int_equal(pvm_vm_teardown_start(fx_hyp, h), PVM_OK);
	assert_int_equal(pvm_vm_seal(fx_hyp, h), PVM_E_STATE);
	assert_int_equal(pvm_vm_reclaim(fx_hyp, h, 100, &left, NULL), PVM_OK);
	assert_int_equal(pvm_vm_teardown_finish(fx_hyp, h), PVM_OK);
}

static void test_uninitialised(void **state)
{
	uint8_t pub[65], buf[64], key[32];
	unsigned h = au_vm(true, 0);
	size_t len;

	(void)state;
	assert_int_equal(pvm_attest_root_key(fx_hyp, pub), PVM_E_STATE);
	assert_int_equal(pvm_vm_seal(fx_hyp, h), PVM_E_STATE);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, buf, 8, buf, sizeof(buf), &len),
			 PVM_E_STATE);
	assert_int_equal(attest_seal_key(fx_hyp->vms[h], NULL, 0, key), PVM_E_STATE);
	assert_memory_equal(key, (uint8_t[32]){0}, 32);
	fx_destroy(h);
}

struct racer {
	pthread_barrier_t *go;
	struct pvm_vm *vm;
	pvm_status_t ret;
};

static void *race_seal(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->ret = attest_vm_seal(fx_hyp, r->vm, NULL);
	return NULL;
}

/* Two vCPUs sealing at once: both succeed, one set of keys, the one a lone seal gives. */
static void test_concurrent_seal(void **state)
{
	struct pvm_measurement lone, m;
	pthread_barrier_t go;
	pthread_t t[4];
	struct racer r[4];
	unsigned i, round, h0 = build(true, 1, 4, -1, &lone);

	(void)state;
	for (round = 0; round < 4; round++) {
		unsigned h = au_vm(true, 1);
		uint64_t pa = au_image(1, 4);
		struct pvm_vm *vm;

		assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM),
						      1, PVM_MEASURE_CODE, NULL),
				 PVM_OK);
		assert_int_equal(vm_get(fx_hyp, h, &vm), PVM_OK);
		pthread_barrier_init(&go, NULL, 4);
		for (i = 0; i < 4; i++) {
			r[i] = (struct racer){.go = &go, .vm = vm};
			assert_int_equal(pthread_create(&t[i], NULL, race_seal, &r[i]), 0);
		}
		for (i = 0; i < 4; i++) {
			pthread_join(t[i], NULL);
			assert_int_equal(r[i].ret, PVM_OK);
		}
		pthread_barrier_destroy(&go);
		vm_put(fx_hyp, vm);
		assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
		assert_true(m.sealed);
		assert_memory_equal(m.pub, lone.pub, 65);
		assert_memory_equal(m.rim, lone.rim, 64);
		fx_destroy(h);
	}
	fx_destroy(h0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_determinism, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_refused_run_changes_nothing, au_setup,
						au_teardown),
		cmocka_unit_test_setup_teardown(test_seal_twice_and_load_after, au_setup,
						au_teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_states, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_uninitialised, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_seal, au_setup, au_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
