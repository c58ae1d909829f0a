#include "json/source_stream.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

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
    : source_(source), max_bytes_(max_bytes), buffer_(std::make_unique<char[]>(kReadChunk + 1)) {
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
  if (*n > max_bytes_ - std::min(max_bytes_, consumed_before_)) {
    status_ = Status::Integrity("document larger than " + DescribeBytes(max_bytes_) +
                                " (the most sealstate reads in one JSON document)");
    finished_ = true;
    return false;
  }
  char* const begin = buffer_.get();
  char* const end = begin + *n;
  // NUL bytes are rare; memchr finds there is none much faster than replace looks at each byte.
  if (std::memchr(begin, '\0', *n) != nullptr) std::replace(begin, end, '\0', '\x01');
  *end = '\0';
  pos_ = begin;
  return true;
}

}  // namespace sealstate::internal
