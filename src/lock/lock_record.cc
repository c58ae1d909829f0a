// The lock marker's holder record: one line of compact JSON (sealstate) or "<pid>\n" (unobin).
#include "lock/lock_record.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include <sealstate/local_store.h>

#include "crypto/random_hex.h"
#include "json/go_json_writer.h"
#include "json/json_fields.h"
#include "json/json_reader.h"
#include "text/trim.h"

namespace sealstate::internal {
namespace {

constexpr std::size_t kLockIdBytes = 16;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status Malformed(std::string_view what) { return Status::Integrity("lock marker: " + std::string(what)); }

// unobin's marker: the digits of a positive pid.
Result<MarkerHolder> ParseBarePid(std::string_view digits) {
  std::int64_t pid = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (error != std::errc() || end != digits.data() + digits.size() || pid <= 0) {
    return Malformed("pid " + std::string(digits) + " is out of range");
  }
  MarkerHolder holder;
  holder.pid = pid;
  holder.bare_pid = true;
  return holder;
}

Status ReadHolder(const RequiredFields& fields, MarkerHolder& holder) {
  SEALSTATE_RETURN_IF_ERROR(fields.String("lock-id", holder.lock_id));
  std::uint64_t pid = 0;
  SEALSTATE_RETURN_IF_ERROR(fields.Count("pid", pid));
  if (pid == 0 || pid > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Status::Integrity("\"pid\" is out of range");
  }
  holder.pid = static_cast<std::int64_t>(pid);
  SEALSTATE_RETURN_IF_ERROR(fields.String("host", holder.host));
  SEALSTATE_RETURN_IF_ERROR(fields.String("user", holder.user));
  SEALSTATE_RETURN_IF_ERROR(fields.String("boot-id", holder.boot_id));
  SEALSTATE_RETURN_IF_ERROR(fields.Count("start-time", holder.start_time));
  SEALSTATE_RETURN_IF_ERROR(fields.Time("created", holder.created));
  SEALSTATE_RETURN_IF_ERROR(fields.String("operation", holder.operation));
  return fields.String("version", holder.version);
}

Result<MarkerHolder> HolderFromObject(const JsonObject& object) {
  MarkerHolder holder;
  Status read = ReadHolder(RequiredFields(object), holder);
  if (!read.ok()) return Malformed(read.message());
  return holder;
}

Result<MarkerHolder> ParseJsonRecord(std::string_view text) {
  Result<Json> parsed = ParseJson(text);
  if (!parsed.ok()) return Malformed(parsed.status().message());
  if (parsed->type() != Json::Type::kObject) return Malformed("not a JSON object");
  return HolderFromObject(parsed->as_object());
}

}  // namespace

void WriteHolderFields(GoJsonWriter& w, const MarkerHolder& holder) {
  w.Key("lock-id");
  w.String(holder.lock_id);
  w.Key("pid");
  w.Int(holder.pid);
  w.Key("host");
  w.String(holder.host);
  w.Key("user");
  w.String(holder.user);
  w.Key("boot-id");
  w.String(holder.boot_id);
  w.Key("start-time");
  w.Uint(holder.start_time);
  w.Key("created");
  if (holder.bare_pid) {
    w.Null();
  } else {
    w.String(FormatRfc3339Nano(holder.created));
  }
  w.Key("operation");
  w.String(holder.operation);
  w.Key("version");
  w.String(holder.version);
}

std::string EncodeLockRecord(const MarkerHolder& holder) {
  std::string out;
  StringSink sink(out);
  GoJsonWriter w(sink, GoJsonWriter::Style::kCompact);
  w.StartObject();
  WriteHolderFields(w, holder);
  w.EndObject();
  w.Raw("\n");
  (void)w.Finish();  // a StringSink never fails
  return out;
}

Result<MarkerHolder> ParseLockRecord(std::string_view content) {
  if (content.size() > kMaxLockRecordBytes)
    return Malformed("larger than " + std::to_string(kMaxLockRecordBytes) + " bytes");
  const std::string_view trimmed = Trim(content, kAsciiWhitespace);
  if (trimmed.empty()) return Malformed("empty");
  if (AllDigits(trimmed)) return ParseBarePid(trimmed);
  return ParseJsonRecord(trimmed);
}

LockHolder ToLockHolder(const MarkerHolder& holder) {
  LockHolder out;
  out.lock_id = holder.lock_id;
  out.user = holder.user;
  out.host = holder.host;
  out.pid = holder.pid;
  out.created = holder.created;
  out.operation = holder.operation;
  out.version = holder.version;
  if (holder.bare_pid) {
    out.detail.emplace(kLocalHolderBarePid, "true");
    return out;
  }
  out.detail.emplace(kLocalHolderBootId, holder.boot_id);
  out.detail.emplace(kLocalHolderStartTime, std::to_string(holder.start_time));
  return out;
}

MarkerHolder FromLockHolder(const LockHolder& holder) {
  MarkerHolder out;
  out.lock_id = holder.lock_id;
  out.pid = holder.pid;
  out.host = holder.host;
  out.user = holder.user;
  out.created = holder.created;
  out.operation = holder.operation;
  out.version = holder.version;
  const auto detail = [&](std::string_view key) {
    const auto found = holder.detail.find(std::string(key));
    return found == holder.detail.end() ? std::string() : found->second;
  };
  out.boot_id = detail(kLocalHolderBootId);
  const std::string start = detail(kLocalHolderStartTime);
  const auto [end, error] = std::from_chars(start.data(), start.data() + start.size(), out.start_time);
  if (error != std::errc() || end != start.data() + start.size()) out.start_time = 0;
  out.bare_pid = detail(kLocalHolderBarePid) == "true";
  return out;
}

std::string NewLockId() { return RandomHex(kLockIdBytes); }

}  // namespace sealstate::internal
