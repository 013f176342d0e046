#!/usr/bin/env bash
# Freestanding check: the portable core (src/*.c and src/attest/*.c) must
# build with -ffreestanding -nostdlib for aarch64 and for the host, and may
# depend on nothing but the port hooks (pvm_port_*), the cryptographic engine
# (pvm_crypto_*, libpvm/crypto.h: bound at link time like the port hooks) and
# the four string functions every freestanding environment provides (memset,
# memcpy, memmove, memcmp).
# ARCHITECTURE.md §3: the EL2 image links the core without a libc.
#
# Usage: check.sh [OUTDIR]   (default: a temporary directory)
# Env:   CROSS_CC, CROSS_LD, CROSS_NM (aarch64-linux-gnu-*), HOST_CC, HOST_LD, HOST_NM
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-}
if [ -z "$out" ]; then
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

flags=(-std=gnu11 -ffreestanding -nostdlib -O2 -Wall -Wextra -Werror -I"$root/include" -c)
allowed_re='^(pvm_port_[A-Za-z0-9_]+|pvm_crypto_[A-Za-z0-9_]+|memset|memcpy|memmove|memcmp)$'

shopt -s nullglob
srcs=("$root"/src/*.c "$root"/src/attest/*.c)
if [ ${#srcs[@]} -eq 0 ]; then
	echo "freestanding: FAIL: no sources in $root/src" >&2
	exit 1
fi

status=0

# check NAME CC LD NM
check() {
	local name=$1 cc=$2 ld=$3 nm=$4 dir="$out/$1" objs=() bad
	for tool in "$cc" "$ld" "$nm"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "freestanding: FAIL: $tool not found (tools/setup.sh installs it)" >&2
			status=1
			return
		fi
	done
	rm -rf "$dir"
	mkdir -p "$dir"
	# On aarch64, GCC would call libgcc's out-of-line atomics helpers
	# (__aarch64_ldset4_rel...); an EL2 image has no libgcc, so the core is
	# built with its atomics inline, as the EL2 port builds it.
	local extra=()
	[ "$name" = aarch64 ] && extra=(-mno-outline-atomics)
	echo "== $name: $cc ${flags[*]} ${extra[*]}"
	for src in "${srcs[@]}"; do
		# Objects named by their path under src/ (attest/cert.c: attest_cert.o).
		local rel=${src#"$root"/src/}
		local obj="$dir/${rel//\//_}"
		obj=${obj%.c}.o
		echo "   ${src#"$root"/}"
		if ! "$cc" "${flags[@]}" "${extra[@]}" -o "$obj" "$src"; then
			echo "freestanding: FAIL: $name: ${src#"$root"/} does not compile freestanding" >&2
			status=1
			return
		fi
		objs+=("$obj")
	done
	if ! "$ld" -r -o "$dir/core.o" "${objs[@]}"; then
		echo "freestanding: FAIL: $name: $ld -r failed" >&2
		status=1
		return
	fi
	bad=$("$nm" -u "$dir/core.o" | awk '{print $NF}' | grep -Ev "$allowed_re" || true)
	if [ -n "$bad" ]; then
		echo "freestanding: FAIL: $name: the core needs symbols a freestanding build does not have:" >&2
		# Name the objects that use each offender, to make the fix obvious.
		for sym in $bad; do
			users=$(for o in "${objs[@]}"; do
				if "$nm" -u "$o" | awk '{print $NF}' | grep -qx "$sym"; then
					basename "$o"
				fi
			done | tr '\n' ' ' || true)
			echo "   $sym   (used by: $users)" >&2
		done
		status=1
		return
	fi
	echo "   ok: undefined symbols are only: $("$nm" -u "$dir/core.o" | awk '{print $NF}' | tr '\n' ' ')"
}

check aarch64 "${CROSS_CC:-aarch64-linux-gnu-gcc}" "${CROSS_LD:-aarch64-linux-gnu-ld}" \
	"${CROSS_NM:-aarch64-linux-gnu-nm}"
check host "${HOST_CC:-cc}" "${HOST_LD:-ld}" "${HOST_NM:-nm}"

if [ $status -eq 0 ]; then
	echo "freestanding: PASS"
fi
exit $status
