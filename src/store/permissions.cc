#include "store/permissions.h"

#include "io/stack_file.h"

#include <sys/stat.h>

#include <cstdio>

namespace sealstate::internal {
namespace {

// The findings about one directory or regular file at `path` (nothing for other kinds).
void CheckEntry(const struct stat& st, const std::string& path, uid_t self, std::vector<std::string>& findings) {
  const bool dir = S_ISDIR(st.st_mode);
  if (!dir && !S_ISREG(st.st_mode)) return;
  if (dir && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    findings.push_back(path + " is writable by group or others (mode " + OctalMode(st.st_mode) +
                       "), so they can replace the stack's files; run: chmod go-w " + path);
  }
  if (!dir && (st.st_mode & 077) != 0) {
    findings.push_back(path + " is accessible by group or others (mode " + OctalMode(st.st_mode) +
                       "); run: chmod 600 " + path);
  }
  if (st.st_uid != self && st.st_uid != 0) {
    findings.push_back(path + " is owned by uid " + std::to_string(st.st_uid) + ", not by uid " + std::to_string(self) +
                       " (this user) or root, so that user can change it; check who wrote "
                       "it, then run: chown " +
                       std::to_string(self) + " " + path);
  }
}

// Checks every entry of `dir` except `skip` (checked as a directory of its own).
Status CheckEntries(Env& env, const Dir& dir, std::string_view skip, uid_t self, std::vector<std::string>& findings) {
  SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> names, env.ListDir(dir));
  for (const std::string& name : names) {
    if (name == skip) continue;
    Result<struct stat> st = env.StatAt(dir, name);
    if (!st.ok() && st.status().code() == Code::kNotFound) continue;  // removed meanwhile
    if (!st.ok()) return st.status();
    CheckEntry(*st, dir.Join(name), self, findings);
  }
  return Status::OK();
}

}  // namespace

Status RefuseWorldWritableDir(Env& env, const Dir& dir) {
  SEALSTATE_ASSIGN_OR_RETURN(const struct stat st, env.Stat(dir.fd, dir.path));
  if ((st.st_mode & S_IWOTH) == 0) return Status::OK();
  return Status::Integrity(dir.path + " is writable by every user (mode " + OctalMode(st.st_mode) +
                           "), so anyone could replace or plant the stack's files; refusing to use it. Check its "
                           "contents, then run: chmod o-w " +
                           dir.path);
}

Result<std::vector<std::string>> FindLoosePermissions(Env& env, const StackDirs& dirs, uid_t self,
                                                      PermissionScope scope) {
  std::vector<std::string> findings;
  for (const Dir* dir : {&dirs.root, &dirs.factory, &dirs.stack, &dirs.snapshots}) {
    SEALSTATE_ASSIGN_OR_RETURN(const struct stat st, env.Stat(dir->fd, dir->path));
    CheckEntry(st, dir->path, self, findings);
  }
  SEALSTATE_RETURN_IF_ERROR(CheckEntries(env, dirs.stack, kSnapshotsDirName, self, findings));
  if (scope == PermissionScope::kEverything) {
    SEALSTATE_RETURN_IF_ERROR(CheckEntries(env, dirs.snapshots, "", self, findings));
  }
  return findings;
}

}  // namespace sealstate::internal
