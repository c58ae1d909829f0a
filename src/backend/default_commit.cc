// Backend::Commit's default: a commit built from the other operations, for backends that have
// nothing to gain from doing it in one piece. See backend.h for the contract.
#include <sealstate/backend.h>

namespace sealstate {
namespace {

// After a failed SetCurrent: removes the written revision again (best effort), so the revision
// list is as before. Not when the lock was broken (kLocked: the stack is no longer ours), nor
// when the pointer was replaced and only journaling failed (kIncomplete: it is current).
void DiscardUncommitted(Backend& backend, const std::string& rev, const Status& failure, const Lock& lock) {
  if (failure.code() == Code::kLocked || failure.code() == Code::kIncomplete) return;
  Result<std::string> current = backend.CurrentRev();
  if (current.ok() && *current == rev) return;
  (void)backend.Remove(rev, lock.id());
}

}  // namespace

Result<std::string> Backend::Commit(const Snapshot& snapshot, const LockOptions& options,
                                    const WriteOptions& write_options) {
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Lock> lock, AcquireLock(options));
  WriteOptions write = write_options;
  write.lock_id = lock->id();
  write.operation = options.operation;
  Result<std::string> rev = Write(snapshot, write);
  if (!rev.ok()) {
    (void)lock->Unlock();  // the write's failure is the error that matters
    return rev.status();
  }
  Status published = SetCurrent(*rev, SetCurrentOptions{.expected_current = std::nullopt, .lock_id = lock->id()});
  if (!published.ok()) DiscardUncommitted(*this, *rev, published, *lock);
  Status released = lock->Unlock();
  if (published.code() == Code::kIncomplete) {
    return Status::Incomplete("committed " + *rev + ": ", published);  // "...current now names REV, but journaling..."
  }
  SEALSTATE_RETURN_IF_ERROR(published);
  if (!released.ok()) {
    return Status::Incomplete("committed " + *rev + " (durable and current), but releasing the lock failed: ",
                              released);
  }
  return rev;
}

}  // namespace sealstate
