// sealstate_commit and sealstate_write: snapshots in, as their JSON encoding.
#include <string>

#include <sealstate/snapshot.h>

#include "c_api/c_api_internal.h"

using sealstate::Result;
using sealstate::Status;
using namespace sealstate::internal;

namespace {

// Decodes the caller's JSON; `function` names the call in errors. Malformed JSON is
// kInvalidArgument; a format-version this build does not know stays kFormat.
Result<sealstate::Snapshot> DecodeCallerSnapshot(const char* json, std::size_t json_len, std::string_view function) {
  if (json == nullptr) return Status::InvalidArgument(std::string(function) + ": json is NULL");
  auto snapshot = sealstate::DecodeSnapshot(std::string_view(json, json_len));
  if (snapshot.ok()) return snapshot;
  const std::string prefix = std::string(function) + ": ";
  // DecodeSnapshot calls malformed bytes kIntegrity, as for a stored file; here they are the
  // caller's argument.
  if (snapshot.status().code() == sealstate::Code::kIntegrity) {
    return Status::InvalidArgument(prefix + snapshot.status().message());
  }
  return snapshot.status().WithPrefix(prefix);
}

sealstate::WriteOptions MakeWriteOptions(unsigned flags, const char* lock_id) {
  sealstate::WriteOptions options;
  options.new_key = (flags & SEALSTATE_WRITE_NEW_KEY) != 0;
  if (lock_id != nullptr) options.lock_id = lock_id;
  return options;
}

void HandOutRev(const std::string& rev, char** rev_out) {
  if (rev_out != nullptr) HandOut(rev, rev_out, nullptr);
}

}  // namespace

extern "C" int sealstate_commit(sealstate_store* store, const char* json, size_t json_len, int64_t timeout_ms,
                                const char* operation, sealstate_cancel_fn cancel, void* cancel_data, unsigned flags,
                                char** rev_out, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    ClearOutputs(rev_out);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_commit", "store"));
    SEALSTATE_ASSIGN_OR_RETURN(const sealstate::Snapshot snapshot,
                               DecodeCallerSnapshot(json, json_len, "sealstate_commit"));
    SEALSTATE_ASSIGN_OR_RETURN(
        const std::string rev,
        store->backend->Commit(
            snapshot, MakeLockOptions(timeout_ms, operation == nullptr ? "commit" : operation, cancel, cancel_data),
            MakeWriteOptions(flags, nullptr)));
    HandOutRev(rev, rev_out);
    return Status::OK();
  });
}

extern "C" int sealstate_write(sealstate_store* store, const char* json, size_t json_len, const char* lock_id,
                               unsigned flags, char** rev_out, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    ClearOutputs(rev_out);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_write", "store"));
    SEALSTATE_ASSIGN_OR_RETURN(const sealstate::Snapshot snapshot,
                               DecodeCallerSnapshot(json, json_len, "sealstate_write"));
    SEALSTATE_ASSIGN_OR_RETURN(const std::string rev,
                               store->backend->Write(snapshot, MakeWriteOptions(flags, lock_id)));
    HandOutRev(rev, rev_out);
    return Status::OK();
  });
}
