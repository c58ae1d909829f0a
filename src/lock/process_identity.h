// Who a process is, for stale-lock detection: pid, start time, boot, host, user.
//
// A pid alone is not an identity (pids are reused quickly); (boot id, pid, start time) is. The
// probe is an interface so tests can fake dead, reused and foreign holders.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sealstate::internal {

struct ProcessIdentity {
  std::int64_t pid = 0;
  std::uint64_t start_time = 0;  // field 22 of /proc/<pid>/stat (clock ticks after boot)
  std::string boot_id;           // /proc/sys/kernel/random/boot_id
  std::string host;              // gethostname
  std::string user;              // the effective user's login name, or the uid as digits
};

class ProcessProbe {
 public:
  virtual ~ProcessProbe() = default;
  // The PosixProcessProbe (reads /proc). Never null.
  static ProcessProbe* Default();
  // This process. Computed once, and again in a forked child.
  virtual const ProcessIdentity& Self() = 0;
  // The start time of a running process `pid` on this host, or nullopt if no such process
  // exists (kill(pid, 0) fails with ESRCH). A process we may not signal (EPERM) exists.
  // A zombie counts as gone (it has closed its files, so its OFD locks are released). Returns 0
  // when the process exists but its start time cannot be read (no /proc): "unknown".
  virtual std::optional<std::uint64_t> StartTimeOf(std::int64_t pid) = 0;
};

}  // namespace sealstate::internal
