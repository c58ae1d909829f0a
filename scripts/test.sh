#!/usr/bin/env bash
# Installs what is missing, builds, runs every test suite, and ends with "N passed, N failed".
# Exits non-zero if any test failed or none ran.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages
builddir="${SEALSTATE_BUILD_DIR:-build}"
build_sealstate "$builddir"

status=0
meson test -C "$builddir" --print-errorlogs --num-processes 2 || status=$?

python3 - "$builddir/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = 0
with open(sys.argv[1]) as log:
    for line in log:
        if not line.strip():
            continue
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL", "SKIP"):
            passed += 1
        else:
            failed += 1
            print("FAILED:", json.loads(line)["name"], file=sys.stderr)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
PY
exit $(( status != 0 ? 1 : 0 ))
