#include "text/hex.h"

namespace sealstate::internal {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";

}  // namespace

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int ParseFourHexDigits(std::string_view s) {
  if (s.size() < 4) return -1;
  int value = 0;
  for (const char c : s.substr(0, 4)) {
    const int digit = HexDigitValue(c);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

void AppendLowerHexDigits(std::string& out, std::uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kLowerHex[(value >> shift) & 0xF];
}

}  // namespace sealstate::internal
