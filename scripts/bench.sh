#!/usr/bin/env bash
# The benchmark: sealstate against the hardware floor and against the tools users would
# pick instead, every figure a ratio measured in the same run. Installs what is missing
# (hyperfine, restic, sqlite3, git, strace), builds an optimised sealstate and sealstate-bench,
# runs the in-process rows, then the CLI rows with hyperfine, and prints one table; writes
# bench/results.json. Takes about 3 minutes on the 2-vCPU machine.
#
# Environment:
#   SEALSTATE_BENCH_BUILD  build directory (default build-bench)
#   SEALSTATE_BENCH_DIR    where stores and peer repositories go; must be on the work disk, not a
#                          tmpfs (default $PWD/build-bench/run). A fresh run-* directory is made
#                          in it and removed at the end.
#   SEALSTATE_BENCH_QUICK  1: smoke sizes in-process and fewer CLI runs (a few minutes), for trying
#                          the script out; its table is not the benchmark
#   SEALSTATE_BENCH_ALLOW_LOAD  1: run and write bench/results.json even though the load average at
#                          the start is above the core count (otherwise refused before anything is
#                          built, exit 1: other work on the CPUs turns the ratios into noise); the
#                          load at start and end is recorded in results.json either way
set -euo pipefail
cd "$(dirname "$0")/.."
# Before this script adds any load of its own (installing, building).
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck source=lib.sh
source scripts/lib.sh

# Only what the bench needs (ensure_packages installs SEALSTATE_PACKAGES when missing).
SEALSTATE_PACKAGES=(meson ninja-build pkg-config g++ python3 libsodium-dev rapidjson-dev libcli11-dev
                    libpq-dev postgresql hyperfine restic sqlite3 git strace)
ensure_packages

cpu_model="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "sealstate-bench: machine: ${cpu_model:-unknown CPU}, $(nproc) cores; load average at start $load_at_start" >&2
python3 bench/report.py --check-load "$load_at_start"  # exits 1, saying why, on a busy machine

builddir="${SEALSTATE_BENCH_BUILD:-build-bench}"
quick="${SEALSTATE_BENCH_QUICK:-0}"

# -O2 (what the hardware floors in the README's Performance section and the RapidJSON floor rows
# were measured with), no asserts.
configure_bench() {
  local options=(--wrap-mode=nofallback -Doptimization=2 -Ddebug=false -Db_ndebug=true -Dtests=disabled
                 -Dman-pages=disabled)
  if [ -f "$builddir/build.ninja" ]; then
    meson setup --reconfigure "$builddir" "${options[@]}" >/dev/null
  else
    meson setup "$builddir" "${options[@]}" >/dev/null
  fi
}
configure_bench
ninja -C "$builddir" -j2 src/cli/sealstate bench/sealstate-bench >/dev/null

sealstate="$PWD/$builddir/src/cli/sealstate"
bench="$PWD/$builddir/bench/sealstate-bench"
parent="${SEALSTATE_BENCH_DIR:-$PWD/$builddir/run}"
mkdir -p -m 700 "$parent"
run="$(mktemp -d "$parent/run-XXXXXX")"
chmod 700 "$run"
# The postgres rows run against a throwaway server (scripts/postgres_server.sh), removed on exit.
eval "$(scripts/postgres_server.sh start)"
export SEALSTATE_BENCH_POSTGRES="$SEALSTATE_TEST_POSTGRES"
trap 'rm -rf "$run"; scripts/postgres_server.sh stop "$SEALSTATE_TEST_POSTGRES_DIR"' EXIT
umask 077
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
filesystem="$(df --output=fstype "$run" | tail -1 | tr -d ' ')"
echo "sealstate-bench: working in $run ($filesystem)" >&2

# ---- in-process rows -------------------------------------------------------------------------
inprocess_args=()
if [ "$quick" = 1 ]; then inprocess_args=(--smoke); fi
"$bench" "${inprocess_args[@]}" --dir "$run" --json "$run/inprocess.jsonl" >&2

# ---- CLI rows ---------------------------------------------------------------------------------
export SEALSTATE_KEY
SEALSTATE_KEY="$("$sealstate" keygen)"  # never printed
export RESTIC_PASSWORD="sealstate-bench-$RANDOM$RANDOM"
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost

# One directory per document size: work/state.json (the document, regenerated before every
# timed run; also git's work tree), store/ (sealstate), db.sqlite, restic/.
setup_size() {
  local dir="$1" resources="$2"
  mkdir -p "$dir/work" "$dir/store"
  "$bench" gen-doc --resources "$resources" --factory bench --stack cli --out "$dir/work/state.json"
  git -C "$dir/work" init -q
  git -C "$dir/work" add state.json
  git -C "$dir/work" -c core.fsync=all commit -q -m initial
  sqlite3 "$dir/db.sqlite" "CREATE TABLE snapshots(id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
  RESTIC_CACHE_DIR="$dir/restic-cache" restic -q -r "$dir/restic" init >/dev/null
}

commit_cmd() {  # $1 tool, $2 dir
  case "$1" in
    sealstate) echo "$sealstate --root $2/store --factory bench --stack cli commit $2/work/state.json" ;;
    sqlite3) echo "sqlite3 $2/db.sqlite \"PRAGMA synchronous=FULL; INSERT INTO snapshots(data) VALUES (readfile('$2/work/state.json'));\"" ;;
    git) echo "git -C $2/work -c core.fsync=all commit -q --no-verify -m snapshot -- state.json" ;;
    restic) echo "restic -q -r $2/restic --cache-dir $2/restic-cache backup $2/work/state.json" ;;
  esac
}

show_cmd() {  # $1 tool, $2 dir
  case "$1" in
    sealstate) echo "$sealstate --root $2/store --factory bench --stack cli show" ;;
    sqlite3) echo "sqlite3 $2/db.sqlite \"SELECT writefile('$2/out.json', data) FROM snapshots ORDER BY id DESC LIMIT 1;\"" ;;
    git) echo "git -C $2/work show HEAD:state.json" ;;
    restic) echo "restic -q -r $2/restic --cache-dir $2/restic-cache dump latest $2/work/state.json" ;;
  esac
}

# hyperfine in two rounds, the second in reverse order, so drift hits every tool alike; the
# report merges both rounds' samples. $1 label, $2 command kind, $3 dir, $4 resources,
# $5 runs per round, $6 prepare (1: fresh document before every run).
hyperfine_rounds() {
  local label="$1" kind="$2" dir="$3" resources="$4" runs="$5" fresh="$6"
  local tools=(sealstate sqlite3 git restic) round args tool
  for round in 1 2; do
    args=(-N --warmup 2 --runs "$runs" --export-json "$run/hf-$label-$round.json" --style none)
    for tool in "${tools[@]}"; do
      if [ "$fresh" = 1 ]; then
        args+=(--prepare "$bench gen-doc --resources $resources --factory bench --stack cli --out $dir/work/state.json")
      fi
      args+=(-n "$tool" "$("${kind}_cmd" "$tool" "$dir")")
    done
    echo "sealstate-bench: hyperfine $label round $round" >&2
    hyperfine "${args[@]}" >/dev/null
    tools=(restic git sqlite3 sealstate)
  done
}

# fsync-class calls per commit, counted with strace on a steady-state commit of each tool: each
# commits a fresh document twice and the second is traced (the first commit of a new store also
# creates and syncs its directories).
count_fsyncs() {
  local dir="$1" resources="$2" tool trace
  for tool in sealstate sqlite3 git restic; do
    trace="$run/strace-$tool.txt"
    "$bench" gen-doc --resources "$resources" --factory bench --stack cli --out "$dir/work/state.json"
    eval "$(commit_cmd "$tool" "$dir")" >/dev/null
    "$bench" gen-doc --resources "$resources" --factory bench --stack cli --out "$dir/work/state.json"
    eval "strace -f -qq -o $trace -e trace=fsync,fdatasync,sync_file_range,syncfs $(commit_cmd "$tool" "$dir")" >/dev/null
    echo "$tool $(grep -c -E '(fsync|fdatasync|sync_file_range|syncfs)\(' "$trace")"
  done >"$run/fsyncs.txt"
}

if [ "$quick" = 1 ]; then runs=(5 4 3); else runs=(15 10 5); fi
sizes=(small 10 1mib 1000 16mib 15000)
for i in 0 1 2; do
  label="${sizes[$((2 * i))]}" resources="${sizes[$((2 * i + 1))]}"
  dir="$run/cli-$label"
  setup_size "$dir" "$resources"
  if [ "$label" = small ]; then count_fsyncs "$dir" "$resources"; fi
  hyperfine_rounds "commit-$label" commit "$dir" "$resources" "${runs[$i]}" 1
  if [ "$label" = 16mib ]; then hyperfine_rounds "show-$label" show "$dir" "$resources" "${runs[$i]}" 0; fi
  rm -rf "$dir"  # large files go as soon as their rows are done
done

python3 bench/report.py --run "$run" --started "$started" --out bench/results.json --markdown "$builddir/results.md" \
  --load-at-start "$load_at_start" --filesystem "$filesystem"
echo "sealstate-bench: load average at end $(cut -d' ' -f1-3 /proc/loadavg)" >&2
