#!/usr/bin/env bash
# Downloads, once, what the KVM integration tests boot: a Debian arm64 kernel
# and busybox-static (arm64), through a private apt state under DIR that never
# touches the host's dpkg database (FACTS.md, "QEMU and a real arm64 Linux").
#   fetch.sh DIR SUITE [--libs]   SUITE: bookworm (Debian 12, 6.1), trixie (13,
#                                 6.12) or trixie-backports (7.3: upstream pKVM's
#                                 protected VMs; busybox from trixie)
# Leaves DIR/Image (the kernel; Debian's arm64 vmlinuz is an uncompressed
# Image), DIR/busybox, DIR/kernel.version and, from 6.12 on, DIR/brd.ko
# (the kernel's RAM-disk module: the isolation test's O_DIRECT route); with
# --libs also DIR/sysroot with the arm64 static libraries the cross-built
# KVM port links (libfdt, mbedcrypto) and their headers. A second run finds
# DIR/done and fetches nothing. Any failure is fatal: the tests must not skip.
set -euo pipefail

dir=$1
suite=$2
libs=${3:-}
kbuild=0
[ "$libs" != --kbuild ] || kbuild=1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# Presets building in parallel share one cache: one fetch at a time.
exec 9>"$dir/.lock"
flock 9
# 6.12 and later also give brd.ko (the isolation test's RAM disk): an
# older cache without it is fetched again.
want_brd=0
[ "$suite" = bookworm ] || want_brd=1
if [ -f "$dir/done" ] && { [ $want_brd = 0 ] || [ -s "$dir/brd.ko" ]; } &&
	{ [ $kbuild = 0 ] || [ -f "$dir/kbuild/build/Makefile" ]; }; then
	echo "fetch.sh: $suite: cached ($(cat "$dir/kernel.version"))"
	exit 0
fi

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs" "$dir/etc/parts"
# Our own sources list names only the wanted suite, so the host's lists and
# the host's suite do not leak in; main is all we need.
echo "deb http://deb.debian.org/debian $suite main" >"$dir/etc/sources.list"
: >"$dir/etc/preferences"
case $suite in
*-backports)
	# The kernel from backports (pinned as high as the suite: the newest
	# version wins), what backports lacks (busybox) from the suite itself.
	echo "deb http://deb.debian.org/debian ${suite%-backports} main" >>"$dir/etc/sources.list"
	printf 'Package: *\nPin: release n=%s\nPin-Priority: 500\n' "$suite" >"$dir/etc/preferences"
	;;
esac
o=(-o APT::Architecture=arm64 -o APT::Architectures=arm64
	-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache"
	-o Dir::Etc::SourceList="$dir/etc/sources.list" -o Dir::Etc::SourceParts="$dir/etc/parts"
	-o Dir::Etc::Preferences="$dir/etc/preferences" -o Dir::Etc::PreferencesParts="$dir/etc/parts"
	-o Debug::NoLocking=1 -q)
# The kbuild programs run on this host: apt must know amd64's packages too
# (a second APT::Architectures replaces the first; "a,b" is a list).
[ $kbuild = 0 ] || o+=(-o APT::Architectures=arm64,amd64)

# Debian's trixie Release file may be signed by a key bookworm's keyring does
# not know yet; the suite's own keyring package is not on the host.
apt-get "${o[@]}" update >"$dir/apt-update.log" 2>&1 || {
	cat "$dir/apt-update.log" >&2
	echo "fetch.sh: FAIL: apt-get update ($suite)" >&2
	exit 1
}
# linux-image-arm64 depends on linux-image-<abi>-arm64; the unsigned flavour
# holds the same Image without the signed-EFI wrapper packaging.
abi_pkg=$(apt-cache "${o[@]}" depends linux-image-arm64 |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-arm64\)$/\1/p' | head -n1)
[ -n "$abi_pkg" ] || {
	echo "fetch.sh: FAIL: no linux-image-<abi>-arm64 in $suite" >&2
	exit 1
}
# Up to trixie's 6.12 the Image is in linux-image-<abi>-arm64-unsigned
# (boot/vmlinuz-<abi>); from 7.x linux-image-<abi>-arm64 is a meta package
# and the Image is in linux-binary-unsigned-<abi>-arm64
# (usr/lib/modules/<abi>/vmlinuz.unsigned).
if apt-cache "${o[@]}" show "${abi_pkg}-unsigned" >/dev/null 2>&1; then
	kpkg=${abi_pkg}-unsigned
else
	kpkg=linux-binary-unsigned-${abi_pkg#linux-image-}
fi
pkgs=("$kpkg" busybox-static)
# 7.x keeps the modules in their own package (6.12's are in the image's).
[ "$want_brd" = 0 ] || [ "$kpkg" = "${abi_pkg}-unsigned" ] ||
	pkgs+=("linux-modules-${abi_pkg#linux-image-}")
echo "fetch.sh: $suite: downloading ${pkgs[*]}"
[ "$libs" != --libs ] || pkgs+=(libfdt-dev libmbedtls-dev)
(cd "$dir/debs" && rm -f ./*.deb && apt-get "${o[@]}" download "${pkgs[@]}") || {
	echo "fetch.sh: FAIL: apt-get download ${pkgs[*]}" >&2
	exit 1
}
rm -rf "$dir/x"
mkdir -p "$dir/x"
for d in "$dir"/debs/*.deb; do dpkg-deb -x "$d" "$dir/x"; done
img=$( (ls "$dir"/x/boot/vmlinuz-* "$dir"/x/usr/lib/modules/*/vmlinuz* 2>/dev/null || true) | head -n1)
[ -n "$img" ] || {
	echo "fetch.sh: FAIL: no vmlinuz in $kpkg" >&2
	exit 1
}
# An arm64 Image has "ARM\x64" at offset 56; a compressed one would not.
if [ "$(dd if="$img" bs=1 skip=56 count=4 status=none | od -An -c | tr -d ' ')" != 'ARMd' ]; then
	echo "fetch.sh: FAIL: $img is not an uncompressed arm64 Image" >&2
	exit 1
fi
cp "$img" "$dir/Image.tmp"
# bookworm keeps it in /bin, trixie (merged /usr) in /usr/bin.
cp "$(ls "$dir"/x/bin/busybox "$dir"/x/usr/bin/busybox 2>/dev/null | head -n1)" "$dir/busybox.tmp"
if [ "$libs" = --libs ]; then
	rm -rf "$dir/sysroot"
	mkdir -p "$dir/sysroot/lib"
	cp -r "$dir/x/usr/include" "$dir/sysroot/include"
	cp "$dir"/x/usr/lib/aarch64-linux-gnu/{libfdt,libmbedcrypto}.a "$dir/sysroot/lib/"
fi
case $img in
*/boot/vmlinuz-*) basename "$img" | sed 's/^vmlinuz-//' ;;
*) basename "$(dirname "$img")" ;;
esac >"$dir/kernel.version"
if [ $want_brd = 1 ]; then
	brd=$( (find "$dir/x" -path '*/kernel/drivers/block/brd.ko*' || true) | head -n1)
	case $brd in
	*.ko.xz) xz -dc "$brd" >"$dir/brd.ko" ;;
	*.ko) cp "$brd" "$dir/brd.ko" ;;
	*)
		echo "fetch.sh: FAIL: no brd.ko in ${pkgs[*]}" >&2
		exit 1
		;;
	esac
fi
if [ $kbuild = 1 ]; then
	# The arm64 headers name their kbuild tree by relative links
	# (scripts -> ../../lib/linux-kbuild-<ver>/scripts), so the three
	# packages unpacked into one root line up; only the Makefile's one
	# absolute include of the -common tree must point into that root.
	kver=${abi_pkg#linux-image-}
	kpkgs=("linux-headers-$kver" "linux-headers-${kver%-arm64}-common"
		"linux-kbuild-${kver%-arm64}:amd64")
	echo "fetch.sh: $suite: downloading ${kpkgs[*]}"
	mkdir -p "$dir/debs/kbuild"
	(cd "$dir/debs/kbuild" && apt-get "${o[@]}" download "${kpkgs[@]}") || {
		echo "fetch.sh: FAIL: apt-get download ${kpkgs[*]}" >&2
		exit 1
	}
	rm -rf "$dir/kbuild"
	mkdir -p "$dir/kbuild"
	for d in "$dir"/debs/kbuild/*.deb; do dpkg-deb -x "$d" "$dir/kbuild"; done
	kmk=$dir/kbuild/usr/src/linux-headers-$kver/Makefile
	common=/usr/src/linux-headers-${kver%-arm64}-common/Makefile
	if [ "$(grep -c "^include $common\$" "$kmk" 2>/dev/null)" != 1 ]; then
		echo "fetch.sh: FAIL: $kmk does not include $common once" >&2
		exit 1
	fi
	sed -i "s|^include $common\$|include $dir/kbuild$common|" "$kmk"
	# Programs of the amd64 kbuild package must run here (FACTS.md: trixie's
	# may need a newer C library than Debian 12's).
	{ "$dir/kbuild/usr/lib/linux-kbuild-${kver%-arm64}/scripts/basic/fixdep" 2>&1 || true; } |
		grep -q '^Usage' || {
		echo "fetch.sh: FAIL: the kbuild programs of ${kpkgs[2]} do not run here" >&2
		exit 1
	}
	ln -sfn "usr/src/linux-headers-$kver" "$dir/kbuild/build"
fi
mv "$dir/Image.tmp" "$dir/Image"
mv "$dir/busybox.tmp" "$dir/busybox"
rm -rf "$dir/x" "$dir/debs" "$dir/cache"
touch "$dir/done"
echo "fetch.sh: $suite: $(cat "$dir/kernel.version")"
