/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attestation for the rest of the core: what VM creation, the run loop and
 * the guest-call handlers (guest_attest.c) call. Formats and derivations:
 * docs/attestation.md.
 *
 * Locking: none of these may be called with the memory lock or a VM lock
 * held; they take what they need (memory lock, then the VM's lock, as the
 * rest of the core). Key derivation and signing run with no lock held.
 */
#ifndef PVM_ATTEST_INTERNAL_H
#define PVM_ATTEST_INTERNAL_H

#include <libpvm/attest.h>

#include "../vm_internal.h"

/*
 * Set up a new VM's measurements from its configuration: the initial RIM,
 * zero REMs, its RPV and authority hash. Called by pvm_vm_create() on the
 * zeroed structure, before the VM is published (no lock needed).
 */
void attest_vm_create(struct pvm_vm *vm, const struct pvm_vm_config *cfg);

/*
 * Hooks of the operations that extend a protected VM's RIM before sealing
 * (docs/attestation.md §1.1), called with the memory and VM locks held, by
 * the operation's commit, after it succeeded: the records are appended
 * only while the RIM is not frozen, and never for a non-protected VM.
 */
/* True once the RIM is final (sealing began): the host may no longer add to the VM. */
bool attest_vm_frozen_locked(const struct pvm_vm *vm);
/*
 * Make the RIM final without sealing (a first run on a machine without
 * attestation). PVM_E_BUSY while a measured load is in progress.
 */
pvm_status_t attest_vm_freeze_locked(struct pvm_vm *vm);
/* Pages given without their contents (the caller zeroed them): record 0x02. */
void attest_vm_donated_locked(struct pvm_vm *vm, uint64_t ipa, uint64_t size);
/* A vCPU created (record 0x03) or booted by the host (record 0x04). */
void attest_vcpu_created_locked(struct pvm_vm *vm, unsigned index);
void attest_vcpu_booted_locked(struct pvm_vm *vm, unsigned index, uint64_t pc, uint64_t x0);

/*
 * Seal @vm's RIM and derive its keys (docs/attestation.md §2) and its
 * certificate. Idempotent: PVM_OK at once when already sealed. Safe when
 * several vCPUs call it at once: the derivation is a function of inputs
 * frozen at the first call, each caller may derive and the first to finish
 * publishes; every caller returns after the keys are published.
 *
 * With @auth (NULL: unsigned), the image's signature over the RIM is
 * checked first (pvm_vm_seal_signed()), and the RIM frozen only if it
 * verified and is still the one checked: PVM_E_PERM if it does not verify,
 * changing nothing; PVM_E_BUSY if a measured load changed the RIM meanwhile.
 *
 * The caller holds a reference on @vm (vm_get(), or a running vCPU)
 * and no lock. Returns PVM_OK; PVM_E_STATE (attestation not initialised,
 * VM dying, engine failure: the RIM then stays frozen and a later call
 * retries the derivation); PVM_E_BUSY (a pvm_vm_load_measured() on this VM
 * is in progress: the host raced itself; retry).
 */
pvm_status_t attest_vm_seal(struct pvm_hyp *hyp, struct pvm_vm *vm,
			    const struct pvm_vm_authority *auth);

/*
 * Evidence for a challenge (docs/attestation.md §6) into [buf, buf + size).
 * The caller holds a reference on @vm, not the locks. @challenge is 1 to
 * PVM_CHALLENGE_MAX bytes. Returns PVM_OK with *out_len the length;
 * PVM_E_RANGE with *out_len the size needed (@buf contents unspecified);
 * PVM_E_INVAL (NULL, bad length); PVM_E_STATE (not sealed, attestation
 * not initialised, engine failure). At most PVM_EVIDENCE_MAX bytes.
 */
pvm_status_t attest_vm_evidence(struct pvm_hyp *hyp, struct pvm_vm *vm, const uint8_t *challenge,
				size_t len, uint8_t *buf, size_t size, size_t *out_len);

/*
 * REM[idx] = H(REM[idx] ‖ data). @idx < PVM_REM_COUNT and 1 <= @len <=
 * PVM_REM_DATA_MAX already validated; @data in hypervisor memory. Takes the
 * VM's lock (serialises extensions of the same VM); cannot fail.
 */
void attest_rem_extend(struct pvm_vm *vm, unsigned idx, const void *data, size_t len);

/*
 * A sealing key: KDF(32, CDI_Seal_vm, ctx, "libpvm sealing key"), @len 0
 * to PVM_SEAL_CONTEXT_MAX (@ctx may be NULL when 0). No lock needed (the
 * sealing CDI never changes once published). PVM_OK; PVM_E_INVAL (bad
 * length, NULL); PVM_E_STATE (not sealed, engine failure; @key zeroed).
 */
pvm_status_t attest_seal_key(const struct pvm_vm *vm, const uint8_t *ctx, size_t len,
			     uint8_t key[32]);

#endif
