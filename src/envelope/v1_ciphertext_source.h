// V1CiphertextSource: reads a v1 envelope for the JSON parser with the text of its "ciphertext"
// taken out and base64-decoded as it streams past, so that opening a v1 file holds neither the
// file nor the base64 text: only the ciphertext (3/4 of the file) and, later, the plaintext.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sealstate/status.h>
#include <sealstate/stream.h>

#include "crypto/base64.h"

namespace sealstate::internal {

// The most base64 text a v1 "ciphertext" may have: enough for a snapshot of
// kMaxJsonDocumentBytes (with the AES-GCM nonce and tag, and newlines every 64 characters).
inline constexpr std::size_t kMaxV1CiphertextTextBytes = std::size_t{3} << 29;  // 1.5 GiB

// A string value of the root object's member "ciphertext" (the key written without escapes)
// reaches the parser as "" while its contents, JSON escapes resolved, go to a base64 decoder. Every
// other byte passes unchanged. With repeated keys the last such value wins, as in the parser.
class V1CiphertextSource final : public ByteSource {
 public:
  // `in` must outlive this object.
  explicit V1CiphertextSource(ByteSource& in) : in_(in) {}

  // Errors: `in`'s errors; kIntegrity "invalid JSON in \"ciphertext\" at byte N: ..." for a control
  // character or a bad escape in the ciphertext, and "\"ciphertext\" longer than 1.5 GiB ..." past
  // kMaxV1CiphertextTextBytes.
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

  // Whether a ciphertext string was taken out (then the parser saw it as "").
  bool diverted() const { return diverted_; }
  // The decoded ciphertext of the last one taken out, or the base64 error (Base64Decode's).
  // REQUIRES: diverted(), and the source read to its end.
  Result<std::string> TakeCiphertext();
  // The offset in the file of byte `parser_offset` of what the parser saw.
  std::size_t FileOffset(std::size_t parser_offset) const;

 private:
  enum class Expect { kNothing, kKey, kColon, kValue };

  // Follows one byte the parser sees (outside the ciphertext); may start a diversion.
  void Scan(char c);
  // Handles one byte outside strings.
  void ScanStructure(char c);
  // Takes ciphertext bytes from `data` until its closing quote (returns how many were taken,
  // the quote excluded, or the whole of `data`); `file_offset` is that of data[0].
  Result<std::size_t> Divert(std::string_view data, std::size_t file_offset);
  Status DivertEscape(char c, std::size_t file_offset);
  // Passes unescaped ciphertext text to the decoder.
  Status Feed(std::string_view text);
  void StartDiversion();
  // `closing_quote_parser_offset`: where the parser sees the string's closing quote.
  void EndDiversion(std::size_t closing_quote_parser_offset);

  ByteSource& in_;
  std::size_t file_offset_ = 0;    // bytes read from `in_`
  std::size_t parser_offset_ = 0;  // bytes passed to the parser
  // Outside the ciphertext.
  int depth_ = 0;
  bool root_is_object_ = false;
  bool in_string_ = false;
  bool escape_ = false;
  bool string_is_key_ = false;
  std::string key_;  // the raw text of the key being read (at most 11 bytes are kept)
  bool key_plain_ = true;
  bool key_is_ciphertext_ = false;
  Expect expect_ = Expect::kNothing;
  // In the ciphertext.
  bool diverting_ = false;
  bool diverted_ = false;
  bool divert_escape_ = false;
  std::string unicode_hex_;  // the digits of a \uXXXX escape so far
  bool in_unicode_ = false;
  std::size_t text_bytes_ = 0;  // unescaped text of the current ciphertext
  std::size_t raw_bytes_ = 0;   // file bytes of the current ciphertext (escapes as written)
  std::string ciphertext_;
  std::unique_ptr<Base64StreamDecoder> decoder_;
  Status decoded_;
  // (parser offset of the closing quote, bytes taken out before it), one per diversion.
  std::vector<std::pair<std::size_t, std::size_t>> removed_;
};

}  // namespace sealstate::internal
