#include "durable_recipe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"

namespace sealstate::bench {
namespace {

void WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    CheckErrno(n > 0, "floor: write");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

void DurableWrite(int dir_fd, const std::string& name, std::string_view bytes) {
  const std::string temp = "." + name + ".tmp";
  const int fd = ::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  CheckErrno(fd >= 0, "floor: create " + temp);
  WriteAll(fd, bytes);
  CheckErrno(::fsync(fd) == 0, "floor: fsync " + temp);
  CheckErrno(::close(fd) == 0, "floor: close " + temp);
  CheckErrno(::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) == 0, "floor: rename " + temp);
  CheckErrno(::fsync(dir_fd) == 0, "floor: fsync directory");
}

void ReadWholeFile(int dir_fd, const std::string& name, std::string& out) {
  const int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC);
  CheckErrno(fd >= 0, "read: open " + name);
  struct stat st {};
  CheckErrno(::fstat(fd, &st) == 0, "read: fstat " + name);
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    CheckErrno(n > 0, "read: " + name);
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

int OpenDir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  CheckErrno(fd >= 0, "open directory " + path);
  return fd;
}

void MakeDir(const std::string& path) {
  CheckErrno(::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST, "mkdir " + path);
}

}  // namespace sealstate::bench
