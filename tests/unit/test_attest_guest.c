/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libpvm's attestation calls from a guest (abi.h, PVM_GUEST_CALL_*), with
 * C-function guests: evidence written into guest memory, REM extension,
 * sealing keys, the seal at the first run, and every way a guest can pass
 * a bad argument (refused, nothing written).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/attest.h>

#include <string.h>

#include "vcpu_fixture.h"

#define CHAL	      (FX_GUEST_RAM + 0x0000) /* challenge page */
#define OUT	      (FX_GUEST_RAM + 0x1000) /* output: two pages */
#define CHALLENGE_LEN 48

/* What the guest reports back (MMIO stores the host reads). */
static void report(struct pvm_sim_cpu *cpu, uint64_t v)
{
	assert_true(pvm_sim_cpu_write(cpu, FX_UART, 8, v));
}

static uint64_t hvc2(struct pvm_sim_cpu *cpu, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4, uint64_t *x1)
{
	uint64_t x[8] = {fn, a1, a2, a3, a4, 0, 0, 0};

	pvm_sim_cpu_hvc(cpu, x);
	if (x1)
		*x1 = x[1];
	return x[0];
}

static void off(struct pvm_sim_cpu *cpu)
{
	hvc2(cpu, PSCI_SYSTEM_OFF, 0, 0, 0, 0, NULL);
}

static int setup(void **state)
{
	struct pvm_attest_config cfg;

	fx_setup(state);
	memset(&cfg, 0, sizeof(cfg));
	memset(cfg.uds, 0x5a, sizeof(cfg.uds));
	cfg.mode = 1;
	assert_int_equal(pvm_attest_init(fx_hyp, &cfg), PVM_OK);
	return 0;
}

/* A protected VM with the challenge page and two output pages backed. */
static unsigned boot(pvm_sim_guest_fn fn)
{
	uint8_t chal[CHALLENGE_LEN];
	unsigned vm = fx_vm(true, 1, fn, NULL), i;

	for (i = 0; i < sizeof(chal); i++)
		chal[i] = (uint8_t)(0xc0 + i);
	fx_back_data(vm, CHAL, chal, sizeof(chal));
	fx_back(vm, OUT);
	fx_back(vm, OUT + FX_PAGE);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, vm, 0, pvm_ipa(FX_GUEST_RAM), 0), PVM_OK);
	return vm;
}

static uint64_t expect_report(unsigned vm, struct pvm_exit *e)
{
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, e), PVM_OK);
	fx_check();
	assert_int_equal(e->kind, PVM_EXIT_MMIO);
	assert_true(e->mmio.write);
	return e->mmio.data;
}

static void expect_off(unsigned vm, struct pvm_exit *e)
{
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, e), PVM_OK);
	assert_int_equal(e->kind, PVM_EXIT_PSCI);
	assert_int_equal(e->psci.fn, PSCI_SYSTEM_OFF);
}

/* Read guest memory the way the guest sees it. */
static void guest_read(unsigned vm, uint64_t ipa, void *buf, size_t len)
{
	struct pvm_vm_info info;

	assert_int_equal(pvm_vm_info(fx_hyp, vm, &info), PVM_OK);
	assert_int_equal(pvm_sim_s2_copy(info.vtcr, info.vttbr, ipa, buf, len, false, NULL),
			 PVM_OK);
}

/* --- evidence into guest memory: the same bytes the host API produces --- */
static void g_evidence(struct pvm_sim_cpu *cpu, void *arg)
{
	uint64_t len = 0, r;

	(void)arg;
	r = hvc2(cpu, PVM_GUEST_CALL_ATTEST, CHAL, CHALLENGE_LEN, OUT, 2 * FX_PAGE, &len);
	report(cpu, r);
	report(cpu, len);
	/* Too small a buffer: refused, with the size needed. */
	r = hvc2(cpu, PVM_GUEST_CALL_ATTEST, CHAL, CHALLENGE_LEN, OUT, 16, &len);
	report(cpu, r);
	report(cpu, len);
	off(cpu);
}

static void t_evidence(void **state)
{
	static uint8_t in_guest[PVM_EVIDENCE_MAX], from_host[PVM_EVIDENCE_MAX];
	uint8_t chal[CHALLENGE_LEN];
	struct pvm_measurement m;
	struct pvm_exit e = {0};
	unsigned vm = boot(g_evidence), i;
	uint64_t len;
	size_t hlen = 0;

	(void)state;
	/* Not sealed before the first run; sealed by it. */
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &m), PVM_OK);
	assert_false(m.sealed);
	assert_int_equal(expect_report(vm, &e), SMCCC_RET_SUCCESS);
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &m), PVM_OK);
	assert_true(m.sealed);
	len = expect_report(vm, &e);
	assert_true(len > 0 && len <= PVM_EVIDENCE_MAX);
	guest_read(vm, OUT, in_guest, (size_t)len);
	for (i = 0; i < sizeof(chal); i++)
		chal[i] = (uint8_t)(0xc0 + i);
	/* ECDSA here is deterministic (RFC 6979): the same challenge, the same bytes. */
	assert_int_equal(pvm_attest_evidence(fx_hyp, vm, chal, sizeof(chal), from_host,
					     sizeof(from_host), &hlen),
			 PVM_OK);
	assert_int_equal(hlen, len);
	assert_memory_equal(in_guest, from_host, hlen);
	assert_int_equal(expect_report(vm, &e), (uint64_t)(int64_t)SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(expect_report(vm, &e), len);
	expect_off(vm, &e);
	/* The RIM is final: measured loads are refused after the first run. */
	assert_int_equal(pvm_vm_load_measured(fx_hyp, vm, pvm_pa(fx_host_page()),
					      pvm_ipa(FX_GUEST_RAM + 0x10000), 1, PVM_MEASURE_DATA,
					      NULL),
			 PVM_E_STATE);
	fx_destroy(vm);
}

/* --- bad arguments: each refused, nothing written to the guest --- */
static void g_bad(struct pvm_sim_cpu *cpu, void *arg)
{
	static const uint64_t calls[][5] = {
		/* challenge length 0 and 65 */
		{PVM_GUEST_CALL_ATTEST, CHAL, 0, OUT, 2 * FX_PAGE},
		{PVM_GUEST_CALL_ATTEST, CHAL, PVM_CHALLENGE_MAX + 1, OUT, 2 * FX_PAGE},
		/* challenge in memory the guest does not have, or beyond the IPA space */
		{PVM_GUEST_CALL_ATTEST, FX_GUEST_RAM + 0x100000, 16, OUT, 2 * FX_PAGE},
		{PVM_GUEST_CALL_ATTEST, ~0ull - 8, 16, OUT, 2 * FX_PAGE},
		{PVM_GUEST_CALL_ATTEST, FX_UART, 16, OUT, 2 * FX_PAGE},
		/* output not backed, or straddling into unbacked memory */
		{PVM_GUEST_CALL_ATTEST, CHAL, 16, FX_GUEST_RAM + 0x100000, 2 * FX_PAGE},
		{PVM_GUEST_CALL_ATTEST, CHAL, 16, OUT + 2 * FX_PAGE - 8, 2 * FX_PAGE},
		/* REM: index 4, length 0 and too long, data not backed */
		{PVM_GUEST_CALL_REM_EXTEND, 4, CHAL, 16, 0},
		{PVM_GUEST_CALL_REM_EXTEND, 0, CHAL, 0, 0},
		{PVM_GUEST_CALL_REM_EXTEND, 0, CHAL, PVM_REM_DATA_MAX + 1, 0},
		{PVM_GUEST_CALL_REM_EXTEND, 0, FX_GUEST_RAM + 0x100000, 16, 0},
		/* sealing key: context too long, output not backed */
		{PVM_GUEST_CALL_SEAL_KEY, OUT, CHAL, PVM_SEAL_CONTEXT_MAX + 1, 0},
		{PVM_GUEST_CALL_SEAL_KEY, FX_GUEST_RAM + 0x100000, CHAL, 4, 0},
	};
	unsigned i;

	(void)arg;
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		report(cpu, hvc2(cpu, calls[i][0], calls[i][1], calls[i][2], calls[i][3],
				 calls[i][4], NULL));
	off(cpu);
}

static void t_bad(void **state)
{
	static uint8_t zero[2 * FX_PAGE], out[2 * FX_PAGE];
	struct pvm_measurement before, after;
	struct pvm_exit e = {0};
	unsigned vm = boot(g_bad), i;

	(void)state;
	assert_int_equal(pvm_vcpu_run(fx_hyp, vm, 0, &e), PVM_OK); /* seals */
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &before), PVM_OK);
	assert_int_equal(e.mmio.data, (uint64_t)(int64_t)SMCCC_RET_INVALID_PARAMETER);
	for (i = 1; i < 13; i++)
		assert_int_equal(expect_report(vm, &e),
				 (uint64_t)(int64_t)SMCCC_RET_INVALID_PARAMETER);
	expect_off(vm, &e);
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &after), PVM_OK);
	assert_memory_equal(&before, &after, sizeof(before));
	guest_read(vm, OUT, out, sizeof(out));
	assert_memory_equal(out, zero, sizeof(out));
	fx_destroy(vm);
}

/* --- REM extension and sealing keys --- */
static void g_rem_seal(struct pvm_sim_cpu *cpu, void *arg)
{
	uint8_t k1[32], k2[32], k3[32];
	unsigned i;

	(void)arg;
	report(cpu, hvc2(cpu, PVM_GUEST_CALL_REM_EXTEND, 2, CHAL, CHALLENGE_LEN, 0, NULL));
	report(cpu, hvc2(cpu, PVM_GUEST_CALL_SEAL_KEY, OUT, CHAL, 8, 0, NULL));
	report(cpu, hvc2(cpu, PVM_GUEST_CALL_SEAL_KEY, OUT + 32, CHAL, 8, 0, NULL));
	report(cpu, hvc2(cpu, PVM_GUEST_CALL_SEAL_KEY, OUT + 64, CHAL, 9, 0, NULL));
	for (i = 0; i < 32; i++) {
		k1[i] = (uint8_t)pvm_sim_cpu_read(cpu, OUT + i, 1, NULL);
		k2[i] = (uint8_t)pvm_sim_cpu_read(cpu, OUT + 32 + i, 1, NULL);
		k3[i] = (uint8_t)pvm_sim_cpu_read(cpu, OUT + 64 + i, 1, NULL);
	}
	report(cpu, !memcmp(k1, k2, 32));
	report(cpu, !memcmp(k1, k3, 32));
	off(cpu);
}

static void t_rem_seal(void **state)
{
	uint8_t data[CHALLENGE_LEN], want[PVM_SHA512_SIZE];
	struct pvm_measurement before, after;
	struct pvm_sha512_ctx h;
	struct pvm_exit e = {0};
	unsigned vm = boot(g_rem_seal), i;

	(void)state;
	assert_int_equal(pvm_vm_seal(fx_hyp, vm), PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &before), PVM_OK);
	assert_int_equal(expect_report(vm, &e), SMCCC_RET_SUCCESS);
	assert_int_equal(pvm_vm_measurement(fx_hyp, vm, &after), PVM_OK);
	/* REM[2] = H(REM[2] ‖ data); the others and the RIM unchanged. */
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xc0 + i);
	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, before.rem[2], sizeof(before.rem[2]));
	pvm_crypto_sha512_update(&h, data, sizeof(data));
	pvm_crypto_sha512_final(&h, want);
	assert_memory_equal(after.rem[2], want, sizeof(want));
	assert_memory_equal(after.rem[0], before.rem[0], sizeof(want));
	assert_memory_equal(after.rim, before.rim, sizeof(want));
	for (i = 0; i < 3; i++)
		assert_int_equal(expect_report(vm, &e), SMCCC_RET_SUCCESS);
	assert_int_equal(expect_report(vm, &e), 1); /* one context, one key */
	assert_int_equal(expect_report(vm, &e), 0); /* another context, another key */
	expect_off(vm, &e);
	fx_destroy(vm);
}

/* --- without pvm_attest_init(): the calls say NOT_SUPPORTED --- */
static void g_unsupported(struct pvm_sim_cpu *cpu, void *arg)
{
	(void)arg;
	report(cpu, hvc2(cpu, PVM_GUEST_CALL_ATTEST, CHAL, 16, OUT, 2 * FX_PAGE, NULL));
	report(cpu, hvc2(cpu, PVM_GUEST_CALL_SEAL_KEY, OUT, CHAL, 4, 0, NULL));
	off(cpu);
}

static void t_unsupported(void **state)
{
	struct pvm_exit e = {0};
	unsigned vm = boot(g_unsupported);

	(void)state;
	assert_int_equal(expect_report(vm, &e), (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(expect_report(vm, &e), (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED);
	expect_off(vm, &e);
	fx_destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_evidence, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_bad, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_rem_seal, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_unsupported, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
