#!/usr/bin/env bash
# Fails if the linked EL2 image has an instruction naming an FP/SIMD register
# (b/h/s/d/q/v<n>): EL2 code must leave those to EL1 (nothing saves them in
# this phase), and libraries built elsewhere (picolibc, Debian's libfdt) are
# not compiled with -mgeneral-regs-only, so what the linker pulled in is
# checked here, naming the functions at fault.
# usage: check-no-fp.sh OBJDUMP ELF
set -euo pipefail
objdump=$1 elf=$2
hits=$("$objdump" -d --no-show-raw-insn "$elf" | awk '
	/^[0-9a-f]+ <.*>:$/ { fn = $2; next }
	/^ *[0-9a-f]+:\t/ {
		if ($0 ~ /\t[a-z0-9.]+\t.*[ ,{[]([bhsdqv])([0-9]|[12][0-9]|3[01])(\.[0-9]*[bhsdq])?([ ,}\]]|$)/)
			print fn ": " $0
	}')
if [ -n "$hits" ]; then
	echo "ports/el2: $elf uses FP/SIMD registers ($(echo "$hits" | wc -l) instructions):" >&2
	echo "$hits" | head -20 >&2
	exit 1
fi
echo "ports/el2: $elf: no FP/SIMD instructions"
