// LocalStore: the Backend over one stack directory. See local_store.h for the contract and
// sealstate-format(5) for the layout and the durability recipe.
#include <sealstate/local_store.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <sealstate/envelope.h>
#include <sealstate/names.h>
#include <sealstate/revision.h>
#include <sealstate/version.h>

#include "backend/backend_checks.h"
#include "backend/envelope_import.h"
#include "backend/parent_link.h"
#include "envelope/seal_validated.h"
#include "io/counting_sink.h"
#include "io/durable_file.h"
#include "io/stack_file.h"
#include "io/unique_fd.h"
#include "journal/stamped_event.h"
#include "lock/holder_text.h"
#include "lock/lock_verdict.h"
#include "store/consumer_checkpoint.h"
#include "store/current_pointer.h"
#include "store/debris.h"
#include "store/fd_source.h"
#include "store/local_lock.h"
#include "store/local_store_internal.h"
#include "store/permissions.h"
#include "store/stack_layout.h"

namespace sealstate {
namespace internal {
namespace {

constexpr std::string_view kPrefix = "local store: ";

class LocalStore final : public Backend {
 public:
  explicit LocalStore(std::shared_ptr<StackCore> core) : core_(std::move(core)) {}

  const std::string& stack() const override { return core_->options.stack; }
  const std::string& factory() const override { return core_->options.factory; }

  Result<std::string> CurrentRev() override {
    Result<std::string> rev = ReadCurrentRevOrEmpty(core_->env, core_->dirs->stack);
    if (!rev.ok()) return rev;
    SEALSTATE_RETURN_IF_ERROR(CheckRollback(*rev));
    if (rev->empty()) return Status::NoCurrent();
    return rev;
  }

  Result<Snapshot> Current() override {
    SEALSTATE_ASSIGN_OR_RETURN(std::string rev, CurrentRev());
    Result<Snapshot> snapshot = Get(rev);
    if (!snapshot.ok() && snapshot.status().code() == Code::kNotFound) {
      return Status::Integrity(std::string(kPrefix) + "current names revision " + rev +
                               ", which does not exist (the snapshot was deleted or never made durable)");
    }
    return snapshot;
  }

  Result<Snapshot> Get(std::string_view rev) override;
  Result<EnvelopeHeader> ReadHeader(std::string_view rev) override;
  Result<std::string> Write(const Snapshot& snapshot, const WriteOptions& options) override;
  Status SetCurrent(std::string_view rev, const SetCurrentOptions& options) override;
  Result<std::vector<std::string>> List() override;
  Result<std::vector<StrayEntry>> StrayEntries() override;
  Status Remove(std::string_view rev, std::string_view lock_id) override;
  Result<std::unique_ptr<Lock>> AcquireLock(const LockOptions& options) override;
  Status ForceUnlock(std::string_view expected_id) override;
  Result<LockInfo> GetLockInfo() override {
    SEALSTATE_ASSIGN_OR_RETURN(MarkerInfo info, core_->marker.Inspect());
    return ToLockInfo(info);
  }
  Result<std::vector<std::string>> CheckPermissions(PermissionScope scope) override {
    return FindLoosePermissions(core_->env, *core_->dirs, ::geteuid(), scope);
  }
  Result<std::string> Commit(const Snapshot& snapshot, const LockOptions& options,
                             const WriteOptions& write_options) override;
  Result<std::vector<JournalEvent>> Journal(std::uint64_t since_seq) override { return core_->journal.Read(since_seq); }
  Status AppendJournal(std::string event, std::string rev, std::string detail, std::string lock_id) override {
    return core_->Journal(std::move(event), std::move(rev), std::move(lock_id), std::move(detail));
  }
  Result<std::uint64_t> GetCheckpoint(std::string_view name) override {
    return ReadConsumerCheckpoint(core_->env, core_->dirs->stack, name);
  }
  Status Checkpoint(std::string_view name, std::uint64_t seq) override {
    return WriteConsumerCheckpoint(core_->env, core_->dirs->stack, name, seq);
  }
  Result<bool> WaitForJournal(std::uint64_t after_seq, std::chrono::milliseconds timeout,
                              const CancelCheck& cancelled) override {
    return WaitForJournalEvents(core_->env, core_->dirs->stack, core_->journal, after_seq, timeout, cancelled);
  }
  Status ReadEnvelope(std::string_view rev, ByteSink& sink) override {
    SEALSTATE_ASSIGN_OR_RETURN(SnapshotFile file, OpenSnapshotFile(rev));
    FdSource source(core_->env, file.fd.get(), file.path);
    return CopyBytes(source, sink);
  }
  Status ImportEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) override;
  Status ReplaceEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) override;
  Status ReplaceEnvelopes(const std::vector<EnvelopeReplacement>& batch, std::string_view lock_id) override;
  Status AppendJournalEvents(const std::vector<JournalEvent>& events, std::string lock_id) override {
    std::vector<JournalEvent> stamped;
    for (const JournalEvent& e : events)
      stamped.push_back(StampedEvent(core_->probe.Self(), e.event, e.rev, lock_id, e.detail));
    return core_->journal.AppendAll(std::move(stamped));
  }
  Status ImportJournal(const std::vector<JournalEvent>& events, std::string_view lock_id) override {
    SEALSTATE_RETURN_IF_ERROR(CheckFence(std::string(lock_id), "the journal was not imported"));
    return core_->journal.AppendAll(events);
  }
  Result<std::vector<std::pair<std::string, std::uint64_t>>> ListCheckpoints() override {
    return ListConsumerCheckpoints(core_->env, core_->dirs->stack);
  }
  Result<JournalCompaction> CompactJournal(std::uint64_t first_kept_seq, std::string_view lock_id) override {
    SEALSTATE_RETURN_IF_ERROR(CheckFence(std::string(lock_id), "the journal was not compacted"));
    return core_->journal.Compact(first_kept_seq, StampedEvent(core_->probe.Self(), "", "", std::string(lock_id), ""));
  }

 private:
  // kIntegrity if `pointer` ("" for none) is not the current the journal's newest line
  // authenticated with one of our keys records (CheckCurrentAgainstJournal): current was moved behind
  // sealstate's back. A disagreement is looked at again under the journal's append lock, under
  // which set-current moves the pointer and journals it, so one in flight is not mistaken for it.
  Status CheckRollback(const std::string& pointer) {
    const JournalMacKeys& keys = core_->opening_mac_keys;
    if (keys.empty()) return Status::OK();
    const auto check = [&](const std::string& seen) -> Status {
      SEALSTATE_ASSIGN_OR_RETURN(std::vector<JournalEvent> tail, core_->journal.ReadBackTo(keys));
      return CheckCurrentAgainstJournal(kPrefix, seen, tail, keys, JournalMoves::kSettledAfter);
    };
    Status first = check(pointer);
    if (first.code() != Code::kIntegrity) return first;
    return core_->journal.UnderAppendLock([&]() -> Status {
      SEALSTATE_ASSIGN_OR_RETURN(std::string seen, ReadCurrentRevOrEmpty(core_->env, core_->dirs->stack));
      return check(seen);
    });
  }
  Status RequireEncrypter() const { return internal::RequireEncrypter(core_->options.encrypter.get(), kPrefix); }
  // A revision's file, open for reading (checked to be a regular file).
  struct SnapshotFile {
    UniqueFd fd;  // only read: its close cannot lose data
    std::string path;
  };
  // Errors: kInvalidArgument (bad name), kNotFound "no revision REV in stack S", kIntegrity (not
  // a regular file), kIoError.
  Result<SnapshotFile> OpenSnapshotFile(std::string_view rev);
  // A revision written (not yet journaled) and what its "write" line records.
  struct WrittenRevision {
    std::string rev;
    WrittenFacts facts;
  };
  // Seals `snapshot` into a new revision's file, linked to `parent` (ParentForNewRevision);
  // `operation` is the lock's, for the journal. With `pointer`, also prepares the `current`
  // pointer naming the new revision (PrepareCurrentRev) once its name is chosen and before the
  // seal, so that the pointer's fsync overlaps the seal and the snapshot's fsyncs.
  Result<WrittenRevision> WriteSnapshotFile(const Snapshot& snapshot, const std::optional<EnvelopeParent>& parent,
                                            std::string operation,
                                            std::unique_ptr<PreparedReplacement>* pointer = nullptr);
  // Unless options.new_key: kWrongKey if the configured key cannot open the current revision
  // (see Backend::Write).
  Status CheckKeyOpensCurrent(const WriteOptions& options);
  std::int64_t WrittenEnvelopeVersion() const { return core_->options.envelope.written_version(); }
  // Journals the "write" of `rev` under `lock_id` (durable now, or with the next journal line:
  // see JournalSync).
  Status JournalWrite(const WrittenRevision& written, const std::string& lock_id, internal::JournalSync sync);
  // After a commit wrote `rev` but failed before current named it: removes it again (best
  // effort, journaled), so a failed commit leaves the revision list as it was. Not when the lock
  // was broken meanwhile (kLocked), nor when current names `rev` (the pointer was replaced and a
  // later step failed).
  void DiscardUncommitted(const std::string& rev, const std::string& lock_id, const Status& failure);
  // kLocked unless the stack's lock still carries `lock_id` (empty: not fenced, OK).
  Status CheckFence(const std::string& lock_id, std::string_view not_done);
  // Journals "set-current" with `detail` and then replaces the pointer (fenced by
  // options.lock_id, compared with options.expected_current if set): JournalFile::AppendMove.
  // The move is journaled before it happens, so no error leaves it done but not journaled.
  // `prepared`, if set, is the pointer naming `rev` (PrepareCurrentRev), published instead of
  // writing one.
  Status PublishCurrent(const std::string& rev, const SetCurrentOptions& options, std::string detail,
                        PreparedReplacement* prepared = nullptr);
  // Removes abandoned temp files (RemoveDebris) under a held lock, once per store object after
  // it succeeds. Best effort: debris is harmless (never a revision, never read), so a failure
  // does not fail the lock's acquisition; the next acquisition tries again.
  void CleanDebrisOnce();
  // "repaired a damaged current pointer (<why>)" when `current` cannot be read as a revision
  // (kIntegrity), else "": the journal detail of a set-current that replaces it.
  std::string DamagedPointerDetail();
  // The snapshot directory's entries, split into revisions (unsorted) and strays (sorted).
  struct SnapshotEntries {
    std::vector<std::string> revs;
    std::vector<StrayEntry> strays;
  };
  Result<SnapshotEntries> ScanSnapshots(bool check_type);

  std::shared_ptr<StackCore> core_;
};

Result<LocalStore::SnapshotFile> LocalStore::OpenSnapshotFile(std::string_view rev) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  const Dir& dir = core_->dirs->snapshots;
  const std::string name = SnapshotFileName(rev);
  Result<int> fd = OpenStackFile(core_->env, dir, name, O_RDONLY);
  if (!fd.ok() && fd.status().code() == Code::kNotFound) {
    return NoSuchRevisionError(kPrefix, rev, stack());
  }
  if (!fd.ok()) return fd.status();
  return SnapshotFile{UniqueFd(core_->env, *fd, dir.Join(name)), dir.Join(name)};
}

Result<Snapshot> LocalStore::Get(std::string_view rev) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  SEALSTATE_RETURN_IF_ERROR(RequireEncrypter());
  SEALSTATE_ASSIGN_OR_RETURN(SnapshotFile file, OpenSnapshotFile(rev));
  FdSource source(core_->env, file.fd.get(), file.path);
  const EnvelopeBinding expected{"state", factory(), stack(), std::string(rev)};
  Result<Snapshot> snapshot =
      OpenSnapshot(source, expected, *core_->options.encrypter, core_->options.envelope.open_options());
  if (!snapshot.ok()) return snapshot.status().WithPrefix(std::string(kPrefix) + "open " + std::string(rev) + ": ");
  return snapshot;
}

Result<EnvelopeHeader> LocalStore::ReadHeader(std::string_view rev) {
  SEALSTATE_ASSIGN_OR_RETURN(SnapshotFile file, OpenSnapshotFile(rev));
  FdSource source(core_->env, file.fd.get(), file.path);
  Result<EnvelopeHeader> header = ReadEnvelopeHeader(source);
  if (!header.ok()) return header.status().WithPrefix(std::string(kPrefix) + "header of " + std::string(rev) + ": ");
  return header;
}

Result<LocalStore::WrittenRevision> LocalStore::WriteSnapshotFile(const Snapshot& snapshot,
                                                                  const std::optional<EnvelopeParent>& parent,
                                                                  std::string operation,
                                                                  std::unique_ptr<PreparedReplacement>* pointer) {
  SEALSTATE_RETURN_IF_ERROR(RequireEncrypter());
  SEALSTATE_RETURN_IF_ERROR(ValidateSnapshot(snapshot));
  const std::int64_t version = WrittenEnvelopeVersion();
  const Timestamp now = core_->env.Now();
  const Dir& dir = core_->dirs->snapshots;
  for (int attempt = 0; attempt < kMaxRevisionAttempts; ++attempt) {
    const std::string rev = MakeRevision(now, attempt);
    const std::string name = SnapshotFileName(rev);
    Result<struct stat> existing = core_->env.StatAt(dir, name);
    if (existing.ok()) continue;  // taken: try the next suffix
    if (existing.status().code() != Code::kNotFound) return existing.status();
    if (pointer) {
      SEALSTATE_ASSIGN_OR_RETURN(*pointer, PrepareCurrentRev(core_->env, core_->dirs->stack, rev));
    }
    const EnvelopeBinding binding{"state", factory(), stack(), rev, parent};
    std::int64_t size = 0;
    Status written = WriteNewFile(core_->env, dir, name, [&](ByteSink& sink) {
      CountingSink counted(sink);
      Status sealed = internal::SealValidatedSnapshot(snapshot, version, binding, *core_->options.encrypter, counted,
                                                      core_->options.envelope.written_compression());
      size = counted.bytes();
      return sealed;
    });
    if (written.ok()) {
      return WrittenRevision{rev, WrittenFacts{.envelope_version = version,
                                               .size = size,
                                               .entries = static_cast<std::int64_t>(snapshot.entries.size()),
                                               .operation = std::move(operation)}};
    }
    if (written.code() != Code::kAlreadyExists) return written;
    // Another writer published this name between our check and our publish: re-seal (the
    // revision is bound into the envelope) under the next suffix.
  }
  return NoFreshRevisionError(kPrefix);
}

Status LocalStore::JournalWrite(const WrittenRevision& written, const std::string& lock_id,
                                internal::JournalSync sync) {
  Status journaled =
      core_->journal.Append(StampedWriteEvent(core_->probe.Self(), written.rev, lock_id, written.facts), sync).status();
  if (!journaled.ok())
    return journaled.WithPrefix(std::string(kPrefix) + "wrote " + written.rev + " but could not journal it: ");
  return journaled;
}

Status LocalStore::CheckKeyOpensCurrent(const WriteOptions& options) {
  const auto open = [this](const std::string& rev, const OpenOptions& open_options) -> Result<Snapshot> {
    SEALSTATE_ASSIGN_OR_RETURN(SnapshotFile file, OpenSnapshotFile(rev));
    FdSource source(core_->env, file.fd.get(), file.path);
    return OpenSnapshot(source, EnvelopeBinding{"state", factory(), stack(), rev}, *core_->options.encrypter,
                        open_options);
  };
  return internal::CheckKeyOpensCurrent(*this, ReadCurrentRev(core_->env, core_->dirs->stack),
                                        core_->options.encrypter.get(), options,
                                        core_->options.envelope.allow_plaintext, open, kPrefix);
}

Result<std::string> LocalStore::Write(const Snapshot& snapshot, const WriteOptions& options) {
  SEALSTATE_RETURN_IF_ERROR(CheckWriteOptions(options, kPrefix));
  SEALSTATE_RETURN_IF_ERROR(CheckKeyOpensCurrent(options));
  SEALSTATE_ASSIGN_OR_RETURN(const std::optional<EnvelopeParent> parent,
                             internal::ParentForNewRevision(*this, WrittenEnvelopeVersion()));
  SEALSTATE_ASSIGN_OR_RETURN(WrittenRevision written, WriteSnapshotFile(snapshot, parent, options.operation));
  Status journaled = core_->journal
                         .Append(StampedWriteEvent(core_->probe.Self(), written.rev, options.lock_id, written.facts),
                                 internal::JournalSync::kNow)
                         .status();
  if (!journaled.ok()) {  // the revision exists: a retry would make a second one
    return Status::Incomplete(std::string(kPrefix) + "wrote " + written.rev + " (durable), but journaling it failed: ",
                              journaled);
  }
  return written.rev;
}

void LocalStore::DiscardUncommitted(const std::string& rev, const std::string& lock_id, const Status& failure) {
  if (failure.code() == Code::kLocked) return;  // our lock was broken: the stack is not ours to touch
  Result<std::string> current = ReadCurrentRevOrEmpty(core_->env, core_->dirs->stack);
  if (!current.ok() || *current == rev) return;  // current may name it: keep it
  const Dir& dir = core_->dirs->snapshots;
  if (!core_->env.UnlinkAt(dir, SnapshotFileName(rev)).ok()) return;  // best effort: a stray revision is valid
  if (!core_->env.Fsync(dir.fd, dir.path).ok()) return;
  (void)core_->Journal("remove", rev, lock_id, "the commit failed: " + failure.message());
}

Status LocalStore::CheckFence(const std::string& lock_id, std::string_view not_done) {
  if (lock_id.empty()) return Status::OK();
  SEALSTATE_ASSIGN_OR_RETURN(bool still_ours, core_->marker.StillHeld(lock_id));
  if (still_ours) return Status::OK();
  return BrokenLockError(kPrefix, lock_id, not_done);
}

Status LocalStore::PublishCurrent(const std::string& rev, const SetCurrentOptions& options, std::string detail,
                                  PreparedReplacement* prepared) {
  const auto fence = [&] { return CheckFence(options.lock_id, "current was not moved"); };
  const auto fence_and_compare = [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(fence());
    if (options.expected_current) {
      SEALSTATE_ASSIGN_OR_RETURN(std::string actual, ReadCurrentRevOrEmpty(core_->env, core_->dirs->stack));
      if (actual != *options.expected_current) return CurrentMovedError(kPrefix, actual, *options.expected_current);
    }
    return Status::OK();
  };
  // The "set-current" line (the intent) is durable before the pointer moves, and a line that
  // settles it follows the move, all under the journal's append lock: a crash in between leaves
  // the pointer before or after the move with an unsettled intent, which the rollback check
  // accepts (CheckCurrentAgainstJournal) and the next append settles.
  bool moved = false;
  return core_->journal
      .AppendMove(
          StampedEvent(core_->probe.Self(), "set-current", rev, options.lock_id, std::move(detail)), fence_and_compare,
          [&] {
            return prepared ? prepared->Publish(fence) : WriteCurrentRev(core_->env, core_->dirs->stack, rev, fence);
          },
          moved)
      .status();
}

std::string LocalStore::DamagedPointerDetail() {
  Result<std::string> old = ReadCurrentRev(core_->env, core_->dirs->stack);
  if (old.ok() || old.status().code() != Code::kIntegrity) return "";
  return "repaired a damaged current pointer (" + old.status().message() + ")";
}

Status LocalStore::SetCurrent(std::string_view rev, const SetCurrentOptions& options) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  // The snapshot must exist and open with our key as Get opens it (v2: bound to this stack).
  Result<Snapshot> snapshot = Get(rev);
  if (!snapshot.ok()) return snapshot.status().WithPrefix("set-current " + std::string(rev) + ": ");
  std::string detail = options.expected_current ? "" : DamagedPointerDetail();
  return PublishCurrent(std::string(rev), options, std::move(detail));
}

// A revision is a regular file named "<valid revision>.json.enc". Dot files are temporary files
// of writes (debris), neither revisions nor strays. Only with `check_type` is each revision name
// stat'ed (one fstatat each: List stays a readdir), so that a directory or symlink with a
// revision name is a stray.
Result<LocalStore::SnapshotEntries> LocalStore::ScanSnapshots(bool check_type) {
  const Dir& dir = core_->dirs->snapshots;
  SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> names, core_->env.ListDir(dir));
  SnapshotEntries entries;
  entries.revs.reserve(names.size());
  for (std::string& name : names) {
    if (name.empty() || name[0] == '.') continue;
    const bool suffixed = name.size() > kSnapshotSuffix.size() && name.ends_with(kSnapshotSuffix);
    const std::string_view rev =
        suffixed ? std::string_view(name).substr(0, name.size() - kSnapshotSuffix.size()) : std::string_view();
    const bool revision_name = suffixed && ParseRevision(rev).valid && ValidateName("revision", rev).ok();
    bool revision = revision_name;
    if (revision && check_type) {
      Result<struct stat> st = core_->env.StatAt(dir, name);
      if (!st.ok() && st.status().code() == Code::kNotFound) continue;  // removed meanwhile
      if (!st.ok()) return st.status();
      revision = S_ISREG(st->st_mode);
    }
    if (revision) {
      entries.revs.emplace_back(rev);
    } else {
      std::string listed_as = revision_name ? std::string(rev) : std::string();
      entries.strays.push_back(StrayEntry{.name = std::move(name), .rev = std::move(listed_as)});
    }
  }
  std::sort(entries.strays.begin(), entries.strays.end(),
            [](const StrayEntry& a, const StrayEntry& b) { return a.name < b.name; });
  return entries;
}

Result<std::vector<std::string>> LocalStore::List() {
  SEALSTATE_ASSIGN_OR_RETURN(SnapshotEntries entries, ScanSnapshots(false));
  return SortRevisions(entries.revs);
}

Result<std::vector<StrayEntry>> LocalStore::StrayEntries() {
  SEALSTATE_ASSIGN_OR_RETURN(SnapshotEntries entries, ScanSnapshots(true));
  return std::move(entries.strays);
}

Status LocalStore::Remove(std::string_view rev, std::string_view lock_id) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  SEALSTATE_RETURN_IF_ERROR(CheckFence(std::string(lock_id), "revision " + std::string(rev) + " was not removed"));
  Result<std::string> pointer = ReadCurrentRevOrEmpty(core_->env, core_->dirs->stack);
  if (!pointer.ok() && pointer.status().code() == Code::kIntegrity) {
    return Status::Integrity(std::string(kPrefix) + "refusing to remove revision " + std::string(rev) +
                             ": current is damaged (" + pointer.status().message() + "), so " + std::string(rev) +
                             " may be the real current revision; repair current with set-current first");
  }
  SEALSTATE_ASSIGN_OR_RETURN(std::string current, std::move(pointer));
  if (current == rev) return RemovingCurrentError(kPrefix, rev);
  const Dir& dir = core_->dirs->snapshots;
  Result<struct stat> present = core_->env.StatAt(dir, SnapshotFileName(rev));
  if (!present.ok() && present.status().code() == Code::kNotFound) return Status::OK();  // already gone (unobin)
  SEALSTATE_RETURN_IF_ERROR(present.status());
  // Journaled (and fsynced) before the file goes: a power cut between the two leaves the revision
  // with its "remove" line (a retry removes it), never gone without one, which verify --chain
  // would report as deleted behind sealstate's back.
  Status journaled = core_->Journal("remove", std::string(rev), std::string(lock_id), "");
  if (!journaled.ok()) return journaled.WithPrefix(std::string(kPrefix) + std::string(rev) + " was not removed: ");
  Status removed = core_->env.UnlinkAt(dir, SnapshotFileName(rev));
  if (removed.code() == Code::kNotFound) return Status::OK();
  SEALSTATE_RETURN_IF_ERROR(removed);
  return core_->env.Fsync(dir.fd, dir.path);
}

Status LocalStore::ImportEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) {
  SEALSTATE_RETURN_IF_ERROR(CheckImportedRevisionName(kPrefix, rev));
  const std::string not_done = "revision " + std::string(rev) + " was not imported";
  SEALSTATE_RETURN_IF_ERROR(CheckFence(std::string(lock_id), not_done));
  ImportedEnvelope envelope(source);
  SEALSTATE_RETURN_IF_ERROR(
      envelope.Check(EnvelopeBinding{"state", factory(), stack(), std::string(rev)}, core_->options.envelope, kPrefix));
  Result<SnapshotFile> existing = OpenSnapshotFile(rev);
  if (existing.ok()) {  // a resumed copy: the same bytes are fine
    FdSource stored(core_->env, existing->fd.get(), existing->path);
    SEALSTATE_ASSIGN_OR_RETURN(const bool same, SameBytes(stored, envelope));
    return same ? Status::OK() : DifferentEnvelopeError(kPrefix, rev);
  }
  if (existing.status().code() != Code::kNotFound) return existing.status();
  Status written = WriteNewFile(
      core_->env, core_->dirs->snapshots, SnapshotFileName(rev),
      [&](ByteSink& sink) { return CopyBytes(envelope, sink); },
      [&] { return CheckFence(std::string(lock_id), not_done); });
  if (written.code() == Code::kAlreadyExists) return DifferentEnvelopeError(kPrefix, rev);  // imported meanwhile
  return written;
}

Status LocalStore::ReplaceEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) {
  return ReplaceEnvelopes({EnvelopeReplacement{std::string(rev), &source}}, lock_id);
}

// At most this many replaced files of one batch are held open across their renames (the rest are
// freed inside their rename, as before): a bound on the fds a batch holds.
constexpr std::size_t kMaxHeldOldFiles = 64;

// Every revision is checked (name, header, exists) before any file is written; then all are
// written, fsynced and renamed together (ReplaceFiles: one directory fsync for the batch).
// The old files stay open across their renames, so a rename only drops a name and the blocks
// are freed at the last close, which Env::CloseLater does off this thread; the previous batch's
// closes are waited for before this batch's renames (at most two batches' old files are open),
// and the last batch's when the lock is released (LocalLock::Unlock).
Status LocalStore::ReplaceEnvelopes(const std::vector<EnvelopeReplacement>& batch, std::string_view lock_id) {
  if (batch.empty()) return Status::OK();
  for (const EnvelopeReplacement& one : batch) SEALSTATE_RETURN_IF_ERROR(CheckImportedRevisionName(kPrefix, one.rev));
  const std::string not_done = batch.size() == 1 ? "revision " + batch.front().rev + " was not replaced"
                                                 : "no revision of the batch was replaced";
  SEALSTATE_RETURN_IF_ERROR(CheckFence(std::string(lock_id), not_done));
  std::vector<std::unique_ptr<ImportedEnvelope>> envelopes;
  std::vector<FileReplacement> files;
  std::vector<UniqueFd> old_files;
  for (const EnvelopeReplacement& one : batch) {
    envelopes.push_back(std::make_unique<ImportedEnvelope>(*one.source));
    ImportedEnvelope& envelope = *envelopes.back();
    SEALSTATE_RETURN_IF_ERROR(
        envelope.Check(EnvelopeBinding{"state", factory(), stack(), one.rev}, core_->options.envelope, kPrefix));
    // Only an existing revision is replaced: a rekey never creates one.
    SEALSTATE_ASSIGN_OR_RETURN(SnapshotFile old, OpenSnapshotFile(one.rev));
    if (old_files.size() < kMaxHeldOldFiles) old_files.push_back(std::move(old.fd));
    files.push_back(
        FileReplacement{SnapshotFileName(one.rev), [&envelope](ByteSink& sink) { return CopyBytes(envelope, sink); }});
  }
  Status replaced = ReplaceFiles(core_->env, core_->dirs->snapshots, files, [&] {
    core_->env.WaitForLaterCloses();  // the previous batch's old files
    return CheckFence(std::string(lock_id), not_done);
  });
  for (UniqueFd& old : old_files) core_->env.CloseLater(old.Release(), old.what());
  return replaced;
}

void LocalStore::CleanDebrisOnce() {
  {
    std::lock_guard<std::mutex> guard(core_->mutex);
    if (core_->debris_cleaned) return;
  }
  const Status stack = RemoveDebris(core_->env, core_->dirs->stack, core_->probe);
  const Status snapshots = RemoveDebris(core_->env, core_->dirs->snapshots, core_->probe);
  if (!stack.ok() || !snapshots.ok()) return;  // left for the next lock holder to retry
  std::lock_guard<std::mutex> guard(core_->mutex);
  core_->debris_cleaned = true;
}

Result<std::unique_ptr<Lock>> LocalStore::AcquireLock(const LockOptions& options) {
  SEALSTATE_ASSIGN_OR_RETURN(AcquireOutcome outcome, core_->marker.Acquire(options));
  auto lock = std::make_unique<LocalLock>(core_, std::move(outcome.held));
  CleanDebrisOnce();  // breaks were journaled by the observer
  return std::unique_ptr<Lock>(std::move(lock));
}

Status LocalStore::ForceUnlock(std::string_view expected_id) {
  SEALSTATE_ASSIGN_OR_RETURN(std::optional<MarkerHolder> removed, core_->marker.ForceRemove(expected_id));
  if (!removed) return Status::OK();  // no lock: idempotent, as unobin
  return core_->Journal("force-unlock", "", removed->lock_id,
                        "removed the lock of " + DescribeHolder(ToLockHolder(*removed)));
}

Result<std::string> LocalStore::Commit(const Snapshot& snapshot, const LockOptions& options,
                                       const WriteOptions& write_options) {
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Lock> lock, AcquireLock(options));
  Status key_ok = CheckKeyOpensCurrent(write_options);
  Result<std::optional<EnvelopeParent>> parent = key_ok;
  if (key_ok.ok()) parent = internal::ParentForNewRevision(*this, WrittenEnvelopeVersion());
  if (!parent.ok()) {
    (void)lock->Unlock();  // nothing was written: the refusal is the error that matters
    return parent.status();
  }
  std::unique_ptr<PreparedReplacement> pointer;  // its fsync runs while the snapshot is written
  Result<WrittenRevision> written = WriteSnapshotFile(snapshot, *parent, options.operation, &pointer);
  Result<std::string> rev = written.ok() ? Result<std::string>(written->rev) : Result<std::string>(written.status());
  // The "write" line becomes durable with the "set-current" line's fsync, before current moves:
  // one journal fsync per commit. A power cut before it can lose it, together with the commit
  // (the revision, never current nor acknowledged, is then a stray that prune removes).
  const SetCurrentOptions fenced{.expected_current = std::nullopt, .lock_id = lock->id()};
  Status published =
      rev.ok() ? JournalWrite(*written, fenced.lock_id, internal::JournalSync::kWithNextAppend) : rev.status();
  if (published.ok()) {
    published = PublishCurrent(*rev, fenced, DamagedPointerDetail(), pointer.get());
  }
  pointer.reset();  // unpublished after a failure: its temp file goes before the lock does
  if (!published.ok() && published.code() != Code::kIncomplete && rev.ok()) {
    DiscardUncommitted(*rev, fenced.lock_id, published);
  }
  Status released = lock->Unlock();
  SEALSTATE_RETURN_IF_ERROR(published);
  if (!released.ok()) {
    return Status::Incomplete(std::string(kPrefix) + "committed " + *rev +
                                  " (durable and current), but releasing "
                                  "the lock failed: ",
                              released);
  }
  return rev;
}

}  // namespace

StackCore::StackCore(Env& e, ProcessProbe& p, std::unique_ptr<StackDirs> d, const LocalStoreOptions& o)
    : env(e),
      probe(p),
      dirs(std::move(d)),
      options(o),
      marker(e, p, dirs->stack, SEALSTATE_VERSION),
      journal(e, dirs->stack, JournalMacKeyFor(options.encrypter.get()),
              [this] { return ReadCurrentRevOrEmpty(env, dirs->stack); }),
      opening_mac_keys(JournalMacKeysFor(options.encrypter.get())) {
  marker.SetBreakObserver([this](const MarkerHolder& broken) {
    return Journal("lock-break", "", broken.lock_id, "broke the stale lock of " + DescribeHolder(ToLockHolder(broken)));
  });
}

Status StackCore::Journal(std::string event, std::string rev, std::string lock_id, std::string detail) {
  return journal
      .Append(StampedEvent(probe.Self(), std::move(event), std::move(rev), std::move(lock_id), std::move(detail)))
      .status();
}

Result<std::unique_ptr<Backend>> OpenLocalStoreWith(const LocalStoreOptions& options, Env& env, ProcessProbe& probe) {
  Status factory_ok = ValidateName("factory", options.factory);
  if (!factory_ok.ok()) return factory_ok.WithPrefix(std::string(kPrefix));
  Status stack_ok = ValidateName("stack", options.stack);
  if (!stack_ok.ok()) return stack_ok.WithPrefix(std::string(kPrefix));
  std::string root = options.root;
  if (root.empty()) {
    SEALSTATE_ASSIGN_OR_RETURN(root, DefaultStoreRoot());
  }
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<StackDirs> dirs,
                             OpenStackDirs(env, root, options.factory, options.stack, options.create));
  auto core = std::make_shared<StackCore>(env, probe, std::move(dirs), options);
  return std::unique_ptr<Backend>(std::make_unique<LocalStore>(std::move(core)));
}

}  // namespace internal

Result<std::string> DefaultStoreRoot() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/sealstate";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::string(home) + "/.local/share/sealstate";
  return Status::InvalidArgument(
      "cannot find a default store root: set XDG_DATA_HOME or HOME to an absolute path, or pass a root");
}

Result<std::unique_ptr<Backend>> OpenLocalStore(const LocalStoreOptions& options) {
  return internal::OpenLocalStoreWith(options, *internal::Env::Default(), *internal::ProcessProbe::Default());
}

}  // namespace sealstate
