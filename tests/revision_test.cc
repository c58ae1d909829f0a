#include <sealstate/revision.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <catch2/catch.hpp>

namespace sealstate {
namespace {

Timestamp MustParse(const std::string& text) {
  Result<Timestamp> parsed = ParseRfc3339(text);
  REQUIRE(parsed.ok());
  return *parsed;
}

// What a store does: the first attempt whose name is not taken yet.
std::string AllocateRevision(const Timestamp& now, std::set<std::string>& taken) {
  for (int attempt = 0; attempt < kMaxRevisionAttempts; ++attempt) {
    std::string rev = MakeRevision(now, attempt);
    if (taken.insert(rev).second) return rev;
  }
  return "";
}

std::vector<std::string> StringArray(const rapidjson::Value& array) {
  std::vector<std::string> strings;
  for (const rapidjson::Value& item : array.GetArray()) strings.emplace_back(item.GetString(), item.GetStringLength());
  return strings;
}

TEST_CASE("revision: a frozen clock gives T, T_1, T_2, T_3, T_4", "[revision]") {
  const Timestamp frozen = MustParse("2026-05-12T15:30:00Z");
  std::set<std::string> taken;
  std::vector<std::string> revs;
  for (int write = 0; write < 5; ++write) revs.push_back(AllocateRevision(frozen, taken));
  const std::string t = "2026-05-12T15:30:00Z";
  CHECK(revs == std::vector<std::string>{t, t + "_1", t + "_2", t + "_3", t + "_4"});
}

TEST_CASE("revision: the last attempt has suffix 99", "[revision]") {
  CHECK(MakeRevision(MustParse("2026-05-12T15:30:00Z"), kMaxRevisionAttempts - 1) == "2026-05-12T15:30:00Z_99");
}

TEST_CASE("revision: names carry nanoseconds trimmed of trailing zeros", "[revision]") {
  CHECK(MakeRevision(MustParse("2026-05-12T15:30:00.123456789Z"), 0) == "2026-05-12T15:30:00.123456789Z");
  CHECK(MakeRevision(MustParse("2026-05-12T15:30:00.120Z"), 3) == "2026-05-12T15:30:00.12Z_3");
}

TEST_CASE("revision: MakeRevision converts to UTC first", "[revision]") {
  CHECK(MakeRevision(MustParse("2026-05-12T17:30:00.5+02:00"), 0) == "2026-05-12T15:30:00.5Z");
  CHECK(MakeRevision(MustParse("2026-05-12T23:30:00-01:00"), 1) == "2026-05-13T00:30:00Z_1");
}

TEST_CASE("revision: the golden sort matches unobin's testdata", "[revision]") {
  std::ifstream file(std::string(SEALSTATE_TEST_DATA) + "/revision-sort.json", std::ios::binary);
  REQUIRE(file);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  rapidjson::Document golden;
  golden.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(golden.HasParseError());
  REQUIRE(golden.IsObject());

  const std::vector<std::string> input = StringArray(golden["input"]);
  const std::vector<std::string> before = input;
  CHECK(SortRevisions(input) == StringArray(golden["output"]));
  CHECK((input == before) == golden["input-preserved"].GetBool());
  CHECK(golden["empty-non-null"].GetBool());
  CHECK(SortRevisions({}).empty());
}

TEST_CASE("revision: suffixes follow Go's Atoi and must be at least 1", "[revision]") {
  const std::string t = "2026-07-10T12:00:00Z";
  CHECK(ParseRevision(t + "_+3").valid);
  CHECK(ParseRevision(t + "_+3").suffix == 3);
  CHECK(ParseRevision(t + "_03").valid);
  CHECK(ParseRevision(t + "_03").suffix == 3);
  CHECK(ParseRevision(t + "_9223372036854775807").suffix == 9'223'372'036'854'775'807);
  for (const std::string bad : {"_0", "_-1", "_", "_x", "_2_3", "_+", "_-0", "_ 1", "_1 ", "_1_",
                                "_9223372036854775808", "_0x10", "_1e3", "_1_000"}) {
    INFO(bad);
    CHECK_FALSE(ParseRevision(t + bad).valid);
  }
}

TEST_CASE("revision: a name without '_' has suffix 0 and needs an RFC 3339 base", "[revision]") {
  const ParsedRevision plain = ParseRevision("2026-07-10T12:00:00.25+01:00");
  CHECK(plain.valid);
  CHECK(plain.suffix == 0);
  CHECK(plain.time == MustParse("2026-07-10T12:00:00.25+01:00"));
  CHECK_FALSE(ParseRevision("").valid);
  CHECK_FALSE(ParseRevision("invalid").valid);
  CHECK_FALSE(ParseRevision("_1").valid);
  CHECK_FALSE(ParseRevision("2026-07-10T12:00:00z_1").valid);
}

TEST_CASE("revision: sorting normalises offsets", "[revision]") {
  const std::vector<std::string> revs = {"2026-07-10T12:00:00Z", "2026-07-10T13:30:00+02:00",
                                         "2026-07-10T11:59:59-00:30"};
  CHECK(SortRevisions(revs) ==
        std::vector<std::string>{"2026-07-10T13:30:00+02:00", "2026-07-10T12:00:00Z", "2026-07-10T11:59:59-00:30"});
  CHECK(CompareRevisions("2026-07-10T13:00:00+01:00", "2026-07-10T12:00:00Z_1") < 0);  // same instant, suffix
  CHECK(CompareRevisions("2026-07-10T12:00:00Z", "2026-07-10T13:00:00+01:00") < 0);    // same instant, bytes
}

TEST_CASE("revision: two invalid names sort bytewise", "[revision]") {
  CHECK(CompareRevisions("invalid-a", "invalid-b") < 0);
  CHECK(CompareRevisions("b", "B") > 0);
  CHECK(CompareRevisions("x", "x") == 0);
  CHECK(CompareRevisions("\xff", "a") > 0);  // unsigned bytes
  CHECK(SortRevisions({"zeta", "2026-07-10T12:00:00Z_0", "alpha"}) ==
        std::vector<std::string>{"2026-07-10T12:00:00Z_0", "alpha", "zeta"});
}

TEST_CASE("revision: valid names sort before invalid ones", "[revision]") {
  CHECK(CompareRevisions("9999-12-31T23:59:59Z", "0") < 0);
  CHECK(CompareRevisions("0", "0001-01-01T00:00:00Z") > 0);
}

TEST_CASE("revision: sorting is stable and keeps duplicates", "[revision]") {
  const std::vector<std::string> revs = {"b", "2026-07-10T12:00:00Z", "a", "b", "2026-07-10T12:00:00Z", "a"};
  CHECK(SortRevisions(revs) ==
        std::vector<std::string>{"2026-07-10T12:00:00Z", "2026-07-10T12:00:00Z", "a", "a", "b", "b"});
  const std::vector<std::string> sorted = {"2026-07-10T12:00:00Z", "2026-07-10T12:00:00Z_1", "2026-07-10T12:00:00Z_2",
                                           "x"};
  CHECK(SortRevisions(sorted) == sorted);
}

TEST_CASE("revision: SortRevisions leaves its input unchanged", "[revision]") {
  const std::vector<std::string> revs = {"b", "a", "2026-07-10T12:00:00Z"};
  std::vector<std::string> copy = revs;
  const std::vector<std::string> sorted = SortRevisions(copy);
  CHECK(copy == revs);
  CHECK(sorted == std::vector<std::string>{"2026-07-10T12:00:00Z", "a", "b"});
}

}  // namespace
}  // namespace sealstate
