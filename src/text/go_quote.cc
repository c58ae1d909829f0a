#include "text/go_quote.h"

#include <algorithm>

#include "text/go_utf8.h"
#include "text/hex.h"

namespace sealstate::internal {
namespace {

void AppendUtf8(std::string& out, char32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

// Approximates Go's unicode.IsPrint for non-ASCII runes: false for C1 controls, Unicode spaces
// other than U+0020, the common format characters, private use areas, surrogates and
// noncharacters. (Go consults the full Unicode tables; unassigned code points are not detected.)
bool IsPrintableNonAscii(char32_t r) {
  if (r < 0xA0) return false;                      // C1 controls
  if (r == 0xA0 || r == 0xAD) return false;        // no-break space, soft hyphen
  if (r == 0x061C || r == 0x180E) return false;    // Arabic letter mark, Mongolian vowel separator
  if (r == 0x1680 || r == 0x3000) return false;    // ogham and ideographic spaces
  if (r >= 0x2000 && r <= 0x200F) return false;    // spaces, zero-width and direction marks
  if (r >= 0x2028 && r <= 0x202F) return false;    // separators, embedding controls, narrow nbsp
  if (r >= 0x205F && r <= 0x206F) return false;    // math space, invisible operators, isolates
  if (r >= 0xD800 && r <= 0xF8FF) return false;    // surrogates and private use
  if (r >= 0xFDD0 && r <= 0xFDEF) return false;    // noncharacters
  if (r == 0xFEFF) return false;                   // byte order mark
  if (r >= 0xFFF9 && r <= 0xFFFB) return false;    // interlinear annotation controls
  if ((r & 0xFFFE) == 0xFFFE) return false;        // U+xFFFE and U+xFFFF noncharacters
  if (r >= 0xE0000 && r <= 0xE007F) return false;  // tags
  if (r >= 0xF0000) return false;                  // supplementary private use
  return true;
}

// Appends rune `r` as Go's %q shows it; with !quoted, `"` and `\` pass through unescaped.
void AppendEscapedRune(std::string& out, char32_t r, bool quoted) {
  if (quoted && (r == '"' || r == '\\')) {
    out += '\\';
    out += static_cast<char>(r);
    return;
  }
  if ((r >= 0x20 && r < 0x7F) || (r >= 0x80 && IsPrintableNonAscii(r))) {
    AppendUtf8(out, r);
    return;
  }
  switch (r) {
    case '\a': out += "\\a"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\v': out += "\\v"; return;
    default: break;
  }
  if (r < 0x20 || r == 0x7F) {
    out += "\\x";
    AppendLowerHexDigits(out, r, 2);
  } else if (r < 0x10000) {
    out += "\\u";
    AppendLowerHexDigits(out, r, 4);
  } else {
    out += "\\U";
    AppendLowerHexDigits(out, r, 8);
  }
}

// Appends `s` with Go's %q escapes (see AppendEscapedRune for `quoted`).
void AppendGoEscaped(std::string& out, std::string_view s, bool quoted) {
  for (std::size_t i = 0; i < s.size();) {
    const DecodedRune r = DecodeRune(s, i);
    if (!r.valid) {
      out += "\\x";
      AppendLowerHexDigits(out, static_cast<unsigned char>(s[i]), 2);
    } else {
      AppendEscapedRune(out, r.rune, quoted);
    }
    i += r.size;
  }
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  AppendGoEscaped(out, s, /*quoted=*/true);
  out += '"';
  return out;
}

std::string GoEscapeForDisplay(std::string_view s) {
  const bool plain = std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
  if (plain) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  AppendGoEscaped(out, s, /*quoted=*/false);
  return out;
}

}  // namespace sealstate::internal
