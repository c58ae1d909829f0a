#!/usr/bin/env bash
# The C ABI as an application sees it: installs the build ($1) into a temporary directory,
# compiles tests/c_api/c_api_test.c and the README's C example (source root $2) with the C
# compiler ($CC, default cc) as C99 with -Wall -Wextra -Wpedantic -Werror against the installed sealstate_c.h and
# `pkg-config sealstate`, and runs both against the installed libsealstate.so.
set -euo pipefail
build="${1:?usage: c_api_installed_test.sh BUILD_DIR SOURCE_ROOT}"
source_root="${2:?usage: c_api_installed_test.sh BUILD_DIR SOURCE_ROOT}"
cc="${CC:-cc}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

source "$(dirname "$0")/install_build.sh"
install_build "$build" "$work"
read -r -a flags <<<"$(pkg-config --cflags --libs sealstate)"
read -r -a compiler <<<"$cc"
for program in tests/c_api/c_api_test examples/readme_example_c; do
  "${compiler[@]}" -std=c99 -Wall -Wextra -Wpedantic -Werror -o "$work/$(basename "$program")" "$source_root/$program.c" "${flags[@]}"
done

export LD_LIBRARY_PATH="$installed_library_dir"
"$work/c_api_test" "$work"
mkdir -m 700 "$work/store"
SEALSTATE_EXAMPLE_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= "$work/readme_example_c" "$work/store"
