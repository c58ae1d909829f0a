// Tests for the small shared helpers: random hex (crypto/), text helpers (text/) and fd and
// read helpers (io/).
#include <catch2/catch.hpp>

#include <string>

#include "crypto/random_hex.h"
#include "text/hex.h"
#include "text/trim.h"

namespace sealstate::internal {
namespace {

TEST_CASE("RandomHex gives two lower-case hex digits per byte, different each call", "[random-hex]") {
  for (const std::size_t bytes : {std::size_t{0}, std::size_t{1}, std::size_t{8}, std::size_t{16}, std::size_t{40}}) {
    const std::string hex = RandomHex(bytes);
    REQUIRE(hex.size() == 2 * bytes);
    REQUIRE(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  REQUIRE(RandomHex(16) != RandomHex(16));
}

TEST_CASE("HexDigitValue reads 0-9, a-f and A-F and nothing else", "[hex]") {
  REQUIRE(HexDigitValue('0') == 0);
  REQUIRE(HexDigitValue('9') == 9);
  REQUIRE(HexDigitValue('a') == 10);
  REQUIRE(HexDigitValue('F') == 15);
  for (const char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xff'}) REQUIRE(HexDigitValue(c) == -1);
}

TEST_CASE("ParseFourHexDigits reads exactly the first four digits, or -1", "[hex]") {
  REQUIRE(ParseFourHexDigits("0000") == 0);
  REQUIRE(ParseFourHexDigits("d83D") == 0xD83D);
  REQUIRE(ParseFourHexDigits("FFFF") == 0xFFFF);
  REQUIRE(ParseFourHexDigits("00e9zz") == 0xE9);  // bytes after the fourth are not read
  REQUIRE(ParseFourHexDigits("abc") == -1);       // too short
  REQUIRE(ParseFourHexDigits("12g4") == -1);
  REQUIRE(ParseFourHexDigits("-123") == -1);
}

TEST_CASE("AppendLowerHexDigits appends exactly the low digits asked for, lower-case", "[hex]") {
  std::string out = "x";
  AppendLowerHexDigits(out, 0x1f, 4);
  AppendLowerHexDigits(out, 0xABCDEF, 2);  // only the low two digits
  AppendLowerHexDigits(out, 0x10FFFF, 8);
  REQUIRE(out == "x001fef0010ffff");
}

TEST_CASE("Trim removes exactly the bytes of the given set, from both ends only", "[trim]") {
  REQUIRE(Trim(" \t\n\v\f\rkey \t\n\v\f\r", kAsciiWhitespace) == "key");
  REQUIRE(Trim("\n a b \n", kAsciiWhitespace) == "a b");  // inner bytes stay
  REQUIRE(Trim(" \t\r\n", kAsciiWhitespace).empty());
  REQUIRE(Trim("", kAsciiWhitespace).empty());
  // The current pointer's set has no \v or \f; the envelope's first line's has no \n.
  REQUIRE(Trim("\v rev\n\f", " \n\r\t") == "\v rev\n\f");
  REQUIRE(Trim("\t2026\r\n", " \n\r\t") == "2026");
  REQUIRE(Trim("\n{ \r", " \t\r") == "\n{");
  // Bytes that are not ASCII whitespace are never trimmed (NUL, 0x85, 0xA0).
  REQUIRE(Trim(std::string_view("\0a\0", 3), kAsciiWhitespace) == std::string_view("\0a\0", 3));
  REQUIRE(Trim("\x85"
               "a\xa0",
               kAsciiWhitespace) ==
          "\x85"
          "a\xa0");
}

TEST_CASE("TrimEnd removes the given set from the end only", "[trim]") {
  REQUIRE(TrimEnd(" id\r\n \n", "\n\r ") == " id");
  REQUIRE(TrimEnd("id\t\n", "\n\r ") == "id\t");
  REQUIRE(TrimEnd("\n\n", "\n\r ").empty());
  const std::string_view text = "abc  ";
  REQUIRE(TrimEnd(text, " ").data() == text.data());  // a view into the argument
}

}  // namespace
}  // namespace sealstate::internal
