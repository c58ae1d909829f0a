#include "journal/journal_event_json.h"

#include <utility>

#include <sealstate/json.h>
#include <sealstate/timestamp.h>

#include "json/go_json_writer.h"
#include "json/json_fields.h"
#include "json/json_reader.h"

namespace sealstate::internal {
namespace {

Status DecodeFields(const RequiredFields& fields, JournalEvent& event) {
  SEALSTATE_RETURN_IF_ERROR(fields.Count("seq", event.seq));
  if (event.seq == 0) return Status::Integrity("\"seq\" must be at least 1");
  SEALSTATE_RETURN_IF_ERROR(fields.Time("time", event.time));
  SEALSTATE_RETURN_IF_ERROR(fields.String("event", event.event));
  SEALSTATE_RETURN_IF_ERROR(fields.String("rev", event.rev));
  SEALSTATE_RETURN_IF_ERROR(fields.String("lock-id", event.lock_id));
  SEALSTATE_RETURN_IF_ERROR(fields.String("actor", event.actor));
  SEALSTATE_RETURN_IF_ERROR(fields.Int("pid", event.pid));
  return fields.String("detail", event.detail);
}

// The optional members a "write" line records (absent: not recorded).
Result<JournalEvent> DecodeWriteFacts(const JsonObject& object, const RequiredFields& fields, JournalEvent event) {
  if (object.count("envelope-version") != 0) {
    SEALSTATE_RETURN_IF_ERROR(fields.Int("envelope-version", event.envelope_version));
  }
  if (object.count("size") != 0) SEALSTATE_RETURN_IF_ERROR(fields.Int("size", event.size));
  if (object.count("entries") != 0) SEALSTATE_RETURN_IF_ERROR(fields.Int("entries", event.entries));
  if (object.count("operation") != 0) SEALSTATE_RETURN_IF_ERROR(fields.String("operation", event.operation));
  if (object.count("current") != 0) {
    std::string current;
    SEALSTATE_RETURN_IF_ERROR(fields.String("current", current));
    event.current = std::move(current);
  }
  if (object.count("mac-key") != 0) SEALSTATE_RETURN_IF_ERROR(fields.String("mac-key", event.mac_key));
  if (object.count("mac") != 0) SEALSTATE_RETURN_IF_ERROR(fields.String("mac", event.mac));
  if (event.size < -1 || event.entries < -1) return Status::Integrity("\"size\" and \"entries\" cannot be negative");
  return event;
}

}  // namespace

void WriteJournalEvent(GoJsonWriter& writer, const JournalEvent& event) {
  writer.StartObject();
  writer.Key("seq");
  writer.Uint(event.seq);
  writer.Key("time");
  writer.String(FormatRfc3339Nano(event.time));
  writer.Key("event");
  writer.String(event.event);
  writer.Key("rev");
  writer.String(event.rev);
  writer.Key("lock-id");
  writer.String(event.lock_id);
  writer.Key("actor");
  writer.String(event.actor);
  writer.Key("pid");
  writer.Int(event.pid);
  writer.Key("detail");
  writer.String(event.detail);
  if (event.envelope_version != 0) {
    writer.Key("envelope-version");
    writer.Int(event.envelope_version);
  }
  if (event.size >= 0) {
    writer.Key("size");
    writer.Int(event.size);
  }
  if (event.entries >= 0) {
    writer.Key("entries");
    writer.Int(event.entries);
  }
  if (!event.operation.empty()) {
    writer.Key("operation");
    writer.String(event.operation);
  }
  if (event.current) {
    writer.Key("current");
    writer.String(*event.current);
  }
  if (!event.mac_key.empty()) {
    writer.Key("mac-key");
    writer.String(event.mac_key);
  }
  if (!event.mac.empty()) {
    writer.Key("mac");
    writer.String(event.mac);
  }
  writer.EndObject();
}

std::string EncodeJournalEvent(const JournalEvent& event) {
  std::string out;
  StringSink sink(out);
  GoJsonWriter writer(sink, GoJsonWriter::Style::kCompact);
  WriteJournalEvent(writer, event);
  (void)writer.Finish();  // a StringSink never fails
  return out;
}

Result<JournalEvent> DecodeJournalEvent(std::string_view line) {
  SEALSTATE_ASSIGN_OR_RETURN(const Json parsed, ParseJson(line));
  if (parsed.type() != Json::Type::kObject) return Status::Integrity("not a JSON object");
  JournalEvent event;
  const RequiredFields fields(parsed.as_object());
  SEALSTATE_RETURN_IF_ERROR(DecodeFields(fields, event));
  return DecodeWriteFacts(parsed.as_object(), fields, event);
}

}  // namespace sealstate::internal
