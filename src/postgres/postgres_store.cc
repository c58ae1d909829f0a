// PostgresStore: the Backend over one stack in a PostgreSQL schema. See postgres_store.h for the
// contract; the messages and error codes are the local store's, prefixed "postgres store: ".
#include <sealstate/postgres_store.h>

#include <poll.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include <sealstate/names.h>
#include <sealstate/revision.h>
#include <sealstate/timestamp.h>

#include "backend/backend_checks.h"
#include "backend/parent_link.h"
#include "envelope/envelope_v2_header.h"
#include "envelope/seal_validated.h"
#include "io/bounded_string_sink.h"
#include "journal/journal_mac.h"
#include "journal/stamped_event.h"
#include "lock/new_holder.h"
#include "lock/process_identity.h"
#include "pipeline/pipelined_sink.h"
#include "postgres/pg_connection.h"
#include "postgres/pg_consumers.h"
#include "postgres/pg_holder.h"
#include "postgres/pg_journal.h"
#include "postgres/pg_journal_compaction.h"
#include "postgres/pg_lock.h"
#include "postgres/pg_pipeline.h"
#include "postgres/pg_place.h"
#include "postgres/pg_revisions.h"
#include "postgres/pg_schema.h"
#include "postgres/pg_spec.h"

namespace sealstate {
namespace internal {
namespace {

constexpr std::string_view kPrefix = kPostgresPrefix;

// The largest sealed snapshot (its envelope) a commit takes the fast path for (Commit), which
// seals into memory before it sends anything and falls back to the lock past this size. The fast path's transaction
// locks the stack's row before it uploads the envelope, so whoever takes the lock meanwhile waits on that row, past
// their own timeout and uncancellably, until that transaction ends. It must lock it first: taking that row's lock after
// a revision's foreign key has taken a key-share lock on it, while another transaction does the same, can make
// PostgreSQL fail ("new multixact has more than one updating member", seen with 8 processes committing at once). 1 MiB
// (one chunk) keeps that wait to one small commit's seal, upload and WAL flush, a few milliseconds on a local server;
// above it the fast path would save two round trips out of an upload that takes far longer, so the commit takes the
// lock instead (whose waiters time out and can be cancelled). The seal itself is done before the transaction begins, so
// only the upload and the flush count.
constexpr std::size_t kFastPathMaxSealedBytes = std::size_t{1} << 20;

JournalEvent Stamped(std::string event, std::string rev, std::string lock_id, std::string detail) {
  return StampedEvent(ProcessProbe::Default()->Self(), std::move(event), std::move(rev), std::move(lock_id),
                      std::move(detail));
}

class PostgresStore final : public Backend {
 public:
  PostgresStore(std::shared_ptr<const PgStackPlace> place, std::unique_ptr<PgConnection> conn,
                PostgresStoreOptions options)
      : place_(std::move(place)), conn_(std::move(conn)), options_(std::move(options)) {}

  const std::string& stack() const override { return options_.stack; }
  const std::string& factory() const override { return options_.factory; }

  Result<Snapshot> Current() override {
    SEALSTATE_ASSIGN_OR_RETURN(std::string rev, CurrentRev());
    return Get(rev);
  }
  Result<std::string> CurrentRev() override;
  Result<Snapshot> Get(std::string_view rev) override;
  Result<EnvelopeHeader> ReadHeader(std::string_view rev) override;
  Result<std::string> Write(const Snapshot& snapshot, const WriteOptions& options) override;
  Status SetCurrent(std::string_view rev, const SetCurrentOptions& options) override;
  Result<std::vector<std::string>> List() override;
  Status Remove(std::string_view rev, std::string_view lock_id) override;
  Result<std::unique_ptr<Lock>> AcquireLock(const LockOptions& options) override {
    return AcquirePgLock(place_, options);
  }
  Status ForceUnlock(std::string_view expected_id) override {
    const std::unique_lock<std::mutex> guard = LockForWrite();
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    return ForcePgUnlock(*conn_, *place_, expected_id);
  }
  Result<LockInfo> GetLockInfo() override {
    std::lock_guard<std::mutex> guard(mutex_);
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    return PgLockInfo(*conn_, *place_);
  }
  Result<std::string> Commit(const Snapshot& snapshot, const LockOptions& options,
                             const WriteOptions& write_options) override;
  Result<std::vector<JournalEvent>> Journal(std::uint64_t since_seq) override {
    std::lock_guard<std::mutex> guard(mutex_);
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    return ReadPgJournal(*conn_, *place_, since_seq);
  }
  Status AppendJournal(std::string event, std::string rev, std::string detail, std::string lock_id) override {
    const std::unique_lock<std::mutex> guard = LockForWrite();
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    JournalEvent stamped = Stamped(std::move(event), std::move(rev), std::move(lock_id), std::move(detail));
    return InTransaction(*conn_, "journal", [&] { return AppendPgJournal(*conn_, *place_, stamped); });
  }
  Result<std::uint64_t> GetCheckpoint(std::string_view name) override {
    std::lock_guard<std::mutex> guard(mutex_);
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    return ReadPgCheckpoint(*conn_, *place_, name);
  }
  Status Checkpoint(std::string_view name, std::uint64_t seq) override {
    std::lock_guard<std::mutex> guard(mutex_);
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    return WritePgCheckpoint(*conn_, *place_, name, seq);
  }
  // On a connection of its own: conn_ stays free for the store's other callers.
  Result<std::vector<std::pair<std::string, std::uint64_t>>> ListCheckpoints() override {
    std::lock_guard<std::mutex> guard(mutex_);
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    return ListPgCheckpoints(*conn_, *place_);
  }
  Result<JournalCompaction> CompactJournal(std::uint64_t first_kept_seq, std::string_view lock_id) override;
  Result<bool> WaitForJournal(std::uint64_t after_seq, std::chrono::milliseconds timeout,
                              const CancelCheck& cancelled) override {
    return WaitForPgJournal(*place_, after_seq, timeout, cancelled);
  }
  Status ReadEnvelope(std::string_view rev, ByteSink& sink) override;
  Status ImportEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) override;
  Status ReplaceEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) override;
  Status ImportJournal(const std::vector<JournalEvent>& events, std::string_view lock_id) override;

 private:
  // Streams the stored envelope of `rev` to `read`, in one read-only REPEATABLE READ
  // transaction. Errors: kInvalidArgument (bad name), kNotFound, `read`'s, kIoError.
  Status ReadStored(std::string_view rev, const std::function<Status(ByteSource&)>& read);
  Result<Snapshot> Open(const std::string& rev, const OpenOptions& open_options);
  // Seals `snapshot` under a fresh revision linked to `parent` (ParentForNewRevision) in one
  // transaction with its "write" event; with
  // `make_current`, the same transaction also moves current to it, fenced by `lock_id`, with its
  // "set-current" event (Commit).
  // `operation`: the lock's, recorded in the "write" event.
  Result<std::string> Store(const Snapshot& snapshot, const std::optional<EnvelopeParent>& parent,
                            const std::string& lock_id, const std::string& operation, bool make_current);
  // Inside a transaction that has locked the stack's row and checked the fence: points current
  // at `rev` and journals it.
  Status MoveCurrentLocked(const std::string& rev, const std::string& lock_id);
  // The envelope version of `first_bytes` (an envelope's start) if this stack accepts it as
  // revision `rev` (ImportEnvelope's checks). Errors: kIntegrity, kFormat.
  Result<std::int64_t> CheckImportedHeader(const std::string& first_bytes, std::string_view rev) const;
  // Inside a transaction: stores revision `rev` from `source`, or compares it with the stored
  // one when it exists (ImportEnvelope).
  Status ImportLocked(const std::string& rev, std::int64_t version, ByteSource& source, std::string_view lock_id);
  // Queues on `pipeline` the transaction (up to, not with, its COMMIT) that stores `snapshot` as
  // revision `rev` (Store), sealing it into chunks that leave as they fill. Errors: the seal's.
  // Its journal rows follow `head`, which it moves past them.
  // With `fast` (and make_current), the fast path's guard takes the fence's place (FastGuard).
  struct FastGuard {
    std::optional<std::string> expected_current;  // current as read without the lock (none: no current)
    const std::string* sealed = nullptr;          // the envelope, sealed already (not again)
    const std::string* digest = nullptr;          // with `sealed`: its digest (StoredEnvelopeDigest's)
  };
  Status QueueStore(PgPipeline& pipeline, const Snapshot& snapshot, const std::optional<EnvelopeParent>& parent,
                    const std::string& rev, const std::string& lock_id, const std::string& operation, bool make_current,
                    PgJournalHead& head, const FastGuard* fast = nullptr);
  // Commit's fast path, when the lock looked free: in one round trip and one transaction that
  // locks the stack's row first, the write as Store's, moving current only if no holder row
  // exists and current is still `guard.expected_current` (and the journal's head still
  // journal_head_, its rows' CAS), and the COMMIT. Returns the revision, or "" when refused (the
  // lock is held or stale, current or the journal moved, the name is taken): then nothing was
  // written (the transaction rolled back). Errors: the seal's; kIoError (not retried: the
  // COMMIT may have been sent).
  // The snapshot is sealed first, into memory: one that seals larger than kFastPathMaxSealedBytes
  // returns "" before anything was sent. On success, remembers current as committed_current_.
  Result<std::string> FastCommit(const Snapshot& snapshot, const std::optional<EnvelopeParent>& parent,
                                 const FastGuard& guard, const std::string& lock_id, const std::string& operation);
  // Commit's fast path (sealstate-format(5), "Locking"): current from committed_current_ (no
  // round trip) or else read without the lock, the key check and parent link from it, then
  // FastCommit. Returns the revision, or "" when it did not commit (a holder row was seen, the
  // snapshot seals too large, the transaction was refused): then nothing was written. Errors:
  // kWrongKey; the seal's; kIoError.
  Result<std::string> TryFastCommit(const Snapshot& snapshot, const LockOptions& options,
                                    const WriteOptions& write_options);
  // Takes mutex_ for a write other than a fast-path commit, which makes committed_current_ stale:
  // drops it.
  std::unique_lock<std::mutex> LockForWrite() {
    std::unique_lock<std::mutex> guard(mutex_);
    committed_current_.reset();
    return guard;
  }
  // Whether conn_'s idle session has nothing waiting to be read (mutex_ held): a server that
  // ends a session (a restart, a terminated backend) says so first, without being asked.
  bool SessionQuiet();
  // The rows of CurrentFactsStatement, read on conn_ (mutex_ held). Errors: kIoError.
  Result<PgRows> ReadCurrentRows();
  // Store under the name `rev`, in two round trips: the queued transaction, then (the fence
  // holding) its COMMIT, its journal rows chained to journal_head_ (which must be set; moved past
  // them when committed). `name_taken`: it failed only because `rev` exists; `head_moved`: only
  // because another writer appended to the journal after journal_head_ was read.
  Status StoreAs(const Snapshot& snapshot, const std::optional<EnvelopeParent>& parent, const std::string& rev,
                 const std::string& lock_id, const std::string& operation, bool make_current, bool& name_taken,
                 bool& head_moved);
  // Inside a transaction: replaces the chunks of the existing revision `rev` (ReplaceEnvelope).
  Status ReplaceLocked(const std::string& rev, std::int64_t version, ByteSource& source, std::string_view lock_id);
  // Inside a transaction: writes `source` as the chunks of `rev` (whose row exists) and records
  // their count, size and digest.
  Status WriteChunksLocked(const std::string& rev, const std::string& what, ByteSource& source);
  // The statement, and its parameters, that records on revision `rev`'s row the count, size and
  // digest of the chunks `sink` wrote.
  std::string RecordChunksSql() const {
    return "UPDATE " + place_->Table("revisions") +
           " SET chunks = $3, bytes = $4, digest = $5 WHERE stack_id = $1 AND rev = $2";
  }
  std::vector<PgParam> RecordChunksParams(const std::string& rev, const PgChunkSink& sink,
                                          const std::string& digest) const {
    return {PgParam::Int(place_->stack_id), PgParam::Text(rev), PgParam::Int(sink.chunks()), PgParam::Int(sink.bytes()),
            PgParam::Text(digest)};
  }
  // What a write reads of current before it seals: its name, its envelope's first
  // kV2MaxHeaderBytes (the header) and its stored digest (none for a revision written before
  // migration 3, or a value that is not a digest). The same statement reads the journal's head
  // into journal_head_.
  struct CurrentFacts {
    std::string rev;
    std::string first_bytes;
    std::optional<std::string> digest;
  };
  // The one statement CurrentFacts are read with (its results binary); its column
  // kHolderColumn says whether a holder row was there ("true"), kJournalHeadColumn on is the
  // journal's head.
  PgStatement CurrentFactsStatement() const;
  static constexpr int kHolderColumn = 3;
  static constexpr int kJournalHeadColumn = 4;
  // CurrentFacts in one statement (or from `read_already`, that statement's rows read on another
  // connection: Commit's, with the lock); none without a current. Errors: kIoError.
  Result<std::optional<CurrentFacts>> ReadCurrentFacts(std::optional<PgRows> read_already = std::nullopt);
  // CurrentFacts from the rows of CurrentFactsStatement (mutex_ held). Errors: kIntegrity.
  Result<std::optional<CurrentFacts>> CurrentFactsFrom(const PgRows& rows);
  // Before a write seals, from one ReadCurrentFacts: the key check (CheckKeyOpensCurrent's) and
  // the new revision's parent link (ParentForNewRevision's, from the stored digest; a current
  // without one is hashed as ParentForNewRevision does). Errors: kWrongKey; kIoError.
  Result<std::optional<EnvelopeParent>> CheckKeyAndLinkParent(const WriteOptions& options,
                                                              std::optional<PgRows> read_already = std::nullopt);
  // CheckKeyAndLinkParent's checks on `facts`, however they were learned (none: no current).
  Result<std::optional<EnvelopeParent>> KeyCheckAndParentFrom(const WriteOptions& options,
                                                              const std::optional<CurrentFacts>& facts);

  const std::shared_ptr<const PgStackPlace> place_;
  std::mutex mutex_;  // guards conn_
  const std::unique_ptr<PgConnection> conn_;
  const PostgresStoreOptions options_;
  // The journal's head as this store last read or left it (guarded by mutex_): what Store chains
  // its rows to; a stale one makes its journal insert fail (IsPgJournalRace) and is read again.
  std::optional<PgJournalHead> journal_head_;
  // Current as this store's last fast-path commit left it (guarded by mutex_): the next commit's
  // fast path takes its key check and parent link from it instead of reading current, and its
  // guarded move refuses when it is stale (another writer moved current or holds the lock). Set
  // only with journal_head_ (its commit's); dropped by any other write, any failed or refused
  // commit, and a session that is no longer quiet (SessionQuiet).
  std::optional<CurrentFacts> committed_current_;
};

// The pointer and the journal's end in one statement: the rollback check needs both, and the
// head it reads is what the next Store chains its journal rows to (without a round trip of its
// own).
Result<std::string> PostgresStore::CurrentRev() {
  std::lock_guard<std::mutex> guard(mutex_);
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  SEALSTATE_ASSIGN_OR_RETURN(PgCurrentAndJournal read, ReadPgCurrentAndJournal(*conn_, *place_));
  journal_head_ = read.head;
  if (!place_->opening_mac_keys.empty()) {
    SEALSTATE_RETURN_IF_ERROR(
        CheckCurrentAgainstJournal(kPrefix, read.current, read.tail, place_->opening_mac_keys, JournalMoves::kAtomic));
  }
  if (read.current.empty()) return Status::NoCurrent();
  return read.current;
}

Status PostgresStore::ReadStored(std::string_view rev, const std::function<Status(ByteSource&)>& read) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  std::lock_guard<std::mutex> guard(mutex_);
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  std::optional<PgChunkSource> source;
  source.emplace(*conn_, *place_, std::string(rev));
  Status started = source->Start();
  if (!started.ok() && !conn_->healthy()) {
    // The session was gone before anything happened (libpq learns it only now): once more on a
    // new one.
    source.reset();
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    source.emplace(*conn_, *place_, std::string(rev));
    started = source->Start();
  }
  SEALSTATE_RETURN_IF_ERROR(started);
  return read(*source);
}

Result<Snapshot> PostgresStore::Open(const std::string& rev, const OpenOptions& open_options) {
  std::optional<Snapshot> snapshot;
  const Status read = ReadStored(rev, [&](ByteSource& source) -> Status {
    SEALSTATE_ASSIGN_OR_RETURN(snapshot, OpenSnapshot(source, EnvelopeBinding{"state", factory(), stack(), rev},
                                                      *options_.encrypter, open_options));
    return Status::OK();
  });
  SEALSTATE_RETURN_IF_ERROR(read);
  return std::move(*snapshot);
}

Result<Snapshot> PostgresStore::Get(std::string_view rev) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  SEALSTATE_RETURN_IF_ERROR(RequireEncrypter(options_.encrypter.get(), kPrefix));
  Result<Snapshot> snapshot = Open(std::string(rev), options_.envelope.open_options());
  if (!snapshot.ok() && snapshot.status().code() != Code::kNotFound && snapshot.status().code() != Code::kIoError) {
    return snapshot.status().WithPrefix(std::string(kPrefix) + "open " + std::string(rev) + ": ");
  }
  return snapshot;
}

// One statement: the envelope's first kV2MaxHeaderBytes (where the header is; v1 is told from
// its start), not the whole first chunk.
Result<EnvelopeHeader> PostgresStore::ReadHeader(std::string_view rev) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  std::lock_guard<std::mutex> guard(mutex_);
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  const auto read = [&] {
    return conn_->Exec("read " + std::string(rev),
                       "SELECT substr(c.data, 1, $3) FROM " + place_->Table("revisions") + " r LEFT JOIN " +
                           place_->Table("revision_chunks") +
                           " c ON c.stack_id = r.stack_id AND c.rev = r.rev AND c.chunk = 0 "
                           "WHERE r.stack_id = $1 AND r.rev = $2",
                       {PgParam::Int(place_->stack_id), PgParam::Text(std::string(rev)),
                        PgParam::Int(static_cast<std::int64_t>(kV2MaxHeaderBytes))},
                       /*binary_result=*/true);
  };
  Result<PgRows> rows = read();
  if (!rows.ok() && !conn_->healthy()) {  // the session was gone: once more on a new one
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    rows = read();
  }
  SEALSTATE_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return NoSuchRevisionError(kPrefix, rev, stack());
  const std::string first_bytes = rows->Text(0, 0);
  StringSource source(first_bytes);
  Result<EnvelopeHeader> header = ReadEnvelopeHeader(source);
  if (!header.ok()) return header.status().WithPrefix(std::string(kPrefix) + "header of " + std::string(rev) + ": ");
  return header;
}

PgStatement PostgresStore::CurrentFactsStatement() const {
  return PgStatement{"SELECT s.current, substr(c.data, 1, $2), r.digest, EXISTS (SELECT 1 FROM " +
                         place_->Table("locks") + " l WHERE l.stack_id = s.id)::text, " + PgJournalHeadColumns() +
                         " FROM " + place_->Table("stacks") + " s LEFT JOIN " + place_->Table("revisions") +
                         " r ON r.stack_id = s.id AND r.rev = s.current LEFT JOIN " + place_->Table("revision_chunks") +
                         " c ON c.stack_id = s.id AND c.rev = s.current AND c.chunk = 0" + PgJournalHeadJoin(*place_) +
                         " WHERE s.id = $1 ORDER BY j.seq",
                     {PgParam::Int(place_->stack_id), PgParam::Int(static_cast<std::int64_t>(kV2MaxHeaderBytes))}};
}

Result<std::optional<PostgresStore::CurrentFacts>> PostgresStore::ReadCurrentFacts(std::optional<PgRows> read_already) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (read_already) return CurrentFactsFrom(*read_already);
  SEALSTATE_ASSIGN_OR_RETURN(PgRows rows, ReadCurrentRows());
  return CurrentFactsFrom(rows);
}

Result<PgRows> PostgresStore::ReadCurrentRows() {
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  const PgStatement statement = CurrentFactsStatement();
  // In a pipeline of its own: prepared once per session, as the commit's other statements.
  const auto read = [&]() -> Result<PgRows> {
    PgPipeline pipeline(*conn_);
    (void)pipeline.Send("read current", statement.sql, statement.params, /*binary_result=*/true);
    SEALSTATE_RETURN_IF_ERROR(pipeline.Finish());
    return pipeline.TakeResult(0);
  };
  Result<PgRows> rows = read();
  if (!rows.ok() && !conn_->healthy()) {  // the session was gone: once more on a new one
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    rows = read();
  }
  return rows;
}

Result<std::optional<PostgresStore::CurrentFacts>> PostgresStore::CurrentFactsFrom(const PgRows& rows) {
  if (rows.empty()) return std::optional<CurrentFacts>();
  // The journal's head, read with current: what the write's journal rows chain to.
  SEALSTATE_ASSIGN_OR_RETURN(journal_head_, PgJournalHeadFrom(rows, kJournalHeadColumn));
  if (rows.IsNull(0, 0)) return std::optional<CurrentFacts>();
  CurrentFacts facts{
      .rev = rows.Text(0, 0), .first_bytes = rows.IsNull(0, 1) ? "" : rows.Text(0, 1), .digest = std::nullopt};
  if (!rows.IsNull(0, 2) && IsLowerHexDigest(rows.Text(0, 2))) facts.digest = rows.Text(0, 2);
  return std::optional<CurrentFacts>(std::move(facts));
}

Result<std::optional<EnvelopeParent>> PostgresStore::CheckKeyAndLinkParent(const WriteOptions& options,
                                                                           std::optional<PgRows> read_already) {
  SEALSTATE_ASSIGN_OR_RETURN(const std::optional<CurrentFacts> facts, ReadCurrentFacts(std::move(read_already)));
  return KeyCheckAndParentFrom(options, facts);
}

Result<std::optional<EnvelopeParent>> PostgresStore::KeyCheckAndParentFrom(const WriteOptions& options,
                                                                           const std::optional<CurrentFacts>& facts) {
  if (!facts) return std::optional<EnvelopeParent>();
  if (!options.new_key && options_.encrypter != nullptr) {
    StringSource first_bytes(facts->first_bytes);
    const auto open = [this](const std::string& rev, const OpenOptions& open_options) {
      return Open(rev, open_options);
    };
    SEALSTATE_RETURN_IF_ERROR(CheckKeyOpensHeader(*options_.encrypter, facts->rev, ReadEnvelopeHeader(first_bytes),
                                                  options_.envelope.allow_plaintext, open, kPrefix));
  }
  const std::int64_t version = options_.envelope.written_version();
  if (version < kEnvelopeV2) return std::optional<EnvelopeParent>();
  if (facts->digest) return std::optional<EnvelopeParent>(EnvelopeParent{.rev = facts->rev, .blake2b = *facts->digest});
  return ParentForNewRevision(*this, version);  // written before migration 3: hash it
}

Status PostgresStore::MoveCurrentLocked(const std::string& rev, const std::string& lock_id) {
  SEALSTATE_RETURN_IF_ERROR(conn_
                                ->Exec("set-current",
                                       "UPDATE " + place_->Table("stacks") + " SET current = $2 WHERE id = $1",
                                       {PgParam::Int(place_->stack_id), PgParam::Text(rev)})
                                .status());
  return AppendPgJournal(*conn_, *place_, Stamped("set-current", rev, lock_id, ""));
}

Status PostgresStore::QueueStore(PgPipeline& pipeline, const Snapshot& snapshot,
                                 const std::optional<EnvelopeParent>& parent, const std::string& rev,
                                 const std::string& lock_id, const std::string& operation, bool make_current,
                                 PgJournalHead& head, const FastGuard* fast) {
  (void)pipeline.Send("write", "BEGIN");
  // The fast path locks the stack's row first (so concurrent ones queue there, before any
  // waits on another: none holds a key-share lock on it, from a revision's foreign key, that it
  // then upgrades while another does too).
  if (fast != nullptr) (void)pipeline.Send("commit", LockStackRowSql(*place_), {PgParam::Int(place_->stack_id)});
  // A name another writer holds (committed, or in a transaction still running: then this waits
  // for it) fails this statement with a unique violation: the caller tries the next suffix.
  // Sealed already (the fast path): the row goes in with its chunks' count, size and digest (no
  // UPDATE after); otherwise they are recorded once the chunks are sent.
  const bool presealed = fast != nullptr && fast->sealed != nullptr;
  const auto size = presealed ? static_cast<std::int64_t>(fast->sealed->size()) : std::int64_t{0};
  const auto chunks = (size + static_cast<std::int64_t>(kPgChunkBytes) - 1) / static_cast<std::int64_t>(kPgChunkBytes);
  (void)pipeline.Send(
      "write " + rev,
      "INSERT INTO " + place_->Table("revisions") +
          " (stack_id, rev, envelope_version, chunks, bytes, digest) VALUES ($1, $2, $3, $4, $5, $6)",
      {PgParam::Int(place_->stack_id), PgParam::Text(rev), PgParam::Int(options_.envelope.written_version()),
       PgParam::Int(chunks), PgParam::Int(size), presealed ? PgParam::Text(*fast->digest) : PgParam::Null()});
  PgChunkSink sink(pipeline, *place_, rev);
  if (presealed) {
    SEALSTATE_RETURN_IF_ERROR(sink.Append(*fast->sealed));
  } else {
    // Above one chunk, the chunks are digested and sent on a thread of their own: the seal goes
    // on compressing and encrypting while a send waits for the server to take in the chunk
    // before (a blocking send, in the seal's thread, serialised the two). Until Finish returns,
    // only that thread uses the pipeline.
    PipelinedSink uploading(sink, kPgChunkBytes);
    SEALSTATE_RETURN_IF_ERROR(SealValidatedSnapshot(
        snapshot, options_.envelope.written_version(), EnvelopeBinding{"state", factory(), stack(), rev, parent},
        *options_.encrypter, uploading, options_.envelope.written_compression()));
    SEALSTATE_RETURN_IF_ERROR(uploading.Finish());
  }
  SEALSTATE_RETURN_IF_ERROR(sink.Finish());
  if (!presealed) {
    SEALSTATE_ASSIGN_OR_RETURN(std::string digest, sink.Digest());
    (void)pipeline.Send("write " + rev, RecordChunksSql(), RecordChunksParams(rev, sink, digest));
  }
  const WrittenFacts facts{.envelope_version = options_.envelope.written_version(),
                           .size = sink.bytes(),
                           .entries = static_cast<std::int64_t>(snapshot.entries.size()),
                           .operation = operation};
  JournalEvent written = StampedWriteEvent(ProcessProbe::Default()->Self(), rev, lock_id, facts);
  if (fast != nullptr && make_current) {
    // One statement journals the write and the move and moves current. The stack's row is locked
    // since the start; this statement (a snapshot taken since) sees every holder row committed
    // before, and none can commit until this transaction ends. A refusal (current moved, or a
    // holder appeared) fails it with kSqlNotNullViolation, and the rest is skipped.
    const PgStackRowChange move{
        .set = "current = $3",
        .where = "current IS NOT DISTINCT FROM $4 AND NOT EXISTS (SELECT 1 FROM " + place_->Table("locks") +
                 " l WHERE l.stack_id = $1)",
        .params = {PgParam::Text(rev),
                   fast->expected_current ? PgParam::Text(*fast->expected_current) : PgParam::Null()}};
    SEALSTATE_ASSIGN_OR_RETURN(
        PgStatement journaled,
        PgJournalInsert(*place_, {std::move(written), Stamped("set-current", rev, lock_id, "")}, head, move));
    return pipeline.Send("journal write and set-current", journaled);
  }
  SEALSTATE_ASSIGN_OR_RETURN(PgStatement journaled, PgJournalInsert(*place_, {std::move(written)}, head));
  (void)pipeline.Send("journal write", journaled);
  if (!make_current) return Status::OK();
  (void)pipeline.Send("commit", LockStackRowSql(*place_), {PgParam::Int(place_->stack_id)});
  // The fence: read here, judged by Store before it commits.
  (void)pipeline.Send("check the lock", "SELECT lock_id FROM " + place_->Table("locks") + " WHERE stack_id = $1",
                      {PgParam::Int(place_->stack_id)});
  (void)pipeline.Send("set-current", "UPDATE " + place_->Table("stacks") + " SET current = $2 WHERE id = $1",
                      {PgParam::Int(place_->stack_id), PgParam::Text(rev)});
  SEALSTATE_ASSIGN_OR_RETURN(PgStatement moved,
                             PgJournalInsert(*place_, {Stamped("set-current", rev, lock_id, "")}, head));
  return pipeline.Send("journal set-current", moved);
}

Status PostgresStore::StoreAs(const Snapshot& snapshot, const std::optional<EnvelopeParent>& parent,
                              const std::string& rev, const std::string& lock_id, const std::string& operation,
                              bool make_current, bool& name_taken, bool& head_moved) {
  constexpr int kReserve = 1;
  Status queued;
  int failed = -1;
  Status sent;
  std::size_t fence = 0;
  PgJournalHead head = *journal_head_;
  {
    PgPipeline pipeline(*conn_);
    queued = QueueStore(pipeline, snapshot, parent, rev, lock_id, operation, make_current, head);
    if (queued.ok()) {
      sent = pipeline.Finish();
      failed = pipeline.failed_index();
      // The fence's row: the statement before the last two.
      if (sent.ok() && make_current) fence = pipeline.succeeded() - 3;
      if (sent.ok() && make_current && !lock_id.empty()) {
        const PgRows& holder = pipeline.result(fence);
        if (holder.empty() || holder.Text(0, 0) != lock_id) {
          sent = BrokenLockError(kPrefix, lock_id, "nothing was committed");
        }
      }
    }
  }
  if (!queued.ok() || !sent.ok()) {
    head_moved = !sent.ok() && IsPgJournalRace(*conn_);
    if (conn_->healthy()) conn_->Rollback();
    name_taken = failed == kReserve && conn_->last_sqlstate() == kSqlUniqueViolation;
    return queued.ok() ? sent : queued;
  }
  SEALSTATE_RETURN_IF_ERROR(conn_->Commit("write"));
  journal_head_ = std::move(head);
  return Status::OK();
}

Result<std::string> PostgresStore::FastCommit(const Snapshot& snapshot, const std::optional<EnvelopeParent>& parent,
                                              const FastGuard& guard, const std::string& lock_id,
                                              const std::string& operation) {
  SEALSTATE_RETURN_IF_ERROR(RequireEncrypter(options_.encrypter.get(), kPrefix));
  SEALSTATE_RETURN_IF_ERROR(ValidateSnapshot(snapshot));
  const std::string rev = MakeRevision(NowUtc(), 0);
  // Sealed once, before the transaction begins: its size decides the path, nothing is sent yet.
  BoundedStringSink sealed(kFastPathMaxSealedBytes);
  const Status seal = SealValidatedSnapshot(snapshot, options_.envelope.written_version(),
                                            EnvelopeBinding{"state", factory(), stack(), rev, parent},
                                            *options_.encrypter, sealed, options_.envelope.written_compression());
  if (sealed.overflowed()) return std::string();
  SEALSTATE_RETURN_IF_ERROR(seal);
  EnvelopeDigestSink digesting;
  SEALSTATE_RETURN_IF_ERROR(digesting.Append(sealed.bytes()));
  SEALSTATE_ASSIGN_OR_RETURN(const std::string digest, digesting.HexDigest());
  std::lock_guard<std::mutex> lock(mutex_);
  if (!journal_head_) return std::string();
  constexpr int kReserve = 2;  // after BEGIN and the stack row's lock
  PgJournalHead head = *journal_head_;
  FastGuard with_bytes = guard;
  with_bytes.sealed = &sealed.bytes();
  with_bytes.digest = &digest;
  Status queued;
  Status sent;
  int failed = -1;
  {
    PgPipeline pipeline(*conn_);
    queued = QueueStore(pipeline, snapshot, parent, rev, lock_id, operation, /*make_current=*/true, head, &with_bytes);
    if (queued.ok()) {
      (void)pipeline.Send("write", "COMMIT");
      sent = pipeline.Finish();
      failed = pipeline.failed_index();
    }
  }
  if (queued.ok() && sent.ok()) {
    journal_head_ = std::move(head);
    committed_current_ =
        CurrentFacts{.rev = rev, .first_bytes = sealed.bytes().substr(0, kV2MaxHeaderBytes), .digest = digest};
    return rev;
  }
  committed_current_.reset();
  const bool refused =
      !queued.ok() ? false
                   : IsPgJournalRace(*conn_) || (failed == kReserve && conn_->last_sqlstate() == kSqlUniqueViolation);
  if (conn_->healthy()) conn_->Rollback();
  journal_head_.reset();
  if (!queued.ok()) return queued;
  if (refused && conn_->healthy()) return std::string();
  return sent;
}

bool PostgresStore::SessionQuiet() {
  pollfd socket{.fd = Libpq().PQsocket(conn_->raw()), .events = POLLIN, .revents = 0};
  return conn_->healthy() && socket.fd >= 0 && ::poll(&socket, 1, 0) == 0;
}

Result<std::string> PostgresStore::TryFastCommit(const Snapshot& snapshot, const LockOptions& options,
                                                 const WriteOptions& write_options) {
  std::optional<CurrentFacts> facts;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (committed_current_ && journal_head_ && SessionQuiet()) {
      facts = committed_current_;
    } else {
      committed_current_.reset();
      SEALSTATE_ASSIGN_OR_RETURN(const PgRows unlocked, ReadCurrentRows());
      if (unlocked.empty() || unlocked.Text(0, kHolderColumn) != "false") return std::string();
      SEALSTATE_ASSIGN_OR_RETURN(facts, CurrentFactsFrom(unlocked));
    }
  }
  SEALSTATE_ASSIGN_OR_RETURN(const LockHolder holder, NewProcessHolder(options, kPrefix));
  WriteOptions write = write_options;
  write.lock_id = holder.lock_id;
  SEALSTATE_ASSIGN_OR_RETURN(const std::optional<EnvelopeParent> parent, KeyCheckAndParentFrom(write, facts));
  const FastGuard guard{.expected_current = facts ? std::optional<std::string>(facts->rev) : std::nullopt};
  return FastCommit(snapshot, parent, guard, holder.lock_id, options.operation);
}

Result<std::string> PostgresStore::Store(const Snapshot& snapshot, const std::optional<EnvelopeParent>& parent,
                                         const std::string& lock_id, const std::string& operation, bool make_current) {
  SEALSTATE_RETURN_IF_ERROR(RequireEncrypter(options_.encrypter.get(), kPrefix));
  SEALSTATE_RETURN_IF_ERROR(ValidateSnapshot(snapshot));
  const std::unique_lock<std::mutex> guard = LockForWrite();
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  const Timestamp now = NowUtc();
  bool reconnected = false;
  int head_reads = 0;
  for (int attempt = 0; attempt < kMaxRevisionAttempts; ++attempt) {
    const std::string rev = MakeRevision(now, attempt);
    if (!journal_head_) {
      // Outside a transaction: one statement's consistent snapshot (not ReadPgJournalHead's row
      // lock, which a second read would wait for again).
      SEALSTATE_ASSIGN_OR_RETURN(PgCurrentAndJournal read, ReadPgCurrentAndJournal(*conn_, *place_));
      journal_head_ = std::move(read.head);
      ++head_reads;
    }
    bool name_taken = false;
    bool head_moved = false;
    const Status written = StoreAs(snapshot, parent, rev, lock_id, operation, make_current, name_taken, head_moved);
    if (written.ok()) return rev;
    if (name_taken) continue;
    if (head_moved) {
      // Another writer journaled since the head was read: chain to the new head, under this name.
      journal_head_.reset();
      if (head_reads >= kMaxRevisionAttempts) {
        return Status::Conflict(std::string(kPrefix) +
                                "the journal kept moving while this revision was written (other writers append to it "
                                "without the lock); nothing was committed: try again");
      }
      --attempt;
      continue;
    }
    // The session was gone before the COMMIT (libpq learns it only now; nothing was committed):
    // once more on a new one.
    if (conn_->healthy() || reconnected) return written;
    reconnected = true;
    journal_head_.reset();
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    --attempt;
  }
  return NoFreshRevisionError(kPrefix);
}

Result<std::string> PostgresStore::Write(const Snapshot& snapshot, const WriteOptions& options) {
  SEALSTATE_RETURN_IF_ERROR(CheckWriteOptions(options, kPrefix));
  SEALSTATE_ASSIGN_OR_RETURN(const std::optional<EnvelopeParent> parent, CheckKeyAndLinkParent(options));
  return Store(snapshot, parent, options.lock_id, options.operation, /*make_current=*/false);
}

// One transaction under the lock: the write, the fenced move of current and both journal
// events commit together (one WAL flush), so a failure leaves no new revision behind. The read
// of current before it rides on the lock's round trip.
Result<std::string> PostgresStore::Commit(const Snapshot& snapshot, const LockOptions& options,
                                          const WriteOptions& write_options) {
  // The fast path, when the lock looks free and the snapshot seals small (kFastPathMaxSealedBytes):
  // current as this store left it, or read without the lock, then the write in one transaction
  // that holds the stack exclusively (sealstate-format(5), "Locking").
  Result<std::string> fast = TryFastCommit(snapshot, options, write_options);
  if (fast.ok() && !fast->empty()) return fast;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    committed_current_.reset();
  }
  SEALSTATE_RETURN_IF_ERROR(fast.status());
  // Current is read in the lock's round trip, once the lock is taken (when it is free).
  PgReadAfterLock read_current{.statement = CurrentFactsStatement(), .binary_result = true, .rows = std::nullopt};
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Lock> lock, AcquirePgLock(place_, options, &read_current));
  WriteOptions write = write_options;
  write.lock_id = lock->id();
  Result<std::string> rev = [&]() -> Result<std::string> {
    SEALSTATE_ASSIGN_OR_RETURN(const std::optional<EnvelopeParent> parent,
                               CheckKeyAndLinkParent(write, std::move(read_current.rows)));
    return Store(snapshot, parent, write.lock_id, options.operation, /*make_current=*/true);
  }();
  Status released = lock->Unlock();
  SEALSTATE_RETURN_IF_ERROR(rev.status());
  if (!released.ok()) {
    return Status::Incomplete(
        std::string(kPrefix) + "committed " + *rev + " (durable and current), but releasing the lock failed: ",
        released);
  }
  return rev;
}

Status PostgresStore::SetCurrent(std::string_view rev, const SetCurrentOptions& options) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  // The snapshot must exist, open with our key, and carry this store's factory and stack.
  Result<Snapshot> snapshot = Get(rev);
  if (!snapshot.ok()) return snapshot.status().WithPrefix("set-current " + std::string(rev) + ": ");
  const std::unique_lock<std::mutex> guard = LockForWrite();
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  return InTransaction(*conn_, "set-current", [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(LockStackRow(*conn_, *place_, "set-current"));
    SEALSTATE_RETURN_IF_ERROR(CheckPgFence(*conn_, *place_, options.lock_id, "current was not moved"));
    SEALSTATE_ASSIGN_OR_RETURN(
        PgRows current,
        conn_->Exec("set-current",
                    "SELECT coalesce(current, ''), EXISTS (SELECT 1 FROM " + place_->Table("revisions") +
                        " WHERE stack_id = $1 AND rev = $2) FROM " + place_->Table("stacks") + " WHERE id = $1",
                    {PgParam::Int(place_->stack_id), PgParam::Text(std::string(rev))}));
    if (options.expected_current && current.Text(0, 0) != *options.expected_current) {
      return CurrentMovedError(kPrefix, current.Text(0, 0), *options.expected_current);
    }
    if (current.Text(0, 1) != "t") {  // removed since Get read it
      return NoSuchRevisionError(kPrefix, rev, stack()).WithPrefix("set-current " + std::string(rev) + ": ");
    }
    return MoveCurrentLocked(std::string(rev), options.lock_id);
  });
}

Result<std::vector<std::string>> PostgresStore::List() {
  std::lock_guard<std::mutex> guard(mutex_);
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows rows, conn_->Exec("list", "SELECT rev FROM " + place_->Table("revisions") + " WHERE stack_id = $1",
                               {PgParam::Int(place_->stack_id)}));
  std::vector<std::string> revs;
  revs.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) revs.push_back(rows.Text(i, 0));
  return SortRevisions(revs);
}

Status PostgresStore::Remove(std::string_view rev, std::string_view lock_id) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  const std::unique_lock<std::mutex> guard = LockForWrite();
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  return InTransaction(*conn_, "remove", [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(LockStackRow(*conn_, *place_, "remove"));
    SEALSTATE_RETURN_IF_ERROR(
        CheckPgFence(*conn_, *place_, lock_id, "revision " + std::string(rev) + " was not removed"));
    SEALSTATE_ASSIGN_OR_RETURN(
        PgRows deleted, conn_->Exec("remove",
                                    "DELETE FROM " + place_->Table("revisions") +
                                        " r WHERE r.stack_id = $1 AND r.rev = $2 AND NOT EXISTS (SELECT 1 FROM " +
                                        place_->Table("stacks") +
                                        " s WHERE s.id = $1 AND s.current = $2) "
                                        "RETURNING 1",
                                    {PgParam::Int(place_->stack_id), PgParam::Text(std::string(rev))}));
    if (deleted.empty()) {
      SEALSTATE_ASSIGN_OR_RETURN(
          PgRows current, conn_->Exec("remove", "SELECT current FROM " + place_->Table("stacks") + " WHERE id = $1",
                                      {PgParam::Int(place_->stack_id)}));
      if (current.Text(0, 0) == rev) return RemovingCurrentError(kPrefix, rev);
      return Status::OK();  // already gone: not an error (unobin)
    }
    return AppendPgJournal(*conn_, *place_, Stamped("remove", std::string(rev), std::string(lock_id), ""));
  });
}

Result<JournalCompaction> PostgresStore::CompactJournal(std::uint64_t first_kept_seq, std::string_view lock_id) {
  const std::unique_lock<std::mutex> guard = LockForWrite();
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  JournalCompaction done;
  const Status status = InTransaction(*conn_, "compact the journal", [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(LockStackRow(*conn_, *place_, "compact the journal"));
    SEALSTATE_RETURN_IF_ERROR(CheckPgFence(*conn_, *place_, lock_id, "the journal was not compacted"));
    SEALSTATE_ASSIGN_OR_RETURN(
        done, CompactPgJournal(*conn_, *place_, first_kept_seq, Stamped("", "", std::string(lock_id), "")));
    return Status::OK();
  });
  if (!status.ok()) return status;
  return done;
}

Status PostgresStore::ReadEnvelope(std::string_view rev, ByteSink& sink) {
  return ReadStored(rev, [&](ByteSource& source) -> Status {
    std::string buffer(kPgChunkBytes, '\0');
    while (true) {
      SEALSTATE_ASSIGN_OR_RETURN(std::size_t n, source.Read(buffer.data(), buffer.size()));
      if (n == 0) return Status::OK();
      SEALSTATE_RETURN_IF_ERROR(sink.Append(std::string_view(buffer.data(), n)));
    }
  });
}

// The bytes of `prefix`, then those of `rest`.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::string prefix, ByteSource& rest) : prefix_(std::move(prefix)), rest_(rest) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    if (offset_ == prefix_.size()) return rest_.Read(buffer, capacity);
    const std::size_t n = std::min(capacity, prefix_.size() - offset_);
    std::memcpy(buffer, prefix_.data() + offset_, n);
    offset_ += n;
    return n;
  }

 private:
  const std::string prefix_;
  std::size_t offset_ = 0;
  ByteSource& rest_;
};

// Up to `limit` bytes from the start of `source` (fewer only at its end).
Result<std::string> ReadUpTo(ByteSource& source, std::size_t limit) {
  std::string bytes(limit, '\0');
  std::size_t filled = 0;
  while (filled < limit) {
    SEALSTATE_ASSIGN_OR_RETURN(std::size_t n, source.Read(bytes.data() + filled, limit - filled));
    if (n == 0) break;
    filled += n;
  }
  bytes.resize(filled);
  return bytes;
}

// Whether `a` and `b` hold the same bytes (read in chunks, never whole).
Result<bool> SameBytes(ByteSource& a, ByteSource& b) {
  while (true) {
    SEALSTATE_ASSIGN_OR_RETURN(std::string left, ReadUpTo(a, kPgChunkBytes));
    SEALSTATE_ASSIGN_OR_RETURN(std::string right, ReadUpTo(b, kPgChunkBytes));
    if (left != right) return false;
    if (left.empty()) return true;
  }
}

Result<std::int64_t> PostgresStore::CheckImportedHeader(const std::string& first_bytes, std::string_view rev) const {
  const std::string what = std::string(kPrefix) + "import " + std::string(rev) + ": ";
  StringSource source(first_bytes);
  Result<EnvelopeHeader> header = ReadEnvelopeHeader(source);
  if (!header.ok()) return header.status().WithPrefix(what);
  if (header->envelope_version == kEnvelopeV1) {
    if (!options_.envelope.open_options().accept_v1) {
      return Status::Format(what +
                            "a v1 (unobin) envelope, which this stack does not accept (accept v1 files, or "
                            "open it unobin-compatible)");
    }
    return kEnvelopeV1;
  }
  if (header->factory != factory() || header->stack != stack() || header->rev != rev) {
    return Status::Integrity(what + "the envelope is sealed for " + header->factory + "/" + header->stack + " " +
                             header->rev + ", not " + factory() + "/" + stack() + " " + std::string(rev));
  }
  return header->envelope_version;
}

Status PostgresStore::ImportLocked(const std::string& rev, std::int64_t version, ByteSource& source,
                                   std::string_view lock_id) {
  SEALSTATE_RETURN_IF_ERROR(LockStackRow(*conn_, *place_, "import"));
  SEALSTATE_RETURN_IF_ERROR(CheckPgFence(*conn_, *place_, lock_id, "revision " + rev + " was not imported"));
  {
    PgChunkSource stored(*conn_, *place_, rev);
    const Status existing = stored.Start();
    if (existing.ok()) {
      SEALSTATE_ASSIGN_OR_RETURN(bool same, SameBytes(stored, source));
      if (same) return Status::OK();  // a resumed copy
      return Status::AlreadyExists(std::string(kPrefix) + "import " + rev +
                                   ": the stack has this revision already, with other bytes; nothing was changed");
    }
    if (existing.code() != Code::kNotFound) return existing;
  }
  SEALSTATE_RETURN_IF_ERROR(
      conn_
          ->Exec("import " + rev,
                 "INSERT INTO " + place_->Table("revisions") +
                     " (stack_id, rev, envelope_version, chunks, bytes) VALUES ($1, $2, $3, 0, 0)",
                 {PgParam::Int(place_->stack_id), PgParam::Text(rev), PgParam::Int(version)})
          .status());
  return WriteChunksLocked(rev, "import " + rev, source);
}

Status PostgresStore::WriteChunksLocked(const std::string& rev, const std::string& what, ByteSource& source) {
  PgPipeline pipeline(*conn_);
  PgChunkSink sink(pipeline, *place_, rev);
  while (true) {
    SEALSTATE_ASSIGN_OR_RETURN(std::string bytes, ReadUpTo(source, kPgChunkBytes));
    if (bytes.empty()) break;
    SEALSTATE_RETURN_IF_ERROR(sink.Append(bytes));
  }
  SEALSTATE_RETURN_IF_ERROR(sink.Finish());
  SEALSTATE_ASSIGN_OR_RETURN(std::string digest, sink.Digest());
  (void)pipeline.Send(what, RecordChunksSql(), RecordChunksParams(rev, sink, digest));
  return pipeline.Finish();
}

Status PostgresStore::ReplaceLocked(const std::string& rev, std::int64_t version, ByteSource& source,
                                    std::string_view lock_id) {
  const std::string what = "replace " + rev;
  SEALSTATE_RETURN_IF_ERROR(LockStackRow(*conn_, *place_, "replace"));
  SEALSTATE_RETURN_IF_ERROR(CheckPgFence(*conn_, *place_, lock_id, "revision " + rev + " was not replaced"));
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows existing,
      conn_->Exec(what, "SELECT 1 FROM " + place_->Table("revisions") + " WHERE stack_id = $1 AND rev = $2",
                  {PgParam::Int(place_->stack_id), PgParam::Text(rev)}));
  if (existing.empty()) return NoSuchRevisionError(kPrefix, rev, stack());
  SEALSTATE_RETURN_IF_ERROR(
      conn_
          ->Exec(what, "DELETE FROM " + place_->Table("revision_chunks") + " WHERE stack_id = $1 AND rev = $2",
                 {PgParam::Int(place_->stack_id), PgParam::Text(rev)})
          .status());
  SEALSTATE_RETURN_IF_ERROR(
      conn_
          ->Exec(what,
                 "UPDATE " + place_->Table("revisions") + " SET envelope_version = $3 WHERE stack_id = $1 AND rev = $2",
                 {PgParam::Int(place_->stack_id), PgParam::Text(rev), PgParam::Int(version)})
          .status());
  return WriteChunksLocked(rev, what, source);
}

Status PostgresStore::ReplaceEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  SEALSTATE_ASSIGN_OR_RETURN(std::string first, ReadUpTo(source, kPgChunkBytes));
  SEALSTATE_ASSIGN_OR_RETURN(std::int64_t version, CheckImportedHeader(first, rev));
  PrefixedSource whole(std::move(first), source);
  const std::unique_lock<std::mutex> guard = LockForWrite();
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  return InTransaction(*conn_, "replace", [&] { return ReplaceLocked(std::string(rev), version, whole, lock_id); });
}

Status PostgresStore::ImportEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", rev));
  // The header is in the first bytes (at most kV2MaxHeaderBytes; a v1 envelope is detected from
  // its start).
  SEALSTATE_ASSIGN_OR_RETURN(std::string first, ReadUpTo(source, kPgChunkBytes));
  SEALSTATE_ASSIGN_OR_RETURN(std::int64_t version, CheckImportedHeader(first, rev));
  PrefixedSource whole(std::move(first), source);
  const std::unique_lock<std::mutex> guard = LockForWrite();
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  return InTransaction(*conn_, "import", [&] { return ImportLocked(std::string(rev), version, whole, lock_id); });
}

Status PostgresStore::ImportJournal(const std::vector<JournalEvent>& events, std::string_view lock_id) {
  const std::unique_lock<std::mutex> guard = LockForWrite();
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  return InTransaction(*conn_, "import the journal", [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(LockStackRow(*conn_, *place_, "import the journal"));
    SEALSTATE_RETURN_IF_ERROR(CheckPgFence(*conn_, *place_, lock_id, "no journal event was imported"));
    return AppendPgJournal(*conn_, *place_, events);
  });
}

// The stack's row id, created when missing and `create`. Errors: kNotFound; kIoError.
Result<std::int64_t> FindStack(PgConnection& conn, const PgSchemaInfo& schema, const PostgresStoreOptions& options) {
  const std::vector<PgParam> names = {PgParam::Text(options.factory), PgParam::Text(options.stack)};
  if (options.create) {
    SEALSTATE_RETURN_IF_ERROR(
        conn.Exec("create the stack",
                  "INSERT INTO " + schema.quoted + ".stacks (factory, stack) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                  names)
            .status());
  }
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows rows, conn.Exec("find the stack",
                             "SELECT id FROM " + schema.quoted + ".stacks WHERE factory = $1 AND stack = $2", names));
  if (rows.empty()) {
    return Status::NotFound(std::string(kPrefix) + "no such stack: " + options.factory + "/" + options.stack + " in " +
                            conn.redacted_spec());
  }
  return rows.Int(0, 0);
}

}  // namespace
}  // namespace internal

Result<std::unique_ptr<Backend>> OpenPostgresStore(const PostgresStoreOptions& options) {
  using namespace internal;
  SEALSTATE_ASSIGN_OR_RETURN(PostgresSpec spec, ParsePostgresSpec(options.spec));
  Status factory_ok = ValidateName("factory", options.factory);
  if (!factory_ok.ok()) return factory_ok.WithPrefix(std::string(kPrefix));
  Status stack_ok = ValidateName("stack", options.stack);
  if (!stack_ok.ok()) return stack_ok.WithPrefix(std::string(kPrefix));
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(spec.conninfo, spec.redacted));
  if (options.migrate) SEALSTATE_RETURN_IF_ERROR(MigratePostgresSchema(*conn, spec.schema).status());
  SEALSTATE_ASSIGN_OR_RETURN(PgSchemaInfo schema, CheckPostgresSchema(*conn, spec.schema));
  auto place = std::make_shared<PgStackPlace>();
  SEALSTATE_ASSIGN_OR_RETURN(place->stack_id, FindStack(*conn, schema, options));
  place->spec = std::move(spec);
  place->quoted_schema = schema.quoted;
  place->namespace_oid = schema.namespace_oid;
  place->journal_channel = "sealstate_journal_" + schema.journal_oid + "_" + std::to_string(place->stack_id);
  place->factory = options.factory;
  place->stack = options.stack;
  place->lock_connections = std::make_shared<PgConnectionPool>(place->spec.conninfo, place->spec.redacted);
  place->journal_mac_key = JournalMacKeyFor(options.encrypter.get());
  place->opening_mac_keys = JournalMacKeysFor(options.encrypter.get());
  return std::unique_ptr<Backend>(std::make_unique<PostgresStore>(std::move(place), std::move(conn), options));
}

Result<MigrationReport> MigratePostgres(std::string_view spec_text) {
  using namespace internal;
  SEALSTATE_ASSIGN_OR_RETURN(PostgresSpec spec, ParsePostgresSpec(spec_text));
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(spec.conninfo, spec.redacted));
  return MigratePostgresSchema(*conn, spec.schema);
}

}  // namespace sealstate
