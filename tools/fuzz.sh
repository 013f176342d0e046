#!/usr/bin/env bash
# A long fuzzing campaign: builds the fuzz preset, then runs each harness
# (all by default) for SECONDS from its committed corpus, keeping what it
# finds in build/fuzz/campaign/<name>/ (a crash there becomes a regression:
# copy it into tests/fuzz/corpus/<name>/). Prints executions, executions per
# second and libFuzzer's coverage (edges) per harness; tools/fuzz-coverage.sh
# then gives the line coverage of src/ the campaign's corpus reaches.
#   tools/fuzz.sh SECONDS [HARNESS...]
# PVM_FUZZ_RUNS=N stops each harness after N executions (if sooner).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:?usage: tools/fuzz.sh SECONDS [HARNESS...]}
shift
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(host_call host_call_1g guest_call guest_call_1g verify trap fdt)
cd "$root" && cmake --preset fuzz >/dev/null && cmake --build --preset fuzz || exit 1
status=0
for h in "${harnesses[@]}"; do
	work=build/fuzz/campaign/$h
	mkdir -p "$work/corpus" && cp -n tests/fuzz/corpus/"$h"/* "$work/corpus/"
	(cd "$work" && "$root/build/fuzz/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -runs="${PVM_FUZZ_RUNS:--1}" -timeout=10 \
		-print_final_stats=1 -artifact_prefix=./ corpus >fuzz.log 2>&1)
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log")
	cov=$(grep -oE 'cov: [0-9]+' "$work/fuzz.log" | tail -1)
	echo "$h: $execs executions, $rate/s, $cov edges, corpus $(ls "$work/corpus" | wc -l) inputs," \
		"$([ $rc -eq 0 ] && echo "no finding" || echo "FINDING (see $work)")"
	[ $rc -eq 0 ] || status=1
done
exit $status
