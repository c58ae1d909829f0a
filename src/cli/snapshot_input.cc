#include "cli/snapshot_input.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace sealstate::cli {
namespace {

// The user's input file or stdin as a ByteSource, so the snapshot is decoded as it is read (no
// whole-document string). Remembers whether a read failed, so the caller can tell the input's
// own I/O error from a decoding error.
class InputSource final : public ByteSource {
 public:
  InputSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    for (;;) {
      const ssize_t n = read(fd_, buffer, capacity);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      failed_ = true;
      return Status::IoError("read", name_, errno);
    }
  }

  bool failed() const { return failed_; }

 private:
  int fd_;
  std::string name_;
  bool failed_ = false;
};

Result<Snapshot> Decode(int fd, const std::string& name) {
  InputSource source(fd, name);
  auto snapshot = DecodeSnapshot(source);
  if (!snapshot.ok() && !source.failed()) return snapshot.status().WithPrefix("invalid snapshot input: ");
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
