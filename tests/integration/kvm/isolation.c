/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which routes a VMM has to a guest's private page, as the kernel enforces
 * them: run inside the kernels of tests/integration/kvm.
 *
 *   pvm-kvm-isolation protected|ordinary
 *
 * For each route a fresh VM (upstream pKVM's KVM_VM_TYPE_ARM_PROTECTED, or
 * an ordinary KVM VM) runs a guest that fills its data page with a marker
 * (a value the guest builds in registers: the VMM never writes it) and
 * stops on an MMIO write. The VMM then tries to read the page by one
 * route:
 *   none      none (the control: what teardown gives back untouched);
 *   map       its own mapping of the memslot (anonymous, private);
 *   fork      a child process's mapping (fork() shares the page);
 *   procmem   pread() of /proc/self/mem at the mapping;
 *   vmreadv   process_vm_readv() from itself;
 *   write     write() of the mapping to a pipe (the kernel copies from
 *             the user address, as any syscall that reads user memory);
 *   memfd     a second mapping of the memory, when it is a memfd
 *             (MAP_SHARED) rather than anonymous memory;
 *   odirect   an O_DIRECT write of the mapping to a block device
 *             (PVM_ISOLATION_BLOCK, a RAM disk): the kernel pins the page
 *             for the I/O and the driver reads it, as a device's DMA would.
 * A route is "open" when the VMM saw the marker, "closed" otherwise (a
 * fault, an error, or data without the marker); the guest then runs again
 * and checks its page: it kept it (still its marker), found it changed, or
 * KVM_RUN fails (the kernel took the page back). After the VM is closed
 * the VMM reads the page again, at once and a second later: it faults,
 * reads zero, or still holds the guest's marker.
 *
 * Output: `ROUTE <name>: ...` lines, the table (tests/integration/kvm's
 * isolation-*.txt hold what each kernel must answer: which routes are
 * closed is the kernel's policy, compared there, not decided here); a
 * PASS/FAIL line for the mechanics of each route (the guest ran and wrote
 * its marker, the route could be tried, no VMM hung or died); then
 * `END ok` or `END failed`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Upstream pKVM's machine type (linux/kvm.h from 7.1; not in Debian 12's headers). */
#define VM_TYPE_ARM_PROTECTED (1ul << 31)

#define PAGE	   4096ul
#define GUEST_IPA  0x80000000ull /* code page, then the data page */
#define GUEST_SIZE (2 * PAGE)
#define MMIO_IPA   0x09000000ull	 /* unbacked: a store there is a KVM_EXIT_MMIO */
#define MARKER	   0x4d5650202e544553ull /* "SET. PVM": built by the guest in x1 */

/*
 * The guest: fill the data page with the marker, store 1 to MMIO_IPA
 * (stop), then compare the page with the marker and store 2 (kept) or 3
 * (changed) to MMIO_IPA + 8. Position independent: loaded at GUEST_IPA.
 */
extern const uint32_t guest_code[], guest_code_end[];
__asm__(".pushsection .rodata\n"
	".balign 4\n"
	/* Global: a GOT reference to a local label would resolve to the section's start. */
	".globl guest_code, guest_code_end\n"
	"guest_code:\n"
	"	movz x0, #0x8000, lsl #16\n"
	"	add x0, x0, #0x1000\n" /* x0: the data page */
	"	movz x1, #0x4553\n"
	"	movk x1, #0x2e54, lsl #16\n"
	"	movk x1, #0x5020, lsl #32\n"
	"	movk x1, #0x4d56, lsl #48\n" /* x1: MARKER */
	"	movz x3, #0x0900, lsl #16\n" /* x3: MMIO_IPA */
	"	mov x2, #0\n"
	"1:	str x1, [x0, x2]\n"
	"	add x2, x2, #8\n"
	"	cmp x2, #0x1000\n"
	"	b.ne 1b\n"
	"	mov w4, #1\n"
	"	str w4, [x3]\n"
	"	mov x2, #0\n"
	"	mov w4, #2\n"
	"2:	ldr x5, [x0, x2]\n"
	"	cmp x5, x1\n"
	"	b.eq 3f\n"
	"	mov w4, #3\n"
	"3:	add x2, x2, #8\n"
	"	cmp x2, #0x1000\n"
	"	b.ne 2b\n"
	"	str w4, [x3, #8]\n"
	"4:	wfi\n"
	"	b 4b\n"
	"guest_code_end:\n"
	".popsection\n");

static int kvm_fd, failed;
static bool protected_vm, memfd_backing;

static void check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		failed = 1;
}

struct vm {
	int fd, vcpu, memfd; /* memfd: the backing of a memfd VM, else -1 */
	struct kvm_run *run;
	uint8_t *mem; /* the VMM's mapping of the memslot */
};

static sigjmp_buf jb;
static volatile int armed;

static void on_fault(int sig)
{
	if (!armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	siglongjmp(jb, sig);
}

/* Copy len bytes from p to out; the signal that stopped it, or 0. */
static int guarded_copy(void *out, const volatile uint8_t *p, size_t len)
{
	int sig = sigsetjmp(jb, 1);

	if (sig) {
		armed = 0;
		return sig;
	}
	armed = 1;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)out)[i] = p[i];
	armed = 0;
	return 0;
}

static bool has_marker(const uint8_t *buf, size_t len)
{
	uint64_t v;

	for (size_t i = 0; i + 8 <= len; i += 8) {
		memcpy(&v, buf + i, 8);
		if (v == MARKER)
			return true;
	}
	return false;
}

static int set_reg(int vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)&val};

	return ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

#define CORE_REG(x)                                                                                \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, x) / 4))

static int vm_create(struct vm *v)
{
	unsigned long type = protected_vm ? VM_TYPE_ARM_PROTECTED : 0;
	struct kvm_userspace_memory_region slot;
	struct kvm_vcpu_init init;
	int sz;

	memset(v, 0, sizeof(*v));
	v->fd = ioctl(kvm_fd, KVM_CREATE_VM, type);
	if (v->fd < 0) {
		printf("FAIL: KVM_CREATE_VM(0x%lx): %s\n", type, strerror(errno));
		return -1;
	}
	v->memfd = -1;
	if (memfd_backing) {
		v->memfd = memfd_create("guest", MFD_CLOEXEC);
		if (v->memfd < 0 || ftruncate(v->memfd, GUEST_SIZE))
			return -1;
		v->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, v->memfd, 0);
	} else {
		v->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
	}
	if (v->mem == MAP_FAILED)
		return -1;
	memcpy(v->mem, guest_code, (size_t)((uintptr_t)guest_code_end - (uintptr_t)guest_code));
	slot = (struct kvm_userspace_memory_region){.slot = 0,
						    .guest_phys_addr = GUEST_IPA,
						    .memory_size = GUEST_SIZE,
						    .userspace_addr = (uint64_t)(uintptr_t)v->mem};
	if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &slot)) {
		printf("FAIL: memslot: %s\n", strerror(errno));
		return -1;
	}
	v->vcpu = ioctl(v->fd, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0 || ioctl(v->fd, KVM_ARM_PREFERRED_TARGET, &init)) {
		printf("FAIL: vCPU: %s\n", strerror(errno));
		return -1;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(v->vcpu, KVM_ARM_VCPU_INIT, &init) ||
	    set_reg(v->vcpu, CORE_REG(regs.pc), GUEST_IPA)) {
		printf("FAIL: vCPU init: %s\n", strerror(errno));
		return -1;
	}
	sz = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	return v->run == MAP_FAILED ? -1 : 0;
}

/* Run to the next MMIO write; its value, or -errno of KVM_RUN, or -1000 - the exit reason. */
static long vm_run(struct vm *v, uint64_t want_addr)
{
	if (ioctl(v->vcpu, KVM_RUN, 0))
		return -errno;
	if (v->run->exit_reason != KVM_EXIT_MMIO || !v->run->mmio.is_write ||
	    v->run->mmio.phys_addr != want_addr)
		return -1000 - (long)v->run->exit_reason;
	return (long)v->run->mmio.data[0];
}

static void vm_close(struct vm *v)
{
	munmap(v->run, (size_t)ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	close(v->vcpu);
	close(v->fd);
	if (v->memfd >= 0)
		close(v->memfd);
}

/* What the VMM finds reading the page through its mapping. */
static const char *page_state(const uint8_t *data)
{
	static uint8_t buf[PAGE];

	if (guarded_copy(buf, data, PAGE))
		return "faults";
	if (has_marker(buf, PAGE))
		return "holds the marker";
	return !buf[0] && !memcmp(buf, buf + 1, PAGE - 1) ? "reads zero" : "holds other data";
}

/* One route: what it read into buf (len bytes), or a description of why it read nothing. */
typedef int (*route_fn)(struct vm *v, uint8_t *data, uint8_t *buf, char *how, size_t hlen);

static int route_map(struct vm *v, uint8_t *data, uint8_t *buf, char *how, size_t hlen)
{
	int sig = guarded_copy(buf, data, PAGE);

	(void)v;
	if (sig)
		snprintf(how, hlen, "%s", strsignal(sig));
	return sig ? -1 : 0;
}

/* The control: the VMM does not touch the page. */
static int route_none(struct vm *v, uint8_t *data, uint8_t *buf, char *how, size_t hlen)
{
	(void)v;
	(void)data;
	(void)buf;
	snprintf(how, hlen, "not tried");
	return -1;
}

/* The memory is a memfd (MAP_SHARED): a second mapping of it, made after the guest ran. */
static int route_memfd(struct vm *v, uint8_t *data, uint8_t *buf, char *how, size_t hlen)
{
	uint8_t *m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, v->memfd, (off_t)(data - v->mem));
	int sig;

	if (m == MAP_FAILED) {
		snprintf(how, hlen, "mmap: %s", strerror(errno));
		return -1;
	}
	sig = guarded_copy(buf, m, PAGE);
	munmap(m, PAGE);
	if (sig)
		snprintf(how, hlen, "%s", strsignal(sig));
	return sig ? -1 : 0;
}

/* A child process reads the page: fork() shares it copy-on-write. */
static int route_fork(struct vm *v, uint8_t *data, uint8_t *buf, char *how, size_t hlen)
{
	int p[2], status;
	ssize_t n = -1;
	pid_t pid;

	(void)v;
	if (pipe(p)) {
		snprintf(how, hlen, "pipe: %s", strerror(errno));
		return -2;
	}
	pid = fork();
	if (pid == 0) {
		static uint8_t copy[PAGE];
		int sig = guarded_copy(copy, data, PAGE);

		if (!sig && write(p[1], copy, PAGE) != (ssize_t)PAGE)
			_exit(100);
		_exit(sig);
	}
	close(p[1]);
	if (pid > 0) {
		n = read(p[0], buf, PAGE);
		waitpid(pid, &status, 0);
		if (n != (ssize_t)PAGE)
			snprintf(how, hlen, "the child: %s",
				 WIFEXITED(status) && WEXITSTATUS(status) &&
						 WEXITSTATUS(status) < 64
					 ? strsignal(WEXITSTATUS(status))
					 : "no data");
	} else {
		snprintf(how, hlen, "fork: %s", strerror(errno));
	}
	close(p[0]);
	return n == (ssize_t)PAGE ? 0 : -1;
}

static int route_procmem(struct vm *v, uint8_t *data, uint8_t *buf, char *how, size_t hlen)
{
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, PAGE, (off_t)(uintptr_t)data);

	(void)v;
	if (n != (ssize_t)PAGE)
		snprintf(how, hlen, "pread: %s", n < 0 ? strerror(errno) : "short");
	if (fd >= 0)
		close(fd);
	return n == (ssize_t)PAGE ? 0 : -1;
}

static int route_vmreadv(struct vm *v, uint8_t *data, uint8_t *buf, char *how, size_t hlen)
{
	struct iovec local = {buf, PAGE}, remote = {data, PAGE};
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	(void)v;
	if (n != (ssize_t)PAGE)
		snprintf(how, hlen, "process_vm_readv: %s", n < 0 ? strerror(errno) : "short");
	return n == (ssize_t)PAGE ? 0 : -1;
}

static int route_write(struct vm *v, uint8_t *data, uint8_t *buf, char *how, size_t hlen)
{
	int p[2];
	ssize_t n;

	(void)v;
	if (pipe(p)) {
		snprintf(how, hlen, "pipe: %s", strerror(errno));
		return -1;
	}
	n = write(p[1], data, PAGE);
	if (n == (ssize_t)PAGE)
		n = read(p[0], buf, PAGE);
	else
		snprintf(how, hlen, "write: %s", n < 0 ? strerror(errno) : "short");
	close(p[0]);
	close(p[1]);
	return n == (ssize_t)PAGE ? 0 : -1;
}

/*
 * An O_DIRECT write of the page to a block device (PVM_ISOLATION_BLOCK: a
 * RAM disk, brd), read back: the kernel pins the user page for the I/O and
 * the driver copies from it, as a device's DMA would read it.
 */
static int route_odirect(struct vm *v, uint8_t *data, uint8_t *buf, char *how, size_t hlen)
{
	const char *dev = getenv("PVM_ISOLATION_BLOCK");
	ssize_t n;
	int fd;

	(void)v;
	fd = dev ? open(dev, O_RDWR | O_DIRECT | O_CLOEXEC) : -1;
	if (fd < 0) {
		snprintf(how, hlen, "no block device for O_DIRECT (%s): %s",
			 dev ? dev : "PVM_ISOLATION_BLOCK unset", dev ? strerror(errno) : "");
		return -2; /* the route could not be tried: a failure of the test, not a closed
			      route */
	}
	memset(buf, 0, PAGE);
	if (pwrite(fd, buf, PAGE, 0) != (ssize_t)PAGE) { /* no marker left from an earlier route */
		snprintf(how, hlen, "clearing the device: %s", strerror(errno));
		close(fd);
		return -2;
	}
	n = pwrite(fd, data, PAGE, 0);
	if (n != (ssize_t)PAGE) {
		snprintf(how, hlen, "O_DIRECT write: %s", n < 0 ? strerror(errno) : "short");
		close(fd);
		return -1;
	}
	n = pread(fd, buf, PAGE, 0);
	close(fd);
	if (n != (ssize_t)PAGE) {
		snprintf(how, hlen, "reading the device back: %s",
			 n < 0 ? strerror(errno) : "short");
		return -2;
	}
	return 0;
}

static const struct {
	const char *name;
	route_fn fn;
	bool memfd; /* the guest's memory is a memfd, not anonymous memory */
} routes[] = {
	{"none", route_none, false},	   {"map", route_map, false},
	{"fork", route_fork, false},	   {"procmem", route_procmem, false},
	{"vmreadv", route_vmreadv, false}, {"write", route_write, false},
	{"odirect", route_odirect, false}, {"memfd", route_memfd, true},
};

static void try_route(unsigned r)
{
	static uint8_t buf[PAGE] __attribute__((aligned(PAGE))); /* O_DIRECT's buffer too */
	char how[160] = "", what[256];
	struct vm v;
	uint8_t *data;
	long st;
	int rc;
	bool open_;

	memfd_backing = routes[r].memfd;
	if (vm_create(&v)) {
		check(false, "a VM for the route");
		return;
	}
	data = v.mem + PAGE;
	st = vm_run(&v, MMIO_IPA);
	snprintf(what, sizeof(what), "%s: the guest wrote its marker and stopped (%ld)",
		 routes[r].name, st);
	check(st == 1, what);
	if (st != 1) {
		vm_close(&v);
		return;
	}
	memset(buf, 0, sizeof(buf));
	rc = routes[r].fn(&v, data, buf, how, sizeof(how));
	open_ = rc == 0 && has_marker(buf, PAGE);
	if (rc == 0 && !open_)
		snprintf(how, sizeof(how), "read %s",
			 buf[0] || memcmp(buf, buf + 1, PAGE - 1) ? "data without the marker"
								  : "zeros");
	else if (open_)
		snprintf(how, sizeof(how), "read the marker");
	v.run->mmio.data[0] = 0; /* the MMIO write needs no completion data */
	st = vm_run(&v, MMIO_IPA + 8);
	printf("ROUTE %s: %s (%s), guest %s\n", routes[r].name, open_ ? "open" : "closed", how,
	       st == 2		      ? "kept its page"
	       : st == 3	      ? "found its page changed"
	       : st < 0 && st > -1000 ? strerror((int)-st)
				      : "stopped otherwise");
	if (st < 0 && st > -1000)
		printf("ROUTE %s: KVM_RUN after the route: %s\n", routes[r].name,
		       strerror((int)-st));
	snprintf(what, sizeof(what), "%s: the route could be tried", routes[r].name);
	check(rc != -2, what);
	vm_close(&v);
	/* What the page holds once the VM is gone, at once and a second later. */
	printf("ROUTE %s: after close the data page %s\n", routes[r].name, page_state(data));
	sleep(1);
	printf("ROUTE %s: 1 s later it %s\n", routes[r].name, page_state(data));
	munmap(v.mem, GUEST_SIZE);
}

/*
 * Run fn(arg) in a child with a time limit, for hangs only (a route takes
 * well under a second; QEMU on a loaded machine may take minutes).
 */
static int in_child(void (*fn)(unsigned), unsigned arg, unsigned seconds, const char *name)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		alarm(seconds);
		fn(arg);
		_exit(failed);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		printf("FAIL: %s: fork: %s\n", name, strerror(errno));
		return 1;
	}
	if (WIFSIGNALED(status)) {
		printf("ROUTE %s: the VMM %s\n", name,
		       WTERMSIG(status) == SIGALRM ? "hung (no answer in time)"
						   : strsignal(WTERMSIG(status)));
		return 2;
	}
	return WEXITSTATUS(status) ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned r;
	int rc;

	if (argc != 2 || (strcmp(argv[1], "protected") && strcmp(argv[1], "ordinary"))) {
		fprintf(stderr, "usage: %s protected|ordinary\n", argv[0]);
		return 2;
	}
	protected_vm = !strcmp(argv[1], "protected");
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGSEGV, on_fault);
	signal(SIGBUS, on_fault);
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		printf("FAIL: /dev/kvm: %s\nEND failed\n", strerror(errno));
		return 1;
	}
	for (r = 0; r < sizeof(routes) / sizeof(routes[0]); r++) {
		rc = in_child(try_route, r, 600, routes[r].name);
		if (rc == 2)
			check(false, "the route's VMM did not hang or die");
		failed |= rc != 0;
	}
	printf("END %s\n", failed ? "failed" : "ok");
	return failed;
}
