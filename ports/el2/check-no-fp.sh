#!/usr/bin/env bash
# Fails if the linked EL2 image has an instruction naming an FP/SIMD register
# (b/h/s/d/q/v<n>) outside the functions named as exempt: EL2 code must leave
# those registers to the host and the guests (only the lazy FP/SIMD switch,
# fpsimd.S, saves and loads them), and libraries built elsewhere (picolibc,
# Debian's libfdt) are not compiled with -mgeneral-regs-only, so what the
# linker pulled in is checked here, naming the functions at fault. Each
# exempt function must be in the image, so a renamed one cannot leave a
# stale exemption behind.
# usage: check-no-fp.sh OBJDUMP ELF [EXEMPT_FUNCTION...]
set -euo pipefail
objdump=$1 elf=$2
shift 2
exempt=" $* "
dis=$("$objdump" -d --no-show-raw-insn "$elf")
for fn in "$@"; do
	if ! grep -q "^[0-9a-f]* <$fn>:\$" <<<"$dis"; then
		echo "ports/el2: $elf has no function $fn (exempt from the FP/SIMD check)" >&2
		exit 1
	fi
done
hits=$(awk -v exempt="$exempt" '
	/^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3); next }
	/^ *[0-9a-f]+:\t/ {
		if (index(exempt, " " fn " "))
			next
		if ($0 ~ /\t[a-z0-9.]+\t.*[ ,{[]([bhsdqv])([0-9]|[12][0-9]|3[01])(\.[0-9]*[bhsdq])?([ ,}\]]|$)/)
			print fn ": " $0
	}' <<<"$dis")
if [ -n "$hits" ]; then
	echo "ports/el2: $elf uses FP/SIMD registers ($(echo "$hits" | wc -l) instructions):" >&2
	echo "$hits" | head -20 >&2
	exit 1
fi
echo "ports/el2: $elf: no FP/SIMD instructions${*:+ outside $*}"
