// PosixProcessProbe: process identity from /proc, kill(2), gethostname(2) and the passwd database.
//
// The /proc reads here are the only file accesses of the lock code that bypass the store's Env
// (they go through Env::Default()): they read kernel state, not store files, so there is nothing
// for a fault-injecting Env to simulate.
#include "lock/process_identity.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <mutex>
#include <vector>

#include "io/env.h"
#include "io/unique_fd.h"
#include "text/trim.h"

namespace sealstate::internal {
namespace {

// Field 22 of /proc/<pid>/stat counted from 1; the fields after the command's closing ')'
// start at field 3 (the state).
constexpr int kStartTimeField = 22;
constexpr int kFirstFieldAfterComm = 3;

// The whole of a small /proc file, or nullopt if it cannot be opened or read.
std::optional<std::string> ReadProcFile(const std::string& path) {
  Env& env = *Env::Default();
  Result<int> fd = env.Open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (!fd.ok()) return std::nullopt;
  const UniqueFd file(env, *fd, path);  // only read: its close cannot lose data
  std::string content;
  char buffer[1024];
  for (;;) {
    const Result<std::size_t> n = env.Read(file.get(), buffer, sizeof buffer, path);
    if (!n.ok()) return std::nullopt;
    if (*n == 0) break;
    content.append(buffer, *n);
  }
  return content;
}

// The fields of a /proc/<pid>/stat line after the command name. The command (field 2) is in
// parentheses and may itself contain spaces and parentheses, so split after the LAST ')'.
std::vector<std::string_view> FieldsAfterComm(std::string_view stat) {
  std::vector<std::string_view> fields;
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return fields;
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    const std::size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const std::size_t end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  return fields;
}

struct StatLine {
  char state = '?';
  std::uint64_t start_time = 0;
};

std::optional<StatLine> ParseStatLine(std::string_view stat) {
  const std::vector<std::string_view> fields = FieldsAfterComm(stat);
  const std::size_t start_index = kStartTimeField - kFirstFieldAfterComm;
  if (fields.size() <= start_index || fields[0].empty()) return std::nullopt;
  StatLine line;
  line.state = fields[0][0];
  const std::string_view digits = fields[start_index];
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), line.start_time);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return line;
}

std::optional<StatLine> ReadStatLine(const std::string& pid_dir) {
  const std::optional<std::string> stat = ReadProcFile("/proc/" + pid_dir + "/stat");
  if (!stat) return std::nullopt;
  return ParseStatLine(*stat);
}

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

std::string EffectiveUserName() {
  const uid_t uid = ::geteuid();
  struct passwd entry;
  struct passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr && found->pw_name[0] != '\0') {
    return found->pw_name;
  }
  return std::to_string(uid);
}

ProcessIdentity ReadSelf() {
  ProcessIdentity self;
  self.pid = ::getpid();
  if (const std::optional<StatLine> line = ReadStatLine("self")) self.start_time = line->start_time;
  self.boot_id = std::string(TrimEnd(ReadProcFile("/proc/sys/kernel/random/boot_id").value_or(""), "\n\r "));
  self.host = HostName();
  self.user = EffectiveUserName();
  return self;
}

// kill(pid, 0): a process exists unless ESRCH (EPERM: it exists but is not ours).
bool ProcessExists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

class PosixProcessProbe final : public ProcessProbe {
 public:
  // Computed once per process; recomputed in a forked child (whose pid differs).
  const ProcessIdentity& Self() override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!self_ || self_->pid != ::getpid()) self_ = ReadSelf();
    return *self_;
  }

  // A zombie (or dead) process counts as gone: it has closed its files, so its OFD lock is gone.
  // When /proc cannot be read for a process that exists, returns 0 (start time unknown).
  std::optional<std::uint64_t> StartTimeOf(std::int64_t pid) override {
    if (pid <= 0 || pid > INT_MAX) return std::nullopt;  // kill(0 or -1, ...) would mean groups
    const pid_t p = static_cast<pid_t>(pid);
    if (!ProcessExists(p)) return std::nullopt;
    const std::optional<StatLine> line = ReadStatLine(std::to_string(pid));
    if (!line) return ProcessExists(p) ? std::optional<std::uint64_t>(0) : std::nullopt;
    if (line->state == 'Z' || line->state == 'X' || line->state == 'x') return std::nullopt;
    return line->start_time;
  }

 private:
  std::mutex mutex_;
  std::optional<ProcessIdentity> self_;
};

}  // namespace

ProcessProbe* ProcessProbe::Default() {
  static PosixProcessProbe* probe = new PosixProcessProbe();  // never destroyed
  return probe;
}

}  // namespace sealstate::internal
