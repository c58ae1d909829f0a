// BufferedSource: a ByteSource wrapper that can look at the first line of a stream and read
// exact-length records, for parsing envelope files without reading them whole.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate::internal {

class BufferedSource final : public ByteSource {
 public:
  // `in` must outlive this object. Reads from it in blocks of `block_size` bytes.
  explicit BufferedSource(ByteSource& in, std::size_t block_size = 64 * 1024);

  // The bytes up to and excluding the first '\n', without consuming them. Returns the whole
  // stream if it is shorter than `max_bytes` and has no newline. Errors: kIntegrity
  // "no newline within the first N bytes" when the line is longer than `max_bytes`; source errors.
  Result<std::string_view> PeekLine(std::size_t max_bytes);

  // Consumes exactly `n` bytes. Errors: kIntegrity "truncated: ..." naming `what` when the
  // stream ends first; source errors.
  Result<std::string> ReadExact(std::size_t n, std::string_view what);

  // Reads up to `capacity` bytes, filling as much of it as the stream allows: returns less than
  // `capacity` only at end of stream.
  Result<std::size_t> ReadFull(char* buffer, std::size_t capacity);

  // Discards `n` buffered or upcoming bytes. REQUIRES: n <= bytes already peeked.
  void Skip(std::size_t n);

  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

 private:
  // Appends one more block from the source; returns false at end of stream.
  Result<bool> Fill();

  ByteSource& in_;
  std::size_t block_size_;
  std::string buffer_;
  std::size_t start_ = 0;  // first unconsumed byte in buffer_
  bool eof_ = false;
};

}  // namespace sealstate::internal
