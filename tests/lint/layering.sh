#!/usr/bin/env bash
# Arrows run one way: the core (src/) and the ports (ports/) know nothing of
# their users. No file under them, CMake files and comments included, names
# a path under samples/ or tests/; a port that needs a program to run (the
# EL2 image's host program) is given it by the build that uses the port.
#   layering.sh SOURCE_DIR
set -uo pipefail
root=$1
# A path into them: "samples/..." or "tests/..." anywhere, or one ending in
# the directory itself ("${PVM_SOURCE_DIR}/samples", "../tests"), which a
# CMake file could extend later; "unit tests" in prose is not a path.
hits=$(cd "$root" && grep -rnE \
	'(^|[^A-Za-z0-9_])(samples|tests)/|/(samples|tests)([^A-Za-z0-9_.-]|$)' src ports)
if [ -n "$hits" ]; then
	echo "FAIL: the core or a port names its users' files:" >&2
	echo "$hits" >&2
	exit 1
fi
echo "PASS: src/ and ports/ name nothing under samples/ or tests/"
