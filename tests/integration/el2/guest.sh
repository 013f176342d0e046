#!/usr/bin/env bash
# A sample guest run as a protected guest under the EL2 image: boot it
# (run.sh: the host program's test NAME must pass), then compare what the
# guest did with the simulator's specification of it, with the simulator's
# own matcher (tests/guests/match.sh): its UART lines ("el2-guest: " on the
# console) with <expected>.uart, its exits ("el2-exit: ", pvm-run --trace's
# format) through exits.awk with <expected>.exits.
#
# attest_np is the attest guest as a non-protected VM (its evidence must say
# mode 2, debug; the attest guest's mode 1).
#
# The attest guest (with pvm-verify given): the boot gets a fresh 16-byte
# challenge and device secret (el2-challenge=, pvm.uds=); the evidence the
# guest hands over (hex between el2-evidence-begin/-end) is checked here
# with pvm-verify against that challenge and the root key the hypervisor
# printed, the relying party's part that pvm-run plays on the simulator:
# its verdict line, in pvm-run's words, takes the evidence's place in the
# UART output. The evidence must then be rejected for another challenge.
# With the second verifier given too (tests/verifier/pvm_verify.py, its
# Python, the guest's flat binary and the device tree the host program gives it), it
# must accept the evidence recomputed from the boot's device secret, the EL2
# image (the hypervisor layer's code) and the guest (its RIM; attest_np's is
# a non-protected VM's creation value), and reject it for the other challenge.
# usage: guest.sh <run.sh> <qemu-system-aarch64> <pvm-el2.elf> <name> <expected-prefix>
#                 [timeout] [pvm-verify [python3 pvm_verify.py guest.bin guest.dtb]]
set -uo pipefail

if [ $# -lt 5 ]; then
	echo "usage: $0 <run.sh> <qemu> <image> <name> <expected-prefix> [timeout] [pvm-verify]" >&2
	exit 2
fi
run=$1 qemu=$2 image=$3 name=$4 exp=$5 limit=${6:-600} verify=${7:-}
python=${8:-} pyverify=${9:-} guest_bin=${10:-} guest_dtb=${11:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

. "$here/../../guests/match.sh"

rand() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
append=
if [ -n "$verify" ]; then
	if [ ! -x "$verify" ]; then
		echo "FAIL: $name: no pvm-verify at $verify (build the project first)" >&2
		exit 1
	fi
	challenge=$(rand 16) other=$(rand 16) uds=$(rand 32)
	append="pvm.uds=$uds el2-challenge=$challenge"
fi

EL2_APPEND=$append EL2_CONSOLE=$out/console bash "$run" "$qemu" "$image" "$name" "$limit" || exit 1
verdict=
if [ -n "$verify" ]; then
	if grep -q "$uds" "$out/console"; then
		echo "FAIL: $name: the device secret appears on the console" >&2
		exit 1
	fi
	sed -n 's/^el2: attestation root key \([0-9a-f]*\) .*/\1/p' "$out/console" >"$out/root"
	sed -n '/^el2-evidence-begin$/,/^el2-evidence-end$/p' "$out/console" | sed '1d;$d' >"$out/ev"
	if [ ! -s "$out/root" ] || [ ! -s "$out/ev" ]; then
		echo "FAIL: $name: no root key or no evidence on the console" >&2
		exit 1
	fi
	if "$verify" --hex --root "$out/root" --challenge "$challenge" "$out/ev" >"$out/claims" \
		2>"$out/err"; then
		rim=$(sed -n 's/^ *"rim": "\([0-9a-f]\{32\}\).*/\1/p' "$out/claims")
		rem0=$(sed -n '/"rem": \[/{n;s/^ *"\([0-9a-f]\{32\}\).*/\1/p}' "$out/claims")
		verdict="pvm-run: evidence verified (rim $rim... rem0 $rem0...)"
		grep -q "\"challenge\": \"$challenge\"" "$out/claims" ||
			verdict="pvm-run: evidence REJECTED: the claims do not echo the challenge"
		# The VM certificate's mode (the "mode" followed by a comma): 1 protected, 2 debug.
		case $name in
		*_np) kind='"mode": 2,' prot='"protected": false' ;;
		*) kind='"mode": 1,' prot='"protected": true' ;;
		esac
		if ! grep -q "$kind" "$out/claims" || ! grep -q "$prot" "$out/claims"; then
			echo "FAIL: $name: the VM certificate does not say $kind $prot" >&2
			cat "$out/claims" >&2
			exit 1
		fi
		echo "$name: the VM certificate says $kind $prot"
	else
		verdict="pvm-run: evidence REJECTED: $(head -1 "$out/err")"
	fi
	if "$verify" --hex --root "$out/root" --challenge "$other" "$out/ev" >/dev/null 2>"$out/err"; then
		echo "FAIL: $name: pvm-verify accepts the evidence for another challenge" >&2
		exit 1
	fi
	echo "$name: pvm-verify rejects the evidence for another challenge: $(head -1 "$out/err")"
	if [ -n "$pyverify" ]; then
		# The test host's VMs have 40 IPA bits (§1.3).
		py=("$python" "$pyverify" --hex --uds "$uds" --hyp el2 --hyp-elf "$image" --ipa-bits 40)
		case $name in
		*_np) py+=(--non-protected) ;;
		# The host program creates the vCPUs its device tree has (2).
		# ... and load the guest's flat binary, not its ELF (§1.3).
		*) py+=(--bin "$guest_bin" --dtb "$guest_dtb" --vcpus 2) ;;
		esac
		if ! "${py[@]}" --challenge "$challenge" "$out/ev" 2>"$out/err"; then
			echo "FAIL: $name: pvm_verify.py: $(cat "$out/err")" >&2
			exit 1
		fi
		echo "$name: $(cat "$out/err")"
		"${py[@]}" --challenge "$other" "$out/ev" 2>"$out/err"
		if [ $? -ne 1 ]; then
			echo "FAIL: $name: pvm_verify.py does not reject another challenge: $(cat "$out/err")" >&2
			exit 1
		fi
		echo "$name: $(cat "$out/err")"
	fi
fi
awk -v verdict="$verdict" '
	/^el2-guest: / { sub(/^el2-guest: /, ""); print }
	/^el2-evidence-end$/ { print verdict }' "$out/console" >"$out/uart"
sed -n 's/^el2-exit: //p' "$out/console" >"$out/trace"
cat "$out/uart"
compare_run "$name" "$exp" "$out/uart" "$out/trace" "$out" || exit 1
echo "PASS: $name: UART output and exits as on the simulator"
