/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two views of physical memory (libpvm/kvm.h, Memory isolation).
 *
 * One memfd, mapped twice, shared:
 *  - the hypervisor's view (kvm_port.ram): the core's pvm_port_phys_to_virt()
 *    and the userspace_addr of every KVM memslot. KVM needs a mapping of a
 *    guest page in this process to fault it into the guest, and the core
 *    must reach every page (tables, zeroing, measuring), so this one maps
 *    everything, read-write, always;
 *  - the VMM's view (kvm_port.host): pvm_kvm_ram(), through which the VMM's
 *    own code (its loader, its devices) touches memory. Its protections
 *    follow the host stage-2 page by page, as the core reports each change
 *    (pvm_port_host_access()): a page the host no longer owns or borrows is
 *    PROT_NONE there, so a read or write of it through this view is a
 *    SIGSEGV, as a host access is a stage-2 fault on the other ports.
 * The memfd itself is closed once both views exist, and its size is sealed.
 */
#define _GNU_SOURCE
#include <libpvm/port.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_internal.h"

#ifndef MADV_REMOVE
#define MADV_REMOVE 9
#endif

void *pvm_port_phys_to_virt(pvm_paddr_t pa)
{
	return kvm_port.ram + (pvm_pa_val(pa) - kvm_port.base);
}

pvm_paddr_t pvm_port_virt_to_phys(const void *va)
{
	return pvm_pa(kvm_port.base + (uint64_t)((const uint8_t *)va - kvm_port.ram));
}

static bool in_memory(uint64_t pa, uint64_t len)
{
	return kvm_port.host && pa >= kvm_port.base && len <= kvm_port.size &&
	       pa - kvm_port.base <= kvm_port.size - len;
}

void *pvm_kvm_ram(pvm_paddr_t pa, size_t len)
{
	uint64_t p = pvm_pa_val(pa);

	return in_memory(p, len) ? kvm_port.host + (p - kvm_port.base) : NULL;
}

/*
 * The VMM's view follows the host stage-2. Never executable: the VMM runs
 * no code from guest memory. A failure would leave the VMM able to touch a
 * page the host gave away (or unable to touch one it got back) without
 * anyone knowing: the port cannot report it (port.h), so it stops.
 */
void pvm_port_host_access(pvm_paddr_t pa, uint64_t size, pvm_prot_t prot)
{
	uint64_t p = pvm_pa_val(pa);
	int mp = PROT_NONE;

	if (prot & PVM_PROT_R)
		mp |= PROT_READ;
	if (prot & PVM_PROT_W)
		mp |= PROT_WRITE | PROT_READ; /* write-only is not a mapping Linux offers */
	if (!in_memory(p, size) || mprotect(kvm_port.host + (p - kvm_port.base), size, mp)) {
		fprintf(stderr,
			"libpvm-kvm: cannot make the VMM's view of 0x%llx+0x%llx follow the host "
			"stage-2 (prot 0x%x): %s\n",
			(unsigned long long)p, (unsigned long long)size, prot, strerror(errno));
		abort();
	}
}

/*
 * Only called on pages the core has just zeroed because they change hands
 * (a guest's or the hypervisor's pages going back to the host). Memory
 * here is coherent with every mapping of it, so there is nothing to clean;
 * instead the zeroed whole pages are punched out of the memfd
 * (MADV_REMOVE on a shared mapping is fallocate(PUNCH_HOLE)): they read as
 * zero from every view afterwards, as they did, and the memory goes back
 * to the kernel until the host uses it again. Checked for zero first, so
 * that a clean of live data (a table page) could never lose it.
 */
void pvm_port_dcache_clean_poc(void *va, size_t size)
{
	static const uint8_t zero[PVM_PAGE_SIZE];
	uint8_t *a =
		(uint8_t *)(((uintptr_t)va + PVM_PAGE_SIZE - 1) & ~(uintptr_t)(PVM_PAGE_SIZE - 1));
	uint8_t *end = (uint8_t *)(((uintptr_t)va + size) & ~(uintptr_t)(PVM_PAGE_SIZE - 1));
	uint8_t *p;

	if (a < kvm_port.ram || end > kvm_port.ram + kvm_port.size || a >= end)
		return;
	for (p = a; p < end; p += PVM_PAGE_SIZE)
		if (memcmp(p, zero, PVM_PAGE_SIZE))
			return;
	if (madvise(a, (size_t)(end - a), MADV_REMOVE))
		fprintf(stderr, "libpvm-kvm: punching out zeroed pages: %s\n", strerror(errno));
}

int kvm_view_init(uint64_t size)
{
	struct kvm_port *p = &kvm_port;
	int fd = memfd_create("libpvm-phys", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)size))
		goto fail;
	p->size = size;
	p->ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p->ram == MAP_FAILED)
		goto fail;
	p->host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p->host == MAP_FAILED)
		goto fail;
	/*
	 * A resized memfd would zero (shrink) guest memory under KVM's feet.
	 * Not F_SEAL_WRITE (KVM and the core write through a shared mapping)
	 * nor F_SEAL_FUTURE_WRITE (it forbids punching holes, and stops no
	 * read: the process has its mappings anyway).
	 */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		goto fail;
	/*
	 * A child of this process gets neither view: Linux 7.3 hands a child
	 * its own copy of a page a pKVM-protected guest holds, taking it back
	 * from the guest (docs/porting.md, the isolation table), and a child
	 * has no business with guest memory on any kernel.
	 */
	if (madvise(p->ram, size, MADV_DONTFORK) || madvise(p->host, size, MADV_DONTFORK))
		goto fail;
	close(fd); /* the two views are the only ways in from now on */
	return 0;
fail:
	fprintf(stderr, "libpvm-kvm: physical memory: %s\n", strerror(errno));
	if (p->ram == MAP_FAILED)
		p->ram = NULL;
	if (p->host == MAP_FAILED)
		p->host = NULL;
	if (fd >= 0)
		close(fd);
	kvm_view_fini();
	return -1;
}

void kvm_view_fini(void)
{
	struct kvm_port *p = &kvm_port;

	if (p->ram)
		munmap(p->ram, p->size);
	if (p->host)
		munmap(p->host, p->size);
	p->ram = p->host = NULL;
	p->size = 0;
}
