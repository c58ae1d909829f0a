# Shared by demo.sh and test.sh: install what is missing, then configure and build.
# Sourced, not run.

SEALSTATE_PACKAGES=(
  meson ninja-build pkg-config g++ python3
  libsodium-dev libzstd-dev rapidjson-dev libcli11-dev catch2 scdoc man-db groff-base
  libpq-dev postgresql  # the postgres backend and its test server (scripts/postgres_server.sh)
  strace  # the syscall-order audit (tests/reliability/process)
  # Fuzzing and sanitizers (scripts/fuzz.sh, scripts/sanitizers.sh).
  clang-14 libclang-rt-14-dev valgrind
  clang-format-14  # tests/check_format.sh
  golang-go python3-pytest  # the Go and Python packages' tests (tests/bindings)
)

# Installs the Debian packages above that are not installed yet (apt-get, only when missing).
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "${SEALSTATE_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "sealstate: installing missing packages: ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Configures (system packages only: no downloads; warnings are errors here, not for packagers)
# and builds into $1; further arguments are meson options (e.g. --buildtype=release).
build_sealstate() {
  local builddir="$1"
  shift
  local options=(--wrap-mode=nofallback -Dwerror=true "$@")
  if [ -f "$builddir/build.ninja" ]; then
    meson setup --reconfigure "$builddir" "${options[@]}" >/dev/null
  else
    meson setup "$builddir" "${options[@]}" >/dev/null
  fi
  ninja -C "$builddir"
}

# Configures $1 with clang-14 and -Db_sanitize=$2 (plus any further meson options), for the
# sanitizer and fuzzing builds. The whole project is instrumented; b_lundef=false lets the
# shared library leave the sanitizer runtime to the executables.
configure_clang() {
  local builddir="$1" sanitize="$2"
  shift 2
  local options=(--wrap-mode=nofallback -Dwerror=true -Db_sanitize="$sanitize" -Db_lundef=false "$@")
  if [ -f "$builddir/build.ninja" ]; then
    meson setup --reconfigure "$builddir" "${options[@]}" >/dev/null
  else
    CC=clang-14 CXX=clang++-14 meson setup "$builddir" "${options[@]}" >/dev/null
  fi
}

# Configures as configure_clang, then builds everything.
build_clang() {
  configure_clang "$@"
  ninja -C "$1"
}
