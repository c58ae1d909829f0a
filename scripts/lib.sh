# Shared by demo.sh and test.sh: install what is missing, then configure and build.
# Sourced, not run.

SEALSTATE_PACKAGES=(
  meson ninja-build pkg-config g++ python3
  libsodium-dev rapidjson-dev libcli11-dev catch2 scdoc man-db groff-base
  strace  # the syscall-order audit (tests/reliability/process)
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

# Configures (system packages only: no downloads) and builds into $1.
build_sealstate() {
  local builddir="$1"
  if [ -f "$builddir/build.ninja" ]; then
    meson setup --reconfigure "$builddir" --wrap-mode=nofallback >/dev/null
  else
    meson setup "$builddir" --wrap-mode=nofallback >/dev/null
  fi
  ninja -C "$builddir"
}
