// Hexadecimal digits: reading them (JSON \uXXXX escapes) and writing them (escapes in output).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sealstate::internal {

// The value (0 to 15) of the hex digit `c` (0-9, a-f, A-F), or -1 for any other byte.
int HexDigitValue(char c);

// The value (0 to 0xFFFF) of the four hex digits `s` starts with, as in a JSON \uXXXX escape,
// or -1 when `s` is shorter than four bytes or one of the four is not a hex digit.
int ParseFourHexDigits(std::string_view s);

// Appends the low `digits` hex digits of `value` to `out`, lower-case, most significant first
// (AppendLowerHexDigits(out, 0x1f, 4) appends "001f").
void AppendLowerHexDigits(std::string& out, std::uint32_t value, int digits);

}  // namespace sealstate::internal
