#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: the README's embedding example, which
# seals a snapshot into a v2 envelope and reads it back.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages
builddir="${SEALSTATE_BUILD_DIR:-build}"
build_sealstate "$builddir" >/dev/null

# A throwaway key for the demo only; real keys come from `sealstate keygen` and a secret store.
SEALSTATE_EXAMPLE_KEY="$(head -c 32 /dev/urandom | base64)"
export SEALSTATE_EXAMPLE_KEY
"$builddir/examples/readme_example"
