// Sealing and opening a ~100 MB snapshot keeps no whole-file plaintext or ciphertext buffer:
// peak RSS beyond the Snapshot object itself stays far below the file size, and the Snapshot
// object itself stays within a bound of its encoding's size. A v1 file holds no
// copy of itself, and a garbage file is refused without being read whole. Each measurement runs
// in a forked child so its high-water mark (VmHWM) starts clean.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include <sealstate/envelope.h>
#include <sealstate/snapshot.h>

#include "support/proc_memory.h"
#include "test_support.h"

using namespace sealstate;

namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kDocumentBytes = 100 * kMiB;

using sealstate::testing::ProcStatusBytes;
using sealstate::testing::ResetPeak;

class FileSink final : public ByteSink {
 public:
  explicit FileSink(std::FILE* f) : f_(f) {}
  Status Append(std::string_view data) override {
    if (std::fwrite(data.data(), 1, data.size(), f_) != data.size()) return Status::IoError("write", "test file", EIO);
    return Status::OK();
  }

 private:
  std::FILE* f_;
};

class FileSource final : public ByteSource {
 public:
  explicit FileSource(std::FILE* f) : f_(f) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override { return std::fread(buffer, 1, capacity, f_); }

 private:
  std::FILE* f_;
};

struct Figures {
  std::size_t baseline = 0;  // RSS before the operation
  std::size_t after = 0;     // RSS after it (holding the snapshot, for open)
  std::size_t peak = 0;      // VmHWM during it
  std::size_t file_bytes = 0;
  int ok = 0;
};

// Runs `body` in a child process and returns the figures it measured.
template <typename Body>
Figures InChild(Body body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    Figures f = body();
    (void)!write(fds[1], &f, sizeof f);
    _exit(0);
  }
  close(fds[1]);
  Figures f;
  const ssize_t n = read(fds[0], &f, sizeof f);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(n == static_cast<ssize_t>(sizeof f));
  return f;
}

std::string Mib(std::size_t bytes) { return std::to_string(bytes / kMiB) + " MiB"; }

// Creates an empty file /tmp/sealstate-memory-<stem>-XXXXXX and returns its path.
std::string NewTempFile(const std::string& stem) {
  std::string path = "/tmp/sealstate-memory-" + stem + "-XXXXXX";
  const int fd = mkstemp(path.data());
  REQUIRE(fd >= 0);
  close(fd);
  return path;
}

// Seals a LargeSnapshot of at least `min_bytes` as envelope `version` for `binding` into the file
// at `path`, in a child with the test key, measuring RSS around the seal (the snapshot object is
// built before the baseline); `ok` is whether the seal succeeded.
Figures SealInChild(const std::string& path, const EnvelopeBinding& binding, std::int64_t version,
                    std::size_t min_bytes) {
  return InChild([&] {
    Figures f;
    auto key = std::move(*NewEnvKeyEncrypter("SEALSTATE_TEST_MEMORY_KEY"));
    const Snapshot snapshot = sealstate::testing::LargeSnapshot(min_bytes);
    std::FILE* out = std::fopen(path.c_str(), "wb");
    ResetPeak();
    f.baseline = ProcStatusBytes("VmRSS");
    FileSink sink(out);
    f.ok = SealSnapshot(snapshot, version, binding, *key, sink).ok() ? 1 : 0;
    f.peak = ProcStatusBytes("VmHWM");
    f.file_bytes = static_cast<std::size_t>(std::ftell(out));
    std::fclose(out);
    return f;
  });
}

// Opens the snapshot file at `path` in a child with the test key, measuring RSS around the open;
// `ok` is whether `accept(result)` held.
template <typename Accept>
Figures OpenInChild(const std::string& path, const EnvelopeBinding& binding, Accept accept) {
  return InChild([&] {
    Figures f;
    auto key = std::move(*NewEnvKeyEncrypter("SEALSTATE_TEST_MEMORY_KEY"));
    std::FILE* in = std::fopen(path.c_str(), "rb");
    ResetPeak();
    f.baseline = ProcStatusBytes("VmRSS");
    FileSource source(in);
    Result<Snapshot> snapshot = OpenSnapshot(source, binding, *key);
    f.ok = accept(snapshot) ? 1 : 0;
    f.after = ProcStatusBytes("VmRSS");
    f.peak = ProcStatusBytes("VmHWM");
    std::fclose(in);
    return f;
  });
}

// OpenInChild's test for a snapshot that opened with more than `entries` entries.
auto OpenedWithMoreThan(std::size_t entries) {
  return [entries](const Result<Snapshot>& snapshot) { return snapshot.ok() && snapshot->entries.size() > entries; };
}

}  // namespace

TEST_CASE("sealing and opening a 100 MB snapshot stay within chunk-sized buffers") {
  const std::string path = NewTempFile("v2");
  ::setenv("SEALSTATE_TEST_MEMORY_KEY", sealstate::testing::kKeyA, 1);
  const EnvelopeBinding binding{"state", "cluster-deploy", "prod-east-alpha", "2026-04-30T12:00:00Z"};

  const Figures seal = SealInChild(path, binding, kEnvelopeV2, kDocumentBytes);
  REQUIRE(seal.ok == 1);

  const Figures open = OpenInChild(path, binding, OpenedWithMoreThan(100000));
  std::remove(path.c_str());
  REQUIRE(open.ok == 1);

  const std::size_t seal_extra = seal.peak - seal.baseline;
  const std::size_t open_object = open.after - open.baseline;
  const std::size_t open_extra = open.peak - open.after;
  std::printf(
      "100 MB snapshot: file %s; seal peak RSS +%s over the snapshot object; open: snapshot object %s, "
      "peak RSS +%s over it\n",
      Mib(seal.file_bytes).c_str(), Mib(seal_extra).c_str(), Mib(open_object).c_str(), Mib(open_extra).c_str());
  CHECK(seal.file_bytes >= kDocumentBytes);
  // A whole-file buffer of plaintext or ciphertext would add at least the file size (>= 100 MiB).
  CHECK(seal_extra < 16 * kMiB);
  CHECK(open_extra < 24 * kMiB);
}

// The decoded form of a snapshot: JSON objects as sorted vectors of 32-byte members (a 16-byte
// JsonKey and a 16-byte Json, short strings inline) with no spare capacity. Measured on
// LargeSnapshot's shape (short keys and short string values, as most of a Terraform-like state
// is), where per-value overhead shows most: with a std::map node per member the decoded
// snapshot took about 3.5 times its encoding, with 72-byte members (std::string key, 40-byte
// Json) about 2.2 times; now about 1.3 times.
TEST_CASE("a decoded snapshot takes less than 1.6 times its encoding's size in memory") {
  const std::string path = NewTempFile("decoded");
  const Figures encode = InChild([&] {
    Figures f;
    std::FILE* out = std::fopen(path.c_str(), "wb");
    FileSink sink(out);
    f.ok = EncodeSnapshot(sealstate::testing::LargeSnapshot(32 * kMiB), sink).ok() ? 1 : 0;
    f.file_bytes = static_cast<std::size_t>(std::ftell(out));
    std::fclose(out);
    return f;
  });
  REQUIRE(encode.ok == 1);

  const Figures decode = InChild([&] {
    Figures f;
    std::FILE* in = std::fopen(path.c_str(), "rb");
    f.baseline = ProcStatusBytes("VmRSS");
    FileSource source(in);
    Result<Snapshot> snapshot = DecodeSnapshot(source);
    f.ok = snapshot.ok() && snapshot->entries.size() > 50000 ? 1 : 0;
    f.after = ProcStatusBytes("VmRSS");
    std::fclose(in);
    return f;
  });
  std::remove(path.c_str());
  REQUIRE(decode.ok == 1);

  const std::size_t decoded = decode.after - decode.baseline;
  std::printf("encoding of %s decodes to %s (%.2fx)\n", Mib(encode.file_bytes).c_str(), Mib(decoded).c_str(),
              static_cast<double>(decoded) / static_cast<double>(encode.file_bytes));
  CHECK(decoded < encode.file_bytes * 16 / 10);
}

// v1 (unobin) files are a base64 string in JSON around one AES-GCM ciphertext, which can only be
// decrypted whole: opening one must hold the ciphertext and then the plaintext, but neither the
// file nor its base64 text (it read the file whole and parsed it into a tree: a whole-file copy
// and more, on top of the plaintext).
TEST_CASE("opening a large v1 file holds no copy of the file") {
  const std::string path = NewTempFile("v1");
  ::setenv("SEALSTATE_TEST_MEMORY_KEY", sealstate::testing::kKeyA, 1);
  const EnvelopeBinding binding{"state", "cluster-deploy", "prod-east-alpha", "2026-04-30T12:00:00Z"};

  const Figures seal = SealInChild(path, binding, kEnvelopeV1, 32 * kMiB);
  REQUIRE(seal.ok == 1);

  const Figures open = OpenInChild(path, binding, OpenedWithMoreThan(10000));
  std::remove(path.c_str());
  REQUIRE(open.ok == 1);

  const std::size_t open_extra = open.peak - open.after;
  std::printf("v1 file of %s: open: snapshot object %s, peak RSS +%s over it\n", Mib(seal.file_bytes).c_str(),
              Mib(open.after - open.baseline).c_str(), Mib(open_extra).c_str());
  // The plaintext (3/4 of the file) is held while it is decoded; a copy of the file would add
  // the whole file size on top.
  CHECK(open_extra < seal.file_bytes);
}

TEST_CASE("opening a large garbage file reads only what it needs to refuse it") {
  const std::string path = NewTempFile("garbage");
  {
    std::ofstream garbage(path, std::ios::binary);
    const std::string block(kMiB, 'x');
    for (int i = 0; i < 64; ++i) garbage << block;
    REQUIRE(garbage.good());
  }
  ::setenv("SEALSTATE_TEST_MEMORY_KEY", sealstate::testing::kKeyA, 1);

  const Figures open = OpenInChild(path, EnvelopeBinding{}, [](const Result<Snapshot>& snapshot) {
    return !snapshot.ok() && snapshot.status().code() == Code::kIntegrity;
  });
  std::remove(path.c_str());
  REQUIRE(open.ok == 1);
  std::printf("64 MiB garbage file: open refused, peak RSS +%s\n", Mib(open.peak - open.baseline).c_str());
  CHECK(open.peak - open.baseline < 4 * kMiB);
}
