# Sourced by the kvm tests that boot a Debian kernel in QEMU as L1 (at EL2:
# it offers /dev/kvm) with an initramfs they prepared in WORK/l1.
#
# l1_boot KERNEL_DIR WORK TAG LIMIT_S: packs WORK/l1 into WORK/initramfs.cpio,
# boots KERNEL_DIR/Image with it (QEMU virt, GICv3, -cpu max with the fast
# PAuth, one CPU, 1 GiB; FACTS.md) and leaves the console, without carriage
# returns, in WORK/console. Fails, saying why on stderr, on a timeout of
# LIMIT_S seconds (a guard against hangs, not a measure) or when the
# console lacks the "TAG: BEGIN" or "TAG: END" line of the init.
l1_boot() {
	local kdir=$1 work=$2 tag=$3 limit=$4 t0 rc
	(cd "$work/l1" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio" || return 1
	t0=$(date +%s%N)
	timeout "$limit" qemu-system-aarch64 -nographic -no-reboot -nic none -smp 1 -m 1G \
		-M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on \
		-kernel "$kdir/Image" -initrd "$work/initramfs.cpio" \
		-append "console=ttyAMA0 panic=-1 quiet" </dev/null 2>&1 | tr -d '\r' >"$work/console"
	rc=${PIPESTATUS[0]}
	echo "l1_boot: qemu exit status $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
	case $rc in
	124) echo "FAIL: QEMU still running after $limit s" >&2 ;;
	*) grep -q "^$tag: BEGIN" "$work/console" && grep -q "^$tag: END" "$work/console" &&
		return 0
		echo "FAIL: the L1 init did not run from $tag: BEGIN to $tag: END" >&2 ;;
	esac
	tail -n 40 "$work/console" >&2
	return 1
}
