/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pvm-run: a small VMM on libpvm's simulator port. Shared declarations of
 * its parts: the machine and memory (vmm.c), the guest loader (elf_load.c),
 * the device tree (fdt_build.c), the emulated devices (devices.c).
 */
#ifndef PVM_RUN_VMM_H
#define PVM_RUN_VMM_H

#include <libpvm/attest.h>
#include <libpvm/pvm.h>

#include "gic_model.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vmm_stats {
	uint64_t exits[16];    /* by enum pvm_exit_kind */
	uint64_t donated;      /* pages donated to the guest (load + faults) */
	uint64_t shared;       /* MEM_SHARE by the guest */
	uint64_t unshared;     /* MEM_UNSHARE by the guest */
	uint64_t relinquished; /* MEM_RELINQUISH by the guest */
	uint64_t reclaimed;    /* pages reclaimed at teardown */
	uint64_t pool_topups;  /* pages given to the hypervisor's pool */
};

/* The guest's interrupt controller, when the port has one (KVM's vGICv3). */
struct vmm_gic {
	uint64_t dist_base, dist_size;
	uint64_t redist_base, redist_size; /* all vCPUs' redistributors */
};

struct vmm {
	struct pvm_hyp *hyp;
	unsigned vm;
	unsigned nvcpus;
	bool protected_vm;
	bool trace;
	uint64_t ram_ipa, ram_size; /* guest RAM */
	uint64_t *ipa_to_pa;	    /* per guest RAM page: backing PA, 0 if none */
	uint64_t next_host_page;    /* bump allocator over host RAM */
	uint64_t host_end;
	pthread_mutex_t lock; /* stats, allocator, output, ipa_to_pa */
	volatile int stop;    /* the guest turned the system off */
	int result;	      /* exit status of pvm-run */
	uint32_t mailbox_status;
	uint64_t blob_ipa; /* mailbox: where the next blob is */
	struct vmm_stats st;
	/* Attestation (attest.c). */
	bool attest;		  /* --attest: verify the evidence a guest hands over */
	uint8_t challenge[64];	  /* for the guest: the mailbox's CHALLENGE register */
	unsigned challenge_len;	  /* 0: no challenge to give */
	const char *dtb_out;	  /* --dtb-out: write the device tree's pages there */
	uint8_t uds[32];	  /* --uds: the simulated device secret */
	const char *evidence_out; /* --evidence-out: write the evidence there */
	const char *root_out;	  /* --root-out: write the root public key there */
	bool evidence_ok;	  /* a guest's evidence verified */
	/* The platform (fdt_build.c). */
	bool has_gic; /* gic is valid: GIC, timer and UART interrupt in the tree */
	struct vmm_gic gic;
	/* Without one (the simulator): pvm-run's distributor (devices.c, under gic_lock). */
	struct gic_model gic_model;
	pthread_mutex_t gic_lock;
	/* A vCPU waiting after a WFI exit runs again when woken (under lock). */
	pthread_cond_t wake_cond;
	bool wake[PVM_VCPU_MAX];
	/* A Linux guest (linux_load.c): --kernel, --initrd, --cmdline. */
	const char *cmdline;		   /* /chosen/bootargs, or NULL */
	bool uart_one_stream;		   /* one console line buffer for all vCPUs */
	uint64_t initrd_start, initrd_end; /* IPAs; equal: no initrd */
};

/*
 * The port pvm-run runs on (port_sim.c or port_kvm.c; one per binary):
 * the machine, guest CPUs, and the host's own view of memory.
 */
extern const char vmm_port_name[];
int vmm_port_init(uint64_t ram_base, uint64_t ram_size);
void vmm_port_fini(void);
/* The host's pointer to physical memory (to fill a page before donating it). */
void *vmm_port_ram(uint64_t pa, size_t len);
/* Give VM @vm (just created in @hyp) what the port runs it on; says what on stderr. */
pvm_status_t vmm_port_vm_attach(struct pvm_hyp *hyp, unsigned vm);
pvm_status_t vmm_port_vcpu_attach(unsigned vm, unsigned index);
/*
 * True if the attached VM's PSCI calls never reach libpvm (KVM without the
 * SMCCC filter, or a pKVM-protected VM): CPU_ON is no exit, so every vCPU
 * is booted and given its thread up front, and the port holds a secondary
 * back until the guest starts it.
 */
bool vmm_port_psci_in_kernel(void);
/*
 * True if the attached VM's accesses to guest RAM not backed yet may never
 * come out as memory faults (a pKVM-protected VM): all of its RAM is then
 * donated before it runs.
 */
bool vmm_port_back_up_front(void);
void vmm_port_vcpu_kick(unsigned vm, unsigned index);
void vmm_port_vm_detach(unsigned vm, unsigned nvcpus);
/*
 * Give VM @vm the port's interrupt controller for @nvcpus vCPUs, before it
 * runs: 0 with @gic filled, 1 if the port has none (the simulator), -1 on
 * error.
 */
int vmm_port_vm_gic(unsigned vm, unsigned nvcpus, struct vmm_gic *gic);
/* Read physical memory as the host may (its stage-2): false if it may not. */
bool vmm_port_host_read(struct vmm *v, uint64_t pa, void *out, size_t len);
/* Write it as the host may (at most a page at a time): false if it may not. */
bool vmm_port_host_write(struct vmm *v, uint64_t pa, const void *data, size_t len);
/*
 * When the guest's virtual count reaches @count (a WFI exit's deadline):
 * true with CLOCK_MONOTONIC nanoseconds in *ns; false if the port cannot
 * say (the vCPU then runs again at once).
 */
bool vmm_port_deadline_ns(uint64_t count, uint64_t *ns);

/* A vCPU may have an interrupt to take: end its wait after a WFI exit, kick it. */
void vmm_wake(struct vmm *v, unsigned cpu, bool kick);

/* Host memory: a fresh host page (or aligned run), 0 when exhausted. */
uint64_t vmm_host_pages(struct vmm *v, uint64_t n, uint64_t align);

/*
 * Back guest RAM page @ipa with a fresh host page holding @data (may be
 * NULL). @measure: PVM_MEASURE_CODE or _DATA to load it measured (a protected
 * VM's image and device tree), 0 for memory given on demand.
 */
int vmm_back_page(struct vmm *v, uint64_t ipa, const void *data, size_t len, unsigned measure);
/*
 * The same for @npages pages from @ipa, backed by one contiguous run of
 * host pages (2 MiB aligned when the IPA is) given in one call: one
 * measurement, block mappings, one memslot on KVM. @data fills the start.
 */
int vmm_back_range(struct vmm *v, uint64_t ipa, uint64_t npages, const void *data, size_t len,
		   unsigned measure);

/* Give the hypervisor's pool at least @pages more pages. */
int vmm_topup(struct vmm *v, uint64_t pages);

/* Load an ELF64 aarch64 image into guest RAM; its entry in @entry. */
int vmm_load_elf(struct vmm *v, const char *path, uint64_t *entry);

/*
 * Load an arm64 Linux Image (and an initrd, may be NULL) into guest RAM
 * below @fdt_ipa, as the arm64 boot protocol wants; its entry in @entry
 * and the initrd's place in v->initrd_start/end.
 */
int vmm_load_linux(struct vmm *v, const char *kernel, const char *initrd, uint64_t fdt_ipa,
		   uint64_t *entry);

/* Build the guest's device tree into @buf (@size bytes). */
int vmm_build_fdt(const struct vmm *v, void *buf, size_t size);

/* Emulate an MMIO access (UART, mailbox, GIC): false if no device is there. */
bool vmm_mmio(struct vmm *v, unsigned cpu, struct pvm_exit *e);

/* Boot the hypervisor's attestation layer from the simulated device secret. */
int vmm_attest_init(struct vmm *v);

/* A guest handed over evidence (the mailbox): save it, verify it with --attest. */
void vmm_evidence(struct vmm *v, const uint8_t *ev, size_t len);

/* Parse hex into @out (at most @max bytes): the byte count, or -1. */
int vmm_parse_hex(const char *hex, uint8_t *out, size_t max);

/* Print (serialised) a line to stdout or stderr. */
void vmm_printf(struct vmm *v, bool err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
