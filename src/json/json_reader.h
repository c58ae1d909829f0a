// Parsing JSON into sealstate::Json, streaming from a ByteSource (RapidJSON SAX, no DOM).
//
// Numbers: an integer literal that fits int64 is kInt, one that fits only uint64 is kUint,
// everything else kDouble, correctly rounded; one above DBL_MAX is refused (json_number.h). A
// repeated object key keeps the last value (Go's behaviour). Nesting deeper than kMaxJsonDepth is
// refused. Text after the root value other than whitespace is an error.
#pragma once

#include <cstddef>
#include <string_view>

#include <sealstate/json.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate::internal {

inline constexpr std::size_t kMaxJsonDepth = 512;

// Errors: if the source fails, its Status unchanged (so an integrity error from a decrypting
// source is not reported as a JSON error). Otherwise kIntegrity with a message without prefix,
// like "invalid JSON at byte 17: missing a comma or '}' after an object member" (callers add
// "snapshot: " or "envelope: ").
Result<Json> ParseJson(ByteSource& in);

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
Result<Json> ParseJson(ByteSource& in, std::string_view member, ArrayElementHandler& handler);
Result<Json> ParseJson(std::string_view text);

}  // namespace sealstate::internal
