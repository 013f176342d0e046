#!/usr/bin/env bash
# el2.linux_guest: an unmodified Debian arm64 kernel (the Image the KVM
# tests boot, tests/integration/kvm/fetch.sh's) as a protected guest of the
# EL2 hypervisor, run by its host program through host calls only
# (tests/integration/el2/host/linux.c). QEMU puts the Image and a busybox initramfs in
# the host's RAM (-device loader, raw); the boot arguments say where. The
# initramfs's /init prints a marker with the kernel's version and the arch
# timer's line of /proc/interrupts, then "poweroff -f" (PSCI SYSTEM_OFF).
# Passes on: the marker, a non-zero count on GICv3 INTID 27 (the virtual
# timer, through the hypervisor's list registers), the host's PASS line
# (SYSTEM_OFF, teardown, every page the guest had reads zero). A missing
# download, QEMU or image is a failure.
# usage: linux_guest.sh <run.sh> <qemu> <pvm-el2.elf> <kvm-cache dir> <release> [timeout]
set -uo pipefail
run=$1 qemu=$2 image=$3 cache=$4 release=$5 limit=${6:-600}
kdir=$cache/$release
for f in "$kdir/Image" "$kdir/busybox" "$kdir/kernel.version"; do
	if [ ! -f "$f" ]; then
		echo "FAIL: $f missing (the kvm-fetch target downloads it)" >&2
		exit 1
	fi
done
command -v cpio >/dev/null || {
	echo "FAIL: cpio not found" >&2
	exit 1
}
version=$(cat "$kdir/kernel.version")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rd/bin" "$work/rd/proc"
cp "$kdir/busybox" "$work/rd/bin/busybox"
cat >"$work/rd/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "EL2LINUX: init reached, kernel $(/bin/busybox uname -r)"
/bin/busybox grep arch_timer /proc/interrupts | /bin/busybox sed 's/^/EL2LINUX: /'
echo "EL2LINUX: cpus $(/bin/busybox grep -c ^processor /proc/cpuinfo)," \
	"features $(/bin/busybox grep -m1 ^Features /proc/cpuinfo | /bin/busybox cut -d: -f2)"
/bin/busybox poweroff -f
INIT
chmod +x "$work/rd/init"
(cd "$work/rd" && find . | cpio -o -H newc --quiet) >"$work/rd.cpio" || exit 1

# The machine's RAM is 0x40000000..0x80000000 (-m 1G): the hypervisor and
# the host program at its start, the hypervisor's carve-out at its end.
img_pa=0x48000000 rd_pa=0x4c000000 ram_pa=0x50000000
isz=$(stat -c %s "$kdir/Image") rsz=$(stat -c %s "$work/rd.cpio")
if [ "$isz" -gt $((rd_pa - img_pa)) ] || [ "$rsz" -gt $((ram_pa - rd_pa)) ]; then
	echo "FAIL: the Image ($isz bytes) or the initramfs ($rsz) does not fit the layout" >&2
	exit 1
fi
start=$(date +%s%N)
EL2_MEM=1G EL2_CONSOLE=$work/console \
	EL2_QEMU_ARGS="-device loader,file=$kdir/Image,addr=$img_pa,force-raw=on -device loader,file=$work/rd.cpio,addr=$rd_pa,force-raw=on" \
	EL2_APPEND="el2-linux=$(printf '%x,%x,%x,%x,%x' $img_pa "$isz" $rd_pa "$rsz" $ram_pa)" \
	bash "$run" "$qemu" "$image" linux "$limit" >"$work/out" 2>&1
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
grep -v '^el2-guest: \[' "$work/out" | tail -40
[ $rc -eq 0 ] || exit 1
if ! grep -qx "el2-guest: EL2LINUX: init reached, kernel $version" "$work/console"; then
	echo "FAIL: the guest's init marker (kernel $version) is missing" >&2
	exit 1
fi
ticks=$(grep 'EL2LINUX: .*arch_timer' "$work/console" | awk '{ print $4 }' | head -1)
if ! grep 'EL2LINUX: .*arch_timer' "$work/console" | grep -q ' 27 ' || [ "${ticks:-0}" -eq 0 ]; then
	echo "FAIL: no virtual-timer interrupts (GICv3 INTID 27) counted in the guest" >&2
	exit 1
fi
# Both vCPUs up (PSCI CPU_ON, IPIs through the hypervisor); pointer
# authentication the guest's own (its keys switched, HCR_EL2.API/APK);
# SVE, SME and the PMU hidden by the sanitised ID registers.
feat=$(grep 'EL2LINUX: cpus' "$work/console")
echo "$feat"
case "$feat" in
*"cpus 2,"*) ;;
*)
	echo "FAIL: the guest did not bring up its 2 vCPUs" >&2
	exit 1
	;;
esac
for f in paca pacg; do
	if ! grep -qw "$f" <<<"$feat"; then
		echo "FAIL: the guest has no pointer authentication ($f)" >&2
		exit 1
	fi
done
for f in sve sme; do
	if grep -qw "$f" <<<"$feat"; then
		echo "FAIL: the guest sees $f, which it does not get" >&2
		exit 1
	fi
done
echo "PASS: Linux $version to init as a protected EL2 guest in $ms ms (QEMU's whole run), $ticks timer interrupts"
