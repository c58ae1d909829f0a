// Row "small-commit": Commit() of a 10-resource snapshot vs the bare durable recipe, twice
// (snapshot, then the current pointer), on the bytes sealstate sealed.
#include <unistd.h>

#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>

#include "bench_store.h"
#include "clock.h"
#include "document.h"
#include "durable_recipe.h"
#include "fail.h"
#include "floor_dirs.h"
#include "null_sink.h"
#include "rows.h"

namespace sealstate::bench {
namespace {

struct SmallSamples {
  std::vector<double> commit, floor, seal;
  std::string sealed;  // the last file sealstate wrote
  std::string rev;
};

// The floor: the same two durable publishes Commit() needs at least, on `sealed`.
void FloorCommit(const FloorDirs& dirs, int iteration, const SmallSamples& s) {
  DurableWrite(dirs.snapshots_fd(), "f" + std::to_string(iteration) + ".json.enc", s.sealed);
  DurableWrite(dirs.stack_fd(), "current", s.rev + "\n");
}

// Seals as a store does (the envelope version and compression it writes by default).
double TimeSeal(const Snapshot& doc, const Encrypter& encrypter) {
  NullSink sink;
  const EnvelopeBinding binding{"state", kFactory, doc.stack, "2026-01-01T00:00:00Z"};
  const EnvelopePolicy written;
  return TimeMs([&] {
    Must(SealSnapshot(doc, written.written_version(), binding, encrypter, sink, written.written_compression()), "seal");
  });
}

Row MakeRow(const Config& config, const SmallSamples& s) {
  Row row = NewRow("small-commit", "small commit, in-process (" + std::to_string(config.small_resources) + " res)",
                   "ms", Summarize(s.commit), "bare recipe: tmp+fsync+rename+fsync(dir), snapshot then pointer",
                   Summarize(s.floor));
  JudgeRatio(row, "<= 1.3x", 1.3);
  row.phases = {{"seal (encode+compress+encrypt as stored, in memory)", Summarize(s.seal).median}};
  row.note = "sealed file " + std::to_string(s.sealed.size()) + " bytes";
  return row;
}

}  // namespace

Row SmallCommitRow(const Config& config) {
  const std::string root = config.dir + "/small";
  std::unique_ptr<Backend> store = OpenBenchStore(root, "small");
  const std::unique_ptr<Encrypter> encrypter = Must(NewEnvKeyEncrypter(kKeyVariable), "encrypter");
  FloorDirs floor(config.dir + "/floor-small");
  const int snapshots_fd = OpenDir(SnapshotsDir(root, "small"));
  SmallSamples s;
  Snapshot doc;
  for (int i = -1; i < config.small_iterations; ++i) {  // iteration -1 warms up, untimed
    doc = MakeDocument({config.small_resources, static_cast<std::uint64_t>(i + 2), kFactory, "small"});
    const bool floor_first = i % 2 != 0;
    double floor_ms = 0;
    if (floor_first && i >= 0) floor_ms = TimeMs([&] { FloorCommit(floor, i, s); });
    const double commit_ms = TimeMs([&] { s.rev = Must(store->Commit(doc, BenchLockOptions(), {}), "commit"); });
    ReadWholeFile(snapshots_fd, SnapshotFileName(s.rev), s.sealed);
    if (!floor_first && i >= 0) floor_ms = TimeMs([&] { FloorCommit(floor, i, s); });
    if (i < 0) continue;
    s.commit.push_back(commit_ms);
    s.floor.push_back(floor_ms);
    s.seal.push_back(TimeSeal(doc, *encrypter));
  }
  ::close(snapshots_fd);
  if (!(Must(store->Current(), "read back") == doc)) Die("small commit: current does not read back equal");
  return MakeRow(config, s);
}

}  // namespace sealstate::bench
