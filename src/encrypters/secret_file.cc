#include "encrypters/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "io/env.h"
#include "io/read_at_most.h"
#include "io/stack_file.h"
#include "io/unique_fd.h"

namespace sealstate::internal {
namespace {

// O_NONBLOCK keeps a FIFO planted at the path from hanging us; fstat then rejects it.
Result<int> OpenSecretFile(const std::string& path, std::string_view source, std::string_view subject) {
  Result<int> fd = Env::Default()->Open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd.ok()) return fd;
  if (fd.status().code() == Code::kNotFound) return Status::NotFound(std::string(subject) + " does not exist");
  return fd.status().WithPrefix(std::string(source));
}

// The opened file must be a regular file that only its owner can read or write.
Status CheckOwnerOnly(int fd, const std::string& path, std::string_view source, std::string_view subject) {
  Result<struct stat> stat = Env::Default()->Stat(fd, path);
  if (!stat.ok()) return stat.status().WithPrefix(std::string(source));
  const struct stat& info = *stat;
  if (!S_ISREG(info.st_mode)) return Status::InvalidArgument(std::string(subject) + " is not a regular file");
  if ((info.st_mode & 077) != 0) {
    return Status::InvalidArgument(std::string(subject) + " is accessible by group or others (mode " +
                                   OctalMode(info.st_mode) + "); run: chmod 600 " + path);
  }
  return Status::OK();
}

}  // namespace

Result<SecretBytes> ReadOwnerOnlySecretFile(const std::string& path, std::string_view source, std::string_view subject,
                                            std::size_t max_bytes, std::string_view what_it_holds) {
  SEALSTATE_ASSIGN_OR_RETURN(int fd, OpenSecretFile(path, source, subject));
  const UniqueFd closer(*Env::Default(), fd, path);  // only read: nothing to lose
  SEALSTATE_RETURN_IF_ERROR(CheckOwnerOnly(fd, path, source, subject));
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes contents, SecretBytes::Allocate(max_bytes + 1));
  const Result<std::size_t> filled =
      ReadAtMost(*Env::Default(), fd, reinterpret_cast<char*>(contents.data()), contents.size(), path);
  if (!filled.ok()) return filled.status().WithPrefix(std::string(source));
  if (*filled > max_bytes) {
    return Status::InvalidArgument(std::string(subject) + " is larger than " + std::to_string(max_bytes) + " bytes; " +
                                   std::string(what_it_holds));
  }
  contents.Truncate(*filled);
  return contents;
}

}  // namespace sealstate::internal
