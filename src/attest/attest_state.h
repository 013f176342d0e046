/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attestation state the core keeps, and its secrets: the hypervisor
 * layer (in struct pvm_hyp) and each VM's measurements and keys (in struct
 * pvm_vm). Both objects are private to the core, so no installed header
 * declares a CDI or a private key.
 */
#ifndef PVM_ATTEST_STATE_H
#define PVM_ATTEST_STATE_H

#include <libpvm/mem.h>

/* The hypervisor layer of attestation (pvm_attest_init()). Secrets never leave the hypervisor. */
struct attest_hyp {
	bool ready;			   /* pvm_attest_init() succeeded */
	uint8_t cdi_attest[32];		   /* the hypervisor layer's attestation CDI */
	uint8_t cdi_seal[32];		   /* the hypervisor layer's sealing CDI */
	uint8_t priv[32];		   /* the hypervisor layer's private key */
	uint8_t pub[65];		   /* its public key */
	uint8_t root_pub[65];		   /* the root (UDS) public key */
	uint8_t id[20];			   /* ID of the hypervisor layer's key */
	uint16_t cert_len;		   /* bytes of cert */
	uint8_t cert[PVM_ATTEST_CERT_MAX]; /* the hypervisor certificate (COSE_Sign1) */
};

/* A VM's measurements and keys (docs/attestation.md). */
struct attest_vm {
	uint8_t rim[64];       /* initial measurement */
	uint8_t rem[4][64];    /* runtime measurement registers */
	uint8_t rpv[64];       /* personalization value */
	uint8_t authority[64]; /* H(verified authority key), or zeroes (sealed only) */
	uint8_t cdi_seal[32];  /* the VM's sealing CDI (sealed only) */
	uint8_t priv[32];      /* the VM's attestation key (sealed only) */
	uint8_t pub[65];       /* its public key */
	uint8_t cert_sig[64];  /* the VM certificate's signature (deterministic, sealed only) */
	uint32_t loading;      /* pvm_vm_load_measured() calls in progress (VM lock) */
	bool frozen;	       /* the RIM is final: no more measured loads (VM lock) */
	bool sealed;	       /* the keys are derived (set last, with release ordering) */
};

#endif /* PVM_ATTEST_STATE_H */
