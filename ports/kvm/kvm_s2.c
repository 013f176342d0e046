/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memslots from the core's stage-2. The core's tables say which IPA is
 * backed by which page and how; KVM learns it only through memslots. This
 * file reads the tables (as a hardware walker would, from VTTBR/VTCR, so it
 * needs no lock of the core) and keeps the memslots equal to them. As a
 * walker's TLB fill must not outlive the invalidation that follows a
 * change, every walk that fills slots holds the slot lock, which the
 * core's invalidation (kvm_s2_drop()) takes too.
 */
#include <libpvm/port.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_internal.h"

#define DESC_VALID     1ull
#define DESC_TABLE     2ull /* with VALID, below level 3: a table; at level 3: a page */
#define DESC_OA_MASK   0x0000fffffffff000ull
#define DESC_S2AP_W    (1ull << 7)
#define DESC_S2AP_R    (1ull << 6)
#define VTTBR_BADDR    0x0000fffffffffffeull
#define VTCR_T0SZ(v)   ((unsigned)((v)&0x3f))
#define VTCR_SL0(v)    ((unsigned)(((v) >> 6) & 3))
#define LEVEL_SHIFT(l) (12u + 9u * (3u - (l)))

static int set_slot(struct kvm_vm_port *v, unsigned i)
{
	struct kvm_slot *s = &v->slots[i];
	struct kvm_userspace_memory_region r = {
		.slot = i,
		.flags = s->readonly ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = s->ipa,
		.memory_size = s->used ? s->size : 0,
		.userspace_addr = (uint64_t)(uintptr_t)pvm_port_phys_to_virt(pvm_pa(s->pa)),
	};

	if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &r) == 0)
		return 0;
	fprintf(stderr, "libpvm-kvm: memslot %u ipa 0x%llx size 0x%llx: %s\n", i,
		(unsigned long long)s->ipa, (unsigned long long)s->size, strerror(errno));
	return -1;
}

static void drop_slot(struct kvm_vm_port *v, unsigned i)
{
	v->slots[i].used = false;
	(void)set_slot(v, i);
}

static bool in_ram(uint64_t pa, uint64_t size)
{
	return pa >= kvm_port.base && size <= kvm_port.size &&
	       pa - kvm_port.base <= kvm_port.size - size;
}

/* Add a slot; false when none is free (the caller resyncs, coalescing). */
static bool add_slot(struct kvm_vm_port *v, uint64_t ipa, uint64_t pa, uint64_t size, bool ro)
{
	unsigned i;

	if (!in_ram(pa, size))
		return true; /* not the memfd's: nothing KVM can map; the guest gets MMIO exits */
	for (i = 0; i < KVM_PORT_SLOTS; i++) {
		struct kvm_slot *s = &v->slots[i];

		if (s->used)
			continue;
		*s = (struct kvm_slot){
			.ipa = ipa, .pa = pa, .size = size, .readonly = ro, .used = true};
		if (set_slot(v, i))
			s->used = false;
		return true;
	}
	return false;
}

void kvm_s2_drop(unsigned vm, uint64_t ipa, bool all)
{
	struct kvm_vm_port *v;
	unsigned i;

	pthread_mutex_lock(&kvm_port.slot_lock);
	v = kvm_port.vms[vm];
	if (v && v->kprot && __atomic_load_n(&v->ran, __ATOMIC_ACQUIRE)) {
		/* pKVM keeps a run pVM's memslots, and its pages: end it (kvm_vm.c). */
		kvm_vm_retire(v);
	} else if (v) {
		for (i = 0; i < KVM_PORT_SLOTS; i++) {
			struct kvm_slot *s = &v->slots[i];

			if (s->used && (all || (ipa >= s->ipa && ipa - s->ipa < s->size)))
				drop_slot(v, i);
		}
		/* The rest of a dropped run, or a changed entry, comes back from the tables. */
		v->resync = true;
	}
	pthread_mutex_unlock(&kvm_port.slot_lock);
}

typedef void (*leaf_fn)(void *arg, uint64_t ipa, uint64_t pa, uint64_t size, uint64_t desc);

static void walk_table(uint64_t table_pa, unsigned level, uint64_t ipa0, unsigned entries,
		       leaf_fn fn, void *arg)
{
	const uint64_t *t = pvm_port_phys_to_virt(pvm_pa(table_pa));
	uint64_t size = 1ull << LEVEL_SHIFT(level);
	unsigned i;

	for (i = 0; i < entries; i++) {
		uint64_t d = __atomic_load_n(&t[i], __ATOMIC_RELAXED), ipa = ipa0 + i * size;

		if (!(d & DESC_VALID))
			continue;
		if (level < 3 && (d & DESC_TABLE))
			walk_table(d & DESC_OA_MASK, level + 1, ipa, 512, fn, arg);
		else if (level == 3 ? (d & DESC_TABLE) != 0 : level > 0)
			fn(arg, ipa, d & DESC_OA_MASK & ~(size - 1), size, d);
	}
}

/* Every valid leaf of the stage-2 of (vttbr, vtcr), in IPA order. 4 KiB granule only. */
static void walk(uint64_t vttbr, uint64_t vtcr, leaf_fn fn, void *arg)
{
	unsigned ia = 64 - VTCR_T0SZ(vtcr), level = 2 - VTCR_SL0(vtcr);

	if (level > 2 || ia <= LEVEL_SHIFT(level))
		return;
	walk_table(vttbr & VTTBR_BADDR, level, 0, 1u << (ia - LEVEL_SHIFT(level)), fn, arg);
}

struct sync_state {
	struct kvm_vm_port *v;
	uint64_t ipa, pa, size; /* the run being built */
	bool ro, full;
	bool keep; /* add to the slots there are, drop none */
};

static void flush_run(struct sync_state *s)
{
	if (s->size && !add_slot(s->v, s->ipa, s->pa, s->size, s->ro))
		s->full = true;
	s->size = 0;
}

/* The slot of @v that holds @ipa, or KVM_PORT_SLOTS. */
static unsigned slot_of(const struct kvm_vm_port *v, uint64_t ipa)
{
	unsigned i;

	for (i = 0; i < KVM_PORT_SLOTS; i++)
		if (v->slots[i].used && ipa >= v->slots[i].ipa &&
		    ipa - v->slots[i].ipa < v->slots[i].size)
			break;
	return i;
}

static void sync_leaf(void *arg, uint64_t ipa, uint64_t pa, uint64_t size, uint64_t desc)
{
	struct sync_state *s = arg;
	bool ro = !(desc & DESC_S2AP_W);

	if (!(desc & DESC_S2AP_R))
		return; /* no access at all: as good as unmapped for KVM */
	if (s->keep && slot_of(s->v, ipa) < KVM_PORT_SLOTS) {
		flush_run(s); /* in KVM already, unchanged (see kvm_s2_sync()) */
		return;
	}
	if (s->size && ipa == s->ipa + s->size && pa == s->pa + s->size && ro == s->ro) {
		s->size += size;
		return;
	}
	flush_run(s);
	s->ipa = ipa;
	s->pa = pa;
	s->size = size;
	s->ro = ro;
}

void kvm_s2_sync(struct kvm_vm_port *v)
{
	struct sync_state s = {.v = v};
	unsigned i;

	/*
	 * A pKVM-protected VM's slots are only ever added to: the kernel
	 * forbids dropping them once it has run, and until then a drop
	 * removed the slot at once (kvm_s2_drop()), so every slot left
	 * matches the core's tables. Other VMs' are remade, coalesced.
	 */
	s.keep = v->kprot;
	pthread_mutex_lock(&kvm_port.slot_lock);
	if (__atomic_load_n(&v->retired, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&v->resync, false, __ATOMIC_RELEASE);
	} else if (v->resync) {
		for (i = 0; !s.keep && i < KVM_PORT_SLOTS; i++)
			if (v->slots[i].used)
				drop_slot(v, i);
		walk(v->vttbr, v->vtcr, sync_leaf, &s);
		flush_run(&s);
		if (s.full)
			fprintf(stderr,
				"libpvm-kvm: out of memslots; guest memory is incomplete\n");
		/*
		 * Cleared only now: another vCPU's thread tests the flag without
		 * the lock before KVM_RUN, and must not enter while the slots are
		 * half made. Entering with its code missing is not a fault the
		 * port sees: KVM injects an instruction abort for a fetch outside
		 * every memslot, and the guest loops on it in the kernel.
		 */
		__atomic_store_n(&v->resync, false, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&kvm_port.slot_lock);
}

struct lookup_state {
	uint64_t ipa, pa, base, size, desc;
	bool found;
};

static void lookup_leaf(void *arg, uint64_t ipa, uint64_t pa, uint64_t size, uint64_t desc)
{
	struct lookup_state *l = arg;

	if (!l->found && l->ipa >= ipa && l->ipa - ipa < size) {
		l->found = true;
		l->base = ipa;
		l->pa = pa;
		l->size = size;
		l->desc = desc;
	}
}

int kvm_s2_fault_in(struct kvm_vm_port *v, uint64_t ipa, bool *writable)
{
	struct lookup_state l = {.ipa = ipa};

	/*
	 * The walk is under the slot lock, as kvm_s2_sync()'s: the core clears
	 * an entry and invalidates it, which drops the slots under this lock
	 * (kvm_s2_drop()), before it zeroes the page, gives it away or frees
	 * a table. Walked outside the lock, an entry
	 * read just before it was cleared would become a slot just after that
	 * drop, mapping a page the guest no longer has (already zeroed and back
	 * with the host, or given to another VM) into it; or a freed table page,
	 * reused meanwhile, would be walked as one.
	 * A full walk for one address: fine for small guests; a direct lookup is a follow-up.
	 */
	pthread_mutex_lock(&kvm_port.slot_lock);
	if (!__atomic_load_n(&v->retired, __ATOMIC_ACQUIRE))
		walk(v->vttbr, v->vtcr, lookup_leaf, &l);
	if (!l.found || !(l.desc & DESC_S2AP_R)) {
		pthread_mutex_unlock(&kvm_port.slot_lock);
		return 0;
	}
	*writable = (l.desc & DESC_S2AP_W) != 0;
	/* Already there: e.g. read-only, and this was a write. */
	if (slot_of(v, ipa) == KVM_PORT_SLOTS && !add_slot(v, l.base, l.pa, l.size, !*writable))
		v->resync = true;
	pthread_mutex_unlock(&kvm_port.slot_lock);
	return 1;
}
