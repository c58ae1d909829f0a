// libsodium start-up. Every sealstate entry point that uses libsodium calls EnsureSodium()
// first; it runs sodium_init() once per process (thread-safe) and aborts the process if
// libsodium cannot initialise (no usable randomness), since nothing safe can be done then.
#pragma once

namespace sealstate::internal {

void EnsureSodium();

}  // namespace sealstate::internal
