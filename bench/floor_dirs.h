// Where the floor recipes write: a stack directory and its snapshots subdirectory, laid out like
// a LocalStore stack (same file system, same depth), held open as directory fds.
#pragma once

#include <string>

namespace sealstate::bench {

class FloorDirs {
 public:
  // Creates `path` and `path`/snapshots (0700) and opens both. Dies on error.
  explicit FloorDirs(const std::string& path);
  FloorDirs(const FloorDirs&) = delete;
  FloorDirs& operator=(const FloorDirs&) = delete;
  ~FloorDirs();

  // The stack directory (where the pointer goes) and its snapshots subdirectory, open for the
  // object's lifetime.
  int stack_fd() const { return stack_fd_; }
  int snapshots_fd() const { return snapshots_fd_; }

  // Unlinks `name` in the snapshots directory (not synced: cleanup between iterations).
  void RemoveSnapshot(const std::string& name) const;

 private:
  int stack_fd_ = -1;
  int snapshots_fd_ = -1;
};

}  // namespace sealstate::bench
