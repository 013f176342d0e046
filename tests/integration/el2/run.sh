#!/usr/bin/env bash
# One EL2 integration test: boot the hypervisor image in a fresh QEMU
# (virt, EL2 on, GICv3, two CPUs: the host brings the second up through
# the hypervisor when a test wants it), let the host program run test NAME
# ("el2-test=NAME" on the command line), and decide from the console, as
# Hafnium's hftest does: PASS only if the line "el2-test: PASS NAME" appears
# and no line says FAIL. A missing QEMU, a QEMU that does not start or
# exits with an error, and a timeout are failures, never skips.
# usage: run.sh <qemu-system-aarch64> <pvm-el2.elf|.bin> <test> [timeout-seconds]
# Environment: EL2_APPEND more boot arguments; EL2_CONSOLE a file that gets
# the console output (for a caller that checks more than the verdict);
# EL2_MEM the machine's RAM (512M); EL2_QEMU_ARGS more QEMU arguments (the
# Linux guest's files: -device loader,...).
set -uo pipefail

if [ $# -lt 3 ]; then
	echo "usage: $0 <qemu-system-aarch64> <image> <test> [timeout]" >&2
	exit 2
fi
qemu=$1 image=$2 name=$3 limit=${4:-600}

if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "FAIL: $qemu not found: install qemu-system-arm (tools/setup.sh does)" >&2
	exit 1
fi
if [ ! -f "$image" ]; then
	echo "FAIL: no image $image (build the project first)" >&2
	exit 1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# -nic none: no default NIC (its option ROM is not installed, and QEMU
# would refuse to start); -monitor none: the console is the UART alone.
start=$(date +%s%N)
timeout --kill-after=5 "$limit" "$qemu" \
	-M virt,virtualization=on,gic-version=3 -cpu "${EL2_CPU:-max,pauth-impdef=on}" -smp 2 -m "${EL2_MEM:-512M}" \
	-nographic -nic none -monitor none ${EL2_QEMU_ARGS:-} \
	-kernel "$image" -append "el2-test=$name${EL2_APPEND:+ $EL2_APPEND}" </dev/null >"$out" 2>&1
rc=$?
if [ -n "${EL2_CONSOLE:-}" ]; then
	tr -d '\r' <"$out" >"$EL2_CONSOLE"
fi
ms=$((($(date +%s%N) - start) / 1000000))
tr -d '\r' <"$out"

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "FAIL: $name: QEMU still running after ${limit} s (killed)" >&2
	exit 1
fi
if [ $rc -ne 0 ]; then
	echo "FAIL: $name: QEMU exited with status $rc" >&2
	exit 1
fi
if grep -q 'FAIL' "$out"; then
	echo "FAIL: $name: a failure line on the console" >&2
	exit 1
fi
if ! tr -d '\r' <"$out" | grep -qx "el2-test: PASS $name"; then
	echo "FAIL: $name: no 'el2-test: PASS $name' line on the console" >&2
	exit 1
fi
echo "BENCH el2_boot_to_pass_ms_$name $ms ms"
echo "PASS: $name ($ms ms from QEMU start to power-off)"
