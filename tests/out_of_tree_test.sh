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

source "$(dirname "$0")/install_build.sh"
install_build "$build" "$work"
read -r -a flags <<<"$(pkg-config --cflags --libs sealstate-testing)"
read -r -a compiler <<<"$cxx"
"${compiler[@]}" -std=c++20 -Wall -Wextra -Werror -o "$work/backend_test" \
  "$source_root"/tests/out_of_tree/*.cc "${flags[@]}"

mkdir -m 700 "$work/store"
LD_LIBRARY_PATH="$installed_library_dir" TEST_STORE_DIR="$work/store" "$work/backend_test"
