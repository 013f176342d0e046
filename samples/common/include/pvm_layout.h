/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file pvm_layout.h
 * @brief The fixed guest-physical layout of the sample guests, shared by the
 *        guests and by the VMMs that run them (`pvm-run`, the EL2 port's
 *        host program).
 *
 * Plain integer `#define`s and nothing else: this header is included by
 * guest C code, by the guest linker script and by the VMMs, so it must
 * not use casts, integer suffixes or guest-only declarations. Addresses are
 * IPAs; the guests run with their MMU off, so for them VA = IPA.
 *
 * Guest RAM is one contiguous range. The guest image is linked at its base:
 * `_start`, the entry point of vCPU 0, is the first byte of RAM. On entry x0
 * holds the IPA of a flattened device tree (which the guests may ignore).
 *
 * Devices, emulated by the VMM and reached by MMIO exits:
 *  - a PL011 UART, of which only the data register is written (one byte per
 *    32-bit store) and the flag register may be read (it always reads
 *    ::PVM_LAYOUT_UART_FR_IDLE); no interrupts;
 *  - libpvm's sample "mailbox", which lets a test observe what the *host*
 *    can read of guest memory: a 64-bit store of an IPA to
 *    ::PVM_LAYOUT_MAILBOX_ADDR makes the VMM read, through the host's view
 *    of memory, the NUL-terminated string at that IPA and print it as
 *    `mailbox: <string>`, or `mailbox: host read faulted` if the host may
 *    not read it; a 32-bit load of ::PVM_LAYOUT_MAILBOX_STATUS then returns
 *    1 if that read succeeded, 0 if it faulted; a blob (an IPA, then a
 *    length) is read the same way and handed to the VMM whole; a 32-bit
 *    load of ::PVM_LAYOUT_MAILBOX_CHALLENGE makes the VMM write the relying
 *    party's challenge at the blob's IPA (the other direction, the same
 *    view); a 32-bit store of an SPI's INTID to
 *    ::PVM_LAYOUT_MAILBOX_DOORBELL rings the doorbell: an edge on that SPI
 *    at the guest's distributor;
 *  - for guests that take interrupts (the `irq` guest), a GICv3 at QEMU
 *    virt's addresses: the distributor and one redistributor per vCPU, as
 *    much of them as such a guest programs (enable, group, priority,
 *    trigger, routing, wake-up); its CPU interface is the system registers
 *    (ICC_*_EL1). On KVM all of it is the in-kernel vGIC; on the EL2 port
 *    and the simulator the VMM emulates the distributor and redistributors
 *    (samples/common/gic_model.c) and the CPU interface is the
 *    hypervisor's (list registers; the simulator's emulated one).
 */
#ifndef PVM_LAYOUT_H
#define PVM_LAYOUT_H

/** @name Guest RAM */
/**@{*/
#define PVM_LAYOUT_RAM_BASE 0x80000000	       /**< IPA of guest RAM, and of `_start`. */
#define PVM_LAYOUT_RAM_SIZE (16 * 1024 * 1024) /**< 16 MiB. */
/** Where in RAM the VMM puts the device tree (x0 at `_start`): 2 MiB below its end. */
#define PVM_LAYOUT_FDT_OFFSET (PVM_LAYOUT_RAM_SIZE - 2 * 1024 * 1024)
/**
 * The device tree's room there: the tree, then zeroes. A protected VM gets
 * all of it loaded measured, page by page (docs/attestation.md §1.3), so the
 * tree holds nothing that changes from run to run.
 */
#define PVM_LAYOUT_FDT_SIZE (64 * 1024)
/** RAM of a Linux guest of the EL2 port's host program (its device tree, linux.dtb). */
#define PVM_LAYOUT_LINUX_RAM_SIZE (128 * 1024 * 1024)
/** The Linux guest's command line there. */
#define PVM_LAYOUT_LINUX_CMDLINE "console=ttyAMA0 quiet panic=-1"
/**@}*/

/** @name PL011 UART (write only, no interrupts) */
/**@{*/
#define PVM_LAYOUT_UART_BASE	0x09000000
#define PVM_LAYOUT_UART_SIZE	0x1000	 /**< The MMIO range the VMM emulates. */
#define PVM_LAYOUT_UART_DR	0x000	 /**< UARTDR: 32-bit store, the byte in bits 7:0. */
#define PVM_LAYOUT_UART_FR	0x018	 /**< UARTFR: 32-bit load. */
#define PVM_LAYOUT_UART_FR_TXFF (1 << 5) /**< UARTFR.TXFF: transmit FIFO full. */
#define PVM_LAYOUT_UART_FR_RXFE (1 << 4) /**< UARTFR.RXFE: receive FIFO empty. */
#define PVM_LAYOUT_UART_FR_TXFE (1 << 7) /**< UARTFR.TXFE: transmit FIFO empty. */
/** What UARTFR reads: never busy or full, nothing received. */
#define PVM_LAYOUT_UART_FR_IDLE (PVM_LAYOUT_UART_FR_TXFE | PVM_LAYOUT_UART_FR_RXFE)
/**@}*/

/** @name Sample mailbox device */
/**@{*/
#define PVM_LAYOUT_MAILBOX_BASE 0x09010000
#define PVM_LAYOUT_MAILBOX_SIZE 0x1000 /**< The MMIO range the VMM emulates. */
/** 64-bit store: the IPA of a NUL-terminated string for the host to read and print. */
#define PVM_LAYOUT_MAILBOX_ADDR 0x0
/** 32-bit load: 1 if the last host read succeeded, 0 if it faulted. */
#define PVM_LAYOUT_MAILBOX_STATUS 0x8
/** The most bytes the host reads at the IPA, the terminating NUL included. */
#define PVM_LAYOUT_MAILBOX_STR_MAX 256
/** 64-bit store: the IPA of a binary blob (e.g. attestation evidence) for the host. */
#define PVM_LAYOUT_MAILBOX_BLOB_ADDR 0x10
/**
 * 64-bit store: the blob's length; makes the VMM read the blob through the
 * host's view and act on it (pvm-run: evidence, verified with --attest). The
 * status register then says whether the host could read it.
 */
#define PVM_LAYOUT_MAILBOX_BLOB_LEN 0x18
/** The largest blob the VMM takes. */
#define PVM_LAYOUT_MAILBOX_BLOB_MAX 16384
/**
 * 32-bit store: an SPI's INTID (32..127) rings the doorbell: the VMM gives
 * that SPI's line one edge at the guest's distributor, as a device wired to
 * it would. The distributor then does what a GICv3 does: an SPI the guest
 * configured edge-triggered (GICD_ICFGR) latches pending and is delivered,
 * once its group is enabled (GICD_CTLR.EnableGrp1, with ARE), it is in
 * Group 1 (GICD_IGROUPR) and enabled (GICD_ISENABLER), to the vCPU its
 * GICD_IROUTER names; until then it stays pending. A level-sensitive SPI
 * does not latch an edge. Any other value is refused (the store gets an
 * abort). On the simulator and the EL2 port the VMM emulates that
 * distributor (MMIO exits) and injects the SPI with pvm_vcpu_inject_irq() /
 * PVM_HC_VCPU_IRQ when it is delivered; on KVM pvm_vcpu_inject_irq() is the
 * edge on the in-kernel vGIC's line.
 */
#define PVM_LAYOUT_MAILBOX_DOORBELL 0x20
/**
 * The INTID the sample guests ring: SPI 16, INTID 48, which no device of
 * the VMM's device tree uses (the UART has SPI 1).
 *
 * Why an edge-triggered SPI and not a PPI: KVM's in-kernel GIC keeps every
 * PPI level-sensitive, so a PPI edge is never latched there
 * (pvm_vcpu_inject_irq() refuses PPIs on KVM); a level PPI would need the
 * VMM to hold the line until the guest acknowledges it, which it cannot
 * see without an exit on the guest's EOI (it has none). An SPI the guest
 * configures edge-triggered, as a real guest configures its devices'
 * interrupts, is latched by every port's distributor: the same guest and
 * the same VMM code on all three.
 */
#define PVM_LAYOUT_DOORBELL_SPI 48
/** The highest INTID the doorbell takes: libpvm injects INTIDs below 128. */
#define PVM_LAYOUT_DOORBELL_MAX 127
/**
 * 32-bit load: the relying party's challenge, at run time. The VMM writes
 * it (1 to ::PVM_LAYOUT_CHALLENGE_MAX bytes), through the host's view of
 * memory, at the IPA last stored to ::PVM_LAYOUT_MAILBOX_BLOB_ADDR, and the
 * load returns its length; 0 if the VMM has none, or if the host could not
 * write there (::PVM_LAYOUT_MAILBOX_STATUS then reads 0, else 1). So a
 * protected guest first shares the page (MEM_SHARE) it names: the host
 * never writes memory the guest did not share with it; a non-protected
 * guest's memory is the host's already (it has no MEM_SHARE to call). The
 * guest copies the challenge to private memory before using it.
 *
 * Why not in the device tree: a protected VM's tree is loaded measured
 * (docs/attestation.md §1.3), so a per-run value there would change the
 * VM's RIM, and so its attestation and sealing keys, with every challenge.
 */
#define PVM_LAYOUT_MAILBOX_CHALLENGE 0x28
/** The longest challenge (the token's, docs/attestation.md §5). */
#define PVM_LAYOUT_CHALLENGE_MAX 64
/**@}*/

/** @name GICv3 (QEMU virt's layout; guests that take interrupts) */
/**@{*/
#define PVM_LAYOUT_GICD_BASE   0x08000000 /**< Distributor. */
#define PVM_LAYOUT_GICD_SIZE   0x10000	  /**< Its 64 KiB frame. */
#define PVM_LAYOUT_GICR_BASE   0x080a0000 /**< vCPU 0's redistributor (RD_base). */
#define PVM_LAYOUT_GICR_STRIDE 0x20000	  /**< vCPU n's is n strides further. */
#define PVM_LAYOUT_GICR_SGI    0x10000	  /**< Its SGI/PPI frame (SGI_base), after RD_base. */
#define PVM_LAYOUT_TIMER_PPI   27	  /**< The virtual timer's interrupt (CNTV_*). */
/**@}*/

#endif /* PVM_LAYOUT_H */
