// sealstate_list, sealstate_set_current, sealstate_remove: the revisions and the pointer.
#include <string>
#include <vector>

#include "c_api/c_api_internal.h"

using sealstate::Status;
using namespace sealstate::internal;

extern "C" int sealstate_list(sealstate_store* store, unsigned flags, char** revs_out, size_t* revs_len,
                              sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(revs_out, "sealstate_list", "revs_out"));
    ClearOutputs(revs_out, revs_len);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_list", "store"));
    SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> revs, store->backend->List());
    const bool newest_first = (flags & SEALSTATE_LIST_NEWEST_FIRST) != 0;
    std::string lines;
    for (std::size_t i = 0; i < revs.size(); ++i) lines += revs[newest_first ? revs.size() - 1 - i : i] + "\n";
    HandOut(lines, revs_out, revs_len);
    return Status::OK();
  });
}

extern "C" int sealstate_set_current(sealstate_store* store, const char* rev, const char* expected_current,
                                     const char* lock_id, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_set_current", "store"));
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(rev, "sealstate_set_current", "rev"));
    sealstate::SetCurrentOptions options;
    if (expected_current != nullptr) options.expected_current = expected_current;
    if (lock_id != nullptr) options.lock_id = lock_id;
    return store->backend->SetCurrent(rev, options);
  });
}

extern "C" int sealstate_remove(sealstate_store* store, const char* rev, const char* lock_id, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_remove", "store"));
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(rev, "sealstate_remove", "rev"));
    return store->backend->Remove(rev, lock_id == nullptr ? "" : lock_id);
  });
}
