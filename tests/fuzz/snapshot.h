/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A copy-on-write journal of the simulated RAM, for fuzz harnesses: the
 * machine is built once, then every input starts from that snapshot, and
 * every call can be checked for "changed nothing" by comparing only the
 * pages it wrote.
 *
 * All of the hypervisor's state (object, page metadata, tables, pool, VMs,
 * vCPU contexts) and all guest memory live in the simulated RAM, so the RAM
 * is the machine. The RAM is kept read-only; the first write to a page
 * faults, the fault handler saves the page (its snapshot content the first
 * time since snap_init(), and its content at the last snap_mark()) and
 * makes it writable. Costs are per page written, not per byte of RAM: a
 * 2 GiB machine restores as fast as a 4 MiB one.
 *
 * What lives outside the RAM is not restored: the simulator's TLB model
 * (reset it), its guest CPUs (detach and attach again) and the host-access
 * record.
 */
#ifndef PVM_FUZZ_SNAPSHOT_H
#define PVM_FUZZ_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

/* Take the snapshot of [ram, ram + size) (page aligned); aborts if it cannot. */
void snap_init(void *ram, size_t size);

/* Every page written since snap_init() back to its snapshot content. */
void snap_restore(void);

/* Start a new mark: the pages written from now on are journaled against
 * their content now. */
void snap_mark(void);

/* Whether a page written since the last snap_mark() differs from its content
 * then; *off (may be NULL) is the offset of the first differing byte. */
bool snap_changed(size_t *off);

/* The offsets of the pages that differ from their content at the last
 * snap_mark(), at most max of them into offs; returns how many differ. */
size_t snap_changed_pages(size_t *offs, size_t max);

#endif /* PVM_FUZZ_SNAPSHOT_H */
