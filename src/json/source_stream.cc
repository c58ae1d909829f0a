#include "json/source_stream.h"

#include <algorithm>
#include <array>
#include <cstring>

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

}  // namespace

SourceStream::SourceStream(ByteSource& source)
    : source_(source), buffer_(std::make_unique<char[]>(kReadChunk + 1)) {
  buffer_[0] = '\0';
}

std::string_view SourceStream::TakeVerbatimStringBytes() {
  const char* const begin = pos_;
  pos_ = ScanTo(pos_, kStringStops);
  return {begin, static_cast<std::size_t>(pos_ - begin)};
}

void SourceStream::TakeWhitespace() { pos_ = ScanTo(pos_, kWhitespaceStops); }

bool SourceStream::Refill() {
  if (finished_) return false;
  Result<std::size_t> n = source_.Read(buffer_.get(), kReadChunk);
  if (!n.ok()) status_ = n.status();
  if (!n.ok() || *n == 0) {
    finished_ = true;
    return false;
  }
  consumed_before_ += static_cast<std::size_t>(pos_ - buffer_.get());
  char* const begin = buffer_.get();
  char* const end = begin + *n;
  // NUL bytes are rare; memchr finds there is none much faster than replace looks at each byte.
  if (std::memchr(begin, '\0', *n) != nullptr) std::replace(begin, end, '\0', '\x01');
  *end = '\0';
  pos_ = begin;
  return true;
}

}  // namespace sealstate::internal
