#!/usr/bin/env bash
# Compiles (no tests run) the optimisation levels the other builds of scripts/test.sh do not
# use, with warnings as errors, so that every meson buildtype stays warning-free for packagers.
# What a packager builds: the library, the CLI, the examples and the bench; the test suites
# (-Dtests=disabled here) are compiled by the gcc and sanitizer builds, and leaving them out
# saves about a third of each build:
#   g++ 12     --buildtype=release   (-O3: where g++'s flow-based warnings appear)
#   clang-14   --buildtype=minsize   (-Os)
#   g++ 12     --buildtype=plain     (no -O flag: what a distribution's own flags start from)
# (The gcc build is debugoptimized, -O2; the sanitizer builds are clang at -O2 too.)
# Writes one JSON line per build to $SEALSTATE_MATRIX_DIR/results.json (default build-matrix/),
# in the shape of meson's testlog.json, for test.sh's count. Exits non-zero if any build failed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages
top="${SEALSTATE_MATRIX_DIR:-build-matrix}"
mkdir -p "$top"
results="$top/results.json"
: >"$results"
status=0

# Builds one combination; $1 names it, $2 is the compiler pair (gcc or clang), the rest meson options.
compile_one() {
  local name="$1" compiler="$2"
  shift 2
  local dir="$top/$name" result=OK
  echo "build-matrix: $name" >&2
  if [ "$compiler" = clang ]; then
    CC=clang-14 CXX=clang++-14 build_sealstate "$dir" "$@" >"$top/$name.log" 2>&1 || result=FAIL
  else
    build_sealstate "$dir" "$@" >"$top/$name.log" 2>&1 || result=FAIL
  fi
  if [ "$result" = FAIL ]; then
    status=1
    echo "build-matrix: $name failed; the end of $top/$name.log:" >&2
    tail -n 40 "$top/$name.log" >&2
  fi
  printf '{"name": "build-matrix/%s", "result": "%s"}\n' "$name" "$result" >>"$results"
}

compile_one gcc-release gcc --buildtype=release -Dtests=disabled
compile_one clang-minsize clang --buildtype=minsize -Dtests=disabled
compile_one gcc-plain gcc --buildtype=plain -Dtests=disabled
exit $status
