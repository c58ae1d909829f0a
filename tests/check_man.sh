#!/usr/bin/env bash
# Renders each man page given as an argument the way man(1) shows it on an 80-column terminal,
# with groff's warnings on, and fails if anything is printed on stderr (a warning, an error, a
# line that cannot be broken). Exits 77 (meson's "skipped") only when neither man nor groff is
# installed.
set -uo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: check_man.sh PAGE..." >&2
  exit 2
fi

if command -v man >/dev/null 2>&1; then
  render() { LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$1" 2>&1 >/dev/null; }
  renderer="man --warnings"
elif command -v groff >/dev/null 2>&1; then
  render() { LC_ALL=C.UTF-8 groff -t -ww -man -Tutf8 -rLL=78n -z "$1" 2>&1; }
  renderer="groff -t -ww"
else
  echo "neither man nor groff is installed: skipping" >&2
  exit 77
fi

failed=0
for page in "$@"; do
  if [ ! -s "$page" ]; then
    echo "FAIL $page: missing or empty" >&2
    failed=1
    continue
  fi
  # man -l itself can fail without printing a warning (e.g. no formatter): check both.
  if ! output="$(render "$page")"; then
    echo "FAIL $page: $renderer exited with an error" >&2
    failed=1
  fi
  if [ -n "$output" ]; then
    echo "FAIL $page: $renderer printed:" >&2
    printf '%s\n' "$output" >&2
    failed=1
  else
    echo "ok   $page"
  fi
done
exit "$failed"
