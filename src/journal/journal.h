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
#include <optional>
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

// The sector size the journal assumes: a move's synced lines are padded with spaces before their
// newline to end on a multiple of it (AppendMove), so a power cut during a later append, which
// may damage the sector it continues, cannot damage them.
inline constexpr std::size_t kJournalSectorBytes = 512;

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

// What `current` names now ("" for none): lets an append settle a "set-current" line that a
// crash left unsettled (see JournalFile::AppendMove).
using CurrentReader = std::function<Result<std::string>()>;

class JournalFile {
 public:
  // `env` and `stack_dir` must outlive this object. Lines are authenticated with `mac_key`
  // (SealJournalEvent; nullptr: they say they are unauthenticated). With `read_current` (and a
  // key), an append first settles a "set-current" line a crash left unsettled.
  JournalFile(Env& env, const Dir& stack_dir, std::shared_ptr<const JournalMacKey> mac_key = nullptr,
              CurrentReader read_current = nullptr);

  // Journals a move of current, crash-safely: under the journal's append lock (after repairing
  // the torn tail), runs `check` (when it fails nothing is written: its error); appends `intent`
  // (a "set-current" line, padded with spaces before its newline to end on a kJournalSectorBytes
  // boundary, so that later appends never rewrite its last sector) and fsyncs it; runs `move` (its error, the intent
  // stays unsettled: the next append settles it); then appends the line that settles the intent (kSettledEvent,
  // "current" = intent.rev; also padded to a sector boundary) and fsyncs it. So the journal records the move before the
  // pointer moves, and says when the move ended. Readers that find the journal's mark and the pointer disagree take the
  // same lock to look again (UnderAppendLock). `moved` says whether `move` ran and succeeded. Returns the intent's seq.
  // Errors: as Append, and `check`'s and `move`'s.
  Result<std::uint64_t> AppendMove(JournalEvent intent, const std::function<Status()>& check,
                                   const std::function<Status()>& move, bool& moved);

  // Runs `look` under the journal's append lock (creating the journal if it is missing), so that
  // no AppendMove is half done meanwhile; returns what it returns.
  Status UnderAppendLock(const std::function<Status()>& look);

  // The key lines are authenticated with, or nullptr.
  const JournalMacKey* mac_key() const { return mac_key_.get(); }

  // The end of the journal, oldest first and with its settling lines, back to the line of the
  // history (not a settling line) before the newest intact line whose mac_key names one of `keys`, or the
  // second one when that line is a "set-current" (the whole journal when there is none): what
  // CheckCurrentAgainstJournal needs. Usually the last two or three lines. A missing journal is empty. Errors:
  // kIntegrity (a malformed line before the torn tail; not a regular file), kIoError.
  Result<std::vector<JournalEvent>> ReadBackTo(const JournalMacKeys& keys);

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

  // Backend::CompactJournal: under the append lock (after repairing the torn tail and settling a
  // move a crash left unsettled, as Append does), writes a new journal holding the lines from
  // `first_kept_seq` on, byte for byte (settling lines included), and then `mark` (a
  // "journal-compacted" event, its detail set here, sealed after the last line as Append seals,
  // padded to end the file on a kJournalSectorBytes boundary, so later appends never rewrite its
  // last sector), and renames it over the journal (ReplaceFile: temp, fsync, rename, fsync of the
  // directory), so a crash leaves the old journal or the new one. Appenders waiting for the lock
  // meanwhile append to the new file. Errors: kInvalidArgument (first_kept_seq beyond the last
  // line), kIntegrity (a malformed line before it), kIoError.
  Result<JournalCompaction> Compact(std::uint64_t first_kept_seq, JournalEvent mark);

  // Events with seq > since_seq in file order, without the lines that settle a move (not events
  // of the history: kSettledEvent). A missing journal is empty. The torn tail is
  // skipped; any other malformed line, and any line longer than kMaxJournalLineBytes, is
  // kIntegrity naming its line number; kIntegrity also when the journal is not a regular file
  // with one link (OpenStackFile).
  Result<std::vector<JournalEvent>> Read(std::uint64_t since_seq);

 private:
  Env& env_;
  const Dir& dir_;
  // The line (with its newline) that settles `last` (the journal's last history line, `settled`
  // the line that settles it if any) when it is a "set-current" a crash left unsettled: what
  // current names now if the rollback check accepts it, else `last`'s rev; "" when there is
  // nothing to settle (or no key or reader). Sets `settled` to it.
  std::string SettleUnsettledMove(const std::optional<JournalEvent>& last, std::optional<JournalEvent>& settled);

  std::shared_ptr<const JournalMacKey> mac_key_;
  CurrentReader read_current_;
};

}  // namespace sealstate::internal
