#!/usr/bin/env bash
# The EL2 attestation test: boot the image with a device secret and a
# challenge (run.sh, test "seal"), take the root key and the evidence the
# hypervisor prints, and have the host-side verifier check them as a
# relying party would: pvm-verify must accept the evidence for this
# challenge and this root, and reject it for any other challenge or root.
# Done twice: with a provisioned UDS and with none (all zero).
# The second verifier (tests/verifier/pvm_verify.py, when given) checks the
# same evidence from the device secret instead of the printed root key: the
# root key, the hypervisor layer's inputs (its code: the image to the end of
# its read-only data; mode 1 provisioned, 0 not) and its key. The VM is the
# host program's test VM, whose RIM it does not recompute.
# usage: attest.sh <run.sh> <qemu-system-aarch64> <pvm-el2.elf> <pvm-verify> [timeout]
#                  [python3 pvm_verify.py]
set -uo pipefail

run=$1 qemu=$2 image=$3 verify=$4 limit=${5:-600} python=${6:-} pyverify=${7:-}
if [ ! -x "$verify" ]; then
	echo "FAIL: no pvm-verify at $verify (build the project first)" >&2
	exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

challenge=5a0d1e9c0c7e4a1f8f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081
other=5a0d1e9c0c7e4a1f8f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7080
uds=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# One boot: $1 names it, $2 more boot arguments. Leaves root and evidence in $dir/$1.*.
boot() {
	local name=$1 args=$2 console=$dir/$1.console
	if ! EL2_APPEND="$args el2-challenge=$challenge" EL2_CONSOLE=$console \
		bash "$run" "$qemu" "$image" seal "$limit"; then
		echo "FAIL: attest ($name): the boot failed" >&2
		exit 1
	fi
	if grep -q "$uds" "$console"; then
		echo "FAIL: attest ($name): the UDS appears on the console" >&2
		exit 1
	fi
	sed -n 's/^el2: attestation root key \([0-9a-f]*\) .*/\1/p' "$console" >"$dir/$name.root"
	sed -n '/^el2: evidence-begin$/,/^el2: evidence-end$/p' "$console" |
		sed '1d;$d' >"$dir/$name.ev"
	if [ "$(tr -d '\n' <"$dir/$name.root" | wc -c)" -ne 130 ] || [ ! -s "$dir/$name.ev" ]; then
		echo "FAIL: attest ($name): no root key or no evidence on the console" >&2
		exit 1
	fi
}

# pvm-verify with a root and a challenge; $1 the exit status wanted.
check() {
	local want=$1 what=$2 root=$3 ev=$4 ch=$5 rc
	"$verify" --hex --root "$root" --challenge "$ch" "$ev" >"$dir/out.json" 2>"$dir/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL: attest: $what: pvm-verify exit $rc, want $want" >&2
		cat "$dir/out.json" "$dir/err" >&2
		exit 1
	fi
	echo "attest: $what: pvm-verify exit $rc as wanted $(head -c 200 "$dir/err")"
}

start=$(date +%s%N)
boot provisioned "pvm.uds=$uds"
boot unprovisioned ""
for b in provisioned unprovisioned; do
	check 0 "$b: the evidence for its challenge" "$dir/$b.root" "$dir/$b.ev" "$challenge"
	check 1 "$b: another challenge" "$dir/$b.root" "$dir/$b.ev" "$other"
done
if cmp -s "$dir/provisioned.root" "$dir/unprovisioned.root"; then
	echo "FAIL: attest: the UDS does not change the root key" >&2
	exit 1
fi
check 1 "provisioned evidence against the unprovisioned root" "$dir/unprovisioned.root" \
	"$dir/provisioned.ev" "$challenge"

# pvm_verify.py from the UDS; $1 the exit status wanted.
pycheck() {
	local want=$1 what=$2 ev=$3 ch=$4 rc
	shift 4
	"$python" "$pyverify" --hex --hyp el2 --hyp-elf "$image" --challenge "$ch" "$@" "$ev" 2>"$dir/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL: attest: $what: pvm_verify.py exit $rc, want $want: $(cat "$dir/err")" >&2
		exit 1
	fi
	echo "attest: $what: pvm_verify.py exit $rc as wanted: $(cat "$dir/err")"
}
if [ -n "$pyverify" ]; then
	pycheck 0 "provisioned, from the UDS" "$dir/provisioned.ev" "$challenge" --uds "$uds"
	pycheck 1 "provisioned, another challenge" "$dir/provisioned.ev" "$other" --uds "$uds"
	pycheck 0 "unprovisioned, from the zero UDS (mode 0)" "$dir/unprovisioned.ev" "$challenge" \
		--uds "$(printf '0%.0s' {1..64})" --unprovisioned
	pycheck 1 "provisioned evidence from the zero UDS" "$dir/provisioned.ev" "$challenge" \
		--uds "$(printf '0%.0s' {1..64})" --unprovisioned
fi
"$verify" --hex --root "$dir/provisioned.root" --challenge "$challenge" "$dir/provisioned.ev"
ms=$((($(date +%s%N) - start) / 1000000))
echo "BENCH el2_attest_two_boots_and_verify_ms $ms ms"
echo "PASS: attest ($ms ms: two boots, five verifications)"
