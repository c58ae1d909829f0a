#include <sealstate/stream.h>

#include <algorithm>
#include <cstring>

namespace sealstate {

Result<std::size_t> StringSource::Read(char* buffer, std::size_t capacity) {
  const std::size_t n = std::min(capacity, data_.size());
  // An empty view may have a null data(); memcpy's arguments must not be null even for 0 bytes.
  if (n == 0) return n;
  std::memcpy(buffer, data_.data(), n);
  data_.remove_prefix(n);
  return n;
}

}  // namespace sealstate
