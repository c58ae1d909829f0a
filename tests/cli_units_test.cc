// The CLI's helpers that need no process of their own: durations and the recorded lock operation.
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/duration.h"
#include "cli/lock_operation.h"
#include "text/go_utf8.h"

namespace sealstate::cli {
namespace {

using std::chrono::milliseconds;

TEST_CASE("duration: units and groups add up", "[cli]") {
  CHECK(*ParseDuration("0") == milliseconds(0));
  CHECK(*ParseDuration("250ms") == milliseconds(250));
  CHECK(*ParseDuration("1h2m3s") == milliseconds(3'723'000));
  CHECK(*ParseDuration("100000000h") == milliseconds(360'000'000'000'000));
  for (const char* bad : {"", "5", "5x", "h", "-1s", "1.5s"}) {
    INFO(bad);
    CHECK(ParseDuration(bad).status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("duration: one too long to represent saturates at MaxDuration instead of failing", "[cli]") {
  for (const char* huge : {"9223372036854775807ms", "99999999999999999999h", "2562047788015215h",
                           "999999999999999999999999999999s", "2562047788015215h2562047788015215h"}) {
    INFO(huge);
    Result<milliseconds> parsed = ParseDuration(huge);
    REQUIRE(parsed.ok());
    CHECK(*parsed == MaxDuration());
  }
}

TEST_CASE("lock operation: \"lock: \" and the command, as given when short", "[cli]") {
  CHECK(LockOperationFor({"sleep", "5"}) == "lock: sleep 5");
  const std::string arg(kMaxLockOperationBytes - 6, 'a');
  CHECK(LockOperationFor({arg}) == "lock: " + arg);  // exactly the limit: kept whole
}

TEST_CASE("lock operation: a long command is cut to the limit, ending in ...", "[cli]") {
  const std::string arg(4096, 'a');
  const std::string operation = LockOperationFor({"terraform", arg});
  CHECK(operation.size() == kMaxLockOperationBytes);
  CHECK(operation.rfind("lock: terraform aaa", 0) == 0);
  CHECK(operation.substr(operation.size() - 3) == "...");
}

TEST_CASE("lock operation: the cut never splits a UTF-8 character", "[cli]") {
  // "é" is 2 bytes, "€" 3 and "😀" 4: for every alignment the cut falls inside one of them.
  for (const std::string character : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    for (std::size_t pad = 0; pad < 4; ++pad) {
      std::string arg(pad, 'x');
      while (arg.size() < 2 * kMaxLockOperationBytes) arg += character;
      const std::string operation = LockOperationFor({arg});
      INFO(character.size() << " bytes per character, " << pad << " bytes before");
      CHECK(operation.size() <= kMaxLockOperationBytes);
      CHECK(operation.size() > kMaxLockOperationBytes - 3 - character.size());
      CHECK(internal::IsValidUtf8(operation));
      CHECK(operation.substr(operation.size() - 3) == "...");
    }
  }
}

}  // namespace
}  // namespace sealstate::cli
