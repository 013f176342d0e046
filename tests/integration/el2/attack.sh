#!/usr/bin/env bash
# The two attacks of issue 12 at EL2, tests that pass because the attack
# fails (the host's side: tests/integration/el2/host/attack.c; the simulator's:
# tests/unit/test_attest_seal.c). One boot (run.sh) with a fresh device
# secret and challenge; the host builds several attest VMs and seals each
# under a name ("el2-attack: seal NAME"), after which the hypervisor prints
# that VM's evidence for the challenge. Everything up to the next such line
# is that VM's: its evidence, its UART lines ("el2-guest: "), its exits and
# the evidence its guest hands over through the mailbox. Each evidence must
# verify with pvm-verify for the boot's root key and challenge; the
# identities are compared from pvm-verify's JSON (the token's "rim", the VM
# certificate's "public_key") and from the guests' fingerprint lines.
#
# attack_unmeasured: "evil" (the genuine image and tree plus a page of the
# host's code given with plain DONATE_GUEST, vCPU 0 booted there) must not
# run that code (no "EVIL" line; the guest-fault exit of its zeroed page:
# iabt at IPA 0x200), and must have a RIM and attestation key other than
# "genuine"'s; so must "evil_entry" (the same VM booted at the genuine
# entry), whose guest's fingerprint differs too; "control" (the page loaded
# measured) prints EVIL: the code works when it is really given.
# attack_seal_keys: "a" and "a_again" (the same image) print one
# fingerprint and have one RIM and key; "b" (plus a measured data page)
# another fingerprint, RIM and key.
# usage: attack.sh <run.sh> <qemu-system-aarch64> <pvm-el2.elf> <pvm-verify> <test> [timeout]
set -uo pipefail

if [ $# -lt 5 ]; then
	echo "usage: $0 <run.sh> <qemu> <image> <pvm-verify> <test> [timeout]" >&2
	exit 2
fi
run=$1 qemu=$2 image=$3 verify=$4 name=$5 limit=${6:-600}
if [ ! -x "$verify" ]; then
	echo "FAIL: $name: no pvm-verify at $verify (build the project first)" >&2
	exit 1
fi
case $name in
attack_unmeasured) roles="genuine evil evil_entry control" ;;
attack_seal_keys) roles="a b a_again" ;;
*)
	echo "FAIL: no attack test $name" >&2
	exit 2
	;;
esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

fail() {
	echo "FAIL: $name: $*" >&2
	exit 1
}
rand() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
challenge=$(rand 16) uds=$(rand 32)

# run.sh fails loudly on a missing QEMU or image, a timeout, or a FAIL line.
EL2_APPEND="pvm.uds=$uds el2-challenge=$challenge" EL2_CONSOLE=$dir/console \
	bash "$run" "$qemu" "$image" "$name" "$limit" || exit 1
grep -q "$uds" "$dir/console" && fail "the device secret appears on the console"
sed -n 's/^el2: attestation root key \([0-9a-f]*\) .*/\1/p' "$dir/console" >"$dir/root"
[ -s "$dir/root" ] || fail "no root key on the console"

# Each VM's lines into $dir/ROLE.*: .ev (the hypervisor's evidence at the
# seal), .gev (its guest's, through the mailbox), .uart, .exits, .fp.
awk -v d="$dir" '
	/^el2-attack: seal / { role = $3; next }
	role == "" { next }
	/^el2: evidence-begin$/ { out = d "/" role ".ev"; next }
	/^el2-evidence-begin$/ { out = d "/" role ".gev"; next }
	/^el2: evidence-end$/ || /^el2-evidence-end$/ { out = ""; next }
	out != "" { print > out; next }
	/^el2-guest: / { sub(/^el2-guest: /, ""); print > (d "/" role ".uart"); next }
	/^el2-exit: / { sub(/^el2-exit: /, ""); print > (d "/" role ".exits") }
' "$dir/console"

# pvm-verify's claims for evidence file $1 (into $1.json); its RIM, its VM key.
claims() {
	"$verify" --hex --root "$dir/root" --challenge "$challenge" "$1" >"$1.json" 2>"$1.err" ||
		fail "pvm-verify rejects $(basename "$1"): $(head -1 "$1.err")"
	{ grep -q '"protected": true' "$1.json" && grep -q '"mode": 1,' "$1.json"; } ||
		fail "$(basename "$1") is not a protected VM's (mode 1)"
}
rim() { sed -n 's/^ *"rim": "\([0-9a-f]\{128\}\)".*/\1/p' "$1.json"; }
vmkey() { awk '/"vm": \{/ { v = 1 } v && /"public_key"/ { print; exit }' "$1.json" |
	sed -n 's/.*"public_key": "\([0-9a-f]\{130\}\)".*/\1/p'; }
fingerprint() { sed -n 's/.*fingerprint \([0-9a-f]\{16\}\)$/\1/p' "$dir/$1.uart" 2>/dev/null; }

declare -A RIM KEY FP
for r in $roles; do
	[ -s "$dir/$r.ev" ] || fail "no evidence of VM $r after its seal"
	claims "$dir/$r.ev"
	RIM[$r]=$(rim "$dir/$r.ev") KEY[$r]=$(vmkey "$dir/$r.ev") FP[$r]=$(fingerprint "$r")
	{ [ -n "${RIM[$r]}" ] && [ -n "${KEY[$r]}" ]; } || fail "no RIM or VM key in $r's claims"
	# A guest that ran hands over evidence of the same identity (with its REM extended).
	if [ -s "$dir/$r.gev" ]; then
		claims "$dir/$r.gev"
		{ [ "$(rim "$dir/$r.gev")" = "${RIM[$r]}" ] && [ "$(vmkey "$dir/$r.gev")" = "${KEY[$r]}" ]; } ||
			fail "VM $r's guest reports another identity than its seal's"
	fi
	echo "$name: $r: rim ${RIM[$r]:0:32}... vm key ${KEY[$r]:0:32}... fingerprint ${FP[$r]:-none}"
done

# $1 and $2 must differ (different identities) or be equal, with what they are.
differ() { [ "$1" != "$2" ] || fail "$3: both $1"; echo "$name: ok: $3 differ"; }
equal() { [ "$1" = "$2" ] || fail "$3: $1 and $2"; echo "$name: ok: $3 are equal"; }

if [ "$name" = attack_unmeasured ]; then
	for r in genuine evil_entry; do
		{ [ -s "$dir/$r.gev" ] && [ -n "${FP[$r]}" ]; } ||
			fail "the attest guest of VM $r did not run to its evidence and fingerprint"
	done
	# The host's code never ran: not one line of VM evil's, "EVIL" only the control's.
	[ ! -s "$dir/evil.uart" ] || fail "VM evil's guest printed: $(head -3 "$dir/evil.uart")"
	{ [ "$(grep -c 'EVIL' "$dir/console")" = 1 ] && grep -qx 'EVIL' "$dir/control.uart"; } ||
		fail "\"EVIL\" on the console $(grep -c 'EVIL' "$dir/console") times, want once, the control's"
	grep -qx 'exit vcpu=0 guest_fault iabt ipa=0x200' "$dir/evil.exits" ||
		fail "VM evil: no guest fault at its zeroed page's vector (exits: $(cat "$dir/evil.exits"))"
	echo "$name: ok: VM evil ran zeroes: $(cat "$dir/evil.exits"); the control printed EVIL"
	differ "${RIM[genuine]}" "${RIM[evil]}" "the RIMs of genuine and evil"
	differ "${KEY[genuine]}" "${KEY[evil]}" "the VM attestation keys of genuine and evil"
	differ "${RIM[genuine]}" "${RIM[evil_entry]}" "the RIMs of genuine and evil_entry"
	differ "${RIM[evil]}" "${RIM[evil_entry]}" "the RIMs of evil and evil_entry"
	differ "${KEY[genuine]}" "${KEY[evil_entry]}" "the VM attestation keys of genuine and evil_entry"
	differ "${FP[genuine]}" "${FP[evil_entry]}" "the sealing-key fingerprints of genuine and evil_entry"
	differ "${RIM[genuine]}" "${RIM[control]}" "the RIMs of genuine and control"
else
	for r in $roles; do
		[ -n "${FP[$r]}" ] || fail "VM $r printed no fingerprint"
	done
	equal "${FP[a]}" "${FP[a_again]}" "the fingerprints of a and a_again (one image)"
	differ "${FP[a]}" "${FP[b]}" "the fingerprints of a and b (another image)"
	equal "${RIM[a]}" "${RIM[a_again]}" "the RIMs of a and a_again"
	equal "${KEY[a]}" "${KEY[a_again]}" "the VM attestation keys of a and a_again"
	differ "${RIM[a]}" "${RIM[b]}" "the RIMs of a and b"
	differ "${KEY[a]}" "${KEY[b]}" "the VM attestation keys of a and b"
fi
echo "PASS: $name: the attack fails"
