// Snapshot decoding: parse the JSON, convert it to a Snapshot, check the version, validate.
//
// The entries, nearly all of a snapshot, are decoded from parser events as they come
// (entries_decoder.h); the rest of the document is small and read from its parsed tree, whose
// strings and objects are moved into the Snapshot. Decoding needs about one document's worth of
// memory.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sealstate/snapshot.h>

#include "json/json_reader.h"
#include "snapshot/entries_decoder.h"

namespace sealstate {
namespace {

// Forwards reads and remembers whether the source failed, so a source error (e.g. a decrypting
// source reporting tampering) is returned unchanged while JSON errors get the "snapshot: "
// prefix.
class TrackingSource final : public ByteSource {
 public:
  explicit TrackingSource(ByteSource& inner) : inner_(inner) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    Result<std::size_t> n = inner_.Read(buffer, capacity);
    if (!n.ok()) failed_ = true;
    return n;
  }
  bool failed() const { return failed_; }

 private:
  ByteSource& inner_;
  bool failed_ = false;
};

// Reads typed members of one JSON object, moving strings and objects out of it (each member is
// read once). A member that is absent or null leaves the output unchanged, as Go's decoder
// does. Type errors name the member by its path: top-level members quoted ("stack"), nested
// ones as a path (entries[3].schema-version).
class FieldReader {
 public:
  FieldReader(JsonObject& object, std::string prefix) : object_(object), prefix_(std::move(prefix)) {}

  // The member, or nullptr when absent or null.
  Json* Find(std::string_view key) {
    const auto it = object_.find(key);
    if (it == object_.end() || it->second.is_null()) return nullptr;
    return &it->second;
  }

  std::string Path(std::string_view key) const {
    if (prefix_.empty()) return "\"" + std::string(key) + "\"";
    return prefix_ + std::string(key);
  }

  Status TypeError(std::string_view key, std::string_view expected) const {
    return Status::Integrity("snapshot: " + Path(key) + " must be " + std::string(expected));
  }

  Status String(std::string_view key, std::string& out) {
    Json* value = Find(key);
    if (value == nullptr) return Status::OK();
    if (value->type() != Json::Type::kString) return TypeError(key, "a string");
    out = value->as_string();
    return Status::OK();
  }

  Status Int(std::string_view key, std::int64_t& out) {
    const Json* value = Find(key);
    if (value == nullptr) return Status::OK();
    if (value->type() == Json::Type::kUint) return TypeError(key, "an integer in the int64 range");
    if (value->type() != Json::Type::kInt) return TypeError(key, "an integer");
    out = value->as_int();
    return Status::OK();
  }

  // Moves the object out of the tree.
  Status Object(std::string_view key, JsonObject& out) {
    Json* value = Find(key);
    if (value == nullptr) return Status::OK();
    if (value->type() != Json::Type::kObject) return TypeError(key, "an object");
    out = std::move(value->as_object());
    return Status::OK();
  }

  // A nested object to read further, or nullptr when absent or null.
  Result<JsonObject*> NestedObject(std::string_view key) {
    Json* value = Find(key);
    if (value == nullptr) return static_cast<JsonObject*>(nullptr);
    if (value->type() != Json::Type::kObject) return TypeError(key, "an object");
    return &value->as_object();
  }

 private:
  JsonObject& object_;
  std::string prefix_;
};

Status ReadFactory(FieldReader& top, FactoryInfo& out) {
  SEALSTATE_ASSIGN_OR_RETURN(JsonObject * object, top.NestedObject("factory"));
  if (object == nullptr) return Status::OK();
  FieldReader factory(*object, "factory.");
  SEALSTATE_RETURN_IF_ERROR(factory.String("name", out.name));
  SEALSTATE_RETURN_IF_ERROR(factory.String("version", out.version));
  return factory.String("content-revision", out.content_revision);
}

Status ReadGeneratedAt(FieldReader& top, Timestamp& out) {
  if (top.Find("generated-at") == nullptr) return Status::OK();  // Go's zero time
  std::string text;
  SEALSTATE_RETURN_IF_ERROR(top.String("generated-at", text));
  Result<Timestamp> parsed = ParseRfc3339(text);
  if (!parsed.ok()) return Status::Integrity("snapshot: generated-at: " + parsed.status().message());
  out = *parsed;
  return Status::OK();
}

// The parser streamed the elements of an "entries" array to `entries`, leaving it empty in the
// tree; any other value of the member is still in the tree.
Status ReadEntries(FieldReader& top, internal::EntriesDecoder& entries, Snapshot& out,
                   std::optional<std::size_t>& first_nil) {
  Json* value = top.Find("entries");
  if (value == nullptr) return Status::OK();  // entries_null stays true
  if (value->type() != Json::Type::kArray) return top.TypeError("entries", "an array");
  return entries.Finish(out, first_nil);
}

Status ReadSnapshot(Json& root, internal::EntriesDecoder& entries, Snapshot& out,
                    std::optional<std::size_t>& first_nil) {
  if (root.is_null()) root = JsonObject();  // Go leaves the struct zero: format-version 0
  if (root.type() != Json::Type::kObject) {
    return Status::Integrity("snapshot: the document must be a JSON object");
  }
  FieldReader top(root.as_object(), "");
  out.format_version = 0;  // absent reads as 0
  SEALSTATE_RETURN_IF_ERROR(top.Int("format-version", out.format_version));
  SEALSTATE_RETURN_IF_ERROR(ReadFactory(top, out.factory));
  SEALSTATE_RETURN_IF_ERROR(top.String("stack", out.stack));
  SEALSTATE_RETURN_IF_ERROR(ReadGeneratedAt(top, out.generated_at));
  SEALSTATE_RETURN_IF_ERROR(ReadEntries(top, entries, out, first_nil));
  return top.Object("outputs", out.outputs);
}

// unobin's Validate, reported as kIntegrity: bad data read from storage, not a caller mistake.
// A nil entry fails at its index unless an earlier entry fails first.
Status ValidateDecoded(const Snapshot& snapshot, std::optional<std::size_t> first_nil) {
  const Status status = ValidateSnapshot(snapshot);
  if (!status.ok()) return Status::Integrity(status.message());
  if (first_nil) return Status::Integrity("snapshot: entries[" + std::to_string(*first_nil) + "] is nil");
  return Status::OK();
}

}  // namespace

Result<Snapshot> DecodeSnapshot(ByteSource& in) {
  TrackingSource source(in);
  internal::EntriesDecoder entries;
  Result<Json> parsed = internal::ParseJson(source, "entries", entries);
  if (!parsed.ok()) {
    if (source.failed()) return parsed.status();
    return parsed.status().WithPrefix("snapshot: ");
  }
  Snapshot snapshot;
  std::optional<std::size_t> first_nil;
  SEALSTATE_RETURN_IF_ERROR(ReadSnapshot(*parsed, entries, snapshot, first_nil));
  if (snapshot.format_version != kSnapshotFormatVersion) {
    return Status::Format("snapshot: unsupported format-version " + std::to_string(snapshot.format_version) +
                          " (this build expects " + std::to_string(kSnapshotFormatVersion) + ")");
  }
  SEALSTATE_RETURN_IF_ERROR(ValidateDecoded(snapshot, first_nil));
  return snapshot;
}

Result<Snapshot> DecodeSnapshot(std::string_view json) {
  StringSource source(json);
  return DecodeSnapshot(source);
}

}  // namespace sealstate
