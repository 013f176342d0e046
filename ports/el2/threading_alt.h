/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbedtls's mutex on the EL2 port (MBEDTLS_THREADING_ALT,
 * mbedtls_config.h): a spin-lock word (common/spinlock.h), set up by
 * crypto_heap.c with mbedtls_threading_set_alt(). Zero is unlocked.
 */
#ifndef PVM_EL2_THREADING_ALT_H
#define PVM_EL2_THREADING_ALT_H

#include <stdint.h>

typedef struct mbedtls_threading_mutex_t {
	uint32_t word;
} mbedtls_threading_mutex_t;

#endif /* PVM_EL2_THREADING_ALT_H */
