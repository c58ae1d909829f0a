#include "cli/snapshot_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "io/env.h"
#include "io/unique_fd.h"
#include "store/fd_source.h"

namespace sealstate::cli {
namespace {

// Decodes as it reads (no whole-document string), reading through the I/O seam. The source's own
// errors are kIoError, which decoding never returns, so they keep their message unprefixed.
Result<Snapshot> Decode(int fd, const std::string& name) {
  internal::FdSource source(*internal::Env::Default(), fd, name);
  auto snapshot = DecodeSnapshot(source);
  if (!snapshot.ok() && snapshot.status().code() != Code::kIoError) {
    return snapshot.status().WithPrefix("invalid snapshot input: ");
  }
  return snapshot;
}

}  // namespace

Result<Snapshot> ReadSnapshotInput(const std::string& path) {
  if (path.empty() || path == "-") return Decode(STDIN_FILENO, "standard input");
  internal::Env& env = *internal::Env::Default();
  Result<int> fd = env.Open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd.status().code() == Code::kNotFound) return Status::NotFound("snapshot input " + path + ": no such file");
  if (!fd.ok()) return fd.status();
  const internal::UniqueFd file(env, *fd, path);  // only read: its close cannot lose data
  return Decode(file.get(), path);
}

}  // namespace sealstate::cli
