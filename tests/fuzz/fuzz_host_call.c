/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the host-call ABI (pvm_host_call(), abi.h) with
 * arbitrary registers, on the simulated machine of machine.h.
 *
 * Every input starts from the machine as set up (a copy-on-write restore
 * of its RAM, snapshot.h: only the pages the previous input wrote are
 * copied back). An input is a sequence of calls; each register is decoded
 * from a selector byte (a managed page, a small number, a guest IPA, or
 * 8 raw bytes) so the fuzzer reaches deep states and every edge. A burst
 * creates VMs one after another until the VM table is full. After each call
 * pvm_mem_check() must hold and a refused call must have changed no byte
 * of the machine (machine.h). A broken oracle aborts, which libFuzzer
 * reports as a crash with the input.
 *
 * VCPU_RUN is left to fuzz_guest_call, whose vCPUs run guests.
 */
#include <libpvm/abi.h>
#include <libpvm/vm.h>

#include "machine.h"

#define MAX_CALLS 16
#define NCALLS	  (PVM_HC_END - PVM_HC_BASE)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_input in = {data, size};

	fz_restore();
	for (unsigned n = 0; n < MAX_CALLS && in.left; n++) {
		uint8_t f = fz_byte(&in);
		uint64_t x[8];

		if (f >= 0xe0 && f < 0xf0) {
			/* A burst of VM_CREATEs on consecutive pages, past the VM limit. */
			uint64_t pa = fz_reg(&in), flags = fz_byte(&in) & 1, step, root;

			/* Each VM's pages start aligned to its concatenated root's size. */
			root = pvm_vm_create_pages(FZ_IPA_BITS) - 1;
			step = 2 * root;
			pa &= ~(root * PVM_PAGE_SIZE - 1);
			for (unsigned i = 0; i < 4u * (f & 15) + 4; i++) {
				uint64_t y[8] = {PVM_HC_VM_CREATE,  flags,
						 FZ_IPA_BITS,	    pa + i * step * PVM_PAGE_SIZE,
						 root + 1,	    FZ_GUEST_RAM,
						 FZ_GUEST_RAM_SIZE, 0};

				fz_host_call(y);
				if (y[0])
					break;
			}
			continue;
		}
		x[0] = f < 0xf0 ? PVM_HC_BASE + f % NCALLS : fz_bytes(&in, 4);
		if (x[0] == PVM_HC_VCPU_RUN)
			continue;
		for (unsigned i = 1; i < 8; i++)
			x[i] = fz_reg(&in);
		fz_host_call(x);
	}
	fz_end();
	return 0;
}
