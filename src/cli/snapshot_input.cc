#include "cli/snapshot_input.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace sealstate::cli {
namespace {

// Reads `fd` to its end. `name` is used in errors.
Result<std::string> ReadAll(int fd, const std::string& name) {
  std::string data;
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n == 0) return data;
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError("read", name, errno);
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
}

Result<std::string> ReadInput(const std::string& path) {
  if (path.empty() || path == "-") return ReadAll(STDIN_FILENO, "standard input");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("snapshot input " + path + ": no such file");
    return Status::IoError("open", path, errno);
  }
  auto data = ReadAll(fd, path);
  close(fd);
  return data;
}

}  // namespace

Result<Snapshot> ReadSnapshotInput(const std::string& path) {
  SEALSTATE_ASSIGN_OR_RETURN(const std::string json, ReadInput(path));
  auto snapshot = DecodeSnapshot(json);
  if (!snapshot.ok()) return snapshot.status().WithPrefix("invalid snapshot input: ");
  return snapshot;
}

}  // namespace sealstate::cli
