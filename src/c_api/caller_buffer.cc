// Buffers handed to the C caller: a hidden header records the size, so sealstate_free can wipe
// the whole buffer (snapshots and keys are secrets) before releasing it.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "c_api/c_api_internal.h"

namespace sealstate::internal {
namespace {

struct alignas(std::max_align_t) BufferHeader {
  std::size_t size;  // bytes after the header, the NUL included
};

}  // namespace

char* NewCallerBuffer(std::string_view bytes) {
  const std::size_t size = bytes.size() + 1;
  if (size == 0 || size > SIZE_MAX - sizeof(BufferHeader)) throw std::bad_alloc();
  void* block = std::malloc(sizeof(BufferHeader) + size);
  if (block == nullptr) throw std::bad_alloc();
  static_cast<BufferHeader*>(block)->size = size;
  char* data = static_cast<char*>(block) + sizeof(BufferHeader);
  if (!bytes.empty()) std::memcpy(data, bytes.data(), bytes.size());
  data[bytes.size()] = '\0';
  return data;
}

void HandOut(std::string_view bytes, char** out, std::size_t* length) {
  *out = NewCallerBuffer(bytes);
  if (length != nullptr) *length = bytes.size();
}

void ClearOutputs(char** out, std::size_t* length) {
  if (out != nullptr) *out = nullptr;
  if (length != nullptr) *length = 0;
}

}  // namespace sealstate::internal

extern "C" void sealstate_free(void* buffer) {
  if (buffer == nullptr) return;
  char* block = static_cast<char*>(buffer) - sizeof(sealstate::internal::BufferHeader);
  const std::size_t size = reinterpret_cast<sealstate::internal::BufferHeader*>(block)->size;
  sodium_memzero(buffer, size);
  std::free(block);
}
