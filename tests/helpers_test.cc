// Tests for the small shared helpers: random hex (crypto/), text helpers (text/) and fd and
// read helpers (io/).
#include <catch2/catch.hpp>

#include <string>

#include "crypto/random_hex.h"

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

}  // namespace
}  // namespace sealstate::internal
