/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Measurement (docs/attestation.md §1): the RIM from the VM's configuration
 * and every region the host loads before the first run, the four REMs the
 * guest extends. Also the host's measured load and reading a VM's
 * measurements.
 *
 * Integers are little-endian in every hashed byte string.
 */
#include <libpvm/attest.h>

#include <string.h>

#include "../check.h"
#include "../mem_internal.h"
#include "attest_internal.h"
#include "attest_priv.h"
#include "attest_state.h"

#define RIM_LABEL	"libpvm RIM v2"
#define VM_CONFIG_LABEL "libpvm VM config v1"

/* The kinds of RIM record (docs/attestation.md §1.1), their first byte. */
#define REC_DATA	0x01u
#define REC_UNKNOWN	0x02u
#define REC_VCPU_CREATE 0x03u
#define REC_VCPU_BOOT	0x04u

static uint8_t *put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	unsigned i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + bytes;
}

void attest_wipe(void *p, size_t n)
{
	memset(p, 0, n);
	/* The buffer "escapes" into the asm: the stores above are not dead. */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

void measure_rim_init(uint8_t rim[PVM_SHA512_SIZE], uint32_t ipa_bits, bool protected_vm,
		      uint64_t ram_base, uint64_t ram_size)
{
	uint8_t in[sizeof(RIM_LABEL) - 1 + 4 + 1 + 8 + 8], *p = in;
	struct pvm_sha512_ctx h;

	memcpy(p, RIM_LABEL, sizeof(RIM_LABEL) - 1);
	p += sizeof(RIM_LABEL) - 1;
	p = put_le(p, ipa_bits, 4);
	*p++ = protected_vm ? 1 : 0;
	p = put_le(p, ram_base, 8);
	(void)put_le(p, ram_size, 8);
	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, in, sizeof(in));
	pvm_crypto_sha512_final(&h, rim);
}

/* RIM = H(RIM ‖ rec ‖ tail): one record, its optional 64-byte tail apart. */
static void rim_record(uint8_t rim[PVM_SHA512_SIZE], const uint8_t *rec, size_t len,
		       const uint8_t *tail)
{
	struct pvm_sha512_ctx h;

	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, rim, PVM_SHA512_SIZE);
	pvm_crypto_sha512_update(&h, rec, len);
	if (tail)
		pvm_crypto_sha512_update(&h, tail, PVM_SHA512_SIZE);
	pvm_crypto_sha512_final(&h, rim);
}

void measure_rim_data(uint8_t rim[PVM_SHA512_SIZE], uint64_t ipa, uint64_t size, uint64_t flags,
		      const uint8_t content_hash[PVM_SHA512_SIZE])
{
	uint8_t rec[1 + 24];

	rec[0] = REC_DATA;
	put_le(put_le(put_le(rec + 1, ipa, 8), size, 8), flags, 8);
	rim_record(rim, rec, sizeof(rec), content_hash);
}

void measure_rim_unknown(uint8_t rim[PVM_SHA512_SIZE], uint64_t ipa, uint64_t size)
{
	uint8_t rec[1 + 16];

	rec[0] = REC_UNKNOWN;
	put_le(put_le(rec + 1, ipa, 8), size, 8);
	rim_record(rim, rec, sizeof(rec), NULL);
}

void measure_rim_vcpu_create(uint8_t rim[PVM_SHA512_SIZE], uint32_t index)
{
	uint8_t rec[1 + 4];

	rec[0] = REC_VCPU_CREATE;
	put_le(rec + 1, index, 4);
	rim_record(rim, rec, sizeof(rec), NULL);
}

void measure_rim_vcpu_boot(uint8_t rim[PVM_SHA512_SIZE], uint32_t index, uint64_t pc, uint64_t x0)
{
	uint8_t rec[1 + 4 + 16];

	rec[0] = REC_VCPU_BOOT;
	put_le(put_le(put_le(rec + 1, index, 4), pc, 8), x0, 8);
	rim_record(rim, rec, sizeof(rec), NULL);
}

void measure_rem_extend(uint8_t rem[PVM_SHA512_SIZE], const void *data, size_t len)
{
	struct pvm_sha512_ctx h;

	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, rem, PVM_SHA512_SIZE);
	pvm_crypto_sha512_update(&h, data, len);
	pvm_crypto_sha512_final(&h, rem);
}

void measure_vm_config_desc(uint8_t desc[VM_CONFIG_DESC_SIZE], const struct pvm_vm *vm)
{
	uint8_t *p = desc;

	memcpy(p, VM_CONFIG_LABEL, sizeof(VM_CONFIG_LABEL) - 1);
	p += sizeof(VM_CONFIG_LABEL) - 1;
	p = put_le(p, vm->s2.ipa_bits, 4);
	*p++ = vm->protected_vm ? 1 : 0;
	p = put_le(p, vm->ram_base, 8);
	p = put_le(p, vm->ram_size, 8);
	memcpy(p, vm->attest.rpv, PVM_RPV_SIZE);
}

void attest_vm_create(struct pvm_vm *vm, const struct pvm_vm_config *cfg)
{
	measure_rim_init(vm->attest.rim, cfg->ipa_bits, cfg->protected_vm, cfg->ram_base,
			 cfg->ram_size);
	memset(vm->attest.rem, 0, sizeof(vm->attest.rem));
	memcpy(vm->attest.rpv, cfg->rpv, PVM_RPV_SIZE);
	/* No authority until one is verified at sealing (seal.c). */
	memset(vm->attest.authority, 0, sizeof(vm->attest.authority));
}

/*
 * The hooks below run under the VM's lock, which also orders them against
 * the freeze in attest_vm_seal(): an operation either happened before the
 * RIM froze, and is in it, or after, and is refused or zeroed by its caller.
 * Non-protected VMs' RIMs are never extended (docs/attestation.md §1.2).
 */
bool attest_vm_frozen_locked(const struct pvm_vm *vm)
{
	pvm_assert_lock_held(&vm->lock);
	return vm->attest.frozen;
}

pvm_status_t attest_vm_freeze_locked(struct pvm_vm *vm)
{
	pvm_assert_lock_held(&vm->lock);
	if (vm->attest.loading)
		return PVM_E_BUSY;
	vm->attest.frozen = true;
	return PVM_OK;
}

void attest_vm_donated_locked(struct pvm_vm *vm, uint64_t ipa, uint64_t size)
{
	pvm_assert_lock_held(&vm->lock);
	if (vm->protected_vm && !vm->attest.frozen)
		measure_rim_unknown(vm->attest.rim, ipa, size);
}

void attest_vcpu_created_locked(struct pvm_vm *vm, unsigned index)
{
	pvm_assert_lock_held(&vm->lock);
	if (vm->protected_vm && !vm->attest.frozen)
		measure_rim_vcpu_create(vm->attest.rim, index);
}

void attest_vcpu_booted_locked(struct pvm_vm *vm, unsigned index, uint64_t pc, uint64_t x0)
{
	pvm_assert_lock_held(&vm->lock);
	if (vm->protected_vm && !vm->attest.frozen)
		measure_rim_vcpu_boot(vm->attest.rim, index, pc, x0);
}

void attest_rem_extend(struct pvm_vm *vm, unsigned idx, const void *data, size_t len)
{
	/* Read-modify-write of a register other vCPUs may extend too. */
	pvm_port_lock(&vm->lock);
	measure_rem_extend(vm->attest.rem[idx], data, len);
	pvm_port_unlock(&vm->lock);
}

/* H(the @n pages from @pa), page by page through the port's mapping. */
static void hash_pages(uint64_t pa, uint64_t n, uint8_t out[PVM_SHA512_SIZE])
{
	struct pvm_sha512_ctx h;
	uint64_t i;

	pvm_crypto_sha512_init(&h);
	for (i = 0; i < n; i++)
		pvm_crypto_sha512_update(&h,
					 pvm_port_phys_to_virt(pvm_pa(pa + (i << PVM_PAGE_SHIFT))),
					 PVM_PAGE_SIZE);
	pvm_crypto_sha512_final(&h, out);
}

/* Mark a measured load as in progress, or say why it may not start. */
static pvm_status_t load_begin(struct pvm_hyp *hyp, struct pvm_vm *vm)
{
	pvm_status_t ret = PVM_OK;

	pvm_port_lock(&hyp->lock);
	pvm_port_lock(&vm->lock);
	if (vm->attest.frozen)
		ret = PVM_E_STATE;
	else if (vm->attest.loading == UINT32_MAX)
		ret = PVM_E_BUSY;
	else
		vm->attest.loading++;
	pvm_port_unlock(&vm->lock);
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_vm_load_measured(struct pvm_hyp *hyp, unsigned handle, pvm_paddr_t pa,
				  pvm_ipa_t ipa, uint64_t npages, unsigned flags, size_t *need)
{
	uint8_t content[PVM_SHA512_SIZE];
	struct pvm_vm *vm;
	pvm_status_t ret;

	if (need)
		*need = 0;
	if (!hyp || (flags & ~(PVM_MEASURE_CODE | PVM_MEASURE_DATA)))
		return PVM_E_INVAL;
	if (!npages || npages > (UINT64_MAX >> PVM_PAGE_SHIFT))
		return PVM_E_INVAL;
	/* A reference keeps the VM from being torn down under the hashing. */
	ret = vm_get(hyp, handle, &vm);
	if (ret)
		return ret;
	/*
	 * While this load is counted in `loading`, the RIM cannot be sealed
	 * (attest_vm_seal() answers PVM_E_BUSY), so once the donation succeeds
	 * the extension below cannot fail: the call either changes nothing or
	 * both gives the pages and measures them.
	 */
	ret = load_begin(hyp, vm);
	if (ret)
		goto out;
	ret = mem_host_donate_guest(hyp, handle, pa, ipa, npages, true, need);
	if (!ret) {
		/*
		 * The pages are the guest's: the host cannot write them any
		 * more, and the guest cannot run before the RIM is sealed. Hash
		 * them with no lock held; only the extension is serialised.
		 */
		hash_pages(pvm_pa_val(pa), npages, content);
	}
	pvm_port_lock(&hyp->lock);
	pvm_port_lock(&vm->lock);
	if (!ret)
		measure_rim_data(vm->attest.rim, pvm_ipa_val(ipa), npages << PVM_PAGE_SHIFT, flags,
				 content);
	vm->attest.loading--;
	pvm_port_unlock(&vm->lock);
	pvm_port_unlock(&hyp->lock);
out:
	vm_put(hyp, vm);
	return ret;
}

pvm_status_t pvm_vm_measurement(struct pvm_hyp *hyp, unsigned handle, struct pvm_measurement *out)
{
	struct pvm_vm *vm;

	if (!hyp || !out)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	vm = vm_find(hyp, handle);
	if (vm) {
		pvm_port_lock(&vm->lock);
		memcpy(out->rim, vm->attest.rim, sizeof(out->rim));
		memcpy(out->rem, vm->attest.rem, sizeof(out->rem));
		memcpy(out->rpv, vm->attest.rpv, sizeof(out->rpv));
		out->sealed = __atomic_load_n(&vm->attest.sealed, __ATOMIC_ACQUIRE);
		if (out->sealed)
			memcpy(out->pub, vm->attest.pub, sizeof(out->pub));
		else
			memset(out->pub, 0, sizeof(out->pub));
		pvm_port_unlock(&vm->lock);
	}
	pvm_port_unlock(&hyp->lock);
	return vm ? PVM_OK : PVM_E_NOENT;
}
