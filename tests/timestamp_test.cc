#include <sealstate/timestamp.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

namespace sealstate {
namespace {

Timestamp MustParse(const std::string& text) {
  Result<Timestamp> parsed = ParseRfc3339(text);
  INFO(text << ": " << parsed.status().ToString());
  REQUIRE(parsed.ok());
  return *parsed;
}

bool Parses(const std::string& text) { return ParseRfc3339(text).ok(); }

std::string ParseError(const std::string& text) {
  Result<Timestamp> parsed = ParseRfc3339(text);
  INFO(text);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == Code::kInvalidArgument);
  return parsed.status().message();
}

TEST_CASE("timestamp: parse then format round-trips Go RFC3339Nano forms", "[timestamp]") {
  for (const char* text : {"2026-04-30T12:00:00Z", "2026-04-30T12:00:00.123456789Z", "2026-04-30T12:00:00.5+02:00",
                           "2026-04-30T12:00:00-05:30", "1999-12-31T23:59:59.000000001Z"}) {
    INFO(text);
    CHECK(FormatRfc3339Nano(MustParse(text)) == text);
  }
}

TEST_CASE("timestamp: a positive offset is kept on format and the instant is UTC", "[timestamp]") {
  const Timestamp t = MustParse("2026-04-30T12:00:00.5+02:00");
  CHECK(t.offset_seconds == 7'200);
  CHECK(t.nanos == 500'000'000);
  CHECK(t.unix_seconds == 1'777'550'400 - 7'200);
  CHECK(FormatRfc3339Nano(t) == "2026-04-30T12:00:00.5+02:00");
}

TEST_CASE("timestamp: a negative half-hour offset is kept on format", "[timestamp]") {
  const Timestamp t = MustParse("2026-04-30T12:00:00-05:30");
  CHECK(t.offset_seconds == -(5 * 3'600 + 30 * 60));
  CHECK(t.unix_seconds == 1'777'550'400 + 5 * 3'600 + 30 * 60);
  CHECK(FormatRfc3339Nano(t) == "2026-04-30T12:00:00-05:30");
}

TEST_CASE("timestamp: trailing fractional zeros are trimmed on format", "[timestamp]") {
  CHECK(FormatRfc3339Nano(MustParse("2026-04-30T12:00:00.100Z")) == "2026-04-30T12:00:00.1Z");
  CHECK(FormatRfc3339Nano(MustParse("2026-04-30T12:00:00.000Z")) == "2026-04-30T12:00:00Z");
  CHECK(FormatRfc3339Nano(MustParse("2026-04-30T12:00:00.120000000Z")) == "2026-04-30T12:00:00.12Z");
}

TEST_CASE("timestamp: the default value formats as Go's zero time", "[timestamp]") {
  CHECK(FormatRfc3339Nano(Timestamp{}) == "0001-01-01T00:00:00Z");
  CHECK(MustParse("0001-01-01T00:00:00Z") == Timestamp{});
}

TEST_CASE("timestamp: -00:00 parses as offset zero and formats as Z", "[timestamp]") {
  CHECK(FormatRfc3339Nano(MustParse("2026-04-30T12:00:00-00:00")) == "2026-04-30T12:00:00Z");
}

TEST_CASE("timestamp: leap days follow the Gregorian rules", "[timestamp]") {
  CHECK(Parses("2024-02-29T00:00:00Z"));
  CHECK(Parses("2000-02-29T00:00:00Z"));
  CHECK_FALSE(Parses("2023-02-29T00:00:00Z"));
  CHECK_FALSE(Parses("1900-02-29T00:00:00Z"));
  CHECK_FALSE(Parses("2024-02-30T00:00:00Z"));
  CHECK(FormatRfc3339Nano(MustParse("2024-02-29T23:59:59Z")) == "2024-02-29T23:59:59Z");
}

TEST_CASE("timestamp: every out-of-range field is rejected and named", "[timestamp]") {
  CHECK(ParseError("2026-13-01T00:00:00Z") == "timestamp \"2026-13-01T00:00:00Z\" is not RFC 3339: month out of range");
  CHECK(ParseError("2026-00-01T00:00:00Z").find("month out of range") != std::string::npos);
  CHECK(ParseError("2026-04-31T00:00:00Z").find("day out of range") != std::string::npos);
  CHECK(ParseError("2026-04-00T00:00:00Z").find("day out of range") != std::string::npos);
  CHECK(ParseError("2026-01-32T00:00:00Z").find("day out of range") != std::string::npos);
  CHECK(ParseError("2026-04-30T24:00:00Z").find("hour out of range") != std::string::npos);
  CHECK(ParseError("2026-04-30T12:60:00Z").find("minute out of range") != std::string::npos);
  CHECK(ParseError("2026-04-30T12:00:60Z").find("second out of range") != std::string::npos);
  CHECK(ParseError("2026-04-30T12:00:00+24:00").find("offset hour out of range") != std::string::npos);
  CHECK(ParseError("2026-04-30T12:00:00+01:60").find("offset minute out of range") != std::string::npos);
}

TEST_CASE("timestamp: the largest value of each field is accepted", "[timestamp]") {
  CHECK(FormatRfc3339Nano(MustParse("2026-12-31T23:59:59.999999999+23:59")) == "2026-12-31T23:59:59.999999999+23:59");
  CHECK(FormatRfc3339Nano(MustParse("2026-01-01T00:00:00-23:59")) == "2026-01-01T00:00:00-23:59");
}

TEST_CASE("timestamp: lower-case t and z are rejected", "[timestamp]") {
  CHECK(ParseError("2026-04-30t12:00:00Z").find("expected 'T'") != std::string::npos);
  CHECK(ParseError("2026-04-30T12:00:00z").find("expected 'Z'") != std::string::npos);
  CHECK_FALSE(Parses("2026-04-30 12:00:00Z"));
}

TEST_CASE("timestamp: fractions need 1 to 9 digits after a period", "[timestamp]") {
  CHECK(ParseError("2026-04-30T12:00:00.1234567890Z").find("more than 9 digits") != std::string::npos);
  CHECK_FALSE(Parses("2026-04-30T12:00:00.Z"));
  CHECK_FALSE(Parses("2026-04-30T12:00:00,5Z"));
  CHECK(MustParse("2026-04-30T12:00:00.1Z").nanos == 100'000'000);
  CHECK(MustParse("2026-04-30T12:00:00.000000001Z").nanos == 1);
}

TEST_CASE("timestamp: missing or malformed parts are rejected", "[timestamp]") {
  CHECK(ParseError("2026-04-30T12:00Z").find("expected ':' after the minutes") != std::string::npos);
  CHECK_FALSE(Parses("2026-04-30T12:00:00"));
  CHECK_FALSE(Parses(""));
  CHECK_FALSE(Parses("2026-04-30"));
  CHECK_FALSE(Parses("26-04-30T12:00:00Z"));
  CHECK_FALSE(Parses("2026-4-30T12:00:00Z"));
  CHECK_FALSE(Parses("2026-04-30T1:00:00Z"));
  CHECK_FALSE(Parses("2026-04-30T12:00:00+0100"));
  CHECK_FALSE(Parses("2026-04-30T12:00:00+01"));
  CHECK_FALSE(Parses(" 2026-04-30T12:00:00Z"));
  CHECK(ParseError("2026-04-30T12:00:00Zjunk").find("unexpected text") != std::string::npos);
  CHECK_FALSE(Parses("+2026-04-30T12:00:00Z"));
  CHECK_FALSE(Parses("12026-04-30T12:00:00Z"));
}

TEST_CASE("timestamp: error messages escape control bytes in the input", "[timestamp]") {
  const std::string message = ParseError(std::string("2026\n\x01\"\\", 8));
  CHECK(message == "timestamp \"2026\\n\\x01\\\"\\\\\" is not RFC 3339: expected '-' after the year");
}

TEST_CASE("timestamp: CompareInstants normalises offsets", "[timestamp]") {
  const Timestamp plus_one = MustParse("2026-04-30T12:00:00+01:00");
  const Timestamp utc = MustParse("2026-04-30T11:00:00Z");
  CHECK(CompareInstants(plus_one, utc) == 0);
  CHECK_FALSE(plus_one == utc);  // same instant, different offset
  CHECK(CompareInstants(MustParse("2026-04-30T11:00:00.5Z"), utc) > 0);
  CHECK(CompareInstants(utc, MustParse("2026-04-30T11:00:00.5Z")) < 0);
  CHECK(CompareInstants(MustParse("2026-04-30T12:00:00-01:00"), utc) > 0);
}

TEST_CASE("timestamp: years 0000 and 9999 are the bounds", "[timestamp]") {
  const Timestamp first = MustParse("0000-01-01T00:00:00Z");
  CHECK(first.unix_seconds == -62'167'219'200);
  CHECK(FormatRfc3339Nano(first) == "0000-01-01T00:00:00Z");
  CHECK(FormatRfc3339Nano(MustParse("0000-02-29T00:00:00Z")) == "0000-02-29T00:00:00Z");  // year 0 is leap
  const Timestamp last = MustParse("9999-12-31T23:59:59.999999999Z");
  CHECK(last.unix_seconds == 253'402'300'799);
  CHECK(FormatRfc3339Nano(last) == "9999-12-31T23:59:59.999999999Z");
}

TEST_CASE("timestamp: unix seconds match known values", "[timestamp]") {
  CHECK(MustParse("1970-01-01T00:00:00Z").unix_seconds == 0);
  CHECK(MustParse("2026-04-30T12:00:00Z").unix_seconds == 1'777'550'400);
  CHECK(MustParse("1969-12-31T23:59:59Z").unix_seconds == -1);
  CHECK(MustParse("2000-03-01T00:00:00Z").unix_seconds == 951'868'800);
}

TEST_CASE("timestamp: every day of years 0000-9999 formats to a valid date that parses back", "[timestamp]") {
  const Timestamp first = MustParse("0000-01-01T23:59:59.5+01:00");
  const std::int64_t last_seconds = MustParse("9999-12-31T23:59:59.5+01:00").unix_seconds;
  // Under valgrind (scripts/sanitizers.sh) every 7th day: the same code paths in a seventh of the
  // time (3'652'425 days are exactly 521'775 weeks).
  const char* sanitizer = std::getenv("SEALSTATE_SANITIZER");
  const std::int64_t step = sanitizer != nullptr && std::string_view(sanitizer) == "valgrind" ? 7 : 1;
  std::int64_t days = 0;
  bool all_round_trip = true;
  for (Timestamp t = first; t.unix_seconds <= last_seconds; t.unix_seconds += step * 86'400, days += step) {
    Result<Timestamp> parsed = ParseRfc3339(FormatRfc3339Nano(t));
    if (!parsed.ok() || !(*parsed == t)) {
      all_round_trip = false;
      FAIL_CHECK(FormatRfc3339Nano(t) << " does not round-trip");
      break;
    }
  }
  CHECK(all_round_trip);
  CHECK(days == 3'652'425);  // 10000 Gregorian years of 365.2425 days
}

TEST_CASE("timestamp: format converts to the local time at the stored offset", "[timestamp]") {
  Timestamp t;
  t.unix_seconds = 0;
  t.offset_seconds = -3'600;
  CHECK(FormatRfc3339Nano(t) == "1969-12-31T23:00:00-01:00");
  t.offset_seconds = 5 * 3'600 + 45 * 60;
  CHECK(FormatRfc3339Nano(t) == "1970-01-01T05:45:00+05:45");
}

TEST_CASE("timestamp: NowUtc is in UTC with valid nanoseconds and round-trips", "[timestamp]") {
  const Timestamp now = NowUtc();
  CHECK(now.offset_seconds == 0);
  CHECK(now.nanos >= 0);
  CHECK(now.nanos < 1'000'000'000);
  CHECK(now.unix_seconds > 1'700'000'000);  // after 2023: the clock is set
  CHECK(MustParse(FormatRfc3339Nano(now)) == now);
}

}  // namespace
}  // namespace sealstate
