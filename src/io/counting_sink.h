// CountingSink: forwards to another ByteSink and counts the bytes it accepted.
#pragma once

#include <cstdint>
#include <string_view>

#include <sealstate/stream.h>

namespace sealstate::internal {

// Forwards every Append to `target` (which must outlive it) and adds the size of each accepted
// piece to bytes(). Not thread-safe: used from the one thread the producer writes on.
class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(ByteSink& target) : target_(target) {}
  Status Append(std::string_view data) override {
    SEALSTATE_RETURN_IF_ERROR(target_.Append(data));
    bytes_ += static_cast<std::int64_t>(data.size());
    return Status::OK();
  }
  // The bytes accepted so far.
  std::int64_t bytes() const { return bytes_; }

 private:
  ByteSink& target_;
  std::int64_t bytes_ = 0;
};

}  // namespace sealstate::internal
