#!/usr/bin/env bash
# Apply .clang-format to every tracked C source and header.
#   tools/format.sh           reformat the files in place
#   tools/format.sh --check   change nothing; list the files that need it and
#                             fail (what the `lint` CTest test runs)
# Works from any directory. CLANG_FORMAT overrides the binary.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cf=${CLANG_FORMAT:-clang-format}
mode=fix
case "${1:-}" in
"") ;;
--check) mode=check ;;
*)
	echo "usage: $0 [--check]" >&2
	exit 2
	;;
esac

if ! command -v "$cf" >/dev/null 2>&1; then
	echo "format: FAIL: $cf not found (tools/setup.sh installs it)" >&2
	exit 1
fi
if ! git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "format: FAIL: $root is not a git work tree; the file list is 'git ls-files'" >&2
	exit 1
fi

cd "$root"
mapfile -t files < <(git ls-files -- '*.c' '*.h')
if [ ${#files[@]} -eq 0 ]; then
	echo "format: no tracked .c/.h files"
	exit 0
fi

if [ $mode = fix ]; then
	"$cf" -i --style=file -- "${files[@]}"
	echo "format: formatted ${#files[@]} files with $("$cf" --version)"
	exit 0
fi

bad=()
for f in "${files[@]}"; do
	[ -f "$f" ] || continue # deleted in the work tree, not yet committed
	if ! "$cf" --dry-run -Werror --style=file -- "$f"; then
		bad+=("$f")
	fi
done
if [ ${#bad[@]} -ne 0 ]; then
	echo "format: FAIL: ${#bad[@]} file(s) differ from .clang-format; run tools/format.sh:" >&2
	printf '   %s\n' "${bad[@]}" >&2
	exit 1
fi
echo "format: PASS (${#files[@]} files)"
