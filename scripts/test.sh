#!/usr/bin/env bash
# Installs what is missing, builds, runs every test suite, and ends with "N passed, N failed".
# Exits non-zero if any test failed or none ran.
#
# The default run (each step's meson tests count in the final line):
#   1. the gcc build ($SEALSTATE_BUILD_DIR, default build): every suite, the postgres ones against
#      a throwaway server (scripts/postgres_server.sh);
#   2. valgrind memcheck on the unit suite of that build;
#   3. clang-14 ASan+UBSan (build-asan): the unit and reliability suites;
#   4. libFuzzer (same build): every target in fuzz/ for SEALSTATE_FUZZ_SECONDS (default 30);
#   5. clang-14 TSan (build-tsan): the threaded tests (local-store, lock, journal, pipeline, envelope-v2);
#   6. the build matrix (build-matrix/): compile only, warnings as errors, the optimisation levels
#      the builds above do not use (g++ release, clang-14 minsize, g++ plain).
# Steps 2-6 are scripts/sanitizers.sh, scripts/fuzz.sh and scripts/build_matrix.sh. --long (or
# SEALSTATE_LONG=1) runs the release sizes (and 600 s per fuzz target). SEALSTATE_SANITIZERS=0 skips steps 2, 3 and 5 and
# SEALSTATE_FUZZ=0 step 4, SEALSTATE_MATRIX=0 step 6, for a quick local run; CI runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [ "${1:-}" = "--long" ]; then export SEALSTATE_LONG=1; fi
ensure_packages
builddir="${SEALSTATE_BUILD_DIR:-build}"
asan_dir="${SEALSTATE_ASAN_BUILD_DIR:-build-asan}"
tsan_dir="${SEALSTATE_TSAN_BUILD_DIR:-build-tsan}"
export SEALSTATE_BUILD_DIR="$builddir" SEALSTATE_ASAN_BUILD_DIR="$asan_dir" SEALSTATE_TSAN_BUILD_DIR="$tsan_dir"

# label=log pattern, for every step that ran; a step whose log is missing (its build failed)
# counts as one failure.
logs=()
rm -f "$builddir/meson-logs/testlog.json" "$builddir"/meson-logs/valgrind*.json "$asan_dir"/meson-logs/asan*.json \
  "$asan_dir"/meson-logs/fuzz*.json "$tsan_dir"/meson-logs/tsan*.json build-matrix/results.json

status=0
build_sealstate "$builddir"
# A throwaway PostgreSQL server for the postgres suites (scripts/postgres_server.sh), stopped and
# removed on exit whatever happens; with SEALSTATE_REQUIRE_POSTGRES=1 its tests fail without it.
eval "$(scripts/postgres_server.sh start)" || true
trap 'if [ -n "${SEALSTATE_TEST_POSTGRES_DIR:-}" ]; then scripts/postgres_server.sh stop "$SEALSTATE_TEST_POSTGRES_DIR"; fi' EXIT
export SEALSTATE_REQUIRE_POSTGRES=1
meson test -C "$builddir" --print-errorlogs --num-processes 2 || status=$?
logs+=("gcc=$builddir/meson-logs/testlog.json")

if [ "${SEALSTATE_SANITIZERS:-1}" != 0 ]; then
  scripts/sanitizers.sh valgrind asan || status=1
  logs+=("valgrind=$builddir/meson-logs/valgrind*.json" "asan=$asan_dir/meson-logs/asan*.json")
fi
if [ "${SEALSTATE_FUZZ:-1}" != 0 ]; then
  SEALSTATE_FUZZ_BUILD_DIR="$asan_dir" scripts/fuzz.sh || status=1
  logs+=("fuzz=$asan_dir/meson-logs/fuzz*.json")
fi
if [ "${SEALSTATE_SANITIZERS:-1}" != 0 ]; then
  scripts/sanitizers.sh tsan || status=1
  logs+=("tsan=$tsan_dir/meson-logs/tsan*.json")
fi
if [ "${SEALSTATE_MATRIX:-1}" != 0 ]; then
  SEALSTATE_MATRIX_DIR=build-matrix scripts/build_matrix.sh || status=1
  logs+=("matrix=build-matrix/results.json")
fi

python3 - "${logs[@]}" <<'PY'
import glob, json, sys
passed = failed = 0
for arg in sys.argv[1:]:
    label, pattern = arg.split("=", 1)
    paths = sorted(glob.glob(pattern))
    if not paths:
        failed += 1
        print(f"FAILED: {label}: no test results ({pattern}): its build or setup failed", file=sys.stderr)
        continue
    for path in paths:
        with open(path) as log:
            for line in log:
                if not line.strip():
                    continue
                test = json.loads(line)
                if test["result"] in ("OK", "EXPECTEDFAIL", "SKIP"):
                    passed += 1
                else:
                    failed += 1
                    print(f"FAILED: {label}: {test['name']}", file=sys.stderr)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
PY
exit $(( status != 0 ? 1 : 0 ))
