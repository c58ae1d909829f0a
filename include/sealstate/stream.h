// Byte streams: where sealstate writes encoded and sealed bytes, and reads them back.
//
// Encoding, sealing and opening stream through these so a 100 MB snapshot never needs a second
// whole-file buffer. Implementations need not be thread-safe; one stream is used by one thread
// at a time.
//
// Which thread calls a caller's stream: SealV2/SealSnapshot (encrypted) call the output sink on
// the calling thread for the header and the first 1 MiB of payload, then from a second thread
// the library starts, until they return; OpenV2/OpenSnapshot (encrypted) read the input source
// the same way. Every such call happens-before the function returns, and calls never overlap,
// so a stream that is not thread-safe is fine as long as the caller does not use it meanwhile.
// A stream that must be called on one particular thread needs plaintext, or a wrapper that
// hands the bytes over. If the system refuses the second thread, everything stays on the
// calling thread. The PayloadWriter/PayloadReader callbacks always run on the calling thread.
#pragma once

#include <sealstate/export.h>

#include <cstddef>
#include <string>
#include <string_view>

#include <sealstate/status.h>

namespace sealstate {

// Receives bytes in order.
class SEALSTATE_EXPORT ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends all of `data`. An error is final: callers stop writing and report it.
  virtual Status Append(std::string_view data) = 0;
};

// Yields bytes in order.
class SEALSTATE_EXPORT ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` bytes into `buffer`; returns how many, 0 only at end of stream.
  // REQUIRES: capacity > 0.
  virtual Result<std::size_t> Read(char* buffer, std::size_t capacity) = 0;
};

// A sink that appends to a caller-owned string, which must outlive the sink.
class SEALSTATE_EXPORT StringSink final : public ByteSink {
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
class SEALSTATE_EXPORT StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

 private:
  std::string_view data_;
};

}  // namespace sealstate
