# Sourced by the Go binding's tests (go_binding_test.sh, cross_language_test.sh). go_env BUILD_DIR
# WORK_DIR installs the build into WORK_DIR (install_build.sh: pkg-config sealstate then names
# the installed copy, which `#cgo pkg-config: sealstate` uses) and sets up the go command for a
# clean machine: its caches under WORK_DIR (HOME may be unwritable; and go does not key its
# build cache on pkg-config's output, so a cache kept across runs links against a removed
# install), no module downloads (GOPROXY=off: the packages use the standard library only), no
# user or workspace settings, cgo on, and LD_LIBRARY_PATH at the installed library. Fails when go
# is not installed.
source "$(dirname "${BASH_SOURCE[0]}")/../install_build.sh"

go_env() {
  local build="$1" work="$2"
  if ! command -v go >/dev/null 2>&1; then
    echo "FAIL go is not installed (Debian: apt-get install golang-go; scripts/test.sh installs it)" >&2
    exit 1
  fi
  install_build "$build" "$work"
  export GOCACHE="$work/go-cache" GOPATH="$work/go-path" GOPROXY=off GOENV=off \
    GOWORK=off GOFLAGS= GO111MODULE=on CGO_ENABLED=1
  export LD_LIBRARY_PATH="$installed_library_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}
