#include <sealstate/secret.h>

#include <utility>

#include <sodium.h>

#include "crypto/secret_pool.h"
#include "crypto/sodium_init.h"

namespace sealstate {
namespace {

// Frees what Allocate allocated (wiped first either way); a no-op for nullptr.
void Release(unsigned char* bytes) {
  if (!internal::ReturnSecretSlot(bytes)) sodium_free(bytes);
}

}  // namespace

Result<SecretBytes> SecretBytes::Allocate(std::size_t size) {
  internal::EnsureSodium();
  SecretBytes secret;
  if (size == 0) return secret;
  // Small secrets come from the pool's locked arenas (slots are zeroed), larger ones from their
  // own sodium_malloc.
  unsigned char* bytes = nullptr;
  if (size <= internal::kSecretSlotBytes) {
    bytes = internal::TakeSecretSlot();
  } else if ((bytes = static_cast<unsigned char*>(sodium_malloc(size))) != nullptr) {
    sodium_memzero(bytes, size);
  }
  if (bytes == nullptr) return Status::Internal("cannot allocate guarded memory for a secret");
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
    Release(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() { Release(data_); }

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
