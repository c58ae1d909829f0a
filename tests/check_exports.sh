#!/usr/bin/env bash
# Fails if the shared library ($1) exports an internal symbol: anything in sealstate::internal
# (except DieOnBadResultAccess, which the public Result template calls) or in an anonymous
# namespace. Only what the public headers mark SEALSTATE_EXPORT may be exported. The C symbols
# (not C++-mangled) are pinned: exactly the functions the C header ($2, sealstate_c.h) declares
# SEALSTATE_C_EXPORT, so adding, renaming or dropping one is a deliberate change of the C ABI
# (see the header's ABI policy). Exits 77 (meson's "skipped") without nm.
set -uo pipefail
library="${1:?usage: check_exports.sh LIBRARY C_HEADER}"
c_header="${2:?usage: check_exports.sh LIBRARY C_HEADER}"
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
declared_c="$(grep -o 'SEALSTATE_C_EXPORT [^(]*\bsealstate_[a-z0-9_]*(' "$c_header" |
  grep -o 'sealstate_[a-z0-9_]*' | sort)"
exported_c="$(nm -D --defined-only "$library" | awk '$3 !~ /^_Z/ {print $3}' | sort)"
if [ "$declared_c" != "$exported_c" ]; then
  echo "FAIL the C symbols $library exports differ from those $c_header declares (< declared, > exported):" >&2
  diff <(printf '%s\n' "$declared_c") <(printf '%s\n' "$exported_c") >&2
  exit 1
fi
echo "$(printf '%s\n' "$exported" | grep -c ' sealstate::') sealstate symbols exported, none internal;" \
  "$(printf '%s\n' "$exported_c" | grep -c .) C symbols, as $(basename "$c_header") declares"
