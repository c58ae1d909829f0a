// Helpers shared by the failure sweep and the tamper / hostile-input tests.
#pragma once

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace sealstate::testing {

// A scratch directory removed (recursively) on destruction. Placed on /dev/shm when it is a
// writable tmpfs, so the thousands of fsyncs of a sweep cost nothing (the sweep checks the
// library's logic under injected faults, not the disk); else /tmp.
class FastScratch {
 public:
  FastScratch() {
    const char* base = ::access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string templ = std::string(base) + "/sealstate-rel-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) std::abort();
    path_ = templ;
  }
  FastScratch(const FastScratch&) = delete;
  FastScratch& operator=(const FastScratch&) = delete;
  ~FastScratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The names in a directory (not following a symlink at `path`'s last component), sorted;
// empty if it cannot be opened.
inline std::vector<std::string> DirNames(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteWholeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Everything below `path` (never following symlinks): relative path -> type and content (file
// bytes, symlink target, or "" for a directory). Compared before and after to prove that nothing
// was written, created, removed or followed. `skip` (a relative path) is left out with its
// subtree.
inline std::map<std::string, std::string> TreeState(const std::string& path, const std::string& skip = "") {
  std::map<std::string, std::string> state;
  std::vector<std::string> pending{""};
  while (!pending.empty()) {
    const std::string rel = pending.back();
    pending.pop_back();
    for (const std::string& name : DirNames(rel.empty() ? path : path + "/" + rel)) {
      const std::string child = rel.empty() ? name : rel + "/" + name;
      if (child == skip) continue;
      const std::string full = path + "/" + child;
      struct stat st;
      if (::lstat(full.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        state[child] = "dir";
        pending.push_back(child);
      } else if (S_ISLNK(st.st_mode)) {
        std::string target(4096, '\0');
        const ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
        target.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        state[child] = "link:" + target;
      } else {
        state[child] = "file:" + ReadWholeFile(full);
      }
    }
  }
  return state;
}

// True when SEALSTATE_LONG=1 asks for the release sizes.
inline bool LongRun() {
  const char* value = std::getenv("SEALSTATE_LONG");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace sealstate::testing
