#!/usr/bin/env bash
# Boot a Debian arm64 kernel in QEMU (EL2, so it offers /dev/kvm) with an
# initramfs holding busybox, pvm-run-kvm and the sample guests; inside, run
# each guest under pvm-run-kvm and print its UART output and trace on the
# console with markers; outside, compare them with the expected files as
# tests/guests/run.sh does on the simulator.
#   boot.sh KERNEL_DIR PVM_RUN_KVM GUEST_DIR WORK EXPECTED_DIR... -- GUEST...
# KERNEL_DIR holds Image and busybox (fetch.sh). For each guest and each of
# <guest>.uart and <guest>.exits, the first EXPECTED_DIR holding that file
# wins (a kernel-specific directory first, so it can override just one).
# Fails on any missing marker, any FAIL, a timeout, or a bad comparison.
# With PVM_KVM_VERIFY set to the host's pvm-verify, the attest guest's
# evidence and root key (hex between marker lines in its trace: pvm-run-kvm
# has no verifier) must verify for its challenge and fail for another.
# A guest named NAME_np is NAME.elf run with --non-protected (attest_np:
# its evidence must then say mode 2, debug; attest's mode 1).
# PVM_KVM_VERIFY_GUESTS (default "attest attest_np") names the guests whose
# evidence is checked (7.3: attest_np only; attest's calls never reach
# libpvm in a pKVM-protected VM, its expected files say so).
# With PVM_KVM_PYVERIFY set too (the second verifier: "python3 pvm_verify.py"
# of tests/verifier), so must they there, recomputed from the UDS (pvm-run's
# default) and, for attest, the guest's ELF and the device tree pvm-run-kvm
# wrote (--dtb-out, printed as hex on the console); attest_np's RIM is the
# creation value of a non-protected VM. (Only 6.12 runs it: attest has no
# evidence on 6.1.)
# PVM_KVM_PROGRAMS lists static test programs (space-separated paths) that
# run first, before the guests: the bad-input table of tests/api (every row
# must PASS on this kernel as on the simulator) and the VMM-view test
# (host_view.c). Each prints PASS/FAIL lines and `END ok` when all passed.
# PVM_KVM_MODE (optional): vhe (the kernel's default on this CPU), nvhe or
# protected, passed as kvm-arm.mode=; the kernel's own report of the mode it
# initialised KVM in must then say so.
# PVM_KVM_TABLES (optional): "PROGRAM MODE TABLE[,PROGRAM MODE TABLE...]":
# programs that ask the kernel itself (isolation.c: which routes a VMM has
# to a guest's page; pkvm_calls.c: what a guest's calls get) run in the
# kernel with MODE (protected or ordinary) and KERNEL_DIR/brd.ko's RAM disk
# (PVM_ISOLATION_BLOCK, for isolation's O_DIRECT route); each one's
# mechanics must pass (PASS/FAIL lines, `END ok`), and its other lines must
# match TABLE line by line (each line of TABLE an extended regular
# expression for the whole line; lines starting with # are comments; the
# port's own report on stderr, "libpvm-kvm: ..." lines, is not compared).
# PVM_KVM_MINVMM (optional): the example VMM (samples/minimal-vmm, built
# against the KVM port's installation) runs hello.elf; it must exit 0, print
# hello's UART output (the common expected file), end with its teardown, and
# show memory faults exactly when the kernel reports them (none in a
# pKVM-protected VM, whose RAM it donates up front).
# PVM_KVM_PROTECTED_TYPE (optional): yes when the kernel offers upstream
# pKVM's protected-VM type (7.1 on, in protected mode): the port's probe
# must find it, and every protected guest must run in such a VM (pvm-run's
# "KVM VM:" line), every non-protected one in an ordinary VM; otherwise the
# probe must find none.
set -uo pipefail

kdir=$1 vmm=$2 gdir=$3 work=$4
shift 4
exp_dirs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	exp_dirs+=("$1")
	shift
done
shift
guests=("$@")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=../../guests/match.sh
. "$root/tests/guests/match.sh"

timeout_s=${PVM_KVM_BOOT_TIMEOUT:-720}
for f in "$kdir/Image" "$kdir/busybox" "$vmm"; do
	[ -s "$f" ] || {
		echo "FAIL: missing $f" >&2
		exit 1
	}
done

rm -rf "$work"
mkdir -p "$work/root/bin" "$work/root/guests" "$work/root/proc" "$work/root/sys" \
	"$work/root/dev" "$work/root/tmp"
cp "$kdir/busybox" "$work/root/bin/busybox"
cp "$vmm" "$work/root/pvm-run-kvm"
minvmm_run=
if [ -n "${PVM_KVM_MINVMM:-}" ]; then
	cp "$PVM_KVM_MINVMM" "$work/root/minimal-vmm" || exit 1
	minvmm_run='/minimal-vmm --port kvm /guests/hello.elf >/tmp/minvmm.out 2>/tmp/minvmm.err
echo "KVMTEST: RC minimal-vmm $?"
sed "s/^/KVMMINVMM out: /" /tmp/minvmm.out
sed "s/^/KVMMINVMM err: /" /tmp/minvmm.err'
fi
progs=()
mkdir -p "$work/root/progs"
for p in ${PVM_KVM_PROGRAMS:-}; do
	cp "$p" "$work/root/progs/" || exit 1
	progs+=("$(basename "$p")")
done
for g in "${guests[@]}"; do
	cp "$gdir/${g%_np}.elf" "$work/root/guests/$g.elf" || exit 1
done
tables=() tab_run=
if [ -n "${PVM_KVM_TABLES:-}" ]; then
	IFS=, read -ra tables <<<"$PVM_KVM_TABLES"
	cp "$kdir/brd.ko" "$work/root/brd.ko" || exit 1
	tab_run="insmod /brd.ko rd_nr=1 rd_size=1024"
	for i in "${!tables[@]}"; do
		read -ra t <<<"${tables[$i]}"
		cp "${t[0]}" "$work/root/progs/table$i" || exit 1
		[ -f "${t[2]}" ] || {
			echo "FAIL: no table ${t[2]}" >&2
			exit 1
		}
		tab_run+="
PVM_ISOLATION_BLOCK=/dev/ram0 /progs/table$i ${t[1]} 2>&1 | sed 's/^/KVMTAB $i: /'"
	done
fi
cat >"$work/root/guests/args" <<'ARGS'
attest --vcpus 2 --challenge 00112233445566778899aabbccddeeff --dtb-out /tmp/attest.dtb
attest_np --non-protected --challenge 00112233445566778899aabbccddeeff
ARGS
cat >"$work/root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "KVMTEST: BEGIN \$(uname -r)"
echo "KVMTEST: KVM \$(dmesg | grep -o '[A-Za-z ]*mode initialized successfully' | head -1)"
if [ ! -c /dev/kvm ]; then
	echo "KVMTEST: FAIL: no /dev/kvm"
	poweroff -f
fi
for p in ${progs[*]}; do
	/progs/\$p 2>&1 | sed "s/^/KVMPROG \$p: /"
done
$tab_run
$minvmm_run
for g in ${guests[*]}; do
	args=\$(sed -n "s/^\$g //p" /guests/args)
	/pvm-run-kvm --port kvm --trace \$args /guests/\$g.elf >/tmp/\$g.uart 2>/tmp/\$g.trace
	echo "KVMTEST: RC \$g \$?"
	sed "s/^/KVMUART \$g: /" /tmp/\$g.uart
	sed "s/^/KVMTRACE \$g: /" /tmp/\$g.trace
	if [ -f /tmp/\$g.dtb ]; then od -An -tx1 -v /tmp/\$g.dtb | sed "s/^/KVMDTB \$g: /"; fi
done
echo "KVMTEST: END"
poweroff -f
INIT
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio" || {
	echo "FAIL: cpio" >&2
	exit 1
}

# verify_evidence WORK GUEST: check attest's (or attest_np's) evidence with pvm-verify on the host.
verify_evidence() {
	local w=$1 g=$2 chal other mode
	chal=$(sed -n "s/^$g .*--challenge \([0-9a-f]*\).*/\1/p" "$w/root/guests/args")
	other=ffeeddccbbaa99887766554433221100
	mode='"mode": 1,'
	[ "$g" = attest_np ] && mode='"mode": 2,'
	sed -n '/^pvm-run: evidence hex begin$/,/^pvm-run: evidence hex end$/p' "$w/$g.trace" |
		grep -v '^pvm-run:' >"$w/evidence.hex"
	sed -n '/^pvm-run: root key hex begin$/,/^pvm-run: root key hex end$/p' "$w/$g.trace" |
		grep -v '^pvm-run:' >"$w/root.hex"
	if [ ! -s "$w/evidence.hex" ] || [ ! -s "$w/root.hex" ]; then
		echo "FAIL: $g: no evidence or root key on the console" >&2
		return 1
	fi
	if ! "$PVM_KVM_VERIFY" --hex --root "$w/root.hex" --challenge "$chal" "$w/evidence.hex" \
		>"$w/claims.json" 2>"$w/verify.err"; then
		echo "FAIL: $g: pvm-verify rejects the evidence: $(cat "$w/verify.err")" >&2
		return 1
	fi
	if ! grep -q "\"challenge\": \"$chal\"" "$w/claims.json"; then
		echo "FAIL: $g: the verified claims do not echo the challenge" >&2
		return 1
	fi
	# The VM certificate's mode is the "mode" followed by a comma.
	if ! grep -q "$mode" "$w/claims.json"; then
		echo "FAIL: $g: the VM certificate does not say $mode" >&2
		return 1
	fi
	"$PVM_KVM_VERIFY" --hex --root "$w/root.hex" --challenge "$other" "$w/evidence.hex" \
		>/dev/null 2>"$w/verify-other.err"
	if [ $? -ne 1 ]; then
		echo "FAIL: $g: pvm-verify did not reject another challenge" >&2
		return 1
	fi
	echo "$g: pvm-verify accepts the evidence for its challenge ($mode), rejects another"
	[ -n "${PVM_KVM_PYVERIFY:-}" ] || return 0
	local py
	read -ra py <<<"$PVM_KVM_PYVERIFY"
	py+=(--hex --uds "$(printf '0%.0s' {1..64})" --hyp sim)
	if [ "$g" = attest_np ]; then
		py+=(--non-protected)
	else
		sed -n "s/^KVMDTB $g: //p" "$w/console" >"$w/$g.dtb.hex"
		if [ ! -s "$w/$g.dtb.hex" ]; then
			echo "FAIL: $g: no device tree on the console" >&2
			return 1
		fi
		# 2 vCPUs, as pvm-run-kvm is told; with PSCI through libpvm (6.12's
		# SMCCC filter) only vCPU 0 is booted by the host (§1.3 step 5).
		py+=(--elf "$gdir/$g.elf" --dtb "$w/$g.dtb.hex" --vcpus 2)
	fi
	if ! "${py[@]}" --challenge "$chal" "$w/evidence.hex" 2>"$w/pyverify.err"; then
		echo "FAIL: $g: pvm_verify.py rejects the evidence: $(cat "$w/pyverify.err")" >&2
		return 1
	fi
	echo "$g: $(cat "$w/pyverify.err")"
	"${py[@]}" --challenge "$other" "$w/evidence.hex" 2>"$w/pyverify.err"
	if [ $? -ne 1 ]; then
		echo "FAIL: $g: pvm_verify.py did not reject another challenge: $(cat "$w/pyverify.err")" >&2
		return 1
	fi
	echo "$g: pvm_verify.py rejects another challenge: $(cat "$w/pyverify.err")"
}

start=$(date +%s%N)
timeout "$timeout_s" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 \
	-cpu max,pauth-impdef=on -smp 1 -m 1G -nographic -nic none -no-reboot \
	-kernel "$kdir/Image" -initrd "$work/initramfs.cpio" \
	-append "console=ttyAMA0 panic=-1 quiet${PVM_KVM_MODE:+ kvm-arm.mode=$PVM_KVM_MODE}" </dev/null >"$work/console.raw" 2>&1
qrc=$?
end=$(date +%s%N)
tr -d '\r' <"$work/console.raw" >"$work/console"
echo "boot.sh: qemu exited with $qrc after $(((end - start) / 1000000)) ms"
if [ $qrc -eq 124 ]; then
	echo "FAIL: timeout after ${timeout_s} s" >&2
	tail -30 "$work/console" >&2
	exit 1
fi
if ! grep -q '^KVMTEST: BEGIN' "$work/console" || ! grep -q '^KVMTEST: END' "$work/console"; then
	echo "FAIL: the test program did not run to its end marker" >&2
	tail -40 "$work/console" >&2
	exit 1
fi
grep '^KVMTEST: BEGIN' "$work/console"
grep '^KVMTEST: KVM' "$work/console"
case "${PVM_KVM_MODE:-vhe}" in
vhe) want='VHE mode initialized successfully' ;;
nvhe) want='Hyp mode initialized successfully' ;;
protected) want='Protected h\{0,1\}n\{0,1\}VHE mode initialized successfully' ;;
*) want="unknown PVM_KVM_MODE=$PVM_KVM_MODE" ;;
esac
if ! grep -q "^KVMTEST: KVM *$want" "$work/console"; then
	echo "FAIL: KVM is not in the mode asked for (${PVM_KVM_MODE:-vhe}: '$want')" >&2
	exit 1
fi
status=0
if grep '^KVMTEST: FAIL' "$work/console" >&2; then status=1; fi
# What the port said about the kernel (once per guest run: once here).
sed -n 's/^KVMTRACE [a-z0-9_]*: \(libpvm-kvm: \)/\1/p' "$work/console" | sort -u
# The protected-VM type probe ran and found what this kernel offers.
if [ "${PVM_KVM_PROTECTED_TYPE:-no}" = yes ]; then
	probe='the kernel offers pKVM-protected VMs'
else
	probe='no protected-VM type in this kernel'
fi
if ! grep -q "^KVMTRACE [a-z0-9_]*: libpvm-kvm: $probe" "$work/console"; then
	echo "FAIL: the port's protected-VM type probe did not say '$probe'" >&2
	status=1
fi
for p in "${progs[@]}"; do
	sed -n "s/^KVMPROG $p: //p" "$work/console" >"$work/$p.out"
	if grep -q '^FAIL' "$work/$p.out" || ! grep -qx 'END ok' "$work/$p.out"; then
		echo "FAIL: $p:" >&2
		grep -v '^PASS' "$work/$p.out" >&2
		status=1
	else
		echo "PASS: $p ($(grep -c '^PASS' "$work/$p.out") checks)"
	fi
done
for i in "${!tables[@]}"; do
	read -ra t <<<"${tables[$i]}"
	name=$(basename "${t[0]}")
	sed -n "s/^KVMTAB $i: //p" "$work/console" >"$work/$name.out"
	grep -v '^PASS: \|^FAIL: \|^END \|^libpvm-kvm: ' "$work/$name.out" >"$work/$name.rows"
	grep -v '^#' "${t[2]}" >"$work/$name.table"
	ts=0
	if grep -q '^FAIL' "$work/$name.out" || ! grep -qx 'END ok' "$work/$name.out"; then
		grep '^FAIL\|^END' "$work/$name.out" >&2
		ts=1
	fi
	if [ "$(wc -l <"$work/$name.rows")" != "$(wc -l <"$work/$name.table")" ]; then
		echo "FAIL: $name: $(wc -l <"$work/$name.rows") lines, its table $(wc -l <"$work/$name.table")" >&2
		ts=1
	fi
	while IFS= read -r -u 3 got && IFS= read -r -u 4 want; do
		if ! [[ $got =~ ^($want)$ ]]; then
			echo "FAIL: $name: '$got' does not match '$want' (${t[2]})" >&2
			ts=1
		fi
	done 3<"$work/$name.rows" 4<"$work/$name.table"
	sed "s/^/$name: /" "$work/$name.rows"
	if [ $ts = 0 ]; then
		echo "PASS: $name (${t[1]}: as ${t[2]#"$root"/} says)"
	else status=1; fi
done
if [ -n "${PVM_KVM_MINVMM:-}" ]; then
	sed -n 's/^KVMMINVMM out: //p' "$work/console" >"$work/minvmm.out"
	sed -n 's/^KVMMINVMM err: //p' "$work/console" >"$work/minvmm.err"
	rc=$(sed -n 's/^KVMTEST: RC minimal-vmm //p' "$work/console")
	faults=$(grep -c '^exit mem_fault ' "$work/minvmm.err")
	want_faults=some
	[ "${PVM_KVM_PROTECTED_TYPE:-no}" = yes ] && want_faults=none
	ms=0
	if [ "$rc" != 0 ]; then
		echo "FAIL: minimal-vmm exited with '$rc'" >&2
		ms=1
	fi
	match "minimal-vmm: uart output" "$root/tests/guests/expected/hello.uart" "$work/minvmm.out" || ms=1
	if ! tail -1 "$work/minvmm.err" | grep -q '^minimal-vmm: torn down: the [0-9]* pages given are back$'; then
		echo "FAIL: minimal-vmm: no teardown line last" >&2
		ms=1
	fi
	if { [ $want_faults = none ] && [ "$faults" != 0 ]; } ||
		{ [ $want_faults = some ] && [ "$faults" = 0 ]; }; then
		echo "FAIL: minimal-vmm: $faults memory faults, expected $want_faults" >&2
		ms=1
	fi
	if [ $ms = 0 ]; then
		echo "PASS: minimal-vmm ($faults memory faults, $(grep -c '^exit ' "$work/minvmm.err") exits)"
	else
		tail -5 "$work/minvmm.err" >&2
		status=1
	fi
fi
for g in "${guests[@]}"; do
	sed -n "s/^KVMUART $g: //p" "$work/console" >"$work/$g.uart"
	sed -n "s/^KVMTRACE $g: //p" "$work/console" >"$work/$g.trace"
	# compare_run takes one prefix: assemble it from the first file of each kind.
	exp=$work/expected.$g
	for k in uart exits; do
		for d in "${exp_dirs[@]}"; do
			if [ -f "$d/$g.$k" ]; then
				cp "$d/$g.$k" "$exp.$k"
				echo "$g.$k: $d" >>"$work/expected.from"
				break
			fi
		done
	done
	rc=$(sed -n "s/^KVMTEST: RC $g //p" "$work/console")
	gs=0
	if [ "$rc" != 0 ]; then
		echo "FAIL: $g: pvm-run-kvm exited with '$rc'" >&2
		tail -20 "$work/$g.trace" >&2
		gs=1
	fi
	compare_run "$g" "$exp" "$work/$g.uart" "$work/$g.trace" "$work" || gs=1
	# With the type, a protected guest runs in a pKVM-protected VM, a
	# non-protected one (NAME_np) in an ordinary VM.
	if [ "${PVM_KVM_PROTECTED_TYPE:-no}" = yes ]; then
		kind=pKVM-protected
		[ "${g%_np}" != "$g" ] && kind=ordinary
		if ! grep -q "^pvm-run: KVM VM: $kind," "$work/$g.trace"; then
			echo "FAIL: $g: not a $kind KVM VM" >&2
			gs=1
		fi
	fi
	if [ "${g%_np}" = attest ] && [ -n "${PVM_KVM_VERIFY:-}" ] &&
		[[ " ${PVM_KVM_VERIFY_GUESTS:-attest attest_np} " == *" $g "* ]]; then
		verify_evidence "$work" "$g" || gs=1
	fi
	if [ $gs -eq 0 ]; then
		echo "PASS: $g (expected $(sed -n "s|^$g\.||p" "$work/expected.from" | tr '\n' ' '))"
	else status=1; fi
done
[ $status -eq 0 ] && echo "PASS: kvm"
exit $status
