/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ownership invariant checker (debug API): walks every stage-2 and the
 * metadata and proves they tell the same story. Slow on purpose: it trusts
 * nothing the transitions computed.
 */
#include <libpvm/mem.h>
#include <libpvm/vm.h>

#include "vm_internal.h"

struct ck {
	struct pvm_hyp *hyp;
	struct pvm_mem_report *rep;
	struct pvm_vm *vm; /* the guest being walked, NULL for the host */
	uint64_t mapped;   /* pages mapped in the guest */
};

static int fail(struct ck *c, uint64_t pa, const char *what)
{
	if (c->rep) {
		c->rep->pa = pa;
		c->rep->vm = c->vm ? c->vm->handle : PVM_VM_MAX;
		c->rep->what = what;
	}
	return PVM_E_STATE;
}

static bool managed(const struct pvm_hyp *hyp, uint64_t pa)
{
	return pa >= hyp->base && (pa - hyp->base) / PVM_PAGE_SIZE < hyp->npages;
}

static struct pvm_page *meta(struct pvm_hyp *hyp, uint64_t pa)
{
	return &hyp->meta[(pa - hyp->base) / PVM_PAGE_SIZE];
}

static bool lent(const struct pvm_page *p)
{
	return p->guests || (p->flags & (PVM_PAGE_F_HYP_BORROWS | PVM_PAGE_F_HOST_BORROWS));
}

/* The page state a leaf's software bits carry. */
static unsigned sw_state(const struct pvm_stage2_mapping *m)
{
	return (unsigned)((m->prot & PVM_PROT_SW_MASK) >> PVM_PROT_SW_SHIFT);
}

/* The metadata of one page makes sense on its own. */
static int check_page(struct ck *c, uint64_t pa, const struct pvm_page *p)
{
	struct pvm_hyp *hyp = c->hyp;

	if (p->owner >= PVM_ID_GUEST(0)) {
		unsigned h = p->owner - PVM_ID_GUEST(0);

		if (h >= PVM_VM_MAX || !hyp->vms[h])
			return fail(c, pa, "owner is a VM that does not exist");
	} else if (p->owner != PVM_ID_HOST && p->owner != PVM_ID_HYP) {
		return fail(c, pa, "owner is no component");
	}
	if ((p->flags & PVM_PAGE_F_CARVEOUT) && p->owner != PVM_ID_HYP)
		return fail(c, pa, "carve-out page not owned by the hypervisor");
	if ((p->flags & PVM_PAGE_F_HYP_BORROWS) && p->owner != PVM_ID_HOST)
		return fail(c, pa, "hypervisor borrows a page the host does not own");
	if ((p->flags & PVM_PAGE_F_HOST_BORROWS) && p->owner < PVM_ID_GUEST(0))
		return fail(c, pa, "host borrows a page no guest owns");
	if (p->guests && p->owner != PVM_ID_HOST)
		return fail(c, pa, "guests borrow a page the host does not own");
	if (p->pins && !(p->flags & PVM_PAGE_F_HYP_BORROWS))
		return fail(c, pa, "pinned page the hypervisor does not borrow");
	if ((p->flags & PVM_PAGE_F_INUSE) && p->owner != PVM_ID_HYP)
		return fail(c, pa, "in-use flag on a page the hypervisor does not own");
	if (p->flags & ~(PVM_PAGE_F_HYP_BORROWS | PVM_PAGE_F_HOST_BORROWS | PVM_PAGE_F_CARVEOUT |
			 PVM_PAGE_F_INUSE))
		return fail(c, pa, "unknown flags");
	if (p->check)
		return fail(c, pa, "checker scratch not clear");
	return PVM_OK;
}

/*
 * An entry outside managed memory that is one of the host's devices
 * (pvm_mem_host_mmio_map()): a valid identity Device mapping, read-write,
 * inside a recorded range.
 */
static bool host_device(struct ck *c, const struct pvm_stage2_visit *v)
{
	const struct pvm_hyp *hyp = c->hyp;
	struct pvm_stage2_mapping m;

	if (pvm_stage2_decode(v->desc, v->level, pvm_ipa(v->addr), &m) != PVM_OK ||
	    pvm_pa_val(m.pa) != v->addr || m.prot != (PVM_PROT_RW | PVM_PROT_DEVICE))
		return false;
	for (unsigned i = 0; i < hyp->nmmio; i++)
		if (v->addr >= hyp->mmio[i][0] && v->end <= hyp->mmio[i][1])
			return true;
	return false;
}

/* The host stage-2: exactly what the host owns or borrows, as an identity. */
static int host_visit(const struct pvm_stage2_visit *v, void *arg)
{
	struct ck *c = arg;
	struct pvm_hyp *hyp = c->hyp;
	uint64_t lo = v->addr > hyp->base ? v->addr : hyp->base;
	uint64_t hi = hyp->base + hyp->npages * PVM_PAGE_SIZE;

	if (v->end < hi)
		hi = v->end;
	/* Outside managed memory the host stage-2 holds nothing but its devices. */
	if ((lo >= hi || v->addr < lo || v->end > hi) && v->desc && !host_device(c, v))
		return fail(c, v->addr, "host stage-2 maps or annotates unmanaged memory");
	for (uint64_t a = lo; a < hi; a += PVM_PAGE_SIZE) {
		const struct pvm_page *p = meta(hyp, a);
		struct pvm_stage2_mapping m;

		/* The engine's own decoding: the checker proves what lookups see. */
		if (pvm_stage2_decode(v->desc, v->level, pvm_ipa(a), &m) != PVM_OK) {
			if (p->owner == PVM_ID_HOST || (p->flags & PVM_PAGE_F_HOST_BORROWS))
				return fail(c, a, "host cannot reach a page it owns or borrows");
			if (m.owner != p->owner)
				return fail(c, a, "host stage-2 annotation is not the owner");
			continue;
		}
		if (pvm_pa_val(m.pa) != a)
			return fail(c, a, "host stage-2 is not an identity map");
		if (p->owner == PVM_ID_HOST) {
			unsigned want = lent(p) ? PVM_PAGE_SHARED_OWNED : PVM_PAGE_OWNED;

			if (sw_state(&m) != want)
				return fail(c, a, "host state bits disagree with the metadata");
		} else if (p->flags & PVM_PAGE_F_HOST_BORROWS) {
			if (sw_state(&m) != PVM_PAGE_SHARED_BORROWED)
				return fail(c, a, "host borrows a page not marked borrowed");
		} else {
			return fail(c, a, "host maps a page it neither owns nor borrows");
		}
	}
	return 0;
}

/* A guest stage-2: only pages the guest owns or borrows; count every mapping. */
static int guest_visit(const struct pvm_stage2_visit *v, void *arg)
{
	struct ck *c = arg;
	struct pvm_hyp *hyp = c->hyp;
	unsigned id = PVM_ID_GUEST(c->vm->handle);

	if (!(v->desc & 1)) {
		if (v->desc)
			return fail(c, v->addr, "guest stage-2 carries an annotation");
		return 0;
	}
	for (uint64_t a = v->addr; a < v->end; a += PVM_PAGE_SIZE) {
		struct pvm_stage2_mapping m;
		struct pvm_page *p;
		uint64_t pa;

		if (pvm_stage2_decode(v->desc, v->level, pvm_ipa(a), &m) != PVM_OK)
			return fail(c, a, "guest stage-2 leaf does not decode");
		pa = pvm_pa_val(m.pa);

		if (!managed(hyp, pa))
			return fail(c, pa, "guest maps unmanaged memory");
		p = meta(hyp, pa);
		if (p->owner == id) {
			unsigned want = (p->flags & PVM_PAGE_F_HOST_BORROWS) ? PVM_PAGE_SHARED_OWNED
									     : PVM_PAGE_OWNED;

			if (sw_state(&m) != want)
				return fail(c, pa, "guest state bits disagree with the metadata");
		} else if (p->owner == PVM_ID_HOST) {
			if (c->vm->protected_vm)
				return fail(c, pa, "protected guest maps a host page");
			if (sw_state(&m) != PVM_PAGE_SHARED_BORROWED)
				return fail(c, pa, "guest borrows a page not marked borrowed");
		} else {
			return fail(c, pa, "guest maps a page it neither owns nor borrows");
		}
		if (p->check == UINT16_MAX)
			return fail(c, pa, "page mapped too many times");
		p->check++;
		c->mapped++;
	}
	return 0;
}

pvm_status_t pvm_mem_check(struct pvm_hyp *hyp, struct pvm_mem_report *report)
{
	struct ck c = {.hyp = hyp, .rep = report};
	int ret = PVM_OK;

	if (!hyp)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	for (uint64_t i = 0; i < hyp->npages && !ret; i++)
		ret = check_page(&c, hyp->base + i * PVM_PAGE_SIZE, &hyp->meta[i]);
	if (!ret)
		ret = pvm_stage2_walk(&hyp->host, pvm_ipa(0), hyp->host.ipa_limit,
				      PVM_S2_VISIT_LEAF, host_visit, &c);

	for (unsigned h = 0; h < PVM_VM_MAX && !ret; h++) {
		struct pvm_vm *vm = hyp->vms[h];

		if (!vm)
			continue;
		c.vm = vm;
		c.mapped = 0;
		ret = pvm_stage2_walk(&vm->s2, pvm_ipa(0), vm->s2.ipa_limit, PVM_S2_VISIT_LEAF,
				      guest_visit, &c);
		if (!ret && c.mapped != vm->pages)
			ret = fail(&c, 0, "VM page count disagrees with its stage-2");
	}
	c.vm = NULL;

	/* Each page is mapped by guests exactly as often as the metadata says. */
	for (uint64_t i = 0; i < hyp->npages; i++) {
		struct pvm_page *p = &hyp->meta[i];
		unsigned want = p->owner >= PVM_ID_GUEST(0) ? 1u
				: p->owner == PVM_ID_HOST   ? p->guests
							    : 0u;

		if (!ret && p->check != want)
			ret = fail(
				&c, hyp->base + i * PVM_PAGE_SIZE,
				p->owner >= PVM_ID_GUEST(0)
					? "a guest page is not mapped exactly once by its owner"
					: "guest borrow count disagrees with the guests' stage-2s");
		p->check = 0;
	}
	pvm_port_unlock(&hyp->lock);
	return ret;
}
