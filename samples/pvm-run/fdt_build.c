/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest's device tree, written with libfdt's sequential-write API:
 * memory, the CPUs with PSCI as enable method, the PSCI node (HVC
 * conduit), the PL011 UART, a reserved-memory pool for buffers the guest
 * shares with the host, and /chosen.
 */
#include <libfdt.h>
#include <stdio.h>

#include "pvm_layout.h"
#include "vmm.h"

/* The last MiB of guest RAM: where a guest's shared (bounce) buffers go. */
#define SHARED_POOL_SIZE 0x100000ull

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
		err |= fdt_property_u32(fdt, "reg", i);
		err |= fdt_property_string(fdt, "enable-method", "psci");
		err |= fdt_end_node(fdt);
	}
	err |= fdt_end_node(fdt);
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

	snprintf(name, sizeof(name), "pl011@%x", PVM_LAYOUT_UART_BASE);
	err |= fdt_begin_node(buf, name);
	err |= fdt_property(buf, "compatible", pl011, sizeof(pl011));
	err |= reg2(buf, PVM_LAYOUT_UART_BASE, PVM_LAYOUT_UART_SIZE);
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
	/* The relying party's challenge for the attest guest (the tree is not measured). */
	if (v->challenge_len)
		err |= fdt_property(buf, PVM_LAYOUT_CHOSEN_CHALLENGE, v->challenge,
				    (int)v->challenge_len);
	err |= fdt_end_node(buf);

	err |= fdt_end_node(buf);
	err |= fdt_finish(buf);
	return err ? -1 : 0;
}
