// Row "lock-handoff": this process holds the stack lock; a child (this executable, run as
// `lock-waiter`) waits for it in AcquireLock; the latency is from just before our Unlock() to
// the moment the child holds the lock, both stamped with CLOCK_MONOTONIC.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "bench_store.h"
#include "child.h"
#include "clock.h"
#include "fail.h"
#include "rows.h"

namespace sealstate::bench {
namespace {

constexpr const char* kStack = "lock";

void WriteLine(const std::string& line) {
  const std::string text = line + "\n";
  CheckErrno(::write(STDOUT_FILENO, text.data(), text.size()) == static_cast<ssize_t>(text.size()), "write");
}

// One hand-off: returns the release -> acquired latency in milliseconds.
double OneHandoff(Backend& store, const std::string& root, int sample) {
  std::unique_ptr<Lock> lock = Must(store.AcquireLock(BenchLockOptions()), "acquire");
  Child waiter = SpawnSelf({"lock-waiter", root, kStack});
  if (ReadLine(waiter) != "ready") Die("lock waiter: unexpected report");
  // Hold a while (3..7 ms) so the waiter is inside AcquireLock's wait, not still starting it.
  std::this_thread::sleep_for(std::chrono::milliseconds(3 + sample % 5));
  const std::int64_t released = NowNs();
  Must(lock->Unlock(), "release");
  const std::int64_t acquired = std::stoll(ReadLine(waiter));
  Reap(waiter);
  return static_cast<double>(acquired - released) / 1e6;
}

Row MakeRow(const std::vector<double>& samples) {
  Row row = NewRow("lock-handoff", "lock hand-off, process A -> waiting B", "ms", Summarize(samples));
  row.target = "p50<=1ms p99<=5ms";
  row.met = row.sealstate.median <= 1.0 && row.sealstate.p99 <= 5.0;
  row.phases = {{"p99", row.sealstate.p99}};
  char note[128];
  std::snprintf(note, sizeof note, "%zu samples, p99 %.3f ms; release stamped before Unlock()", samples.size(),
                row.sealstate.p99);
  row.note = note;
  return row;
}

}  // namespace

Row LockHandoffRow(const Config& config) {
  const std::string root = config.dir + "/store";
  std::unique_ptr<Backend> store = OpenBenchStore(root, kStack);
  std::vector<double> samples;
  for (int i = 0; i < config.lock_samples; ++i) samples.push_back(OneHandoff(*store, root, i));
  return MakeRow(samples);
}

int LockWaiterMain(const std::vector<std::string>& args) {
  if (args.size() != 2) Die("usage: lock-waiter ROOT STACK");
  std::unique_ptr<Backend> store = OpenBenchStore(args[0], args[1]);
  WriteLine("ready");
  std::unique_ptr<Lock> lock = Must(store->AcquireLock(BenchLockOptions()), "waiter: acquire");
  const std::int64_t acquired = NowNs();
  WriteLine(std::to_string(acquired));
  Must(lock->Unlock(), "waiter: release");
  return 0;
}

}  // namespace sealstate::bench
