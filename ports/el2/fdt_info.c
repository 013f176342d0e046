/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the hypervisor needs from the boot loader's device tree, read with
 * libfdt: the memory bank it runs in, the PL011 console (/chosen
 * stdout-path, else the first "arm,pl011"), the GICv3 and the boot
 * arguments. Addresses are taken as they appear in the nodes' "reg": the
 * nodes used sit directly under the root on QEMU's virt machine (no
 * "ranges" translation is applied).
 */
#include <libfdt.h>

#include <string.h>

#include "el2.h"

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 32) | fdt32_ld(p++);
	return v;
}

/*
 * #address-cells or #size-cells of a bus node. Not libfdt's
 * fdt_address_cells(): its object file also holds fdt_appendprop_addrrange(),
 * which drags in the read-write code, which Debian's build vectorises (FP/SIMD
 * registers: forbidden at EL2, check-no-fp.sh).
 */
static int ncells(const void *fdt, int node, const char *name, int dflt)
{
	const fdt32_t *c;
	int len;

	c = fdt_getprop(fdt, node, name, &len);
	if (!c)
		return dflt;
	return len == 4 ? (int)fdt32_ld(c) : -1;
}

/* Entry @i of node @off's "reg": 0 or -1. */
static int reg(const void *fdt, int off, int i, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, off), ac, sc, len;
	const fdt32_t *r;

	if (parent < 0)
		return -1;
	ac = ncells(fdt, parent, "#address-cells", 2);
	sc = ncells(fdt, parent, "#size-cells", 1);
	r = fdt_getprop(fdt, off, "reg", &len);
	if (!r || ac < 1 || ac > 2 || sc < 0 || sc > 2 || len < (i + 1) * (ac + sc) * 4)
		return -1;
	r += i * (ac + sc);
	*base = cells(r, ac);
	*size = cells(r + ac, sc);
	return 0;
}

static int find_memory(const void *fdt, struct el2_platform *p)
{
	uint64_t me = (uint64_t)(uintptr_t)__image_start, base, size;
	int off = -1, i;

	while ((off = fdt_node_offset_by_prop_value(fdt, off, "device_type", "memory",
						    sizeof("memory"))) >= 0) {
		for (i = 0; !reg(fdt, off, i, &base, &size); i++) {
			if (me >= base && me - base < size) {
				p->ram_base = base;
				p->ram_size = size;
				return 0;
			}
		}
	}
	p->error = "no memory node holds the image";
	return -1;
}

static int find_uart(const void *fdt, struct el2_platform *p)
{
	const char *path = NULL;
	uint64_t size;
	int off = -1, len, n;

	off = fdt_path_offset(fdt, "/chosen");
	if (off >= 0)
		path = fdt_getprop(fdt, off, "stdout-path", &len);
	off = -1;
	if (path) {
		/* "path[:options]"; a path without '/' is an alias, which libfdt resolves. */
		for (n = 0; path[n] && path[n] != ':'; n++)
			;
		off = fdt_path_offset_namelen(fdt, path, n);
		if (off >= 0 && fdt_node_check_compatible(fdt, off, "arm,pl011"))
			off = -1;
	}
	if (off < 0)
		off = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	if (off < 0 || reg(fdt, off, 0, &p->uart, &size)) {
		p->error = "no PL011 UART";
		return -1;
	}
	return 0;
}

/*
 * The CPUs (/cpus/cpu@N, device_type "cpu": "reg" is the MPIDR affinity),
 * started through PSCI with the SMC conduit: the hypervisor at EL2 calls
 * the firmware itself (QEMU's virt machine without EL3 firmware emulates
 * PSCI for SMC when it gives EL2 to the image), so /psci must say "smc".
 */
static int find_cpus(const void *fdt, struct el2_platform *p)
{
	const char *method;
	int cpus = fdt_path_offset(fdt, "/cpus"), off, len;
	uint64_t mpidr, size;

	off = fdt_path_offset(fdt, "/psci");
	method = off >= 0 ? fdt_getprop(fdt, off, "method", &len) : NULL;
	if (!method || len != sizeof("smc") || memcmp(method, "smc", sizeof("smc"))) {
		p->error = "no PSCI with the SMC conduit (/psci method)";
		return -1;
	}
	fdt_for_each_subnode(off, fdt, cpus)
	{
		const char *type = fdt_getprop(fdt, off, "device_type", &len);

		if (!type || len != sizeof("cpu") || memcmp(type, "cpu", sizeof("cpu")))
			continue;
		/* "reg" has #address-cells of /cpus and no size: read it as a 0-cell size. */
		if (ncells(fdt, cpus, "#size-cells", 0) != 0 || reg(fdt, off, 0, &mpidr, &size)) {
			p->error = "a /cpus/cpu node without a valid reg";
			return -1;
		}
		if (p->ncpus < EL2_CPUS_MAX)
			p->mpidr[p->ncpus++] = mpidr;
	}
	if (!p->ncpus) {
		p->error = "no CPU in /cpus";
		return -1;
	}
	return 0;
}

int el2_fdt_parse(const void *fdt, struct el2_platform *p)
{
	int off, len;

	p->error = NULL;
	p->bootargs = "";
	if (fdt_check_header(fdt)) {
		p->error = "bad device tree header";
		return -1;
	}
	if (el2_fdt_check(fdt)) {
		p->error = "malformed device tree (structure block)";
		return -1;
	}
	/* The UART first: the caller reports the other errors on it. */
	if (find_uart(fdt, p) || find_memory(fdt, p))
		return -1;
	off = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	if (off < 0 || reg(fdt, off, 0, &p->gicd, &p->gicd_size) ||
	    reg(fdt, off, 1, &p->gicr, &p->gicr_size)) {
		p->error = "no GICv3 (QEMU: -M virt,gic-version=3)";
		return -1;
	}
	if (find_cpus(fdt, p))
		return -1;
	off = fdt_path_offset(fdt, "/chosen");
	if (off >= 0) {
		const char *args = fdt_getprop(fdt, off, "bootargs", &len);

		if (args && len > 0 && args[len - 1] == '\0')
			p->bootargs = args;
	}
	return 0;
}
