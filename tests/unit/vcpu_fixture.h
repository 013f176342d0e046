/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A simulated machine with one memory state and helpers to build VMs whose
 * vCPUs are C-function guests: shared by the run-loop tests.
 */
#ifndef PVM_TEST_VCPU_FIXTURE_H
#define PVM_TEST_VCPU_FIXTURE_H

#include <libpvm/pvm.h>
#include <libpvm/sim.h>
#include <libpvm/sim_vcpu.h>

#include "vm_internal.h" /* white-box: the fixture and its tests read the core's fields */

#define FX_MiB		  (1ull << 20)
#define FX_PAGE		  4096ull
#define FX_RAM		  0x40000000ull
#define FX_GUEST_RAM	  0x80000000ull /* guest RAM IPA */
#define FX_GUEST_RAM_SIZE (2 * FX_MiB)
#define FX_UART		  0x09000000ull /* an MMIO IPA */

extern struct pvm_hyp *fx_hyp;

/* pvm_sim_init + pvm_hyp_init (64 MiB of RAM; the top 4 MiB the hypervisor's). */
int fx_setup(void **state);
/* Invariant checker clean, break-before-make clean, machine gone. */
int fx_teardown(void **state);

/* Fails the test if the invariant checker objects. */
void fx_check(void);

/* A host page nobody uses yet (a bump allocator over host RAM). */
uint64_t fx_host_page(void);

/* A VM with guest RAM at FX_GUEST_RAM and @nvcpus vCPUs backed by @fn. */
unsigned fx_vm(bool protected_vm, unsigned nvcpus, pvm_sim_guest_fn fn, void *arg);

/* Donate (protected) or share (not) one fresh host page at @ipa; returns its PA. */
uint64_t fx_back(unsigned vm, uint64_t ipa);

/* As fx_back(), the page holding @len bytes of @data first (the rest zero). */
uint64_t fx_back_data(unsigned vm, uint64_t ipa, const void *data, size_t len);

/* Fails the test unless @e is an MMIO exit of that shape (data checked for writes). */
void fx_expect_mmio(const struct pvm_exit *e, uint64_t ipa, unsigned size, bool write,
		    uint64_t data);

/* Tear a VM down completely (teardown, reclaim, finish). */
void fx_destroy(unsigned vm);

#endif
