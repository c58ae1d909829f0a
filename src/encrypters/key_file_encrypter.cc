#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <sealstate/encrypter.h>

#include "encrypters/local_key_encrypter.h"

namespace sealstate {
namespace {

// A key file holds one line of base64; anything bigger is not a key file.
constexpr std::size_t kMaxKeyFileBytes = 4096;

// Closes a file descriptor when it goes out of scope.
class FileCloser {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  FileCloser(const FileCloser&) = delete;
  FileCloser& operator=(const FileCloser&) = delete;
  ~FileCloser() { ::close(fd_); }

 private:
  int fd_;
};

std::string Subject(const std::string& path) { return "key-file encrypter: " + path; }

// Opens the key file, following symlinks (Kubernetes secret volumes are symlinks). O_NONBLOCK
// keeps a FIFO planted at the path from hanging us; fstat then rejects it.
Result<int> OpenKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd >= 0) return fd;
  if (errno == ENOENT) return Status::NotFound(Subject(path) + " does not exist");
  return Status::IoError("key-file encrypter: open", path, errno);
}

std::string OctalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// The opened file must be a regular file that only its owner can read or write.
Status CheckKeyFileMetadata(int fd, const std::string& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return Status::IoError("key-file encrypter: stat", path, errno);
  if (!S_ISREG(info.st_mode)) return Status::InvalidArgument(Subject(path) + " is not a regular file");
  if ((info.st_mode & 077) != 0) {
    return Status::InvalidArgument(Subject(path) + " is accessible by group or others (mode " +
                                   OctalMode(info.st_mode) + "); run: chmod 600 " + path);
  }
  return Status::OK();
}

// Reads the whole file into guarded memory; the result is sized to what was read.
Result<SecretBytes> ReadKeyFile(int fd, const std::string& path) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes contents, SecretBytes::Allocate(kMaxKeyFileBytes + 1));
  std::size_t filled = 0;
  while (filled < contents.size()) {
    const ssize_t got = ::read(fd, contents.data() + filled, contents.size() - filled);
    if (got == 0) break;
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Status::IoError("key-file encrypter: read", path, errno);
    filled += static_cast<std::size_t>(got);
  }
  if (filled > kMaxKeyFileBytes) {
    return Status::InvalidArgument(Subject(path) + " is larger than 4096 bytes; it should hold one base64 key");
  }
  contents.Truncate(filled);
  return contents;
}

bool IsAsciiSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// The text between leading and trailing ASCII whitespace, as a view into `contents`.
std::string_view TrimmedText(const SecretBytes& contents) {
  std::size_t begin = 0;
  std::size_t end = contents.size();
  while (begin < end && IsAsciiSpace(contents.data()[begin])) ++begin;
  while (end > begin && IsAsciiSpace(contents.data()[end - 1])) --end;
  if (begin == end) return {};
  return std::string_view(reinterpret_cast<const char*>(contents.data()) + begin, end - begin);
}

}  // namespace

Result<std::unique_ptr<Encrypter>> NewKeyFileEncrypter(std::string path) {
  SEALSTATE_ASSIGN_OR_RETURN(int fd, OpenKeyFile(path));
  FileCloser closer(fd);
  SEALSTATE_RETURN_IF_ERROR(CheckKeyFileMetadata(fd, path));
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes contents, ReadKeyFile(fd, path));
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes key, internal::DecodeLocalKey(TrimmedText(contents), Subject(path)));
  JsonObject config{{"path", Json(std::move(path))}};
  return std::unique_ptr<Encrypter>(
      std::make_unique<internal::LocalKeyEncrypter>("key-file", std::move(config), std::move(key)));
}

}  // namespace sealstate
