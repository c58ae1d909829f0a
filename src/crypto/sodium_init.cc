#include "crypto/sodium_init.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <sodium.h>

namespace sealstate::internal {
namespace {

void InitOrDie() {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "sealstate: libsodium failed to initialise (no usable randomness?); aborting\n");
    std::abort();
  }
}

}  // namespace

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, InitOrDie);
}

}  // namespace sealstate::internal
