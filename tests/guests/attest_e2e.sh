#!/usr/bin/env bash
# End to end: the attest guest under `pvm-run --attest` hands over evidence
# for a challenge; pvm-verify accepts it with that challenge and the root
# key, and rejects it with any other challenge or another root key.
# usage: attest_e2e.sh <pvm-run> <pvm-verify> <attest.elf>
set -uo pipefail

run=$1 verify=$2 elf=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
challenge=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
other=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
status=0

expect() { # expect <exit code> <stderr pattern or ''> <description> -- command...
	local want=$1 pattern=$2 what=$3 rc
	shift 4
	"$@" >"$out/stdout" 2>"$out/stderr"
	rc=$?
	if [ $rc -ne "$want" ] || { [ -n "$pattern" ] && ! grep -q "$pattern" "$out/stderr"; }; then
		echo "FAIL: $what: exit $rc (want $want)" >&2
		cat "$out/stderr" >&2
		status=1
	else
		echo "ok: $what"
	fi
}

expect 0 '' "pvm-run --attest: the guest's evidence verifies in the VMM" -- \
	"$run" --attest --challenge "$challenge" --uds "$(printf '5a%.0s' {1..32})" \
	--evidence-out "$out/evidence" --root-out "$out/root" "$elf"
expect 0 '' "pvm-verify accepts it with the challenge and the root key" -- \
	"$verify" --root "$out/root" --challenge "$challenge" "$out/evidence"
grep -q "\"challenge\": \"$challenge\"" "$out/stdout" || {
	echo "FAIL: the claims do not echo the challenge" >&2
	status=1
}
expect 1 'challenge' "pvm-verify rejects it with another challenge" -- \
	"$verify" --root "$out/root" --challenge "$other" "$out/evidence"
# Another device: the same image under another device secret has another root.
expect 0 '' "the same guest on another device" -- \
	"$run" --attest --challenge "$challenge" --uds "$(printf 'a5%.0s' {1..32})" \
	--root-out "$out/root2" "$elf"
expect 1 'signature' "pvm-verify rejects it under another device's root key" -- \
	"$verify" --root "$out/root2" --challenge "$challenge" "$out/evidence"
exit $status
