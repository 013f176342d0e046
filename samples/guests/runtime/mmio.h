/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file mmio.h
 * @brief MMIO accessors of the sample guest runtime.
 *
 * Each access is exactly one `ldr`/`str` with a plain base register, no
 * offset and no writeback, of the width the name says. That is what a
 * hypervisor can emulate: only such a single load or store reports its
 * register and size in the syndrome (ESR_EL2.ISV = 1). A volatile pointer
 * would let the compiler pick a pair or a post-indexed form, so the
 * instructions are written out.
 *
 * The "memory" clobber keeps the compiler from moving ordinary memory
 * accesses across a device access (the mailbox reads memory the guest has
 * just written). With the MMU off every data access is Device-nGnRnE, so
 * the hardware keeps them in program order too.
 */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include <stdint.h>

/**
 * @brief Store 32 bits to a device register (`str w`).
 * @param addr IPA of the register, 4-byte aligned.
 * @param val  The value.
 */
static inline void mmio_write32(unsigned long addr, uint32_t val)
{
	asm volatile("str %w0, [%1]" : : "rZ"(val), "r"(addr) : "memory");
}

/**
 * @brief Store 64 bits to a device register (`str x`).
 * @param addr IPA of the register, 8-byte aligned.
 * @param val  The value.
 */
static inline void mmio_write64(unsigned long addr, uint64_t val)
{
	asm volatile("str %x0, [%1]" : : "rZ"(val), "r"(addr) : "memory");
}

/**
 * @brief Load 32 bits from a device register (`ldr w`).
 * @param addr IPA of the register, 4-byte aligned.
 * @return The value read. If the access aborts, the exception vector
 *         resumes after the load and the value is whatever the destination
 *         register held.
 */
static inline uint32_t mmio_read32(unsigned long addr)
{
	uint32_t val;

	asm volatile("ldr %w0, [%1]" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

#endif /* GUEST_MMIO_H */
