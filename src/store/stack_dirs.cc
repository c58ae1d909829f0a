#include "store/stack_dirs.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "store/permissions.h"

namespace sealstate::internal {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

// Owns a Dir until released.
class DirGuard {
 public:
  explicit DirGuard(Env& env) : env_(env) {}
  DirGuard(const DirGuard&) = delete;
  DirGuard& operator=(const DirGuard&) = delete;
  ~DirGuard() {
    if (dir.fd >= 0) (void)env_.Close(dir.fd, dir.path);  // read-only directory fd: nothing to lose
  }
  Dir Release() {
    Dir out = dir;
    dir.fd = -1;
    return out;
  }
  Dir dir;

 private:
  Env& env_;
};

Status RefuseSymlink(const Status& opened, const std::string& path) {
  if (opened.code() == Code::kIoError && (opened.error_number() == ELOOP || opened.error_number() == ENOTDIR)) {
    return Status::IoError("open", path, opened.error_number())
        .WithSuffix(" (refusing: it must be a real directory, not a symlink or file)");
  }
  return opened;
}

// Opens `name` in `parent` as a directory, creating it (0700, exactly) when missing and allowed.
Status OpenChild(Env& env, const Dir& parent, const std::string& name, bool create, bool follow, Dir& out) {
  out.path = parent.Join(name);
  const int flags = kDirFlags | (follow ? 0 : O_NOFOLLOW);
  Result<int> fd = env.OpenAt(parent, name, flags, 0);
  if (!fd.ok() && fd.status().code() == Code::kNotFound && create) {
    Status made = env.MkdirAt(parent, name, 0700);
    if (!made.ok() && made.code() != Code::kAlreadyExists) return made;
    fd = env.OpenAt(parent, name, flags, 0);
    if (fd.ok() && made.ok()) {
      out.fd = *fd;
      SEALSTATE_RETURN_IF_ERROR(env.Chmod(out.fd, 0700, out.path));
      return env.Fsync(parent.fd, parent.path);  // make the new entry durable
    }
  }
  if (!fd.ok() && fd.status().code() == Code::kNotFound) {
    return Status::NotFound("no such stack: " + out.path + " does not exist");
  }
  if (!fd.ok()) return RefuseSymlink(fd.status(), out.path);
  out.fd = *fd;
  return Status::OK();
}

// Opens the root, creating missing components (0700) when allowed. Symlinks in the root path
// are followed: the root is the caller's choice.
Status OpenRoot(Env& env, const std::string& root, bool create, DirGuard& out) {
  Result<int> direct = env.Open(root, kDirFlags, 0);
  if (direct.ok() || direct.status().code() != Code::kNotFound || !create) {
    if (!direct.ok() && direct.status().code() == Code::kNotFound) {
      return Status::NotFound("no such stack: the store root " + root + " does not exist");
    }
    if (!direct.ok()) return direct.status();
    out.dir = Dir{*direct, root};
    return Status::OK();
  }
  const bool absolute = !root.empty() && root[0] == '/';
  SEALSTATE_ASSIGN_OR_RETURN(int start, env.Open(absolute ? "/" : ".", kDirFlags, 0));
  out.dir = Dir{start, absolute ? "/" : "."};
  std::size_t pos = 0;
  while (pos < root.size()) {
    const std::size_t slash = root.find('/', pos);
    const std::string part = root.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    pos = slash == std::string::npos ? root.size() : slash + 1;
    if (part.empty() || part == ".") continue;
    DirGuard next(env);
    SEALSTATE_RETURN_IF_ERROR(OpenChild(env, out.dir, part, true, /*follow=*/true, next.dir));
    (void)env.Close(out.dir.fd, out.dir.path);  // read-only directory fd
    out.dir = next.Release();
  }
  out.dir.path = root;
  return Status::OK();
}

}  // namespace

StackDirs::~StackDirs() {
  for (Dir* dir : {&snapshots, &stack, &factory, &root}) {
    if (dir->fd >= 0) (void)env_.Close(dir->fd, dir->path);  // read-only directory fds
  }
}

Result<std::unique_ptr<StackDirs>> OpenStackDirs(Env& env, const std::string& root, const std::string& factory,
                                                 const std::string& stack, bool create) {
  DirGuard root_dir(env);
  SEALSTATE_RETURN_IF_ERROR(OpenRoot(env, root, create, root_dir));
  SEALSTATE_RETURN_IF_ERROR(RefuseWorldWritableDir(env, root_dir.dir));
  DirGuard factory_dir(env);
  SEALSTATE_RETURN_IF_ERROR(OpenChild(env, root_dir.dir, factory, create, false, factory_dir.dir));
  SEALSTATE_RETURN_IF_ERROR(RefuseWorldWritableDir(env, factory_dir.dir));
  DirGuard stack_dir(env);
  SEALSTATE_RETURN_IF_ERROR(OpenChild(env, factory_dir.dir, stack, create, false, stack_dir.dir));
  SEALSTATE_RETURN_IF_ERROR(RefuseWorldWritableDir(env, stack_dir.dir));
  DirGuard snapshots_dir(env);
  SEALSTATE_RETURN_IF_ERROR(
      OpenChild(env, stack_dir.dir, std::string(kSnapshotsDirName), create, false, snapshots_dir.dir));
  SEALSTATE_RETURN_IF_ERROR(RefuseWorldWritableDir(env, snapshots_dir.dir));
  auto dirs = std::make_unique<StackDirs>(env);
  dirs->root = root_dir.Release();
  dirs->factory = factory_dir.Release();
  dirs->stack = stack_dir.Release();
  dirs->snapshots = snapshots_dir.Release();
  return dirs;
}

}  // namespace sealstate::internal
