#!/usr/bin/env bash
# Run a libFuzzer harness from a copy of its committed corpus.
#   run.sh HARNESS CORPUS_DIR WORK_DIR SECONDS
# SECONDS 0: every committed input once (regressions); otherwise fuzz for
# that long. Fails on any crash, leak, sanitizer report or timeout
# (libFuzzer's exit status); the crashing input is left in WORK_DIR.
set -uo pipefail
harness=$(realpath "$1") corpus=$(realpath "$2") work=$3 seconds=$4
[ -x "$harness" ] || { echo "FAIL: no harness $harness" >&2; exit 1; }
[ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ] || { echo "FAIL: empty corpus $corpus" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work/corpus" && cp "$corpus"/* "$work/corpus/" && cd "$work" || exit 1
if [ "$seconds" = 0 ]; then
	"$harness" -runs=0 corpus 2>&1 | tail -3
	exit "${PIPESTATUS[0]}"
fi
"$harness" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="$work/" \
	corpus >fuzz.log 2>&1
rc=$?
grep -E '^#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec' fuzz.log
[ $rc -eq 0 ] || { tail -40 fuzz.log >&2; echo "FAIL: the fuzzer found something (input in $work)" >&2; }
exit $rc
