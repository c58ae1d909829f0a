#include "store/stack_history.h"

#include <unordered_map>
#include <unordered_set>

namespace sealstate::internal {

Result<std::vector<RevisionHistory>> ReadStackHistory(Backend& backend, const std::string& current) {
  SEALSTATE_ASSIGN_OR_RETURN(const std::vector<std::string> revs, backend.List());
  SEALSTATE_ASSIGN_OR_RETURN(std::vector<JournalEvent> journal, backend.Journal(0));
  std::unordered_map<std::string, JournalEvent> writes;
  std::unordered_set<std::string> were_current;
  writes.reserve(revs.size());
  for (JournalEvent& event : journal) {
    if (event.event == "set-current" || event.event == "copied-from") {
      were_current.insert(event.rev);
    } else if (event.event == "write") {
      std::string rev = event.rev;
      writes.insert_or_assign(std::move(rev), std::move(event));
    }
  }
  std::vector<RevisionHistory> history;
  history.reserve(revs.size());
  for (auto rev = revs.rbegin(); rev != revs.rend(); ++rev) {
    RevisionHistory entry;
    entry.rev = *rev;
    entry.current = *rev == current;
    entry.ever_current = entry.current || were_current.contains(*rev);
    if (const auto found = writes.find(*rev); found != writes.end()) entry.write = std::move(found->second);
    history.push_back(std::move(entry));
  }
  return history;
}

}  // namespace sealstate::internal
