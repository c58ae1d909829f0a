// Seeding a stack and reading it back: SeedStack and ReadBack (sealstate/testing.h).
#include <sealstate/testing.h>

#include <string>

namespace sealstate::testing {

Result<std::vector<std::string>> SeedStack(Backend& backend, const std::vector<Snapshot>& snapshots,
                                           std::optional<std::size_t> current_index) {
  if (current_index && *current_index >= snapshots.size()) {
    return Status::InvalidArgument("seed stack: current index " + std::to_string(*current_index) +
                                   " is out of range for " + std::to_string(snapshots.size()) + " snapshots");
  }
  std::vector<std::string> revisions;
  for (const Snapshot& snapshot : snapshots) {
    Result<std::string> rev = backend.Write(snapshot, WriteOptions{});
    if (!rev.ok()) return rev.status().WithPrefix("seed stack: write: ");
    revisions.push_back(std::move(*rev));
  }
  if (current_index) {
    Status moved = backend.SetCurrent(revisions[*current_index], SetCurrentOptions{});
    if (!moved.ok()) return moved.WithPrefix("seed stack: set-current: ");
  }
  return revisions;
}

Result<StackContents> ReadBack(Backend& backend) {
  StackContents contents;
  Result<std::vector<std::string>> revisions = backend.List();
  if (!revisions.ok()) return revisions.status().WithPrefix("read back: list: ");
  contents.revisions = std::move(*revisions);
  for (const std::string& rev : contents.revisions) {
    Result<Snapshot> snapshot = backend.Get(rev);
    if (!snapshot.ok()) return snapshot.status().WithPrefix("read back: get " + rev + ": ");
    contents.snapshots.emplace(rev, std::move(*snapshot));
  }
  Result<std::string> current = backend.CurrentRev();
  if (current.ok()) {
    contents.current = std::move(*current);
  } else if (current.status().code() != Code::kNoCurrent) {
    return current.status().WithPrefix("read back: current: ");
  }
  Result<std::vector<JournalEvent>> journal = backend.Journal(0);
  if (!journal.ok()) return journal.status().WithPrefix("read back: journal: ");
  contents.journal = std::move(*journal);
  Result<LockInfo> lock = backend.GetLockInfo();
  if (!lock.ok()) return lock.status().WithPrefix("read back: lock: ");
  contents.lock = std::move(*lock);
  return contents;
}

}  // namespace sealstate::testing
