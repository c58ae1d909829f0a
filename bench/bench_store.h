// The stores the rows use: a real LocalStore on disk (factory "bench") with the env-key
// encrypter, whose key is generated for the run and passed to child processes in the
// environment. The key is never printed.
#pragma once

#include <memory>
#include <string>

#include <sealstate/backend.h>
#include <sealstate/envelope.h>
#include <sealstate/lock.h>

namespace sealstate::bench {

inline constexpr const char* kKeyVariable = "SEALSTATE_BENCH_KEY";
inline constexpr const char* kFactory = "bench";

// Puts a fresh random key in $SEALSTATE_BENCH_KEY unless it is already set. Dies on error.
void EnsureBenchKey();

// Opens (creating) stack `stack` under `root` with the env-key encrypter, sealing new snapshots
// with `compression` (the store default, zstd, unless asked). Dies on error.
std::unique_ptr<Backend> OpenBenchStore(const std::string& root, const std::string& stack,
                                        Compression compression = Compression::kZstd);

// The stack's directory and its snapshots directory, as LocalStore lays them out.
std::string StackDir(const std::string& root, const std::string& stack);
std::string SnapshotsDir(const std::string& root, const std::string& stack);

// The file name LocalStore stores revision `rev` under.
std::string SnapshotFileName(const std::string& rev);

// Lock options for the rows: wait up to 10 s (nothing else holds the bench's stacks).
LockOptions BenchLockOptions();

}  // namespace sealstate::bench
