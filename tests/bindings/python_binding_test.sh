#!/usr/bin/env bash
# The Python package (python/sealstate) against the built library ($2; source root $1, the CLI
# $3): its pytest suite (python/tests), then the README's Python example
# (examples/readme_example.py), whose revision `sealstate list` must show as current. pytest is
# Debian's python3-pytest (pytest-3, or python3 -m pytest); scripts/test.sh installs it. Nothing
# is written into the source tree (no __pycache__, no .pytest_cache).
set -euo pipefail
usage="usage: python_binding_test.sh SOURCE_ROOT LIBRARY SEALSTATE_CLI"
source_root="$(realpath "${1:?$usage}")"
library="$(realpath "${2:?$usage}")"
cli="$(realpath "${3:?$usage}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/example_current.sh"

if command -v pytest-3 >/dev/null 2>&1; then
  pytest=(pytest-3)
elif python3 -c 'import pytest' 2>/dev/null; then
  pytest=(python3 -m pytest)
else
  echo "FAIL pytest is not installed (Debian: apt-get install python3-pytest; scripts/test.sh installs it)" >&2
  exit 1
fi
export SEALSTATE_LIBRARY="$library" PYTHONDONTWRITEBYTECODE=1
"${pytest[@]}" -p no:cacheprovider -v --basetemp="$work/pytest" "$source_root/python/tests"

mkdir -m 700 "$work/store"
export SEALSTATE_EXAMPLE_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
printed="$(PYTHONPATH="$source_root/python" python3 "$source_root/examples/readme_example.py" "$work/store")"
echo "$printed"
check_example_is_current Python "$printed" "$cli" "$work/store"
