/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLB model and the TLB invalidation hooks.
 *
 * A small fully-associative TLB, tagged by VMID like the hardware's
 * stage-2 entries, that keeps whatever a walk returned until the core
 * invalidates it. It is deliberately unforgiving: an entry survives any
 * change of the tables, and an invalidation by IPA whose level hint does
 * not match the cached leaf's level leaves it in place, as the
 * architecture allows (TTL tells the hardware at which level the leaf is;
 * with a wrong hint it need not remove the entry at all). So a
 * missing or mis-hinted TLBI in the core shows up as a stale translation.
 *
 * Entries are replaced round-robin: deterministic, so a test that fills
 * the TLB knows which entry goes first.
 */
#include "sim_internal.h"
#include "sim_vcpu_internal.h"

#include <string.h>

#define SIM_TLB_ENTRIES 256u
/*
 * Lookups go through a hash index of (VMID, level, leaf base): a
 * translation probes one bucket per possible leaf size instead of
 * scanning every entry, which matters to tests that translate every page
 * after every operation.
 */
#define TLB_BUCKET_BITS 10u
#define TLB_NIL		0xffffu

struct tlb_entry {
	struct sim_leaf leaf;
	uint16_t vmid;
	uint16_t next; /* next entry in the same bucket, or TLB_NIL */
	bool valid;
};

static struct {
	struct tlb_entry e[SIM_TLB_ENTRIES];
	uint16_t head[1u << TLB_BUCKET_BITS];
	unsigned victim; /* round-robin */
	bool on;
} tlb = {.on = true};

static unsigned bucket(uint16_t vmid, unsigned level, uint64_t ipa)
{
	uint64_t k = (ipa >> sim_level_shift(level)) ^ (uint64_t)vmid << 40 ^ (uint64_t)level << 60;

	return (unsigned)((k * 0x9e3779b97f4a7c15ull) >> (64 - TLB_BUCKET_BITS));
}

static bool covers(const struct tlb_entry *e, uint16_t vmid, uint64_t ipa)
{
	return e->valid && e->vmid == vmid && ipa - e->leaf.ipa_base < e->leaf.size;
}

static void drop(unsigned i)
{
	struct tlb_entry *e = &tlb.e[i];
	uint16_t *p;

	if (!e->valid)
		return;
	p = &tlb.head[bucket(e->vmid, e->leaf.level, e->leaf.ipa_base)];
	while (*p != i)
		p = &tlb.e[*p].next;
	*p = e->next;
	e->valid = false;
}

void sim_tlb_setup(bool on)
{
	memset(tlb.e, 0, sizeof(tlb.e));
	memset(tlb.head, 0xff, sizeof(tlb.head));
	tlb.victim = 0;
	tlb.on = on;
}

bool sim_tlb_lookup(uint16_t vmid, uint64_t ipa, struct sim_leaf *leaf)
{
	unsigned level, i;

	if (!tlb.on)
		return false;
	/* Stage-2 leaves live at levels 1-3 with a 4 KiB granule. */
	for (level = 1; level <= SIM_LAST_LEVEL; level++) {
		for (i = tlb.head[bucket(vmid, level, ipa)]; i != TLB_NIL; i = tlb.e[i].next) {
			if (covers(&tlb.e[i], vmid, ipa)) {
				*leaf = tlb.e[i].leaf;
				return true;
			}
		}
	}
	return false;
}

void sim_tlb_insert(uint16_t vmid, const struct sim_leaf *leaf)
{
	unsigned i = tlb.victim, b;
	struct tlb_entry *e = &tlb.e[i];

	if (!tlb.on)
		return;
	tlb.victim = (tlb.victim + 1) % SIM_TLB_ENTRIES;
	drop(i);
	e->leaf = *leaf;
	e->vmid = vmid;
	e->valid = true;
	b = bucket(vmid, leaf->level, leaf->ipa_base);
	e->next = tlb.head[b];
	tlb.head[b] = (uint16_t)i;
}

void pvm_sim_tlb_enable(bool on)
{
	sim_lock();
	sim_tlb_setup(on);
	sim_unlock();
}

void pvm_sim_tlb_reset(void)
{
	sim_lock();
	sim_tlb_setup(tlb.on);
	sim_unlock();
}

void pvm_port_tlbi_ipa(uint16_t vmid, pvm_ipa_t ipa, unsigned level)
{
	uint64_t a = pvm_ipa_val(ipa);
	unsigned i, l, next, engines;

	/* Hardware has no encoding for another hint: passing one is a core bug. */
	if (level > SIM_LAST_LEVEL && level != PVM_TLBI_LEVEL_ANY)
		sim_die("pvm_port_tlbi_ipa: level hint %u is neither 0-3 nor PVM_TLBI_LEVEL_ANY",
			level);

	sim_lock();
	sim_m.stats.tlbi_ipa++;
	/*
	 * Only the buckets of the leaf sizes the hint allows can hold an entry
	 * covering a: probe those instead of scanning the whole TLB, so that a
	 * per-page invalidation costs what it would on hardware, not O(TLB).
	 */
	for (l = 1; l <= SIM_LAST_LEVEL; l++) {
		if (level != PVM_TLBI_LEVEL_ANY && l != level)
			continue;
		for (i = tlb.head[bucket(vmid, l, a)]; i != TLB_NIL; i = next) {
			next = tlb.e[i].next;
			if (covers(&tlb.e[i], vmid, a) && tlb.e[i].leaf.level == l)
				drop(i);
		}
	}
	sim_bbm_tlbi_ipa(vmid, a, level);
	engines = sim_uc_live;
	sim_unlock();
	/* Binary guests' memory mirrors are TLBs too (outside the lock: it may wait). */
	if (engines)
		sim_uc_tlbi(vmid, a, false);
}

void pvm_port_tlbi_vmid(uint16_t vmid)
{
	unsigned i, engines;

	sim_lock();
	sim_m.stats.tlbi_vmid++;
	for (i = 0; i < SIM_TLB_ENTRIES; i++) {
		if (tlb.e[i].vmid == vmid)
			drop(i);
	}
	sim_bbm_tlbi_vmid(vmid);
	engines = sim_uc_live;
	sim_unlock();
	if (engines)
		sim_uc_tlbi(vmid, 0, true);
}
