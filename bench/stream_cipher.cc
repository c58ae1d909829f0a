#include "stream_cipher.h"

#include <algorithm>

#include "fail.h"

namespace sealstate::bench {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;

unsigned char* Bytes(char* p) { return reinterpret_cast<unsigned char*>(p); }
const unsigned char* Bytes(const char* p) { return reinterpret_cast<const unsigned char*>(p); }

// Ciphertext size for `plain_bytes` of plaintext (an empty payload is one empty FINAL chunk).
std::size_t SealedSize(std::size_t plain_bytes) {
  const std::size_t chunks = std::max<std::size_t>(1, (plain_bytes + kChunk - 1) / kChunk);
  return kHeader + plain_bytes + chunks * kOverhead;
}

}  // namespace

StreamCipher::StreamCipher() {
  if (sodium_init() < 0) Die("libsodium could not be initialised");
  crypto_secretstream_xchacha20poly1305_keygen(key_.data());
}

StreamCipher::~StreamCipher() { sodium_memzero(key_.data(), key_.size()); }

void StreamCipher::Seal(std::string_view plain, std::string& sealed) const {
  sealed.resize(SealedSize(plain.size()));
  crypto_secretstream_xchacha20poly1305_state state;
  crypto_secretstream_xchacha20poly1305_init_push(&state, Bytes(sealed.data()), key_.data());
  std::size_t out = kHeader;
  do {
    const std::size_t take = std::min(plain.size(), kChunk);
    const unsigned char tag = take == plain.size() ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                                   : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    crypto_secretstream_xchacha20poly1305_push(&state, Bytes(sealed.data() + out), nullptr, Bytes(plain.data()), take,
                                               nullptr, 0, tag);
    out += take + kOverhead;
    plain.remove_prefix(take);
  } while (!plain.empty());
}

void StreamCipher::Open(std::string_view sealed, std::string& plain) const {
  if (sealed.size() < kHeader) Die("floor: sealed bytes shorter than the stream header");
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, Bytes(sealed.data()), key_.data()) != 0) {
    Die("floor: bad stream header");
  }
  sealed.remove_prefix(kHeader);
  plain.resize(sealed.size());
  std::size_t out = 0;
  unsigned char tag = 0;
  while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    const std::size_t take = std::min(sealed.size(), kChunk + kOverhead);
    unsigned long long got = 0;
    if (take < kOverhead || crypto_secretstream_xchacha20poly1305_pull(&state, Bytes(plain.data() + out), &got, &tag,
                                                                       Bytes(sealed.data()), take, nullptr, 0) != 0) {
      Die("floor: a chunk does not authenticate");
    }
    out += got;
    sealed.remove_prefix(take);
  }
  plain.resize(out);
}

}  // namespace sealstate::bench
