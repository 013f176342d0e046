/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mbedtls 2.28 configuration of the EL2 image (MBEDTLS_CONFIG_FILE): only
 * what libpvm's crypto engine (ports/mbedtls/crypto_mbedtls.c) calls, built
 * from Debian's source package with the image's flags (ports/el2/cmake/
 * DebianSource.cmake). It replaces mbedtls/config.h entirely: every option
 * not defined here is off — no TLS, no X.509, no ciphers, no entropy source,
 * no filesystem, no time, no threads (only a mutex for the allocator, below), no
 * self-tests.
 */
#ifndef PVM_EL2_MBEDTLS_CONFIG_H
#define PVM_EL2_MBEDTLS_CONFIG_H

/* The system: 64-bit limbs with GCC's __int128 and bn_mul.h's AArch64
 * assembly (general registers only: umulh, adds, adc). */
#define MBEDTLS_HAVE_ASM
/* No 128-by-64 division: it would call libgcc's __udivti3, which is not
 * built with -mgeneral-regs-only. bignum.c divides in C instead. */
#define MBEDTLS_NO_UDBL_DIVISION

/*
 * Memory: bignums and the P-256 group's comb table need calloc/free. The
 * only dynamic memory in the image is mbedtls's own buffer allocator over a
 * static arena in the port (crypto_heap.c), installed at boot. Without it,
 * mbedtls_calloc returns NULL (platform.c's default with no standard
 * functions), so nothing falls through to picolibc's malloc.
 */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* Its calloc and free under the port's spin lock: several CPUs share the arena. */
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_ALT
/* A corrupted heap header: stop the hypervisor (never reached normally). */
#define MBEDTLS_PLATFORM_EXIT_MACRO el2_mbedtls_exit
void el2_mbedtls_exit(int status);

/* Hashes, MACs, key derivation, deterministic random bits. */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C
#define MBEDTLS_HMAC_DRBG_C

/* ECDSA P-256 with RFC 6979 nonces; ASN.1 because ecdsa.c requires it
 * (its DER signature functions, unused, are dropped by --gc-sections). */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
/* Every ecp_mul call gets a DRBG from the engine for blinding. */
#define MBEDTLS_ECP_NO_INTERNAL_RNG
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

#include <mbedtls/check_config.h>

#endif /* PVM_EL2_MBEDTLS_CONFIG_H */
