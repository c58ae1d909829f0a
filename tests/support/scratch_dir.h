// A temporary directory for file-system tests, opened as an internal::Dir, removed afterwards.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "io/env.h"

namespace sealstate::testing {

class ScratchDir {
 public:
  // Creates /tmp/sealstate-test-XXXXXX and opens it. Aborts if that fails.
  ScratchDir() {
    std::string templ = "/tmp/sealstate-test-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) std::abort();
    dir_.path = templ;
    dir_.fd = ::open(templ.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_.fd < 0) std::abort();
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    ::close(dir_.fd);
    std::error_code ignored;
    std::filesystem::remove_all(dir_.path, ignored);
  }

  const internal::Dir& dir() const { return dir_; }
  std::string Path(const std::string& name) const { return dir_.Join(name); }

  // The file's bytes, or nullopt if `name` does not exist (a symlink is not followed).
  std::optional<std::string> Read(const std::string& name) const {
    struct stat st;
    if (::lstat(Path(name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    std::ifstream in(Path(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Creates or replaces `name` with `bytes` (plain stdio, not through Env).
  void Write(const std::string& name, const std::string& bytes) const {
    std::ofstream(Path(name), std::ios::binary | std::ios::trunc) << bytes;
  }

  // Appends `bytes` to `name`.
  void Append(const std::string& name, const std::string& bytes) const {
    std::ofstream(Path(name), std::ios::binary | std::ios::app) << bytes;
  }

  // The names in the directory, sorted.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // The permission bits of `name` (lstat), or -1 if it does not exist.
  int Mode(const std::string& name) const {
    struct stat st;
    if (::lstat(Path(name).c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 07777);
  }

 private:
  internal::Dir dir_;
};

// Sets the umask for the guard's lifetime.
class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t mask) : previous_(::umask(mask)) {}
  UmaskGuard(const UmaskGuard&) = delete;
  UmaskGuard& operator=(const UmaskGuard&) = delete;
  ~UmaskGuard() { ::umask(previous_); }

 private:
  mode_t previous_;
};

// The number of open file descriptors of this process (entries of /proc/self/fd).
inline int OpenFdCount() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

}  // namespace sealstate::testing
