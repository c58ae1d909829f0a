// The two ways an Env runs an fsync it was asked to start (Env::StartFsync): deferred to Wait()
// on the calling thread (the default: deterministic for the test Envs), or on a thread of its own
// (PosixEnv: fsyncs of different files overlap on the disk).
#pragma once

#include <memory>
#include <string>

#include "io/env.h"

namespace sealstate::internal {

// A PendingFsync whose Wait() calls env.Fsync(fd, what) on the calling thread. `env` must
// outlive it.
std::unique_ptr<PendingFsync> DeferredFsync(Env& env, int fd, std::string what);

// A PendingFsync that calls env.Fsync(fd, what) on a new thread at once (TryStartThread); Wait()
// joins it. When the system refuses a thread it falls back to DeferredFsync. `env` must outlive
// it and be safe to call from another thread. A thread per call costs about 4 us on the calling
// thread (the rest of its 25-40 us start-up and join overlaps the fsync), against 0.1-0.6 ms for
// the fsync it takes off the critical path, and needs no process-wide worker (nothing to stop
// at exit or after fork).
std::unique_ptr<PendingFsync> FsyncOnThread(Env& env, int fd, std::string what);

}  // namespace sealstate::internal
