// sealstate_journal: the journal's events since a seq, as JSON lines.
#include <string>
#include <vector>

#include "c_api/c_api_internal.h"
#include "journal/journal_event_json.h"

using sealstate::Status;
using namespace sealstate::internal;

extern "C" int sealstate_journal(sealstate_store* store, uint64_t since_seq, char** lines_out, size_t* lines_len,
                                 sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(lines_out, "sealstate_journal", "lines_out"));
    ClearOutputs(lines_out, lines_len);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_journal", "store"));
    SEALSTATE_ASSIGN_OR_RETURN(const std::vector<sealstate::JournalEvent> events, store->backend->Journal(since_seq));
    std::string lines;
    for (const auto& event : events) lines += EncodeJournalEvent(event) + "\n";
    HandOut(lines, lines_out, lines_len);
    return Status::OK();
  });
}
