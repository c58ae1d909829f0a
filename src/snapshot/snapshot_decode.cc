// Snapshot decoding: parse the JSON, convert it to a Snapshot, check the version, validate.
//
// The parsed tree is taken apart as it is converted: inputs and outputs objects are moved into
// the Snapshot, and entries are converted one by one as the parser completes them, so decoding
// needs about one document's worth of memory.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sealstate/snapshot.h>

#include "json/json_reader.h"

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

  // Moves the string out of the tree.
  Status String(std::string_view key, std::string& out) {
    Json* value = Find(key);
    if (value == nullptr) return Status::OK();
    if (value->type() != Json::Type::kString) return TypeError(key, "a string");
    out = std::move(value->as_string());
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

  // A list of strings, moved out of the tree; a null element reads as "" (Go leaves it at the
  // zero value).
  Status Strings(std::string_view key, std::vector<std::string>& out) {
    Json* value = Find(key);
    if (value == nullptr) return Status::OK();
    if (value->type() != Json::Type::kArray) return TypeError(key, "an array of strings");
    out.clear();
    out.reserve(value->as_array().size());
    for (Json& element : value->as_array()) {
      if (element.is_null()) {
        out.emplace_back();
        continue;
      }
      if (element.type() != Json::Type::kString) return TypeError(key, "an array of strings");
      out.push_back(std::move(element.as_string()));
    }
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
  SEALSTATE_ASSIGN_OR_RETURN(JsonObject* object, top.NestedObject("factory"));
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

Status ReadBinding(FieldReader& entry, const std::string& prefix, std::optional<Binding>& out) {
  SEALSTATE_ASSIGN_OR_RETURN(JsonObject* object, entry.NestedObject("binding"));
  if (object == nullptr) return Status::OK();
  FieldReader binding(*object, prefix + "binding.");
  out.emplace();
  SEALSTATE_RETURN_IF_ERROR(binding.String("alias", out->alias));
  SEALSTATE_RETURN_IF_ERROR(binding.String("library-path", out->library_path));
  return binding.String("kind", out->kind);
}

// Unknown members (e.g. the legacy node-kind) are ignored.
Status ReadEntry(JsonObject& object, std::size_t index, Entry& out) {
  const std::string prefix = "entries[" + std::to_string(index) + "].";
  FieldReader entry(object, prefix);
  SEALSTATE_RETURN_IF_ERROR(entry.String("address", out.address));
  SEALSTATE_RETURN_IF_ERROR(entry.String("entry-kind", out.entry_kind));
  SEALSTATE_RETURN_IF_ERROR(entry.String("category", out.category));
  SEALSTATE_RETURN_IF_ERROR(ReadBinding(entry, prefix, out.binding));
  SEALSTATE_RETURN_IF_ERROR(entry.Int("schema-version", out.schema_version));
  SEALSTATE_RETURN_IF_ERROR(entry.Strings("sensitive-inputs", out.sensitive_inputs));
  SEALSTATE_RETURN_IF_ERROR(entry.Strings("sensitive-outputs", out.sensitive_outputs));
  SEALSTATE_RETURN_IF_ERROR(entry.String("trigger-hash", out.trigger_hash));
  SEALSTATE_RETURN_IF_ERROR(entry.Object("inputs", out.inputs));
  SEALSTATE_RETURN_IF_ERROR(entry.Object("outputs", out.outputs));
  return entry.Strings("depends-on", out.depends_on);
}

// Converts the elements of the "entries" array to Entry structs as the parser completes them,
// so each element's tree is freed while it is still in cache and the whole document's tree is
// never held. A null element is Go's nil *Entry, which Validate reports; its index is kept in
// `first_nil` and the elements from there on are dropped. The first conversion error is kept and
// the elements after it are dropped: which error the decode reports is decided later, by
// ReadEntries, in the same order as for a whole tree.
class EntriesReader final : public internal::ArrayElementConsumer {
 public:
  void Begin() override { *this = EntriesReader(); }

  void Element(Json& element) override {
    if (stopped_) return;
    const std::size_t index = count_++;
    if (element.is_null()) {
      first_nil_ = index;
      stopped_ = true;
    } else if (element.type() != Json::Type::kObject) {
      error_ = Status::Integrity("snapshot: entries[" + std::to_string(index) + "] must be an object");
      stopped_ = true;
    } else {
      error_ = ReadEntry(element.as_object(), index, entries_.emplace_back());
      stopped_ = !error_.ok();
    }
  }

  // Moves the converted entries into `out`, or returns the first error.
  Status Finish(Snapshot& out, std::optional<std::size_t>& first_nil) {
    SEALSTATE_RETURN_IF_ERROR(error_);
    // The flag only matters for an empty list; a non-empty one keeps the default, so a decoded
    // snapshot compares equal to one built in code.
    if (count_ == 0) out.entries_null = false;
    out.entries = std::move(entries_);
    first_nil = first_nil_;
    return Status::OK();
  }

 private:
  std::vector<Entry> entries_;
  std::size_t count_ = 0;  // elements seen, including a first null and what follows no error
  std::optional<std::size_t> first_nil_;
  Status error_;
  bool stopped_ = false;
};

// The parser streamed the elements of an "entries" array to `entries`, leaving it empty in the
// tree; any other value of the member is still in the tree.
Status ReadEntries(FieldReader& top, EntriesReader& entries, Snapshot& out,
                   std::optional<std::size_t>& first_nil) {
  Json* value = top.Find("entries");
  if (value == nullptr) return Status::OK();  // entries_null stays true
  if (value->type() != Json::Type::kArray) return top.TypeError("entries", "an array");
  return entries.Finish(out, first_nil);
}

Status ReadSnapshot(Json& root, EntriesReader& entries, Snapshot& out,
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
  EntriesReader entries;
  Result<Json> parsed = internal::ParseJson(source, "entries", entries);
  if (!parsed.ok()) {
    if (source.failed()) return parsed.status();
    return parsed.status().WithPrefix("snapshot: ");
  }
  Snapshot snapshot;
  std::optional<std::size_t> first_nil;
  SEALSTATE_RETURN_IF_ERROR(ReadSnapshot(*parsed, entries, snapshot, first_nil));
  if (snapshot.format_version != kSnapshotFormatVersion) {
    return Status::Format("snapshot: unsupported format-version " +
                          std::to_string(snapshot.format_version) + " (this build expects " +
                          std::to_string(kSnapshotFormatVersion) + ")");
  }
  SEALSTATE_RETURN_IF_ERROR(ValidateDecoded(snapshot, first_nil));
  return snapshot;
}

Result<Snapshot> DecodeSnapshot(std::string_view json) {
  StringSource source(json);
  return DecodeSnapshot(source);
}

}  // namespace sealstate
