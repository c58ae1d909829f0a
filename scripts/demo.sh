#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: the README's embedding example, which
# opens a stack in a fresh store, commits a snapshot and reads current back, then shows the files.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages
builddir="${SEALSTATE_BUILD_DIR:-build}"
build_sealstate "$builddir" >/dev/null

# A throwaway key for the demo only; real keys come from `sealstate keygen` and a secret store.
SEALSTATE_EXAMPLE_KEY="$(head -c 32 /dev/urandom | base64)"
export SEALSTATE_EXAMPLE_KEY
demo_root="$(mktemp -d /tmp/sealstate-demo-XXXXXX)"
"$builddir/examples/readme_example" "$demo_root"
"$builddir/examples/readme_example" "$demo_root"
echo
echo "The store at $demo_root:"
(cd "$demo_root" && find . -printf '%M %p\n' | sort -k2)
echo
echo "The first line of a snapshot file (its v2 header; the rest is ciphertext):"
head -n 1 "$(ls "$demo_root"/network/prod/snapshots/*.json.enc | head -n 1)"
echo
echo "The audit journal:"
cat "$demo_root/network/prod/journal"
