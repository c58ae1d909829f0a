#include "journal/journal_event_json.h"

#include <utility>

#include <sealstate/json.h>
#include <sealstate/timestamp.h>

#include "json/go_json_writer.h"
#include "json/json_reader.h"

namespace sealstate::internal {
namespace {

// Reads typed members of the line's object. Absent or null members leave the output unchanged.
class EventFields {
 public:
  explicit EventFields(const JsonObject& object) : object_(object) {}

  const Json* Find(std::string_view key) const {
    const auto it = object_.find(key);
    if (it == object_.end() || it->second.is_null()) return nullptr;
    return &it->second;
  }

  Status String(std::string_view key, std::string& out) const {
    const Json* value = Find(key);
    if (value == nullptr) return Status::OK();
    if (value->type() != Json::Type::kString) return TypeError(key, "a string");
    out = value->as_string();
    return Status::OK();
  }

  Status Int(std::string_view key, std::int64_t& out) const {
    const Json* value = Find(key);
    if (value == nullptr) return Status::OK();
    if (value->type() != Json::Type::kInt) return TypeError(key, "an integer in the int64 range");
    out = value->as_int();
    return Status::OK();
  }

  Status Seq(std::uint64_t& out) const {
    const Json* value = Find("seq");
    if (value == nullptr) return Status::Integrity("missing \"seq\"");
    if (value->type() == Json::Type::kUint) {
      out = value->as_uint();
      return Status::OK();
    }
    if (value->type() != Json::Type::kInt || value->as_int() < 1) return TypeError("seq", "an integer >= 1");
    out = static_cast<std::uint64_t>(value->as_int());
    return Status::OK();
  }

  Status Time(Timestamp& out) const {
    const Json* value = Find("time");
    if (value == nullptr) return Status::Integrity("missing \"time\"");
    if (value->type() != Json::Type::kString) return TypeError("time", "an RFC 3339 string");
    Result<Timestamp> parsed = ParseRfc3339(value->as_string());
    if (!parsed.ok()) return Status::Integrity("\"time\": " + parsed.status().message());
    out = *parsed;
    return Status::OK();
  }

 private:
  static Status TypeError(std::string_view key, std::string_view expected) {
    return Status::Integrity("\"" + std::string(key) + "\" must be " + std::string(expected));
  }

  const JsonObject& object_;
};

Status DecodeFields(const EventFields& fields, JournalEvent& event) {
  SEALSTATE_RETURN_IF_ERROR(fields.Seq(event.seq));
  SEALSTATE_RETURN_IF_ERROR(fields.Time(event.time));
  SEALSTATE_RETURN_IF_ERROR(fields.String("event", event.event));
  SEALSTATE_RETURN_IF_ERROR(fields.String("rev", event.rev));
  SEALSTATE_RETURN_IF_ERROR(fields.String("lock-id", event.lock_id));
  SEALSTATE_RETURN_IF_ERROR(fields.String("actor", event.actor));
  SEALSTATE_RETURN_IF_ERROR(fields.Int("pid", event.pid));
  return fields.String("detail", event.detail);
}

}  // namespace

std::string EncodeJournalEvent(const JournalEvent& event) {
  std::string out;
  StringSink sink(out);
  GoJsonWriter writer(sink, GoJsonWriter::Style::kCompact);
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
  writer.EndObject();
  (void)writer.Finish();  // a StringSink never fails
  return out;
}

Result<JournalEvent> DecodeJournalEvent(std::string_view line) {
  SEALSTATE_ASSIGN_OR_RETURN(const Json parsed, ParseJson(line));
  if (parsed.type() != Json::Type::kObject) return Status::Integrity("not a JSON object");
  JournalEvent event;
  SEALSTATE_RETURN_IF_ERROR(DecodeFields(EventFields(parsed.as_object()), event));
  return event;
}

}  // namespace sealstate::internal
