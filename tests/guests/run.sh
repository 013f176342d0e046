#!/usr/bin/env bash
# Run one sample guest under pvm-run and compare what it did with what the
# specification of that guest says (match.sh):
#   <expected>.uart   its UART output, one extended regex per line (anchored)
#   <expected>.exits  its canonical exit sequence (exits.awk), one extended
#                     regex per line, compared vCPU by vCPU
# usage: run.sh <pvm-run> <guest.elf> <expected-prefix> [pvm-run options...]
set -uo pipefail

if [ $# -lt 3 ]; then
	echo "usage: $0 <pvm-run> <guest.elf> <expected-prefix> [options...]" >&2
	exit 2
fi
run=$1 elf=$2 exp=$3
shift 3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

. "$here/match.sh"

"$run" --trace "$@" "$elf" >"$out/uart" 2>"$out/trace"
rc=$?
cat "$out/uart"
grep '^pvm-run:' "$out/trace" >&2
if [ $rc -ne 0 ]; then
	echo "FAIL: pvm-run exited with $rc" >&2
	tail -20 "$out/trace" >&2
	exit 1
fi
status=0
compare_run "$(basename "$elf" .elf)" "$exp" "$out/uart" "$out/trace" "$out" || status=1
[ $status -eq 0 ] && echo "PASS: $(basename "$elf")"
exit $status
