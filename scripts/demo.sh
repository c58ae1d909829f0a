#!/usr/bin/env bash
# Installs what is missing, builds, and runs an end-to-end session of the sealstate CLI on a
# throwaway store: keygen, three commits, list, show, a rollback, a lock held by one process
# while another times out, a SIGKILLed holder found stale and force-unlocked, verify, the
# audit journal and the history. Then the stack moves to a throwaway PostgreSQL server
# (scripts/postgres_server.sh) and two "machines" contend for its lock. Then runs the README's
# embedding example. Every command is printed before it
# runs; expected failures are checked for their exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages
builddir="${SEALSTATE_BUILD_DIR:-build}"
build_sealstate "$builddir" >/dev/null

sealstate_bin="$builddir/src/cli/sealstate"
if [ ! -x "$sealstate_bin" ]; then
  echo "demo: $sealstate_bin was not built" >&2
  exit 1
fi

# Everything lives in a throwaway directory: the store ($root) and a stand-in CI job.
tmp="$(mktemp -d /tmp/sealstate-demo-XXXXXX)"
root="$tmp/store"
holder_pid=""
pg_dir=""
cleanup() {
  if [ -n "$holder_pid" ]; then kill -KILL "$holder_pid" 2>/dev/null || true; fi
  if [ -n "$pg_dir" ]; then scripts/postgres_server.sh stop "$pg_dir" || true; fi
  if [ -s "$tmp/ci-job.pid" ]; then kill -KILL "$(cat "$tmp/ci-job.pid")" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# The stack every command below works on.
export SEALSTATE_ROOT="$root" SEALSTATE_FACTORY=network SEALSTATE_STACK=prod

step() { printf '\n== %s\n' "$*"; }
# Prints a command, then runs it.
run() {
  printf '$ sealstate %s\n' "$*"
  "$sealstate_bin" "$@"
}
# Runs a command that must fail with exit status $1 and print $2 on stderr; shows its stderr.
expect_failure() {
  local want="$1" needle="$2" got=0 err
  shift 2
  printf '$ sealstate %s    # expected to fail with exit status %s\n' "$*" "$want"
  err="$("$sealstate_bin" "$@" 2>&1 >/dev/null)" || got=$?
  printf '%s\n' "$err" >&2
  if [ "$got" -ne "$want" ] || [[ "$err" != *"$needle"* ]]; then
    echo "demo: expected exit status $want and \"$needle\" on stderr, got exit status $got" >&2
    exit 1
  fi
  echo "(exit status $got)"
}
# A small valid snapshot of network/prod: $1 is the VPC's CIDR block, $2 its id.
snapshot() {
  cat <<EOF
{
  "format-version": 1,
  "factory": {"name": "network", "version": "v1.4.0", "content-revision": "9f2c1e"},
  "stack": "prod",
  "generated-at": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "entries": [
    {
      "address": "resource.vpc",
      "entry-kind": "leaf",
      "category": "resource",
      "binding": {"alias": "aws", "kind": "vpc"},
      "inputs": {"cidr-block": "$1"},
      "outputs": {"id": "$2"}
    }
  ]
}
EOF
}

step "keygen: a throwaway key for this demo (real keys live in a secret store)"
echo '$ export SEALSTATE_KEY="$(sealstate keygen)"'
SEALSTATE_KEY="$("$sealstate_bin" keygen)"
export SEALSTATE_KEY
echo "SEALSTATE_KEY is set ($(printf '%s' "$SEALSTATE_KEY" | wc -c) base64 characters; not shown)"

step "commit three snapshots"
revs=()
for cidr in 10.0.0.0/16 10.1.0.0/16 10.2.0.0/16; do
  echo "$ <snapshot with cidr-block $cidr> | sealstate commit -"
  revs+=("$(snapshot "$cidr" "vpc-${cidr%%.0.0/16}" | "$sealstate_bin" commit -)")
  echo "${revs[-1]}"
done

step "list: oldest first, * marks current"
run list

step "show the current snapshot"
run show

step "roll back to the second revision with set-current"
run set-current "${revs[1]}"
run list
run --json current

# Waits (up to 5 s) until lock-status says "held".
wait_until_held() {
  local _
  for _ in $(seq 100); do
    if [ "$("$sealstate_bin" lock-status | head -n 1)" = held ]; then return 0; fi
    sleep 0.05
  done
  echo "demo: the lock was never taken" >&2
  exit 1
}

step "one process holds the lock; another gives up after 500ms and names the holder"
echo '$ sealstate lock -- sleep 3 &'
"$sealstate_bin" lock -- sleep 3 &
holder_pid=$!
wait_until_held
run lock-status
expect_failure 4 "pid $holder_pid" --lock-timeout 500ms set-current "${revs[2]}"
wait "$holder_pid"
holder_pid=""
echo "(the holder's command is done; the lock was released)"
run lock-status

step "a CI job killed with SIGKILL while holding the lock leaves a stale lock"
# The job: records its pid, then works for (up to) 30 s.
printf '#!/bin/sh\necho $$ > "%s"\nexec sleep 30\n' "$tmp/ci-job.pid" > "$tmp/ci-job"
chmod +x "$tmp/ci-job"
echo "$ sealstate lock -- $tmp/ci-job &"
"$sealstate_bin" lock -- "$tmp/ci-job" &
holder_pid=$!
wait_until_held
for _ in $(seq 100); do
  if [ -s "$tmp/ci-job.pid" ]; then break; fi
  sleep 0.05
done
echo "$ kill -KILL $holder_pid    # the CI runner kills sealstate, then the job"
kill -KILL "$holder_pid"
wait "$holder_pid" 2>/dev/null || true
holder_pid=""
kill -KILL "$(cat "$tmp/ci-job.pid")" 2>/dev/null || true
rm -f "$tmp/ci-job.pid"
run lock-status
run force-unlock
echo "(force-unlock again: there is no lock, so it succeeds and does nothing)"
run force-unlock
run set-current "${revs[2]}"

step "verify every revision"
run verify

step "verify --chain: each header names its parent (and its digest); the walk names a deleted or swapped revision"
run verify --chain

step "rotate the key: rekey re-wraps every revision's data key for a new key (payloads untouched)"
echo '$ export NEW_KEY="$(sealstate keygen)"'
NEW_KEY="$("$sealstate_bin" keygen)"
export NEW_KEY
run --key env:NEW_KEY --key env:SEALSTATE_KEY rekey
run --key env:NEW_KEY keys
expect_failure 5 "wrong key" show
echo '$ export SEALSTATE_KEY="$NEW_KEY"    # the old key opens nothing any more: it can be destroyed'
SEALSTATE_KEY="$NEW_KEY"
run show >/dev/null && echo "(the new key opens the current revision)"

step "the audit journal"
run log

step "the files of the stack (0700 directories, 0600 files)"
(cd "$root" && find network -printf '%M %p\n' | sort -k2)
echo "first line of a snapshot file (its v3 header; the rest is ciphertext):"
head -n 1 "$root/network/prod/snapshots/${revs[0]}.json.enc"

step "history: every revision newest first, from the journal (no key needed)"
run history

step "share the stack with your team: copy it to PostgreSQL (a throwaway server here)"
eval "$(scripts/postgres_server.sh start)"
pg_dir="$SEALSTATE_TEST_POSTGRES_DIR"
spec="$SEALSTATE_TEST_POSTGRES"
run migrate-schema --backend "$spec"
run copy --to "$spec"
run --backend "$spec" list
run --backend "$spec" verify

# Runs sealstate as another machine: its own host name when we may set one (root: a UTS
# namespace of its own), else this host.
as_machine() {
  local host="$1"
  shift
  if [ "$(id -u)" -eq 0 ] && unshare --uts true 2>/dev/null; then
    unshare --uts sh -c 'hostname "$0" && exec "$@"' "$host" "$sealstate_bin" "$@"
  else
    "$sealstate_bin" "$@"
  fi
}

step "two machines share the stack's lock through the server"
echo "$ sealstate --backend SPEC lock -- sleep 3 &    # on ci-runner"
as_machine ci-runner --backend "$spec" lock -- sleep 3 &
holder_pid=$!
for _ in $(seq 100); do
  if [ "$("$sealstate_bin" --backend "$spec" lock-status | head -n 1)" = held ]; then break; fi
  sleep 0.05
done
run --backend "$spec" lock-status
printf '$ sealstate --backend SPEC --lock-timeout 500ms set-current %s    # on laptop: expected to fail with exit status 4\n' "${revs[1]}"
got=0
as_machine laptop --backend "$spec" --lock-timeout 500ms set-current "${revs[1]}" || got=$?
if [ "$got" -ne 4 ]; then
  echo "demo: expected exit status 4 (locked), got $got" >&2
  exit 1
fi
echo "(exit status 4: the holder is named above)"
echo "$ sealstate --backend SPEC --lock-timeout 10s set-current ${revs[1]}    # on laptop: waits for the hand-off"
as_machine laptop --backend "$spec" --lock-timeout 10s set-current "${revs[1]}"
wait "$holder_pid"
holder_pid=""
run --backend "$spec" log

step "the README's embedding example (examples/readme_example.cc) on its own stack"
export SEALSTATE_EXAMPLE_KEY="$SEALSTATE_KEY"
"$builddir/examples/readme_example" "$root/example"

echo
echo "demo: done"
