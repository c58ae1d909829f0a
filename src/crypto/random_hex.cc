#include "crypto/random_hex.h"

#include <sodium.h>

#include <vector>

#include "crypto/sodium_init.h"

namespace sealstate::internal {

std::string RandomHex(std::size_t bytes) {
  if (bytes == 0) return std::string();  // nothing to draw (and no buffer to hand libsodium)
  EnsureSodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(2 * bytes + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();  // the terminating NUL sodium_bin2hex writes
  return hex;
}

}  // namespace sealstate::internal
