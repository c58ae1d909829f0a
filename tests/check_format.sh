#!/usr/bin/env bash
# Fails if clang-format-14 (with the tree's .clang-format) would change any C or C++ file git tracks
# under the source root given as $1, naming each such file. --fix (as $2) formats them instead.
# Exits 77 (meson's "skipped") when clang-format-14 is not installed (./scripts/test.sh installs
# it) or the tree is not a git checkout.
set -uo pipefail
root="${1:?usage: check_format.sh SOURCE_ROOT [--fix]}"
cd "$root" || exit 1
if ! command -v clang-format-14 >/dev/null 2>&1; then
  echo "clang-format-14 is not installed: skipping" >&2
  exit 77
fi
if ! files="$(git ls-files -- '*.cc' '*.h' '*.cc.in' '*.c' 2>/dev/null)"; then
  echo "not a git checkout: skipping" >&2
  exit 77
fi
if [ "${2:-}" = "--fix" ]; then
  printf '%s\n' "$files" | xargs clang-format-14 -i
  exit 0
fi
failed=0
while IFS= read -r file; do
  if ! clang-format-14 --dry-run --Werror "$file" >/dev/null 2>&1; then
    echo "FAIL $file is not formatted: run tests/check_format.sh . --fix (clang-format-14)" >&2
    failed=1
  fi
done <<<"$files"
exit $failed
