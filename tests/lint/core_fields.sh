#!/usr/bin/env bash
# No port or sample reads the fields of the core's memory object (struct
# pvm_mem: its lock, metadata, host stage-2, pool, VM table, device ranges,
# attestation state): they go through functions (pvm_mem_host_vtcr(),
# pvm_mem_host_mmio_map(), ...). A heuristic on the names those programs
# give it (any name ending in mem: el2_mem, g.mem, v->mem), every one today; the
# port hooks' own contract, struct pvm_vcpu_ctx, is not the core's object.
#   core_fields.sh SOURCE_DIR
set -uo pipefail
root=$1
fields='lock|base|npages|meta|host|pool|vms|mmio|nmmio|attest_storage'
hits=$(cd "$root" && grep -rnE "[A-Za-z0-9_]*mem(\.|->)($fields)\b" ports samples --include='*.c' --include='*.h')
if [ -n "$hits" ]; then
	echo "FAIL: a port or sample reads a field of struct pvm_mem:" >&2
	echo "$hits" >&2
	exit 1
fi
echo "PASS: no port or sample reads a field of struct pvm_mem"
