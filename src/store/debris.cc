#include "store/debris.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "io/durable_file.h"
#include "io/stack_file.h"
#include "io/unique_fd.h"

namespace sealstate::internal {
namespace {

// O_RDWR for a write lock; never written. O_NONBLOCK: a FIFO at a temp name cannot block.
constexpr int kClaimFlags = O_RDWR | kStackFileFlags;

// Removes the temp file `name` if it is abandoned (see RemoveDebris); true if it removed it.
Result<bool> RemoveIfAbandoned(Env& env, const Dir& dir, const std::string& name, ProcessProbe& probe) {
  const long owner = TempFileOwner(name);
  if (owner <= 0 || probe.StartTimeOf(owner).has_value()) return false;
  Result<int> opened = env.OpenAt(dir, name, kClaimFlags, 0);
  if (!opened.ok()) return false;                     // gone, or not something we could have written: left alone
  const UniqueFd file(env, *opened, dir.Join(name));  // never written: its close cannot lose data
  SEALSTATE_ASSIGN_OR_RETURN(const struct stat st, env.Stat(file.get(), dir.Join(name)));
  if (!S_ISREG(st.st_mode)) return false;
  SEALSTATE_ASSIGN_OR_RETURN(const bool claimed, env.OfdLock(file.get(), LockWait::kNoWait, dir.Join(name)));
  if (!claimed) return false;             // its writer is alive (maybe in another pid namespace)
  Status gone = env.UnlinkAt(dir, name);  // while holding the lock
  if (gone.code() == Code::kNotFound) return false;
  SEALSTATE_RETURN_IF_ERROR(gone);
  return true;
}

}  // namespace

Status RemoveDebris(Env& env, const Dir& dir, ProcessProbe& probe) {
  SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> names, env.ListDir(dir));
  int removed = 0;
  Status first_failure;
  for (const std::string& name : names) {
    Result<bool> gone = RemoveIfAbandoned(env, dir, name, probe);
    if (!gone.ok() && first_failure.ok()) first_failure = gone.status();
    if (gone.ok() && *gone) ++removed;
  }
  if (removed > 0) SEALSTATE_RETURN_IF_ERROR(env.Fsync(dir.fd, dir.path));
  return first_failure;
}

}  // namespace sealstate::internal
