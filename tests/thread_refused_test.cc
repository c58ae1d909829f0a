// The library promises no exceptions (status.h): when the system refuses the pipeline's second
// thread (std::thread throws std::system_error under a pid or thread limit), big commits and
// reads still work, on the calling thread. Thread creation is made to fail through the seam
// FailThreadCreationForTesting.
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include <sealstate/local_store.h>

#include "pipeline/pipelined_sink.h"
#include "pipeline/prefetching_source.h"
#include "pipeline/worker_thread.h"
#include "support/scratch_dir.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::internal::FailThreadCreationForTesting;
using sealstate::internal::kPipelineThreshold;
using sealstate::internal::PipelinedSink;
using sealstate::internal::PrefetchingSource;
using sealstate::testing::ScratchDir;

namespace {

// Makes thread creation fail for the lifetime of the object.
class ThreadsRefused {
 public:
  ThreadsRefused() { FailThreadCreationForTesting(true); }
  ~ThreadsRefused() { FailThreadCreationForTesting(false); }
  ThreadsRefused(const ThreadsRefused&) = delete;
  ThreadsRefused& operator=(const ThreadsRefused&) = delete;
};

// Collects what it is given and whether every call came from the thread that created it.
class ThreadCheckingSink final : public ByteSink {
 public:
  Status Append(std::string_view data) override {
    if (std::this_thread::get_id() != owner_) other_thread = true;
    got.append(data);
    return Status::OK();
  }
  std::string got;
  bool other_thread = false;

 private:
  std::thread::id owner_ = std::this_thread::get_id();
};

// Yields `data` in reads of at most 64 KiB, noting whether any came from another thread.
class ThreadCheckingSource final : public ByteSource {
 public:
  explicit ThreadCheckingSource(std::string data) : data_(std::move(data)) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    if (std::this_thread::get_id() != owner_) other_thread = true;
    const std::size_t n = std::min({capacity, data_.size() - pos_, std::size_t{65536}});
    data_.copy(buffer, n, pos_);
    pos_ += n;
    return n;
  }
  bool other_thread = false;

 private:
  std::string data_;
  std::size_t pos_ = 0;
  std::thread::id owner_ = std::this_thread::get_id();
};

std::string Bytes(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return out;
}

}  // namespace

TEST_CASE("a pipelined sink whose thread is refused passes every byte on inline, in order", "[thread-refused]") {
  ThreadsRefused refused;
  const std::string data = Bytes(3 * kPipelineThreshold);
  ThreadCheckingSink downstream;
  PipelinedSink sink(downstream);
  for (std::size_t at = 0; at < data.size(); at += 100000) {
    REQUIRE(sink.Append(std::string_view(data).substr(at, 100000)).ok());
  }
  REQUIRE(sink.Finish().ok());
  CHECK(downstream.got == data);
  CHECK_FALSE(downstream.other_thread);
}

TEST_CASE("a prefetching source whose thread is refused reads every byte inline, in order", "[thread-refused]") {
  ThreadsRefused refused;
  const std::string data = Bytes(3 * kPipelineThreshold);
  ThreadCheckingSource upstream(data);
  PrefetchingSource source(upstream);
  std::string got;
  std::string buffer(50000, '\0');
  for (;;) {
    Result<std::size_t> n = source.Read(buffer.data(), buffer.size());
    REQUIRE(n.ok());
    if (*n == 0) break;
    got.append(buffer.data(), *n);
  }
  CHECK(got == data);
  CHECK_FALSE(upstream.other_thread);
}

TEST_CASE("a commit and read of a snapshot above the pipeline threshold work with threads refused",
          "[thread-refused]") {
  ScratchDir root;
  LocalStoreOptions options;
  options.root = root.dir().path;
  options.factory = "cluster-deploy";
  options.stack = "prod-east-alpha";
  options.encrypter = sealstate::testing::EnvKey("THREAD_REFUSED_KEY", sealstate::testing::kKeyA);
  Result<std::unique_ptr<Backend>> store = OpenLocalStore(options);
  REQUIRE(store.ok());
  const Snapshot big = sealstate::testing::LargeSnapshot(3 * kPipelineThreshold);

  ThreadsRefused refused;
  LockOptions lock;
  lock.operation = "apply";
  Result<std::string> rev = (*store)->Commit(big, lock, {});
  REQUIRE(rev.ok());
  Result<Snapshot> current = (*store)->Current();
  REQUIRE(current.ok());
  CHECK(*current == big);
}
