#include "json/source_stream.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

#include "text/go_utf8.h"
#include "text/hex.h"

namespace sealstate::internal {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// A byte-indexed table marking the bytes a scan stops at.
using StopTable = std::array<bool, 256>;

constexpr StopTable StringStops() {
  StopTable stops{};
  for (std::size_t c = 0; c < 0x20; ++c) stops[c] = true;  // control bytes and the sentinel
  stops['"'] = true;
  stops['\\'] = true;
  for (std::size_t c = 0x80; c < 0x100; ++c) stops[c] = true;  // checked as UTF-8 (ScanValidStringBytes)
  return stops;
}

constexpr StopTable WhitespaceStops() {
  StopTable stops{};
  stops.fill(true);
  stops[' '] = stops['\t'] = stops['\n'] = stops['\r'] = false;
  return stops;
}

constexpr StopTable kStringStops = StringStops();
constexpr StopTable kWhitespaceStops = WhitespaceStops();

// The first byte from `p` on that `stops` marks. The sentinel ends every scan: both tables mark
// '\0'.
const char* ScanTo(const char* p, const StopTable& stops) {
  while (!stops[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

// The end of the run from `p` of bytes a JSON string copies verbatim and that are valid UTF-8:
// ASCII text is scanned by the table alone; each character from 0x80 up is decoded.
const char* ScanValidStringBytes(const char* p, const char* end) {
  for (;;) {
    p = ScanTo(p, kStringStops);
    if (static_cast<unsigned char>(*p) < 0x80) return p;
    const DecodedRune decoded = DecodeRune(std::string_view(p, static_cast<std::size_t>(end - p)), 0);
    if (!decoded.valid) return p;  // invalid, or cut by the end of the chunk
    p += decoded.size;
  }
}

// The UTF-16 code unit of the \uXXXX escape `s` starts with, or -1 if it starts with none.
int EscapedCodeUnit(std::string_view s) {
  if (s.size() < 6 || s[0] != '\\' || s[1] != 'u') return -1;
  return ParseFourHexDigits(s.substr(2));
}

// Whether `s` starts with a \uXXXX escape of a surrogate that does not begin a pair with the next
// escape (Go's utf16.DecodeRune fails on it; unquoteBytes writes U+FFFD).
bool StartsWithLoneSurrogateEscape(std::string_view s) {
  const int unit = EscapedCodeUnit(s);
  if (unit < 0xD800 || unit > 0xDFFF) return false;
  const int next = unit <= 0xDBFF ? EscapedCodeUnit(s.substr(6)) : -1;
  return next < 0xDC00 || next > 0xDFFF;
}

constexpr std::size_t kEscapeSize = 6;  // \uXXXX

// "1 GiB" for a whole number of GiB, MiB or KiB; else the byte count.
std::string DescribeBytes(std::size_t bytes) {
  for (const auto& [unit, name] : {std::pair{std::size_t{1} << 30, " GiB"}, std::pair{std::size_t{1} << 20, " MiB"},
                                   std::pair{std::size_t{1} << 10, " KiB"}}) {
    if (bytes >= unit && bytes % unit == 0) return std::to_string(bytes / unit) + name;
  }
  return std::to_string(bytes) + " bytes";
}

}  // namespace

SourceStream::SourceStream(ByteSource& source, std::size_t max_bytes)
    : source_(source), max_bytes_(max_bytes), buffer_(std::make_unique_for_overwrite<char[]>(kReadChunk + 1)) {
  buffer_[0] = '\0';
}

std::string_view SourceStream::TakeDecodedStringBytes() {
  for (;;) {
    const char* const begin = pos_;
    pos_ = ScanValidStringBytes(pos_, end_);
    if (pos_ != begin) return {begin, static_cast<std::size_t>(pos_ - begin)};
    const auto c = static_cast<unsigned char>(Peek());  // refills at the sentinel
    if (c >= 0x80) return TakeNonAsciiCharacter();
    if (c == '\\') {
      if (!StartsWithLoneSurrogateEscape(Lookahead(2 * kEscapeSize))) return {};
      pos_ += kEscapeSize;
      return kUtf8ReplacementCharacter;
    }
    if (c == '"' || c < 0x20) return {};
    // A new chunk starts with bytes to copy: scan them.
  }
}

std::string_view SourceStream::TakeNonAsciiCharacter() {
  const std::string_view ahead = Lookahead(4);
  const DecodedRune decoded = DecodeRune(ahead, 0);
  if (!decoded.valid) {
    ++pos_;
    return kUtf8ReplacementCharacter;
  }
  pos_ += decoded.size;
  return ahead.substr(0, decoded.size);
}

void SourceStream::TakeWhitespace() { pos_ = ScanTo(pos_, kWhitespaceStops); }

std::string_view SourceStream::Lookahead(std::size_t n) {
  while (static_cast<std::size_t>(end_ - pos_) < n && Refill()) {
  }
  return {pos_, std::min(n, static_cast<std::size_t>(end_ - pos_))};
}

bool SourceStream::Refill() {
  if (finished_) return false;
  char* const begin = buffer_.get();
  const auto kept = static_cast<std::size_t>(end_ - pos_);
  consumed_before_ += static_cast<std::size_t>(pos_ - begin);
  std::memmove(begin, pos_, kept);
  pos_ = begin;
  end_ = begin + kept;
  begin[kept] = '\0';
  Result<std::size_t> n = source_.Read(begin + kept, kReadChunk - kept);
  if (!n.ok()) status_ = n.status();
  if (!n.ok() || *n == 0) {
    finished_ = true;
    return false;
  }
  if (*n > max_bytes_ - read_) {
    status_ = Status::Integrity("document larger than " + DescribeBytes(max_bytes_) +
                                " (the most sealstate reads in one JSON document)");
    finished_ = true;
    return false;
  }
  read_ += *n;
  char* const added = begin + kept;
  char* const end = added + *n;
  // NUL bytes are rare; memchr finds there is none much faster than replace looks at each byte.
  if (std::memchr(added, '\0', *n) != nullptr) std::replace(added, end, '\0', '\x01');
  *end = '\0';
  end_ = end;
  return true;
}

}  // namespace sealstate::internal
