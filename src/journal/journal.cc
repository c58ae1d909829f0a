// The journal: append under an OFD lock with torn-tail repair; read skipping a torn tail.
#include "journal/journal.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <sealstate/names.h>

#include "io/durable_file.h"
#include "io/stack_file.h"
#include "io/unique_fd.h"
#include "journal/journal_compaction_mark.h"
#include "journal/journal_event_json.h"
#include "journal/journal_mac.h"

namespace sealstate::internal {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr int kOpenAttempts = 3;

// Opens the journal (OpenStackFile: a FIFO or a hard-linked journal is refused, never written
// through), first creating it empty if it does not exist. Creation goes through
// WriteNewFile, so the name appears only as a durable, mode 0600 file (whatever the umask), and
// a concurrent creator's file is kept.
Result<int> OpenOrCreate(Env& env, const Dir& dir) {
  for (int attempt = 0; attempt < kOpenAttempts; ++attempt) {
    Result<int> opened = OpenStackFile(env, dir, kJournalFileName, O_RDWR);
    if (opened.ok() || opened.status().code() != Code::kNotFound) return opened;
    const Status created = WriteNewFile(env, dir, kJournalFileName, [](ByteSink&) { return Status::OK(); });
    if (!created.ok() && created.code() != Code::kAlreadyExists) return created;
  }
  return Status::IoError("open (removed while being opened)", dir.Join(kJournalFileName), ENOENT);
}

// Waits for the OFD lock; it is released when the fd is closed.
Status LockForAppend(Env& env, const UniqueFd& file) {
  SEALSTATE_ASSIGN_OR_RETURN(const bool locked, env.OfdLock(file.get(), LockWait::kWait, file.what()));
  if (!locked) return Status::Internal("lock " + file.what() + ": not acquired although waiting");
  return Status::OK();
}

// Opens the journal (creating it) and waits for its OFD lock. A compaction replaces the journal
// by a new file while it holds the lock, so a lock won on the file it replaced (no links left)
// is dropped and the journal opened again.
Result<UniqueFd> OpenLockedForAppend(Env& env, const Dir& dir) {
  for (;;) {
    SEALSTATE_ASSIGN_OR_RETURN(const int fd, OpenOrCreate(env, dir));
    UniqueFd file(env, fd, dir.Join(kJournalFileName));
    SEALSTATE_RETURN_IF_ERROR(LockForAppend(env, file));
    SEALSTATE_ASSIGN_OR_RETURN(const struct stat info, env.Stat(file.get(), file.what()));
    if (info.st_nlink > 0) return file;
    SEALSTATE_RETURN_IF_ERROR(file.Close());
  }
}

// Exactly the bytes [offset, offset + length) into `buffer`, looping over short reads.
Status ReadRange(Env& env, const UniqueFd& file, off_t offset, char* buffer, std::size_t length) {
  std::size_t done = 0;
  while (done < length) {
    SEALSTATE_ASSIGN_OR_RETURN(const std::size_t n, env.ReadAt(file.get(), buffer + done, length - done,
                                                               offset + static_cast<off_t>(done), file.what()));
    if (n == 0) return Status::IoError("read (unexpected end of file)", file.what(), EIO);
    done += n;
  }
  return Status::OK();
}

// What LastNewlineBefore returns when it finds no newline.
constexpr off_t kNoNewline = -1;           // none before `end`: the file starts there
constexpr off_t kNewlineBeyondLimit = -2;  // none within the window's limit

// The last `limit` bytes (at most) of the journal, read backwards only as far as a search needs.
// The held bytes grow by doubling, so each byte is read once and copied O(1) times on average.
class TailWindow {
 public:
  TailWindow(Env& env, const UniqueFd& file, off_t size, off_t limit)
      : env_(env), file_(file), floor_(size - std::min(size, limit)), start_(size), end_(size) {}

  // The offset of the last '\n' before `end` (<= the size); kNoNewline if there is none in the
  // file, kNewlineBeyondLimit if there is none within the limit.
  Result<off_t> LastNewlineBefore(off_t end) {
    for (;;) {
      if (end > start_) {
        const std::size_t newline = bytes_.rfind('\n', static_cast<std::size_t>(end - start_ - 1));
        if (newline != std::string::npos) return start_ + static_cast<off_t>(newline);
      }
      if (start_ == floor_) return floor_ == 0 ? kNoNewline : kNewlineBeyondLimit;
      SEALSTATE_RETURN_IF_ERROR(Extend());
    }
  }

  // The bytes [from, to); REQUIRES: from >= the start of what was read (a found newline + 1).
  std::string_view Bytes(off_t from, off_t to) const {
    return std::string_view(bytes_).substr(static_cast<std::size_t>(from - start_),
                                           static_cast<std::size_t>(to - from));
  }

 private:
  // Reads as many bytes as are held (at least kChunk, at most down to the floor) before them.
  Status Extend() {
    const off_t step = std::max<off_t>(kChunk, end_ - start_);
    const off_t from = std::max(floor_, start_ - step);
    const auto before = static_cast<std::size_t>(start_ - from);
    std::string grown(before + bytes_.size(), '\0');
    SEALSTATE_RETURN_IF_ERROR(ReadRange(env_, file_, from, grown.data(), before));
    std::copy(bytes_.begin(), bytes_.end(), grown.begin() + static_cast<std::ptrdiff_t>(before));
    bytes_ = std::move(grown);
    start_ = from;
    return Status::OK();
  }

  Env& env_;
  const UniqueFd& file_;
  const off_t floor_;  // never read before this offset
  off_t start_;        // the offset of bytes_[0]
  const off_t end_;    // the size
  std::string bytes_;  // [start_, end_)
};

// Where the next line goes and the seq of the last complete line (0 if none), the last line of
// the history and the one before it (when they decode; settling lines skipped), which the next
// line's MAC and mark follow, and the line that settled the last one (when it is the file's last).
struct Tail {
  off_t end = 0;
  std::uint64_t last_seq = 0;
  std::optional<JournalEvent> last;
  std::optional<JournalEvent> before_last;
  std::optional<JournalEvent> settled;
};

Status TornTailTooLong(const std::string& what) {
  return Status::Integrity("journal " + what +
                           ": more than 1 MiB of unterminated or malformed lines at the end: "
                           "not a torn append but corruption; refusing to append (inspect the end of the journal, "
                           "then truncate it after its last intact line or move it aside)");
}

Status LineTooLong(const std::string& what, off_t newline) {
  return Status::Integrity("journal " + what + ": the line ending at byte " + std::to_string(newline) +
                           " is longer than 1 MiB: corruption; refusing to append (inspect the journal, then "
                           "truncate it after its last intact line or move it aside)");
}

// The last line of the history (not a settling line) that ends at or before `newline`
// (kNoNewline: none), if it decodes and is within the window; `newline` moves to the newline
// before it.
std::optional<JournalEvent> HistoryLineBefore(TailWindow& tail, off_t& newline) {
  while (newline >= 0) {
    Result<off_t> previous = tail.LastNewlineBefore(newline);
    if (!previous.ok() || *previous == kNewlineBeyondLimit) return std::nullopt;
    Result<JournalEvent> event = DecodeJournalEvent(tail.Bytes(*previous + 1, newline));
    newline = *previous;
    if (!event.ok()) return std::nullopt;
    if (!IsSettledLine(*event)) return std::move(event).value();
  }
  return std::nullopt;
}

// The end of the last complete line that decodes, and its seq. Skips back over the torn tail a
// power cut leaves: an unterminated last line, and complete lines that do not decode (the
// unsynced part of the append in flight may come back zero-filled or as garbage, newlines
// included). A torn tail longer than kMaxTornTailBytes, or a line before it longer than
// kMaxJournalLineBytes, is corruption: kIntegrity. Reads at most the sum of the two.
Result<Tail> FindIntactEnd(Env& env, const UniqueFd& file, off_t size) {
  // The newline before a longest line ending where the longest torn tail begins is the first byte.
  TailWindow tail(env, file, size, static_cast<off_t>(kMaxTornTailBytes + kMaxJournalLineBytes + 1));
  const auto torn_too_long = [&](off_t newline) {
    return newline == kNewlineBeyondLimit || size - (newline + 1) > static_cast<off_t>(kMaxTornTailBytes);
  };
  SEALSTATE_ASSIGN_OR_RETURN(off_t newline, tail.LastNewlineBefore(size));
  for (;;) {
    if (torn_too_long(newline)) return TornTailTooLong(file.what());
    if (newline == kNoNewline) return Tail{};
    SEALSTATE_ASSIGN_OR_RETURN(const off_t previous, tail.LastNewlineBefore(newline));
    if (previous == kNewlineBeyondLimit) return LineTooLong(file.what(), newline);
    Result<JournalEvent> event = DecodeJournalEvent(tail.Bytes(previous + 1, newline));
    if (event.ok()) {
      Tail found{newline + 1, event->seq, std::move(event).value(), std::nullopt, std::nullopt};
      off_t before = previous;
      if (IsSettledLine(*found.last)) {
        found.settled = std::move(found.last);
        found.last = HistoryLineBefore(tail, before);
      }
      found.before_last = HistoryLineBefore(tail, before);
      return found;
    }
    newline = previous;
  }
}

// Truncates the torn tail after the last intact line (left by a crash), and leaves the fd's
// offset at the end.
Result<Tail> RepairTail(Env& env, const UniqueFd& file) {
  SEALSTATE_ASSIGN_OR_RETURN(off_t size, env.SeekEnd(file.get(), file.what()));
  SEALSTATE_ASSIGN_OR_RETURN(const Tail tail, FindIntactEnd(env, file, size));
  if (tail.end != size) {
    SEALSTATE_RETURN_IF_ERROR(env.Truncate(file.get(), tail.end, file.what()));
    SEALSTATE_ASSIGN_OR_RETURN(size, env.SeekEnd(file.get(), file.what()));  // the offset was past the end
    if (size != tail.end) return Status::IoError("truncate (size did not change)", file.what(), EIO);
  }
  return tail;
}

// Writes `line` at the fd's offset (== end) and fsyncs unless `sync` defers it. A failed write
// leaves no partial line behind (best effort); after a failed fsync the line may or may not be
// there.
Status WriteLine(Env& env, const UniqueFd& file, off_t end, std::string_view line, JournalSync sync) {
  FdSink sink(env, file.get(), file.what());
  Status written = sink.Append(line);
  if (written.ok()) written = sink.Flush();
  if (!written.ok()) {
    (void)env.Truncate(file.get(), end, file.what());  // best effort; a torn line is also repaired later
    return written;
  }
  return sync == JournalSync::kNow ? env.Fsync(file.get(), file.what()) : Status::OK();
}

// Splits the journal into lines as it is read and decodes each complete one. Malformed lines
// are an error only when an intact line follows them (or they span more than
// kMaxTornTailBytes): at the end they are the torn tail of a crashed append, as the appender
// treats them. A line longer than kMaxJournalLineBytes is an error wherever it is, so at most
// that much is held.
class LineDecoder {
 public:
  explicit LineDecoder(std::uint64_t since_seq) : since_seq_(since_seq) {}

  // Decodes every line completed by `data`; keeps the unterminated rest for the next call.
  Status Feed(std::string_view data) {
    for (std::size_t newline = data.find('\n'); newline != std::string_view::npos; newline = data.find('\n')) {
      SEALSTATE_RETURN_IF_ERROR(Collect(data.substr(0, newline)));
      data.remove_prefix(newline + 1);
      SEALSTATE_RETURN_IF_ERROR(DecodePending());
    }
    return Collect(data);
  }

  // The events decoded so far. An unterminated last line and malformed lines at the end (torn)
  // are dropped.
  std::vector<JournalEvent> TakeEvents() { return std::move(events_); }

 private:
  // Adds `part` to the line being collected.
  Status Collect(std::string_view part) {
    if (pending_.size() + part.size() >= kMaxJournalLineBytes) {
      return Status::Integrity("journal: line " + std::to_string(line_number_ + 1) +
                               ": longer than 1 MiB (the most a journal line holds): corruption");
    }
    pending_.append(part);
    return Status::OK();
  }

  Status DecodePending() {
    ++line_number_;
    Result<JournalEvent> event = DecodeJournalEvent(pending_);
    const std::size_t length = pending_.size() + 1;
    pending_.clear();
    if (!event.ok()) {
      if (first_malformed_.ok()) {
        first_malformed_ =
            Status::Integrity("journal: line " + std::to_string(line_number_) + ": " + event.status().message());
      }
      malformed_bytes_ += length;
      if (malformed_bytes_ > kMaxTornTailBytes) return first_malformed_;
      return Status::OK();
    }
    SEALSTATE_RETURN_IF_ERROR(first_malformed_);  // an intact line after a malformed one
    if (event->seq > since_seq_ && !IsSettledLine(*event)) events_.push_back(std::move(event).value());
    return Status::OK();
  }

  std::uint64_t since_seq_;
  std::uint64_t line_number_ = 0;
  std::string pending_;
  std::vector<JournalEvent> events_;
  Status first_malformed_;
  std::size_t malformed_bytes_ = 0;
};

}  // namespace

Status CheckJournalLineLength(JournalEvent event) {
  event.seq = std::numeric_limits<std::uint64_t>::max();
  // The authentication members the append adds (SealJournalEvent), at their longest (a settling
  // line is no longer than the "set-current" line it settles).
  event.current = std::string(kMaxNameBytes, 'r');
  event.mac_key = std::string(kJournalMacKeyIdBytes, 'k');
  event.mac = std::string(kJournalMacHexBytes, 'm');
  const std::size_t length = EncodeJournalEvent(event).size() + 1;
  if (length <= kMaxJournalLineBytes) return Status::OK();
  return Status::InvalidArgument("journal event \"" + event.event + "\": its line of " + std::to_string(length) +
                                 " bytes is longer than 1 MiB, the most a journal line holds (shorten its detail)");
}

JournalFile::JournalFile(Env& env, const Dir& stack_dir, std::shared_ptr<const JournalMacKey> mac_key,
                         CurrentReader read_current)
    : env_(env), dir_(stack_dir), mac_key_(std::move(mac_key)), read_current_(std::move(read_current)) {}

namespace {

// The line that settles `intent` with `current`; its MAC is chained to the intent's.
JournalEvent SettlingEvent(const JournalEvent& intent, std::string current, Timestamp now) {
  JournalEvent settled = intent;
  settled.event = std::string(kSettledEvent);
  settled.time = now;
  settled.detail.clear();
  settled.current = std::move(current);
  return settled;
}

std::string LineOf(const JournalEvent& event) { return EncodeJournalEvent(event) + "\n"; }

// `lines` (written at offset `start`) with spaces before their last newline, so that they end on
// a sector boundary: the appends after them then never rewrite the sector that holds their end,
// which a power cut during such an append could tear (the synced intent of a move would be lost).
std::string EndOnSectorBoundary(std::string lines, off_t start) {
  const std::size_t end = static_cast<std::size_t>(start) + lines.size();
  const std::size_t pad = (kJournalSectorBytes - end % kJournalSectorBytes) % kJournalSectorBytes;
  lines.insert(lines.size() - 1, pad, ' ');
  return lines;
}

}  // namespace

std::string JournalFile::SettleUnsettledMove(const std::optional<JournalEvent>& last,
                                             std::optional<JournalEvent>& settled) {
  if (!last || last->event != "set-current" || settled || !read_current_ || !mac_key_) return "";
  std::string current = last->rev;
  Result<std::string> pointer = read_current_();
  if (pointer.ok() && *pointer != current) {
    const JournalMacKeys own{mac_key_};
    Result<std::vector<JournalEvent>> tail = ReadBackTo(own);
    if (tail.ok() && CheckCurrentAgainstJournal("", *pointer, *tail, own, JournalMoves::kSettledAfter).ok())
      current = *pointer;
  }
  JournalEvent line = SettlingEvent(*last, std::move(current), env_.Now());
  SealJournalEvent(line, &*last, nullptr, mac_key_.get());
  settled = line;
  return LineOf(line);
}

Result<std::uint64_t> JournalFile::Append(JournalEvent event, JournalSync sync) {
  if (event.time == Timestamp{}) event.time = env_.Now();
  SEALSTATE_RETURN_IF_ERROR(CheckJournalLineLength(event));
  SEALSTATE_ASSIGN_OR_RETURN(UniqueFd file, OpenLockedForAppend(env_, dir_));
  SEALSTATE_ASSIGN_OR_RETURN(Tail tail, RepairTail(env_, file));
  std::string lines = SettleUnsettledMove(tail.last, tail.settled);
  event.seq = tail.last_seq + 1;
  SealJournalEvent(event, tail.last ? &*tail.last : nullptr, tail.before_last ? &*tail.before_last : nullptr,
                   mac_key_.get(), tail.settled ? &*tail.settled : nullptr);
  lines += LineOf(event);
  SEALSTATE_RETURN_IF_ERROR(WriteLine(env_, file, tail.end, lines, sync));
  SEALSTATE_RETURN_IF_ERROR(file.Close());  // also releases the lock
  return event.seq;
}

Result<std::uint64_t> JournalFile::AppendMove(JournalEvent intent, const std::function<Status()>& check,
                                              const std::function<Status()>& move, bool& moved) {
  moved = false;
  if (intent.time == Timestamp{}) intent.time = env_.Now();
  SEALSTATE_RETURN_IF_ERROR(CheckJournalLineLength(intent));
  SEALSTATE_ASSIGN_OR_RETURN(UniqueFd file, OpenLockedForAppend(env_, dir_));
  SEALSTATE_ASSIGN_OR_RETURN(Tail tail, RepairTail(env_, file));
  SEALSTATE_RETURN_IF_ERROR(check());
  std::string lines = SettleUnsettledMove(tail.last, tail.settled);
  intent.seq = tail.last_seq + 1;
  SealJournalEvent(intent, tail.last ? &*tail.last : nullptr, tail.before_last ? &*tail.before_last : nullptr,
                   mac_key_.get(), tail.settled ? &*tail.settled : nullptr);
  lines = EndOnSectorBoundary(lines + LineOf(intent), tail.end);
  SEALSTATE_RETURN_IF_ERROR(WriteLine(env_, file, tail.end, lines, JournalSync::kNow));
  SEALSTATE_RETURN_IF_ERROR(move());  // the intent stays unsettled: the next append settles it
  moved = true;
  JournalEvent settled = SettlingEvent(intent, intent.rev, env_.Now());
  SealJournalEvent(settled, &intent, nullptr, mac_key_.get());
  // Synced and padded like the intent: unsynced, the next append's write could leave it damaged
  // before intact lines after a power cut (corruption). Best effort: without it the intent stays
  // unsettled until the next append, which the rollback check tolerates.
  const off_t end = tail.end + static_cast<off_t>(lines.size());
  (void)WriteLine(env_, file, end, EndOnSectorBoundary(LineOf(settled), end), JournalSync::kNow);
  (void)file.Close();  // also releases the lock; only read since the fsync, or the settling line
  return intent.seq;
}

Status JournalFile::UnderAppendLock(const std::function<Status()>& look) {
  SEALSTATE_ASSIGN_OR_RETURN(UniqueFd file, OpenLockedForAppend(env_, dir_));
  Status looked = look();
  SEALSTATE_RETURN_IF_ERROR(file.Close());  // also releases the lock
  return looked;
}

Status JournalFile::AppendAll(std::vector<JournalEvent> events) {
  if (events.empty()) return Status::OK();
  for (JournalEvent& event : events) {
    if (event.time == Timestamp{}) event.time = env_.Now();
    SEALSTATE_RETURN_IF_ERROR(CheckJournalLineLength(event));
  }
  SEALSTATE_ASSIGN_OR_RETURN(UniqueFd file, OpenLockedForAppend(env_, dir_));
  SEALSTATE_ASSIGN_OR_RETURN(Tail tail, RepairTail(env_, file));
  std::string lines = SettleUnsettledMove(tail.last, tail.settled);
  std::uint64_t seq = tail.last_seq;
  std::optional<JournalEvent> before_previous = tail.before_last;
  std::optional<JournalEvent> previous = tail.last;
  std::optional<JournalEvent> settled = tail.settled;
  for (JournalEvent& event : events) {
    event.seq = ++seq;
    SealJournalEvent(event, previous ? &*previous : nullptr, before_previous ? &*before_previous : nullptr,
                     mac_key_.get(), settled ? &*settled : nullptr);
    settled.reset();
    lines += EncodeJournalEvent(event) + "\n";
    before_previous = std::move(previous);
    previous = event;
  }
  SEALSTATE_RETURN_IF_ERROR(WriteLine(env_, file, tail.end, lines, JournalSync::kNow));
  return file.Close();  // also releases the lock
}

Result<std::vector<JournalEvent>> JournalFile::ReadBackTo(const JournalMacKeys& keys) {
  Result<int> opened = OpenStackFile(env_, dir_, kJournalFileName, O_RDONLY);
  if (!opened.ok()) {
    if (opened.status().code() == Code::kNotFound) return std::vector<JournalEvent>{};
    return opened.status();
  }
  UniqueFd file(env_, *opened, dir_.Join(kJournalFileName));
  SEALSTATE_ASSIGN_OR_RETURN(const off_t size, env_.SeekEnd(file.get(), file.what()));
  SEALSTATE_ASSIGN_OR_RETURN(const Tail intact, FindIntactEnd(env_, file, size));
  std::vector<JournalEvent> newest_first;
  TailWindow window(env_, file, intact.end, intact.end);
  bool found = false;
  int history_after_found = 0;  // lines of the history read after (older than) the found one
  int history_needed = 1;       // the line it is chained to; two for a move not settled
  for (off_t newline = intact.end - 1; newline >= 0 && history_after_found < history_needed;) {
    SEALSTATE_ASSIGN_OR_RETURN(const off_t previous, window.LastNewlineBefore(newline));
    Result<JournalEvent> event = DecodeJournalEvent(window.Bytes(previous + 1, newline));
    if (!event.ok()) return Status::Integrity("journal " + file.what() + ": " + event.status().message());
    newest_first.push_back(std::move(event).value());
    const JournalEvent& line = newest_first.back();
    if (found && !IsSettledLine(line)) ++history_after_found;
    if (!found && JournalMacKeyNamed(keys, line.mac_key) != nullptr) {
      found = true;
      if (line.event == "set-current") history_needed = 2;
    }
    newline = previous;
  }
  SEALSTATE_RETURN_IF_ERROR(file.Close());
  return std::vector<JournalEvent>(newest_first.rbegin(), newest_first.rend());
}

Result<std::vector<JournalEvent>> JournalFile::Read(std::uint64_t since_seq) {
  Result<int> opened = OpenStackFile(env_, dir_, kJournalFileName, O_RDONLY);
  if (!opened.ok()) {
    if (opened.status().code() == Code::kNotFound) return std::vector<JournalEvent>{};
    return opened.status();
  }
  UniqueFd file(env_, *opened, dir_.Join(kJournalFileName));
  LineDecoder decoder(since_seq);
  std::string buffer(kChunk, '\0');
  for (;;) {
    SEALSTATE_ASSIGN_OR_RETURN(const std::size_t n, env_.Read(file.get(), buffer.data(), buffer.size(), file.what()));
    if (n == 0) break;
    SEALSTATE_RETURN_IF_ERROR(decoder.Feed(std::string_view(buffer.data(), n)));
  }
  SEALSTATE_RETURN_IF_ERROR(file.Close());
  return decoder.TakeEvents();
}

namespace {

// Where the kept part of a journal starts (JournalFile::Compact).
struct KeptStart {
  off_t offset = 0;           // the first byte of the first kept line
  std::uint64_t seq = 0;      // its seq
  std::uint64_t dropped = 0;  // the lines before it
  std::string previous_mac;   // the mac of the line before it
};

// Reads the journal from its start up to `end` (the end of its last intact line) to the first
// line with seq >= first_kept_seq. Every line before it must decode (kIntegrity naming the line).
// Settling lines are neither counted as dropped nor chained to.
Result<KeptStart> FindKeptStart(Env& env, const UniqueFd& file, off_t end, std::uint64_t first_kept_seq) {
  KeptStart start;
  std::string pending;
  std::string buffer(kChunk, '\0');
  for (off_t offset = 0; offset < end;) {
    const auto want = static_cast<std::size_t>(std::min<off_t>(static_cast<off_t>(buffer.size()), end - offset));
    SEALSTATE_RETURN_IF_ERROR(ReadRange(env, file, offset, buffer.data(), want));
    std::string_view data(buffer.data(), want);
    for (std::size_t newline = data.find('\n'); newline != std::string_view::npos; newline = data.find('\n')) {
      pending.append(data.substr(0, newline));
      const off_t line_start = offset + static_cast<off_t>(newline) - static_cast<off_t>(pending.size());
      Result<JournalEvent> event = DecodeJournalEvent(pending);
      if (!event.ok()) {
        return Status::Integrity("journal " + file.what() + ": line " + std::to_string(start.dropped + 1) + ": " +
                                 event.status().message());
      }
      if (event->seq >= first_kept_seq) return KeptStart{line_start, event->seq, start.dropped, start.previous_mac};
      if (!IsSettledLine(*event)) {  // the chain skips settling lines (SealJournalEvent)
        ++start.dropped;
        start.previous_mac = event->mac;
      }
      pending.clear();
      offset += static_cast<off_t>(newline + 1);
      data.remove_prefix(newline + 1);
    }
    if (pending.size() + data.size() >= kMaxJournalLineBytes) return LineTooLong(file.what(), offset);
    pending.append(data);
    offset += static_cast<off_t>(data.size());
  }
  return Status::Internal("journal " + file.what() + ": no line with seq " + std::to_string(first_kept_seq) +
                          " although the last line has a higher one");
}

// Writes the bytes [from, to) of `file` to `sink`.
Status CopyRange(Env& env, const UniqueFd& file, off_t from, off_t to, ByteSink& sink) {
  std::string buffer(kChunk, '\0');
  for (off_t offset = from; offset < to;) {
    const auto want = static_cast<std::size_t>(std::min<off_t>(static_cast<off_t>(buffer.size()), to - offset));
    SEALSTATE_RETURN_IF_ERROR(ReadRange(env, file, offset, buffer.data(), want));
    SEALSTATE_RETURN_IF_ERROR(sink.Append(std::string_view(buffer.data(), want)));
    offset += static_cast<off_t>(want);
  }
  return Status::OK();
}

}  // namespace

Result<JournalCompaction> JournalFile::Compact(std::uint64_t first_kept_seq, JournalEvent mark) {
  if (mark.time == Timestamp{}) mark.time = env_.Now();
  SEALSTATE_ASSIGN_OR_RETURN(UniqueFd file, OpenLockedForAppend(env_, dir_));
  SEALSTATE_ASSIGN_OR_RETURN(Tail tail, RepairTail(env_, file));
  if (first_kept_seq > tail.last_seq) {
    return Status::InvalidArgument("journal " + file.what() + ": cannot keep only the events from seq " +
                                   std::to_string(first_kept_seq) + " on: the last event is seq " +
                                   std::to_string(tail.last_seq) + " (the newest event is always kept)");
  }
  SEALSTATE_ASSIGN_OR_RETURN(const KeptStart kept, FindKeptStart(env_, file, tail.end, first_kept_seq));
  if (kept.dropped == 0) {
    SEALSTATE_RETURN_IF_ERROR(file.Close());
    return JournalCompaction{.first_kept_seq = kept.seq, .dropped = 0, .mark_seq = 0};
  }
  mark.event = std::string(kJournalCompactedEvent);
  mark.detail =
      FormatCompactionDetail({.first_kept_seq = kept.seq, .dropped = kept.dropped, .chain_from = kept.previous_mac});
  SEALSTATE_RETURN_IF_ERROR(CheckJournalLineLength(mark));
  std::string lines = SettleUnsettledMove(tail.last, tail.settled);
  mark.seq = tail.last_seq + 1;
  SealJournalEvent(mark, tail.last ? &*tail.last : nullptr, tail.before_last ? &*tail.before_last : nullptr,
                   mac_key_.get(), tail.settled ? &*tail.settled : nullptr);
  // The new file ends on a sector boundary, as a move's lines do (AppendMove): the appends after
  // it then never rewrite the sector that holds the compaction line's end.
  lines = EndOnSectorBoundary(lines + LineOf(mark), tail.end - kept.offset);
  const auto produce = [&](ByteSink& sink) -> Status {
    SEALSTATE_RETURN_IF_ERROR(CopyRange(env_, file, kept.offset, tail.end, sink));
    return sink.Append(lines);
  };
  SEALSTATE_RETURN_IF_ERROR(ReplaceFile(env_, dir_, kJournalFileName, produce));
  SEALSTATE_RETURN_IF_ERROR(file.Close());  // also releases the lock (of the replaced file)
  return JournalCompaction{.first_kept_seq = kept.seq, .dropped = kept.dropped, .mark_seq = mark.seq};
}

}  // namespace sealstate::internal
