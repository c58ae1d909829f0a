// UTF-8 decoding with Go's rules (unicode/utf8.DecodeRune), shared by the JSON writer (which
// escapes invalid bytes as \ufffd), the reader (which replaces them with U+FFFD) and GoQuote
// (which escapes them as \xNN).
#pragma once

#include <cstddef>
#include <string_view>

namespace sealstate::internal {

// U+FFFD REPLACEMENT CHARACTER in UTF-8: what Go's decoder puts in place of each invalid byte.
inline constexpr std::string_view kUtf8ReplacementCharacter = "\xef\xbf\xbd";

// One decoded character (rune).
struct DecodedRune {
  char32_t rune;     // meaningful only when valid
  std::size_t size;  // bytes consumed; 1 when invalid
  bool valid;
};

// Decodes the character starting at s[i] (REQUIRES: i < s.size()). Surrogates, overlong forms,
// code points past U+10FFFF and sequences cut short (by a byte that is not a continuation byte or
// by the end of `s`) are invalid, and an invalid sequence always consumes exactly one byte.
inline DecodedRune DecodeRune(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const DecodedRune invalid{0xFFFD, 1, false};
  if (b0 < 0x80) return {b0, 1, true};

  std::size_t size = 0;
  unsigned char low = 0x80;  // allowed range of the second byte
  unsigned char high = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    size = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    size = 3;
    if (b0 == 0xE0) low = 0xA0;   // no overlong forms
    if (b0 == 0xED) high = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    size = 4;
    if (b0 == 0xF0) low = 0x90;   // no overlong forms
    if (b0 == 0xF4) high = 0x8F;  // nothing past U+10FFFF
  } else {
    return invalid;
  }
  if (s.size() - i < size) return invalid;

  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  if (b1 < low || b1 > high) return invalid;
  char32_t rune = b0 & (0xFF >> (size + 1));
  rune = (rune << 6) | (b1 & 0x3F);
  for (std::size_t k = 2; k < size; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return invalid;  // not a continuation byte
    rune = (rune << 6) | (b & 0x3F);
  }
  return {rune, size, true};
}

// True when `s` is valid UTF-8 by Go's rules (no overlong forms, surrogates, code points past
// U+10FFFF or truncated sequences): exactly the strings GoJsonWriter::String() writes unchanged.
inline bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const DecodedRune decoded = DecodeRune(s, i);
    if (!decoded.valid) return false;
    i += decoded.size;
  }
  return true;
}

}  // namespace sealstate::internal
