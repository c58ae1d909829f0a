// CrashSimulatingEnv: simulated power loss, after LevelDB's FaultInjectionTestEnv and SQLite's
// crash VFS (src/test6.c).
//
// It wraps a real Env working in a scratch directory tree (the "root") and keeps a model of what
// a power cut would leave on disk:
//   - per file (a node, not an inode number: inode numbers are reused after unlink), its current
//     bytes and its bytes at the last successful Fsync of the file;
//   - per directory, the entries at its last successful Fsync and the operations on it since
//     (create, link, rename, unlink, mkdir), in order.
// Start() takes the baseline: everything under the root is durable as it is then.
//
// Crashing: CrashAt(k) makes mutating operation k (0-based; see IsMutation) and every later call
// fail with EIO, as if the machine stopped just before it. Close still closes the fd (no leak).
// Then Materialise() writes one crash state into a fresh directory: for every directory, its
// durable entries plus a random subset of its pending operations replayed in order (each
// operation atomic: a rename either happened or not); for every file, its synced bytes plus,
// for the unsynced part, one of dropped / kept / tail zero-filled / tail garbage / torn /
// per-sector mix, chosen by a seeded RNG. The same seed gives the same choices.
//
// Now() is a deterministic clock (a fixed past instant plus 1 ms per call), so revision names
// and journal lines, hence the RNG's draws, do not depend on the wall clock.
//
// Not thread-safe: one workload thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "support/fault_injection_env.h"

namespace sealstate::testing {

class CrashSimulatingEnv : public EnvWrapper {
 public:
  // `root` is an existing directory; every file the workload touches must be below it.
  explicit CrashSimulatingEnv(std::string root, Env* target = Env::Default());

  // Takes the baseline (every file's bytes and every directory's entries count as durable).
  // Errors: kIoError reading the tree.
  Status Start();

  // Mutating operation `k` and every later call fail with EIO.
  void CrashAt(std::uint64_t k) { crash_at_ = k; }
  // True once a call failed because of CrashAt.
  bool crashed() const { return crashed_; }
  // Mutating operations executed (not failed) so far.
  std::uint64_t mutations() const { return mutations_; }
  // Inconsistencies between the model and the calls seen (a harness bug); empty when all is well.
  const std::vector<std::string>& model_errors() const { return model_errors_; }

  // What one Materialise call chose (for the test's counts).
  struct CrashStats {
    int pending_dir_ops = 0;  // unsynced directory operations in the model
    int dir_ops_lost = 0;     // of which this crash state dropped
    int dirty_files = 0;      // files with unsynced bytes
    int files_damaged = 0;    // of which this crash state did not keep exactly as written
  };

  // Writes a crash state of the root into `out_root`, an existing empty directory.
  Status Materialise(const std::string& out_root, std::uint64_t seed, CrashStats* stats) const;

  Result<int> Open(const std::string& path, int flags, mode_t mode) override;
  Result<int> OpenAt(const Dir& dir, std::string_view name, int flags, mode_t mode) override;
  Result<std::size_t> Write(int fd, std::string_view data, const std::string& what) override;
  Result<std::size_t> Read(int fd, char* buffer, std::size_t capacity, const std::string& what) override;
  Status Fsync(int fd, const std::string& what) override;
  Status Truncate(int fd, off_t length, const std::string& what) override;
  Result<off_t> SeekEnd(int fd, const std::string& what) override;
  Result<std::size_t> ReadAt(int fd, char* buffer, std::size_t capacity, off_t offset,
                             const std::string& what) override;
  Status Close(int fd, const std::string& what) override;
  Result<struct stat> Stat(int fd, const std::string& what) override;
  Result<struct stat> StatAt(const Dir& dir, std::string_view name) override;
  Status Chmod(int fd, mode_t mode, const std::string& what) override;
  Status MkdirAt(const Dir& dir, std::string_view name, mode_t mode) override;
  Status RenameAt(const Dir& dir, std::string_view from, std::string_view to, bool no_replace) override;
  Status LinkAt(const Dir& dir, std::string_view from, std::string_view to) override;
  Status UnlinkAt(const Dir& dir, std::string_view name) override;
  Result<std::vector<std::string>> ListDir(const Dir& dir) override;
  Result<bool> OfdLock(int fd, LockWait wait, const std::string& what) override;
  Result<bool> OfdLockHeldElsewhere(int fd, const std::string& what) override;
  Timestamp Now() override;

  // One directory operation not yet made durable by an fsync of its directory.
  struct DirOp {
    enum Kind { kBind, kRename, kUnlink } kind;  // kBind: create, link or mkdir
    std::string name;                            // kBind/kUnlink: the name; kRename: the source
    std::string to;                              // kRename: the destination
    int node = -1;                               // kBind/kRename: the node the name refers to
  };

 private:
  // A file or a directory. Node ids index nodes_; node 0 is the root.
  struct Node {
    bool is_dir = false;
    // Files.
    std::string current;  // the bytes now
    std::string synced;   // the bytes at the last successful fsync (or the baseline)
    // Directories.
    std::string real_path;               // for messages
    std::map<std::string, int> entries;  // the live names -> node
    std::map<std::string, int> durable;  // the names at the last fsync -> node
    std::vector<DirOp> pending;          // since the last fsync, in order
  };

  // Counts a mutation; false (and crashed_) if it must fail.
  bool EnterMutation();
  Status Crashed(const std::string& what) const;
  Status ScanDir(const std::string& path, int node, std::map<ino_t, int>& file_by_inode);
  int NewFile(std::string bytes);
  int NewDir(const std::string& real_path);
  int DirNodeOf(int dir_fd);
  void ModelError(std::string message) { model_errors_.push_back(std::move(message)); }
  void TrackOpened(int fd, int parent, std::string_view name, int flags, bool existed);
  // The node `name` refers to in directory `dir_node` now, or -1.
  int LiveNode(int dir_node, std::string_view name) const;
  void Record(int dir_node, DirOp op);

  // Materialise helpers.
  std::map<std::string, int> CrashEntries(const Node& dir, std::mt19937_64& rng, CrashStats* stats) const;
  std::string CrashContent(const Node& file, std::mt19937_64& rng, CrashStats* stats) const;
  Status WriteTree(int dir_node, const std::string& out_path, std::mt19937_64& rng, std::map<int, std::string>& written,
                   CrashStats* stats) const;

  std::string root_;
  std::optional<std::uint64_t> crash_at_;
  bool crashed_ = false;
  std::uint64_t mutations_ = 0;
  std::uint64_t clock_ticks_ = 0;
  std::vector<Node> nodes_;
  std::map<ino_t, int> dir_by_inode_;  // directories are never removed by the workloads
  std::map<int, int> file_by_fd_;
  std::vector<std::string> model_errors_;
};

}  // namespace sealstate::testing
