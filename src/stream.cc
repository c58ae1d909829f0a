#include <sealstate/stream.h>

#include <algorithm>
#include <cstring>

namespace sealstate {

Result<std::size_t> StringSource::Read(char* buffer, std::size_t capacity) {
  const std::size_t n = std::min(capacity, data_.size());
  std::memcpy(buffer, data_.data(), n);
  data_.remove_prefix(n);
  return n;
}

}  // namespace sealstate
