#!/usr/bin/env bash
# A backend written outside the tree passes the conformance suite: installs the build ($1) into
# a temporary directory, compiles tests/out_of_tree/ (source root $2) with the C++ compiler
# ($CXX, default c++) against the installed headers and `pkg-config sealstate-testing`, and runs
# it: the "wrapped" backend, registered by name and opened from its spec, through the suite.
set -euo pipefail
build="${1:?usage: out_of_tree_test.sh BUILD_DIR SOURCE_ROOT}"
source_root="${2:?usage: out_of_tree_test.sh BUILD_DIR SOURCE_ROOT}"
cxx="${CXX:-c++}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

meson install -C "$build" --destdir "$work/install" --no-rebuild --quiet
pc="$(find "$work/install" -name sealstate-testing.pc)"
library="$(find "$work/install" -name 'libsealstate.so' )"
if [ -z "$pc" ] || [ -z "$library" ]; then
  echo "FAIL the installation lacks sealstate-testing.pc or libsealstate.so" >&2
  exit 1
fi
# The .pc files name the configured prefix; the sysroot maps it into the temporary install.
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$work/install"
read -r -a flags <<<"$(pkg-config --cflags --libs sealstate-testing)"
read -r -a compiler <<<"$cxx"
"${compiler[@]}" -std=c++20 -Wall -Wextra -Werror -o "$work/backend_test" \
  "$source_root"/tests/out_of_tree/*.cc "${flags[@]}"

mkdir -m 700 "$work/store"
LD_LIBRARY_PATH="$(dirname "$library")" TEST_STORE_DIR="$work/store" "$work/backend_test"
