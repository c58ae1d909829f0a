// BoundedStringSink: keeps what it is given in memory, up to a size, and refuses past it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <sealstate/stream.h>

namespace sealstate::internal {

// Appends every piece to bytes() while the total stays within `max_bytes`; the Append that
// would take it past refuses (kInternal, keeping nothing of that piece) and sets
// overflowed(), so a producer writing into it stops there. Not thread-safe.
class BoundedStringSink final : public ByteSink {
 public:
  explicit BoundedStringSink(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  Status Append(std::string_view data) override {
    if (overflowed_ || data.size() > max_bytes_ - bytes_.size()) {
      overflowed_ = true;
      return Status::Internal("past the bytes this sink keeps");
    }
    bytes_.append(data);
    return Status::OK();
  }
  // What was accepted so far.
  const std::string& bytes() const { return bytes_; }
  // Whether an Append was refused for going past `max_bytes`.
  bool overflowed() const { return overflowed_; }

 private:
  const std::size_t max_bytes_;
  std::string bytes_;
  bool overflowed_ = false;
};

}  // namespace sealstate::internal
