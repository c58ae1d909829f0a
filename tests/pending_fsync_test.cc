// Tests for the fsyncs an Env starts (Env::StartFsync, src/io/pending_fsync.cc): the default
// runs the fsync inside Wait() on the calling thread (what the fault-injecting and power-loss
// Envs rely on), FsyncOnThread (PosixEnv's) runs fsyncs of different files at the same time.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "io/env.h"
#include "io/pending_fsync.h"
#include "pipeline/worker_thread.h"
#include "support/fault_injection_env.h"
#include "support/fsync_overlap_env.h"
#include "support/scratch_dir.h"

namespace sealstate::internal {
namespace {

using testing::FaultInjectionEnv;
using testing::FsyncOverlapEnv;
using testing::Op;
using testing::ScratchDir;

constexpr std::chrono::milliseconds kPatience{2000};

// A file under `scratch`, open for writing, closed by the destructor.
class OpenFile {
 public:
  OpenFile(const ScratchDir& scratch, const std::string& name)
      : path_(scratch.Path(name)), fd_(::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) {
    REQUIRE(fd_ >= 0);
    REQUIRE(::write(fd_, "x", 1) == 1);
  }
  ~OpenFile() { ::close(fd_); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_;
};

bool Named(const std::string& what, const std::string& name) { return what.ends_with("/" + name); }

TEST_CASE("StartFsync by default: the wrapped Env's Fsync runs inside Wait, once, on the calling thread") {
  ScratchDir scratch;
  OpenFile file(scratch, "a");
  FaultInjectionEnv env;  // a wrapper: it keeps Env's default StartFsync
  std::unique_ptr<PendingFsync> pending = env.StartFsync(file.fd(), file.path());
  CHECK(env.count(Op::kFsync) == 0);
  CHECK(pending->Wait().ok());
  CHECK(env.count(Op::kFsync) == 1);
  CHECK(env.trace().back().path == file.path());
}

TEST_CASE("StartFsync by default: a failed fsync is Wait's result; abandoned, nothing is synced") {
  ScratchDir scratch;
  OpenFile file(scratch, "a");
  FaultInjectionEnv env;
  env.FailFromNow(EIO);
  Status failed = env.StartFsync(file.fd(), file.path())->Wait();
  CHECK(failed.code() == Code::kIoError);
  CHECK(failed.message().find(file.path()) != std::string::npos);
  env.ClearFaults();
  env.ResetCounters();
  { std::unique_ptr<PendingFsync> abandoned = env.StartFsync(file.fd(), file.path()); }
  CHECK(env.count(Op::kFsync) == 0);
}

TEST_CASE("FsyncOnThread: fsyncs of two files run at the same time, off the calling thread") {
  ScratchDir scratch;
  OpenFile a(scratch, "a");
  OpenFile b(scratch, "b");
  FsyncOverlapEnv env([](const std::string& what) { return Named(what, "a"); },
                      [](const std::string& what) { return Named(what, "b"); }, kPatience);
  std::unique_ptr<PendingFsync> first = env.StartFsync(a.fd(), a.path());
  std::unique_ptr<PendingFsync> second = env.StartFsync(b.fd(), b.path());
  CHECK(first->Wait().ok());
  CHECK(second->Wait().ok());
  CHECK(env.overlapped());
  CHECK(env.first_thread() != std::this_thread::get_id());
  CHECK(env.second_thread() != std::this_thread::get_id());
  CHECK(env.first_thread() != env.second_thread());
}

TEST_CASE("FsyncOnThread: the same two fsyncs deferred (Env's default) do not overlap") {
  // The control for the test above: FsyncOverlapEnv tells sequential fsyncs apart.
  ScratchDir scratch;
  OpenFile a(scratch, "a");
  OpenFile b(scratch, "b");
  FsyncOverlapEnv env([](const std::string& what) { return Named(what, "a"); },
                      [](const std::string& what) { return Named(what, "b"); }, std::chrono::milliseconds(50));
  CHECK(DeferredFsync(env, a.fd(), a.path())->Wait().ok());
  CHECK(DeferredFsync(env, b.fd(), b.path())->Wait().ok());
  CHECK_FALSE(env.overlapped());
  CHECK(env.first_thread() == std::this_thread::get_id());
}

TEST_CASE("FsyncOnThread: reports the fsync's error; without a thread it runs inside Wait") {
  FaultInjectionEnv env;
  env.FailFromNow(EIO);
  Status failed = FsyncOnThread(env, 0, "/some/file")->Wait();
  CHECK(failed.code() == Code::kIoError);
  CHECK(failed.message().find("/some/file") != std::string::npos);
  env.ClearFaults();
  env.ResetCounters();
  ScratchDir scratch;
  OpenFile file(scratch, "a");
  FailThreadCreationForTesting(true);
  std::unique_ptr<PendingFsync> pending = FsyncOnThread(env, file.fd(), file.path());
  CHECK(env.count(Op::kFsync) == 0);
  FailThreadCreationForTesting(false);
  CHECK(pending->Wait().ok());
  CHECK(env.count(Op::kFsync) == 1);
}

TEST_CASE("FsyncOnThread: destroyed without Wait, it waits for the fsync it started") {
  ScratchDir scratch;
  OpenFile file(scratch, "a");
  FaultInjectionEnv env;
  { std::unique_ptr<PendingFsync> abandoned = FsyncOnThread(env, file.fd(), file.path()); }
  CHECK(env.count(Op::kFsync) == 1);  // joined: the fsync ran and finished before the destructor returned
}

}  // namespace
}  // namespace sealstate::internal
