// A RapidJSON input stream pulling from a ByteSource in chunks, with bulk scanning hooks so
// RapidJSON does not handle string contents and whitespace one byte at a time.
//
// Include this header, not just declare the stream, before instantiating a rapidjson::Reader on
// it: it also declares the hooks RapidJSON must find (see the end of this file).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string_view>

#include <rapidjson/reader.h>

#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate::internal {

// At the end of input, or once the source has failed, Peek() returns '\0', which RapidJSON
// treats as the end of the text. A source error is kept and reported by the caller instead of
// the parse error it causes.
//
// RapidJSON calls Peek() and Take() for every byte it does not scan in bulk, so they are one
// load and one compare: each chunk is followed by a '\0' sentinel, and a literal NUL byte in the
// input (which would read as the end of the text) is replaced with a control character, which
// RapidJSON rejects wherever it appears. So '\0' under the cursor means the chunk is used up.
class SourceStream {
 public:
  using Ch = char;

  // Past `max_bytes` from the source, the stream ends as if the source had failed with
  // kIntegrity ("document larger than ...").
  SourceStream(ByteSource& source, std::size_t max_bytes);

  Ch Peek() {
    const Ch c = *pos_;
    return c != '\0' ? c : PeekNextChunk();
  }

  Ch Take() {
    const Ch c = Peek();
    if (c != '\0') ++pos_;
    return c;
  }

  std::size_t Tell() const { return consumed_before_ + static_cast<std::size_t>(pos_ - buffer_.get()); }

  // Only used by in-situ parsing, which is never requested.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

  // Bulk scanning within the current chunk; neither refills, so either may return having
  // stopped at the sentinel, and the caller's byte-wise path (Peek) goes on from there.
  //
  // Takes and returns the bytes at the cursor that a JSON string copies verbatim: everything up
  // to the first '"', '\\' or byte below 0x20.
  std::string_view TakeVerbatimStringBytes();
  // Takes the JSON whitespace (' ', '\t', '\n', '\r') at the cursor.
  void TakeWhitespace();

  const Status& source_status() const { return status_; }

 private:
  // At the sentinel: refills and returns the next byte, or '\0' at the end.
  Ch PeekNextChunk() {
    if (!Refill()) return '\0';
    return *pos_;
  }

  bool Refill();

  ByteSource& source_;
  std::size_t max_bytes_;
  std::unique_ptr<char[]> buffer_;  // a chunk and the sentinel
  const char* pos_ = buffer_.get();
  std::size_t consumed_before_ = 0;  // bytes of the chunks before the current one
  bool finished_ = false;
  Status status_;
};

// Found by argument-dependent lookup from RapidJSON's SkipWhitespace(is) calls, and preferred to
// its byte-wise template as a non-template exact match.
inline void SkipWhitespace(SourceStream& in) {
  for (;;) {
    in.TakeWhitespace();
    const char c = in.Peek();  // refills at the sentinel
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
  }
}

}  // namespace sealstate::internal

namespace rapidjson {

// RapidJSON's hook for copying the plain run of a string in one step (its own versions exist
// only for in-memory streams with SSE). It is a private member template called unqualified from
// inside the reader, so argument-dependent lookup cannot reach it; an explicit specialization for
// this stream and the reader sealstate uses can. Copying fewer bytes than possible is always
// correct: RapidJSON handles the next byte itself and calls the hook again.
template <>
template <>
inline void GenericReader<UTF8<>, UTF8<>, CrtAllocator>::ScanCopyUnescapedString<
    sealstate::internal::SourceStream, GenericReader<UTF8<>, UTF8<>, CrtAllocator>::StackStream<char>>(
    sealstate::internal::SourceStream& is, StackStream<char>& os) {
  const std::string_view run = is.TakeVerbatimStringBytes();
  if (run.empty()) return;
  char* const out = static_cast<char*>(os.Push(static_cast<SizeType>(run.size())));
  std::copy(run.begin(), run.end(), out);
}

}  // namespace rapidjson
