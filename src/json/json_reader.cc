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
#include "json/json_tree_builder.h"
#include "json/source_stream.h"

namespace sealstate::internal {
namespace {

// A RapidJSON SAX handler that builds a Json tree and enforces the depth and value limits.
//
// With a streamed member (see ParseJson's overload), the array under that member of the root
// object is opened in the tree but stays empty: the events of its elements go to the handler.
//
// Every number arrives through RawNumber (kParseNumbersAsStringsFlag); the typed number events
// of the base class are never called with that flag and would stop the parse if they were.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  explicit TreeBuilder(std::size_t max_values) : max_values_(max_values) {}
  TreeBuilder(std::size_t max_values, std::string_view streamed_member, ArrayElementHandler& handler)
      : streamed_member_(streamed_member), handler_(&handler), max_values_(max_values) {}

  bool Default() { return Stop("internal error: a number arrived already converted"); }
  bool Null() {
    if (!CountValue()) return false;
    if (streaming()) return handler_->Null(), true;
    return tree_.Value(Json()), true;
  }
  bool Bool(bool b) {
    if (!CountValue()) return false;
    if (streaming()) return handler_->Bool(b), true;
    return tree_.Value(Json(b)), true;
  }
  // Numbers arrive as text, already checked against the grammar; see json_number.h for why
  // RapidJSON's own conversion is not used.
  bool RawNumber(const Ch* str, rapidjson::SizeType length, bool) {
    if (!CountValue()) return false;
    Result<Json> number = JsonNumberFromText(std::string_view(str, length));
    if (!number.ok()) return Stop(number.status().message());
    if (streaming()) return handler_->Number(std::move(*number)), true;
    return tree_.Value(std::move(*number)), true;
  }
  bool String(const Ch* str, rapidjson::SizeType length, bool) {
    if (!CountValue()) return false;
    if (streaming()) return handler_->String(std::string_view(str, length)), true;
    return tree_.Value(Json(std::string_view(str, length))), true;
  }
  bool Key(const Ch* str, rapidjson::SizeType length, bool) {
    if (streaming()) return handler_->Key(std::string_view(str, length)), true;
    return tree_.Key(std::string_view(str, length)), true;
  }
  bool StartObject() {
    const bool streamed = streaming();
    if (!Deeper()) return false;
    if (streamed) return handler_->StartObject(), true;
    return tree_.StartObject(), true;
  }
  bool StartArray() {
    const bool streamed = streaming();
    if (!Deeper()) return false;
    if (streamed) return handler_->StartArray(), true;
    if (handler_ != nullptr && tree_.InRootMemberNamed(streamed_member_)) {
      streamed_depth_ = 1;
      handler_->Begin();
    }
    return tree_.StartArray(), true;
  }
  bool EndObject(rapidjson::SizeType) {
    const bool streamed = Shallower();
    if (streamed) return handler_->EndObject(), true;
    return tree_.End(), true;
  }
  bool EndArray(rapidjson::SizeType) {
    const bool streamed = Shallower();
    if (streamed) return handler_->EndArray(), true;
    streamed_depth_ = 0;  // if this closed the streamed array itself, it is over
    return tree_.End(), true;
  }

  // Why the builder stopped the parse (empty: it did not; RapidJSON's error says why).
  const std::string& stop_reason() const { return stop_reason_; }
  Json TakeRoot() { return tree_.Take(); }

 private:
  // Whether a value starting now is (inside) an element of the streamed array.
  bool streaming() const { return streamed_depth_ > 0; }

  // Counts a value (a container at its start); false (the parse stops) past the value limit.
  bool CountValue() {
    if (values_ == max_values_) {
      return Stop("more than " + std::to_string(max_values_) +
                  " JSON values (the most sealstate reads in one document)");
    }
    ++values_;
    return true;
  }

  // Counts a container opening; false (the parse stops) past the depth or value limit.
  bool Deeper() {
    if (!CountValue()) return false;
    if (depth_ >= kMaxJsonDepth) return Stop("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    ++depth_;
    if (streamed_depth_ > 0) ++streamed_depth_;
    return true;
  }

  // Counts a container closing; whether it was (inside) an element of the streamed array.
  bool Shallower() {
    --depth_;
    if (streamed_depth_ <= 1) return false;
    --streamed_depth_;
    return true;
  }

  bool Stop(std::string reason) {
    stop_reason_ = std::move(reason);
    return false;
  }

  std::string_view streamed_member_;
  ArrayElementHandler* handler_ = nullptr;  // null: nothing is streamed
  std::size_t max_values_;
  std::size_t values_ = 0;  // values begun, in the tree or streamed
  JsonTreeBuilder tree_;
  std::size_t depth_ = 0;           // containers open, in the tree or streamed
  std::size_t streamed_depth_ = 0;  // 0: not in the streamed array; 1: in it; n: n-1 levels below
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
Result<Json> Parse(ByteSource& in, TreeBuilder& builder, const JsonLimits& limits) {
  SourceStream stream(in, limits.max_bytes);
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

Result<Json> ParseJson(ByteSource& in, const JsonLimits& limits) {
  TreeBuilder builder(limits.max_values);
  return Parse(in, builder, limits);
}

Result<Json> ParseJson(ByteSource& in, std::string_view member, ArrayElementHandler& handler,
                       const JsonLimits& limits) {
  TreeBuilder builder(limits.max_values, member, handler);
  return Parse(in, builder, limits);
}

Result<Json> ParseJson(std::string_view text) {
  StringSource source(text);
  return ParseJson(source);
}

}  // namespace sealstate::internal
