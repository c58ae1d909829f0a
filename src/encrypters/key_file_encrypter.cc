#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <sealstate/encrypter.h>

#include "encrypters/local_key_encrypter.h"
#include "io/env.h"
#include "io/read_at_most.h"
#include "io/stack_file.h"
#include "io/unique_fd.h"
#include "text/trim.h"

namespace sealstate {
namespace {

// A key file holds one line of base64; anything bigger is not a key file.
constexpr std::size_t kMaxKeyFileBytes = 4096;

std::string Subject(const std::string& path) { return "key-file encrypter: " + path; }

// Opens the key file, following symlinks (Kubernetes secret volumes are symlinks). O_NONBLOCK
// keeps a FIFO planted at the path from hanging us; fstat then rejects it.
Result<int> OpenKeyFile(const std::string& path) {
  Result<int> fd = internal::Env::Default()->Open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd.ok()) return fd;
  if (fd.status().code() == Code::kNotFound) return Status::NotFound(Subject(path) + " does not exist");
  return fd.status().WithPrefix("key-file encrypter: ");
}

// The opened file must be a regular file that only its owner can read or write.
Status CheckKeyFileMetadata(int fd, const std::string& path) {
  Result<struct stat> stat = internal::Env::Default()->Stat(fd, path);
  if (!stat.ok()) return stat.status().WithPrefix("key-file encrypter: ");
  const struct stat& info = *stat;
  if (!S_ISREG(info.st_mode)) return Status::InvalidArgument(Subject(path) + " is not a regular file");
  if ((info.st_mode & 077) != 0) {
    return Status::InvalidArgument(Subject(path) + " is accessible by group or others (mode " +
                                   internal::OctalMode(info.st_mode) + "); run: chmod 600 " + path);
  }
  return Status::OK();
}

// Reads the whole file into guarded memory; the result is sized to what was read.
Result<SecretBytes> ReadKeyFile(int fd, const std::string& path) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes contents, SecretBytes::Allocate(kMaxKeyFileBytes + 1));
  const Result<std::size_t> filled = internal::ReadAtMost(
      *internal::Env::Default(), fd, reinterpret_cast<char*>(contents.data()), contents.size(), path);
  if (!filled.ok()) return filled.status().WithPrefix("key-file encrypter: ");
  if (*filled > kMaxKeyFileBytes) {
    return Status::InvalidArgument(Subject(path) + " is larger than 4096 bytes; it should hold one base64 key");
  }
  contents.Truncate(*filled);
  return contents;
}

// The text between leading and trailing ASCII whitespace, as a view into `contents`.
std::string_view TrimmedText(const SecretBytes& contents) {
  const std::string_view text(reinterpret_cast<const char*>(contents.data()), contents.size());
  return internal::Trim(text, internal::kAsciiWhitespace);
}

}  // namespace

Result<std::unique_ptr<Encrypter>> NewKeyFileEncrypter(std::string path) {
  SEALSTATE_ASSIGN_OR_RETURN(int fd, OpenKeyFile(path));
  const internal::UniqueFd closer(*internal::Env::Default(), fd, path);  // only read: nothing to lose
  SEALSTATE_RETURN_IF_ERROR(CheckKeyFileMetadata(fd, path));
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes contents, ReadKeyFile(fd, path));
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes key, internal::DecodeLocalKey(TrimmedText(contents), Subject(path)));
  JsonObject config{{"path", Json(std::move(path))}};
  return std::unique_ptr<Encrypter>(
      std::make_unique<internal::LocalKeyEncrypter>("key-file", std::move(config), std::move(key)));
}

}  // namespace sealstate
