#!/usr/bin/env bash
# A consumer's ordinary build of libpvm, as its README would have them do
# it: a fresh tree configured with nothing but a compiler and a build type
# (no preset, so no PVM_WERROR), then built. Fails when the configure or the
# build fails, and when the compiler printed any warning: a consumer would
# see it, and the next compiler version may make it an error.
#   build.sh SOURCE_DIR WORK_DIR CC BUILD_TYPE
set -uo pipefail

src=$1 work=$2 cc=$3 type=$4
if ! command -v "$cc" >/dev/null; then
	echo "FAIL: no compiler $cc (tools/setup.sh installs gcc and clang)" >&2
	exit 1
fi
rm -rf "$work"
mkdir -p "$work"
if ! cmake -S "$src" -B "$work/build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE="$type" \
	>"$work/configure.log" 2>&1; then
	echo "FAIL: configure with $cc, $type" >&2
	tail -30 "$work/configure.log" >&2
	exit 1
fi
if ! cmake --build "$work/build" -j2 >"$work/build.log" 2>&1; then
	echo "FAIL: build with $cc, $type" >&2
	grep -E -B3 -A8 'error' "$work/build.log" | head -60 >&2
	exit 1
fi
if grep -q 'warning:' "$work/build.log"; then
	echo "FAIL: $cc, $type: $(grep -c 'warning:' "$work/build.log") warnings" >&2
	grep -A4 'warning:' "$work/build.log" | head -60 >&2
	exit 1
fi
echo "PASS: a plain cmake -DCMAKE_C_COMPILER=$cc -DCMAKE_BUILD_TYPE=$type build, warning-free"
# The tree it built must be usable: a protected guest in the simulator.
out=$("$work/build/samples/pvm-run/pvm-run" "$work/build/samples/guests/hello.elf" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: $cc, $type: pvm-run hello.elf exited $rc" >&2
	echo "$out" | tail -20 >&2
	exit 1
fi
echo "PASS: its pvm-run ran the hello guest"
