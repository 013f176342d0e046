#!/usr/bin/env bash
# The README's first command: install what libpvm needs (Debian 12), build
# the `default` preset and run the main job: the `hello` sample guest as a
# protected VM under pvm-run on the simulated machine, with every exit shown.
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

run=$root/build/default/samples/pvm-run/pvm-run
guest=$root/build/default/samples/guests/hello.elf
for f in "$run" "$guest"; do
	if [ ! -e "$f" ]; then
		echo "demo.sh: $f was not built" >&2
		exit 1
	fi
done
echo "==> pvm-run --trace hello.elf"
exec "$run" --trace "$guest"
