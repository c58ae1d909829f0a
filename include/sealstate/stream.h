// Byte streams: where sealstate writes encoded and sealed bytes, and reads them back.
//
// Encoding, sealing and opening stream through these so a 100 MB snapshot never needs a second
// whole-file buffer. Implementations need not be thread-safe; one stream is used by one thread
// at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <sealstate/status.h>

namespace sealstate {

// Receives bytes in order.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends all of `data`. An error is final: callers stop writing and report it.
  virtual Status Append(std::string_view data) = 0;
};

// Yields bytes in order.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` bytes into `buffer`; returns how many, 0 only at end of stream.
  // REQUIRES: capacity > 0.
  virtual Result<std::size_t> Read(char* buffer, std::size_t capacity) = 0;
};

// A sink that appends to a caller-owned string, which must outlive the sink.
class StringSink final : public ByteSink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  Status Append(std::string_view data) override {
    out_.append(data);
    return Status::OK();
  }

 private:
  std::string& out_;
};

// A source over caller-owned bytes, which must outlive the source.
class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

 private:
  std::string_view data_;
};

}  // namespace sealstate
