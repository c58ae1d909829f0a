// GoJsonWriter: streams JSON byte-identical to Go's encoding/json.
//
// Pretty mode matches json.MarshalIndent(v, "", "  "): objects and arrays open on the current
// line, members one per line indented by two spaces per level, `"key": value`, and empty
// containers as `{}` / `[]`. Compact mode matches json.Marshal. Strings are escaped as Go does
// with HTML escaping on: `"` and `\` backslashed; \b \f \n \r \t short escapes; other bytes
// below 0x20 as \u00XX (lower-case hex); <, >, & as \u003c \u003e \u0026; U+2028 and U+2029 as
// \u2028 \u2029; each invalid UTF-8 byte as \ufffd. Doubles use Go's float64 format: shortest
// round-trip digits, plain decimal unless |x| < 1e-6 or |x| >= 1e21 (then 1e+21, 1e-7 style).
// Value(const Json&) writes objects with keys in bytewise order (the JsonObject order).
//
// Output goes to the sink in pieces of at most about 64 KiB; the first sink error stops all
// further output and is returned by Finish(). Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sealstate/json.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate::internal {

class GoJsonWriter {
 public:
  enum class Style { kPretty, kCompact };
  // `out` must outlive the writer.
  GoJsonWriter(ByteSink& out, Style style);
  GoJsonWriter(const GoJsonWriter&) = delete;
  GoJsonWriter& operator=(const GoJsonWriter&) = delete;

  void StartObject();
  // REQUIRES: inside an object, before each member's value.
  void Key(std::string_view key);
  void EndObject();
  void StartArray();
  void EndArray();
  void String(std::string_view s);
  void Int(std::int64_t i);
  void Uint(std::uint64_t u);
  // REQUIRES: d is finite (Go refuses NaN and infinities; callers never produce them).
  void Double(double d);
  void Bool(bool b);
  void Null();
  void Value(const Json& value);
  // Writes `text` as it is (e.g. a trailing "\n").
  void Raw(std::string_view text);

  // Flushes buffered bytes; returns the first sink error, else OK.
  Status Finish();
  // Whether the sink has refused bytes (what is written from then on is dropped): a long
  // writer may stop early.
  bool failed() const { return !status_.ok(); }

 private:
  void BeforeValue();
  void Put(std::string_view text);
  void Flush();

  ByteSink& out_;
  Style style_;
  std::string buffer_;
  Status status_;
  // One entry per open container: whether it has a member yet.
  std::string open_;  // 'o'/'a' = empty object/array, 'O'/'A' = non-empty
  bool after_key_ = false;
};

// Appends the Go-escaped, quoted form of `s` to `out` (the String() rules above).
void AppendGoQuotedString(std::string& out, std::string_view s);

// Appends Go's float64 JSON form of `d` (the Double() rules above). REQUIRES: finite.
void AppendGoFloat(std::string& out, double d);

}  // namespace sealstate::internal
