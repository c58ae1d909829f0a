#include "rapid_codec.h"

#include <algorithm>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "fail.h"

namespace sealstate::bench {
namespace {

// A RapidJSON output stream writing into a std::string used as a growable buffer: Put is an
// index store (the string is resized in large steps, and its capacity is reused across calls);
// Finish trims it to what was written.
class StringStream {
 public:
  using Ch = char;
  explicit StringStream(std::string& out) : out_(out) { out_.resize(std::max<std::size_t>(out_.capacity(), 1 << 16)); }
  void Put(char c) {
    if (size_ == out_.size()) out_.resize(out_.size() * 2);
    out_[size_++] = c;
  }
  void Flush() {}
  void Finish() { out_.resize(size_); }

 private:
  std::string& out_;
  std::size_t size_ = 0;
};

using Writer = rapidjson::PrettyWriter<StringStream>;

void Key(Writer& w, std::string_view key) { w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size())); }
void String(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void WriteJson(Writer& w, const Json& value);

void WriteObject(Writer& w, const JsonObject& object) {
  w.StartObject();
  for (const auto& [key, value] : object) {
    Key(w, key);
    WriteJson(w, value);
  }
  w.EndObject();
}

void WriteJson(Writer& w, const Json& value) {
  switch (value.type()) {
    case Json::Type::kNull: w.Null(); break;
    case Json::Type::kBool: w.Bool(value.as_bool()); break;
    case Json::Type::kInt: w.Int64(value.as_int()); break;
    case Json::Type::kUint: w.Uint64(value.as_uint()); break;
    case Json::Type::kDouble: w.Double(value.as_double()); break;
    case Json::Type::kString: String(w, value.as_string()); break;
    case Json::Type::kArray:
      w.StartArray();
      for (const Json& item : value.as_array()) WriteJson(w, item);
      w.EndArray();
      break;
    case Json::Type::kObject: WriteObject(w, value.as_object()); break;
  }
}

void Field(Writer& w, std::string_view key, std::string_view value) {
  Key(w, key);
  String(w, value);
}

void ObjectField(Writer& w, std::string_view key, const JsonObject& object) {
  Key(w, key);
  WriteObject(w, object);
}

void WriteStrings(Writer& w, std::string_view key, const std::vector<std::string>& strings) {
  if (strings.empty()) return;
  Key(w, key);
  w.StartArray();
  for (const std::string& s : strings) String(w, s);
  w.EndArray();
}

void WriteEntry(Writer& w, const Entry& e) {
  w.StartObject();
  Field(w, "address", e.address);
  Field(w, "entry-kind", e.entry_kind);
  if (!e.category.empty()) Field(w, "category", e.category);
  if (e.binding) {
    Key(w, "binding");
    w.StartObject();
    Field(w, "alias", e.binding->alias);
    if (!e.binding->library_path.empty()) Field(w, "library-path", e.binding->library_path);
    if (!e.binding->kind.empty()) Field(w, "kind", e.binding->kind);
    w.EndObject();
  }
  if (e.schema_version != 0) {
    Key(w, "schema-version");
    w.Int64(e.schema_version);
  }
  WriteStrings(w, "sensitive-inputs", e.sensitive_inputs);
  WriteStrings(w, "sensitive-outputs", e.sensitive_outputs);
  if (!e.trigger_hash.empty()) Field(w, "trigger-hash", e.trigger_hash);
  if (!e.inputs.empty()) ObjectField(w, "inputs", e.inputs);
  if (!e.outputs.empty()) ObjectField(w, "outputs", e.outputs);
  WriteStrings(w, "depends-on", e.depends_on);
  w.EndObject();
}

}  // namespace

void RapidSerialize(const Snapshot& snapshot, std::string& out) {
  out.clear();
  StringStream stream(out);
  Writer w(stream);
  w.SetIndent(' ', 2);
  w.StartObject();
  Key(w, "format-version");
  w.Int64(snapshot.format_version);
  Key(w, "factory");
  w.StartObject();
  Field(w, "name", snapshot.factory.name);
  Field(w, "version", snapshot.factory.version);
  Field(w, "content-revision", snapshot.factory.content_revision);
  w.EndObject();
  Field(w, "stack", snapshot.stack);
  Field(w, "generated-at", FormatRfc3339Nano(snapshot.generated_at));
  Key(w, "entries");
  w.StartArray();
  for (const Entry& e : snapshot.entries) WriteEntry(w, e);
  w.EndArray();
  if (!snapshot.outputs.empty()) ObjectField(w, "outputs", snapshot.outputs);
  w.EndObject();
  stream.Put('\n');
  stream.Finish();
}

std::size_t RapidParse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) Die("RapidJSON could not parse the document");
  const rapidjson::Document& parsed = doc;  // const iterators: clang rejects comparing non-const ones under C++20
  const auto entries = parsed.FindMember("entries");
  if (entries == parsed.MemberEnd() || !entries->value.IsArray()) Die("the parsed document has no entries array");
  return entries->value.Size();
}

}  // namespace sealstate::bench
