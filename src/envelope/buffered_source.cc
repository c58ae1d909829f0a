#include "envelope/buffered_source.h"

#include <algorithm>
#include <cstring>

#include "io/read_at_most.h"

namespace sealstate::internal {

BufferedSource::BufferedSource(ByteSource& in, std::size_t block_size) : in_(in), block_size_(block_size) {}

Result<bool> BufferedSource::Fill() {
  if (eof_) return false;
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  const std::size_t old_size = buffer_.size();
  buffer_.resize(old_size + block_size_);
  Result<std::size_t> n = in_.Read(buffer_.data() + old_size, block_size_);
  if (!n.ok()) {
    buffer_.resize(old_size);
    return n.status();
  }
  buffer_.resize(old_size + *n);
  if (*n == 0) eof_ = true;
  return *n > 0;
}

Result<std::string_view> BufferedSource::PeekLine(std::size_t max_bytes) {
  std::size_t searched = 0;
  for (;;) {
    const std::string_view pending = std::string_view(buffer_).substr(start_);
    const std::size_t newline = pending.find('\n', searched);
    if (newline != std::string_view::npos && newline <= max_bytes) return pending.substr(0, newline);
    if (pending.size() > max_bytes) {
      return Status::Integrity("no newline within the first " + std::to_string(max_bytes) + " bytes");
    }
    searched = pending.size();
    SEALSTATE_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) return std::string_view(buffer_).substr(start_);
  }
}

Result<std::string> BufferedSource::ReadExact(std::size_t n, std::string_view what) {
  std::string out(n, '\0');
  SEALSTATE_ASSIGN_OR_RETURN(std::size_t got, ReadFull(out.data(), n));
  if (got != n) {
    return Status::Integrity("truncated: the file ends inside the " + std::string(what) + " (" + std::to_string(got) +
                             " of " + std::to_string(n) + " bytes)");
  }
  return out;
}

Result<std::size_t> BufferedSource::ReadFull(char* buffer, std::size_t capacity) {
  return ReadAtMost(*this, buffer, capacity);
}

void BufferedSource::Skip(std::size_t n) { start_ += std::min(n, buffer_.size() - start_); }

Result<std::size_t> BufferedSource::Read(char* buffer, std::size_t capacity) {
  if (start_ < buffer_.size()) {
    const std::size_t n = std::min(capacity, buffer_.size() - start_);
    std::memcpy(buffer, buffer_.data() + start_, n);
    start_ += n;
    if (start_ == buffer_.size()) {
      buffer_.clear();
      start_ = 0;
    }
    return n;
  }
  if (eof_) return std::size_t{0};
  Result<std::size_t> n = in_.Read(buffer, capacity);
  if (n.ok() && *n == 0) eof_ = true;
  return n;
}

}  // namespace sealstate::internal
