#include "io/stack_file.h"

#include <fcntl.h>

#include <cstdio>
#include <string>

#include "io/durable_file.h"
#include "io/unique_fd.h"

namespace sealstate::internal {
namespace {

std::string_view FileType(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a file";
}

bool SameFile(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// True if `entry` is a temp name (TempNameFor) of `name`.
bool IsTempNameOf(std::string_view entry, std::string_view name) {
  const std::string prefix = "." + std::string(name) + std::string(kTempMarker);
  return entry.starts_with(prefix) && TempFileOwner(entry) > 0;
}

// How many temp names of `name` in `dir` refer to the file `file`.
Result<nlink_t> TempLinksTo(Env& env, const Dir& dir, std::string_view name, const struct stat& file) {
  SEALSTATE_ASSIGN_OR_RETURN(const std::vector<std::string> entries, env.ListDir(dir));
  nlink_t links = 0;
  for (const std::string& entry : entries) {
    if (!IsTempNameOf(entry, name)) continue;
    Result<struct stat> st = env.StatAt(dir, entry);
    if (st.status().code() == Code::kNotFound) continue;  // removed meanwhile
    if (!st.ok()) return st.status();
    if (SameFile(*st, file)) ++links;
  }
  return links;
}

Status NotRegular(const std::string& path, mode_t mode) {
  return Status::Integrity(path + " is not a regular file (" + std::string(FileType(mode)) +
                           "); a stack file must be one: remove it, or restore the file sealstate wrote there");
}

Status ExtraLinks(const std::string& path, nlink_t links) {
  return Status::Integrity(path + " has " + std::to_string(links) +
                           " hard links; a stack file must have only its own name, or sealstate would read or "
                           "change another file through it (possibly outside the store). Find the other names "
                           "with `find / -xdev -samefile " +
                           path +
                           "`, then remove them, or give the stack its "
                           "own copy (cp -p FILE FILE.new && mv FILE.new FILE)");
}

}  // namespace

std::string OctalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

Status CheckStackFile(Env& env, const Dir& dir, std::string_view name, int fd) {
  const std::string path = dir.Join(name);
  SEALSTATE_ASSIGN_OR_RETURN(struct stat st, env.Stat(fd, path));
  if (!S_ISREG(st.st_mode)) return NotRegular(path, st.st_mode);
  if (st.st_nlink <= 1) return Status::OK();
  SEALSTATE_ASSIGN_OR_RETURN(const nlink_t temp_links, TempLinksTo(env, dir, name, st));
  // Counted again: a temp name removed during the scan (a publish finishing) lowers it.
  SEALSTATE_ASSIGN_OR_RETURN(st, env.Stat(fd, path));
  if (st.st_nlink <= 1 + temp_links) return Status::OK();
  return ExtraLinks(path, st.st_nlink);
}

Result<int> OpenStackFile(Env& env, const Dir& dir, std::string_view name, int access) {
  SEALSTATE_ASSIGN_OR_RETURN(const int fd, env.OpenAt(dir, name, access | kStackFileFlags, 0));
  UniqueFd file(env, fd, dir.Join(name));  // closed if refused, before any read or write: nothing to lose
  SEALSTATE_RETURN_IF_ERROR(CheckStackFile(env, dir, name, file.get()));
  return file.Release();
}

}  // namespace sealstate::internal
