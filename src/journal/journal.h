// The stack's audit journal: `<stack>/journal`, append-only JSON lines.
//
// Each line is one JournalEvent as compact JSON: {"seq","time","event","rev","lock-id","actor",
// "pid","detail"}. An append takes an OFD lock on the journal file (so concurrent appenders get
// distinct, increasing sequence numbers), repairs a torn tail left by a crash (truncates it),
// writes the line, fsyncs, and releases. The torn tail is ignored when reading.
//
// The torn tail is what a crash mid-append leaves after the last line that decodes: a last line
// without its newline, and after a power cut also complete lines that do not decode (the
// unsynced bytes of the append in flight can come back zero-filled or as garbage, newlines
// included). Malformed lines followed by an intact line, or more than kMaxTornTailBytes of
// unterminated and malformed lines at the end, are not a torn append but corruption: kIntegrity.
// A line longer than kMaxJournalLineBytes is corruption too, so an append reads at most the sum
// of the two from the end, and a read holds at most one line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/status.h>

#include "io/env.h"
#include "journal/journal_mac.h"
#include "store/stack_layout.h"

namespace sealstate::internal {

// The longest journal line, its newline included. Append refuses a longer event; Read reports
// a longer line as corruption.
inline constexpr std::size_t kMaxJournalLineBytes = 1 << 20;
// The most bytes after the last intact line that count as the torn tail of a crashed append
// (an unterminated line, and after a power cut malformed complete lines); more is corruption.
// With kMaxJournalLineBytes it bounds how far back an append reads.
inline constexpr std::size_t kMaxTornTailBytes = 1 << 20;

// kInvalidArgument if the event's line, with any seq and the longest authentication members an
// append adds (SealJournalEvent), would be longer than kMaxJournalLineBytes
// ("journal event \"EVENT\": its line of N bytes is longer than 1 MiB, ..."). The memory
// store holds its journal to the same limit.
Status CheckJournalLineLength(JournalEvent event);

// When an appended line is made durable.
enum class JournalSync {
  // fsynced before Append returns.
  kNow,
  // Left to the next kNow append to the same journal, whose fsync makes every earlier line of
  // the file durable. For a line whose operation reports success only after that next append
  // (Commit's "write", followed by its "set-current").
  kWithNextAppend,
};

class JournalFile {
 public:
  // `env` and `stack_dir` must outlive this object. Lines are authenticated with `mac_key`
  // (SealJournalEvent; nullptr: they say they are unauthenticated).
  JournalFile(Env& env, const Dir& stack_dir, std::shared_ptr<const JournalMacKey> mac_key = nullptr);

  // As Append, but first runs `change` under the journal's append lock (after repairing the
  // torn tail), and appends only if it succeeds; `changed` says whether it did. Readers that find
  // the journal's mark and the state `change` alters disagree take the same lock to look again
  // (the local store moves current this way, so a reader never sees the pointer moved but not
  // yet journaled).
  Result<std::uint64_t> AppendAfter(const std::function<Status()>& change, JournalEvent event, JournalSync sync,
                                    bool& changed);

  // The key lines are authenticated with, or nullptr.
  const JournalMacKey* mac_key() const { return mac_key_.get(); }

  // The end of the journal, oldest first, back to the line before the newest intact line whose
  // mac_key is `key_id` (the whole journal when there is none): what CheckCurrentAgainstJournal
  // needs. Usually the last two lines. A missing journal is empty. Errors: kIntegrity (a malformed
  // line before the torn tail; not a regular file), kIoError.
  Result<std::vector<JournalEvent>> ReadBackTo(const std::string& key_id);

  // Assigns the next seq (and the time, from env.Now(), if event.time is unset: left at the
  // zero time), appends, and fsyncs before returning (unless `sync` defers it, see
  // JournalSync; a deferred line may be lost to a power cut). Returns the seq. The journal file is
  // created 0600 on first use (and the directory fsynced). Errors: kIoError; kIntegrity if the
  // journal is corrupt, not just torn, or is not a regular file with one link (OpenStackFile;
  // nothing is appended, nothing is changed); kInvalidArgument if the event's line would be
  // longer than kMaxJournalLineBytes (checked before the file is opened). After an error the
  // event may or may not be in the journal (a failed fsync leaves it unknown), but the journal
  // stays readable.
  Result<std::uint64_t> Append(JournalEvent event, JournalSync sync = JournalSync::kNow);

  // Appends `events` in order, renumbered with the next seqs (their own seq is ignored; an unset
  // time is set as Append sets it), with one write and one fsync (Backend::ImportJournal). A
  // power cut during it may leave a prefix of the lines. Errors: as Append (kInvalidArgument for
  // any line that is too long: nothing is appended).
  Status AppendAll(std::vector<JournalEvent> events);

  // Backend::CompactJournal: under the append lock (after repairing the torn tail), writes a new
  // journal holding the lines from `first_kept_seq` on, byte for byte, and then `mark` (a
  // "journal-compacted" event, its detail set here, sealed after the last line as Append seals),
  // and renames it over the journal (ReplaceFile: temp, fsync, rename, fsync of the directory), so
  // a crash leaves the old journal or the new one. Appenders waiting for the lock meanwhile append
  // to the new file. Errors: kInvalidArgument (first_kept_seq beyond the last line), kIntegrity
  // (a malformed line before it), kIoError.
  Result<JournalCompaction> Compact(std::uint64_t first_kept_seq, JournalEvent mark);

  // Events with seq > since_seq in file order. A missing journal is empty. The torn tail is
  // skipped; any other malformed line, and any line longer than kMaxJournalLineBytes, is
  // kIntegrity naming its line number; kIntegrity also when the journal is not a regular file
  // with one link (OpenStackFile).
  Result<std::vector<JournalEvent>> Read(std::uint64_t since_seq);

 private:
  Env& env_;
  const Dir& dir_;
  std::shared_ptr<const JournalMacKey> mac_key_;
};

}  // namespace sealstate::internal
