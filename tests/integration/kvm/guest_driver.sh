#!/usr/bin/env bash
# The libpvm guest driver (samples/linux-guest-driver) in a Linux guest of
# libpvm: boot a Debian arm64 kernel in QEMU at EL2 (L1, with /dev/kvm) and,
# inside it, the same kernel as a guest of `pvm-run-kvm --kernel` (L2),
# once protected and once --non-protected. The L2 initramfs loads
# pvm_guest.ko, which must find libpvm through the vendor-hyp UID and
# libpvm's FEATURES call, and runs pvm-attest: its bad-input table, then
# evidence for a fixed challenge, printed as hex on the L2 console (which
# pvm-run-kvm forwards to its stdout).
#   guest_driver.sh KERNEL_DIR PVM_RUN_KVM ATTEST_ELF MODULE TOOL PVM_VERIFY WORK
# Passes when:
#  - in L1 (QEMU's firmware, no libpvm above it) insmod fails with ENODEV and
#    the module says why;
#  - in each L2 the module loads without the proprietary taint (P, bit 0 of
#    /proc/sys/kernel/tainted; out-of-tree and unsigned, O and E, are what
#    any such module gets), every bad-input row gets its errno, and
#    pvm-verify accepts the evidence for the L2's challenge against the
#    device's root key, with mode 1 (protected) or 2 (non-protected), and
#    rejects it for another challenge and with one byte changed;
#  - every pvm-run-kvm exits 0 (the guest turned the system off).
# The root key: pvm-run-kvm prints it only when a sample guest hands it
# evidence through its mailbox (a Linux guest's evidence goes to the guest),
# so L1 first runs the attest sample with the same --uds: the device's root
# key depends on nothing else (docs/attestation.md §2).
set -uo pipefail

kdir=$1 vmm=$2 attest_elf=$3 ko=$4 tool=$5 verify=$6 work=$7
# A guard against a hang only: the outcome is what the guests printed.
timeout_s=${PVM_KVM_BOOT_TIMEOUT:-900}
uds=$(printf '5a%.0s' {1..32})
chal_root=00112233445566778899aabbccddeeff
other=ffeeddccbbaa99887766554433221100
declare -A chal=([protected]=6c6962707600000000000000000000000000000000000000000000000000a001
	[non-protected]=6c6962707600000000000000000000000000000000000000000000000000a002)
declare -A mode=([protected]=1 [non-protected]=2)
modes=(protected non-protected)
cmdline="console=ttyAMA0 quiet panic=-1"
for f in "$kdir/Image" "$kdir/busybox" "$kdir/kernel.version" "$vmm" "$attest_elf" "$ko" \
	"$tool" "$verify"; do
	[ -s "$f" ] || {
		echo "FAIL: missing $f" >&2
		exit 1
	}
done

# What the guest extends REM 1 with, and so what the evidence's REM 1 must
# be: SHA-512 of 64 zero bytes (REMs start at zero) and the data.
remdata=6c696270766d2067756573742064726976657220726d2031
remwant=$(python3 -c 'import hashlib,sys; print(hashlib.sha512(bytes(64) + bytes.fromhex(sys.argv[1])).hexdigest())' "$remdata") || exit 1
rm -rf "$work"
mkdir -p "$work/l1/bin" "$work/l1/proc" "$work/l1/sys" "$work/l1/dev" "$work/l1/tmp"
# Debug information is most of the module's size; the guest needs none of it.
aarch64-linux-gnu-strip --strip-debug -o "$work/pvm_guest.ko" "$ko" || exit 1
for m in "${modes[@]}"; do
	r=$work/l2-$m
	mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev"
	cp "$kdir/busybox" "$r/bin/busybox"
	cp "$work/pvm_guest.ko" "$tool" "$r/"
	cat >"$r/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "L2DRV: BEGIN \$(uname -r)"
insmod /pvm_guest.ko
echo "L2DRV: insmod rc \$?"
dmesg | sed -n 's/^\[[^]]*\] pvm_guest: \(libpvm found\)/L2DRV: \1/p'
echo "L2DRV: tainted \$(cat /proc/sys/kernel/tainted) module \$(cat /sys/module/pvm_guest/taint)"
/pvm-attest --bad-input | sed 's/^/L2DRV: bad-input: /'
/pvm-attest --extend 1 $remdata
echo "L2DRV: extend rc \$?"
/pvm-attest --seal-check | sed 's/^/L2DRV: /'
/pvm-attest ${chal[$m]}
echo "L2DRV: attest rc \$?"
echo "L2DRV: END"
poweroff -f
INIT
	chmod +x "$r/init"
	(cd "$r" && find . | cpio -o -H newc --quiet) >"$work/l1/l2-$m.cpio" || exit 1
done

cp "$kdir/busybox" "$work/l1/bin/busybox"
cp "$kdir/Image" "$work/l1/Image"
cp "$vmm" "$work/l1/pvm-run-kvm"
cp "$attest_elf" "$work/l1/attest.elf"
cp "$work/pvm_guest.ko" "$work/l1/"
cat >"$work/l1/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "GDRV: BEGIN \$(uname -r)"
insmod /pvm_guest.ko 2>/tmp/insmod.err
echo "GDRV: L1 insmod rc \$?"
sed 's/^/GDRV: L1 insmod: /' /tmp/insmod.err
dmesg | sed -n 's/^\[[^]]*\] pvm_guest: \(no libpvm\)/GDRV: L1 dmesg: \1/p' | head -n 1
ms() { awk '{ printf "%d", \$1 * 1000 }' /proc/uptime; }
# run NAME ARGS...: pvm-run-kvm ARGS; its exit status, time and output on the console.
run() {
	n=\$1
	shift
	t0=\$(ms)
	/pvm-run-kvm --port kvm --uds $uds "\$@" >/tmp/\$n.out 2>/tmp/\$n.err
	rc=\$?
	echo "GDRV: RC \$n \$rc \$((\$(ms) - t0)) ms"
	sed "s/^/GDRV \$n out: /" /tmp/\$n.out
	sed "s/^/GDRV \$n err: /" /tmp/\$n.err
}
run root --challenge $chal_root /attest.elf
l2="--vcpus 1 --mem 256 --kernel /Image --cmdline"
run protected \$l2 "$cmdline" --initrd /l2-protected.cpio
run non-protected \$l2 "$cmdline" --initrd /l2-non-protected.cpio --non-protected
echo "GDRV: END"
poweroff -f
INIT
chmod +x "$work/l1/init"
. "$(dirname "${BASH_SOURCE[0]}")/l1.sh"
l1_boot "$kdir" "$work" GDRV "$timeout_s" || exit 1
status=0
fail() {
	echo "FAIL: $*" >&2
	status=1
}

# No libpvm above L1: the module must refuse to load, and say why.
if grep -qx 'GDRV: L1 insmod rc 0' "$work/console"; then
	fail "L1: pvm_guest.ko loaded without libpvm"
elif ! grep -q '^GDRV: L1 insmod: .*No such device' "$work/console" ||
	! grep -q '^GDRV: L1 dmesg: no libpvm: ' "$work/console"; then
	fail "L1: insmod did not fail with ENODEV and a reason"
	grep '^GDRV: L1 ' "$work/console" >&2
else
	echo "PASS: L1 without libpvm: $(sed -n 's/^GDRV: L1 dmesg: //p' "$work/console")"
fi

# The device's root key, from the attest sample's run with the same UDS.
sed -n 's/^GDRV root err: //p' "$work/console" >"$work/root.err"
sed -n '/^pvm-run: root key hex begin$/,/^pvm-run: root key hex end$/p' "$work/root.err" |
	grep -v '^pvm-run:' >"$work/root.hex"
if ! grep -q '^GDRV: RC root 0 ' "$work/console" || [ ! -s "$work/root.hex" ]; then
	fail "the attest sample printed no root key"
	tail -20 "$work/root.err" >&2
	exit 1
fi

for m in "${modes[@]}"; do
	sed -n "s/^GDRV $m out: //p" "$work/console" >"$work/$m.out"
	sed -n "s/^GDRV $m err: //p" "$work/console" >"$work/$m.err"
	read -r rc ms _ < <(sed -n "s/^GDRV: RC $m //p" "$work/console")
	before=$status
	[ "${rc:-}" = 0 ] || fail "$m: pvm-run-kvm exited with '${rc:-}'"
	grep -qx 'L2DRV: END' "$work/$m.out" || fail "$m: the L2 init did not reach its end"
	grep -qx 'L2DRV: insmod rc 0' "$work/$m.out" || fail "$m: insmod pvm_guest.ko failed"
	found=$(sed -n 's/^L2DRV: \(libpvm found, .*\)/\1/p' "$work/$m.out")
	[ -n "$found" ] || fail "$m: the module did not report libpvm"
	read -r tainted mtaint < <(sed -n 's/^L2DRV: tainted \([0-9]*\) module \(.*\)/\1 \2/p' \
		"$work/$m.out")
	if [ -z "${tainted:-}" ] || [ $((tainted & 1)) != 0 ]; then
		fail "$m: kernel taint '${tainted:-}' has P (bit 0): not GPL-compatible?"
	fi
	rows=$(sed -n 's/^L2DRV: bad-input: END ok, \([0-9]*\) rows$/\1/p' "$work/$m.out")
	if grep -q '^L2DRV: bad-input: FAIL' "$work/$m.out" || [ -z "$rows" ]; then
		fail "$m: the ioctl's bad-input table"
		grep '^L2DRV: bad-input: ' "$work/$m.out" >&2
	fi
	sed -n '/^pvm-attest: evidence hex begin$/,/^pvm-attest: evidence hex end$/p' "$work/$m.out" |
		grep -v '^pvm-attest:' | tr -d '\n' >"$work/$m.evidence.hex"
	if ! grep -qx 'L2DRV: attest rc 0' "$work/$m.out" || [ ! -s "$work/$m.evidence.hex" ]; then
		fail "$m: no evidence from pvm-attest"
	elif ! "$verify" --hex --root "$work/root.hex" --challenge "${chal[$m]}" \
		"$work/$m.evidence.hex" >"$work/$m.claims.json" 2>"$work/$m.verify.err"; then
		fail "$m: pvm-verify rejects the evidence: $(cat "$work/$m.verify.err")"
	elif ! grep -qx 'L2DRV: extend rc 0' "$work/$m.out" ||
		! grep -q "\"$remwant\"" "$work/$m.claims.json"; then
		fail "$m: REM 1 is not SHA-512(zeros || the data the guest extended it with)"
	elif ! grep -q "\"challenge\": \"${chal[$m]}\"" "$work/$m.claims.json" ||
		! grep -q "\"mode\": ${mode[$m]}," "$work/$m.claims.json"; then
		fail "$m: the claims do not echo the challenge or say mode ${mode[$m]}"
	else
		"$verify" --hex --root "$work/root.hex" --challenge "$other" \
			"$work/$m.evidence.hex" >/dev/null 2>&1
		[ $? = 1 ] || fail "$m: pvm-verify did not reject another challenge"
		# One byte changed in the middle (hex digit n/2 xor 1).
		ev=$(cat "$work/$m.evidence.hex")
		i=$((${#ev} / 2))
		d=$(printf '%x' $((0x${ev:i:1} ^ 1)))
		printf '%s' "${ev:0:i}$d${ev:i+1}" >"$work/$m.tampered.hex"
		"$verify" --hex --root "$work/root.hex" --challenge "${chal[$m]}" \
			"$work/$m.tampered.hex" >/dev/null 2>&1
		[ $? = 1 ] || fail "$m: pvm-verify did not reject a changed byte"
	fi
	seal='L2DRV: pvm-attest: seal: same context, same key: yes; other context, other key: yes; empty context, other key: yes; no key zero: yes'
	grep -qxF "$seal" "$work/$m.out" || fail "$m: sealing keys: $(grep 'seal' "$work/$m.out")"
	if [ $status != "$before" ]; then
		tail -n 25 "$work/$m.out" "$work/$m.err" >&2
		continue
	fi
	echo "PASS: $m: $found; taint $tainted (module $mtaint, no P); $rows bad-input" \
		"rows; REM 1 extended; sealing keys per context; evidence of $(($(wc -c <"$work/$m.evidence.hex") / 2)) bytes verified" \
		"(mode ${mode[$m]}), another challenge and a changed byte rejected;" \
		"L2 boot to poweroff $ms ms (L1 clock)"
done
exit $status
