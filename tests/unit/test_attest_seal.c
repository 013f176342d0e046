/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a protected VM's identity binds and what its sealing keys follow
 * (docs/attestation.md §1.1, §2.1), shown the way an attacker would try:
 *
 * - a host that loads the genuine measured image, adds an unmeasured page
 *   of its own code and boots the vCPU there must not get the genuine
 *   VM's RIM or attestation key, and its code must not run;
 * - two VMs the host creates with different images must not share sealing
 *   keys (each guest asks through PVM_GUEST_CALL_SEAL_KEY, as a real one);
 * - only a signature the hypervisor verified makes keys follow an
 *   authority; anything else is refused and changes nothing.
 */
#include "attest_util.h"

#include <libpvm/abi.h>
#include <libpvm/host_call.h>

#include "attest/attest_internal.h"
#include "attest/attest_state.h"

#define ENTRY (FX_GUEST_RAM)
#define EVIL  (FX_GUEST_RAM + 0x40000)
#define KEYS  (FX_GUEST_RAM + 0x80000) /* a page the guest writes its key into */

/* A guest that reports the first 8 bytes of its sealing key for "disk", then stops. */
static void g_seal_key(struct pvm_sim_cpu *cpu, void *arg)
{
	static const char ctx[] = "disk";
	uint64_t x[8] = {PVM_GUEST_CALL_SEAL_KEY, KEYS, KEYS + 64, sizeof(ctx) - 1};
	uint64_t key = 0;

	(void)arg;
	pvm_sim_cpu_write(cpu, KEYS + 64, 4, 0x6b736964); /* "disk", little-endian */
	pvm_sim_cpu_hvc(cpu, x);
	/* A failed call reports 0, which no test takes for a key. */
	if (x[0] == 0)
		key = pvm_sim_cpu_read(cpu, KEYS, 8, NULL);
	pvm_sim_cpu_write(cpu, FX_UART, 8, key);
	memset(x, 0, sizeof(x));
	x[0] = PSCI_SYSTEM_OFF;
	pvm_sim_cpu_hvc(cpu, x);
}

/* A protected VM whose image is one page filled from @seed, booted at ENTRY. */
static unsigned vm_with_image(uint8_t seed)
{
	unsigned vm = fx_vm(true, 1, g_seal_key, NULL);

	assert_int_equal(pvm_vm_load_measured(fx_hyp, vm, pvm_pa(au_image(1, seed)), pvm_ipa(ENTRY),
					      1, PVM_MEASURE_CODE, NULL),
			 PVM_OK);
	fx_back(vm, KEYS);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, vm, 0, pvm_ipa(ENTRY), 0), PVM_OK);
	return vm;
}

/* Run @vm's guest: the 8 key bytes it reports. */
static uint64_t guest_seal_key(unsigned vm)
{
	struct pvm_exit e;
	uint64_t key;

	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, &e), PVM_OK);
	assert_int_equal(e.kind, PVM_EXIT_MMIO);
	key = e.mmio.data;
	assert_int_not_equal(key, 0);
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, &e), PVM_OK);
	assert_int_equal(e.kind, PVM_EXIT_PSCI);
	return key;
}

static void measurement(unsigned vm, struct pvm_measurement *m)
{
	assert_int_equal(pvm_vm_seal(fx_hyp, vm), PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, m), PVM_OK);
	assert_true(m->sealed);
}

/* The attack of issue 12, item 1: the genuine image plus unmeasured code, entered there. */
static void test_unmeasured_code_has_another_identity(void **state)
{
	static const uint32_t evil_code[] = {0xd2800000, 0xd4000002}; /* mov x0, #0; hvc #0 */
	struct pvm_measurement genuine, evil, entered;
	unsigned g = vm_with_image(7), e1, e2;
	uint64_t pa;
	const uint8_t *z;

	(void)state;
	measurement(g, &genuine);

	/* Same image, plus a page of the host's code at EVIL; booted at the genuine entry. */
	e1 = fx_vm(true, 1, g_seal_key, NULL);
	assert_int_equal(pvm_vm_load_measured(fx_hyp, e1, pvm_pa(au_image(1, 7)), pvm_ipa(ENTRY), 1,
					      PVM_MEASURE_CODE, NULL),
			 PVM_OK);
	fx_back(e1, KEYS);
	pa = fx_host_page();
	memcpy(pvm_sim_ram(pvm_pa(pa), FX_PAGE), evil_code, sizeof(evil_code));
	assert_int_equal(pvm_host_donate_guest(fx_hyp, e1, pvm_pa(pa), pvm_ipa(EVIL), 1, NULL),
			 PVM_OK);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, e1, 0, pvm_ipa(ENTRY), 0), PVM_OK);
	measurement(e1, &evil);
	assert_memory_not_equal(evil.rim, genuine.rim, 64);
	assert_memory_not_equal(evil.pub, genuine.pub, 65);
	/* The host's code is gone: the page the guest owns holds zeroes. */
	z = pvm_sim_ram(pvm_pa(pa), FX_PAGE);
	for (size_t i = 0; i < FX_PAGE; i++)
		assert_int_equal(z[i], 0);

	/* The same, booted at the host's page: a third identity again. */
	e2 = fx_vm(true, 1, g_seal_key, NULL);
	assert_int_equal(pvm_vm_load_measured(fx_hyp, e2, pvm_pa(au_image(1, 7)), pvm_ipa(ENTRY), 1,
					      PVM_MEASURE_CODE, NULL),
			 PVM_OK);
	fx_back(e2, KEYS);
	pa = fx_host_page();
	memcpy(pvm_sim_ram(pvm_pa(pa), FX_PAGE), evil_code, sizeof(evil_code));
	assert_int_equal(pvm_host_donate_guest(fx_hyp, e2, pvm_pa(pa), pvm_ipa(EVIL), 1, NULL),
			 PVM_OK);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, e2, 0, pvm_ipa(EVIL), 0), PVM_OK);
	measurement(e2, &entered);
	assert_memory_not_equal(entered.rim, genuine.rim, 64);
	assert_memory_not_equal(entered.rim, evil.rim, 64);
	assert_memory_not_equal(entered.pub, genuine.pub, 65);

	/* After sealing the host can neither add a vCPU nor move one. */
	assert_int_equal(pvm_vcpu_create(fx_hyp, g, pvm_pa(fx_host_page()), &(unsigned){0}, NULL),
			 PVM_E_BUSY);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, g, 0, pvm_ipa(EVIL), 0), PVM_E_STATE);
	fx_destroy(g);
	fx_destroy(e1);
	fx_destroy(e2);
}

/* The attack of issue 12, item 2: VMs with different images must not share sealing keys. */
static void test_unsigned_sealing_keys_bind_the_code(void **state)
{
	unsigned a = vm_with_image(1), b = vm_with_image(2), c = vm_with_image(1);
	uint64_t ka = guest_seal_key(a), kb = guest_seal_key(b), kc = guest_seal_key(c);

	(void)state;
	assert_int_not_equal(ka, kb);
	/* The same image, in another VM: the same key (it unseals its own data). */
	assert_int_equal(ka, kc);
	fx_destroy(a);
	fx_destroy(b);
	fx_destroy(c);
}

/* An authority's key from a seed, and its signature over @vm's (frozen) RIM. */
static void authority_sign(unsigned vm, uint8_t key_seed, struct pvm_vm_authority *auth)
{
	uint8_t seed[32], priv[32], msg[25 + 64], digest[32];
	struct pvm_measurement m;

	memset(seed, key_seed, sizeof(seed));
	assert_int_equal(pvm_crypto_p256_keypair(seed, priv, auth->pub), PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &m), PVM_OK);
	memcpy(msg, PVM_IMAGE_SIG_LABEL, 25);
	memcpy(msg + 25, m.rim, 64);
	pvm_crypto_sha256(msg, sizeof(msg), digest);
	assert_int_equal(pvm_crypto_p256_sign(priv, digest, auth->sig), PVM_OK);
}

/* Two versions signed by one authority share sealing keys; another authority does not. */
static void test_signed_sealing_keys_follow_the_authority(void **state)
{
	unsigned v1 = vm_with_image(1), v2 = vm_with_image(2), v3 = vm_with_image(2);
	struct pvm_measurement m1, m2;
	uint64_t k1, k2, k3;
	struct pvm_vm_authority a;

	(void)state;
	authority_sign(v1, 0x11, &a);
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, v1, &a), PVM_OK);
	authority_sign(v2, 0x11, &a);
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, v2, &a), PVM_OK);
	authority_sign(v3, 0x22, &a);
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, v3, &a), PVM_OK);
	k1 = guest_seal_key(v1);
	k2 = guest_seal_key(v2);
	k3 = guest_seal_key(v3);
	assert_int_equal(k1, k2);
	assert_int_not_equal(k2, k3);
	/* Their attestation keys still tell the versions apart. */
	assert_int_equal(pvm_vm_measurement(fx_hyp, v1, &m1), PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, v2, &m2), PVM_OK);
	assert_memory_not_equal(m1.pub, m2.pub, 65);
	fx_destroy(v1);
	fx_destroy(v2);
	fx_destroy(v3);
}

/* The mode is an input of CDI_Seal: the same authority, protected or not, other keys. */
static void test_mode_separates_sealing_keys(void **state)
{
	unsigned p = au_vm(true, 0), n = au_vm(false, 0);
	struct pvm_vm_authority a;
	uint8_t kp[32], kn[32];

	(void)state;
	authority_sign(p, 0x11, &a);
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, p, &a), PVM_OK);
	authority_sign(n, 0x11, &a);
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, n, &a), PVM_OK);
	assert_int_equal(attest_seal_key(fx_hyp->vms[p], NULL, 0, kp), PVM_OK);
	assert_int_equal(attest_seal_key(fx_hyp->vms[n], NULL, 0, kn), PVM_OK);
	assert_memory_equal(fx_hyp->vms[p]->attest.authority, fx_hyp->vms[n]->attest.authority, 64);
	assert_memory_not_equal(kp, kn, 32);
	fx_destroy(p);
	fx_destroy(n);
}

/* s' = n - s: the other valid signature of the pair, which the hypervisor refuses. */
static void high_s_twin(uint8_t sig[64])
{
	unsigned borrow = 0;
	int i;

	for (i = 31; i >= 0; i--) {
		unsigned d = (unsigned)p256_n[i] - sig[32 + i] - borrow;

		sig[32 + i] = (uint8_t)d;
		borrow = (d >> 8) & 1;
	}
}

/*
 * A host claiming an authority it cannot prove: refused, and nothing changed
 * (not sealed, the RIM neither changed nor final: the host may still load);
 * then the first run seals it unsigned.
 */
static void test_unverified_authority_is_refused(void **state)
{
	unsigned vm = vm_with_image(3), ref = vm_with_image(3);
	struct pvm_vm_authority good, bad;
	struct pvm_measurement m, m0;

	(void)state;
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &m0), PVM_OK);
	authority_sign(vm, 0x11, &good);
	/* A signature over another RIM. */
	authority_sign(ref, 0x11, &bad);
	bad.sig[5] ^= 1;
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, vm, &bad), PVM_E_PERM);
	/* The high-S twin of the right signature. */
	bad = good;
	high_s_twin(bad.sig);
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, vm, &bad), PVM_E_PERM);
	/* A key not on the curve; a compressed-form prefix. */
	bad = good;
	bad.pub[40] ^= 1;
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, vm, &bad), PVM_E_PERM);
	bad = good;
	bad.pub[0] = 0x02;
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, vm, &bad), PVM_E_PERM);
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, vm, NULL), PVM_E_INVAL);
	assert_int_equal(pvm_vm_seal_signed(NULL, vm, &good), PVM_E_INVAL);
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, PVM_VM_MAX, &good), PVM_E_NOENT);
	/* Nothing changed: not sealed, the same RIM, and not final (a load still goes in). */
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &m), PVM_OK);
	assert_false(m.sealed);
	assert_memory_equal(m.rim, m0.rim, sizeof(m.rim));
	assert_int_equal(pvm_vm_load_measured(fx_hyp, vm, pvm_pa(au_image(1, 1)),
					      pvm_ipa(ENTRY + 0x100000), 1, PVM_MEASURE_DATA, NULL),
			 PVM_OK);
	assert_int_equal(pvm_vm_load_measured(fx_hyp, ref, pvm_pa(au_image(1, 1)),
					      pvm_ipa(ENTRY + 0x100000), 1, PVM_MEASURE_DATA, NULL),
			 PVM_OK);
	/* The first run seals it unsigned: the key of the same unsigned image. */
	assert_int_equal(guest_seal_key(vm), guest_seal_key(ref));
	/* A signed seal after that is refused: the keys are what they are. */
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, vm, &good), PVM_E_STATE);
	assert_int_equal(pvm_vm_seal(fx_hyp, vm), PVM_OK);
	fx_destroy(vm);
	fx_destroy(ref);
}

/* VM_SEAL's authority block comes from a page the host owns, and from nowhere else. */
static void test_host_call_block(void **state)
{
	unsigned vm = vm_with_image(4), other = vm_with_image(4);
	struct pvm_vm_authority a;
	struct pvm_measurement m;
	uint64_t block = fx_host_page(), x[8];

	(void)state;
	authority_sign(vm, 0x11, &a);
	memcpy(pvm_sim_ram(pvm_pa(block + 0x100), sizeof(a)), &a, sizeof(a));
	/* A block crossing the page, outside memory, in a page the host gave away. */
	memcpy(x, (uint64_t[8]){PVM_HC_VM_SEAL, vm, block + FX_PAGE - 64}, sizeof(x));
	pvm_host_call(fx_hyp, x);
	assert_int_equal((int64_t)x[0], PVM_E_INVAL);
	memcpy(x, (uint64_t[8]){PVM_HC_VM_SEAL, vm, 0x1000}, sizeof(x));
	pvm_host_call(fx_hyp, x);
	assert_int_equal((int64_t)x[0], PVM_E_RANGE);
	memcpy(x, (uint64_t[8]){PVM_HC_VM_SEAL, vm, pvm_pa_val(fx_hyp->vms[other]->donated)},
	       sizeof(x));
	pvm_host_call(fx_hyp, x);
	assert_int_equal((int64_t)x[0], PVM_E_PERM);
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &m), PVM_OK);
	assert_false(m.sealed);
	/* The real one. */
	memcpy(x, (uint64_t[8]){PVM_HC_VM_SEAL, vm, block + 0x100}, sizeof(x));
	pvm_host_call(fx_hyp, x);
	assert_int_equal((int64_t)x[0], PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &m), PVM_OK);
	assert_true(m.sealed);
	assert_memory_not_equal(fx_hyp->vms[vm]->attest.authority, (uint8_t[64]){0}, 64);
	fx_destroy(vm);
	fx_destroy(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unmeasured_code_has_another_identity, au_setup,
						au_teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_sealing_keys_bind_the_code, au_setup,
						au_teardown),
		cmocka_unit_test_setup_teardown(test_signed_sealing_keys_follow_the_authority,
						au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_mode_separates_sealing_keys, au_setup,
						au_teardown),
		cmocka_unit_test_setup_teardown(test_unverified_authority_is_refused, au_setup,
						au_teardown),
		cmocka_unit_test_setup_teardown(test_host_call_block, au_setup, au_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
