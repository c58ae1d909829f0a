#!/usr/bin/env bash
# The unit and reliability suites under dynamic checkers:
#   asan      clang-14, ASan+UBSan (build-asan, shared with scripts/fuzz.sh): the unit and
#             reliability suites; leaks, memory errors and undefined behaviour fail the test
#             (UBSan halts on the first report; tests/ubsan.supp silences RapidJSON 1.1.0's one).
#   tsan      clang-14, TSan (build-tsan): the threaded tests: local-store, lock, journal,
#             pipeline (the second thread of big seals and opens), envelope-v2 (which uses it),
#             memory-store and conformance (threads committing through both backends).
#   valgrind  valgrind memcheck --leak-check=full on the unit suite's executables of the gcc
#             build ($SEALSTATE_BUILD_DIR, default build; already built by scripts/test.sh).
# Tests in suite 'no-sanitizer' (RSS measurements) are left out of all three. Tests see
# SEALSTATE_SANITIZER=address|thread|valgrind, should they need to scale a figure down.
# Usage: scripts/sanitizers.sh [asan] [tsan] [valgrind]   (default: all three)
# Results: build-asan/meson-logs/asan*.json, build-tsan/meson-logs/tsan*.json,
# $SEALSTATE_BUILD_DIR/meson-logs/valgrind*.json (meson appends the wrapper's name to the log
# name: valgrind-valgrind.json, tsan-setarch.json).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

steps=("$@")
if [ "${#steps[@]}" -eq 0 ]; then steps=(asan tsan valgrind); fi
ensure_packages
suppressions="$PWD/tests/ubsan.supp"
jobs="${SEALSTATE_TEST_JOBS:-2}"

run_asan() {
  local dir="${SEALSTATE_ASAN_BUILD_DIR:-build-asan}"
  # -Dfuzz=true: the same build serves scripts/fuzz.sh, so the project is compiled once.
  build_clang "$dir" address,undefined -Dfuzz=true
  rm -f "$dir"/meson-logs/asan*.json
  SEALSTATE_SANITIZER=address \
  ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:strict_init_order=1:halt_on_error=1" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$suppressions" \
    meson test -C "$dir" --no-rebuild --suite unit --suite reliability --no-suite no-sanitizer \
      --timeout-multiplier 3 --num-processes "$jobs" --logbase asan --print-errorlogs
}

run_tsan() {
  local dir="${SEALSTATE_TSAN_BUILD_DIR:-build-tsan}"
  configure_clang "$dir" thread
  ninja -C "$dir" tests/local_store_test tests/lock_test tests/journal_test tests/pipeline_test tests/envelope_v2_test \
    tests/memory_store_test tests/conformance_test
  rm -f "$dir"/meson-logs/tsan*.json
  # LLVM 14's TSan cannot map its shadow under more than 28 bits of mmap randomisation; run the
  # tests without ASLR when the machine lets us (setarch -R), which costs nothing otherwise.
  local wrapper=()
  if setarch "$(uname -m)" -R true 2>/dev/null; then wrapper=(--wrapper "setarch $(uname -m) -R"); fi
  SEALSTATE_SANITIZER=thread TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
    meson test -C "$dir" --no-rebuild "${wrapper[@]}" --timeout-multiplier 3 --num-processes "$jobs" \
      --logbase tsan --print-errorlogs local-store lock journal pipeline envelope-v2 memory-store conformance
}

run_valgrind() {
  local dir="${SEALSTATE_BUILD_DIR:-build}"
  build_sealstate "$dir" >/dev/null
  rm -f "$dir"/meson-logs/valgrind*.json
  SEALSTATE_SANITIZER=valgrind \
    meson test -C "$dir" --no-rebuild --suite unit --no-suite no-sanitizer \
      --wrapper "valgrind --error-exitcode=1 --leak-check=full --quiet" \
      --timeout-multiplier 10 --num-processes "$jobs" --logbase valgrind --print-errorlogs
}

status=0
for step in "${steps[@]}"; do
  case "$step" in
    asan) run_asan || status=1 ;;
    tsan) run_tsan || status=1 ;;
    valgrind) run_valgrind || status=1 ;;
    *) echo "sanitizers: unknown step $step (asan, tsan, valgrind)" >&2; exit 2 ;;
  esac
done
exit "$status"
