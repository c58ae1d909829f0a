#include "json/json_reader.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "json/json_number.h"
#include "json/source_stream.h"

namespace sealstate::internal {
namespace {

// A RapidJSON SAX handler that builds a Json tree. Each open container is a frame; a finished
// value is moved into its parent, so nothing is copied.
//
// With a streamed member (see ParseJson's overload), the elements of an array under that member
// of the root object go to the consumer instead of into the array.
//
// Every number arrives through RawNumber (kParseNumbersAsStringsFlag); the typed number events
// of the base class are never called with that flag and would stop the parse if they were.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:

  TreeBuilder() = default;
  TreeBuilder(std::string_view streamed_member, ArrayElementConsumer& consumer)
      : streamed_member_(streamed_member), consumer_(&consumer) {}

  bool Default() { return Stop("internal error: a number arrived already converted"); }
  bool Null() { return Add(Json()); }
  bool Bool(bool b) { return Add(Json(b)); }
  // Numbers arrive as text (kParseNumbersAsStringsFlag), already checked against the grammar;
  // see json_number.h for why RapidJSON's own conversion is not used.
  bool RawNumber(const Ch* str, rapidjson::SizeType length, bool) {
    Result<Json> number = JsonNumberFromText(std::string_view(str, length));
    if (!number.ok()) return Stop(number.status().message());
    return Add(std::move(*number));
  }
  bool String(const Ch* str, rapidjson::SizeType length, bool) {
    return Add(Json(std::string(str, length)));
  }
  bool Key(const Ch* str, rapidjson::SizeType length, bool) {
    stack_.back().key.assign(str, length);
    return true;
  }
  bool StartObject() { return Open(JsonObject()); }
  bool StartArray() { return Open(JsonArray()); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

  // Why the builder stopped the parse (empty: it did not; RapidJSON's error says why).
  const std::string& stop_reason() const { return stop_reason_; }
  Json TakeRoot() { return std::move(root_); }

 private:
  struct Frame {
    Json container;
    std::string key;        // the pending member name when the container is an object
    bool streamed = false;  // an array whose elements go to the consumer
  };

  template <typename Container>
  bool Open(Container empty) {
    if (stack_.size() >= kMaxJsonDepth) return Stop("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    const bool streamed = std::is_same_v<Container, JsonArray> && OpensStreamedMember();
    stack_.emplace_back();
    stack_.back().container = std::move(empty);
    stack_.back().streamed = streamed;
    if (streamed) consumer_->Begin();
    return true;
  }

  // Whether a value starting now is the streamed member of the root object.
  bool OpensStreamedMember() const {
    return consumer_ != nullptr && stack_.size() == 1 &&
           stack_.front().container.type() == Json::Type::kObject && stack_.front().key == streamed_member_;
  }

  bool Stop(std::string reason) {
    stop_reason_ = std::move(reason);
    return false;
  }

  bool Close() {
    Json finished = std::move(stack_.back().container);
    stack_.pop_back();
    return Add(std::move(finished));
  }

  bool Add(Json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return true;
    }
    Frame& top = stack_.back();
    if (top.streamed) {
      consumer_->Element(value);
    } else if (top.container.type() == Json::Type::kArray) {
      top.container.as_array().push_back(std::move(value));
    } else {
      // A repeated key keeps the last value, as in Go. Keys usually arrive sorted (Go writes
      // them so), which makes the end a good hint: inserting there is O(1).
      JsonObject& object = top.container.as_object();
      object.insert_or_assign(object.end(), std::move(top.key), std::move(value));
    }
    return true;
  }

  std::string_view streamed_member_;
  ArrayElementConsumer* consumer_ = nullptr;  // null: nothing is streamed
  std::vector<Frame> stack_;
  Json root_;
  std::string stop_reason_;
};

// RapidJSON's English message, as a clause: "Missing a comma." -> "missing a comma".
std::string DescribeParseError(rapidjson::ParseErrorCode code) {
  std::string text = rapidjson::GetParseError_En(code);
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Parses `in` with `builder`.
Result<Json> Parse(ByteSource& in, TreeBuilder& builder) {
  SourceStream stream(in);
  rapidjson::Reader reader;
  const rapidjson::ParseResult result = reader.Parse<rapidjson::kParseNumbersAsStringsFlag>(stream, builder);
  if (!stream.source_status().ok()) return stream.source_status();
  if (result.IsError()) {
    const std::string what = builder.stop_reason().empty() ? DescribeParseError(result.Code()) : builder.stop_reason();
    return Status::Integrity("invalid JSON at byte " + std::to_string(result.Offset()) + ": " + what);
  }
  return builder.TakeRoot();
}

}  // namespace

Result<Json> ParseJson(ByteSource& in) {
  TreeBuilder builder;
  return Parse(in, builder);
}

Result<Json> ParseJson(ByteSource& in, std::string_view member, ArrayElementConsumer& consumer) {
  TreeBuilder builder(member, consumer);
  return Parse(in, builder);
}

Result<Json> ParseJson(std::string_view text) {
  StringSource source(text);
  return ParseJson(source);
}

}  // namespace sealstate::internal
