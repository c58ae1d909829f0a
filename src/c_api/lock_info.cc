// sealstate_lock_info: the lock's verdict and holder as a JSON object (any backend's fields).
#include <string>

#include <sealstate/stream.h>
#include <sealstate/timestamp.h>

#include "c_api/c_api_internal.h"
#include "json/go_json_writer.h"

using sealstate::Status;
using namespace sealstate::internal;

namespace {

void WriteHolder(GoJsonWriter& w, const sealstate::LockHolder& holder) {
  w.StartObject();
  w.Key("lock-id");
  w.String(holder.lock_id);
  w.Key("user");
  w.String(holder.user);
  w.Key("host");
  w.String(holder.host);
  w.Key("pid");
  w.Int(holder.pid);
  w.Key("created");
  if (holder.created == sealstate::Timestamp()) {
    w.Null();
  } else {
    w.String(sealstate::FormatRfc3339Nano(holder.created));
  }
  w.Key("operation");
  w.String(holder.operation);
  w.Key("version");
  w.String(holder.version);
  w.Key("detail");
  w.StartObject();
  for (const auto& [name, text] : holder.detail) {
    w.Key(name);
    w.String(text);
  }
  w.EndObject();
  w.EndObject();
}

Status EncodeLockInfo(const sealstate::LockInfo& info, std::string& json) {
  sealstate::StringSink sink(json);
  GoJsonWriter w(sink, GoJsonWriter::Style::kCompact);
  w.StartObject();
  w.Key("state");
  w.String(sealstate::LockStateName(info.state));
  w.Key("holder");
  if (info.holder) {
    WriteHolder(w, *info.holder);
  } else {
    w.Null();
  }
  w.Key("reason");
  w.String(info.reason);
  w.EndObject();
  return w.Finish();
}

}  // namespace

extern "C" int sealstate_lock_info(sealstate_store* store, char** json_out, size_t* json_len, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(json_out, "sealstate_lock_info", "json_out"));
    ClearOutputs(json_out, json_len);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_lock_info", "store"));
    SEALSTATE_ASSIGN_OR_RETURN(const sealstate::LockInfo info, store->backend->GetLockInfo());
    std::string json;
    SEALSTATE_RETURN_IF_ERROR(EncodeLockInfo(info, json));
    HandOut(json, json_out, json_len);
    return Status::OK();
  });
}
