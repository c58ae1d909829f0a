#include <sealstate/secret.h>

#include <utility>

#include <sodium.h>

#include "crypto/sodium_init.h"

namespace sealstate {

Result<SecretBytes> SecretBytes::Allocate(std::size_t size) {
  internal::EnsureSodium();
  SecretBytes secret;
  if (size == 0) return secret;
  auto* bytes = static_cast<unsigned char*>(sodium_malloc(size));
  if (bytes == nullptr) return Status::Internal("cannot allocate guarded memory for a secret");
  sodium_memzero(bytes, size);
  secret.data_ = bytes;
  secret.size_ = size;
  return secret;
}

Result<SecretBytes> SecretBytes::Random(std::size_t size) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes secret, Allocate(size));
  if (size != 0) randombytes_buf(secret.data(), size);
  return secret;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    sodium_free(data_);  // wipes; a no-op for nullptr
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

// sodium_free zeroes the memory before releasing it.
SecretBytes::~SecretBytes() { sodium_free(data_); }

void SecretBytes::Truncate(std::size_t new_size) {
  if (new_size >= size_) return;
  sodium_memzero(data_ + new_size, size_ - new_size);
  size_ = new_size;
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  if (size_ != other.size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data_, size_) == 0;
}

}  // namespace sealstate
