// Name validation: refuses factory, stack and revision names that could escape or confuse the
// paths they are joined into.
#include <sealstate/names.h>

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace sealstate {
namespace {

bool IsControl(unsigned char byte) { return byte < 0x20 || byte == 0x7f; }

bool IsContinuation(unsigned char byte) { return (byte & 0xc0) == 0x80; }

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF) starting at `text[pos]` with a lead byte >= 0x80, or 0 when it is not well-formed.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t pos) {
  const auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte_at(0);
  std::size_t length = 0;
  unsigned char second_min = 0x80, second_max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) second_min = 0xa0;  // overlong
    if (lead == 0xed) second_max = 0x9f;  // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) second_min = 0x90;  // overlong
    if (lead == 0xf4) second_max = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() - pos < length || byte_at(1) < second_min || byte_at(1) > second_max) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!IsContinuation(byte_at(i))) return 0;
  }
  return length;
}

void AppendEscapedByte(std::string& out, unsigned char byte) {
  switch (byte) {
    case '\a': out += "\\a"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\v': out += "\\v"; return;
    default: break;
  }
  char escaped[5];
  std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
  out += escaped;
}

// Close to Go's %q: double-quoted, '"' and '\' backslashed, control and ill-formed bytes as
// escapes, well-formed UTF-8 kept as it is. The result never contains a raw control byte.
std::string QuoteForMessage(std::string_view text) {
  std::string quoted = "\"";
  for (std::size_t pos = 0; pos < text.size();) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte == '"' || byte == '\\') {
      quoted += '\\';
      quoted += static_cast<char>(byte);
      ++pos;
    } else if (IsControl(byte)) {
      AppendEscapedByte(quoted, byte);
      ++pos;
    } else if (byte < 0x80) {
      quoted += static_cast<char>(byte);
      ++pos;
    } else if (const std::size_t length = Utf8SequenceLength(text, pos); length != 0) {
      quoted.append(text.substr(pos, length));
      pos += length;
    } else {
      AppendEscapedByte(quoted, byte);
      ++pos;
    }
  }
  quoted += '"';
  return quoted;
}

bool ContainsControl(std::string_view name) {
  for (const char c : name) {
    if (IsControl(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

// The rule `name` breaks, or empty when it breaks none. REQUIRES: !name.empty().
std::string BrokenRule(std::string_view name) {
  if (name.size() > kMaxNameBytes) return "it is longer than " + std::to_string(kMaxNameBytes) + " bytes";
  if (name.find('/') != std::string_view::npos) return "it must not contain '/'";
  if (name.find('\\') != std::string_view::npos) return "it must not contain '\\'";
  if (ContainsControl(name)) return "it must not contain a control character";
  if (name == "." || name == "..") return "it must not be \".\" or \"..\"";
  if (name.front() == '.') return "it must not start with '.'";
  return {};
}

}  // namespace

Status ValidateName(std::string_view kind, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument(std::string(kind) + " name is empty");
  const std::string rule = BrokenRule(name);
  if (rule.empty()) return Status::OK();
  return Status::InvalidArgument(std::string(kind) + " name " + QuoteForMessage(name) + " is not allowed: " + rule);
}

}  // namespace sealstate
