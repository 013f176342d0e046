#!/usr/bin/env bash
# The EL2 image's size by origin (issue 6), from the real linked image:
#   tests/bench/el2_sizes.sh SIZE_TOOL pvm-el2.elf pvm-el2.map [BUDGET_BYTES]
# Sums the sizes of the code input sections that the link kept (.text* and
# the port's exception vectors, .vectors; from the map's "Linker script and
# memory map" part, discarded ones are listed before it) per origin: the core (libpvm-core.a), the port (the image's own objects,
# ports/el2 and ports/mbedtls' glue), mbedtls (libmbedcrypto-el2.a), libfdt
# (libfdt.a) and the rest (picolibc, libgcc). Prints BENCH lines, and the
# image's text+data (SIZE_TOOL, Berkeley format: text includes rodata).
# Fails if core + port text exceeds the budget (64 KiB by default), if any
# category is 0 (the map's format is not what this parses), or if the
# categories do not add up to the image's .text and .vectors sections.
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 SIZE_TOOL ELF MAP [BUDGET_BYTES]" >&2; exit 2; }
size_tool=$1 elf=$2 map=$3 budget=${4:-65536}
for f in "$elf" "$map"; do
	[ -r "$f" ] || { echo "el2_sizes: FAIL: $f missing (is the EL2 image built?)" >&2; exit 1; }
done

# core port mbedtls libfdt other, in bytes.
read -r core port mbedtls libfdt other < <(awk '
	function origin(file) {
		if (file ~ /libpvm-core\.a\(/) return "core"
		if (file ~ /libmbedcrypto-el2\.a\(/) return "mbedtls"
		if (file ~ /libfdt\.a\(/) return "libfdt"
		if (file ~ /\.a\(/ || file ~ /crt[^\/]*\.o$/) return "other"
		if (file ~ /pvm-el2\.elf\.dir\//) return "port"
		return "other"
	}
	function hex(s,   i, n) { # "0x..." to a number (mawk has no strtonum)
		n = 0; s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	# Linker stubs (veneers, e.g. of the Cortex-A53 erratum 843419 fix) are
	# listed with the size they had before relaxation: they span up to the
	# next input section, so they are counted (as "other") from that address.
	function add(addr, size, file) {
		if (stub != "") { sum["other"] += hex(addr) - hex(stub); stub = "" }
		if (file == "linker") { stub = addr; return }
		sum[origin(file)] += hex(size)
	}
	/^Linker script and memory map/ { in_map = 1; next }
	!in_map { next }
	# " .text.name  0xADDR  0xSIZE  file" (one line), or the name alone
	# when it is long and " 0xADDR 0xSIZE file" on the next line.
	pending { pending = 0
		if ($1 ~ /^0x/ && $2 ~ /^0x/ && NF >= 3) { add($1, $2, $3); next } }
	/^ \.(text|vectors)/ {
		if (NF == 1) { pending = 1; next }
		if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) add($2, $3, $4)
	}
	END { printf "%d %d %d %d %d\n", sum["core"], sum["port"], sum["mbedtls"],
		sum["libfdt"], sum["other"] }
' "$map")

# The image: its code output sections (SysV format) and text+data (Berkeley).
text_section=$("$size_tool" -A "$elf" |
	awk '$1 == ".text" || $1 == ".vectors" { n++; s += $2 } END { if (n == 2) print s }')
read -r image_text image_data < <("$size_tool" -B "$elf" | awk 'NR == 2 { print $1, $2 }')
image=$((image_text + image_data))

echo "BENCH el2_core_text_bytes $core bytes"
echo "BENCH el2_port_text_bytes $port bytes"
echo "BENCH el2_mbedtls_text_bytes $mbedtls bytes"
echo "BENCH el2_libfdt_text_bytes $libfdt bytes"
echo "BENCH el2_other_text_bytes $other bytes"
echo "BENCH el2_core_port_text_bytes $((core + port)) bytes"
echo "BENCH el2_code_sections_bytes ${text_section:-0} bytes"
echo "BENCH el2_image_bytes $image bytes"

fail=0
for c in core port mbedtls libfdt other; do
	if [ "${!c}" -eq 0 ]; then
		echo "el2_sizes: FAIL: no code for $c in $map (map format not understood?)" >&2
		fail=1
	fi
done
sum=$((core + port + mbedtls + libfdt + other))
# The output sections are the input sections plus alignment padding.
if [ -z "$text_section" ] || [ "$sum" -gt "$text_section" ] ||
	[ $((text_section - sum)) -gt $((text_section / 50)) ]; then
	echo "el2_sizes: FAIL: categories sum to $sum bytes, the image's .text + .vectors ${text_section:-?}" >&2
	fail=1
fi
if [ $((core + port)) -gt "$budget" ]; then
	echo "el2_sizes: FAIL: core + port text $((core + port)) bytes > budget $budget" >&2
	fail=1
fi
[ $fail -eq 0 ] && echo "el2_sizes: core + port $((core + port)) of $budget bytes"
exit $fail
