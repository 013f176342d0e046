/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier (libpvm/verify.h) on evidence from the real producer
 * (src/attest/) on the simulator: it verifies, its claims are the VM's
 * measurements and the port's inputs, and any damage is rejected.
 */
#include "attest_util.h"

#include <libpvm/verify.h>

static const uint8_t challenge[32] = {0xc0, 0xff, 0xee, 1, 2, 3, 4, 5, 6, 7, 8};

static unsigned sealed_vm(bool protected_vm)
{
	unsigned h = au_vm(protected_vm, 0x3c);
	uint64_t pa = au_image(2, 5);

	if (protected_vm)
		assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM),
						      2, PVM_MEASURE_CODE, NULL),
				 PVM_OK);
	assert_int_equal(pvm_vm_seal(fx_hyp, h), PVM_OK);
	return h;
}

static void check_vm(bool protected_vm)
{
	struct pvm_attest_config cfg;
	struct pvm_measurement m;
	struct pvm_claims c;
	uint8_t buf[PVM_EVIDENCE_MAX], root[65], copy[PVM_EVIDENCE_MAX];
	unsigned h = sealed_vm(protected_vm);
	size_t len;

	au_config(&cfg, 0x42);
	assert_int_equal(pvm_attest_root_key(fx_hyp, root), PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, sizeof(challenge), buf,
					     sizeof(buf), &len),
			 PVM_OK);

	assert_int_equal(pvm_verify_evidence(buf, len, root, challenge, sizeof(challenge), &c),
			 PVM_VERIFY_OK);
	assert_memory_equal(c.challenge, challenge, sizeof(challenge));
	assert_memory_equal(c.rim, m.rim, 64);
	assert_memory_equal(c.rem, m.rem, sizeof(m.rem));
	assert_memory_equal(c.rpv, m.rpv, 64);
	assert_memory_equal(c.vm_pub, m.pub, 65);
	assert_memory_equal(c.hyp_code_hash, cfg.code_hash, 64);
	assert_memory_equal(c.hyp_authority_hash, cfg.authority_hash, 64);
	assert_int_equal(c.hyp_mode, cfg.mode);
	assert_int_equal(c.vm_mode, protected_vm ? 1 : 2);
	assert_int_equal(c.vm_protected, protected_vm);
	assert_int_equal(c.vm_ipa_bits, 36);
	assert_int_equal(c.vm_ram_base, FX_GUEST_RAM);
	assert_int_equal(c.vm_ram_size, FX_GUEST_RAM_SIZE);

	/* The wrong challenge, the wrong root, and every byte flipped. */
	assert_int_equal(pvm_verify_evidence(buf, len, root, challenge, 31, &c),
			 PVM_VERIFY_E_CHALLENGE);
	root[64] ^= 1;
	assert_int_equal(pvm_verify_evidence(buf, len, root, challenge, sizeof(challenge), &c),
			 PVM_VERIFY_E_ROOT_KEY);
	root[64] ^= 1;
	for (size_t i = 0; i < len; i++) {
		memcpy(copy, buf, len);
		copy[i] ^= 0x01;
		assert_true(pvm_verify_evidence(copy, len, root, challenge, sizeof(challenge), &c) <
			    0);
	}
}

static void test_protected(void **state)
{
	(void)state;
	check_vm(true);
}

static void test_not_protected(void **state)
{
	(void)state;
	check_vm(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_protected, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_not_protected, au_setup, au_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
