/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file attest.h
 * @brief Guest attestation: measurement of what a protected VM was booted
 *        with, DICE-derived keys, and signed evidence bound to a challenge.
 *
 * The formats (RIM/REM extension, the key derivations of the Open Profile
 * for DICE, certificates, the token and the evidence) are specified in
 * docs/attestation.md. In short: the port gives a unique device secret
 * (UDS); pvm_attest_init() derives the hypervisor layer from it; each VM's
 * keys are derived from the hypervisor layer and the VM's sealed initial
 * measurement (RIM); evidence is the chain of two CBOR certificates and a
 * COSE_Sign1 token signed by the VM's attestation key.
 *
 * All cryptography goes through libpvm/crypto.h.
 */
#ifndef LIBPVM_ATTEST_H
#define LIBPVM_ATTEST_H

#include <libpvm/crypto.h>
#include <libpvm/vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Runtime measurement registers per VM. */
#define PVM_REM_COUNT 4u
/** @brief Longest challenge a token carries. */
#define PVM_CHALLENGE_MAX 64u
/** @brief Size of the personalization value (RPV). */
#define PVM_RPV_SIZE 64u
/** @brief Most data one REM extension takes. */
#define PVM_REM_DATA_MAX 2048u
/** @brief Longest context of a sealing-key derivation. */
#define PVM_SEAL_CONTEXT_MAX 64u
/** @brief Room the evidence never exceeds (chain + token). */
#define PVM_EVIDENCE_MAX 2048u

/** @name pvm_vm_load_measured() flags */
/**@{*/
#define PVM_MEASURE_CODE (1u << 0) /**< The region is code. */
#define PVM_MEASURE_DATA (1u << 1) /**< The region is data (e.g. a device tree). */
/**@}*/

/** @brief DICE inputs of the hypervisor layer, from the port's boot. */
struct pvm_attest_config {
	uint8_t uds[32];	    /**< Unique device secret (all zero: not provisioned). */
	uint8_t code_hash[64];	    /**< Measurement of the hypervisor image. */
	uint8_t config_hash[64];    /**< H(the hypervisor's configuration). */
	uint8_t authority_hash[64]; /**< Who signed the hypervisor image. */
	uint8_t mode; /**< DICE mode: 0 not configured, 1 normal, 2 debug, 3 recovery. */
};

/**
 * @brief Derive the hypervisor layer: CDIs, its key, its certificate (signed
 *        by the root key derived from the UDS).
 * @param hyp The hypervisor (the attestation state lives in it).
 * @param cfg The inputs; the UDS is copied and wiped from nothing else:
 *            the caller wipes its own copy.
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL, mode > 3); ::PVM_E_STATE (already
 *         initialised, or the crypto engine failed).
 *
 * The hypervisor certificate's configurationDescriptor is @p cfg's
 * config_hash (the 64 bytes the port gives) and the configuration input of
 * the hypervisor CDIs is its hash, which the certificate carries as
 * configurationHash (so configurationHash = H(configurationDescriptor) in
 * every certificate).
 *
 * Called once by the port at boot, after pvm_hyp_init() and before any VM
 * is created; the derivation (a few ms) runs under the memory lock. Port
 * path.
 */
pvm_status_t pvm_attest_init(struct pvm_hyp *hyp, const struct pvm_attest_config *cfg);

/**
 * @brief The root public key (from the UDS): what a verifier trusts.
 * @param hyp The hypervisor.
 * @param pub Out: the uncompressed P-256 point.
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL); ::PVM_E_STATE (not initialised).
 */
pvm_status_t pvm_attest_root_key(struct pvm_hyp *hyp, uint8_t pub[PVM_P256_PUB_SIZE]);

/**
 * @brief Give host pages to a protected VM and extend its RIM with them.
 * @param hyp    The hypervisor.
 * @param vm     The VM's handle.
 * @param pa     First host page.
 * @param ipa    Where the guest sees it.
 * @param npages Pages.
 * @param flags  ::PVM_MEASURE_CODE, ::PVM_MEASURE_DATA.
 * @param need   Out, optional: pages the pool lacks on ::PVM_E_NOMEM.
 * @return As pvm_host_donate_guest() (so ::PVM_E_PERM for a non-protected
 *         VM); also ::PVM_E_INVAL for unknown flags or no pages and
 *         ::PVM_E_STATE once the RIM is sealed (or the VM is dying).
 *
 * This is the only way the host's bytes reach a protected VM before it
 * runs: pvm_host_donate_guest() zeroes what it gives. The RIM record is
 * docs/attestation.md §1.1's 0x01.
 *
 * The content is hashed after the pages became the guest's, so the host
 * cannot change what was measured; hashing runs with no lock held. A
 * failing call changes nothing; once the donation succeeded the
 * measurement cannot fail (sealing waits for loads in progress: it
 * answers ::PVM_E_BUSY meanwhile). Host path.
 */
pvm_status_t pvm_vm_load_measured(struct pvm_hyp *hyp, unsigned vm, pvm_paddr_t pa, pvm_ipa_t ipa,
				  uint64_t npages, unsigned flags, size_t *need);

/**
 * @brief Seal a VM's RIM and derive its keys (also done by its first run),
 *        unsigned: its sealing keys bind its RIM.
 * @param hyp The hypervisor.
 * @param vm  The VM's handle.
 *
 * After sealing, the host can no longer load measured pages
 * (::PVM_E_STATE), create vCPUs (::PVM_E_BUSY) or boot them
 * (::PVM_E_STATE), and pages it donates arrive zeroed.
 *
 * @return ::PVM_OK (also when already sealed); ::PVM_E_INVAL (NULL);
 *         ::PVM_E_NOENT; ::PVM_E_STATE (VM dying, attestation not
 *         initialised, or the engine failed: the RIM stays final and a later
 *         call retries); ::PVM_E_BUSY (a pvm_vm_load_measured() on the VM is
 *         in progress). Keys are derived with no lock held. Host path.
 */
pvm_status_t pvm_vm_seal(struct pvm_hyp *hyp, unsigned vm);

/** @brief What an image's signing authority signs: this label ‖ the final RIM (89 bytes). */
#define PVM_IMAGE_SIG_LABEL "libpvm image signature v1"

/**
 * @brief An image's signing authority and its signature over the VM's RIM
 *        (docs/attestation.md §2.1).
 */
struct pvm_vm_authority {
	uint8_t pub[PVM_P256_PUB_SIZE]; /**< The authority's P-256 key, uncompressed. */
	uint8_t sig[PVM_P256_SIG_SIZE]; /**< ES256 (r ‖ s, low-S) over
					     ::PVM_IMAGE_SIG_LABEL ‖ RIM. */
};

/**
 * @brief Seal a VM whose image an authority signed: its sealing keys then
 *        follow the authority instead of the code.
 * @param hyp  The hypervisor.
 * @param vm   The VM's handle.
 * @param auth The authority's key and its signature over the final RIM.
 * @return ::PVM_OK; ::PVM_E_PERM (the signature does not verify over the
 *         RIM as it is, the key is not on the curve, or the signature is
 *         high-S: nothing changes, the RIM stays open, and a later
 *         pvm_vm_seal() or first run seals the VM unsigned); ::PVM_E_BUSY
 *         (a measured load is in progress, or changed the RIM while the
 *         signature was checked: retry); ::PVM_E_STATE (already sealed, also by another
 *         authority or unsigned; VM dying; attestation not initialised;
 *         engine failure); and as pvm_vm_seal() otherwise.
 *
 * The hypervisor verifies the signature with the crypto engine; only then
 * is the VM layer's authority input H(@p auth->pub) and its hidden input
 * zero, so two images signed by one authority (in one mode) have the same
 * sealing keys. The host cannot assert an authority any other way: an
 * unsigned VM's sealing keys bind its RIM. Host path; about two
 * milliseconds of verification and derivation, with no lock held.
 */
pvm_status_t pvm_vm_seal_signed(struct pvm_hyp *hyp, unsigned vm,
				const struct pvm_vm_authority *auth);

/** @brief A VM's measurements, as pvm_vm_measurement() reports them. */
struct pvm_measurement {
	uint8_t rim[PVM_SHA512_SIZE];		     /**< Initial measurement. */
	uint8_t rem[PVM_REM_COUNT][PVM_SHA512_SIZE]; /**< Runtime measurements. */
	uint8_t rpv[PVM_RPV_SIZE];		     /**< Personalization value. */
	uint8_t pub[PVM_P256_PUB_SIZE];		     /**< Attestation key (sealed only). */
	bool sealed;				     /**< The RIM is final. */
};

/**
 * @brief Read a VM's measurements.
 * @param hyp The hypervisor.
 * @param vm  The VM's handle.
 * @param out Out: the measurements.
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL); ::PVM_E_NOENT. Host path.
 */
pvm_status_t pvm_vm_measurement(struct pvm_hyp *hyp, unsigned vm, struct pvm_measurement *out);

/**
 * @brief Produce a VM's evidence for a challenge (docs/attestation.md §6).
 * @param hyp       The hypervisor.
 * @param vm        The VM's handle.
 * @param challenge The relying party's challenge.
 * @param len       Its length, 1 to ::PVM_CHALLENGE_MAX.
 * @param buf       Where to write the evidence (may be NULL when @p size
 *                  is 0: asks for the size).
 * @param size      Room in @p buf (::PVM_EVIDENCE_MAX always suffices).
 * @param out_len   Out: the evidence's length (also set on ::PVM_E_RANGE:
 *                  the room needed).
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL, bad length); ::PVM_E_NOENT;
 *         ::PVM_E_STATE (not sealed, not initialised, engine failure);
 *         ::PVM_E_RANGE (@p buf too small). Host path (guests use the
 *         ::PVM_GUEST_CALL_ATTEST call).
 */
pvm_status_t pvm_attest_evidence(struct pvm_hyp *hyp, unsigned vm, const uint8_t *challenge,
				 size_t len, uint8_t *buf, size_t size, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_ATTEST_H */
