// Word-at-a-time byte tests: scanners that look for a few byte values skip 8 bytes per step
// while a word holds none of them ("Bit Twiddling Hacks": haszero, hasless). Each answers for
// the word as a whole, exactly: a borrow can set a wrong flag only above a byte that truly
// matches.
#pragma once

#include <cstdint>
#include <cstring>

namespace sealstate::internal {

inline constexpr std::uint64_t kEveryByteOne = 0x0101010101010101;
inline constexpr std::uint64_t kEveryByteHigh = 0x8080808080808080;

// Nonzero if a byte of `word` is zero.
constexpr std::uint64_t AnyZeroByte(std::uint64_t word) { return (word - kEveryByteOne) & ~word & kEveryByteHigh; }

// Nonzero if a byte of `word` equals `byte`.
constexpr std::uint64_t AnyByteEqual(std::uint64_t word, unsigned char byte) {
  return AnyZeroByte(word ^ (kEveryByteOne * byte));
}

// Nonzero if a byte of `word` is below `bound`. REQUIRES: bound <= 0x80.
constexpr std::uint64_t AnyByteBelow(std::uint64_t word, unsigned char bound) {
  return (word - kEveryByteOne * bound) & ~word & kEveryByteHigh;
}

// Nonzero if a byte of `word` is 0x80 or above.
constexpr std::uint64_t AnyByteHigh(std::uint64_t word) { return word & kEveryByteHigh; }

// The 8 bytes at `p` as one word (any alignment).
inline std::uint64_t LoadWord(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

}  // namespace sealstate::internal
