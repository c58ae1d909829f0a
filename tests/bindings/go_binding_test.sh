#!/usr/bin/env bash
# The Go package (go/sealstate) against an installed copy of the build ($1; source root $2):
# gofmt -l prints nothing and go vet passes for the package and the README's Go example, go test
# passes (with the CLI $3 for the test that lists what Go wrote), and the README's Go example
# (examples/readme_example_go) builds, runs, and its revision is what `sealstate list` shows as
# current.
set -euo pipefail
build="${1:?usage: go_binding_test.sh BUILD_DIR SOURCE_ROOT SEALSTATE_CLI}"
source_root="$(realpath "${2:?usage: go_binding_test.sh BUILD_DIR SOURCE_ROOT SEALSTATE_CLI}")"
cli="$(realpath "${3:?usage: go_binding_test.sh BUILD_DIR SOURCE_ROOT SEALSTATE_CLI}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/example_current.sh"
source "$(dirname "$0")/go_env.sh"
go_env "$build" "$work"

for module in go/sealstate examples/readme_example_go; do
  cd "$source_root/$module"
  unformatted="$(gofmt -l .)"
  if [ -n "$unformatted" ]; then
    echo "FAIL gofmt would change, in $module: $unformatted (run gofmt -w)" >&2
    exit 1
  fi
  go vet ./...
done

cd "$source_root/go/sealstate"
SEALSTATE_CLI="$cli" go test -count=1 -v ./...

cd "$source_root/examples/readme_example_go"
go build -o "$work/readme_example_go" .
mkdir -m 700 "$work/store"
export SEALSTATE_EXAMPLE_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
printed="$("$work/readme_example_go" "$work/store")"
echo "$printed"
check_example_is_current Go "$printed" "$cli" "$work/store"
