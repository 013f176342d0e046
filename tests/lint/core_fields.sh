#!/usr/bin/env bash
# The core's objects are opaque outside it: no installed header defines the
# layout of the hypervisor (struct pvm_hyp), a VM, a vCPU or a page's
# metadata, and no port or sample reaches the core's internal headers (by
# an include of one of src/'s headers, or an include path into src/). With
# both, a port or sample reading a field of those objects does not compile:
# it goes through functions (pvm_mem_host_vtcr(), pvm_mem_host_mmio_map(), ...).
#   core_fields.sh SOURCE_DIR
set -uo pipefail
root=$1
fail=0
headers=("$root"/include/libpvm/*.h "$root"/ports/*/include/libpvm/*.h)
hits=$(grep -nE '^struct pvm_(hyp|vm|vcpu|page)[[:space:]]*\{' "${headers[@]}")
if [ -n "$hits" ]; then
	echo "FAIL: an installed header defines a core object's layout:" >&2
	echo "$hits" >&2
	fail=1
fi
internal=$(cd "$root/src" && find . -name '*.h' -printf '%f\n' | sort -u | paste -sd'|')
hits=$(cd "$root" && grep -rnE "#[[:space:]]*include[[:space:]]*\"([^\"]*/)?($internal)\"" ports samples \
	--include='*.c' --include='*.h' --include='*.S')
hits+=$(cd "$root" && grep -rnE '(PVM_SOURCE_DIR|PROJECT_SOURCE_DIR|CMAKE_SOURCE_DIR)\}?/src([^/]|/[^*])' ports samples \
	--include='CMakeLists.txt' --include='*.cmake')
if [ -n "$hits" ]; then
	echo "FAIL: a port or sample reaches the core's internal headers:" >&2
	echo "$hits" >&2
	fail=1
fi
[ $fail = 0 ] && echo "PASS: the core's objects are opaque to ports and samples (internal headers: ${internal//|/ })"
exit $fail
