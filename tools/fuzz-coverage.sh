#!/usr/bin/env bash
# Line coverage of the code each harness targets (src/; for fdt the EL2
# port's device tree and boot-argument readers) reached by its corpus: the campaign's
# (build/fuzz/campaign/<name>/corpus, from tools/fuzz.sh) if there is one,
# else the committed seeds. Builds the harnesses with clang's source-based
# coverage (build/fuzz-cov: -fprofile-instr-generate -fcoverage-mapping, no
# sanitizers), runs every input of the corpus once, and prints llvm-cov's
# report for src/: the TOTAL line per harness, and with -v the per-file table.
# build/fuzz-cov/<name>.profdata stays for `llvm-cov show` (which lines).
#   tools/fuzz-coverage.sh [-v] [HARNESS...]
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
verbose=0
[ "${1:-}" = -v ] && { verbose=1; shift; }
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(host_call host_call_1g guest_call guest_call_1g verify trap fdt)
cd "$root" || exit 1
b=build/fuzz-cov
cmake -S . -B $b -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DPVM_FUZZ=ON -DPVM_PORT_EL2=OFF \
	-DPVM_BUILD_DOCS=OFF -DCMAKE_C_FLAGS="-O1 -fsanitize=fuzzer-no-link -fprofile-instr-generate -fcoverage-mapping" \
	-DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate" >/dev/null || exit 1
cmake --build $b -j2 --target $(printf 'fuzz_%s ' "${harnesses[@]}") >/dev/null || exit 1
status=0
for h in "${harnesses[@]}"; do
	corpus=build/fuzz/campaign/$h/corpus
	[ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ] || corpus=tests/fuzz/corpus/$h
	rm -f $b/$h.*.profraw
	LLVM_PROFILE_FILE="$root/$b/$h.%p.profraw" $b/tests/fuzz/fuzz_$h -runs=0 "$corpus" >$b/$h.log 2>&1 ||
		{ echo "$h: the corpus did not run (see $b/$h.log)"; status=1; continue; }
	llvm-profdata merge -o $b/$h.profdata $b/$h.*.profraw || { status=1; continue; }
	case $h in
	fdt) sources=("$root/ports/el2/fdt_info.c" "$root/ports/el2/common/bootargs.c"
		"$root/tests/integration/el2/host/fdt_chosen.c") ;;
	verify) sources=("$root/tools/pvm-verify/verify.c") ;;
	*) sources=("$root/src") ;;
	esac
	report=$(llvm-cov report $b/tests/fuzz/fuzz_$h -instr-profile=$b/$h.profdata "${sources[@]}")
	[ $verbose = 1 ] && echo "$report"
	echo "$h ($(ls "$corpus" | wc -l) inputs from $corpus): lines of ${sources[*]#$root/}" \
		"$(echo "$report" | awk '/^TOTAL/ {print $10 " (" $8 " lines, " $9 " missed)"}')"
done
exit $status
