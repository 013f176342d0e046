#!/usr/bin/env bash
# The README's C example is samples/quickstart.c between its README-BEGIN
# and README-END markers (one tab of indentation less), so the example a
# newcomer reads is code that builds and runs (the quickstart test).
#   readme_example.sh SOURCE_DIR
set -uo pipefail
root=$1
want=$(sed -n '/\/\* README-BEGIN \*\//,/\/\* README-END \*\//p' "$root/samples/quickstart.c" |
	sed '1d;$d' | sed 's/^\t//')
got=$(awk '/^```c$/ { f = 1; next } /^```$/ { f = 0 } f' "$root/README.md")
if [ -z "$want" ]; then
	echo "FAIL: no README-BEGIN/README-END region in samples/quickstart.c" >&2
	exit 1
fi
if [ "$want" != "$got" ]; then
	echo "FAIL: README.md's C example differs from samples/quickstart.c:" >&2
	diff <(echo "$want") <(echo "$got") >&2
	exit 1
fi
echo "PASS: README.md's C example is samples/quickstart.c ($(echo "$want" | wc -l) lines)"
