#include "store/consumer_checkpoint.h"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <string>

#include <sealstate/names.h>

#include "io/durable_file.h"
#include "io/read_at_most.h"
#include "io/stack_file.h"
#include "io/unique_fd.h"
#include "lock/deadline.h"
#include "store/stack_layout.h"
#include "text/go_quote.h"
#include "text/trim.h"

namespace sealstate::internal {
namespace {

// A checkpoint file holds a uint64 in decimal and a newline: far less than this.
constexpr std::size_t kMaxCheckpointBytes = 64;

Result<std::string> CheckpointFileName(std::string_view name) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("consumer", name));
  return std::string(kConsumerFilePrefix) + std::string(name);
}

Result<std::uint64_t> ParseCheckpoint(std::string_view content, const std::string& path) {
  const std::string_view digits = Trim(content, "\n");
  std::uint64_t seq = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    return Status::Integrity(path + " is not a journal checkpoint (a decimal sequence number): it holds " +
                             GoQuote(content.substr(0, kMaxCheckpointBytes)) +
                             "; store a new one with `sealstate log --consumer NAME` or remove the file");
  }
  return seq;
}

// Empties the watch's queue of events (one read: whatever is left keeps it readable, which
// costs one more look at the journal, nothing else).
void DrainWatch(Env& env, const UniqueFd& watch, const std::string& what) {
  std::array<char, 16 * 1024> events;
  (void)env.Read(watch.get(), events.data(), events.size(), what);
}

}  // namespace

Result<std::uint64_t> ReadConsumerCheckpoint(Env& env, const Dir& stack_dir, std::string_view name) {
  SEALSTATE_ASSIGN_OR_RETURN(const std::string file_name, CheckpointFileName(name));
  const std::string path = stack_dir.Join(file_name);
  Result<int> fd = OpenStackFile(env, stack_dir, file_name, O_RDONLY);
  if (!fd.ok() && fd.status().code() == Code::kNotFound) return 0;
  if (!fd.ok()) return fd.status();
  const UniqueFd file(env, *fd, path);  // only read: its close cannot lose data
  std::string content(kMaxCheckpointBytes + 1, '\0');
  SEALSTATE_ASSIGN_OR_RETURN(const std::size_t size, ReadAtMost(env, file.get(), content.data(), content.size(), path));
  content.resize(size);
  return ParseCheckpoint(content, path);
}

Status WriteConsumerCheckpoint(Env& env, const Dir& stack_dir, std::string_view name, std::uint64_t seq) {
  SEALSTATE_ASSIGN_OR_RETURN(const std::string file_name, CheckpointFileName(name));
  return ReplaceFile(env, stack_dir, file_name, std::to_string(seq) + "\n");
}

Result<std::vector<std::pair<std::string, std::uint64_t>>> ListConsumerCheckpoints(Env& env, const Dir& stack_dir) {
  SEALSTATE_ASSIGN_OR_RETURN(const std::vector<std::string> names, env.ListDir(stack_dir));
  std::vector<std::pair<std::string, std::uint64_t>> checkpoints;
  for (const std::string& file_name : names) {
    if (!file_name.starts_with(kConsumerFilePrefix)) continue;
    const std::string name = file_name.substr(kConsumerFilePrefix.size());
    if (!ValidateName("consumer", name).ok()) continue;  // e.g. a temp file of a checkpoint being stored
    SEALSTATE_ASSIGN_OR_RETURN(const std::uint64_t seq, ReadConsumerCheckpoint(env, stack_dir, name));
    checkpoints.emplace_back(name, seq);
  }
  std::sort(checkpoints.begin(), checkpoints.end());
  return checkpoints;
}

Result<bool> WaitForJournalEvents(Env& env, const Dir& stack_dir, JournalFile& journal, std::uint64_t after_seq,
                                  std::chrono::milliseconds timeout, const CancelCheck& cancelled) {
  const std::string what = stack_dir.path + " (watching for journal events)";
  SEALSTATE_ASSIGN_OR_RETURN(const int watch_fd, env.WatchDir(stack_dir));
  const UniqueFd watch(env, watch_fd, what);
  const Deadline deadline(timeout);
  for (;;) {
    SEALSTATE_ASSIGN_OR_RETURN(const std::vector<JournalEvent> events, journal.Read(after_seq));
    if (!events.empty()) return true;
    if (cancelled && cancelled()) return Status::Cancelled("local store: waiting for journal events was cancelled");
    if (deadline.Passed()) return false;
    // A day at most per wait, as the lock's waiters do; kJournalCancelPoll when cancellable.
    const std::chrono::milliseconds slice = deadline.Remaining(cancelled ? kJournalCancelPoll : std::chrono::hours(24));
    SEALSTATE_ASSIGN_OR_RETURN(const bool woken, env.WaitReadable(watch.get(), slice, what));
    if (woken) DrainWatch(env, watch, what);
  }
}

}  // namespace sealstate::internal
