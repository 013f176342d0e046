#!/usr/bin/env bash
# Installs every Debian 12 package libpvm needs to build, test and benchmark.
# Safe to run again; works as root or through sudo for a normal user.
set -euo pipefail

pkgs=(
  # toolchain and build
  build-essential cmake pkg-config git
  # the second compiler a consumer may build with (tests/consumer_build), and
  # libFuzzer's runtime for the fuzz preset (tests/fuzz)
  clang libclang-rt-14-dev
  gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
  # <string.h> and friends for aarch64 (the freestanding check; gcc only recommends it)
  libc6-dev-arm64-cross
  # libraries the project uses
  libcmocka-dev libfdt-dev libmbedtls-dev libunicorn-dev
  # the attestation verifier (host side): CBOR decoding, fast P-256; openssl for known answers
  libcbor-dev libssl-dev openssl
  # the second, independent verifier (tests/verifier): Debian's Python and its packages
  python3 python3-cryptography python3-cbor2
  # the EL2 port: picolibc for the bare-metal image, QEMU to boot it (qemu-system-aarch64);
  # --no-install-recommends below keeps QEMU's graphical and firmware extras out
  picolibc-aarch64-linux-gnu qemu-system-arm
  # ... and dpkg-source, to unpack Debian's mbedtls source package for the image
  dpkg-dev
  # docs, formatting and measurement
  doxygen graphviz clang-format valgrind
  # the model checker for the ownership protocol's Promela model (tests/model)
  spin
  # the KVM port's integration tests (tests/integration/kvm): QEMU (above) boots a
  # real arm64 Debian kernel at EL2 with /dev/kvm; cpio packs its initramfs; xz unpacks
  # the one kernel module the isolation test loads (brd, a RAM disk for O_DIRECT)
  cpio xz-utils
  # pahole, for the BTF of out-of-tree modules cross-built against Debian's 6.12
  # headers (samples/linux-guest-driver): their kbuild runs it as the kernel's did
  dwarves
)

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "setup.sh: run as root or install sudo" >&2
  exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all packages present"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
