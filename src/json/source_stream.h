// A RapidJSON input stream pulling from a ByteSource in chunks, with bulk scanning hooks so
// RapidJSON does not handle string contents and whitespace one byte at a time, and so strings
// decode as in Go (invalid UTF-8 and lone surrogate escapes become U+FFFD).
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

  // Takes the next piece of a JSON string's contents at the cursor that RapidJSON must not see,
  // and returns its decoded bytes, as Go's encoding/json decodes strings:
  // - a run of bytes that are copied verbatim (none is '"', '\\' or below 0x20) and are valid
  //   UTF-8, scanned in bulk;
  // - U+FFFD for one byte that does not start a valid UTF-8 sequence (utf8.DecodeRune's rule: a
  //   sequence cut short or overlong, a surrogate or past U+10FFFF, gives U+FFFD for each byte);
  // - U+FFFD for a \uXXXX escape of a UTF-16 surrogate that is not the first half of a pair
  //   (RapidJSON would refuse a lone high one and write a lone low one as invalid UTF-8); what
  //   follows it is read on its own.
  // Empty when the cursor is at what RapidJSON handles: the closing quote, any other escape
  // (including a malformed one, which it refuses), a control byte or the end of the text. The
  // view is valid until the next call on the stream. Refills as needed.
  std::string_view TakeDecodedStringBytes();
  // Takes the JSON whitespace (' ', '\t', '\n', '\r') at the cursor, within the current chunk
  // (it does not refill, so it may stop at the sentinel, and the caller's Peek goes on from there).
  void TakeWhitespace();

  const Status& source_status() const { return status_; }

 private:
  // At the sentinel: refills and returns the next byte, or '\0' at the end.
  Ch PeekNextChunk() {
    if (!Refill()) return '\0';
    return *pos_;
  }

  // Moves the unread bytes [pos_, end_) to the start of the buffer and appends what the source
  // gives next; false, with nothing added, at the end of the source or once it has failed.
  bool Refill();
  // The next `n` bytes at the cursor (fewer only at the end of the text), refilling without
  // taking any. REQUIRES: n is a few bytes, far below a chunk.
  std::string_view Lookahead(std::size_t n);
  // Takes the character at the cursor, a byte at or above 0x80: returns it if it is valid UTF-8,
  // else takes one byte and returns U+FFFD.
  std::string_view TakeNonAsciiCharacter();

  ByteSource& source_;
  std::size_t max_bytes_;
  std::unique_ptr<char[]> buffer_;  // a chunk and the sentinel
  const char* pos_ = buffer_.get();
  const char* end_ = pos_;           // the sentinel after the chunk
  std::size_t consumed_before_ = 0;  // bytes before the buffer's first one
  std::size_t read_ = 0;             // bytes the source has given
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
// this stream and the reader sealstate uses can. RapidJSON calls it before each byte or escape of
// a string it would handle itself; the stream takes and decodes here what RapidJSON would not
// decode as Go does (invalid UTF-8, lone surrogate escapes), and leaves it the rest.
template <>
template <>
inline void GenericReader<UTF8<>, UTF8<>, CrtAllocator>::ScanCopyUnescapedString<
    sealstate::internal::SourceStream, GenericReader<UTF8<>, UTF8<>, CrtAllocator>::StackStream<char>>(
    sealstate::internal::SourceStream& is, StackStream<char>& os) {
  for (std::string_view piece = is.TakeDecodedStringBytes(); !piece.empty(); piece = is.TakeDecodedStringBytes()) {
    char* const out = static_cast<char*>(os.Push(static_cast<SizeType>(piece.size())));
    std::copy(piece.begin(), piece.end(), out);
  }
}

}  // namespace rapidjson
