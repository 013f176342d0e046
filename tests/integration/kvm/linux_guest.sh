#!/usr/bin/env bash
# An unmodified arm64 Linux as a guest of pvm-run-kvm: boot a Debian arm64
# kernel in QEMU at EL2 (it offers /dev/kvm, as in boot.sh) and, inside it,
# boot the very same kernel Image again under `pvm-run-kvm --kernel`, with a
# busybox initramfs whose /init prints a marker, the CPUs online, the arch
# timer's and the IPIs' lines of /proc/interrupts, then powers off (PSCI
# SYSTEM_OFF).
#   linux_guest.sh KERNEL_DIR PVM_RUN_KVM WORK MODE[:N[:MiB]]...
# MODE: protected or non-protected (pvm-run's --non-protected), N the
# guest's vCPUs (--vcpus, default 1), MiB its RAM (--mem, default 128);
# each runs in the same L1 boot. Passes
# when, for every run, pvm-run-kvm exits 0 (the guest turned the system
# off, teardown accounted for every page), the guest's init printed its
# marker with the kernel's version, N CPUs were online (secondaries started
# by PSCI CPU_ON), every CPU's virtual timer interrupt (GICv3 INTID 27,
# through KVM's in-kernel vGIC) fired, with N > 1 every CPU took IPIs (SGIs),
# the PSCI exits were N (the SMCCC filter: N - 1 CPU_ON and SYSTEM_OFF
# through libpvm's PSCI) or 1 (Linux 6.1: KVM's PSCI, SYSTEM_OFF only),
# and every page donated was reclaimed. PVM_KVM_MODE and
# PVM_KVM_PROTECTED_TYPE as in boot.sh (with the type, a protected guest
# must run in a pKVM-protected VM). Prints how long each L2 boot took,
# from pvm-run-kvm's start to its exit (L1's clock).
# With PVM_KVM_IRQ_TEST set to the static interrupt table (tests/api/
# kvm_irq.c), it runs first in L1 and every row must PASS.
set -uo pipefail

kdir=$1 vmm=$2 work=$3
shift 3
modes=("$@")
# A guard against a hang, not a measure of speed: nested TCG slows with the
# machine's load, and on 2 loaded cores the 6.12 boots with 8 vCPUs did not
# finish in 420 s. The test passes or fails on what the guests printed.
timeout_s=${PVM_KVM_BOOT_TIMEOUT:-2400}
# quiet: every console byte is an MMIO exit, slow under nested TCG.
cmdline="console=ttyAMA0 quiet panic=-1"
for f in "$kdir/Image" "$kdir/busybox" "$kdir/kernel.version" "$vmm"; do
	[ -s "$f" ] || {
		echo "FAIL: missing $f" >&2
		exit 1
	}
done
version=$(cat "$kdir/kernel.version")

rm -rf "$work"
mkdir -p "$work/l2/bin" "$work/l2/proc" "$work/l2/sys" "$work/l2/dev" \
	"$work/l1/bin" "$work/l1/proc" "$work/l1/sys" "$work/l1/dev" "$work/l1/tmp"
cp "$kdir/busybox" "$work/l2/bin/busybox"
cat >"$work/l2/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
echo "L2LINUX: init reached, kernel $(/bin/busybox uname -r)"
echo "L2LINUX: cpus online $(/bin/busybox cat /sys/devices/system/cpu/online)" \
	"nproc $(/bin/busybox nproc)"
/bin/busybox grep -E 'arch_timer|^ *IPI' /proc/interrupts | /bin/busybox sed 's/^/L2LINUX: /'
/bin/busybox poweroff -f
INIT
chmod +x "$work/l2/init"
(cd "$work/l2" && find . | cpio -o -H newc --quiet) >"$work/l1/l2.cpio" || exit 1

cp "$kdir/busybox" "$work/l1/bin/busybox"
cp "$kdir/Image" "$work/l1/Image"
cp "$vmm" "$work/l1/pvm-run-kvm"
if [ -n "${PVM_KVM_IRQ_TEST:-}" ]; then
	cp "$PVM_KVM_IRQ_TEST" "$work/l1/kvm-irq" || exit 1
fi
cat >"$work/l1/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "KVMLINUX: BEGIN \$(uname -r)"
if [ -x /kvm-irq ]; then
	/kvm-irq 2>&1 | sed "s/^/KVMIRQ: /"
fi
ms() { awk '{ printf "%d", \$1 * 1000 }' /proc/uptime; }
for m in ${modes[*]}; do
	set -- \$(echo \$m | tr : ' ')
	opt=
	[ \$1 = non-protected ] && opt=--non-protected
	t0=\$(ms)
	/pvm-run-kvm --port kvm --vcpus \${2:-1} --mem \${3:-128} \$opt --kernel /Image --initrd /l2.cpio \
		--cmdline "$cmdline" >/tmp/\$m.out 2>/tmp/\$m.err
	rc=\$?
	echo "KVMLINUX: RC \$m \$rc \$((\$(ms) - t0)) ms"
	sed "s/^/KVMLINUX \$m out: /" /tmp/\$m.out
	sed "s/^/KVMLINUX \$m err: /" /tmp/\$m.err
done
echo "KVMLINUX: END"
poweroff -f
INIT
chmod +x "$work/l1/init"
(cd "$work/l1" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio" || exit 1

start=$(date +%s%N)
timeout "$timeout_s" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 \
	-cpu max,pauth-impdef=on -smp 1 -m 1G -nographic -nic none -no-reboot \
	-kernel "$kdir/Image" -initrd "$work/initramfs.cpio" \
	-append "console=ttyAMA0 panic=-1 quiet${PVM_KVM_MODE:+ kvm-arm.mode=$PVM_KVM_MODE}" \
	</dev/null >"$work/console.raw" 2>&1
qrc=$?
end=$(date +%s%N)
tr -d '\r' <"$work/console.raw" >"$work/console"
echo "linux_guest.sh: qemu exited with $qrc after $(((end - start) / 1000000)) ms"
if [ $qrc -eq 124 ]; then
	echo "FAIL: timeout after ${timeout_s} s" >&2
	tail -30 "$work/console" >&2
	exit 1
fi
if ! grep -q '^KVMLINUX: BEGIN' "$work/console" || ! grep -q '^KVMLINUX: END' "$work/console"; then
	echo "FAIL: the L1 init did not run to its end marker" >&2
	tail -40 "$work/console" >&2
	exit 1
fi
grep '^KVMLINUX: BEGIN' "$work/console"
status=0
if [ -n "${PVM_KVM_IRQ_TEST:-}" ]; then
	sed -n 's/^KVMIRQ: //p' "$work/console" >"$work/kvm-irq.out"
	if grep -q '^FAIL' "$work/kvm-irq.out" || ! grep -qx 'END ok' "$work/kvm-irq.out"; then
		echo "FAIL: interrupts through the KVM port's API" >&2
		grep -v '^PASS' "$work/kvm-irq.out" >&2
		status=1
	else
		echo "PASS: interrupts through the API ($(grep -c '^PASS' "$work/kvm-irq.out") rows)"
	fi
fi
for m in "${modes[@]}"; do
	sed -n "s/^KVMLINUX $m out: //p" "$work/console" >"$work/$m.out"
	sed -n "s/^KVMLINUX $m err: //p" "$work/console" >"$work/$m.err"
	read -r rc ms _ < <(sed -n "s/^KVMLINUX: RC $m //p" "$work/console")
	ms=${ms:-?}
	ms_status=0
	if [ "${rc:-}" != 0 ]; then
		echo "FAIL: $m: pvm-run-kvm exited with '${rc:-}'" >&2
		ms_status=1
	fi
	if ! grep -qx "L2LINUX: init reached, kernel $version" "$work/$m.out"; then
		echo "FAIL: $m: the guest's init marker (kernel $version) is missing" >&2
		ms_status=1
	fi
	IFS=: read -r _ n _ <<<"$m"
	n=${n:-1}
	online=0
	[ "$n" -gt 1 ] && online="0-$((n - 1))"
	if ! grep -qx "L2LINUX: cpus online $online nproc $n" "$work/$m.out"; then
		echo "FAIL: $m: not $n CPUs online ($online) in the guest" >&2
		ms_status=1
	fi
	# "L2LINUX:  11:  955  948  GICv3  27 Level  arch_timer": one count per
	# CPU, each non-zero: every vCPU's virtual timer fired, through the vGIC.
	ticks=$(awk -v n="$n" '$1 == "L2LINUX:" && $NF == "arch_timer" {
		for (g = 3; g <= NF && $g != "GICv3"; g++)
			;
		if ($(g + 1) != 27 || g - 3 != n)
			exit
		for (i = 3; i < g; i++) {
			if ($i == 0)
				exit
			t = t (t == "" ? "" : "+") $i
		}
		print t }' "$work/$m.out")
	if [ -z "$ticks" ]; then
		echo "FAIL: $m: a CPU without virtual timer interrupts (GICv3 27)" >&2
		ms_status=1
	fi
	# "L2LINUX: IPI1:  189  152  Function call interrupts": with several
	# CPUs each must have taken IPIs (SGIs, ICC_SGI1R_EL1 in KVM's vGIC).
	ipis=$(awk -v n="$n" '$1 == "L2LINUX:" && $2 ~ /^IPI[0-9]+:$/ {
		for (i = 0; i < n; i++)
			c[i] += $(3 + i)
	} END {
		for (i = 0; i < n; i++) {
			if (n > 1 && !c[i])
				exit
			t = t (i ? "+" : "") c[i]
		}
		print t }' "$work/$m.out")
	if [ -z "$ipis" ]; then
		echo "FAIL: $m: a CPU that took no IPI" >&2
		ms_status=1
	fi
	# With the SMCCC filter (6.4+) libpvm's PSCI reports each secondary's
	# CPU_ON and the SYSTEM_OFF; without it (6.1, a pKVM-protected VM)
	# KVM's runs CPU_ON (no exit).
	psci=$(sed -n 's/^pvm-run: exits .* psci=\([0-9]*\) .*/\1/p' "$work/$m.err")
	want=$n
	grep -q 'guest calls answered by the kernel' "$work/$m.err" && want=1
	# PVM_KVM_PROTECTED_TYPE=yes: the kernel offers pKVM-protected VMs, and
	# a protected guest must be one, a non-protected one an ordinary VM.
	if [ "${PVM_KVM_PROTECTED_TYPE:-no}" = yes ]; then
		kind=ordinary
		[ "${m%%:*}" = protected ] && kind=pKVM-protected
		if ! grep -q "^pvm-run: KVM VM: $kind," "$work/$m.err"; then
			echo "FAIL: $m: not a $kind KVM VM" >&2
			ms_status=1
		fi
	fi
	if [ "${psci:-}" != "$want" ]; then
		echo "FAIL: $m: ${psci:-no} PSCI exits, expected $want" >&2
		ms_status=1
	fi
	read -r donated reclaimed < <(sed -n \
		's/^pvm-run: pages donated=\([0-9]*\) .*reclaimed=\([0-9]*\) .*/\1 \2/p' "$work/$m.err")
	if [ -z "${donated:-}" ] || [ "$donated" != "$reclaimed" ]; then
		echo "FAIL: $m: pages donated ${donated:-?}, reclaimed ${reclaimed:-?}" >&2
		ms_status=1
	fi
	if [ $ms_status -ne 0 ]; then
		tail -n 20 "$work/$m.out" "$work/$m.err" >&2
		status=1
	else
		echo "PASS: $m Linux guest ($n vCPUs) to init in $ms ms (L1 clock), timer" \
			"interrupts $ticks, IPIs $ipis, $psci PSCI exits, $donated pages" \
			"donated and reclaimed"
	fi
done
exit $status
