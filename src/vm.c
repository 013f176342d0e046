/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VMs as components: creation from donated pages, references held while
 * vCPUs run, and teardown in phases (start, reclaim, finish).
 */
#include <libpvm/vm.h>

#include <string.h>

#include "attest/attest_internal.h"
#include "check.h"
#include "mem_internal.h"

uint64_t pvm_vm_create_pages(unsigned ipa_bits)
{
	unsigned root = pvm_stage2_root_pages(ipa_bits);

	return root ? root + 1u : 0;
}

pvm_status_t pvm_vm_create(struct pvm_hyp *hyp, const struct pvm_vm_config *cfg, pvm_paddr_t pages,
			   uint64_t npages, unsigned *handle, size_t *need)
{
	struct pvm_stage2_config sc;
	uint64_t root_pages, a = pvm_pa_val(pages);
	struct pvm_vm *vm;
	unsigned h;
	pvm_status_t ret;

	if (need)
		*need = 0;
	if (!hyp || !cfg || !handle)
		return PVM_E_INVAL;
	root_pages = pvm_stage2_root_pages(cfg->ipa_bits);
	if (!root_pages || cfg->ipa_bits > hyp->host.pa_bits || npages != root_pages + 1 ||
	    (a & ((root_pages << PVM_PAGE_SHIFT) - 1)) ||
	    ((cfg->ram_base | cfg->ram_size) & (PVM_PAGE_SIZE - 1)))
		return PVM_E_INVAL;
	if (cfg->ram_size && (cfg->ram_base >= (1ull << cfg->ipa_bits) ||
			      cfg->ram_size > (1ull << cfg->ipa_bits) - cfg->ram_base))
		return PVM_E_RANGE;
	if (a < hyp->base || npages > hyp->npages ||
	    (a - hyp->base) / PVM_PAGE_SIZE > hyp->npages - npages)
		return PVM_E_RANGE;

	pvm_port_lock(&hyp->lock);
	for (h = 0; h < PVM_VM_MAX && hyp->vms[h]; h++)
		;
	if (h == PVM_VM_MAX) {
		ret = PVM_E_BUSY;
		goto out;
	}
	ret = mem_donate_hyp_locked(hyp, a, npages, need);
	if (ret)
		goto out;
	mem_mark_inuse_locked(hyp, a, npages);

	/* The pages are the hypervisor's now: the root first, the VM structure last. */
	vm = pvm_port_phys_to_virt(pvm_pa(a + (root_pages << PVM_PAGE_SHIFT)));
	memset(vm, 0, sizeof(*vm));
	sc = (struct pvm_stage2_config){
		.ipa_bits = cfg->ipa_bits, .pa_bits = hyp->host.pa_bits, .vmid = (uint16_t)(h + 1)};
	/* The configuration was checked above. */
	PVM_CHECK_OK(pvm_stage2_init(&vm->s2, &sc, pages, &hyp->pool));
	vm->donated = pages;
	vm->ndonated = npages;
	vm->handle = (uint16_t)h;
	vm->protected_vm = cfg->protected_vm;
	vm->ram_base = cfg->ram_base;
	vm->ram_size = cfg->ram_size;
	/* The initial RIM, the RPV and the authority hash (docs/attestation.md §1). */
	attest_vm_create(vm, cfg);
	vm->state = PVM_VM_ACTIVE;
	hyp->vms[h] = vm;
	*handle = h;
out:
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_vm_info(struct pvm_hyp *hyp, unsigned handle, struct pvm_vm_info *info)
{
	struct pvm_vm *vm;

	if (!hyp || !info)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	vm = vm_find(hyp, handle);
	if (vm) {
		info->vmid = vm->s2.vmid;
		info->ipa_bits = vm->s2.ipa_bits;
		info->protected_vm = vm->protected_vm;
		info->state = (enum pvm_vm_state)vm->state;
		info->pages = vm->pages;
		info->vtcr = pvm_stage2_vtcr(&vm->s2);
		info->vttbr = pvm_stage2_vttbr(&vm->s2);
	}
	pvm_port_unlock(&hyp->lock);
	return vm ? PVM_OK : PVM_E_NOENT;
}

pvm_status_t pvm_vm_teardown_start(struct pvm_hyp *hyp, unsigned handle)
{
	struct pvm_vm *vm;
	pvm_status_t ret = PVM_OK;

	if (!hyp)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	ret = vm_find_active(hyp, handle, &vm);
	if (!ret && vm->refs)
		ret = PVM_E_BUSY;
	else if (!ret)
		vm->state = PVM_VM_DYING;
	pvm_port_unlock(&hyp->lock);
	return ret;
}

struct first_leaf {
	uint64_t addr, end;
};

static int find_mapped(const struct pvm_stage2_visit *v, void *arg)
{
	struct first_leaf *f = arg;

	if (!(v->desc & 1))
		return 0;
	f->addr = v->addr;
	f->end = v->end;
	return 1;
}

pvm_status_t pvm_vm_reclaim(struct pvm_hyp *hyp, unsigned handle, uint64_t max, uint64_t *left,
			    size_t *need)
{
	struct pvm_vm *vm;
	pvm_status_t ret = PVM_OK;
	uint64_t done = 0;

	if (need)
		*need = 0;
	if (!hyp || !max)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	ret = vm_find_in(hyp, handle, PVM_VM_DYING, &vm);
	if (ret)
		goto out;
	pvm_port_lock(&vm->lock);
	while (max && vm->pages) {
		struct first_leaf f = {0, 0};
		uint64_t n;

		/*
		 * The next mapped leaf from where the last reclaim stopped (a
		 * cursor, so tearing down a VM of n pages walks its tables once,
		 * not n times); reclaim it, or as much of it as max allows.
		 */
		if (pvm_stage2_walk(&vm->s2, pvm_ipa(vm->reclaim_from),
				    vm->s2.ipa_limit - vm->reclaim_from, PVM_S2_VISIT_LEAF,
				    find_mapped, &f) != 1 &&
		    pvm_stage2_walk(&vm->s2, pvm_ipa(0), vm->s2.ipa_limit, PVM_S2_VISIT_LEAF,
				    find_mapped, &f) != 1) {
			ret = PVM_E_STATE; /* pages counted but none mapped: a broken invariant */
			break;
		}
		n = (f.end - f.addr) >> PVM_PAGE_SHIFT;
		if (n > max)
			n = max;
		ret = mem_reclaim_locked(hyp, vm, f.addr, n, need);
		if (ret) {
			/*
			 * Pages already reclaimed by this call stay reclaimed: report
			 * the progress; the next call reports what stopped it, having
			 * changed nothing.
			 */
			if (done) {
				ret = PVM_OK;
				if (need)
					*need = 0;
			}
			break;
		}
		vm->pages -= n;
		max -= n;
		done += n;
		vm->reclaim_from = f.addr + (n << PVM_PAGE_SHIFT);
	}
	if (left)
		*left = vm->pages;
	pvm_port_unlock(&vm->lock);
out:
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_vm_teardown_finish(struct pvm_hyp *hyp, unsigned handle)
{
	struct pvm_vm *vm;
	pvm_status_t ret;

	if (!hyp)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	ret = vm_find_in(hyp, handle, PVM_VM_DYING, &vm);
	if (!ret && vm->pages)
		ret = PVM_E_STATE;
	if (ret)
		goto out;
	/* Nothing is mapped any more: only empty tables can be left, and they go. */
	pvm_stage2_destroy(&vm->s2);
	/*
	 * The vCPUs' pages, then the VM's own (root, this structure), go back
	 * zeroed; one at a time so that a failure leaves a state a retry
	 * continues from. vm is gone after the last.
	 */
	while (vm->nvcpus) {
		ret = mem_donate_host_locked(
			hyp, pvm_pa_val(pvm_port_virt_to_phys(vm->vcpus[vm->nvcpus - 1])), 1);
		if (ret)
			goto out;
		vm->vcpus[--vm->nvcpus] = NULL;
	}
	ret = mem_donate_host_locked(hyp, pvm_pa_val(vm->donated), vm->ndonated);
	if (!ret)
		hyp->vms[handle] = NULL;
out:
	pvm_port_unlock(&hyp->lock);
	return ret;
}
