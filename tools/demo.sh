#!/usr/bin/env bash
# The README's first command: install what libpvm needs (Debian 12), build
# the `default` preset and run the stage-2 demo on the simulated machine.
# Works from any directory, as root or as a user with sudo.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

echo "==> tools/setup.sh (Debian packages)"
bash "$root/tools/setup.sh"

echo "==> cmake --preset default"
cmake --preset default
echo "==> cmake --build --preset default"
cmake --build --preset default

demo=$root/build/default/samples/stage2-demo
if [ ! -x "$demo" ]; then
	echo "demo.sh: $demo was not built" >&2
	exit 1
fi
echo "==> $demo"
exec "$demo"
