// A ByteSink that only counts, to time encoding and sealing without any I/O or copy.
#pragma once

#include <cstddef>
#include <string_view>

#include <sealstate/stream.h>

namespace sealstate::bench {

class NullSink final : public ByteSink {
 public:
  // Counts the bytes and drops them.
  Status Append(std::string_view data) override {
    bytes_ += data.size();
    return Status::OK();
  }
  // Bytes appended so far.
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t bytes_ = 0;
};

}  // namespace sealstate::bench
