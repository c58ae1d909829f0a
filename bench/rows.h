// The in-process rows of the benchmark table, and the child-process entry points they use.
// Each row function runs its measurement in a subdirectory of config.dir, checks what it
// committed reads back equal (dies otherwise), cleans up its large files, and returns the row.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "row.h"

namespace sealstate::bench {

// Commit() of a small snapshot vs the bare recipe (temp, fsync, rename, fsync dir; snapshot
// then pointer) on the same sealed bytes. Target <= 1.15x.
Row SmallCommitRow(const Config& config);

// Commit() of ~16 MiB vs the serial floor: RapidJSON serialise + secretstream AEAD + the
// durable recipe, each timed alone and summed. Target <= 0.8x.
Row LargeCommitRow(const Config& config);

// Current() of ~16 MiB vs read + decrypt + RapidJSON DOM parse, each timed alone. Target <= 1.0x.
Row LargeReadRow(const Config& config);

// zstd vs --compression none in one run: "zstd-size" (file size of a realistic JSON state,
// target <= 0.2x), "zstd-commit" and "zstd-read" (Commit() and Current() of ~16 MiB, interleaved,
// target <= 1.0x each).
std::vector<Row> CompressionRows(const Config& config);

// Peak RSS of committing and reading ~110 MB, each in a fresh child process, vs the size of the
// decoded snapshot. Report only; judged "met" when no whole-file extra copy is held.
std::vector<Row> MemoryRows(const Config& config);

// Release in this process -> acquired in a waiting child, CLOCK_MONOTONIC. p50 <= 1 ms, p99 <= 5 ms.
Row LockHandoffRow(const Config& config);

// List() of a stack with many (empty) revision files vs readdir + sort. Target <= 1.5x.
Row ListRow(const Config& config);

// RekeyStack of config.rekey_revisions revisions of ~1 MiB vs re-sealing them for the new key
// (open, seal v3, replace), both under the lock. Target <= 0.25x ("a small fraction").
Row RekeyRow(const Config& config);

// The postgres backend, on the server SEALSTATE_BENCH_POSTGRES names (rows run only when it is
// set). Commit() of a small snapshot vs one INSERT of the same sealed bytes (synchronous_commit
// on): target <= 2x. List() of config.list_revisions revisions: target <= 100 ms.
Row PgSmallCommitRow(const Config& config);
Row PgListRow(const Config& config);
// Release in this process -> acquired in a waiting child, through the server: p50 <= 2 ms,
// p99 <= 10 ms.
Row PgLockHandoffRow(const Config& config);
// Commit() (read = false) or Get() (read = true) of ~16 MiB vs INSERT or SELECT of the same
// sealed bytes as one row: target <= 1.5x.
Row PgLargeRows(const Config& config, bool read);

// Child: `lock-waiter ROOT STACK`. Prints "ready", waits for the lock, prints the
// CLOCK_MONOTONIC nanoseconds at which it got it, releases it. Returns the exit status.
int LockWaiterMain(const std::vector<std::string>& args);

// Child: `memory-child commit|read ROOT RESOURCES`. Prints "baseline decoded peak file" (bytes)
// for committing a generated snapshot, or reading the current one. Returns the exit status.
int MemoryChildMain(const std::vector<std::string>& args);

}  // namespace sealstate::bench
