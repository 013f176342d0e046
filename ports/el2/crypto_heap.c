/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The only dynamic memory in the EL2 image: a fixed arena for mbedtls's
 * bignums and the P-256 group (its comb table of the base point lives as
 * long as the image), managed by mbedtls's own buffer allocator
 * (MBEDTLS_MEMORY_BUFFER_ALLOC_C; mbedtls_config.h). Nothing else can
 * allocate from it: the core allocates nothing, and picolibc's malloc is
 * not linked.
 *
 * Size: the shared group (its comb table of the base point is most of it)
 * plus the bignums and points of one key derivation or signature in
 * flight, each with the allocator's header. Measured with the el2.attest
 * test (root key, a VM's keys, its certificate and token signed): 6 KiB
 * works, 5 KiB does not; 16 KiB leaves room for what a later phase adds
 * (several VMs sealing, guest attestation calls).
 *
 * The allocator has no lock (no MBEDTLS_THREADING_C): this phase runs the
 * hypervisor on one CPU. With several CPUs, crypto calls would have to be
 * serialised here or the arena split per CPU.
 */
#include <stdint.h>

#include <mbedtls/memory_buffer_alloc.h>

#include "el2.h"

#define CRYPTO_HEAP_SIZE (16u * 1024u)

static unsigned char crypto_heap[CRYPTO_HEAP_SIZE] __attribute__((aligned(16)));

void el2_crypto_heap_init(void)
{
	mbedtls_memory_buffer_alloc_init(crypto_heap, sizeof(crypto_heap));
}

/* mbedtls_exit: the allocator found its own headers corrupted. */
void el2_mbedtls_exit(int status)
{
	el2_panic("mbedtls: heap corrupted (status %d)", status);
}
