// Parsing JSON into sealstate::Json, streaming from a ByteSource (RapidJSON SAX, no DOM).
//
// Numbers: an integer literal that fits int64 is kInt, one that fits only uint64 is kUint,
// everything else kDouble, correctly rounded; one above DBL_MAX is refused (json_number.h).
// Strings (keys too) decode as in Go: each invalid UTF-8 byte and each lone surrogate escape
// becomes U+FFFD (source_stream.h). A repeated object key, also one equal to an earlier key only
// after that replacement, keeps the last value (Go's behaviour). Nesting deeper than
// kMaxJsonDepth is refused, and so is a document past its JsonLimits (by default kMaxJsonValues
// values and kMaxJsonDocumentBytes bytes), so what one input can cost is bounded: every JSON input
// sealstate reads (snapshot input, snapshot payloads, envelopes, journal lines, records) goes
// through here.
// Text after the root value other than whitespace is an error.
#pragma once

#include <cstddef>
#include <string_view>

#include <sealstate/json.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate::internal {

inline constexpr std::size_t kMaxJsonDepth = 512;
// The most values (scalars, objects and arrays, at any depth) one document may hold: about 3 times
// those of a 100 MB snapshot of typical resources, and a bound on the decoded tree (roughly 90
// bytes a value).
inline constexpr std::size_t kMaxJsonValues = std::size_t{1} << 24;
// The most bytes one document may have.
inline constexpr std::size_t kMaxJsonDocumentBytes = std::size_t{1} << 30;

// What one document may cost; the defaults are the documented limits (tests lower them).
struct JsonLimits {
  std::size_t max_values = kMaxJsonValues;
  std::size_t max_bytes = kMaxJsonDocumentBytes;
};

// Errors: if the source fails, its Status unchanged (so an integrity error from a decrypting
// source is not reported as a JSON error). Otherwise kIntegrity with a message without prefix,
// like "invalid JSON at byte 17: missing a comma or '}' after an object member" (callers add
// "snapshot: " or "envelope: "); past a limit, "document larger than 1 GiB (the most sealstate
// reads in one JSON document)" or "more than 16777216 JSON values (...)".
Result<Json> ParseJson(ByteSource& in, const JsonLimits& limits = {});

// Takes the elements of one large array as parser events, so no tree need be built for them
// (see the ParseJson overload below). Events come in grammatical order (the parser checks the
// grammar and the depth limit before passing them on); the handler cannot stop the parse, so it
// keeps any error of its own for later.
class ArrayElementHandler {
 public:
  virtual ~ArrayElementHandler() = default;
  // A new occurrence of the array begins; a repeated key's later array replaces the earlier.
  virtual void Begin() = 0;
  virtual void Null() = 0;
  virtual void Bool(bool value) = 0;
  // A number, converted as ParseJson converts numbers.
  virtual void Number(Json value) = 0;
  // A string's decoded bytes; the view is valid only during the call.
  virtual void String(std::string_view value) = 0;
  virtual void StartObject() = 0;
  // A member name; the view is valid only during the call.
  virtual void Key(std::string_view key) = 0;
  virtual void EndObject() = 0;
  virtual void StartArray() = 0;
  virtual void EndArray() = 0;
};

// As ParseJson(in), except that when the root is an object, the events of the elements of every
// array that is the value of its member `member` go to `handler` as they are parsed, and the tree
// holds that member as an empty array. Any other value of `member` is kept in the tree as usual.
// On error the handler may have seen part of the input.
Result<Json> ParseJson(ByteSource& in, std::string_view member, ArrayElementHandler& handler,
                       const JsonLimits& limits = {});
Result<Json> ParseJson(std::string_view text);

}  // namespace sealstate::internal
