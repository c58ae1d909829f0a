// sealstate_current, sealstate_current_rev, sealstate_get: snapshots out, as their JSON encoding.
#include <string>

#include <sealstate/snapshot.h>

#include "c_api/c_api_internal.h"

using sealstate::Status;
using namespace sealstate::internal;

namespace {

// Encodes `snapshot` (a read result) into the caller's buffer.
Status HandOutSnapshot(const sealstate::Result<sealstate::Snapshot>& snapshot, char** json_out, std::size_t* json_len) {
  if (!snapshot.ok()) return snapshot.status();
  SEALSTATE_ASSIGN_OR_RETURN(const std::string json, sealstate::EncodeSnapshot(*snapshot));
  HandOut(json, json_out, json_len);
  return Status::OK();
}

}  // namespace

extern "C" int sealstate_current(sealstate_store* store, char** json_out, size_t* json_len, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(json_out, "sealstate_current", "json_out"));
    ClearOutputs(json_out, json_len);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_current", "store"));
    return HandOutSnapshot(store->backend->Current(), json_out, json_len);
  });
}

extern "C" int sealstate_current_rev(sealstate_store* store, char** rev_out, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(rev_out, "sealstate_current_rev", "rev_out"));
    ClearOutputs(rev_out);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_current_rev", "store"));
    SEALSTATE_ASSIGN_OR_RETURN(const std::string rev, store->backend->CurrentRev());
    HandOut(rev, rev_out, nullptr);
    return Status::OK();
  });
}

extern "C" int sealstate_get(sealstate_store* store, const char* rev, char** json_out, size_t* json_len,
                             sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(json_out, "sealstate_get", "json_out"));
    ClearOutputs(json_out, json_len);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_get", "store"));
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(rev, "sealstate_get", "rev"));
    return HandOutSnapshot(store->backend->Get(rev), json_out, json_len);
  });
}
