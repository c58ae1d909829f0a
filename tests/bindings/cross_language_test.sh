#!/usr/bin/env bash
# A stack written from Go is read from Python and from the CLI, byte-identical: installs the
# build ($1; source root $2), runs go/sealstate/internal/crosslang against a fresh local store,
# and hands what Go read back to cross_language_check.py (Python over the installed library, and
# the CLI $3).
set -euo pipefail
build="${1:?usage: cross_language_test.sh BUILD_DIR SOURCE_ROOT SEALSTATE_CLI}"
source_root="$(realpath "${2:?usage: cross_language_test.sh BUILD_DIR SOURCE_ROOT SEALSTATE_CLI}")"
cli="$(realpath "${3:?usage: cross_language_test.sh BUILD_DIR SOURCE_ROOT SEALSTATE_CLI}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/go_env.sh"
go_env "$build" "$work"

(cd "$source_root/go/sealstate" && go build -o "$work/crosslang" ./internal/crosslang)
mkdir -m 700 "$work/store"
SEALSTATE_CROSS_KEY="$("$cli" keygen)"
export SEALSTATE_CROSS_KEY
"$work/crosslang" "$work/store" >"$work/go.json"
SEALSTATE_LIBRARY="$(find "$installed_library_dir" -name 'libsealstate.so.0')" PYTHONDONTWRITEBYTECODE=1 \
  python3 "$source_root/tests/bindings/cross_language_check.py" "$work/go.json" "$work/store" "$cli"
