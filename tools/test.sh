#!/usr/bin/env bash
# The README's second command, and all that CI runs (.ci/run): install what
# libpvm needs (Debian 12), then for each preset -- default (Debug), asan
# (ASan+UBSan), release (-O2), tsan (ThreadSanitizer: the concurrency
# stress test only) and fuzz (clang libFuzzer: corpora and smoke runs) --
# configure, build and run its CTest tests (unit, bench, install,
# freestanding, lint, docs, el2, kvm, stress, model, fuzz).
# Exits non-zero if any step of any preset fails; every preset runs anyway so
# one report shows everything. Works from any directory, as root or with sudo.
#   tools/test.sh [PRESET...]   run only the named presets
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(default asan release tsan fuzz)

echo "==> tools/setup.sh (Debian packages)"
if ! bash "$root/tools/setup.sh"; then
	echo "test.sh: FAIL: tools/setup.sh" >&2
	exit 1
fi

declare -A result
failed=0
for p in "${presets[@]}"; do
	echo
	echo "==================================================================="
	echo "==> workflow '$p': configure, build, test  (cmake --workflow --preset $p)"
	echo "==================================================================="
	start=$SECONDS
	if cmake --workflow --preset "$p"; then
		result[$p]="PASS ($((SECONDS - start)) s)"
	else
		result[$p]="FAIL ($((SECONDS - start)) s)"
		failed=1
	fi
done

echo
echo "==> summary"
for p in "${presets[@]}"; do
	printf '    %-8s %s\n' "$p" "${result[$p]}"
done
if [ $failed -ne 0 ]; then
	echo "test.sh: FAIL" >&2
	exit 1
fi
echo "test.sh: PASS"
