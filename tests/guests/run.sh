#!/usr/bin/env bash
# Run one sample guest under pvm-run and compare what it did with what the
# specification of that guest says:
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

# Lines of file $2 must match the regexes of file $1, in order, all of them.
match() {
	local what=$1 want=$2 got=$3 i=0 w g
	local -a W G
	mapfile -t W <"$want"
	mapfile -t G <"$got"
	if [ ${#W[@]} -ne ${#G[@]} ]; then
		echo "FAIL: $what: ${#G[@]} lines, expected ${#W[@]}" >&2
		diff <(printf '%s\n' "${W[@]}") <(printf '%s\n' "${G[@]}") >&2
		return 1
	fi
	for ((i = 0; i < ${#W[@]}; i++)); do
		w=${W[$i]} g=${G[$i]}
		if ! [[ $g =~ ^($w)$ ]]; then
			echo "FAIL: $what: line $((i + 1)): got '$g', expected /$w/" >&2
			return 1
		fi
	done
}

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
match "uart output" "$exp.uart" "$out/uart" || status=1
awk -f "$here/exits.awk" "$out/trace" >"$out/exits"
for cpu in $(sed -n 's/^\(vcpu[0-9]*\) .*/\1/p' "$exp.exits" "$out/exits" | sort -u); do
	grep "^$cpu " "$exp.exits" >"$out/want.$cpu" || true
	grep "^$cpu " "$out/exits" >"$out/got.$cpu" || true
	match "exits of $cpu" "$out/want.$cpu" "$out/got.$cpu" || status=1
done
[ $status -eq 0 ] && echo "PASS: $(basename "$elf")"
exit $status
