/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory accesses through a stage-2: what the host or a guest CPU would
 * read or write, translated page by page by the simulated MMU (and its TLB).
 */
#include <libpvm/sim.h>

#include <string.h>

pvm_status_t pvm_sim_s2_copy(uint64_t vtcr, uint64_t vttbr, uint64_t ipa, void *buf, size_t len,
			     bool write, struct pvm_sim_s2_result *fault)
{
	unsigned char *b = buf;

	while (len) {
		struct pvm_sim_s2_result r;
		size_t chunk = PVM_PAGE_SIZE - (ipa & (PVM_PAGE_SIZE - 1));
		pvm_status_t ret;
		void *host;

		if (chunk > len)
			chunk = len;
		ret = pvm_sim_s2_translate(vtcr, vttbr, ipa, write ? PVM_SIM_WRITE : PVM_SIM_READ,
					   &r);
		if (ret)
			return ret;
		if (r.fault) {
			if (fault)
				*fault = r;
			return PVM_E_PERM;
		}
		host = pvm_sim_ram(r.pa, chunk);
		if (!host)
			return PVM_E_INVAL;
		if (write)
			memcpy(host, b, chunk);
		else
			memcpy(b, host, chunk);
		b += chunk;
		ipa += chunk;
		len -= chunk;
	}
	return PVM_OK;
}
