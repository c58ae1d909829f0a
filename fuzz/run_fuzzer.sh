#!/usr/bin/env bash
# Runs one libFuzzer target for SEALSTATE_FUZZ_SECONDS (default 30; 600 with SEALSTATE_LONG=1)
# from its committed seed corpus, and prints "fuzz <target>: N executions, 0 crashes".
# The mutation seed is fixed (SEALSTATE_FUZZ_SEED, default 1) so runs are repeatable as far as
# a time-bounded run can be (a faster machine gets further along the same sequence).
# Fails on any crash, leak, timeout (10 s per input), out-of-memory (2048 MB) or UBSan report;
# the input that failed is kept under <work-dir>/artifacts/ and printed.
# Usage: run_fuzzer.sh FUZZER TARGET SEED_CORPUS_DIR WORK_DIR [SUPPRESSIONS_FILE]
set -uo pipefail
fuzzer="$1" target="$2" seeds="$3" work="$4" suppressions="${5:-}"

if [ -n "${SEALSTATE_FUZZ_SECONDS:-}" ]; then
  seconds="$SEALSTATE_FUZZ_SECONDS"
elif [ "${SEALSTATE_LONG:-0}" = 1 ]; then
  seconds=600
else
  seconds=30
fi

# New inputs go to a scratch corpus (the committed seeds stay untouched); artifacts are kept.
rm -rf "$work/corpus" "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
log="$work/fuzz.log"

ubsan="halt_on_error=1:print_stacktrace=1"
if [ -n "$suppressions" ]; then ubsan="$ubsan:suppressions=$suppressions"; fi
# Set here, not inherited: meson test would pass its own defaults, without the suppressions.
export UBSAN_OPTIONS="$ubsan"
# A smaller quarantine than ASan's 256 MB default keeps two fuzzers well inside a CI machine.
export ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=64"

# A guard above libFuzzer's own clock, in case the process wedges outside an input.
status=0
timeout --kill-after=30 $((seconds + 300)) "$fuzzer" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -seed="${SEALSTATE_FUZZ_SEED:-1}" -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$log" 2>&1 || status=$?

executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
executions="${executions:-0}"
artifacts=("$work"/artifacts/*)
if [ "$status" -ne 0 ] || [ -e "${artifacts[0]}" ] || [ "$executions" -eq 0 ]; then
  echo "fuzz $target: $executions executions, FAILED (exit status $status)"
  tail -n 60 "$log"
  for a in "${artifacts[@]}"; do [ -e "$a" ] && echo "failing input kept: $a"; done
  # libFuzzer reports a crash with exit status 77 by default, which meson would count as a skip.
  exit 1
fi
rm -rf "$work/corpus"
echo "fuzz $target: $executions executions, 0 crashes ($seconds s)"
