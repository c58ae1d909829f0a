#include "json/go_json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "text/byte_words.h"
#include "text/go_utf8.h"
#include "text/hex.h"

namespace sealstate::internal {
namespace {

// Bytes are handed to the sink once the buffer reaches this size.
constexpr std::size_t kFlushThreshold = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// JSON string escaping (encoding/json appendString with escapeHTML = true).

// ASCII bytes that Go's htmlSafeSet lets through unchanged.
constexpr bool IsHtmlSafeAscii(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
}

// IsHtmlSafeAscii as a table: the escaping loop looks at every byte of every string.
struct HtmlSafeTable {
  bool safe[256];
  constexpr HtmlSafeTable() : safe() {
    for (int c = 0; c < 256; ++c) safe[c] = IsHtmlSafeAscii(static_cast<unsigned char>(c));
  }
};
constexpr HtmlSafeTable kHtmlSafe;

// True if any of the 8 bytes of `word` is not IsHtmlSafeAscii: below 0x20, 0x80 or above, or
// the quote, the backslash, <, > or &.
constexpr bool AnyUnsafeByte(std::uint64_t word) {
  return (AnyByteHigh(word) | AnyByteBelow(word, 0x20) | AnyByteEqual(word, '"') | AnyByteEqual(word, '\\') |
          AnyByteEqual(word, '<') | AnyByteEqual(word, '>') | AnyByteEqual(word, '&')) != 0;
}

// The position of the first byte from `i` on (before `end`) that is not IsHtmlSafeAscii, or
// `end`. Skips 8 bytes per step while no byte of the word needs a look.
std::size_t FindUnsafeByte(std::string_view s, std::size_t i, std::size_t end) {
  while (end - i >= sizeof(std::uint64_t) && !AnyUnsafeByte(LoadWord(s.data() + i))) i += sizeof(std::uint64_t);
  while (i < end && kHtmlSafe.safe[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

void AppendAsciiEscape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default: out += "\\u00"; AppendLowerHexDigits(out, c, 2);
  }
}

// Escapes the contents of `s` from byte `pos` on (no quotes), stopping once `out` has grown to
// `stop_size` bytes or more. Returns the position to continue from. Runs of bytes that need no
// escaping are copied with one append.
std::size_t AppendEscapedUntil(std::string& out, std::string_view s, std::size_t pos, std::size_t stop_size) {
  std::size_t start = pos;  // first byte not yet copied
  std::size_t i = pos;
  // Where `out` would reach stop_size if s[start, i) were copied: constant between escapes.
  const auto stop_at = [&] {
    return out.size() >= stop_size ? start : std::min(s.size(), start + (stop_size - out.size()));
  };
  std::size_t end = stop_at();
  while (i < end) {
    i = FindUnsafeByte(s, i, end);
    if (i == end) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.append(s.substr(start, i - start));
      AppendAsciiEscape(out, c);
      start = ++i;
      end = stop_at();
      continue;
    }
    const DecodedRune r = DecodeRune(s, i);
    if (!r.valid) {
      out.append(s.substr(start, i - start));
      out += "\\ufffd";
      start = ++i;
      end = stop_at();
      continue;
    }
    if (r.rune == 0x2028 || r.rune == 0x2029) {
      out.append(s.substr(start, i - start));
      out += "\\u202";
      AppendLowerHexDigits(out, r.rune & 0xF, 1);
      start = i + r.size;
      i += r.size;
      end = stop_at();
      continue;
    }
    i += r.size;
  }
  out.append(s.substr(start, i - start));
  return i;
}

// ---------------------------------------------------------------------------------------------
// Go float formatting.

// The shortest round-trip decimal digits of a finite, non-zero |d| and the exponent of the
// first digit: d = 0.DIGITS * 10^(exponent + 1), i.e. digits "15", exponent 2 is 150.
struct ShortestDecimal {
  std::string digits;
  int exponent;
};

ShortestDecimal ShortestDigits(double magnitude) {
  char buf[64];
  // Scientific form with no precision is the shortest representation that round-trips,
  // e.g. "1.5e+300" or "5e+00".
  const auto result = std::to_chars(buf, buf + sizeof buf, magnitude, std::chars_format::scientific);
  const std::string_view text(buf, static_cast<std::size_t>(result.ptr - buf));
  const std::size_t e = text.find('e');
  ShortestDecimal out;
  for (char c : text.substr(0, e)) {
    if (c != '.') out.digits += c;
  }
  out.exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  return out;
}

// strconv.FormatFloat(d, 'e', -1, 64), then encoding/json's "e-07" -> "e-7" clean-up.
void AppendExponentForm(std::string& out, const ShortestDecimal& dec) {
  out += dec.digits[0];
  if (dec.digits.size() > 1) {
    out += '.';
    out.append(dec.digits, 1);
  }
  out += 'e';
  out += dec.exponent < 0 ? '-' : '+';
  const int magnitude = std::abs(dec.exponent);
  // strconv writes at least two exponent digits; json trims a leading zero of a negative one.
  if (magnitude < 10 && dec.exponent >= 0) out += '0';
  out += std::to_string(magnitude);
}

// strconv.FormatFloat(d, 'f', -1, 64): the shortest digits in plain decimal notation.
void AppendPlainForm(std::string& out, const ShortestDecimal& dec) {
  const int digit_count = static_cast<int>(dec.digits.size());
  const int integer_digits = dec.exponent + 1;
  if (integer_digits <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-integer_digits), '0');
    out += dec.digits;
    return;
  }
  if (integer_digits >= digit_count) {
    out += dec.digits;
    out.append(static_cast<std::size_t>(integer_digits - digit_count), '0');
    return;
  }
  out.append(dec.digits, 0, static_cast<std::size_t>(integer_digits));
  out += '.';
  out.append(dec.digits, static_cast<std::size_t>(integer_digits));
}

// Starts a member line in pretty mode: newline plus two spaces per open container.
void AppendNewLine(std::string& buffer, std::size_t depth, bool pretty) {
  if (!pretty) return;
  buffer += '\n';
  buffer.append(2 * depth, ' ');
}

// Pops the innermost container. Empty containers close on the same line ({} / []); others on a
// new line at the outer indent.
void CloseContainer(std::string& buffer, std::string& open, bool pretty, char bracket) {
  const bool had_members = open.back() == 'O' || open.back() == 'A';
  open.pop_back();
  if (had_members) AppendNewLine(buffer, open.size(), pretty);
  buffer += bracket;
}

template <typename Integer>
void AppendInteger(std::string& out, Integer value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, result.ptr);
}

}  // namespace

void AppendGoQuotedString(std::string& out, std::string_view s) {
  out += '"';
  AppendEscapedUntil(out, s, 0, static_cast<std::size_t>(-1));
  out += '"';
}

void AppendGoFloat(std::string& out, double d) {
  if (std::signbit(d)) out += '-';
  const double magnitude = std::fabs(d);
  if (magnitude == 0) {
    out += '0';
    return;
  }
  const ShortestDecimal dec = ShortestDigits(magnitude);
  if (magnitude < 1e-6 || magnitude >= 1e21) {
    AppendExponentForm(out, dec);
  } else {
    AppendPlainForm(out, dec);
  }
}

// ---------------------------------------------------------------------------------------------
// GoJsonWriter

GoJsonWriter::GoJsonWriter(ByteSink& out, Style style) : out_(out), style_(style) {
  buffer_.reserve(kFlushThreshold + 256);
}

void GoJsonWriter::Put(std::string_view text) {
  buffer_.append(text);
  if (buffer_.size() >= kFlushThreshold) Flush();
}

void GoJsonWriter::Flush() {
  if (!buffer_.empty() && status_.ok()) status_ = out_.Append(buffer_);
  buffer_.clear();  // after an error, output is dropped
}

void GoJsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (open_.empty()) return;  // the root value
  // Inside an array: separate from the previous element.
  if (open_.back() == 'A') buffer_ += ',';
  open_.back() = 'A';
  AppendNewLine(buffer_, open_.size(), style_ == Style::kPretty);
}

void GoJsonWriter::Key(std::string_view key) {
  if (open_.back() == 'O') buffer_ += ',';
  open_.back() = 'O';
  AppendNewLine(buffer_, open_.size(), style_ == Style::kPretty);
  AppendGoQuotedString(buffer_, key);
  Put(style_ == Style::kPretty ? ": " : ":");
  after_key_ = true;
}

void GoJsonWriter::StartObject() {
  BeforeValue();
  open_ += 'o';
  Put("{");
}

void GoJsonWriter::StartArray() {
  BeforeValue();
  open_ += 'a';
  Put("[");
}

void GoJsonWriter::EndObject() {
  CloseContainer(buffer_, open_, style_ == Style::kPretty, '}');
  Put("");
}

void GoJsonWriter::EndArray() {
  CloseContainer(buffer_, open_, style_ == Style::kPretty, ']');
  Put("");
}

void GoJsonWriter::String(std::string_view s) {
  BeforeValue();
  buffer_ += '"';
  // Escape in slices so one huge string still reaches the sink in bounded pieces.
  std::size_t pos = 0;
  while (pos < s.size()) {
    pos = AppendEscapedUntil(buffer_, s, pos, kFlushThreshold);
    if (buffer_.size() >= kFlushThreshold) Flush();
  }
  Put("\"");
}

void GoJsonWriter::Int(std::int64_t i) {
  BeforeValue();
  AppendInteger(buffer_, i);
  Put("");
}

void GoJsonWriter::Uint(std::uint64_t u) {
  BeforeValue();
  AppendInteger(buffer_, u);
  Put("");
}

void GoJsonWriter::Double(double d) {
  BeforeValue();
  if (!std::isfinite(d)) {
    // Go's encoder fails on these ("json: unsupported value: NaN"); so does Finish(). A null
    // keeps the text well-formed meanwhile.
    if (status_.ok()) {
      const char* name = std::isnan(d) ? "NaN" : (d > 0 ? "+Inf" : "-Inf");
      status_ = Status::InvalidArgument(std::string("json: unsupported value: ") + name);
    }
    Put("null");
    return;
  }
  AppendGoFloat(buffer_, d);
  Put("");
}

void GoJsonWriter::Bool(bool b) {
  BeforeValue();
  Put(b ? "true" : "false");
}

void GoJsonWriter::Null() {
  BeforeValue();
  Put("null");
}

void GoJsonWriter::Value(const Json& value) {
  switch (value.type()) {
    case Json::Type::kNull: Null(); return;
    case Json::Type::kBool: Bool(value.as_bool()); return;
    case Json::Type::kInt: Int(value.as_int()); return;
    case Json::Type::kUint: Uint(value.as_uint()); return;
    case Json::Type::kDouble: Double(value.as_double()); return;
    case Json::Type::kString: String(value.as_string()); return;
    case Json::Type::kArray:
      StartArray();
      for (const Json& element : value.as_array()) Value(element);
      EndArray();
      return;
    case Json::Type::kObject:
      StartObject();
      for (const auto& [key, member] : value.as_object()) {
        Key(key);
        Value(member);
      }
      EndObject();
      return;
  }
}

void GoJsonWriter::Raw(std::string_view text) { Put(text); }

Status GoJsonWriter::Finish() {
  Flush();
  return status_;
}

}  // namespace sealstate::internal
