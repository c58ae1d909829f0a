# Sourced by the tests that build against an installed sealstate (out_of_tree_test.sh,
# c_api_installed_test.sh). install_build BUILD_DIR WORK_DIR installs the build into
# WORK_DIR/install (meson install --destdir, no rebuild), points pkg-config at it
# (PKG_CONFIG_PATH, and PKG_CONFIG_SYSROOT_DIR mapping the configured prefix into it), and sets
# installed_library_dir to the directory holding the installed libsealstate.so. Fails (exit 1)
# when the installation lacks sealstate.pc, sealstate-testing.pc or libsealstate.so.
install_build() {
  local build="$1" work="$2"
  meson install -C "$build" --destdir "$work/install" --no-rebuild --quiet
  local pc testing_pc library
  pc="$(find "$work/install" -name sealstate.pc)"
  testing_pc="$(find "$work/install" -name sealstate-testing.pc)"
  library="$(find "$work/install" -name 'libsealstate.so')"
  if [ -z "$pc" ] || [ -z "$testing_pc" ] || [ -z "$library" ]; then
    echo "FAIL the installation lacks sealstate.pc, sealstate-testing.pc or libsealstate.so" >&2
    exit 1
  fi
  # The .pc files name the configured prefix; the sysroot maps it into the temporary install.
  export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$work/install"
  installed_library_dir="$(dirname "$library")"
}
