/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest's device tree, written with libfdt's sequential-write API:
 * memory, the CPUs with PSCI as enable method, the PSCI node (HVC
 * conduit), the PL011 UART, a reserved-memory pool for buffers the guest
 * shares with the host, and /chosen. When the port gives the VM an
 * interrupt controller (KVM's vGICv3) the tree also has the GICv3, the
 * arch timer's PPIs, the UART's interrupt and clock (what Linux's
 * amba-pl011 driver needs), with the GIC as the root's interrupt-parent;
 * the simulator's tree has none of these. A Linux guest gets its command
 * line and initramfs in /chosen. Nothing in the tree changes from run to
 * run: a protected VM's tree is measured (docs/attestation.md §1.3), and the
 * relying party's challenge comes through the mailbox instead.
 */
#include <libfdt.h>
#include <stdio.h>

#include "pvm_layout.h"
#include "vmm.h"

/* The last MiB of guest RAM: where a guest's shared (bounce) buffers go. */
#define SHARED_POOL_SIZE 0x100000ull

#define PHANDLE_GIC 1u
#define PHANDLE_CLK 2u
/* Interrupt specifiers of arm,gic-v3: type, number, flags. */
#define GIC_SPI		    0u
#define GIC_PPI		    1u
#define IRQ_TYPE_LEVEL_HIGH 4u
/* The arch timer's PPIs (INTID - 16): secure and non-secure physical, virtual, hypervisor. */
#define PPI_SEC_PHYS	13u
#define PPI_NONSEC_PHYS 14u
#define PPI_VIRT	11u
#define PPI_HYP		10u
/* The UART's SPI (INTID 33), as on QEMU's virt machine. Never raised: no receive path. */
#define UART_SPI 1u
#define UART_CLK 24000000u

static int reg2(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t r[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};

	return fdt_property(fdt, "reg", r, sizeof(r));
}

static int cpus(void *fdt, unsigned n)
{
	char name[32];
	unsigned i;
	int err = 0;

	err |= fdt_begin_node(fdt, "cpus");
	err |= fdt_property_u32(fdt, "#address-cells", 1);
	err |= fdt_property_u32(fdt, "#size-cells", 0);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		err |= fdt_begin_node(fdt, name);
		err |= fdt_property_string(fdt, "device_type", "cpu");
		err |= fdt_property_string(fdt, "compatible", "arm,armv8");
		/*
		 * The MPIDR, CPU_ON's target: the vCPU index in libpvm's PSCI;
		 * KVM's is Aff0 = id % 16, Aff1 = id / 16, the same for the
		 * PVM_VCPU_MAX (8) vCPUs pvm-run can have.
		 */
		err |= fdt_property_u32(fdt, "reg", i);
		err |= fdt_property_string(fdt, "enable-method", "psci");
		err |= fdt_end_node(fdt);
	}
	err |= fdt_end_node(fdt);
	return err;
}

static int prop_u32s(void *fdt, const char *name, const uint32_t *val, unsigned n)
{
	fdt32_t c[12];
	unsigned i;

	for (i = 0; i < n && i < 12; i++)
		c[i] = cpu_to_fdt32(val[i]);
	return fdt_property(fdt, name, c, (int)(i * sizeof(c[0])));
}

static int gic(void *fdt, const struct vmm_gic *g)
{
	fdt64_t r[4] = {cpu_to_fdt64(g->dist_base), cpu_to_fdt64(g->dist_size),
			cpu_to_fdt64(g->redist_base), cpu_to_fdt64(g->redist_size)};
	static const uint32_t timer[] = {GIC_PPI, PPI_SEC_PHYS,	   IRQ_TYPE_LEVEL_HIGH,
					 GIC_PPI, PPI_NONSEC_PHYS, IRQ_TYPE_LEVEL_HIGH,
					 GIC_PPI, PPI_VIRT,	   IRQ_TYPE_LEVEL_HIGH,
					 GIC_PPI, PPI_HYP,	   IRQ_TYPE_LEVEL_HIGH};
	char name[48];
	int err = 0;

	snprintf(name, sizeof(name), "intc@%llx", (unsigned long long)g->dist_base);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property_string(fdt, "compatible", "arm,gic-v3");
	err |= fdt_property_u32(fdt, "#interrupt-cells", 3);
	err |= fdt_property(fdt, "interrupt-controller", NULL, 0);
	err |= fdt_property(fdt, "reg", r, sizeof(r));
	err |= fdt_property_u32(fdt, "phandle", PHANDLE_GIC);
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "timer");
	err |= fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	err |= prop_u32s(fdt, "interrupts", timer, sizeof(timer) / sizeof(timer[0]));
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "apb-pclk");
	err |= fdt_property_string(fdt, "compatible", "fixed-clock");
	err |= fdt_property_u32(fdt, "#clock-cells", 0);
	err |= fdt_property_u32(fdt, "clock-frequency", UART_CLK);
	err |= fdt_property_u32(fdt, "phandle", PHANDLE_CLK);
	err |= fdt_end_node(fdt);
	return err;
}

/* What the amba-pl011 driver needs beyond reg: its interrupt and clocks. */
static int uart_irq_clk(void *fdt)
{
	static const uint32_t irq[] = {GIC_SPI, UART_SPI, IRQ_TYPE_LEVEL_HIGH};
	static const uint32_t clk[] = {PHANDLE_CLK, PHANDLE_CLK};
	int err = 0;

	err |= prop_u32s(fdt, "interrupts", irq, 3);
	err |= prop_u32s(fdt, "clocks", clk, 2);
	err |= fdt_property(fdt, "clock-names", "uartclk\0apb_pclk", sizeof("uartclk\0apb_pclk"));
	return err;
}

int vmm_build_fdt(const struct vmm *v, void *buf, size_t size)
{
	static const char pl011[] = "arm,pl011\0arm,primecell";
	char name[64];
	int err = 0;

	err |= fdt_create(buf, (int)size);
	err |= fdt_finish_reservemap(buf);
	err |= fdt_begin_node(buf, "");
	err |= fdt_property_string(buf, "compatible", "libpvm,sample-guest");
	err |= fdt_property_u32(buf, "#address-cells", 2);
	err |= fdt_property_u32(buf, "#size-cells", 2);
	if (v->has_gic)
		err |= fdt_property_u32(buf, "interrupt-parent", PHANDLE_GIC);

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)v->ram_ipa);
	err |= fdt_begin_node(buf, name);
	err |= fdt_property_string(buf, "device_type", "memory");
	err |= reg2(buf, v->ram_ipa, v->ram_size);
	err |= fdt_end_node(buf);

	err |= cpus(buf, v->nvcpus);

	err |= fdt_begin_node(buf, "psci");
	err |= fdt_property(buf, "compatible", "arm,psci-1.0\0arm,psci-0.2",
			    sizeof("arm,psci-1.0\0arm,psci-0.2"));
	err |= fdt_property_string(buf, "method", "hvc");
	err |= fdt_end_node(buf);

	if (v->has_gic)
		err |= gic(buf, &v->gic);

	snprintf(name, sizeof(name), "pl011@%x", PVM_LAYOUT_UART_BASE);
	err |= fdt_begin_node(buf, name);
	err |= fdt_property(buf, "compatible", pl011, sizeof(pl011));
	err |= reg2(buf, PVM_LAYOUT_UART_BASE, PVM_LAYOUT_UART_SIZE);
	if (v->has_gic)
		err |= uart_irq_clk(buf);
	err |= fdt_end_node(buf);

	err |= fdt_begin_node(buf, "reserved-memory");
	err |= fdt_property_u32(buf, "#address-cells", 2);
	err |= fdt_property_u32(buf, "#size-cells", 2);
	err |= fdt_property(buf, "ranges", NULL, 0);
	snprintf(name, sizeof(name), "restricted_dma@%llx",
		 (unsigned long long)(v->ram_ipa + v->ram_size - SHARED_POOL_SIZE));
	err |= fdt_begin_node(buf, name);
	err |= fdt_property_string(buf, "compatible", "restricted-dma-pool");
	err |= reg2(buf, v->ram_ipa + v->ram_size - SHARED_POOL_SIZE, SHARED_POOL_SIZE);
	err |= fdt_end_node(buf);
	err |= fdt_end_node(buf);

	err |= fdt_begin_node(buf, "chosen");
	snprintf(name, sizeof(name), "/pl011@%x", PVM_LAYOUT_UART_BASE);
	err |= fdt_property_string(buf, "stdout-path", name);
	if (v->cmdline)
		err |= fdt_property_string(buf, "bootargs", v->cmdline);
	if (v->initrd_end > v->initrd_start) {
		err |= fdt_property_u64(buf, "linux,initrd-start", v->initrd_start);
		err |= fdt_property_u64(buf, "linux,initrd-end", v->initrd_end);
	}
	err |= fdt_end_node(buf);

	err |= fdt_end_node(buf);
	err |= fdt_finish(buf);
	return err ? -1 : 0;
}
