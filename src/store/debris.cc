#include "store/debris.h"

#include "io/durable_file.h"

namespace sealstate::internal {

Result<int> RemoveDebris(Env& env, const Dir& dir, ProcessProbe& probe) {
  SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> names, env.ListDir(dir));
  int removed = 0;
  for (const std::string& name : names) {
    const long owner = TempFileOwner(name);
    if (owner <= 0 || probe.StartTimeOf(owner).has_value()) continue;
    Status gone = env.UnlinkAt(dir, name);
    if (!gone.ok() && gone.code() != Code::kNotFound) return gone;
    if (gone.ok()) ++removed;
  }
  if (removed > 0) SEALSTATE_RETURN_IF_ERROR(env.Fsync(dir.fd, dir.path));
  return removed;
}

}  // namespace sealstate::internal
