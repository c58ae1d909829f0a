#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang-14 under ASan+UBSan and fuzzes each one for
# SEALSTATE_FUZZ_SECONDS (default 30 s; 600 s with SEALSTATE_LONG=1 or --long) from its seed
# corpus in fuzz/corpus/<target>/, two targets at a time. Prints per target
# "fuzz <target>: N executions, 0 crashes"; exits non-zero on any crash, leak, timeout,
# out-of-memory or UBSan report (the failing input is kept and its path printed).
# The build dir is SEALSTATE_FUZZ_BUILD_DIR (default build-fuzz); scripts/test.sh shares its
# ASan+UBSan build dir with it. Test results: <build dir>/meson-logs/fuzz.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [ "${1:-}" = "--long" ]; then export SEALSTATE_LONG=1; fi
ensure_packages
builddir="${SEALSTATE_FUZZ_BUILD_DIR:-build-fuzz}"
build_clang "$builddir" address,undefined -Dfuzz=true

status=0
rm -f "$builddir/meson-logs/fuzz.json"
meson test -C "$builddir" --no-rebuild --suite fuzz --num-processes "${SEALSTATE_FUZZ_JOBS:-2}" \
  --logbase fuzz --print-errorlogs || status=$?
# The per-target figures, from the runs' output.
python3 - "$builddir/meson-logs/fuzz.json" <<'PY'
import json, sys
with open(sys.argv[1]) as log:
    for line in log:
        if line.strip():
            for out in json.loads(line).get("stdout", "").splitlines():
                if out.startswith("fuzz "):
                    print(out)
PY
exit "$status"
