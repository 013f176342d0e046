#!/usr/bin/env bash
# The Promela model of the ownership protocol (mem.pml), checked with spin:
#  1. the model: every reachable state of two CPUs making transitions at once
#     (and P's vCPU writing its secret) keeps the invariants; no deadlock;
#  2. the checks can fail: each seeded bug is found (an assertion for a
#     grant before the scrub, an invalid end state for the wrong lock order);
#  3. no drift: the model's single-page transition table equals, cell by
#     cell, the C spec's that unit.mem_table checks the code against.
#   check.sh MODEL_DIR WORK_DIR TEST_MEM_TABLE_BINARY
set -uo pipefail
model=$(cd "$1" && pwd)/mem.pml
work=$2
table_bin=$(realpath "$3")
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v spin >/dev/null || fail "spin is not installed (tools/setup.sh installs it)"
command -v cc >/dev/null || fail "no C compiler for spin's verifier"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot use $work"

# pan: the verifier spin generates. SAFETY: safety properties (assertions,
# invalid end states); -m: search depth limit (never reached: depth is printed).
verify() { # verify NAME [SPIN-DEFINES...]: prints pan's report to NAME.log
	local name=$1
	shift
	mkdir -p "$name" && cp "$model" "$name/" && (
		cd "$name" && spin "$@" -a mem.pml >spin.log 2>&1 &&
			cc -O2 -DSAFETY -o pan pan.c >cc.log 2>&1 && ./pan -m100000 >pan.log 2>&1
	)
	cat "$name/pan.log" 2>/dev/null
}

out=$(verify model)
echo "$out" | grep -q "errors: 0" || { echo "$out" >&2; fail "the model breaks an invariant or deadlocks (trail in $work/model)"; }
states=$(echo "$out" | sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p')
depth=$(echo "$out" | sed -n 's/.*depth reached \([0-9]*\).*/\1/p')
echo "model: $states states, depth $depth: invariants hold in every state, no deadlock"

out=$(verify grant_first -DBUG_GRANT_FIRST)
echo "$out" | grep -q "assertion violated" || fail "seeded bug BUG_GRANT_FIRST not found"
echo "seeded bug BUG_GRANT_FIRST (host granted before the scrub): found"
out=$(verify lock_order -DBUG_LOCK_ORDER)
echo "$out" | grep -q "invalid end state" || fail "seeded bug BUG_LOCK_ORDER not found"
echo "seeded bug BUG_LOCK_ORDER (VM lock before the memory lock): deadlock found"

spin -DTABLE -T "$model" 2>&1 | grep '^CELL' >model_table.txt || fail "spin -DTABLE produced nothing"
PVM_TABLE_DUMP="$work/c_table.txt" "$table_bin" >table.log 2>&1 || fail "unit.mem_table failed ($work/table.log)"
[ -s c_table.txt ] || fail "unit.mem_table wrote no table"
awk -F' : ' '
	NR == FNR { model[$1 " : " substr($2, 1, index($2 " ", " "))] = $0; next }
	{ key = $1 " : " substr($2, 1, index($2 " ", " ")); n++
	  if (!(key in model)) { print "no such cell in the model: " $0; bad++ }
	  else if (model[key] != $0) { print "C spec:  " $0; print "model:   " model[key]; bad++ } }
	END { printf "table: %d cells of the C spec, %d differ from the model\n", n, bad; exit bad > 0 }
' model_table.txt c_table.txt || fail "model and C spec disagree (above)"
echo "PASS: model checked, seeded bugs found, model and C spec agree"
