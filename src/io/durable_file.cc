#include "io/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "crypto/random_hex.h"
#include "io/stack_file.h"
#include "io/unique_fd.h"

namespace sealstate::internal {
namespace {

constexpr std::size_t kWriteBuffer = 256 * 1024;
// A large file's writeback is started every this many bytes, so its fsync does not find the whole
// file dirty (RocksDB's bytes_per_sync idea); the fsync still decides durability.
constexpr std::size_t kWritebackStep = 4 * 1024 * 1024;
constexpr int kCreateFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
// The second open file description of a temp file, which holds its OFD lock (never written).
constexpr int kLiveLockFlags = O_WRONLY | kStackFileFlags;

}  // namespace

// The temp file being written: closed and removed unless Published(). From its creation until
// then, a second open file description of it holds its OFD lock (the writing fd is closed before
// the publish, as the recipe requires), which tells debris cleanup the file is alive, across pid
// namespaces (see debris.h).
class TempFile {
 public:
  TempFile(Env& env, const Dir& dir, std::string name)
      : env_(env), dir_(dir), name_(std::move(name)), fd_(env, -1, path()), lock_fd_(env, -1, path()) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    fd_.Reset();                                    // cleanup after an earlier error: that error is reported
    if (exists_) (void)env_.UnlinkAt(dir_, name_);  // same
    lock_fd_.Reset();                               // never written: nothing to lose
  }

  Status Create() {
    SEALSTATE_ASSIGN_OR_RETURN(const int fd, env_.OpenAt(dir_, name_, kCreateFlags, 0600));
    fd_ = UniqueFd(env_, fd, path());
    exists_ = true;
    SEALSTATE_RETURN_IF_ERROR(env_.Chmod(fd_.get(), 0600, path()));  // exact mode whatever the umask
    return TakeLiveLock();
  }

  // Writes, fsyncs and closes (each result checked).
  Status Fill(const std::function<Status(ByteSink&)>& produce) {
    SEALSTATE_RETURN_IF_ERROR(Write(produce));
    return Sync();
  }

  // Writes the bytes `produce` writes (not yet durable).
  Status Write(const std::function<Status(ByteSink&)>& produce) {
    FdSink sink(env_, fd_.get(), path());
    SEALSTATE_RETURN_IF_ERROR(produce(sink));
    return sink.Flush();
  }

  // Starts the writeback of what Write wrote (Env::StartWriteback), so that a later Sync, or
  // another file's, overlaps with it.
  Status StartWriteback() { return env_.StartWriteback(fd_.get(), path()); }

  // Fsyncs and closes (each result checked).
  Status Sync() {
    SEALSTATE_RETURN_IF_ERROR(env_.Fsync(fd_.get(), path()));
    return fd_.Close();
  }

  // Starts the fsync (Env::StartFsync); finish with FinishSync. Write no more meanwhile.
  std::unique_ptr<PendingFsync> StartSync() { return env_.StartFsync(fd_.get(), path()); }

  // Waits for `sync` (from StartSync) and closes (each result checked).
  Status FinishSync(PendingFsync& sync) {
    SEALSTATE_RETURN_IF_ERROR(sync.Wait());
    return fd_.Close();
  }

  // The temp name no longer exists (it was renamed, or linked and unlinked).
  void Published() { exists_ = false; }
  const std::string& name() const { return name_; }
  std::string path() const { return dir_.Join(name_); }

 private:
  // Opens the second description and takes its OFD lock, held until the destructor.
  Status TakeLiveLock() {
    SEALSTATE_ASSIGN_OR_RETURN(const int fd, env_.OpenAt(dir_, name_, kLiveLockFlags, 0));
    lock_fd_ = UniqueFd(env_, fd, path());
    SEALSTATE_ASSIGN_OR_RETURN(const bool locked, env_.OfdLock(lock_fd_.get(), LockWait::kNoWait, path()));
    if (!locked) return Status::Internal("lock " + path() + ": a new private file is locked by someone else");
    return Status::OK();
  }

  Env& env_;
  const Dir& dir_;
  std::string name_;
  UniqueFd fd_;       // the writing fd
  UniqueFd lock_fd_;  // holds the OFD lock
  bool exists_ = false;
};

namespace {

Status PublishNoReplace(Env& env, const Dir& dir, TempFile& temp, std::string_view name) {
  Status renamed = env.RenameAt(dir, temp.name(), name, /*no_replace=*/true);
  if (renamed.ok()) {
    temp.Published();
    return renamed;
  }
  if (renamed.code() != Code::kUnsupported) return renamed;
  SEALSTATE_RETURN_IF_ERROR(env.LinkAt(dir, temp.name(), name));
  Status unlinked = env.UnlinkAt(dir, temp.name());
  if (unlinked.ok()) temp.Published();
  return Status::OK();  // the file is published; a leftover temp is debris the lock holder cleans
}

Status SyncDir(Env& env, const Dir& dir) { return env.Fsync(dir.fd, dir.path); }

// ReplaceFile's steps after the temp file is durable and closed: before_publish, rename, fsync(dir).
Status PublishReplacement(Env& env, const Dir& dir, TempFile& temp, std::string_view name,
                          const BeforePublish& before_publish) {
  if (before_publish) SEALSTATE_RETURN_IF_ERROR(before_publish());
  SEALSTATE_RETURN_IF_ERROR(env.RenameAt(dir, temp.name(), name, /*no_replace=*/false));
  temp.Published();
  Status synced = SyncDir(env, dir);
  if (!synced.ok()) {
    return synced.WithSuffix(" (" + dir.Join(name) + " was replaced but may not survive a crash)");
  }
  return Status::OK();
}

}  // namespace

std::string TempNameFor(std::string_view final_name) {
  return "." + std::string(final_name) + std::string(kTempMarker) + std::to_string(::getpid()) + "." + RandomHex(8);
}

long TempFileOwner(std::string_view name) {
  if (name.empty() || name[0] != '.') return 0;
  const std::size_t marker = name.rfind(kTempMarker);
  if (marker == std::string_view::npos) return 0;
  const std::string rest(name.substr(marker + kTempMarker.size()));
  char* end = nullptr;
  const long pid = std::strtol(rest.c_str(), &end, 10);
  if (end == rest.c_str() || *end != '.' || pid <= 0) return 0;
  return pid;
}

FdSink::FdSink(Env& env, int fd, std::string what) : env_(env), fd_(fd), what_(std::move(what)) {}

Status FdSink::WriteAll(std::string_view data) {
  while (!data.empty()) {
    SEALSTATE_ASSIGN_OR_RETURN(std::size_t n, env_.Write(fd_, data, what_));
    if (n == 0) return Status::IoError("write", what_, EIO);  // no progress: treat as an error
    data.remove_prefix(n);
    not_started_ += n;
  }
  return MaybeStartWriteback();
}

Status FdSink::MaybeStartWriteback() {
  if (not_started_ < kWritebackStep) return Status::OK();
  not_started_ = 0;
  return env_.StartWriteback(fd_, what_);
}

Status FdSink::Append(std::string_view data) {
  SEALSTATE_RETURN_IF_ERROR(status_);
  if (buffer_.size() + data.size() > kWriteBuffer) {
    status_ = Flush();
    SEALSTATE_RETURN_IF_ERROR(status_);
    if (data.size() >= kWriteBuffer) return status_ = WriteAll(data);
  }
  buffer_.append(data);
  return Status::OK();
}

Status FdSink::Flush() {
  SEALSTATE_RETURN_IF_ERROR(status_);
  status_ = WriteAll(buffer_);
  buffer_.clear();
  return status_;
}

Status WriteNewFile(Env& env, const Dir& dir, std::string_view name, const std::function<Status(ByteSink&)>& produce,
                    const BeforePublish& before_publish) {
  TempFile temp(env, dir, TempNameFor(name));
  SEALSTATE_RETURN_IF_ERROR(temp.Create());
  SEALSTATE_RETURN_IF_ERROR(temp.Fill(produce));
  if (before_publish) SEALSTATE_RETURN_IF_ERROR(before_publish());
  SEALSTATE_RETURN_IF_ERROR(PublishNoReplace(env, dir, temp, name));
  Status synced = SyncDir(env, dir);
  if (!synced.ok()) {
    (void)env.UnlinkAt(dir, name);  // best effort: leave the directory as it was
    return synced.WithSuffix(" (the new file was not made durable and was removed)");
  }
  return Status::OK();
}

Status ReplaceFile(Env& env, const Dir& dir, std::string_view name, std::string_view contents,
                   const BeforePublish& before_publish) {
  return ReplaceFile(
      env, dir, name, [&](ByteSink& sink) { return sink.Append(contents); }, before_publish);
}

Status ReplaceFile(Env& env, const Dir& dir, std::string_view name, const std::function<Status(ByteSink&)>& produce,
                   const BeforePublish& before_publish) {
  TempFile temp(env, dir, TempNameFor(name));
  SEALSTATE_RETURN_IF_ERROR(temp.Create());
  SEALSTATE_RETURN_IF_ERROR(temp.Fill(produce));
  return PublishReplacement(env, dir, temp, name, before_publish);
}

PreparedReplacement::PreparedReplacement(Env& env, const Dir& dir, std::string_view name)
    : env_(env), dir_(dir), name_(name), temp_(std::make_unique<TempFile>(env, dir, TempNameFor(name))) {}

// The pending fsync is waited for (its destructor) before the temp file is closed and removed.
PreparedReplacement::~PreparedReplacement() { sync_.reset(); }

Result<std::unique_ptr<PreparedReplacement>> PreparedReplacement::Prepare(Env& env, const Dir& dir,
                                                                          std::string_view name,
                                                                          std::string_view contents) {
  std::unique_ptr<PreparedReplacement> prepared(new PreparedReplacement(env, dir, name));
  SEALSTATE_RETURN_IF_ERROR(prepared->temp_->Create());
  SEALSTATE_RETURN_IF_ERROR(prepared->temp_->Write([&](ByteSink& sink) { return sink.Append(contents); }));
  prepared->sync_ = prepared->temp_->StartSync();
  return prepared;
}

Status PreparedReplacement::Publish(const BeforePublish& before_publish) {
  if (!sync_) return Status::Internal("publish " + dir_.Join(name_) + ": already published");
  const std::unique_ptr<PendingFsync> sync = std::move(sync_);
  SEALSTATE_RETURN_IF_ERROR(temp_->FinishSync(*sync));
  return PublishReplacement(env_, dir_, *temp_, name_, before_publish);
}

Status ReplaceFiles(Env& env, const Dir& dir, const std::vector<FileReplacement>& files,
                    const BeforePublish& before_publish) {
  std::vector<std::unique_ptr<TempFile>> temps;
  for (const FileReplacement& file : files) {
    temps.push_back(std::make_unique<TempFile>(env, dir, TempNameFor(file.name)));
    SEALSTATE_RETURN_IF_ERROR(temps.back()->Create());
    SEALSTATE_RETURN_IF_ERROR(temps.back()->Write(file.produce));
    SEALSTATE_RETURN_IF_ERROR(temps.back()->StartWriteback());
  }
  for (const std::unique_ptr<TempFile>& temp : temps) SEALSTATE_RETURN_IF_ERROR(temp->Sync());
  if (before_publish) SEALSTATE_RETURN_IF_ERROR(before_publish());
  for (std::size_t i = 0; i < files.size(); ++i) {
    Status renamed = env.RenameAt(dir, temps[i]->name(), files[i].name, /*no_replace=*/false);
    if (!renamed.ok()) {
      return renamed.WithSuffix(" (" + std::to_string(i) + " of " + std::to_string(files.size()) +
                                " files were replaced before it, and may not survive a crash)");
    }
    temps[i]->Published();
  }
  Status synced = SyncDir(env, dir);
  if (!synced.ok()) {
    return synced.WithSuffix(" (" + std::to_string(files.size()) + " files in " + dir.path +
                             " were replaced but may not survive a crash)");
  }
  return Status::OK();
}

}  // namespace sealstate::internal
