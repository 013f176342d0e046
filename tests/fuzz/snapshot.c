/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RAM journal of snapshot.h: write protection and a SIGSEGV handler.
 *
 * A fault inside the RAM on a page not yet journaled since the last mark is
 * a first write: the handler saves the page and makes it writable, and the
 * store is executed again. Any other fault is not ours: the handler puts
 * back the handler it replaced (the sanitizer's or libFuzzer's) and
 * returns, so the faulting instruction runs again and is reported there.
 */
#include "snapshot.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define IN_INPUT (1u << 0) /* written since snap_init() or the last restore */
#define IN_MARK	 (1u << 1) /* written since the last mark */
#define SAVED	 (1u << 2) /* orig holds the page's snapshot content */

static struct {
	uint8_t *ram, *orig, *prev; /* the RAM; its snapshot; its content at the mark */
	size_t size, page, npages;
	uint8_t *state;		/* per page: IN_INPUT, IN_MARK, SAVED */
	uint32_t *input, *mark; /* the pages IN_INPUT and IN_MARK */
	size_t ninput, nmark;
	struct sigaction old;
} s;

static void die(const char *what)
{
	fprintf(stderr, "snapshot: %s\n", what);
	abort();
}

static void protect(size_t p, int prot)
{
	if (mprotect(s.ram + p * s.page, s.page, prot))
		die("mprotect");
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	uint8_t *a = si->si_addr;
	size_t p;

	(void)sig;
	(void)uc;
	if (a < s.ram || a >= s.ram + s.size || (s.state[(size_t)(a - s.ram) / s.page] & IN_MARK)) {
		sigaction(SIGSEGV, &s.old, NULL);
		return;
	}
	p = (size_t)(a - s.ram) / s.page;
	if (!(s.state[p] & SAVED)) {
		memcpy(s.orig + p * s.page, s.ram + p * s.page, s.page);
		s.state[p] |= SAVED;
	}
	memcpy(s.prev + p * s.page, s.ram + p * s.page, s.page);
	if (!(s.state[p] & IN_INPUT)) {
		s.state[p] |= IN_INPUT;
		s.input[s.ninput++] = (uint32_t)p;
	}
	s.state[p] |= IN_MARK;
	s.mark[s.nmark++] = (uint32_t)p;
	protect(p, PROT_READ | PROT_WRITE);
}

static void *zalloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("out of memory");
	return p;
}

void snap_init(void *ram, size_t size)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	s.page = (size_t)sysconf(_SC_PAGESIZE);
	if (!ram || !size || ((uintptr_t)ram | size) % s.page || size / s.page > UINT32_MAX)
		die("bad RAM");
	s.ram = ram;
	s.size = size;
	s.npages = size / s.page;
	s.orig = zalloc(size);
	s.prev = zalloc(size);
	s.state = zalloc(s.npages);
	s.input = zalloc(s.npages * sizeof(*s.input));
	s.mark = zalloc(s.npages * sizeof(*s.mark));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &s.old))
		die("sigaction");
	if (mprotect(ram, size, PROT_READ))
		die("mprotect");
}

void snap_mark(void)
{
	for (size_t i = 0; i < s.nmark; i++) {
		s.state[s.mark[i]] &= (uint8_t)~IN_MARK;
		protect(s.mark[i], PROT_READ);
	}
	s.nmark = 0;
}

void snap_restore(void)
{
	snap_mark();
	for (size_t i = 0; i < s.ninput; i++) {
		size_t p = s.input[i];

		protect(p, PROT_READ | PROT_WRITE);
		memcpy(s.ram + p * s.page, s.orig + p * s.page, s.page);
		protect(p, PROT_READ);
		s.state[p] &= (uint8_t)~IN_INPUT;
	}
	s.ninput = 0;
}

bool snap_changed(size_t *off)
{
	for (size_t i = 0; i < s.nmark; i++) {
		size_t base = (size_t)s.mark[i] * s.page;

		if (memcmp(s.ram + base, s.prev + base, s.page)) {
			size_t b = 0;

			while (s.ram[base + b] == s.prev[base + b])
				b++;
			if (off)
				*off = base + b;
			return true;
		}
	}
	return false;
}

size_t snap_changed_pages(size_t *offs, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s.nmark; i++) {
		size_t base = (size_t)s.mark[i] * s.page;

		if (memcmp(s.ram + base, s.prev + base, s.page)) {
			if (n < max)
				offs[n] = base;
			n++;
		}
	}
	return n;
}
