// Tests for the Go-compatible JSON writer and the streaming JSON reader.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "json/go_json_writer.h"
#include "json/json_reader.h"
#include "text/go_quote.h"

namespace sealstate::internal {
namespace {

std::string GoString(std::string_view s) {
  std::string out;
  AppendGoQuotedString(out, s);
  return out;
}

std::string GoFloat(double d) {
  std::string out;
  AppendGoFloat(out, d);
  return out;
}

std::string Write(const Json& value, GoJsonWriter::Style style) {
  std::string out;
  StringSink sink(out);
  GoJsonWriter writer(sink, style);
  writer.Value(value);
  REQUIRE(writer.Finish().ok());
  return out;
}

std::string Pretty(const Json& value) { return Write(value, GoJsonWriter::Style::kPretty); }
std::string Compact(const Json& value) { return Write(value, GoJsonWriter::Style::kCompact); }

Json Parse(std::string_view text) {
  Result<Json> parsed = ParseJson(text);
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

// Records every Append so tests can see how output was split.
class CountingSink final : public ByteSink {
 public:
  Status Append(std::string_view data) override {
    pieces.emplace_back(data);
    return Status::OK();
  }
  std::string Joined() const {
    std::string all;
    for (const std::string& p : pieces) all += p;
    return all;
  }
  std::vector<std::string> pieces;
};

class FailingSink final : public ByteSink {
 public:
  Status Append(std::string_view) override {
    ++calls;
    return Status::IoError("write", "/tmp/state", 28);
  }
  int calls = 0;
};

// Hands out `data` in pieces of at most `chunk` bytes, then fails with `error` if it is set.
class ChunkedSource final : public ByteSource {
 public:
  ChunkedSource(std::string data, std::size_t chunk, Status error = Status::OK())
      : data_(std::move(data)), chunk_(chunk), error_(std::move(error)) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    if (pos_ == data_.size() && !error_.ok()) return error_;
    const std::size_t n = std::min({capacity, chunk_, data_.size() - pos_});
    data_.copy(buffer, n, pos_);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t chunk_;
  Status error_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// String escaping

TEST_CASE("Go escaping turns < > & into \\u003c \\u003e \\u0026", "[json][escape]") {
  CHECK(GoString("<a href='x'>&amp;</a>") == R"("\u003ca href='x'\u003e\u0026amp;\u003c/a\u003e")");
}

TEST_CASE("Go escaping backslashes quote and backslash", "[json][escape]") {
  CHECK(GoString(R"(say "hi" \ bye)") == R"("say \"hi\" \\ bye")");
}

TEST_CASE("Go escaping escapes U+2028 and U+2029", "[json][escape]") {
  CHECK(GoString("a\u2028b\u2029c") == R"("a\u2028b\u2029c")");
}

TEST_CASE("Go escaping uses short escapes for \\b \\f \\n \\r \\t", "[json][escape]") {
  CHECK(GoString("\b\f\n\r\t") == R"("\b\f\n\r\t")");
}

TEST_CASE("Go escaping writes other control characters as lower-case \\u00XX", "[json][escape]") {
  CHECK(GoString(std::string("\x00\x01\x1f\x0b", 4)) == R"("\u0000\u0001\u001f\u000b")");
}

TEST_CASE("Go escaping replaces each invalid UTF-8 byte with \\ufffd", "[json][escape]") {
  CHECK(GoString("a\xff"
                 "b") == R"("a\ufffdb")");
  CHECK(GoString("\xc3") == R"("\ufffd")");                                // truncated sequence
  CHECK(GoString("\xc0\xaf") == R"("\ufffd\ufffd")");                      // overlong '/'
  CHECK(GoString("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");            // UTF-16 surrogate
  CHECK(GoString("\xf4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");  // past U+10FFFF
}

TEST_CASE("Go escaping passes DEL through raw", "[json][escape]") {
  CHECK(GoString("a\x7f"
                 "b") ==
        "\"a\x7f"
        "b\"");
}

TEST_CASE("Go escaping finds every byte that needs it, wherever it sits in a long safe run", "[json][escape]") {
  // The escaper skips safe bytes a word at a time: each ASCII byte at each offset of a 8-byte
  // word, and past it, must still come out as Go writes it.
  const auto go_ascii = [](unsigned char c) -> std::string {
    switch (c) {
      case '"': return "\\\"";
      case '\\': return "\\\\";
      case '\b': return "\\b";
      case '\f': return "\\f";
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      default: break;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      const char* hex = "0123456789abcdef";
      return std::string("\\u00") + hex[c >> 4] + hex[c & 0xf];
    }
    return std::string(1, static_cast<char>(c));
  };
  for (int c = 0; c < 0x80; ++c) {
    for (std::size_t at = 0; at < 20; ++at) {
      std::string text(24, 'a');
      text[at] = static_cast<char>(c);
      const std::string expected =
          "\"" + std::string(at, 'a') + go_ascii(static_cast<unsigned char>(c)) + std::string(23 - at, 'a') + "\"";
      INFO("byte " << c << " at " << at);
      REQUIRE(GoString(text) == expected);
    }
  }
  // A non-ASCII byte inside a word: valid UTF-8 passes, an invalid byte becomes \ufffd.
  CHECK(GoString("abcdefg\xc3\xa9hijklmnop") == "\"abcdefg\xc3\xa9hijklmnop\"");
  CHECK(GoString("abcdefghijk\xffmnopqrst") == R"("abcdefghijk\ufffdmnopqrst")");
}

TEST_CASE("Go escaping passes valid multi-byte UTF-8 through raw", "[json][escape]") {
  const std::string text = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd";  // é € 😀 U+FFFD
  CHECK(GoString(text) == "\"" + text + "\"");
}

// ---------------------------------------------------------------------------------------------
// Float formatting

TEST_CASE("Go float format matches strconv for typical values", "[json][float]") {
  CHECK(GoFloat(5) == "5");
  CHECK(GoFloat(0.1) == "0.1");
  CHECK(GoFloat(1e21) == "1e+21");
  CHECK(GoFloat(1e20) == "100000000000000000000");
  CHECK(GoFloat(1e-7) == "1e-7");
  CHECK(GoFloat(0.000001) == "0.000001");
  CHECK(GoFloat(-0.0) == "-0");
  CHECK(GoFloat(0.0) == "0");
  CHECK(GoFloat(1.5e300) == "1.5e+300");
  CHECK(GoFloat(123456789.125) == "123456789.125");
}

TEST_CASE("Go float format handles signs, exponent widths and extremes", "[json][float]") {
  CHECK(GoFloat(-2.5) == "-2.5");
  CHECK(GoFloat(-1e21) == "-1e+21");
  CHECK(GoFloat(1.2345e-8) == "1.2345e-8");
  CHECK(GoFloat(1e-100) == "1e-100");
  CHECK(GoFloat(5e-324) == "5e-324");
  CHECK(GoFloat(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
  CHECK(GoFloat(123456789012345678901.0) == "123456789012345680000");  // shortest digits, padded
  CHECK(GoFloat(0.00001234) == "0.00001234");
  CHECK(GoFloat(9007199254740993.0) == "9007199254740992");
}

TEST_CASE("Writer prints 64-bit integers exactly", "[json][writer]") {
  CHECK(Compact(Json(std::numeric_limits<std::int64_t>::min())) == "-9223372036854775808");
  CHECK(Compact(Json(std::numeric_limits<std::uint64_t>::max())) == "18446744073709551615");
  CHECK(Compact(Json(std::int64_t{9007199254740993})) == "9007199254740993");
}

// ---------------------------------------------------------------------------------------------
// Layout

TEST_CASE("Pretty layout of nested and empty containers matches MarshalIndent", "[json][writer]") {
  JsonObject inner;
  inner["list"] = JsonArray{Json(1), Json("two"), Json(JsonArray{}), Json(JsonObject{})};
  inner["none"] = Json();
  JsonObject root;
  root["b"] = Json(std::move(inner));
  root["a"] = Json(true);
  root["empty-array"] = Json(JsonArray{});
  root["empty-object"] = Json(JsonObject{});
  root["nested"] = Json(JsonArray{Json(JsonArray{Json(false)})});

  const std::string expected =
      "{\n"
      "  \"a\": true,\n"
      "  \"b\": {\n"
      "    \"list\": [\n"
      "      1,\n"
      "      \"two\",\n"
      "      [],\n"
      "      {}\n"
      "    ],\n"
      "    \"none\": null\n"
      "  },\n"
      "  \"empty-array\": [],\n"
      "  \"empty-object\": {},\n"
      "  \"nested\": [\n"
      "    [\n"
      "      false\n"
      "    ]\n"
      "  ]\n"
      "}";
  CHECK(Pretty(Json(std::move(root))) == expected);
}

TEST_CASE("Pretty layout of empty root containers and scalars", "[json][writer]") {
  CHECK(Pretty(Json(JsonObject{})) == "{}");
  CHECK(Pretty(Json(JsonArray{})) == "[]");
  CHECK(Pretty(Json("x")) == "\"x\"");
}

TEST_CASE("Compact mode has no whitespace", "[json][writer]") {
  JsonObject root;
  root["k"] = JsonArray{Json(1), Json(JsonObject{{"x", Json(0.5)}}), Json()};
  root["a<b"] = Json("v");
  CHECK(Compact(Json(std::move(root))) == R"({"a\u003cb":"v","k":[1,{"x":0.5},null]})");
}

TEST_CASE("Writer escapes object keys like strings", "[json][writer]") {
  JsonObject root;
  root["\u2028&"] = Json(1);
  CHECK(Compact(Json(std::move(root))) == R"({"\u2028\u0026":1})");
}

TEST_CASE("Raw writes text unchanged after the value", "[json][writer]") {
  std::string out;
  StringSink sink(out);
  GoJsonWriter writer(sink, GoJsonWriter::Style::kPretty);
  writer.StartObject();
  writer.Key("n");
  writer.Uint(7);
  writer.EndObject();
  writer.Raw("\n");
  REQUIRE(writer.Finish().ok());
  CHECK(out == "{\n  \"n\": 7\n}\n");
}

// ---------------------------------------------------------------------------------------------
// Streaming

TEST_CASE("Writer streams a >200 KiB string in several Appends equal to one-shot output", "[json][writer][stream]") {
  std::string big;
  for (int i = 0; i < 30000; ++i) big += "line <" + std::to_string(i) + ">\n";
  REQUIRE(big.size() > 200 * 1024);

  CountingSink sink;
  GoJsonWriter writer(sink, GoJsonWriter::Style::kPretty);
  writer.String(big);
  REQUIRE(writer.Finish().ok());

  CHECK(sink.pieces.size() > 1);
  for (const std::string& piece : sink.pieces) CHECK(piece.size() <= 72 * 1024);
  std::string expected;
  AppendGoQuotedString(expected, big);
  CHECK(sink.Joined() == expected);
}

TEST_CASE("Writer streams a >200 KiB array in several Appends equal to one-shot output", "[json][writer][stream]") {
  JsonArray items;
  for (int i = 0; i < 20000; ++i) items.emplace_back("item-" + std::to_string(i));
  const Json value(std::move(items));

  CountingSink sink;
  GoJsonWriter writer(sink, GoJsonWriter::Style::kPretty);
  writer.Value(value);
  REQUIRE(writer.Finish().ok());

  const std::string one_shot = Pretty(value);
  REQUIRE(one_shot.size() > 200 * 1024);
  CHECK(sink.pieces.size() > 1);
  CHECK(sink.Joined() == one_shot);
}

TEST_CASE("Writer returns the failing sink's error from Finish and stops writing", "[json][writer][stream]") {
  FailingSink sink;
  GoJsonWriter writer(sink, GoJsonWriter::Style::kCompact);
  writer.String(std::string(300 * 1024, 'x'));
  const Status status = writer.Finish();
  CHECK(status.code() == Code::kIoError);
  CHECK(status.error_number() == 28);
  CHECK(sink.calls == 1);
}

TEST_CASE("Writer fails on NaN and infinities as Go's encoder does", "[json][writer]") {
  for (const auto& [value, name] : {std::pair{std::numeric_limits<double>::quiet_NaN(), "NaN"},
                                    std::pair{std::numeric_limits<double>::infinity(), "+Inf"},
                                    std::pair{-std::numeric_limits<double>::infinity(), "-Inf"}}) {
    std::string out;
    StringSink sink(out);
    GoJsonWriter writer(sink, GoJsonWriter::Style::kCompact);
    writer.StartArray();
    writer.Double(value);
    writer.EndArray();
    const Status status = writer.Finish();
    CHECK(status.code() == Code::kInvalidArgument);
    CHECK(status.message() == std::string("json: unsupported value: ") + name);
  }
}

// ---------------------------------------------------------------------------------------------
// GoQuote (%q)

TEST_CASE("GoQuote matches Go's %q", "[json][quote]") {
  CHECK(GoQuote("resource.main") == R"("resource.main")");
  CHECK(GoQuote(R"(a"b\c)") == R"("a\"b\\c")");
  CHECK(GoQuote("\a\b\f\n\r\t\v") == R"("\a\b\f\n\r\t\v")");
  CHECK(GoQuote(std::string("\x00\x1b\x7f", 3)) == R"("\x00\x1b\x7f")");
  CHECK(GoQuote("bad\xff") == R"("bad\xff")");
  CHECK(GoQuote("caf\xc3\xa9 <&>") == "\"caf\xc3\xa9 <&>\"");
  CHECK(GoQuote("\xc2\xa0") == R"("\u00a0")");  // no-break space is not printable
  CHECK(GoQuote("\xe2\x80\xa8") == R"("\u2028")");
  CHECK(GoQuote("\xf3\xb0\x80\x80") == R"("\U000f0000")");  // private use plane
  CHECK(GoQuote("") == R"("")");
}

TEST_CASE("GoEscapeForDisplay escapes what GoQuote escapes, except quotes and backslashes", "[json][quote]") {
  CHECK(GoEscapeForDisplay("* 2026-05-12T15:42:17.90211Z") == "* 2026-05-12T15:42:17.90211Z");
  CHECK(GoEscapeForDisplay("x\n* REV\x1b[2J\r") == R"(x\n* REV\x1b[2J\r)");
  CHECK(GoEscapeForDisplay(R"(name "a\nb" is not allowed)") == R"(name "a\nb" is not allowed)");
  CHECK(GoEscapeForDisplay(std::string("\x00\x7f\t", 3)) == R"(\x00\x7f\t)");
  CHECK(GoEscapeForDisplay("\xc2\x9b"
                           "31m \xe2\x80\xae bad\xff") == R"(\u009b31m \u202e bad\xff)");
  CHECK(GoEscapeForDisplay("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(GoEscapeForDisplay("") == "");
}

// ---------------------------------------------------------------------------------------------
// Reader

TEST_CASE("Reader keeps int64 and uint64 limits exact", "[json][reader]") {
  const Json parsed = Parse(
      "[9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615,"
      " 9007199254740993, 0, 42]");
  const JsonArray& a = parsed.as_array();
  REQUIRE(a.size() == 7);
  CHECK(a[0].type() == Json::Type::kInt);
  CHECK(a[0].as_int() == std::numeric_limits<std::int64_t>::max());
  CHECK(a[1].as_int() == std::numeric_limits<std::int64_t>::min());
  CHECK(a[2].type() == Json::Type::kUint);
  CHECK(a[2].as_uint() == 9223372036854775808u);
  CHECK(a[3].as_uint() == std::numeric_limits<std::uint64_t>::max());
  CHECK(a[4].as_int() == 9007199254740993);
  CHECK(a[5] == Json(0));
  CHECK(a[6] == Json(42));
}

TEST_CASE("Reader parses doubles at full precision", "[json][reader]") {
  const Json parsed = Parse("[0.1, 1e21, -2.5e-7, 18446744073709551616, 1.0, 123456789.125]");
  const JsonArray& a = parsed.as_array();
  CHECK(a[0] == Json(0.1));
  CHECK(a[1] == Json(1e21));
  CHECK(a[2] == Json(-2.5e-7));
  CHECK(a[3] == Json(18446744073709551616.0));
  CHECK(a[4] == Json(1.0));
  CHECK(a[4].type() == Json::Type::kDouble);
  CHECK(a[5] == Json(123456789.125));
}

// Found by fuzz/lock_record_fuzzer (UBSan: clz(0) in RapidJSON 1.1.0's DiyFp::Normalize): a zero
// significand whose decimal exponent leaves RapidJSON's fast path came back as a huge or tiny
// non-zero number ("0e99" as 6.5e296), silently changing a snapshot's inputs.
TEST_CASE("Reader reads a zero significand with any exponent as zero", "[json][reader]") {
  const Json parsed = Parse(
      "[0e99, 0E99, 0.000000000000000000000000000000, -0.0000000000000000000000e99, 0e-400,"
      " 0.0e5, 0.00000000000000000000000000000001e10, 0.5e1, 0, -0.0]");
  const JsonArray& a = parsed.as_array();
  REQUIRE(a.size() == 10);
  for (std::size_t i : {0, 1, 2, 4, 5}) {
    INFO(i);
    CHECK(a[i].type() == Json::Type::kDouble);
    CHECK(a[i].as_double() == 0.0);
    CHECK_FALSE(std::signbit(a[i].as_double()));
  }
  CHECK(a[3].as_double() == 0.0);
  CHECK(std::signbit(a[3].as_double()));
  CHECK(a[6] == Json(1e-22));
  CHECK(a[7] == Json(5.0));
  CHECK(a[8] == Json(0));
  CHECK(std::signbit(a[9].as_double()));
  CHECK(Compact(parsed) == "[0,0,0,-0,0,0,1e-22,5,0,-0]");
}

// Found by fuzz/envelope_v1_fuzzer (UBSan: signed overflow in RapidJSON 1.1.0's
// GetCachedPower10, then a read past its table of powers of ten): a decimal exponent below about
// -348 once the fraction digits are counted. Such numbers underflow to a zero of their sign.
TEST_CASE("Reader reads numbers below the smallest subnormal as signed zero", "[json][reader]") {
  const Json parsed = Parse(
      "[880.80888888888888888e-0333, -1e-400, 1e-99999999999999999999, 2e-324,"
      " 4.9e-324, 1000000000000000000000e-330, 0.0000001e-316]");
  const JsonArray& a = parsed.as_array();
  REQUIRE(a.size() == 7);
  for (std::size_t i : {0, 1, 2, 3}) {
    INFO(i);
    REQUIRE(a[i].type() == Json::Type::kDouble);
    CHECK(a[i].as_double() == 0.0);
    CHECK(std::signbit(a[i].as_double()) == (i == 1));
  }
  CHECK(a[4] == Json(std::numeric_limits<double>::denorm_min()));
  CHECK(a[5] == Json(1e-309));
  CHECK(a[6] == Json(1e-323));
}

TEST_CASE("Reader refuses a number above the largest double, naming it", "[json][reader]") {
  for (const char* text : {"[2e308]", "[-1.8e308]", "[17976931348623159e292]", "[1000000000e300]"}) {
    INFO(text);
    const Result<Json> parsed = ParseJson(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Code::kIntegrity);
    CHECK_THAT(parsed.status().message(), Catch::Contains("is too large for a double"));
  }
  CHECK(ParseJson("[1.7976931348623157e308]")->as_array()[0] == Json(std::numeric_limits<double>::max()));
  CHECK(ParseJson("[1e309]").status().message() == "invalid JSON at byte 1: number too big to be stored in double");
}

// The conversion is std::from_chars plus our own integer/underflow/overflow rules; glibc's strtod
// (correctly rounded, C locale) is an independent oracle for the doubles.
TEST_CASE("Reader converts doubles exactly as strtod does", "[json][reader]") {
  std::uint64_t state = 0x9e3779b97f4a7c15u;
  auto next = [&state](std::uint64_t bound) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % bound;
  };
  int compared = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string text = next(4) == 0 ? "-" : "";
    const std::uint64_t integer_digits = 1 + next(25);
    text += static_cast<char>('1' + next(9));
    for (std::uint64_t i = 1; i < integer_digits; ++i) text += static_cast<char>('0' + next(10));
    if (next(2) == 0) {
      text += '.';
      const std::uint64_t fraction_digits = 1 + next(25);
      for (std::uint64_t i = 0; i < fraction_digits; ++i) text += static_cast<char>('0' + next(10));
    }
    text += 'e' + std::to_string(static_cast<std::int64_t>(next(700)) - 380);
    errno = 0;
    const double expected = std::strtod(text.c_str(), nullptr);
    const bool overflow = errno == ERANGE && std::isinf(expected);
    INFO(text);
    const Result<Json> parsed = ParseJson(text);
    if (overflow) {
      CHECK_FALSE(parsed.ok());
      continue;
    }
    REQUIRE(parsed.ok());
    REQUIRE(parsed->type() == Json::Type::kDouble);
    CHECK(parsed->as_double() == expected);
    CHECK(std::signbit(parsed->as_double()) == std::signbit(expected));
    ++compared;
  }
  CHECK(compared > 10000);
}

TEST_CASE("Reader keeps -0 as a double so it re-encodes as Go does", "[json][reader]") {
  const Json parsed = Parse("-0");
  REQUIRE(parsed.type() == Json::Type::kDouble);
  CHECK(Compact(parsed) == "-0");
}

TEST_CASE("Reader parses strings, escapes, literals and nesting", "[json][reader]") {
  const Json parsed = Parse(R"({"s": "a\u003c\n\u00e9\ud83d\ude00", "t": true, "f": false, "n": null,
                               "o": {"x": []}})");
  const JsonObject& o = parsed.as_object();
  CHECK(o.at("s").as_string() == "a<\n\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(o.at("t") == Json(true));
  CHECK(o.at("f") == Json(false));
  CHECK(o.at("n").is_null());
  CHECK(o.at("o").as_object().at("x") == Json(JsonArray{}));
}

TEST_CASE("Reader keeps the last value of a duplicate key", "[json][reader]") {
  const Json parsed = Parse(R"({"a": 1, "b": 2, "a": {"z": 3}})");
  const JsonObject& o = parsed.as_object();
  REQUIRE(o.size() == 2);
  CHECK(o.at("a") == Json(JsonObject{{"z", Json(3)}}));
}

TEST_CASE("Reader sorts members given in any order and keeps the last of a repeated key", "[json][reader]") {
  std::string text = "{";
  for (int i = 2000; i > 0; --i) text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  text += "\"k7\": \"last\"}";
  const Json parsed = Parse(text);
  const JsonObject& o = parsed.as_object();
  REQUIRE(o.size() == 2000);
  CHECK(std::is_sorted(o.begin(), o.end(), [](const auto& a, const auto& b) { return a.first < b.first; }));
  CHECK(o.at("k7") == Json("last"));
  CHECK(o.at("k1999") == Json(1999));
}

TEST_CASE("JsonObject keeps keys sorted bytewise and unique, as std::map did", "[json][object]") {
  JsonObject o{{"b", Json(2)}, {"\xc3\xa9", Json(3)}, {"a", Json(1)}, {"b", Json("first wins")}, {"B", Json(0)}};
  std::vector<std::string> keys;
  for (const auto& [key, value] : o) keys.emplace_back(key);
  CHECK(keys == std::vector<std::string>{"B", "a", "b", "\xc3\xa9"});  // bytewise: 0xc3 after ASCII
  CHECK(o.at("b") == Json(2));

  const auto [it, inserted] = o.emplace("a", Json(9));
  CHECK_FALSE(inserted);
  CHECK(it->second == Json(1));
  CHECK(o.insert({"c", Json(4)}).second);
  CHECK(o.insert_or_assign("c", Json(5)).second == false);
  CHECK(o.at("c") == Json(5));
  o["d"] = Json(true);
  CHECK(o.find("d") != o.end());
  CHECK(o.find("zz") == o.end());
  CHECK(o.count("d") == 1);
  CHECK_FALSE(o.contains("zz"));
  CHECK(o.erase("d") == 1);
  CHECK(o.erase("d") == 0);
  CHECK_THROWS_AS(o.at("d"), std::out_of_range);
  CHECK(o.size() == 5);
  CHECK(o == JsonObject{{"a", Json(1)}, {"b", Json(2)}, {"c", Json(5)}, {"B", Json(0)}, {"\xc3\xa9", Json(3)}});
}

// The decoded-snapshot memory budget (README "Performance"): a value is 16 bytes, a member 32.
TEST_CASE("Json is 16 bytes and an object member 32", "[json][value]") {
  CHECK(sizeof(Json) == 16);
  CHECK(sizeof(JsonObject::value_type) == 32);
}

TEST_CASE("Json strings of every length around the inline limit keep their bytes", "[json][value]") {
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string text(n, 'x');
    for (std::size_t i = 0; i < n; ++i) text[i] = static_cast<char>('a' + i % 26);
    if (n > 3) text[2] = '\0';  // embedded NUL bytes are kept
    const Json value(text);
    CHECK(value.type() == Json::Type::kString);
    CHECK(value.as_string() == text);
    const JsonKey key(text);
    CHECK(key == text);
    CHECK(std::string(key) == text);
  }
}

TEST_CASE("Json copies are independent and moves leave null", "[json][value]") {
  const std::string long_text(100, 'L');
  Json original(JsonObject{{"a-key-longer-than-fifteen", Json(long_text)}, {"n", Json(JsonArray{Json(1), Json("s")})}});
  Json copy = original;
  CHECK(copy == original);
  copy.as_object()["n"].as_array().push_back(Json(2.5));
  copy.as_object().insert_or_assign("a-key-longer-than-fifteen", Json("short"));
  CHECK(original.as_object().at("a-key-longer-than-fifteen").as_string() == long_text);
  CHECK(original.as_object().at("n").as_array().size() == 2);
  CHECK_FALSE(copy == original);

  Json moved = std::move(copy);
  CHECK(copy.is_null());  // NOLINT: the moved-from state is specified
  CHECK(moved.as_object().at("n").as_array().size() == 3);
  copy = moved;
  CHECK(copy == moved);
}

TEST_CASE("Json assigned from one of its own elements keeps that element", "[json][value]") {
  Json value(JsonArray{Json(std::string(40, 'e')), Json(JsonObject{{"k", Json(std::string(50, 'k'))}})});
  value = std::move(value.as_array()[1]);
  CHECK(value == Json(JsonObject{{"k", Json(std::string(50, 'k'))}}));
  value = value.as_object().at("k");
  CHECK(value == Json(std::string(50, 'k')));
  Json& self = value;
  value = self;
  CHECK(value == Json(std::string(50, 'k')));
}

TEST_CASE("Json keeps numbers, booleans and null by type", "[json][value]") {
  CHECK(Json(std::numeric_limits<std::int64_t>::min()).as_int() == std::numeric_limits<std::int64_t>::min());
  CHECK(Json(std::numeric_limits<std::uint64_t>::max()).as_uint() == std::numeric_limits<std::uint64_t>::max());
  CHECK(Json(std::uint64_t{7}).type() == Json::Type::kInt);
  CHECK(Json(-0.5).as_double() == -0.5);
  CHECK(Json(true).as_bool());
  CHECK_FALSE(Json(false).as_bool());
  CHECK(Json() == Json(nullptr));
  CHECK_FALSE(Json(1) == Json(1.0));
  CHECK_FALSE(Json("1") == Json(1));
}

TEST_CASE("JsonObject::FromMembers sorts and keeps the last of a repeated key", "[json][object]") {
  std::vector<JsonObject::value_type> members = {{"z", Json(1)}, {"a", Json(2)}, {"z", Json(3)}, {"m", Json(4)}};
  const JsonObject o = JsonObject::FromMembers(std::move(members));
  CHECK(o == JsonObject{{"a", Json(2)}, {"m", Json(4)}, {"z", Json(3)}});
}

TEST_CASE("Reader enforces the depth limit", "[json][reader]") {
  const std::string ok_text = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  CHECK(ParseJson(ok_text).ok());

  const std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  const Result<Json> parsed = ParseJson(deep);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == Code::kIntegrity);
  CHECK_THAT(parsed.status().message(), Catch::Contains("nesting deeper than 512"));
}

TEST_CASE("Reader refuses a document with more values than its limit, naming the limit", "[json][reader]") {
  const JsonLimits limits{5, kMaxJsonDocumentBytes};
  ChunkedSource five(R"({"a":[1,2],"b":null})", 7);
  CHECK(ParseJson(five, limits).ok());
  for (const std::string text : {R"({"a":[1,2],"b":null,"c":true})", R"([[],[],[],[],[],[]])", R"([1,2,3,4,5,"x"])"}) {
    ChunkedSource source(text, 7);
    const Result<Json> parsed = ParseJson(source, limits);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Code::kIntegrity);
    CHECK_THAT(parsed.status().message(),
               Catch::EndsWith("more than 5 JSON values (the most sealstate reads in one document)"));
  }
}

TEST_CASE("Reader counts the values of a streamed member against the limit", "[json][reader]") {
  class CountingHandler final : public ArrayElementHandler {
   public:
    void Begin() override {}
    void Null() override {}
    void Bool(bool) override {}
    void Number(Json) override { ++numbers; }
    void String(std::string_view) override {}
    void StartObject() override {}
    void Key(std::string_view) override {}
    void EndObject() override {}
    void StartArray() override {}
    void EndArray() override {}
    int numbers = 0;
  } handler;
  ChunkedSource source(R"({"entries":[1,2,3,4,5,6,7,8,9]})", 5);
  const Result<Json> parsed = ParseJson(source, "entries", handler, JsonLimits{6, kMaxJsonDocumentBytes});
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.status().message(), Catch::Contains("more than 6 JSON values"));
  CHECK(handler.numbers == 4);  // the object, the array, then 4 elements
}

TEST_CASE("Reader refuses a document longer than its byte limit, naming the limit", "[json][reader]") {
  const std::string text = "[" + std::string(200, ' ') + "]";
  ChunkedSource fits(text, 64);
  CHECK(ParseJson(fits, JsonLimits{kMaxJsonValues, text.size()}).ok());
  ChunkedSource over(text, 64);
  const Result<Json> parsed = ParseJson(over, JsonLimits{kMaxJsonValues, text.size() - 1});
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == Code::kIntegrity);
  CHECK(parsed.status().message() == "document larger than 201 bytes (the most sealstate reads in one JSON document)");
}

// Whitespace costs no memory, so the real limit is cheap to reach.
TEST_CASE("Reader refuses a document over 1 GiB by default", "[json][reader]") {
  class Spaces final : public ByteSource {
   public:
    Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
      if (left_ == 0) return std::size_t{0};
      const std::size_t n = std::min(capacity, left_);
      std::fill_n(buffer, n, ' ');
      if (first_) buffer[0] = '[';
      first_ = false;
      left_ -= n;
      if (left_ == 0) buffer[n - 1] = ']';
      return n;
    }

   private:
    std::size_t left_ = kMaxJsonDocumentBytes + 1;
    bool first_ = true;
  } source;
  const Result<Json> parsed = ParseJson(source);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() == "document larger than 1 GiB (the most sealstate reads in one JSON document)");
}

TEST_CASE("Reader rejects trailing garbage", "[json][reader]") {
  const Result<Json> parsed = ParseJson("{} x");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == Code::kIntegrity);
  CHECK(parsed.status().message() == "invalid JSON at byte 3: the document root must not be followed by other values");
  CHECK(ParseJson("{}  \n\t ").ok());
  CHECK_FALSE(ParseJson(std::string("{}\0", 3)).ok());  // a NUL byte is not the end
}

TEST_CASE("Reader error message contains the byte offset", "[json][reader]") {
  const Result<Json> parsed = ParseJson(R"({"a": 1 "b": 2})");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == Code::kIntegrity);
  CHECK(parsed.status().message() == "invalid JSON at byte 8: missing a comma or '}' after an object member");
}

TEST_CASE("Reader rejects empty and truncated input", "[json][reader]") {
  CHECK(ParseJson("").status().message() == "invalid JSON at byte 0: the document is empty");
  CHECK_FALSE(ParseJson(R"({"a": [1, 2)").ok());
  CHECK_FALSE(ParseJson("NaN").ok());
}

TEST_CASE("Reader returns a source error unchanged", "[json][reader]") {
  ChunkedSource source(R"({"a": [1, 2, )", 4, Status::Integrity("boom"));
  const Result<Json> parsed = ParseJson(source);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == Code::kIntegrity);
  CHECK(parsed.status().message() == "boom");
}

TEST_CASE("Reader returns a source error even after a complete document", "[json][reader]") {
  ChunkedSource source(R"({"a": 1})", 3, Status::Integrity("boom"));
  const Result<Json> parsed = ParseJson(source);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() == "boom");
}

TEST_CASE("Reader reads through a one-byte-at-a-time source", "[json][reader]") {
  const std::string text = R"({"k": ["v", 1.5, -3, {"deep": [true]}]})";
  ChunkedSource source(text, 1);
  const Result<Json> parsed = ParseJson(source);
  REQUIRE(parsed.ok());
  CHECK(Compact(*parsed) == R"({"k":["v",1.5,-3,{"deep":[true]}]})");
}

// Strings and whitespace are scanned in bulk within a chunk and byte by byte across chunk
// boundaries; both paths must agree on the tree and on every error and its offset.
TEST_CASE("Reader gives the same result whatever the source's chunking", "[json][reader]") {
  const std::string long_value(300, 'x');
  const std::vector<std::string> texts = {
      "{\n    \"k\": \"" + long_value + "\\n\\u00e9\xc3\xa9\\\"q\\\\\",\n\t\r  \"e\": \"\"  \n}  \n",
      "{\"a\": \"ok then\x01"
      "bad\"}",                                             // a raw control byte in a string
      std::string("{\"a\": \"before NUL \0 after\"}", 26),  // a NUL byte in a string
      std::string("{\"a\": 1,     \0   \"b\": 2}", 22),     // a NUL byte in whitespace
      "{\"a\": \"never closed",                             // the text ends in a string
      "[1,          \n\n\n          x]",                    // garbage after whitespace
  };
  for (const std::string& text : texts) {
    const Result<Json> whole = ParseJson(text);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{13}}) {
      ChunkedSource source(text, chunk);
      const Result<Json> chunked = ParseJson(source);
      INFO("text " << text << ", chunk " << chunk);
      REQUIRE(chunked.ok() == whole.ok());
      if (whole.ok()) {
        CHECK(*chunked == *whole);
      } else {
        CHECK(chunked.status().message() == whole.status().message());
      }
    }
  }
  const Result<Json> first = ParseJson(texts[0]);
  REQUIRE(first.ok());
  CHECK(first->as_object().at("k").as_string() == long_value + "\n\xc3\xa9\xc3\xa9\"q\\");
  CHECK(ParseJson(texts[1]).status().message() == "invalid JSON at byte 14: invalid escape character in string");
  CHECK(ParseJson(texts[2]).status().message() == "invalid JSON at byte 18: invalid escape character in string");
  CHECK(ParseJson(texts[4]).status().message() ==
        "invalid JSON at byte 19: missing a closing quotation mark in string");
}

TEST_CASE("Parse then write round-trips Go-formatted text", "[json][reader][writer]") {
  const std::string text =
      "{\n  \"big\": 18446744073709551615,\n  \"f\": 1e+21,\n  \"min\": -9223372036854775808,\n"
      "  \"s\": \"\\u003c\\u2028\\u0026\",\n  \"small\": 1e-7,\n  \"x\": 9007199254740993\n}";
  CHECK(Pretty(Parse(text)) == text);
}

// ---------------------------------------------------------------------------------------------
// Strings decoded as Go's encoding/json decodes them (unquoteBytes): each byte that does not start
// a valid UTF-8 sequence (utf8.DecodeRune's (RuneError, 1)) and each \u escape of a UTF-16
// surrogate that is not the first half of a pair becomes U+FFFD; everything else is kept.

constexpr std::string_view kFffd = "\xef\xbf\xbd";  // U+FFFD, as Go writes it: raw

std::string Fffd(int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += kFffd;
  return out;
}

// The value of member "s" of `text`, parsed whole and through sources of every small chunk size
// (so sequences and escapes are also split between reads), which must all agree.
std::string ParsedString(const std::string& text) {
  const Json whole = Parse(text);
  for (std::size_t chunk = 1; chunk <= 13; ++chunk) {
    ChunkedSource source(text, chunk);
    const Result<Json> chunked = ParseJson(source);
    INFO("text " << text << ", chunk " << chunk << ": " << chunked.status().ToString());
    REQUIRE(chunked.ok());
    CHECK(*chunked == whole);
  }
  return std::string(whole.as_object().at("s").as_string());
}

std::string Member(std::string_view contents) { return "{\"s\": \"" + std::string(contents) + "\"}"; }

TEST_CASE("Reader replaces each invalid UTF-8 byte in a string with U+FFFD, as Go does", "[json][reader][utf8]") {
  CHECK(ParsedString(Member("a\xff"
                            "b")) == "a" + Fffd(1) + "b");
  CHECK(ParsedString(Member("\xfe\xff")) == Fffd(2));
  CHECK(ParsedString(Member("\x80"
                            "x")) == Fffd(1) + "x");  // a lone continuation byte
  CHECK(ParsedString(Member("\xc3")) == Fffd(1));     // truncated by the quote
  CHECK(ParsedString(Member("\xe2\x82"
                            "x")) == Fffd(2) + "x");  // truncated: one per byte
  CHECK(ParsedString(Member("\xf0\x9f\x98"
                            "!")) == Fffd(3) + "!");
  CHECK(ParsedString(Member("\xc0\xaf")) == Fffd(2));          // overlong '/'
  CHECK(ParsedString(Member("\xe0\x80\xaf")) == Fffd(3));      // overlong, 3 bytes
  CHECK(ParsedString(Member("\xed\xa0\x80")) == Fffd(3));      // a UTF-16 surrogate
  CHECK(ParsedString(Member("\xf4\x90\x80\x80")) == Fffd(4));  // past U+10FFFF
  CHECK(ParsedString(Member("\xf5\x80")) == Fffd(2));
  CHECK(ParsedString(Member("\xe2\x82\\n")) == Fffd(2) + "\n");         // cut by an escape
  CHECK(ParsedString(Member("\xc3\xc3\xa9")) == Fffd(1) + "\xc3\xa9");  // a lead byte ends it
  // Valid text, U+FFFD itself included, is kept byte for byte.
  const std::string valid = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd\xf4\x8f\xbf\xbf\xed\x9f\xbf";
  CHECK(ParsedString(Member(valid)) == valid);
  const std::string long_mixed = std::string(100, 'x') + "\xc3\xa9" + std::string(100, 'y') + "\xff" + "z";
  CHECK(ParsedString(Member(long_mixed)) == std::string(100, 'x') + "\xc3\xa9" + std::string(100, 'y') + Fffd(1) + "z");
}

TEST_CASE("Reader sees every byte a string cannot hold raw, wherever it sits in a run", "[json][reader]") {
  // Each ASCII byte at each offset of a run of plain bytes: printable ones (but the quote and
  // the backslash) are kept; a control byte is refused; the quote ends the string early and the
  // backslash starts an escape ("\a"), both refused here.
  for (int c = 0; c < 0x80; ++c) {
    for (std::size_t at = 0; at < 20; ++at) {
      std::string text(24, 'a');
      text[at] = static_cast<char>(c);
      INFO("byte " << c << " at " << at);
      const Result<Json> parsed = ParseJson("\"" + text + "\"");
      if (c >= 0x20 && c != '"' && c != '\\') {
        REQUIRE(parsed.ok());
        REQUIRE(parsed->as_string() == text);
      } else {
        REQUIRE_FALSE(parsed.ok());
      }
    }
  }
  // A non-ASCII byte inside a word is decoded: valid UTF-8 kept, an invalid byte replaced.
  CHECK(ParsedString(Member("abcdefg\xc3\xa9hijklmnop")) == "abcdefg\xc3\xa9hijklmnop");
  CHECK(ParsedString(Member("abcdefghijk\xffmnopqrst")) == "abcdefghijk" + Fffd(1) + "mnopqrst");
}

TEST_CASE("Reader replaces invalid UTF-8 bytes in an object key with U+FFFD", "[json][reader][utf8]") {
  const Json parsed = Parse("{\"k\xfe\": 1, \"\xe2\x82\": {\"in\xff\": true}}");
  const JsonObject& o = parsed.as_object();
  REQUIRE(o.size() == 2);
  CHECK(o.at("k" + Fffd(1)) == Json(1));
  CHECK(o.at(Fffd(2)).as_object().at("in" + Fffd(1)) == Json(true));
}

TEST_CASE("Reader replaces a lone surrogate escape with U+FFFD, as Go does", "[json][reader][utf8]") {
  CHECK(ParsedString(Member(R"(\ud800)")) == Fffd(1));  // a lone high surrogate
  CHECK(ParsedString(Member(R"(\udc00)")) == Fffd(1));  // a lone low surrogate
  CHECK(ParsedString(Member(R"(a\uDBFFb)")) == "a" + Fffd(1) + "b");
  CHECK(ParsedString(Member(R"(\uDFFF\ud800)")) == Fffd(2));
  CHECK(ParsedString(Member(R"(\ud800\u0041)")) == Fffd(1) + "A");  // the next escape stands alone
  CHECK(ParsedString(Member(R"(\ud800\n)")) == Fffd(1) + "\n");
  CHECK(ParsedString(Member(R"(\ud800\ud83d\ude00)")) == Fffd(1) + "\xf0\x9f\x98\x80");
  CHECK(ParsedString(Member(R"(\udc00\ud800\udc00)")) == Fffd(1) + "\xf0\x90\x80\x80");
  CHECK(ParsedString(Member(R"(\uD83D\uDE00)")) == "\xf0\x9f\x98\x80");  // a pair is one character
  CHECK(ParsedString(Member(R"(\ufffd\ud7ff\ue000)")) == Fffd(1) + "\xed\x9f\xbf\xee\x80\x80");
}

TEST_CASE("Reader still refuses a malformed \\u escape after a surrogate", "[json][reader][utf8]") {
  CHECK_FALSE(ParseJson(Member(R"(\ud800\u12)")).ok());
  CHECK_FALSE(ParseJson(Member(R"(\ud8)")).ok());
  CHECK_FALSE(ParseJson(Member(R"(\ud800\x)")).ok());
  CHECK_FALSE(ParseJson("{\"s\": \"\\ud800").ok());
}

TEST_CASE("Reader keeps the last of keys that are equal after replacement, and writes one", "[json][reader][utf8]") {
  const Json parsed = Parse("{\"k\xfe\": 1, \"k\xff\": 2, \"\\ud800\": 3, \"\\udc00\": 4, \"" + Fffd(1) + "\": 5}");
  const JsonObject& o = parsed.as_object();
  REQUIRE(o.size() == 2);
  CHECK(o.at("k" + Fffd(1)) == Json(2));
  CHECK(o.at(Fffd(1)) == Json(5));
  CHECK(Compact(parsed) == "{\"k" + Fffd(1) + "\":2,\"" + Fffd(1) + "\":5}");
}

TEST_CASE("Parse then write gives Go's bytes for replaced text: raw U+FFFD", "[json][reader][writer][utf8]") {
  const Json parsed = Parse("{\"a\xff\": \"x\xfe\\ud800y\\u2028\"}");
  CHECK(Compact(parsed) == "{\"a" + Fffd(1) + "\":\"x" + Fffd(2) + "y\\u2028\"}");
  CHECK(Compact(Parse(Compact(parsed))) == Compact(parsed));
}

}  // namespace
}  // namespace sealstate::internal
