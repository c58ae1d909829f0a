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

#include "json/source_stream.h"

namespace sealstate::internal {
namespace {

// A RapidJSON SAX handler that builds a Json tree. Each open container is a frame; a finished
// value is moved into its parent, so nothing is copied.
//
// With a streamed member (see ParseJson's overload), the elements of an array under that member
// of the root object go to the consumer instead of into the array.
class TreeBuilder {
 public:
  using Ch = char;

  TreeBuilder() = default;
  TreeBuilder(std::string_view streamed_member, ArrayElementConsumer& consumer)
      : streamed_member_(streamed_member), consumer_(&consumer) {}

  bool Null() { return Add(Json()); }
  bool Bool(bool b) { return Add(Json(b)); }
  // RapidJSON reports non-negative integers through Uint/Uint64, so Int(0) means the literal
  // "-0". Go decodes it as the float64 -0 and writes it back as "-0"; keep it a double for that.
  bool Int(int i) { return Add(i == 0 ? Json(-0.0) : Json(i)); }
  bool Uint(unsigned u) { return Add(Json(static_cast<std::int64_t>(u))); }
  bool Int64(std::int64_t i) { return Add(Json(i)); }
  bool Uint64(std::uint64_t u) { return Add(Json(u)); }  // kUint only past INT64_MAX
  bool Double(double d) { return Add(Json(d)); }
  // Numbers arrive as text (kParseNumbersAsStringsFlag, already checked against the grammar and
  // the exponent limit). RapidJSON 1.1.0's full-precision conversion is wrong for a significand
  // of zeros when the decimal exponent leaves the fast path: "0e99" gave 6.5e296 and
  // "0.000000000000000000000000000000" 9.6e-240 (found by fuzz/snapshot_fuzzer; fixed upstream
  // after 1.1.0). Such a number is a zero double here; any other goes back through RapidJSON's
  // own conversion, which calls the handlers above.
  bool RawNumber(const Ch* str, rapidjson::SizeType length, bool) {
    const std::string text(str, length);
    if (IsZeroDouble(text)) return Add(Json(text.front() == '-' ? -0.0 : 0.0));
    rapidjson::StringStream number(text.c_str());
    return !number_reader_.Parse<rapidjson::kParseFullPrecisionFlag>(number, *this).IsError();
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

  bool too_deep() const { return too_deep_; }
  Json TakeRoot() { return std::move(root_); }

 private:
  struct Frame {
    Json container;
    std::string key;        // the pending member name when the container is an object
    bool streamed = false;  // an array whose elements go to the consumer
  };

  template <typename Container>
  bool Open(Container empty) {
    if (stack_.size() >= kMaxJsonDepth) {
      too_deep_ = true;
      return false;
    }
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

  // A number with a fraction or an exponent whose digits before the exponent are all zeros.
  static bool IsZeroDouble(std::string_view number) {
    bool is_double = false;
    for (const char c : number) {
      if (c == 'e' || c == 'E') return true;
      if (c == '.') is_double = true;
      if (c >= '1' && c <= '9') return false;
    }
    return is_double;
  }

  std::string_view streamed_member_;
  ArrayElementConsumer* consumer_ = nullptr;  // null: nothing is streamed
  std::vector<Frame> stack_;
  Json root_;
  bool too_deep_ = false;
  rapidjson::Reader number_reader_;  // reused: its stack is allocated once
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
  const rapidjson::ParseResult result = reader.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseNumbersAsStringsFlag>(stream, builder);
  if (!stream.source_status().ok()) return stream.source_status();
  if (result.IsError()) {
    const std::string what = builder.too_deep()
                                 ? "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels"
                                 : DescribeParseError(result.Code());
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
