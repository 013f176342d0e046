/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libpvm/arch.h: the vector an exception to EL1 takes from each PSTATE
 * mode (Arm ARM D1.10.2), and the abort class it then carries, as tables.
 * The core, the EL2 port and the simulator all take exceptions through
 * these two functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/arch.h>

static void test_vector_by_mode(void **state)
{
	static const struct {
		uint64_t pstate;
		unsigned vector;
	} rows[] = {
		{0x3c5, PVM_VEC_CUR_SPX},		/* EL1h, everything masked */
		{0x005, PVM_VEC_CUR_SPX},		/* EL1h */
		{0x004, PVM_VEC_CUR_SP0},		/* EL1t */
		{0x3c4, PVM_VEC_CUR_SP0},		/* EL1t, masked */
		{0x000, PVM_VEC_LOWER_A64},		/* EL0t */
		{0x3c0, PVM_VEC_LOWER_A64},		/* EL0t, masked */
		{0x20000000ull | 0x5, PVM_VEC_CUR_SPX}, /* flags do not matter */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(pvm_arch_el1_vector(rows[i].pstate), rows[i].vector);
}

static void test_abort_class_by_vector(void **state)
{
	const uint64_t il = PVM_ESR_IL, dabt = (uint64_t)PVM_EC_DABT_LOW << PVM_ESR_EC_SHIFT,
		       iabt = (uint64_t)PVM_EC_IABT_LOW << PVM_ESR_EC_SHIFT,
		       hvc = (uint64_t)0x16 << PVM_ESR_EC_SHIFT;
	static const unsigned vectors[] = {PVM_VEC_CUR_SP0, PVM_VEC_CUR_SPX, PVM_VEC_LOWER_A64};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		uint64_t up = vectors[i] == PVM_VEC_LOWER_A64 ? 0 : 1ull << PVM_ESR_EC_SHIFT;

		/* Data abort 0x24 -> 0x25, instruction abort 0x20 -> 0x21 from EL1 itself. */
		assert_int_equal(pvm_arch_el1_esr(il | dabt | 0x10, vectors[i]),
				 (il | dabt | 0x10) + up);
		assert_int_equal(pvm_arch_el1_esr(il | iabt | 0x07, vectors[i]),
				 (il | iabt | 0x07) + up);
		/* Any other class is left alone. */
		assert_int_equal(pvm_arch_el1_esr(il | hvc, vectors[i]), il | hvc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_by_mode),
		cmocka_unit_test(test_abort_class_by_vector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
