// Tests for the small shared helpers: random hex (crypto/), text helpers (text/) and fd and
// read helpers (io/).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/random_hex.h"
#include "io/read_at_most.h"
#include "io/unique_fd.h"
#include "support/fault_injection_env.h"
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

// Records Close calls (closing nothing: the fds below are made up) and returns `close_result`.
class CloseRecorder : public testing::EnvWrapper {
 public:
  CloseRecorder() : EnvWrapper(Env::Default()) {}
  Status Close(int fd, const std::string& what) override {
    closed.emplace_back(fd, what);
    return close_result;
  }
  std::vector<std::pair<int, std::string>> closed;
  Status close_result;
};

using Closed = std::vector<std::pair<int, std::string>>;

TEST_CASE("UniqueFd closes its fd once, through Env, when destroyed", "[unique-fd]") {
  CloseRecorder env;
  {
    const UniqueFd file(env, 7, "seven");
    REQUIRE(file.valid());
    REQUIRE(file.get() == 7);
    REQUIRE(file.what() == "seven");
    REQUIRE(env.closed.empty());
  }
  REQUIRE(env.closed == Closed{{7, "seven"}});
  { const UniqueFd none(env, -1, "none"); }  // owns nothing: closes nothing
  REQUIRE(env.closed.size() == 1);
}

TEST_CASE("UniqueFd Close returns the close result and leaves nothing to close", "[unique-fd]") {
  CloseRecorder env;
  env.close_result = Status::IoError("close", "seven", 5);
  {
    UniqueFd file(env, 7, "seven");
    const Status closed = file.Close();
    REQUIRE(closed.code() == Code::kIoError);
    REQUIRE_FALSE(file.valid());
  }
  REQUIRE(env.closed == Closed{{7, "seven"}});
}

TEST_CASE("UniqueFd Release gives the fd up; Reset closes it at once", "[unique-fd]") {
  CloseRecorder env;
  {
    UniqueFd released(env, 7, "seven");
    REQUIRE(released.Release() == 7);
    REQUIRE(released.get() == -1);
    UniqueFd reset(env, 8, "eight");
    reset.Reset();
    REQUIRE(env.closed == Closed{{8, "eight"}});
    REQUIRE_FALSE(reset.valid());
  }
  REQUIRE(env.closed == Closed{{8, "eight"}});
}

TEST_CASE("UniqueFd moves ownership; assigning closes the fd held before", "[unique-fd]") {
  CloseRecorder env;
  {
    UniqueFd first(env, 7, "seven");
    UniqueFd second(std::move(first));
    REQUIRE(second.get() == 7);
    REQUIRE(first.get() == -1);  // NOLINT(bugprone-use-after-move): moved-from state is specified
    UniqueFd third(env, 8, "eight");
    third = std::move(second);
    REQUIRE(env.closed == Closed{{8, "eight"}});
    REQUIRE(third.get() == 7);
    REQUIRE(third.what() == "seven");
  }
  REQUIRE(env.closed == Closed{{8, "eight"}, {7, "seven"}});
}

// Hands out `data` at most `step` bytes per Read, then fails with `error` (if set) instead of
// reporting the end; counts the Read calls.
class TrickleSource : public ByteSource {
 public:
  // Keeps its own copy of `data` (callers may pass a temporary).
  TrickleSource(std::string_view data, std::size_t step) : copy_(data), data_(copy_), step_(step) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    ++reads;
    if (data_.empty() && !error.ok()) return error;
    const std::size_t n = std::min({capacity, step_, data_.size()});
    data_.copy(buffer, n);
    data_.remove_prefix(n);
    return n;
  }
  int reads = 0;
  Status error;

 private:
  std::string copy_;
  std::string_view data_;  // what is left of copy_
  std::size_t step_;
};

TEST_CASE("ReadAtMost fills the buffer across short reads and never reads once it is full", "[read-at-most]") {
  TrickleSource source("0123456789", 3);
  std::string buffer(6, '.');
  const Result<std::size_t> n = ReadAtMost(source, buffer.data(), buffer.size());
  REQUIRE(n.ok());
  REQUIRE(*n == 6);
  REQUIRE(buffer == "012345");
  REQUIRE(source.reads == 2);  // 3 + 3 bytes: no third call
}

TEST_CASE("ReadAtMost returns fewer bytes only at end of input, and the limit + 1 trick works", "[read-at-most]") {
  const std::string limit_bytes(4, 'x');
  for (const std::size_t step : {std::size_t{1}, std::size_t{3}, std::size_t{100}}) {
    std::string buffer(limit_bytes.size() + 1, '.');
    TrickleSource at_limit(limit_bytes, step);
    REQUIRE(*ReadAtMost(at_limit, buffer.data(), buffer.size()) == 4);  // not larger than the limit
    TrickleSource over_limit(limit_bytes + "yz", step);
    REQUIRE(*ReadAtMost(over_limit, buffer.data(), buffer.size()) == 5);  // larger: limit + 1
    TrickleSource empty("", step);
    REQUIRE(*ReadAtMost(empty, buffer.data(), buffer.size()) == 0);
  }
  TrickleSource untouched("abc", 1);
  REQUIRE(*ReadAtMost(untouched, nullptr, 0) == 0);
  REQUIRE(untouched.reads == 0);
}

TEST_CASE("ReadAtMost returns the first read error", "[read-at-most]") {
  TrickleSource source("ab", 1);
  source.error = Status::IoError("read", "the file", 5);
  std::string buffer(8, '.');
  const Result<std::size_t> n = ReadAtMost(source, buffer.data(), buffer.size());
  REQUIRE(n.status().code() == Code::kIoError);
  REQUIRE(n.status().error_number() == 5);
}

TEST_CASE("ReadAtMost tells a positional reader how many bytes came before each read", "[read-at-most]") {
  const std::string file = "abcdefgh";
  std::vector<std::size_t> offsets;
  const auto read_at = [&](char* into, std::size_t room, std::size_t offset) {
    offsets.push_back(offset);
    const std::size_t count = std::min<std::size_t>({room, 2, file.size() - offset});
    file.copy(into, count, offset);
    return Result<std::size_t>(count);
  };
  std::string buffer(5, '.');
  const Result<std::size_t> n = ReadAtMost(buffer.data(), buffer.size(), read_at);
  REQUIRE(*n == 5);
  REQUIRE(buffer == "abcde");
  REQUIRE(offsets == std::vector<std::size_t>{0, 2, 4});
}

}  // namespace
}  // namespace sealstate::internal
