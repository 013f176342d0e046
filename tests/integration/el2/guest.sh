#!/usr/bin/env bash
# A sample guest run as a protected guest under the EL2 image: boot it
# (run.sh: the host program's test NAME must pass), then compare what the
# guest did with the simulator's specification of it, with the simulator's
# own matcher (tests/guests/match.sh): its UART lines ("el2-guest: " on the
# console) with <expected>.uart, its exits ("el2-exit: ", pvm-run --trace's
# format) through exits.awk with <expected>.exits.
# usage: guest.sh <run.sh> <qemu-system-aarch64> <pvm-el2.elf> <name> <expected-prefix> [timeout]
set -uo pipefail

if [ $# -lt 5 ]; then
	echo "usage: $0 <run.sh> <qemu> <image> <name> <expected-prefix> [timeout]" >&2
	exit 2
fi
run=$1 qemu=$2 image=$3 name=$4 exp=$5 limit=${6:-60}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

. "$here/../../guests/match.sh"

EL2_CONSOLE=$out/console bash "$run" "$qemu" "$image" "$name" "$limit" || exit 1
sed -n 's/^el2-guest: //p' "$out/console" >"$out/uart"
sed -n 's/^el2-exit: //p' "$out/console" >"$out/trace"
compare_run "$name" "$exp" "$out/uart" "$out/trace" "$out" || exit 1
echo "PASS: $name: UART output and exits as on the simulator"
