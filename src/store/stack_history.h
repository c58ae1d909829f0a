// A stack's history for people: each revision, newest first, with what the journal recorded
// about it (who wrote it, under which operation, how large, how many entries) and whether it
// is or ever was current. Built from List, Journal and CurrentRev only: never opens a revision,
// so it needs no key and costs one pass over the journal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/status.h>

namespace sealstate::internal {

struct RevisionHistory {
  std::string rev;
  bool current = false;       // current names it now
  bool ever_current = false;  // current names it now, or a journaled set-current (or copy) did
  // The journal's last "write" event of the revision; none for a revision written before the
  // journal existed, or copied in without its history.
  std::optional<JournalEvent> write;
};

// Every revision, newest first. `current` is the revision current names ("" for none or a
// damaged pointer: the caller reads it, so that it can warn). Errors: List's and Journal's.
Result<std::vector<RevisionHistory>> ReadStackHistory(Backend& backend, const std::string& current);

}  // namespace sealstate::internal
