// SecretBytes: key material in guarded memory.
//
// Bytes live in libsodium's sodium_malloc memory (guard pages, mlock where the limit allows) and
// are wiped when the object is destroyed. A secret of up to 128 bytes (a key) takes a slot of a
// pooled arena, whose guard pages surround the arena rather than each secret; a larger one gets
// its own allocation. sealstate never prints, logs or writes them; callers
// holding a SecretBytes must not either. Move-only. Not thread-safe for concurrent mutation;
// concurrent reads are fine.
#pragma once

#include <sealstate/export.h>

#include <cstddef>
#include <string_view>

#include <sealstate/status.h>

namespace sealstate {

class SEALSTATE_EXPORT SecretBytes {
 public:
  // An empty secret (size 0).
  SecretBytes() = default;
  // Allocates `size` zeroed bytes. Errors: kInternal if guarded memory cannot be allocated.
  static Result<SecretBytes> Allocate(std::size_t size);
  // Allocates and fills `size` bytes from the CSPRNG.
  static Result<SecretBytes> Random(std::size_t size);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  unsigned char* data() { return data_; }
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  // Shrinks the logical size (the tail is wiped). REQUIRES: new_size <= size().
  void Truncate(std::size_t new_size);
  // Constant-time comparison of contents.
  bool Equals(const SecretBytes& other) const;

 private:
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sealstate
