#include "support/crash_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>

namespace sealstate::testing {
namespace {

constexpr std::size_t kSector = 512;
// 2024-01-01T00:00:00Z: revisions made by the workload sort before any made later in real time.
constexpr std::int64_t kClockBase = 1704067200;

bool IsWriteOpen(int flags) { return (flags & (O_CREAT | O_TRUNC)) != 0; }

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("open", path, errno == 0 ? EIO : errno);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Status WriteWholeFile(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("open", path, errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return Status::IoError("write", path, err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return Status::IoError("close", path, errno);
  return Status::OK();
}

std::uint64_t Draw(std::mt19937_64& rng, std::uint64_t bound) {  // uniform in [0, bound)
  return bound == 0 ? 0 : rng() % bound;
}

// `bytes` from `cut` on replaced by zeros (zero = true) or random bytes.
std::string FillTail(std::string bytes, std::size_t cut, bool zero, std::mt19937_64& rng) {
  for (std::size_t i = cut; i < bytes.size(); ++i) bytes[i] = zero ? '\0' : static_cast<char>(rng() & 0xff);
  return bytes;
}

// Each sector independently from the old bytes, the new bytes, zeros or garbage, except the
// sectors wholly inside the first `common` bytes (equal in both): those were synced and never
// written since (an append), so they survive as they are.
std::string MixSectors(const std::string& old_bytes, const std::string& new_bytes, std::size_t common,
                       std::mt19937_64& rng) {
  std::string out = Draw(rng, 2) == 0 ? old_bytes : new_bytes;
  for (std::size_t start = 0; start < out.size(); start += kSector) {
    const std::size_t end = std::min(out.size(), start + kSector);
    if (end <= common) continue;
    const std::uint64_t pick = Draw(rng, 4);
    for (std::size_t i = start; i < end; ++i) {
      if (pick == 0) out[i] = i < old_bytes.size() ? old_bytes[i] : '\0';
      if (pick == 1) out[i] = i < new_bytes.size() ? new_bytes[i] : '\0';
      if (pick == 2) out[i] = '\0';
      if (pick == 3) out[i] = static_cast<char>(rng() & 0xff);
    }
  }
  return out;
}

}  // namespace

CrashSimulatingEnv::CrashSimulatingEnv(std::string root, Env* target) : EnvWrapper(target), root_(std::move(root)) {}

// ---- the model ----

int CrashSimulatingEnv::NewFile(std::string bytes) {
  Node node;
  node.synced = bytes;
  node.current = std::move(bytes);
  nodes_.push_back(std::move(node));
  return static_cast<int>(nodes_.size() - 1);
}

int CrashSimulatingEnv::NewDir(const std::string& real_path) {
  Node node;
  node.is_dir = true;
  node.real_path = real_path;
  nodes_.push_back(std::move(node));
  const int id = static_cast<int>(nodes_.size() - 1);
  struct stat st;
  if (::lstat(real_path.c_str(), &st) == 0) {
    dir_by_inode_[st.st_ino] = id;
  } else {
    ModelError("stat " + real_path + " failed");
  }
  return id;
}

Status CrashSimulatingEnv::ScanDir(const std::string& path, int node, std::map<ino_t, int>& file_by_inode) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return Status::IoError("opendir", path, errno);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string child = path + "/" + name;
    struct stat st;
    if (::lstat(child.c_str(), &st) != 0) return Status::IoError("stat", child, errno);
    int id = -1;
    if (S_ISDIR(st.st_mode)) {
      id = NewDir(child);
      SEALSTATE_RETURN_IF_ERROR(ScanDir(child, id, file_by_inode));
    } else if (S_ISREG(st.st_mode)) {
      auto known = file_by_inode.find(st.st_ino);
      if (known != file_by_inode.end()) {
        id = known->second;
      } else {
        SEALSTATE_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(child));
        id = NewFile(std::move(bytes));
        file_by_inode[st.st_ino] = id;
      }
    } else {
      return Status::InvalidArgument("crash env: unexpected file type at " + child);
    }
    nodes_[static_cast<std::size_t>(node)].entries[name] = id;
    nodes_[static_cast<std::size_t>(node)].durable[name] = id;
  }
  return Status::OK();
}

Status CrashSimulatingEnv::Start() {
  nodes_.clear();
  dir_by_inode_.clear();
  file_by_fd_.clear();
  const int root = NewDir(root_);
  std::map<ino_t, int> file_by_inode;  // hard links share a node
  return ScanDir(root_, root, file_by_inode);
}

bool CrashSimulatingEnv::EnterMutation() {
  if (crashed_) return false;
  if (crash_at_ && mutations_ >= *crash_at_) {
    crashed_ = true;
    return false;
  }
  ++mutations_;
  return true;
}

Status CrashSimulatingEnv::Crashed(const std::string& what) const {
  return Status::IoError("simulated power loss at", what, EIO);
}

int CrashSimulatingEnv::DirNodeOf(int dir_fd) {
  struct stat st;
  if (::fstat(dir_fd, &st) != 0 || !S_ISDIR(st.st_mode)) return -1;
  auto found = dir_by_inode_.find(st.st_ino);
  return found == dir_by_inode_.end() ? -1 : found->second;
}

int CrashSimulatingEnv::LiveNode(int dir_node, std::string_view name) const {
  if (dir_node < 0) return -1;
  const Node& dir = nodes_[static_cast<std::size_t>(dir_node)];
  auto found = dir.entries.find(std::string(name));
  return found == dir.entries.end() ? -1 : found->second;
}

void CrashSimulatingEnv::Record(int dir_node, DirOp op) {
  Node& dir = nodes_[static_cast<std::size_t>(dir_node)];
  switch (op.kind) {
    case DirOp::kBind: dir.entries[op.name] = op.node; break;
    case DirOp::kRename:
      dir.entries.erase(op.name);
      dir.entries[op.to] = op.node;
      break;
    case DirOp::kUnlink: dir.entries.erase(op.name); break;
  }
  dir.pending.push_back(std::move(op));
}

void CrashSimulatingEnv::TrackOpened(int fd, int parent, std::string_view name, int flags, bool existed) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ModelError("fstat of a new fd failed");
  if (S_ISDIR(st.st_mode)) return;  // directories are known by inode
  Node& dir = nodes_[static_cast<std::size_t>(parent)];
  const std::string key(name);
  if (existed) {
    const int id = dir.entries[key];
    if (nodes_[static_cast<std::size_t>(id)].is_dir) return ModelError("a directory opened as a file: " + key);
    if ((flags & O_TRUNC) != 0) nodes_[static_cast<std::size_t>(id)].current.clear();
    file_by_fd_[fd] = id;
    return;
  }
  const int id = NewFile("");
  file_by_fd_[fd] = id;
  Record(parent, DirOp{DirOp::kBind, key, "", id});
}

// ---- Env ----

Result<int> CrashSimulatingEnv::Open(const std::string& path, int flags, mode_t mode) {
  if (crashed_ || (IsWriteOpen(flags) && !EnterMutation())) return Crashed(path);
  Result<int> fd = EnvWrapper::Open(path, flags, mode);
  if (fd.ok() && DirNodeOf(*fd) < 0) {
    struct stat st;
    if (::fstat(*fd, &st) == 0 && !S_ISDIR(st.st_mode)) ModelError("Open of a non-directory: " + path);
  }
  return fd;
}

Result<int> CrashSimulatingEnv::OpenAt(const Dir& dir, std::string_view name, int flags, mode_t mode) {
  if (crashed_ || (IsWriteOpen(flags) && !EnterMutation())) return Crashed(dir.Join(name));
  const int parent = DirNodeOf(dir.fd);
  if (parent < 0) {
    ModelError("OpenAt in an unknown directory: " + dir.path);
    return EnvWrapper::OpenAt(dir, name, flags, mode);
  }
  const bool existed = nodes_[static_cast<std::size_t>(parent)].entries.count(std::string(name)) > 0;
  Result<int> fd = EnvWrapper::OpenAt(dir, name, flags, mode);
  if (fd.ok()) TrackOpened(*fd, parent, name, flags, existed);
  return fd;
}

Result<std::size_t> CrashSimulatingEnv::Write(int fd, std::string_view data, const std::string& what) {
  if (!EnterMutation()) return Crashed(what);
  Result<std::size_t> n = EnvWrapper::Write(fd, data, what);
  auto file = file_by_fd_.find(fd);
  if (!n.ok() || file == file_by_fd_.end()) {
    if (file == file_by_fd_.end()) ModelError("Write to an untracked fd: " + what);
    return n;
  }
  const off_t end = ::lseek(fd, 0, SEEK_CUR);
  const auto start = static_cast<std::size_t>(end) - *n;
  std::string& bytes = nodes_[static_cast<std::size_t>(file->second)].current;
  if (bytes.size() < start + *n) bytes.resize(start + *n, '\0');
  bytes.replace(start, *n, data.substr(0, *n));
  return n;
}

Result<std::size_t> CrashSimulatingEnv::Read(int fd, char* buffer, std::size_t capacity, const std::string& what) {
  if (crashed_) return Crashed(what);
  return EnvWrapper::Read(fd, buffer, capacity, what);
}

Status CrashSimulatingEnv::Fsync(int fd, const std::string& what) {
  if (!EnterMutation()) return Crashed(what);
  Status synced = EnvWrapper::Fsync(fd, what);
  if (!synced.ok()) return synced;
  auto file = file_by_fd_.find(fd);
  if (file != file_by_fd_.end()) {
    Node& node = nodes_[static_cast<std::size_t>(file->second)];
    node.synced = node.current;
    return synced;
  }
  const int dir = DirNodeOf(fd);
  if (dir < 0) {
    ModelError("Fsync of an untracked fd: " + what);
    return synced;
  }
  Node& node = nodes_[static_cast<std::size_t>(dir)];
  node.durable = node.entries;
  node.pending.clear();
  return synced;
}

Status CrashSimulatingEnv::Truncate(int fd, off_t length, const std::string& what) {
  if (!EnterMutation()) return Crashed(what);
  Status truncated = EnvWrapper::Truncate(fd, length, what);
  auto file = file_by_fd_.find(fd);
  if (truncated.ok() && file != file_by_fd_.end()) {
    nodes_[static_cast<std::size_t>(file->second)].current.resize(static_cast<std::size_t>(length), '\0');
  }
  return truncated;
}

Result<off_t> CrashSimulatingEnv::SeekEnd(int fd, const std::string& what) {
  if (crashed_) return Crashed(what);
  return EnvWrapper::SeekEnd(fd, what);
}

Result<std::size_t> CrashSimulatingEnv::ReadAt(int fd, char* buffer, std::size_t capacity, off_t offset,
                                               const std::string& what) {
  if (crashed_) return Crashed(what);
  return EnvWrapper::ReadAt(fd, buffer, capacity, offset, what);
}

Status CrashSimulatingEnv::Close(int fd, const std::string& what) {
  file_by_fd_.erase(fd);
  Status closed = EnvWrapper::Close(fd, what);
  if (crashed_) return Crashed(what);
  return closed;
}

Result<struct stat> CrashSimulatingEnv::Stat(int fd, const std::string& what) {
  if (crashed_) return Crashed(what);
  return EnvWrapper::Stat(fd, what);
}

Result<struct stat> CrashSimulatingEnv::StatAt(const Dir& dir, std::string_view name) {
  if (crashed_) return Crashed(dir.Join(name));
  return EnvWrapper::StatAt(dir, name);
}

Status CrashSimulatingEnv::Chmod(int fd, mode_t mode, const std::string& what) {
  if (crashed_) return Crashed(what);
  return EnvWrapper::Chmod(fd, mode, what);
}

Status CrashSimulatingEnv::MkdirAt(const Dir& dir, std::string_view name, mode_t mode) {
  if (!EnterMutation()) return Crashed(dir.Join(name));
  Status made = EnvWrapper::MkdirAt(dir, name, mode);
  if (!made.ok()) return made;
  const int parent = DirNodeOf(dir.fd);
  if (parent < 0) {
    ModelError("MkdirAt in an unknown directory: " + dir.path);
    return made;
  }
  Record(parent, DirOp{DirOp::kBind, std::string(name), "", NewDir(dir.Join(name))});
  return made;
}

Status CrashSimulatingEnv::RenameAt(const Dir& dir, std::string_view from, std::string_view to, bool no_replace) {
  if (!EnterMutation()) return Crashed(dir.Join(from));
  Status renamed = EnvWrapper::RenameAt(dir, from, to, no_replace);
  if (!renamed.ok()) return renamed;
  const int parent = DirNodeOf(dir.fd);
  const int source = LiveNode(parent, from);
  if (source < 0) {
    ModelError("RenameAt of an unknown name: " + dir.Join(from));
    return renamed;
  }
  Record(parent, DirOp{DirOp::kRename, std::string(from), std::string(to), source});
  return renamed;
}

Status CrashSimulatingEnv::LinkAt(const Dir& dir, std::string_view from, std::string_view to) {
  if (!EnterMutation()) return Crashed(dir.Join(from));
  Status linked = EnvWrapper::LinkAt(dir, from, to);
  if (!linked.ok()) return linked;
  const int parent = DirNodeOf(dir.fd);
  const int source = LiveNode(parent, from);
  if (source < 0) {
    ModelError("LinkAt of an unknown name: " + dir.Join(from));
    return linked;
  }
  Record(parent, DirOp{DirOp::kBind, std::string(to), "", source});
  return linked;
}

Status CrashSimulatingEnv::UnlinkAt(const Dir& dir, std::string_view name) {
  if (!EnterMutation()) return Crashed(dir.Join(name));
  Status removed = EnvWrapper::UnlinkAt(dir, name);
  if (!removed.ok()) return removed;
  const int parent = DirNodeOf(dir.fd);
  if (parent < 0) {
    ModelError("UnlinkAt in an unknown directory: " + dir.path);
    return removed;
  }
  Record(parent, DirOp{DirOp::kUnlink, std::string(name), "", -1});
  return removed;
}

Result<std::vector<std::string>> CrashSimulatingEnv::ListDir(const Dir& dir) {
  if (crashed_) return Crashed(dir.path);
  return EnvWrapper::ListDir(dir);
}

Result<bool> CrashSimulatingEnv::OfdLock(int fd, LockWait wait, const std::string& what) {
  if (crashed_) return Crashed(what);
  return EnvWrapper::OfdLock(fd, wait, what);
}

Result<bool> CrashSimulatingEnv::OfdLockHeldElsewhere(int fd, const std::string& what) {
  if (crashed_) return Crashed(what);
  return EnvWrapper::OfdLockHeldElsewhere(fd, what);
}

Timestamp CrashSimulatingEnv::Now() {
  const std::uint64_t tick = clock_ticks_++;
  Timestamp t;
  t.unix_seconds = kClockBase + static_cast<std::int64_t>(tick / 1000);
  t.nanos = static_cast<std::int32_t>((tick % 1000) * 1000000);
  return t;
}

// ---- materialising a crash state ----

std::map<std::string, int> CrashSimulatingEnv::CrashEntries(const Node& dir, std::mt19937_64& rng,
                                                            CrashStats* stats) const {
  std::map<std::string, int> entries = dir.durable;
  if (dir.pending.empty()) return entries;
  // all kept / none kept / a prefix kept (in-order journal) / any subset.
  const std::uint64_t mode = Draw(rng, 4);
  const std::uint64_t prefix = Draw(rng, dir.pending.size() + 1);
  for (std::size_t i = 0; i < dir.pending.size(); ++i) {
    const DirOp& op = dir.pending[i];
    const bool keep = mode == 0 || (mode == 2 && i < prefix) || (mode == 3 && Draw(rng, 2) == 0);
    stats->pending_dir_ops++;
    if (!keep) {
      stats->dir_ops_lost++;
      continue;
    }
    switch (op.kind) {  // each operation atomic, applied whether or not its source survived
      case DirOp::kBind: entries[op.name] = op.node; break;
      case DirOp::kRename:
        entries.erase(op.name);
        entries[op.to] = op.node;
        break;
      case DirOp::kUnlink: entries.erase(op.name); break;
    }
  }
  return entries;
}

std::string CrashSimulatingEnv::CrashContent(const Node& file, std::mt19937_64& rng, CrashStats* stats) const {
  if (file.current == file.synced) return file.current;
  stats->dirty_files++;
  const std::string& old_bytes = file.synced;
  const std::string& new_bytes = file.current;
  std::size_t common = 0;
  while (common < old_bytes.size() && common < new_bytes.size() && old_bytes[common] == new_bytes[common]) ++common;
  // Where the written-back part of the new bytes ends: at the common prefix half the time.
  const std::size_t cut = Draw(rng, 2) == 0 ? common : common + Draw(rng, new_bytes.size() - common + 1);
  std::string out;
  switch (Draw(rng, 6)) {
    case 0: out = old_bytes; break;                             // unsynced data dropped
    case 1: out = new_bytes; break;                             // all of it reached the disk
    case 2: out = FillTail(new_bytes, cut, true, rng); break;   // tail zero-filled
    case 3: out = FillTail(new_bytes, cut, false, rng); break;  // tail garbage
    case 4:                                                     // torn: new up to cut, old after
      out = new_bytes.substr(0, cut);
      if (old_bytes.size() > cut) out += old_bytes.substr(cut);
      break;
    default: out = MixSectors(old_bytes, new_bytes, common, rng); break;  // sectors in any state
  }
  if (out != new_bytes) stats->files_damaged++;
  return out;
}

Status CrashSimulatingEnv::WriteTree(int dir_node, const std::string& out_path, std::mt19937_64& rng,
                                     std::map<int, std::string>& written, CrashStats* stats) const {
  const Node& dir = nodes_[static_cast<std::size_t>(dir_node)];
  for (const auto& [name, id] : CrashEntries(dir, rng, stats)) {
    const std::string path = out_path + "/" + name;
    const Node& node = nodes_[static_cast<std::size_t>(id)];
    if (node.is_dir) {
      if (::mkdir(path.c_str(), 0700) != 0) return Status::IoError("mkdir", path, errno);
      SEALSTATE_RETURN_IF_ERROR(WriteTree(id, path, rng, written, stats));
      continue;
    }
    auto first = written.find(id);
    if (first != written.end()) {
      if (::link(first->second.c_str(), path.c_str()) != 0) return Status::IoError("link", path, errno);
      continue;
    }
    SEALSTATE_RETURN_IF_ERROR(WriteWholeFile(path, CrashContent(node, rng, stats)));
    written[id] = path;
  }
  return Status::OK();
}

Status CrashSimulatingEnv::Materialise(const std::string& out_root, std::uint64_t seed, CrashStats* stats) const {
  if (nodes_.empty()) return Status::InvalidArgument("crash env: Start() was not called");
  std::mt19937_64 rng(seed);
  std::map<int, std::string> written;
  CrashStats ignored;
  return WriteTree(0, out_root, rng, written, stats != nullptr ? stats : &ignored);
}

}  // namespace sealstate::testing
