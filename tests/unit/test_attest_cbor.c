/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deterministic CBOR encoder (src/attest/cbor.c): shortest heads at
 * every boundary, deterministic key order, bounds-checked writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "attest/cbor.h"

struct head_case {
	unsigned major;
	uint64_t arg;
	size_t len;
	uint8_t bytes[9];
};

static const struct head_case heads[] = {
	{0, 0, 1, {0x00}},
	{0, 23, 1, {0x17}},
	{0, 24, 2, {0x18, 0x18}},
	{0, 255, 2, {0x18, 0xff}},
	{0, 256, 3, {0x19, 0x01, 0x00}},
	{0, 65535, 3, {0x19, 0xff, 0xff}},
	{0, 65536, 5, {0x1a, 0x00, 0x01, 0x00, 0x00}},
	{0, 0xffffffffu, 5, {0x1a, 0xff, 0xff, 0xff, 0xff}},
	{0, 0x100000000ull, 9, {0x1b, 0, 0, 0, 1, 0, 0, 0, 0}},
	{2, 64, 2, {0x58, 0x40}},
	{4, 3, 1, {0x83}},
	{6, 18, 1, {0xd2}},
};

static void test_heads(void **state)
{
	uint8_t buf[16];
	struct cbor c;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		cbor_init(&c, buf, sizeof(buf));
		cbor_head(&c, heads[i].major, heads[i].arg);
		assert_int_equal(cbor_status(&c, &len), PVM_OK);
		assert_int_equal(len, heads[i].len);
		assert_memory_equal(buf, heads[i].bytes, len);
	}
}

static void test_ints(void **state)
{
	static const struct {
		int64_t v;
		size_t len;
		uint8_t bytes[9];
	} cases[] = {
		{-1, 1, {0x20}},
		{-24, 1, {0x37}},
		{-25, 2, {0x38, 0x18}},
		{-7, 1, {0x26}},
		{-4670545, 5, {0x3a, 0x00, 0x47, 0x44, 0x50}},
		{-4670554, 5, {0x3a, 0x00, 0x47, 0x44, 0x59}},
		{44239, 3, {0x19, 0xac, 0xcf}},
		{INT64_MIN, 9, {0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	};
	uint8_t buf[16];
	struct cbor c;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cbor_init(&c, buf, sizeof(buf));
		cbor_int(&c, cases[i].v);
		assert_int_equal(cbor_status(&c, &len), PVM_OK);
		assert_int_equal(len, cases[i].len);
		assert_memory_equal(buf, cases[i].bytes, len);
	}
}

/* Deterministic key order: by encoded bytes, so 1 < 3 < -1 < -2 < -3 and -4670545 < -4670548. */
static void test_key_order(void **state)
{
	static const int64_t sorted[] = {1,   2,     3,	       10,	 23,	   24,
					 265, 44235, 44239,    -1,	 -2,	   -3,
					 -24, -25,   -4670545, -4670547, -4670548, -4670554};
	size_t i, j, n = sizeof(sorted) / sizeof(sorted[0]);
	struct cbor_map m;
	uint8_t buf[64];
	struct cbor c;

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			assert_int_equal(cbor_int_key_before(sorted[i], sorted[j]), i < j);
	/* In order: fine. Out of order, repeated or one too many: PVM_E_INVAL. */
	cbor_init(&c, buf, sizeof(buf));
	cbor_map(&c, &m, 3);
	cbor_key(&c, &m, 1), cbor_uint(&c, 0);
	cbor_key(&c, &m, 3), cbor_uint(&c, 0);
	cbor_key(&c, &m, -1), cbor_uint(&c, 0);
	assert_int_equal(cbor_status(&c, NULL), PVM_OK);
	cbor_init(&c, buf, sizeof(buf));
	cbor_map(&c, &m, 2);
	cbor_key(&c, &m, -1), cbor_uint(&c, 0);
	cbor_key(&c, &m, 1), cbor_uint(&c, 0);
	assert_int_equal(cbor_status(&c, NULL), PVM_E_INVAL);
	cbor_init(&c, buf, sizeof(buf));
	cbor_map(&c, &m, 2);
	cbor_key(&c, &m, 2), cbor_uint(&c, 0);
	cbor_key(&c, &m, 2), cbor_uint(&c, 0);
	assert_int_equal(cbor_status(&c, NULL), PVM_E_INVAL);
	cbor_init(&c, buf, sizeof(buf));
	cbor_map(&c, &m, 1);
	cbor_key(&c, &m, 1), cbor_uint(&c, 0);
	cbor_key(&c, &m, 2), cbor_uint(&c, 0);
	assert_int_equal(cbor_status(&c, NULL), PVM_E_INVAL);
}

static void emit_pair(struct cbor *c, const void *arg)
{
	(void)arg;
	cbor_array(c, 2);
	cbor_tstr_z(c, "ab");
	cbor_bstr(c, "\x01", 1);
}

/* Never a byte past the end; the length needed is still counted. */
static void test_bounds(void **state)
{
	static const uint8_t want[] = {0x46, 0x82, 0x62, 'a', 'b', 0x41, 0x01};
	uint8_t buf[16];
	struct cbor c;
	size_t room, len;

	(void)state;
	for (room = 0; room <= sizeof(want); room++) {
		memset(buf, 0xee, sizeof(buf));
		cbor_init(&c, buf, room);
		cbor_bstr_cbor(&c, emit_pair, NULL);
		assert_int_equal(cbor_status(&c, &len), room < sizeof(want) ? PVM_E_RANGE : PVM_OK);
		assert_int_equal(len, sizeof(want));
		assert_int_equal(buf[room], 0xee);
	}
	assert_memory_equal(buf, want, sizeof(want));
	cbor_init(&c, NULL, 0);
	cbor_bstr(&c, NULL, 300);
	assert_int_equal(cbor_status(&c, &len), PVM_E_RANGE);
	assert_int_equal(len, 303);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heads),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
