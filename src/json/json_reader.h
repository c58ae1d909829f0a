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

// Takes the elements of one large array as they are parsed, so they need not all be held in the
// tree at once (see the ParseJson overload below).
class ArrayElementConsumer {
 public:
  virtual ~ArrayElementConsumer() = default;
  // A new occurrence of the array begins; a repeated key's later array replaces the earlier.
  virtual void Begin() = 0;
  // The next element, in order, complete; the consumer may move from it. It is freed after.
  virtual void Element(Json& element) = 0;
};

// As ParseJson(in), except that when the root is an object, the elements of every array that is
// the value of its member `member` go to `consumer` as they complete, and the tree holds that
// member as an empty array. Any other value of `member` is kept in the tree as usual. On error
// the consumer may have seen part of the input.
Result<Json> ParseJson(ByteSource& in, std::string_view member, ArrayElementConsumer& consumer);
Result<Json> ParseJson(std::string_view text);

}  // namespace sealstate::internal
