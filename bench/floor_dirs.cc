#include "floor_dirs.h"

#include <fcntl.h>
#include <unistd.h>

#include "durable_recipe.h"
#include "fail.h"

namespace sealstate::bench {

FloorDirs::FloorDirs(const std::string& path) {
  MakeDir(path);
  MakeDir(path + "/snapshots");
  stack_fd_ = OpenDir(path);
  snapshots_fd_ = OpenDir(path + "/snapshots");
}

FloorDirs::~FloorDirs() {
  ::close(snapshots_fd_);
  ::close(stack_fd_);
}

void FloorDirs::RemoveSnapshot(const std::string& name) const {
  CheckErrno(::unlinkat(snapshots_fd_, name.c_str(), 0) == 0, "floor: unlink " + name);
}

}  // namespace sealstate::bench
