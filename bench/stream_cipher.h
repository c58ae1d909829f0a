// The AEAD floor: libsodium's secretstream (XChaCha20-Poly1305) in 64 KiB chunks, the primitive
// and chunk size of sealstate's v2 envelope (src/envelope/secretstream.cc), with nothing around
// it: no header line, no key wrapping, no associated data, output buffers reused across calls.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace sealstate::bench {

class StreamCipher {
 public:
  // A fresh random key. Dies if libsodium cannot be initialised.
  StreamCipher();
  StreamCipher(const StreamCipher&) = delete;
  StreamCipher& operator=(const StreamCipher&) = delete;
  ~StreamCipher();

  // Encrypts `plain` into `sealed` (stream header, then one tagged chunk per 64 KiB; the last
  // is FINAL). `sealed` keeps its capacity between calls.
  void Seal(std::string_view plain, std::string& sealed) const;
  // Decrypts what Seal produced into `plain`. Dies if it does not authenticate or is truncated.
  void Open(std::string_view sealed, std::string& plain) const;

 private:
  std::array<unsigned char, crypto_secretstream_xchacha20poly1305_KEYBYTES> key_{};
};

}  // namespace sealstate::bench
