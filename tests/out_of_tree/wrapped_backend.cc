// The "wrapped" backend (wrapped_backend.h).
#include "wrapped_backend.h"

#include <memory>
#include <string>

namespace {

using namespace sealstate;

// Forwards everything but Commit (which stays Backend's default) to `inner`.
class WrappedBackend : public Backend {
 public:
  explicit WrappedBackend(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {}

  const std::string& stack() const override { return inner_->stack(); }
  const std::string& factory() const override { return inner_->factory(); }
  Result<Snapshot> Current() override { return inner_->Current(); }
  Result<std::string> CurrentRev() override { return inner_->CurrentRev(); }
  Result<Snapshot> Get(std::string_view rev) override { return inner_->Get(rev); }
  Result<EnvelopeHeader> ReadHeader(std::string_view rev) override { return inner_->ReadHeader(rev); }
  Result<std::string> Write(const Snapshot& snapshot, const WriteOptions& options) override {
    return inner_->Write(snapshot, options);
  }
  Status SetCurrent(std::string_view rev, const SetCurrentOptions& options) override {
    return inner_->SetCurrent(rev, options);
  }
  Result<std::vector<std::string>> List() override { return inner_->List(); }
  Result<std::vector<StrayEntry>> StrayEntries() override { return inner_->StrayEntries(); }
  Status Remove(std::string_view rev, std::string_view lock_id) override { return inner_->Remove(rev, lock_id); }
  Result<std::unique_ptr<Lock>> AcquireLock(const LockOptions& options) override {
    return inner_->AcquireLock(options);
  }
  Status ForceUnlock(std::string_view expected_id) override { return inner_->ForceUnlock(expected_id); }
  Result<LockInfo> GetLockInfo() override { return inner_->GetLockInfo(); }
  Result<std::vector<JournalEvent>> Journal(std::uint64_t since_seq) override { return inner_->Journal(since_seq); }
  Result<std::vector<std::string>> CheckPermissions(PermissionScope scope) override {
    return inner_->CheckPermissions(scope);
  }
  Status AppendJournal(std::string event, std::string rev, std::string detail, std::string lock_id) override {
    return inner_->AppendJournal(std::move(event), std::move(rev), std::move(detail), std::move(lock_id));
  }
  Status ReadEnvelope(std::string_view rev, ByteSink& sink) override { return inner_->ReadEnvelope(rev, sink); }
  Status ImportEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) override {
    return inner_->ImportEnvelope(rev, source, lock_id);
  }
  Status ImportJournal(const std::vector<JournalEvent>& events, std::string_view lock_id) override {
    return inner_->ImportJournal(events, lock_id);
  }
  Status ReplaceEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) override {
    return inner_->ReplaceEnvelope(rev, source, lock_id);
  }
  Status ReplaceEnvelopes(const std::vector<EnvelopeReplacement>& batch, std::string_view lock_id) override {
    return inner_->ReplaceEnvelopes(batch, lock_id);
  }
  Status AppendJournalEvents(const std::vector<JournalEvent>& events, std::string lock_id) override {
    return inner_->AppendJournalEvents(events, std::move(lock_id));
  }
  Result<std::uint64_t> GetCheckpoint(std::string_view name) override { return inner_->GetCheckpoint(name); }
  Status Checkpoint(std::string_view name, std::uint64_t seq) override { return inner_->Checkpoint(name, seq); }
  Result<std::vector<std::pair<std::string, std::uint64_t>>> ListCheckpoints() override {
    return inner_->ListCheckpoints();
  }
  Result<JournalCompaction> CompactJournal(std::uint64_t first_kept_seq, std::string_view lock_id) override {
    return inner_->CompactJournal(first_kept_seq, lock_id);
  }
  Result<bool> WaitForJournal(std::uint64_t after_seq, std::chrono::milliseconds timeout,
                              const CancelCheck& cancelled) override {
    return inner_->WaitForJournal(after_seq, timeout, cancelled);
  }

 private:
  std::unique_ptr<Backend> inner_;
};

}  // namespace

sealstate::Status RegisterWrappedBackend(sealstate::BackendRegistry& registry) {
  const BackendRegistry* inner_registry = &registry;
  return registry.Register("wrapped", "the local store behind a forwarding wrapper (a test backend)",
                           [inner_registry](const BackendLocation& where,
                                            const BackendContext& context) -> Result<std::unique_ptr<Backend>> {
                             Result<std::unique_ptr<Backend>> inner =
                                 inner_registry->Open("local:" + where.location, context);
                             if (!inner.ok()) return inner.status();
                             return std::unique_ptr<Backend>(std::make_unique<WrappedBackend>(std::move(*inner)));
                           });
}
