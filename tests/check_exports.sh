#!/usr/bin/env bash
# Fails if the shared library ($1) exports an internal symbol: anything in sealstate::internal
# (except DieOnBadResultAccess, which the public Result template calls) or in an anonymous
# namespace. Only what the public headers mark SEALSTATE_EXPORT may be exported. Exits 77
# (meson's "skipped") without nm.
set -uo pipefail
library="${1:?usage: check_exports.sh LIBRARY}"
if ! command -v nm >/dev/null 2>&1; then
  echo "nm is not installed: skipping" >&2
  exit 77
fi
if ! exported="$(nm -DC --defined-only "$library")"; then
  echo "FAIL nm could not read $library" >&2
  exit 1
fi
leaked="$(printf '%s\n' "$exported" | grep -E 'sealstate::internal::|anonymous namespace' |
  grep -v 'sealstate::internal::DieOnBadResultAccess(')"
if [ -n "$leaked" ]; then
  echo "FAIL $library exports internal symbols (build with hidden visibility; export only the public API):" >&2
  printf '%s\n' "$leaked" >&2
  exit 1
fi
echo "$(printf '%s\n' "$exported" | grep -c ' sealstate::') sealstate symbols exported, none internal"
