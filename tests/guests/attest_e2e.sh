#!/usr/bin/env bash
# End to end: the attest guest under `pvm-run --attest` hands over evidence
# for a challenge; pvm-verify accepts it with that challenge and the root
# key, and rejects it with any other challenge or another root key. The
# challenge reaches the guest at run time (the mailbox), so another
# challenge leaves the RIM, the VM's key and the device tree (--dtb-out)
# as they were. As a non-protected VM the same guest's evidence verifies
# too, with mode 2 (debug) and "protected": false in the VM certificate.
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
cp "$out/stdout" "$out/claims1"
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

# claim FILE KEY: the first value of "KEY" in pvm-verify's JSON.
claim() { sed -n "s/^ *\"$2\": \"\{0,1\}\([0-9a-z]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$1" | head -1; }
# The VM's "mode" is the one followed by a comma (the hypervisor's ends its object).
if ! grep -q '"mode": 1,' "$out/claims1" || ! grep -q '"protected": true' "$out/claims1"; then
	echo "FAIL: the protected VM's certificate does not say mode 1, protected" >&2
	status=1
fi

# Another challenge: the same RIM, VM key and device tree.
expect 0 '' "the same guest for another challenge" -- \
	"$run" --attest --challenge "$other" --uds "$(printf '5a%.0s' {1..32})" \
	--evidence-out "$out/evidence2" --root-out "$out/root" --dtb-out "$out/dtb2" "$elf"
expect 0 '' "its device tree written once more" -- \
	"$run" --attest --challenge "$challenge" --uds "$(printf '5a%.0s' {1..32})" \
	--dtb-out "$out/dtb1" "$elf"
expect 0 '' "pvm-verify accepts the second evidence" -- \
	"$verify" --root "$out/root" --challenge "$other" "$out/evidence2"
cp "$out/stdout" "$out/claims2"
for k in rim public_key; do
	a=$(grep -A200 '"vm": {' "$out/claims1" | claim /dev/stdin "$k")
	b=$(grep -A200 '"vm": {' "$out/claims2" | claim /dev/stdin "$k")
	if [ -z "$a" ] || [ "$a" != "$b" ]; then
		echo "FAIL: the challenge changed the VM's $k ('$a' vs '$b')" >&2
		status=1
	else
		echo "ok: another challenge, the same $k"
	fi
done
if [ "$(wc -c <"$out/dtb1")" -ne 65536 ] || ! cmp -s "$out/dtb1" "$out/dtb2"; then
	echo "FAIL: --dtb-out: not 64 KiB, or another challenge changed the device tree" >&2
	status=1
else
	echo "ok: --dtb-out wrote the same 64 KiB for both challenges"
fi

# Non-protected: the evidence verifies, and says debug.
expect 0 '' "pvm-run --non-protected --attest: the evidence verifies in the VMM" -- \
	"$run" --non-protected --attest --challenge "$challenge" \
	--evidence-out "$out/evidence_np" --root-out "$out/root_np" "$elf"
expect 0 '' "pvm-verify accepts the non-protected VM's evidence" -- \
	"$verify" --root "$out/root_np" --challenge "$challenge" "$out/evidence_np"
if ! grep -q '"mode": 2,' "$out/stdout" || ! grep -q '"protected": false' "$out/stdout"; then
	echo "FAIL: the non-protected VM's certificate does not say mode 2 (debug), not protected" >&2
	cat "$out/stdout" >&2
	status=1
else
	echo "ok: the non-protected VM's certificate says mode 2 (debug)"
fi
exit $status
