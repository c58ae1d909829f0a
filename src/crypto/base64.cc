// Base64 as Go's base64.StdEncoding: encoding through libsodium; decoding by a small decoder that
// follows Go's rules exactly (error positions, '\r'/'\n' skipped anywhere, non-zero trailing bits
// accepted). libsodium's sodium_base642bin is not used for decoding because it rejects
// non-canonical trailing bits that Go (and so unobin) accepts, and it cannot say where the input
// went wrong.
#include "crypto/base64.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include <sodium.h>

#include "crypto/sodium_init.h"

namespace sealstate::internal {
namespace {

// All ones if lo <= c <= hi, else zero; no branch on c. REQUIRES: 0 <= c <= 255.
constexpr int RangeMask(int c, int lo, int hi) { return ((lo - 1 - c) & (c - (hi + 1))) >> 8; }

// The 6-bit value of a base64 alphabet character, or -1. Branch-free so that decoding a key
// does not leak its characters through timing or table lookups.
constexpr int DecodeChar(unsigned char ch) {
  const int c = ch;
  int value = -1;
  value += RangeMask(c, 'A', 'Z') & (c - 'A' + 1);
  value += RangeMask(c, 'a', 'z') & (c - 'a' + 26 + 1);
  value += RangeMask(c, '0', '9') & (c - '0' + 52 + 1);
  value += RangeMask(c, '+', '+') & (62 + 1);
  value += RangeMask(c, '/', '/') & (63 + 1);
  return value;
}

bool IsNewline(char c) { return c == '\n' || c == '\r'; }

Status IllegalAt(std::size_t position) {
  return Status::InvalidArgument("illegal base64 data at input byte " + std::to_string(position));
}

// Decodes `text` into caller-provided memory, one 4-character quantum at a time, mirroring Go's
// decodeQuantum so that errors name the same byte Go would.
class GoBase64Decoder {
 public:
  // Error positions are reported `position_base` past their position in `text`.
  GoBase64Decoder(std::string_view text, unsigned char* out, std::size_t position_base = 0)
      : text_(text), out_(out), position_base_(position_base) {}
  GoBase64Decoder(const GoBase64Decoder&) = delete;
  GoBase64Decoder& operator=(const GoBase64Decoder&) = delete;
  ~GoBase64Decoder() { sodium_memzero(quantum_, sizeof quantum_); }

  // Returns the number of bytes written, or Go's error.
  Result<std::size_t> Run() {
    while (pos_ < text_.size() && !done_) {
      if (std::optional<std::size_t> bad = DecodeQuantum()) return IllegalAt(position_base_ + *bad);
    }
    return written_;
  }

 private:
  // Moves past any '\r' and '\n' at the current position.
  void SkipNewlines() {
    while (pos_ < text_.size() && IsNewline(text_[pos_])) ++pos_;
  }

  // Reads up to four characters; returns the position of the offending byte on error.
  std::optional<std::size_t> DecodeQuantum() {
    for (int j = 0; j < 4; ++j) {
      if (pos_ == text_.size()) return EndOfInput(j);
      const char in = text_[pos_++];
      const int value = DecodeChar(static_cast<unsigned char>(in));
      if (value >= 0) {
        quantum_[j] = static_cast<unsigned char>(value);
      } else if (IsNewline(in)) {
        --j;
      } else if (in != '=') {
        return pos_ - 1;
      } else {
        return Padding(j);
      }
    }
    Emit(4);
    return std::nullopt;
  }

  // The input ended after `j` characters of a quantum.
  std::optional<std::size_t> EndOfInput(int j) {
    if (j == 0) return std::nullopt;
    return pos_ - static_cast<std::size_t>(j);
  }

  // A '=' was read as character `j` of the quantum (already consumed).
  std::optional<std::size_t> Padding(int j) {
    if (j < 2) return pos_ - 1;
    if (j == 2) {
      SkipNewlines();
      if (pos_ == text_.size()) return text_.size();
      if (text_[pos_] != '=') return pos_ - 1;
      ++pos_;
    }
    SkipNewlines();
    if (pos_ < text_.size()) return pos_;  // trailing garbage after the padding
    Emit(j);
    done_ = true;
    return std::nullopt;
  }

  // Writes the bytes of a quantum holding `chars` characters (2, 3 or 4). Bits past the last
  // whole byte are dropped, as Go does.
  void Emit(int chars) {
    const unsigned long bits = (static_cast<unsigned long>(quantum_[0]) << 18) |
                               (static_cast<unsigned long>(quantum_[1]) << 12) |
                               (static_cast<unsigned long>(quantum_[2]) << 6) | quantum_[3];
    for (int k = 0; k < chars - 1; ++k) out_[written_++] = static_cast<unsigned char>(bits >> (16 - 8 * k));
    sodium_memzero(quantum_, sizeof quantum_);
  }

  std::string_view text_;
  unsigned char* out_;
  std::size_t position_base_;
  std::size_t pos_ = 0;
  std::size_t written_ = 0;
  bool done_ = false;
  unsigned char quantum_[4] = {};
};

// What a character is to the stream decoder's scan.
constexpr std::uint8_t kOther = 0;
constexpr std::uint8_t kAlphabet = 1;
constexpr std::uint8_t kNewline = 2;

constexpr std::array<std::uint8_t, 256> ClassTable() {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = DecodeChar(static_cast<unsigned char>(c)) >= 0 ? kAlphabet : kOther;
  table['\n'] = table['\r'] = kNewline;
  return table;
}

// An upper bound on the decoded size of `text_length` input characters.
std::size_t MaxDecodedSize(std::size_t text_length) { return (text_length + 3) / 4 * 3; }

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  EnsureSodium();
  std::string text(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string bytes(MaxDecodedSize(text.size()), '\0');
  GoBase64Decoder decoder(text, reinterpret_cast<unsigned char*>(bytes.data()));
  SEALSTATE_ASSIGN_OR_RETURN(std::size_t size, decoder.Run());
  bytes.resize(size);
  return bytes;
}

void Base64StreamDecoder::Feed(std::string_view piece) {
  held_.append(piece);
  if (tail_) return;
  // The end of the last whole quantum, counting the alphabet characters held (newlines are
  // skipped by the decoder wherever they are). A table, not DecodeChar: this text is not secret.
  // Only the new bytes are classified: newlines alone never complete a quantum, so a hostile
  // run of them would otherwise be rescanned on every Feed (quadratic).
  static constexpr std::array<std::uint8_t, 256> kClass = ClassTable();
  for (; scanned_ < held_.size(); ++scanned_) {
    const std::uint8_t kind = kClass[static_cast<unsigned char>(held_[scanned_])];
    if (kind == kAlphabet) {
      if (++alphabet_ % 4 == 0) quanta_end_ = scanned_ + 1;
    } else if (kind != kNewline) {
      tail_ = true;
      break;
    }
  }
  const std::size_t decodable = quanta_end_;
  DecodeHeldPrefix(decodable);
  scanned_ -= decodable;  // held_[0, decodable) is gone; what stays holds alphabet_ % 4 of them
  alphabet_ %= 4;
  quanta_end_ = 0;
}

void Base64StreamDecoder::DecodeHeldPrefix(std::size_t length) {
  if (length == 0) return;
  const std::size_t old_size = out_.size();
  out_.resize(old_size + MaxDecodedSize(length));
  GoBase64Decoder decoder(std::string_view(held_).substr(0, length),
                          reinterpret_cast<unsigned char*>(out_.data() + old_size));
  const Result<std::size_t> written = decoder.Run();  // whole quanta of the alphabet: cannot fail
  out_.resize(old_size + (written.ok() ? *written : 0));
  held_.erase(0, length);
  held_from_ += length;
}

Status Base64StreamDecoder::Finish() {
  const std::size_t old_size = out_.size();
  out_.resize(old_size + MaxDecodedSize(held_.size()));
  GoBase64Decoder decoder(held_, reinterpret_cast<unsigned char*>(out_.data() + old_size), held_from_);
  Result<std::size_t> written = decoder.Run();
  out_.resize(old_size + (written.ok() ? *written : 0));
  held_.clear();
  return written.status();
}

Result<SecretBytes> Base64DecodeSecret(std::string_view text) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes secret, SecretBytes::Allocate(MaxDecodedSize(text.size())));
  if (secret.size() == 0) return secret;
  GoBase64Decoder decoder(text, secret.data());
  SEALSTATE_ASSIGN_OR_RETURN(std::size_t size, decoder.Run());
  secret.Truncate(size);
  return secret;
}

}  // namespace sealstate::internal
