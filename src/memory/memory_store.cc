// MemoryStore: the Backend over one stack of a named memory store. See memory_store.h for the
// contract; the messages and error codes are the local store's, prefixed "memory store: ".
#include <sealstate/memory_store.h>

#include <sealstate/names.h>
#include <sealstate/revision.h>
#include <sealstate/timestamp.h>

#include "backend/backend_checks.h"
#include "backend/envelope_import.h"
#include "backend/parent_link.h"
#include "envelope/seal_validated.h"
#include "journal/journal.h"
#include "journal/journal_mac.h"
#include "journal/stamped_event.h"
#include "lock/holder_text.h"
#include "lock/new_holder.h"
#include "lock/process_identity.h"
#include "memory/memory_lock.h"
#include "memory/memory_stack.h"
#include "memory/memory_store_table.h"

namespace sealstate {
namespace internal {
namespace {

constexpr std::string_view kPrefix = kMemoryPrefix;
constexpr std::size_t kMaxStoreNameBytes = 255;

class MemoryStore final : public Backend {
 public:
  MemoryStore(std::shared_ptr<MemoryStack> state, MemoryStoreOptions options)
      : state_(std::move(state)),
        options_(std::move(options)),
        mac_key_(JournalMacKeyFor(options_.encrypter.get())),
        opening_mac_keys_(JournalMacKeysFor(options_.encrypter.get())) {}

  const std::string& stack() const override { return options_.stack; }
  const std::string& factory() const override { return options_.factory; }

  Result<Snapshot> Current() override {
    SEALSTATE_ASSIGN_OR_RETURN(std::string rev, CurrentRev());
    return Get(rev);
  }
  Result<std::string> CurrentRev() override {
    std::lock_guard<std::mutex> guard(state_->mutex);
    if (!opening_mac_keys_.empty()) {
      const std::vector<JournalEvent> tail = state_->JournalBackToLocked(opening_mac_keys_);
      SEALSTATE_RETURN_IF_ERROR(
          CheckCurrentAgainstJournal(kPrefix, state_->current, tail, opening_mac_keys_, JournalMoves::kAtomic));
    }
    return CurrentPointerLocked();
  }
  Result<Snapshot> Get(std::string_view rev) override;
  Result<EnvelopeHeader> ReadHeader(std::string_view rev) override;
  Result<std::string> Write(const Snapshot& snapshot, const WriteOptions& options) override;
  Status SetCurrent(std::string_view rev, const SetCurrentOptions& options) override;
  Result<std::vector<std::string>> List() override;
  Status Remove(std::string_view rev, std::string_view lock_id) override;
  Result<std::unique_ptr<Lock>> AcquireLock(const LockOptions& options) override;
  Status ForceUnlock(std::string_view expected_id) override;
  Result<LockInfo> GetLockInfo() override;
  Result<std::vector<JournalEvent>> Journal(std::uint64_t since_seq) override {
    std::lock_guard<std::mutex> guard(state_->mutex);
    return state_->JournalSinceLocked(since_seq);
  }
  Status AppendJournal(std::string event, std::string rev, std::string detail, std::string lock_id) override {
    std::lock_guard<std::mutex> guard(state_->mutex);
    return state_->JournalLocked(mac_key_.get(),
                                 Stamped(std::move(event), std::move(rev), std::move(lock_id), std::move(detail)));
  }
  Result<std::uint64_t> GetCheckpoint(std::string_view name) override {
    SEALSTATE_RETURN_IF_ERROR(ValidateName("consumer", name));
    std::lock_guard<std::mutex> guard(state_->mutex);
    const auto found = state_->checkpoints.find(name);
    return found == state_->checkpoints.end() ? 0 : found->second;
  }
  Status Checkpoint(std::string_view name, std::uint64_t seq) override {
    SEALSTATE_RETURN_IF_ERROR(ValidateName("consumer", name));
    std::lock_guard<std::mutex> guard(state_->mutex);
    state_->checkpoints.insert_or_assign(std::string(name), seq);
    return Status::OK();
  }
  Result<std::vector<std::pair<std::string, std::uint64_t>>> ListCheckpoints() override {
    std::lock_guard<std::mutex> guard(state_->mutex);
    return std::vector<std::pair<std::string, std::uint64_t>>(state_->checkpoints.begin(), state_->checkpoints.end());
  }
  Result<JournalCompaction> CompactJournal(std::uint64_t first_kept_seq, std::string_view lock_id) override {
    std::lock_guard<std::mutex> guard(state_->mutex);
    SEALSTATE_RETURN_IF_ERROR(state_->CheckFenceLocked(lock_id, "the journal was not compacted"));
    return state_->CompactJournalLocked(mac_key_.get(), first_kept_seq, Stamped("", "", std::string(lock_id), ""));
  }
  Result<bool> WaitForJournal(std::uint64_t after_seq, std::chrono::milliseconds timeout,
                              const CancelCheck& cancelled) override {
    return state_->WaitForJournal(after_seq, timeout, cancelled);
  }
  Status ReadEnvelope(std::string_view rev, ByteSink& sink) override {
    SEALSTATE_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> sealed, Sealed(rev));
    return sink.Append(*sealed);
  }
  Status ImportEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) override;
  Status ReplaceEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) override;
  Status ImportJournal(const std::vector<JournalEvent>& events, std::string_view lock_id) override;
  // Commit: Backend's default, built from the operations above (nothing to gain from doing it in
  // one piece here).

 private:
  // The sealed bytes of `rev`. Errors: kInvalidArgument (bad name), kNotFound "no revision REV
  // in stack S".
  Result<std::shared_ptr<const std::string>> Sealed(std::string_view rev);
  // The current pointer as stored, not checked against the journal; the caller holds
  // state_->mutex. Errors: NoCurrent when no current is set.
  Result<std::string> CurrentPointerLocked() const {
    if (state_->current.empty()) return Status::NoCurrent();
    return state_->current;
  }
  // Opens the sealed bytes of `rev` as the snapshot of this stack's revision `rev`.
  Result<Snapshot> Open(const std::string& sealed, const std::string& rev, const OpenOptions& open_options) const;
  // A stored revision and the size of its envelope.
  struct StoredRevision {
    std::string rev;
    std::int64_t size = 0;
  };
  // Seals `snapshot` under a fresh revision linked to `parent` (ParentForNewRevision) and stores it.
  Result<StoredRevision> Store(const Snapshot& snapshot, const std::optional<EnvelopeParent>& parent);
  // A fresh revision name, reserved until Store publishes or drops it. Errors: kAlreadyExists.
  Result<std::string> ReserveRevision();
  JournalEvent Stamped(std::string event, std::string rev, std::string lock_id, std::string detail) const {
    return StampedEvent(ProcessProbe::Default()->Self(), std::move(event), std::move(rev), std::move(lock_id),
                        std::move(detail));
  }

  std::shared_ptr<MemoryStack> state_;
  const MemoryStoreOptions options_;
  // Authenticates the journal lines this store appends (nullptr: they say they are not).
  // The key new journal lines are authenticated with, and those the rollback check reads them with.
  const std::shared_ptr<const JournalMacKey> mac_key_;
  const JournalMacKeys opening_mac_keys_;
};

Result<std::shared_ptr<const std::string>> MemoryStore::Sealed(std::string_view rev) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  std::lock_guard<std::mutex> guard(state_->mutex);
  const auto found = state_->revisions.find(std::string(rev));
  if (found == state_->revisions.end()) {
    return NoSuchRevisionError(kPrefix, rev, stack());
  }
  return found->second;
}

Result<Snapshot> MemoryStore::Open(const std::string& sealed, const std::string& rev,
                                   const OpenOptions& open_options) const {
  StringSource source(sealed);
  return OpenSnapshot(source, EnvelopeBinding{"state", factory(), stack(), rev}, *options_.encrypter, open_options);
}

Result<Snapshot> MemoryStore::Get(std::string_view rev) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  SEALSTATE_RETURN_IF_ERROR(RequireEncrypter(options_.encrypter.get(), kPrefix));
  SEALSTATE_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> sealed, Sealed(rev));
  Result<Snapshot> snapshot = Open(*sealed, std::string(rev), options_.envelope.open_options());
  if (!snapshot.ok()) return snapshot.status().WithPrefix(std::string(kPrefix) + "open " + std::string(rev) + ": ");
  return snapshot;
}

Result<EnvelopeHeader> MemoryStore::ReadHeader(std::string_view rev) {
  SEALSTATE_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> sealed, Sealed(rev));
  StringSource source(*sealed);
  Result<EnvelopeHeader> header = ReadEnvelopeHeader(source);
  if (!header.ok()) return header.status().WithPrefix(std::string(kPrefix) + "header of " + std::string(rev) + ": ");
  return header;
}

Result<std::string> MemoryStore::ReserveRevision() {
  const Timestamp now = NowUtc();
  std::lock_guard<std::mutex> guard(state_->mutex);
  for (int attempt = 0; attempt < kMaxRevisionAttempts; ++attempt) {
    std::string rev = MakeRevision(now, attempt);
    if (state_->revisions.contains(rev) || state_->reserved.contains(rev)) continue;  // taken: the next suffix
    state_->reserved.insert(rev);
    return rev;
  }
  return NoFreshRevisionError(kPrefix);
}

Result<MemoryStore::StoredRevision> MemoryStore::Store(const Snapshot& snapshot,
                                                       const std::optional<EnvelopeParent>& parent) {
  SEALSTATE_RETURN_IF_ERROR(RequireEncrypter(options_.encrypter.get(), kPrefix));
  SEALSTATE_RETURN_IF_ERROR(ValidateSnapshot(snapshot));
  SEALSTATE_ASSIGN_OR_RETURN(std::string rev, ReserveRevision());
  auto sealed = std::make_shared<std::string>();
  StringSink sink(*sealed);
  // Sealed outside the mutex: a large snapshot takes a while, and readers must not wait for it.
  const Status written = SealValidatedSnapshot(snapshot, options_.envelope.written_version(),
                                               EnvelopeBinding{"state", factory(), stack(), rev, parent},
                                               *options_.encrypter, sink, options_.envelope.written_compression());
  std::lock_guard<std::mutex> guard(state_->mutex);
  state_->reserved.erase(rev);
  SEALSTATE_RETURN_IF_ERROR(written);
  const auto size = static_cast<std::int64_t>(sealed->size());
  state_->revisions.emplace(rev, std::move(sealed));
  return StoredRevision{rev, size};
}

Result<std::string> MemoryStore::Write(const Snapshot& snapshot, const WriteOptions& options) {
  SEALSTATE_RETURN_IF_ERROR(CheckWriteOptions(options, kPrefix));
  const auto open = [this](const std::string& rev, const OpenOptions& open_options) -> Result<Snapshot> {
    SEALSTATE_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> sealed, Sealed(rev));
    return Open(*sealed, rev, open_options);
  };
  const Result<std::string> current = [this]() {
    std::lock_guard<std::mutex> guard(state_->mutex);
    return CurrentPointerLocked();
  }();
  SEALSTATE_RETURN_IF_ERROR(CheckKeyOpensCurrent(*this, current, options_.encrypter.get(), options,
                                                 options_.envelope.allow_plaintext, open, kPrefix));
  SEALSTATE_ASSIGN_OR_RETURN(const std::optional<EnvelopeParent> parent,
                             ParentForNewRevision(*this, options_.envelope.written_version()));
  SEALSTATE_ASSIGN_OR_RETURN(StoredRevision stored, Store(snapshot, parent));
  const WrittenFacts facts{.envelope_version = options_.envelope.written_version(),
                           .size = stored.size,
                           .entries = static_cast<std::int64_t>(snapshot.entries.size()),
                           .operation = options.operation};
  std::lock_guard<std::mutex> guard(state_->mutex);
  // A "write" line is within the journal's line limit (CheckWriteOptions bounded the operation):
  // it cannot fail.
  (void)state_->JournalLocked(mac_key_.get(),
                              StampedWriteEvent(ProcessProbe::Default()->Self(), stored.rev, options.lock_id, facts));
  return stored.rev;
}

Status MemoryStore::SetCurrent(std::string_view rev, const SetCurrentOptions& options) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  // The snapshot must exist, open with our key, and carry this store's factory and stack.
  Result<Snapshot> snapshot = Get(rev);
  if (!snapshot.ok()) return snapshot.status().WithPrefix("set-current " + std::string(rev) + ": ");
  std::lock_guard<std::mutex> guard(state_->mutex);
  SEALSTATE_RETURN_IF_ERROR(state_->CheckFenceLocked(options.lock_id, "current was not moved"));
  if (options.expected_current && state_->current != *options.expected_current) {
    return CurrentMovedError(kPrefix, state_->current, *options.expected_current);
  }
  if (!state_->revisions.contains(std::string(rev))) {  // removed since Get read it
    return NoSuchRevisionError(kPrefix, rev, stack()).WithPrefix("set-current " + std::string(rev) + ": ");
  }
  state_->current = std::string(rev);
  return state_->JournalLocked(mac_key_.get(), Stamped("set-current", std::string(rev), options.lock_id, ""));
}

Status MemoryStore::ImportEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) {
  SEALSTATE_RETURN_IF_ERROR(CheckImportedRevisionName(kPrefix, rev));
  const std::string not_done = "revision " + std::string(rev) + " was not imported";
  {
    std::lock_guard<std::mutex> guard(state_->mutex);
    SEALSTATE_RETURN_IF_ERROR(state_->CheckFenceLocked(lock_id, not_done));
  }
  ImportedEnvelope envelope(source);
  SEALSTATE_RETURN_IF_ERROR(
      envelope.Check(EnvelopeBinding{"state", factory(), stack(), std::string(rev)}, options_.envelope, kPrefix));
  // Read outside the mutex, as Store seals outside it: the store holds every revision in memory.
  auto bytes = std::make_shared<std::string>();
  StringSink sink(*bytes);
  SEALSTATE_RETURN_IF_ERROR(CopyBytes(envelope, sink));
  std::lock_guard<std::mutex> guard(state_->mutex);
  SEALSTATE_RETURN_IF_ERROR(state_->CheckFenceLocked(lock_id, not_done));
  const auto found = state_->revisions.find(std::string(rev));
  if (found != state_->revisions.end()) {  // a resumed copy: the same bytes are fine
    return *found->second == *bytes ? Status::OK() : DifferentEnvelopeError(kPrefix, rev);
  }
  if (state_->reserved.contains(std::string(rev))) return DifferentEnvelopeError(kPrefix, rev);  // a write's
  state_->revisions.emplace(std::string(rev), std::move(bytes));
  return Status::OK();
}

Status MemoryStore::ReplaceEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) {
  SEALSTATE_RETURN_IF_ERROR(CheckImportedRevisionName(kPrefix, rev));
  const std::string not_done = "revision " + std::string(rev) + " was not replaced";
  ImportedEnvelope envelope(source);
  SEALSTATE_RETURN_IF_ERROR(
      envelope.Check(EnvelopeBinding{"state", factory(), stack(), std::string(rev)}, options_.envelope, kPrefix));
  auto bytes = std::make_shared<std::string>();
  StringSink sink(*bytes);
  SEALSTATE_RETURN_IF_ERROR(CopyBytes(envelope, sink));
  std::lock_guard<std::mutex> guard(state_->mutex);
  SEALSTATE_RETURN_IF_ERROR(state_->CheckFenceLocked(lock_id, not_done));
  const auto found = state_->revisions.find(std::string(rev));
  if (found == state_->revisions.end()) return NoSuchRevisionError(kPrefix, rev, stack());
  found->second = std::move(bytes);
  return Status::OK();
}

Status MemoryStore::ImportJournal(const std::vector<JournalEvent>& events, std::string_view lock_id) {
  for (const JournalEvent& event : events) SEALSTATE_RETURN_IF_ERROR(CheckJournalLineLength(event));
  std::lock_guard<std::mutex> guard(state_->mutex);
  SEALSTATE_RETURN_IF_ERROR(state_->CheckFenceLocked(lock_id, "the journal was not imported"));
  for (const JournalEvent& event : events) {
    // Checked above: cannot fail, so the batch goes in whole.
    (void)state_->JournalLocked(mac_key_.get(), event);
  }
  return Status::OK();
}

Result<std::vector<std::string>> MemoryStore::List() {
  std::vector<std::string> revs;
  {
    std::lock_guard<std::mutex> guard(state_->mutex);
    revs.reserve(state_->revisions.size());
    for (const auto& entry : state_->revisions) revs.push_back(entry.first);
  }
  return SortRevisions(revs);
}

Status MemoryStore::Remove(std::string_view rev, std::string_view lock_id) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  std::lock_guard<std::mutex> guard(state_->mutex);
  SEALSTATE_RETURN_IF_ERROR(state_->CheckFenceLocked(lock_id, "revision " + std::string(rev) + " was not removed"));
  if (state_->current == rev) return RemovingCurrentError(kPrefix, rev);
  if (state_->revisions.erase(std::string(rev)) == 0) return Status::OK();  // already gone: not an error (unobin)
  return state_->JournalLocked(mac_key_.get(), Stamped("remove", std::string(rev), std::string(lock_id), ""));
}

Result<std::unique_ptr<Lock>> MemoryStore::AcquireLock(const LockOptions& options) {
  // The local store's limit on the operation (memory_store.h).
  SEALSTATE_ASSIGN_OR_RETURN(LockHolder holder, NewProcessHolder(options, kPrefix));
  const std::string lock_id = holder.lock_id;
  SEALSTATE_RETURN_IF_ERROR(state_->AcquireLock(options, std::move(holder)));
  return std::unique_ptr<Lock>(std::make_unique<MemoryLock>(state_, lock_id));
}

Status MemoryStore::ForceUnlock(std::string_view expected_id) {
  std::lock_guard<std::mutex> guard(state_->mutex);
  SEALSTATE_ASSIGN_OR_RETURN(std::optional<LockHolder> broken, state_->BreakLockLocked(expected_id));
  if (!broken) return Status::OK();  // no lock: idempotent, as the local store
  return state_->JournalLocked(
      mac_key_.get(), Stamped("force-unlock", "", broken->lock_id, "removed the lock of " + DescribeHolder(*broken)));
}

Result<LockInfo> MemoryStore::GetLockInfo() {
  std::lock_guard<std::mutex> guard(state_->mutex);
  LockInfo info;
  if (!state_->holder_locked()) {
    info.reason = "nobody holds the lock";
    return info;
  }
  info.state = LockState::kHeld;
  info.holder = state_->holder_locked();
  info.reason = "held by a Lock of this process";
  return info;
}

Status ValidateStoreName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument(std::string(kPrefix) + "the store name must not be empty");
  if (name.size() > kMaxStoreNameBytes) {
    return Status::InvalidArgument(std::string(kPrefix) + "the store name is " + std::to_string(name.size()) +
                                   " bytes long, more than " + std::to_string(kMaxStoreNameBytes));
  }
  return Status::OK();
}

}  // namespace
}  // namespace internal

Result<std::unique_ptr<Backend>> OpenMemoryStore(const MemoryStoreOptions& options) {
  const std::string_view prefix = internal::kMemoryPrefix;
  SEALSTATE_RETURN_IF_ERROR(internal::ValidateStoreName(options.name));
  Status factory_ok = ValidateName("factory", options.factory);
  if (!factory_ok.ok()) return factory_ok.WithPrefix(std::string(prefix));
  Status stack_ok = ValidateName("stack", options.stack);
  if (!stack_ok.ok()) return stack_ok.WithPrefix(std::string(prefix));
  SEALSTATE_ASSIGN_OR_RETURN(std::shared_ptr<internal::MemoryStack> state,
                             internal::FindMemoryStack(options.name, options.factory, options.stack, options.create));
  return std::unique_ptr<Backend>(std::make_unique<internal::MemoryStore>(std::move(state), options));
}

void ForgetMemoryStore(std::string_view name) { internal::ForgetMemoryStoreStacks(name); }

}  // namespace sealstate
