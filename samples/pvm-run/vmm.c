/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pvm-run: load a guest ELF into a protected VM on the simulated machine,
 * run its vCPUs on threads, serve its exits, tear it down, and report.
 *
 *   pvm-run [--trace] [--non-protected] [--vcpus N] guest.elf
 *   pvm-run [options] [--mem MiB] --kernel Image [--initrd FILE] [--cmdline ARGS]
 *
 * The guest's UART output goes to stdout, line by line; --trace prints
 * every exit to stderr; the summary (exits by kind, pages donated, shared
 * and reclaimed) goes to stderr at the end. The exit status is 0 when the
 * guest turned the system off and the teardown left every page accounted.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvm_layout.h"
#include "vmm.h"

#define MiB	     (1ull << 20)
#define SIM_RAM_BASE 0x40000000ull
#define SIM_RAM_SIZE (256 * MiB)
#define HYP_SIZE     (8 * MiB)
#define BLOCK	     (2 * MiB)
#define IPA_BITS     36
#define FDT_SIZE     PVM_LAYOUT_FDT_SIZE
/*
 * The device tree sits 1 MiB below the shared pool at the top of RAM, 2 MiB
 * below its end (PVM_LAYOUT_FDT_OFFSET for the sample guests' 16 MiB).
 */
#define FDT_FROM_TOP (PVM_LAYOUT_RAM_SIZE - PVM_LAYOUT_FDT_OFFSET)
/* --mem: guest RAM in MiB (2 MiB steps: the Linux boot protocol's alignment). */
#define MEM_MIN_MiB 16u
#define MEM_MAX_MiB 2048u

static const char *const exit_names[] = {
	[PVM_EXIT_NONE] = "none",
	[PVM_EXIT_MMIO] = "mmio",
	[PVM_EXIT_MEM_FAULT] = "mem_fault",
	[PVM_EXIT_WFI] = "wfi",
	[PVM_EXIT_HVC] = "hvc",
	[PVM_EXIT_PSCI] = "psci",
	[PVM_EXIT_MEM_SHARE] = "mem_share",
	[PVM_EXIT_GUEST_FAULT] = "guest_fault",
	[PVM_EXIT_INTERNAL] = "internal",
	[PVM_EXIT_NEED_PAGES] = "need_pages",
	[PVM_EXIT_INTERRUPTED] = "interrupted",
	[PVM_EXIT_IPI] = "ipi",
};
#define NKINDS (sizeof(exit_names) / sizeof(exit_names[0]))

static struct vmm g;
static pthread_t threads[PVM_VCPU_MAX];
static bool started[PVM_VCPU_MAX];
static unsigned active;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;
static const char *kernel_path, *initrd_path; /* --kernel, --initrd */

uint64_t vmm_host_pages(struct vmm *v, uint64_t n, uint64_t align)
{
	uint64_t pa;

	pthread_mutex_lock(&v->lock);
	pa = (v->next_host_page + align - 1) & ~(align - 1);
	if (pa + n * PVM_PAGE_SIZE > v->host_end)
		pa = 0;
	else
		v->next_host_page = pa + n * PVM_PAGE_SIZE;
	pthread_mutex_unlock(&v->lock);
	return pa;
}

int vmm_topup(struct vmm *v, uint64_t pages)
{
	/*
	 * Whole 2 MiB blocks: taking a block from the host's stage-2 needs
	 * no table pages, so a top-up works even when the pool is empty.
	 */
	uint64_t blocks = (pages * PVM_PAGE_SIZE + BLOCK - 1) / BLOCK, pa;
	pvm_status_t ret;
	size_t need = 0;

	if (!blocks)
		blocks = 1;
	pa = vmm_host_pages(v, blocks * BLOCK / PVM_PAGE_SIZE, BLOCK);
	if (!pa) {
		fprintf(stderr, "pvm-run: host memory exhausted\n");
		return -1;
	}
	/* Whole aligned blocks: annotating them splits nothing, so this needs no pool page. */
	ret = pvm_mem_topup(v->hyp, pvm_pa(pa), blocks * BLOCK / PVM_PAGE_SIZE, &need);
	if (ret) {
		fprintf(stderr, "pvm-run: pool top-up: %s (%zu pages short)\n", pvm_strerror(ret),
			need);
		return -1;
	}
	pthread_mutex_lock(&v->lock);
	v->st.pool_topups += blocks * BLOCK / PVM_PAGE_SIZE;
	pthread_mutex_unlock(&v->lock);
	return 0;
}

int vmm_back_page(struct vmm *v, uint64_t ipa, const void *data, size_t len, unsigned measure)
{
	return vmm_back_range(v, ipa, 1, data, len, measure);
}

int vmm_back_range(struct vmm *v, uint64_t ipa, uint64_t npages, const void *data, size_t len,
		   unsigned measure)
{
	uint64_t bytes = npages * PVM_PAGE_SIZE, idx = (ipa - v->ram_ipa) / PVM_PAGE_SIZE, i;
	uint64_t pa = vmm_host_pages(v, npages, (ipa & (BLOCK - 1)) ? PVM_PAGE_SIZE : BLOCK);
	size_t need = 0;
	pvm_status_t ret;

	if (!pa || len > bytes)
		return -1;
	memset(vmm_port_ram(pa, bytes), 0, bytes);
	if (data)
		memcpy(vmm_port_ram(pa, bytes), data, len);
	for (;;) {
		if (v->protected_vm && measure)
			ret = pvm_vm_load_measured(v->hyp, v->vm, pvm_pa(pa), pvm_ipa(ipa), npages,
						   measure, &need);
		else if (v->protected_vm)
			ret = pvm_host_donate_guest(v->hyp, v->vm, pvm_pa(pa), pvm_ipa(ipa), npages,
						    &need);
		else
			ret = pvm_host_share_guest(v->hyp, v->vm, pvm_pa(pa), pvm_ipa(ipa), npages,
						   PVM_PROT_RWX, &need);
		if (ret != PVM_E_NOMEM)
			break;
		if (vmm_topup(v, need))
			return -1;
	}
	if (ret == PVM_E_EXISTS && npages == 1)
		return 0; /* another vCPU's fault on the same page got there first */
	if (ret) {
		fprintf(stderr, "pvm-run: backing IPA 0x%llx: %s\n", (unsigned long long)ipa,
			pvm_strerror(ret));
		return -1;
	}
	pthread_mutex_lock(&v->lock);
	for (i = 0; i < npages; i++)
		v->ipa_to_pa[idx + i] = pa + i * PVM_PAGE_SIZE;
	v->st.donated += npages;
	pthread_mutex_unlock(&v->lock);
	return 0;
}

/*
 * Back every guest RAM page not backed yet, in runs of consecutive IPAs:
 * a Linux guest touches most of its RAM, and one memory fault per page
 * (each a KVM exit, a core call and a memslot) would dominate its boot.
 */
static int back_all(struct vmm *v)
{
	uint64_t n = v->ram_size / PVM_PAGE_SIZE, i = 0, j;

	while (i < n) {
		if (v->ipa_to_pa[i]) {
			i++;
			continue;
		}
		for (j = i; j < n && !v->ipa_to_pa[j]; j++)
			;
		if (vmm_back_range(v, v->ram_ipa + i * PVM_PAGE_SIZE, j - i, NULL, 0, 0))
			return -1;
		i = j;
	}
	return 0;
}

static void trace(struct vmm *v, unsigned cpu, const struct pvm_exit *e)
{
	static const char *const ops[] = {"share", "unshare", "relinquish"};
	static const char *const faults[] = {"dabt", "iabt", "undef"};

	if (!v->trace)
		return;
	switch (e->kind) {
	case PVM_EXIT_MMIO:
		vmm_printf(v, true, "exit vcpu=%u mmio %s ipa=0x%llx size=%u data=0x%llx%s\n", cpu,
			   e->mmio.write ? "write" : "read", (unsigned long long)e->mmio.ipa,
			   e->mmio.size, (unsigned long long)e->mmio.data,
			   (e->flags & PVM_EXIT_F_ABORT) ? " abort" : "");
		break;
	case PVM_EXIT_MEM_FAULT:
		vmm_printf(v, true, "exit vcpu=%u mem_fault ipa=0x%llx write=%d exec=%d\n", cpu,
			   (unsigned long long)e->mem_fault.ipa, e->mem_fault.write,
			   e->mem_fault.exec);
		break;
	case PVM_EXIT_PSCI:
		vmm_printf(v, true, "exit vcpu=%u psci fn=0x%x target=%u\n", cpu, e->psci.fn,
			   e->psci.target);
		break;
	case PVM_EXIT_HVC:
		vmm_printf(v, true, "exit vcpu=%u hvc x0=0x%llx\n", cpu,
			   (unsigned long long)e->hvc.x[0]);
		break;
	case PVM_EXIT_MEM_SHARE:
		vmm_printf(v, true, "exit vcpu=%u mem_share op=%s ipa=0x%llx pages=%llu\n", cpu,
			   e->share.op < 3 ? ops[e->share.op] : "?",
			   (unsigned long long)e->share.ipa, (unsigned long long)e->share.pages);
		break;
	case PVM_EXIT_GUEST_FAULT:
		vmm_printf(v, true, "exit vcpu=%u guest_fault %s ipa=0x%llx\n", cpu,
			   e->fault.reason < 3 ? faults[e->fault.reason] : "?",
			   (unsigned long long)e->fault.ipa);
		break;
	case PVM_EXIT_INTERNAL:
		vmm_printf(v, true, "exit vcpu=%u internal %s esr=0x%llx\n", cpu,
			   pvm_strerror(e->internal.status), (unsigned long long)e->internal.esr);
		break;
	case PVM_EXIT_NEED_PAGES:
		vmm_printf(v, true, "exit vcpu=%u need_pages pages=%llu\n", cpu,
			   (unsigned long long)e->need.pages);
		break;
	case PVM_EXIT_IPI:
		vmm_printf(v, true, "exit vcpu=%u ipi sgi=%u targets=0x%llx\n", cpu, e->ipi.intid,
			   (unsigned long long)e->ipi.targets);
		break;
	default:
		vmm_printf(v, true, "exit vcpu=%u %s\n", cpu,
			   e->kind < NKINDS ? exit_names[e->kind] : "?");
		break;
	}
}

static void start_vcpu(unsigned cpu);

static void stop_all(struct vmm *v)
{
	unsigned i;

	pthread_mutex_lock(&v->lock);
	v->stop = 1;
	pthread_cond_broadcast(&v->wake_cond);
	pthread_mutex_unlock(&v->lock);
	for (i = 0; i < v->nvcpus; i++)
		vmm_port_vcpu_kick(v->vm, i);
}

void vmm_wake(struct vmm *v, unsigned cpu, bool kick)
{
	pthread_mutex_lock(&v->lock);
	v->wake[cpu] = true;
	pthread_cond_broadcast(&v->wake_cond);
	pthread_mutex_unlock(&v->lock);
	if (kick)
		vmm_port_vcpu_kick(v->vm, cpu);
}

/*
 * After a WFI exit: wait until the guest's timer deadline or until an
 * interrupt is injected for this vCPU (vmm_wake(), since its last run
 * began), as a CPU sleeps in WFI. A port that cannot turn the deadline
 * into time runs the vCPU again at once (a WFI may always end early).
 */
static void wfi_wait(struct vmm *v, unsigned cpu, uint64_t deadline)
{
	bool forever = deadline == PVM_WFI_NO_DEADLINE;
	struct timespec ts;
	uint64_t ns = 0;

	if (!vmm_port_deadline_ns(forever ? 0 : deadline, &ns))
		return;
	ts.tv_sec = (time_t)(ns / 1000000000ull);
	ts.tv_nsec = (long)(ns % 1000000000ull);
	pthread_mutex_lock(&v->lock);
	while (!v->stop && !v->wake[cpu]) {
		if (forever)
			pthread_cond_wait(&v->wake_cond, &v->lock);
		else if (pthread_cond_timedwait(&v->wake_cond, &v->lock, &ts))
			break; /* ETIMEDOUT: the deadline */
	}
	pthread_mutex_unlock(&v->lock);
}

/* Serve one exit. Returns false when this vCPU's thread should end. */
static bool serve(struct vmm *v, unsigned cpu, struct pvm_exit *e)
{
	switch (e->kind) {
	case PVM_EXIT_MMIO:
		if (!vmm_mmio(v, cpu, e))
			e->flags = PVM_EXIT_F_ABORT; /* no device there: the guest gets an abort */
		return true;
	case PVM_EXIT_MEM_FAULT:
		if (vmm_back_page(v, e->mem_fault.ipa, NULL, 0, 0)) {
			stop_all(v);
			v->result = 1;
			return false;
		}
		return true;
	case PVM_EXIT_NEED_PAGES:
		if (vmm_topup(v, e->need.pages)) {
			stop_all(v);
			v->result = 1;
			return false;
		}
		return true;
	case PVM_EXIT_HVC:
		/* pvm-run offers no calls of its own. */
		e->hvc.x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
		return true;
	case PVM_EXIT_PSCI:
		if (e->psci.fn == PSCI_CPU_ON) {
			start_vcpu(e->psci.target);
			return true;
		}
		if (e->psci.fn == PSCI_CPU_OFF)
			return false;
		/* SYSTEM_OFF or SYSTEM_RESET: everything stops (no reboot here). */
		v->result = e->psci.fn == PSCI_SYSTEM_OFF ? 0 : 2;
		stop_all(v);
		return false;
	case PVM_EXIT_MEM_SHARE:
		pthread_mutex_lock(&v->lock);
		if (e->share.op == PVM_SHARE_OP_SHARE)
			v->st.shared += e->share.pages;
		else if (e->share.op == PVM_SHARE_OP_UNSHARE)
			v->st.unshared += e->share.pages;
		else {
			/* The page is the host's again: forget it as guest memory. */
			v->st.relinquished += e->share.pages;
			v->ipa_to_pa[(e->share.ipa - v->ram_ipa) / PVM_PAGE_SIZE] = 0;
		}
		pthread_mutex_unlock(&v->lock);
		return true;
	case PVM_EXIT_INTERRUPTED:
		return !v->stop;
	case PVM_EXIT_WFI:
		wfi_wait(v, cpu, e->wfi.deadline);
		return true;
	case PVM_EXIT_IPI:
		/* The SGI is pending in each target already: wake those that wait. */
		for (unsigned t = 0; t < v->nvcpus; t++)
			if (e->ipi.targets & (1ull << t))
				vmm_wake(v, t, false);
		return true;
	case PVM_EXIT_GUEST_FAULT:
		return true;
	case PVM_EXIT_INTERNAL:
	default:
		vmm_printf(v, true, "pvm-run: vcpu %u: internal error (%s)\n", cpu,
			   pvm_strerror(e->internal.status));
		v->result = 1;
		stop_all(v);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;
	struct pvm_exit e;
	bool more = true;

	memset(&e, 0, sizeof(e));
	while (more && !g.stop) {
		pvm_status_t ret;

		/* What is injected from now on is seen by this run, or ends its wait. */
		pthread_mutex_lock(&g.lock);
		g.wake[cpu] = false;
		pthread_mutex_unlock(&g.lock);
		ret = pvm_vcpu_run(g.hyp, g.vm, cpu, &e);

		if (ret) {
			/* Off (CPU_OFF, SYSTEM_OFF by another vCPU): this thread is done. */
			if (ret != PVM_E_STATE)
				vmm_printf(&g, true, "pvm-run: vcpu %u: %s\n", cpu,
					   pvm_strerror(ret));
			break;
		}
		pthread_mutex_lock(&g.lock);
		if (e.kind < NKINDS)
			g.st.exits[e.kind]++;
		pthread_mutex_unlock(&g.lock);
		more = serve(&g, cpu, &e);
		trace(&g, cpu, &e);
		/* The completion is in e: only the fields the hypervisor waits for are read. */
	}
	pthread_mutex_lock(&g.lock);
	started[cpu] = false;
	active--;
	pthread_cond_broadcast(&all_done);
	pthread_mutex_unlock(&g.lock);
	return NULL;
}

static void start_vcpu(unsigned cpu)
{
	pthread_mutex_lock(&g.lock);
	if (cpu < g.nvcpus && !started[cpu]) {
		if (started[cpu] ||
		    pthread_create(&threads[cpu], NULL, vcpu_thread, (void *)(uintptr_t)cpu)) {
			pthread_mutex_unlock(&g.lock);
			return;
		}
		pthread_detach(threads[cpu]);
		started[cpu] = true;
		active++;
	}
	pthread_mutex_unlock(&g.lock);
}

/* --dtb-out: the device tree's bytes as loaded, for a verifier recomputing the RIM. */
static int write_dtb(const char *path, const void *fdt, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(fdt, 1, len, f) == len;

	if (f && fclose(f))
		ok = 0;
	if (!ok)
		fprintf(stderr, "pvm-run: cannot write %s\n", path);
	return ok ? 0 : -1;
}

/*
 * The VM, built in the order of docs/attestation.md §1.3 (a verifier
 * recomputes the RIM from it): VM_CREATE, every VCPU_CREATE, the image's
 * pages, the device tree's pages, (Linux: the rest of RAM), VCPU_BOOT.
 */
static int setup(const char *elf, uint64_t *entry, uint64_t *fdt_ipa)
{
	/* Guest RAM beyond the sample guests' comes on top of the usual machine. */
	uint64_t machine = SIM_RAM_SIZE + (g.ram_size > PVM_LAYOUT_RAM_SIZE ? g.ram_size : 0);
	struct pvm_hyp_config cfg = {.ram_base = SIM_RAM_BASE,
				     .ram_size = machine,
				     .hyp_base = SIM_RAM_BASE + machine - HYP_SIZE,
				     .hyp_size = HYP_SIZE,
				     .pa_bits = 40};
	struct pvm_vm_config vc = {.ipa_bits = IPA_BITS,
				   .protected_vm = g.protected_vm,
				   .ram_base = g.ram_ipa,
				   .ram_size = g.ram_size};
	uint64_t n = pvm_vm_create_pages(IPA_BITS), pa, off;
	unsigned char fdt[FDT_SIZE];
	unsigned i, idx;
	pvm_status_t ret;
	size_t need = 0;
	int r;

	if (vmm_port_init(SIM_RAM_BASE, machine) || pvm_hyp_init(&cfg, &g.hyp, NULL)) {
		fprintf(stderr, "pvm-run: cannot set up the %s machine\n", vmm_port_name);
		return -1;
	}
	g.next_host_page = SIM_RAM_BASE;
	g.host_end = cfg.hyp_base;
	if (vmm_attest_init(&g))
		return -1;
	if (vmm_topup(&g, 1))
		return -1;
	pa = vmm_host_pages(&g, n, n * PVM_PAGE_SIZE);
	while ((ret = pvm_vm_create(g.hyp, &vc, pvm_pa(pa), n, &g.vm, &need)) == PVM_E_NOMEM)
		if (vmm_topup(&g, need))
			return -1;
	if (!ret)
		ret = vmm_port_vm_attach(g.hyp, g.vm);
	for (i = 0; !ret && i < g.nvcpus; i++) {
		while ((ret = pvm_vcpu_create(g.hyp, g.vm, pvm_pa(vmm_host_pages(&g, 1, 4096)),
					      &idx, &need)) == PVM_E_NOMEM)
			if (vmm_topup(&g, need))
				return -1;
		if (!ret)
			ret = vmm_port_vcpu_attach(g.vm, idx);
	}
	if (ret) {
		fprintf(stderr, "pvm-run: cannot create the VM: %s\n", pvm_strerror(ret));
		return -1;
	}
	r = vmm_port_vm_gic(g.vm, g.nvcpus, &g.gic);
	if (r < 0)
		return -1;
	g.has_gic = r == 0;
	gic_model_reset(&g.gic_model, g.nvcpus);
	*fdt_ipa = g.ram_ipa + g.ram_size - FDT_FROM_TOP;
	if (kernel_path ? vmm_load_linux(&g, kernel_path, initrd_path, *fdt_ipa, entry)
			: vmm_load_elf(&g, elf, entry))
		return -1;
	memset(fdt, 0, sizeof(fdt));
	if (vmm_build_fdt(&g, fdt, sizeof(fdt))) {
		fprintf(stderr, "pvm-run: cannot build the device tree\n");
		return -1;
	}
	if (g.dtb_out && write_dtb(g.dtb_out, fdt, sizeof(fdt)))
		return -1;
	/*
	 * The device tree is the guest's to read before it can check anything,
	 * so a protected VM's is measured, one page per call (docs/attestation.md
	 * §1.3, step 4), and after sealing a plain donation would arrive zeroed.
	 * It holds no per-run value: the challenge comes through the mailbox.
	 */
	for (off = 0; off < sizeof(fdt); off += PVM_PAGE_SIZE)
		if (vmm_back_page(&g, *fdt_ipa + off, fdt + off, PVM_PAGE_SIZE, PVM_MEASURE_DATA))
			return -1;
	if ((kernel_path || vmm_port_back_up_front()) && back_all(&g))
		return -1;
	ret = pvm_vcpu_boot(g.hyp, g.vm, 0, pvm_ipa(*entry), *fdt_ipa);
	/*
	 * In-kernel PSCI: the core cannot see CPU_ON, so it holds every vCPU on
	 * from the start; the entry given here is replaced by the guest's own
	 * when KVM powers the vCPU on (and is not checked: see docs/ports/kvm.md).
	 */
	for (i = 1; !ret && vmm_port_psci_in_kernel() && i < g.nvcpus; i++)
		ret = pvm_vcpu_boot(g.hyp, g.vm, i, pvm_ipa(*entry), 0);
	if (ret) {
		fprintf(stderr, "pvm-run: cannot boot at 0x%llx: %s\n", (unsigned long long)*entry,
			pvm_strerror(ret));
		return -1;
	}
	return 0;
}

static int teardown(void)
{
	struct pvm_mem_report rep = {0};
	uint64_t left = 1;
	pvm_status_t ret;
	size_t need = 0;

	ret = pvm_vm_teardown_start(g.hyp, g.vm);
	while (!ret && left) {
		struct pvm_vm_info info;

		pvm_vm_info(g.hyp, g.vm, &info);
		ret = pvm_vm_reclaim(g.hyp, g.vm, 4096, &left, &need);
		if (ret == PVM_E_NOMEM && !vmm_topup(&g, need))
			ret = PVM_OK;
		else if (!ret)
			g.st.reclaimed += info.pages - left;
	}
	if (!ret)
		ret = pvm_vm_teardown_finish(g.hyp, g.vm);
	vmm_port_vm_detach(g.vm, g.nvcpus);
	if (ret) {
		fprintf(stderr, "pvm-run: teardown: %s\n", pvm_strerror(ret));
		return -1;
	}
	if (pvm_mem_check(g.hyp, &rep)) {
		fprintf(stderr, "pvm-run: invariant broken after teardown: %s\n", rep.what);
		return -1;
	}
	return 0;
}

static void summary(void)
{
	unsigned k;

	fprintf(stderr, "pvm-run: exits");
	for (k = 1; k < NKINDS; k++)
		fprintf(stderr, " %s=%llu", exit_names[k], (unsigned long long)g.st.exits[k]);
	fprintf(stderr,
		"\npvm-run: pages donated=%llu shared=%llu unshared=%llu relinquished=%llu "
		"reclaimed=%llu pool=%llu\n",
		(unsigned long long)g.st.donated, (unsigned long long)g.st.shared,
		(unsigned long long)g.st.unshared, (unsigned long long)g.st.relinquished,
		(unsigned long long)g.st.reclaimed, (unsigned long long)g.st.pool_topups);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pvm-run [--port sim|kvm] [--trace] [--non-protected] [--vcpus N] "
		"[--attest]\n"
		"               [--challenge HEX] [--uds HEX] [--evidence-out FILE]\n"
		"               [--root-out FILE] [--dtb-out FILE] guest.elf\n"
		"       pvm-run [options] [--mem MiB] --kernel Image [--initrd FILE]\n"
		"               [--cmdline ARGS]\n"
		"  --attest        verify the evidence the guest hands over (the guest\n"
		"                  reads a random challenge, or --challenge's, from the\n"
		"                  mailbox)\n"
		"  --dtb-out FILE  write the device tree as loaded (64 KiB: a verifier\n"
		"                  recomputes the RIM from it and the ELF)\n"
		"  --uds HEX       the simulated unique device secret (32 bytes; default 0)\n"
		"  --kernel Image  boot an arm64 Linux Image instead of an ELF guest; all\n"
		"                  of guest RAM is given to it up front\n"
		"  --initrd FILE   its initramfs; --cmdline its command line\n"
		"  --mem MiB       guest RAM (default 16, 2 MiB steps, up to 2048)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"trace", no_argument, NULL, 't'},
					     {"non-protected", no_argument, NULL, 'n'},
					     {"vcpus", required_argument, NULL, 'c'},
					     {"attest", no_argument, NULL, 'a'},
					     {"challenge", required_argument, NULL, 'C'},
					     {"uds", required_argument, NULL, 'u'},
					     {"evidence-out", required_argument, NULL, 'e'},
					     {"root-out", required_argument, NULL, 'r'},
					     {"dtb-out", required_argument, NULL, 'D'},
					     {"port", required_argument, NULL, 'p'},
					     {"kernel", required_argument, NULL, 'K'},
					     {"initrd", required_argument, NULL, 'I'},
					     {"cmdline", required_argument, NULL, 'L'},
					     {"mem", required_argument, NULL, 'm'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int n;
	uint64_t entry = 0, fdt_ipa = 0, mib;
	char *end;
	pthread_condattr_t ca;
	unsigned i;
	int o;

	pthread_mutex_init(&g.lock, NULL);
	pthread_mutex_init(&g.gic_lock, NULL);
	/* WFI deadlines are CLOCK_MONOTONIC times (vmm_port_deadline_ns()). */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g.wake_cond, &ca);
	g.protected_vm = true;
	g.nvcpus = 2;
	g.ram_ipa = PVM_LAYOUT_RAM_BASE;
	g.ram_size = PVM_LAYOUT_RAM_SIZE;
	while ((o = getopt_long(argc, argv, "tnc:h", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			g.trace = true;
			break;
		case 'n':
			g.protected_vm = false;
			break;
		case 'a':
			g.attest = true;
			break;
		case 'C':
			n = vmm_parse_hex(optarg, g.challenge, sizeof(g.challenge));
			if (n < 1) {
				fprintf(stderr,
					"pvm-run: --challenge takes 1 to 64 bytes in hex\n");
				return 2;
			}
			g.challenge_len = (unsigned)n;
			break;
		case 'u':
			if (vmm_parse_hex(optarg, g.uds, sizeof(g.uds)) != (int)sizeof(g.uds)) {
				fprintf(stderr, "pvm-run: --uds takes 32 bytes in hex\n");
				return 2;
			}
			break;
		case 'e':
			g.evidence_out = optarg;
			break;
		case 'r':
			g.root_out = optarg;
			break;
		case 'D':
			g.dtb_out = optarg;
			break;
		case 'p':
			/* One binary per port (pvm-run: sim; pvm-run-kvm: kvm), same sources. */
			if (strcmp(optarg, vmm_port_name)) {
				fprintf(stderr,
					"pvm-run: this build runs on the %s port, not %s%s\n",
					vmm_port_name, optarg,
					strcmp(optarg, "kvm") ? "" : " (use pvm-run-kvm)");
				return 2;
			}
			break;
		case 'K':
			kernel_path = optarg;
			break;
		case 'I':
			initrd_path = optarg;
			break;
		case 'L':
			g.cmdline = optarg;
			break;
		case 'm':
			mib = strtoull(optarg, &end, 0);
			if (*end || mib < MEM_MIN_MiB || mib > MEM_MAX_MiB || mib % 2) {
				fprintf(stderr,
					"pvm-run: --mem takes an even number of MiB, %u to %u\n",
					MEM_MIN_MiB, MEM_MAX_MiB);
				return 2;
			}
			g.ram_size = mib * MiB;
			break;
		case 'c':
			g.nvcpus = (unsigned)strtoul(optarg, NULL, 0);
			if (g.nvcpus < 1 || g.nvcpus > PVM_VCPU_MAX) {
				fprintf(stderr, "pvm-run: --vcpus takes 1 to %u\n", PVM_VCPU_MAX);
				return 2;
			}
			break;
		default:
			usage();
			return o == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - (kernel_path ? 0 : 1) ||
	    (!kernel_path && (initrd_path || g.cmdline))) {
		usage();
		return 2;
	}
	if (g.attest && !g.challenge_len) {
		FILE *r = fopen("/dev/urandom", "rb");

		g.challenge_len = 32;
		if (!r || fread(g.challenge, 1, g.challenge_len, r) != g.challenge_len) {
			fprintf(stderr, "pvm-run: no random challenge\n");
			return 1;
		}
		fclose(r);
	}
	g.uart_one_stream = kernel_path != NULL;
	g.ipa_to_pa = calloc(g.ram_size / PVM_PAGE_SIZE, sizeof(uint64_t));
	if (!g.ipa_to_pa || setup(kernel_path ? NULL : argv[optind], &entry, &fdt_ipa))
		return 1;
	if (g.trace)
		fprintf(stderr, "pvm-run: %s VM, %u vCPUs, entry 0x%llx, device tree at 0x%llx\n",
			g.protected_vm ? "protected" : "non-protected", g.nvcpus,
			(unsigned long long)entry, (unsigned long long)fdt_ipa);
	g.result = 3; /* until the guest turns the system off */
	start_vcpu(0);
	for (i = 1; vmm_port_psci_in_kernel() && i < g.nvcpus; i++)
		start_vcpu(i);
	pthread_mutex_lock(&g.lock);
	while (active)
		pthread_cond_wait(&all_done, &g.lock);
	pthread_mutex_unlock(&g.lock);
	if (g.result == 3)
		fprintf(stderr, "pvm-run: every vCPU stopped without SYSTEM_OFF\n");
	if (g.attest && !g.evidence_ok) {
		fprintf(stderr, "pvm-run: --attest: no verified evidence from the guest\n");
		g.result = 1;
	}
	if (teardown())
		g.result = 1;
	summary();
	vmm_port_fini();
	free(g.ipa_to_pa);
	return g.result;
}
