// Standard padded base64 (RFC 4648 section 4), as Go's base64.StdEncoding.
#pragma once

#include <string>
#include <string_view>

#include <sealstate/secret.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Encodes with padding.
std::string Base64Encode(std::string_view bytes);

// Decodes padded standard base64. Like Go, '\r' and '\n' anywhere are skipped. Errors:
// kInvalidArgument with Go's text "illegal base64 data at input byte N" (N counts input bytes,
// 0-based, at the first offending position).
Result<std::string> Base64Decode(std::string_view text);

// Decodes base64 text that arrives in pieces, appending to `out` as complete quanta arrive, with
// exactly Base64Decode's result and error (positions count from the start of the whole text).
// Holds an incomplete quantum and, once a character other than the alphabet and '\r'/'\n' has
// arrived (padding or an error), the rest of the text, which Finish decodes.
class Base64StreamDecoder {
 public:
  // `out` must outlive this object; decoded bytes are appended to it.
  explicit Base64StreamDecoder(std::string& out) : out_(out) {}

  void Feed(std::string_view piece);
  // Decodes what is held. Errors: as Base64Decode. REQUIRES: called once, after the last Feed.
  Status Finish();

 private:
  // Decodes held_[0, length), which holds only whole quanta of alphabet characters and newlines.
  void DecodeHeldPrefix(std::size_t length);

  std::string& out_;
  std::string held_;            // undecoded text
  std::size_t held_from_ = 0;   // the position of held_[0] in the whole text
  std::size_t scanned_ = 0;     // how much of held_ Feed has classified (each byte once: linear)
  std::size_t alphabet_ = 0;    // alphabet characters in held_[0, scanned_)
  std::size_t quanta_end_ = 0;  // the end of the last whole quantum in held_[0, scanned_)
  bool tail_ = false;           // a non-alphabet character arrived: hold everything from here
};

// The same, decoding into guarded memory (for keys): no copy of the decoded bytes is left
// anywhere else.
Result<SecretBytes> Base64DecodeSecret(std::string_view text);

}  // namespace sealstate::internal
