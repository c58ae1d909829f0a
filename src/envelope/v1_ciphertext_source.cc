#include "envelope/v1_ciphertext_source.h"

#include <memory>
#include <string_view>
#include <utility>

#include "text/hex.h"

namespace sealstate::internal {
namespace {

constexpr std::string_view kCiphertextKey = "ciphertext";

Status InvalidCiphertextJson(std::size_t file_offset, std::string_view what) {
  return Status::Integrity("invalid JSON in \"ciphertext\" at byte " + std::to_string(file_offset) + ": " +
                           std::string(what));
}

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Result<std::size_t> V1CiphertextSource::Read(char* buffer, std::size_t capacity) {
  for (;;) {
    SEALSTATE_ASSIGN_OR_RETURN(const std::size_t n, in_.Read(buffer, capacity));
    if (n == 0) return n;
    std::size_t kept = 0;  // the bytes for the parser are moved to the front of `buffer`
    std::size_t i = 0;
    while (i < n) {
      if (diverting_) {
        SEALSTATE_ASSIGN_OR_RETURN(const std::size_t taken,
                                   Divert(std::string_view(buffer + i, n - i), file_offset_ + i));
        i += taken;
        raw_bytes_ += taken;
        if (i == n) break;
        EndDiversion(parser_offset_ + kept);
        buffer[kept++] = buffer[i++];  // the closing quote, which ends the string for the parser too
        continue;
      }
      const char c = buffer[i++];
      buffer[kept++] = c;
      Scan(c);
    }
    file_offset_ += n;
    parser_offset_ += kept;
    if (kept > 0) return kept;  // else all of it was ciphertext: read on
  }
}

Result<std::string> V1CiphertextSource::TakeCiphertext() {
  SEALSTATE_RETURN_IF_ERROR(decoded_);
  return std::move(ciphertext_);
}

std::size_t V1CiphertextSource::FileOffset(std::size_t parser_offset) const {
  std::size_t offset = parser_offset;
  for (const auto& [closing_quote, removed] : removed_) {
    if (closing_quote <= parser_offset) offset += removed;
  }
  return offset;
}

void V1CiphertextSource::Scan(char c) {
  if (!in_string_) return ScanStructure(c);
  if (escape_) {
    escape_ = false;
  } else if (c == '\\') {
    escape_ = true;
    key_plain_ = false;
    return;
  } else if (c == '"') {
    in_string_ = false;
    if (string_is_key_) {
      key_is_ciphertext_ = key_plain_ && key_ == kCiphertextKey;
      expect_ = Expect::kColon;
    }
    return;
  }
  if (string_is_key_ && key_.size() <= kCiphertextKey.size()) key_ += c;
}

void V1CiphertextSource::ScanStructure(char c) {
  const bool in_root_object = depth_ == 1 && root_is_object_;
  if (IsJsonWhitespace(c)) return;
  switch (c) {
    case '"':
      if (in_root_object && expect_ == Expect::kValue && key_is_ciphertext_) return StartDiversion();
      in_string_ = true;
      string_is_key_ = in_root_object && expect_ == Expect::kKey;
      key_.clear();
      key_plain_ = true;
      break;
    case '{':
    case '[':
      if (depth_ == 0 && c == '{') {
        root_is_object_ = true;
        expect_ = Expect::kKey;
      }
      ++depth_;
      return;
    case '}':
    case ']': --depth_; return;
    case ':':
      if (in_root_object && expect_ == Expect::kColon) expect_ = Expect::kValue;
      return;
    case ',':
      if (in_root_object) expect_ = Expect::kKey;
      return;
    default: break;
  }
  if (in_root_object && expect_ == Expect::kValue) expect_ = Expect::kNothing;  // a value other than the ciphertext
}

Result<std::size_t> V1CiphertextSource::Divert(std::string_view data, std::size_t file_offset) {
  std::size_t i = 0;
  while (i < data.size()) {
    if (divert_escape_ || in_unicode_) {
      SEALSTATE_RETURN_IF_ERROR(DivertEscape(data[i], file_offset + i));
      ++i;
      continue;
    }
    std::size_t run_end = i;
    while (run_end < data.size() && data[run_end] != '"' && data[run_end] != '\\' &&
           static_cast<unsigned char>(data[run_end]) >= 0x20) {
      ++run_end;
    }
    SEALSTATE_RETURN_IF_ERROR(Feed(data.substr(i, run_end - i)));
    i = run_end;
    if (i == data.size()) break;
    if (data[i] == '"') return i;
    if (data[i] != '\\') return InvalidCiphertextJson(file_offset + i, "a control character in a string");
    divert_escape_ = true;
    ++i;
  }
  return data.size();
}

Status V1CiphertextSource::DivertEscape(char c, std::size_t file_offset) {
  if (in_unicode_) {
    if (HexDigitValue(c) < 0) {
      return InvalidCiphertextJson(file_offset, "incorrect hex digit after \\u escape in string");
    }
    unicode_hex_ += c;
    if (unicode_hex_.size() < 4) return Status::OK();
    const int code = ParseFourHexDigits(unicode_hex_);
    in_unicode_ = false;
    unicode_hex_.clear();
    // A character outside ASCII is never base64: any such byte makes the same error.
    return Feed(std::string(1, code < 0x80 ? static_cast<char>(code) : '\xff'));
  }
  divert_escape_ = false;
  switch (c) {
    case '"':
    case '\\':
    case '/': return Feed(std::string(1, c));
    case 'b': return Feed("\b");
    case 'f': return Feed("\f");
    case 'n': return Feed("\n");
    case 'r': return Feed("\r");
    case 't': return Feed("\t");
    case 'u': in_unicode_ = true; return Status::OK();
    default: return InvalidCiphertextJson(file_offset, "invalid escape character in string");
  }
}

Status V1CiphertextSource::Feed(std::string_view text) {
  text_bytes_ += text.size();
  if (text_bytes_ > kMaxV1CiphertextTextBytes) {
    return Status::Integrity("\"ciphertext\" longer than 1.5 GiB (more than a snapshot sealstate reads can need)");
  }
  decoder_->Feed(text);
  return Status::OK();
}

void V1CiphertextSource::StartDiversion() {
  expect_ = Expect::kNothing;
  diverting_ = true;
  diverted_ = true;
  std::string().swap(ciphertext_);  // a repeated key: the last value wins
  decoder_ = std::make_unique<Base64StreamDecoder>(ciphertext_);
  text_bytes_ = 0;
  raw_bytes_ = 0;
}

void V1CiphertextSource::EndDiversion(std::size_t closing_quote_parser_offset) {
  diverting_ = false;
  decoded_ = decoder_->Finish();
  decoder_.reset();
  removed_.emplace_back(closing_quote_parser_offset, raw_bytes_);
}

}  // namespace sealstate::internal
