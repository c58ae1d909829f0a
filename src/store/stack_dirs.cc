#include "store/stack_dirs.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "io/unique_fd.h"
#include "store/permissions.h"

namespace sealstate::internal {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

// The directory `owner` holds (its what() is the path), as a Dir; `owner` keeps the fd. Directory
// fds are only read, so the owner's unchecked close cannot lose data.
Dir AsDir(const UniqueFd& owner) { return Dir{owner.get(), owner.what()}; }

// Hands the directory over to a Dir, whose holder (StackDirs) closes it.
Dir ReleaseDir(UniqueFd& owner) {
  std::string path = owner.what();
  return Dir{owner.Release(), std::move(path)};
}

Status RefuseSymlink(const Status& opened, const std::string& path) {
  if (opened.code() == Code::kIoError && (opened.error_number() == ELOOP || opened.error_number() == ENOTDIR)) {
    return Status::IoError("open", path, opened.error_number())
        .WithSuffix(" (refusing: it must be a real directory, not a symlink or file)");
  }
  return opened;
}

// Opens `name` in `parent` as a directory, creating it (0700, exactly) when missing and allowed.
Status OpenChild(Env& env, const Dir& parent, const std::string& name, bool create, bool follow, UniqueFd& out) {
  const std::string path = parent.Join(name);
  const int flags = kDirFlags | (follow ? 0 : O_NOFOLLOW);
  Result<int> fd = env.OpenAt(parent, name, flags, 0);
  if (!fd.ok() && fd.status().code() == Code::kNotFound && create) {
    Status made = env.MkdirAt(parent, name, 0700);
    if (!made.ok() && made.code() != Code::kAlreadyExists) return made;
    fd = env.OpenAt(parent, name, flags, 0);
    if (fd.ok() && made.ok()) {
      out = UniqueFd(env, *fd, path);
      SEALSTATE_RETURN_IF_ERROR(env.Chmod(out.get(), 0700, path));
      return env.Fsync(parent.fd, parent.path);  // make the new entry durable
    }
  }
  if (!fd.ok() && fd.status().code() == Code::kNotFound) {
    return Status::NotFound("no such stack: " + path + " does not exist");
  }
  if (!fd.ok()) return RefuseSymlink(fd.status(), path);
  out = UniqueFd(env, *fd, path);
  return Status::OK();
}

// Opens the root, creating missing components (0700) when allowed. Symlinks in the root path
// are followed: the root is the caller's choice.
Status OpenRoot(Env& env, const std::string& root, bool create, UniqueFd& out) {
  Result<int> direct = env.Open(root, kDirFlags, 0);
  if (direct.ok() || direct.status().code() != Code::kNotFound || !create) {
    if (!direct.ok() && direct.status().code() == Code::kNotFound) {
      return Status::NotFound("no such stack: the store root " + root + " does not exist");
    }
    if (!direct.ok()) return direct.status();
    out = UniqueFd(env, *direct, root);
    return Status::OK();
  }
  const bool absolute = !root.empty() && root[0] == '/';
  SEALSTATE_ASSIGN_OR_RETURN(int start, env.Open(absolute ? "/" : ".", kDirFlags, 0));
  out = UniqueFd(env, start, absolute ? "/" : ".");
  std::size_t pos = 0;
  while (pos < root.size()) {
    const std::size_t slash = root.find('/', pos);
    const std::string part = root.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    pos = slash == std::string::npos ? root.size() : slash + 1;
    if (part.empty() || part == ".") continue;
    UniqueFd next(env, -1, "");
    SEALSTATE_RETURN_IF_ERROR(OpenChild(env, AsDir(out), part, true, /*follow=*/true, next));
    out = std::move(next);  // closes the parent
  }
  out = UniqueFd(env, out.Release(), root);
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
  UniqueFd root_dir(env, -1, "");
  SEALSTATE_RETURN_IF_ERROR(OpenRoot(env, root, create, root_dir));
  SEALSTATE_RETURN_IF_ERROR(RefuseWorldWritableDir(env, AsDir(root_dir)));
  UniqueFd factory_dir(env, -1, "");
  SEALSTATE_RETURN_IF_ERROR(OpenChild(env, AsDir(root_dir), factory, create, false, factory_dir));
  SEALSTATE_RETURN_IF_ERROR(RefuseWorldWritableDir(env, AsDir(factory_dir)));
  UniqueFd stack_dir(env, -1, "");
  SEALSTATE_RETURN_IF_ERROR(OpenChild(env, AsDir(factory_dir), stack, create, false, stack_dir));
  SEALSTATE_RETURN_IF_ERROR(RefuseWorldWritableDir(env, AsDir(stack_dir)));
  UniqueFd snapshots_dir(env, -1, "");
  SEALSTATE_RETURN_IF_ERROR(
      OpenChild(env, AsDir(stack_dir), std::string(kSnapshotsDirName), create, false, snapshots_dir));
  SEALSTATE_RETURN_IF_ERROR(RefuseWorldWritableDir(env, AsDir(snapshots_dir)));
  auto dirs = std::make_unique<StackDirs>(env);
  dirs->root = ReleaseDir(root_dir);
  dirs->factory = ReleaseDir(factory_dir);
  dirs->stack = ReleaseDir(stack_dir);
  dirs->snapshots = ReleaseDir(snapshots_dir);
  return dirs;
}

}  // namespace sealstate::internal
