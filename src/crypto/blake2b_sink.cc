#include "crypto/blake2b_sink.h"

#include <sealstate/envelope.h>

#include "crypto/sodium_init.h"

namespace sealstate::internal {

Blake2bSink::Blake2bSink() {
  EnsureSodium();
  crypto_generichash_init(&state_, nullptr, 0, kParentDigestBytes);
}

Status Blake2bSink::Append(std::string_view data) {
  crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return Status::OK();
}

std::string Blake2bSink::HexDigest() {
  unsigned char digest[kParentDigestBytes];
  crypto_generichash_final(&state_, digest, sizeof digest);
  std::string hex(2 * sizeof digest + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();  // the terminating NUL sodium_bin2hex writes
  return hex;
}

}  // namespace sealstate::internal
