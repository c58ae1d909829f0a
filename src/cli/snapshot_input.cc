#include "cli/snapshot_input.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>

#include <string>

#include "io/env.h"
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
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("snapshot input " + path + ": no such file");
    return Status::IoError("open", path, errno);
  }
  auto snapshot = Decode(fd, path);
  close(fd);
  return snapshot;
}

}  // namespace sealstate::cli
