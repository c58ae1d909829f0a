// Snapshot encoding, byte-identical to unobin's json.MarshalIndent(snapshot, "", "  ") + "\n".
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/snapshot.h>

#include "json/go_json_writer.h"
#include "snapshot/encode_validated.h"

namespace sealstate {
namespace {

using internal::GoJsonWriter;

void WriteStringField(GoJsonWriter& w, std::string_view key, std::string_view value) {
  w.Key(key);
  w.String(value);
}

// Fields tagged omitempty in unobin are left out when empty or zero.
void WriteStringIfSet(GoJsonWriter& w, std::string_view key, std::string_view value) {
  if (!value.empty()) WriteStringField(w, key, value);
}

void WriteStringsIfSet(GoJsonWriter& w, std::string_view key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  w.Key(key);
  w.StartArray();
  for (const std::string& value : values) w.String(value);
  w.EndArray();
}

void WriteObjectIfSet(GoJsonWriter& w, std::string_view key, const JsonObject& object) {
  if (object.empty()) return;
  w.Key(key);
  // JsonObject keeps keys sorted bytewise, which is the order Go writes map keys in.
  w.StartObject();
  for (const auto& [name, value] : object) {
    w.Key(name);
    w.Value(value);
  }
  w.EndObject();
}

void WriteFactory(GoJsonWriter& w, const FactoryInfo& factory) {
  w.Key("factory");
  w.StartObject();
  WriteStringField(w, "name", factory.name);
  WriteStringField(w, "version", factory.version);
  WriteStringField(w, "content-revision", factory.content_revision);
  w.EndObject();
}

void WriteBinding(GoJsonWriter& w, const Binding& binding) {
  w.Key("binding");
  w.StartObject();
  WriteStringField(w, "alias", binding.alias);
  WriteStringIfSet(w, "library-path", binding.library_path);
  WriteStringIfSet(w, "kind", binding.kind);
  w.EndObject();
}

void WriteEntry(GoJsonWriter& w, const Entry& entry) {
  w.StartObject();
  WriteStringField(w, "address", entry.address);
  WriteStringField(w, "entry-kind", entry.entry_kind);
  WriteStringIfSet(w, "category", entry.category);
  if (entry.binding) WriteBinding(w, *entry.binding);
  if (entry.schema_version != 0) {
    w.Key("schema-version");
    w.Int(entry.schema_version);
  }
  WriteStringsIfSet(w, "sensitive-inputs", entry.sensitive_inputs);
  WriteStringsIfSet(w, "sensitive-outputs", entry.sensitive_outputs);
  WriteStringIfSet(w, "trigger-hash", entry.trigger_hash);
  WriteObjectIfSet(w, "inputs", entry.inputs);
  WriteObjectIfSet(w, "outputs", entry.outputs);
  WriteStringsIfSet(w, "depends-on", entry.depends_on);
  w.EndObject();
}

// Go writes a nil slice as null and an empty one as [].
void WriteEntries(GoJsonWriter& w, const Snapshot& snapshot) {
  w.Key("entries");
  if (snapshot.entries.empty() && snapshot.entries_null) {
    w.Null();
    return;
  }
  w.StartArray();
  for (const Entry& entry : snapshot.entries) {
    if (w.failed()) return;  // the sink refused: the rest would be dropped (Finish says why)
    WriteEntry(w, entry);
  }
  w.EndArray();
}

void WriteSnapshot(GoJsonWriter& w, const Snapshot& snapshot) {
  w.StartObject();
  w.Key("format-version");
  w.Int(snapshot.format_version);
  WriteFactory(w, snapshot.factory);
  WriteStringField(w, "stack", snapshot.stack);
  WriteStringField(w, "generated-at", FormatRfc3339Nano(snapshot.generated_at));
  WriteEntries(w, snapshot);
  WriteObjectIfSet(w, "outputs", snapshot.outputs);
  w.EndObject();
  w.Raw("\n");
}

}  // namespace

namespace internal {

Status EncodeValidatedSnapshot(const Snapshot& snapshot, ByteSink& out) {
  GoJsonWriter writer(out, GoJsonWriter::Style::kPretty);
  WriteSnapshot(writer, snapshot);
  return writer.Finish();
}

}  // namespace internal

Status EncodeSnapshot(const Snapshot& snapshot, ByteSink& out) {
  SEALSTATE_RETURN_IF_ERROR(ValidateSnapshot(snapshot));
  return internal::EncodeValidatedSnapshot(snapshot, out);
}

Result<std::string> EncodeSnapshot(const Snapshot& snapshot) {
  std::string encoded;
  StringSink sink(encoded);
  SEALSTATE_RETURN_IF_ERROR(EncodeSnapshot(snapshot, sink));
  return encoded;
}

}  // namespace sealstate
