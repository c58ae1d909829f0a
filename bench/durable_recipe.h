// The durability floor: the bare syscall recipe for publishing a file so it survives a crash,
// with no library around it (no locking, no journal, no validation):
//   open(dir/.name.tmp, O_CREAT|O_EXCL, 0600), write, fsync, close, rename to name, fsync(dir).
// Also the plain whole-file read the read floor uses.
#pragma once

#include <string>
#include <string_view>

namespace sealstate::bench {

// Publishes `bytes` as `dir_fd`/`name` by the recipe above (replacing an existing `name`).
// Dies on any error.
void DurableWrite(int dir_fd, const std::string& name, std::string_view bytes);

// Reads the whole of `dir_fd`/`name` into `out` (its capacity reused). Dies on any error.
void ReadWholeFile(int dir_fd, const std::string& name, std::string& out);

// Opens a directory (O_DIRECTORY | O_CLOEXEC). Dies on error. The caller closes it.
int OpenDir(const std::string& path);

// Creates `path` with mode 0700 (an existing directory is fine). Dies on other errors.
void MakeDir(const std::string& path);

}  // namespace sealstate::bench
