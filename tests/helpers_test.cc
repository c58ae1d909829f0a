// Tests for the small shared helpers: random hex (crypto/), text helpers (text/) and fd and
// read helpers (io/).
#include <catch2/catch.hpp>

#include <string>

#include "crypto/random_hex.h"
#include "text/hex.h"

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

}  // namespace
}  // namespace sealstate::internal
