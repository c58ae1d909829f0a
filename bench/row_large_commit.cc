// Row "large-commit": Commit() of a ~16 MiB snapshot vs the serial floor, the sum of RapidJSON
// serialise, secretstream AEAD and the durable recipe (snapshot, then pointer), each timed alone.
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
#include "rapid_codec.h"
#include "rows.h"
#include "stream_cipher.h"

namespace sealstate::bench {
namespace {

struct LargeSamples {
  std::vector<double> commit, encode, seal;       // sealstate: total; encode and encrypt alone
  std::vector<double> serialize, encrypt, write;  // floor phases
  std::size_t file_bytes = 0, json_bytes = 0;
};

struct FloorBuffers {
  std::string text, sealed;
};

void TimeFloor(const Snapshot& doc, const StreamCipher& cipher, const FloorDirs& dirs, int i, FloorBuffers& b,
               LargeSamples& s) {
  s.serialize.push_back(TimeMs([&] { RapidSerialize(doc, b.text); }));
  s.encrypt.push_back(TimeMs([&] { cipher.Seal(b.text, b.sealed); }));
  const std::string name = "f" + std::to_string(i) + ".json.enc";
  s.write.push_back(TimeMs([&] {
    DurableWrite(dirs.snapshots_fd(), name, b.sealed);
    DurableWrite(dirs.stack_fd(), "current", name + "\n");
  }));
  dirs.RemoveSnapshot(name);  // untimed: keep one file at a time, as sealstate's side does
}

// Encoding alone (into `json`, whose capacity is reused across iterations as the floor's
// serialise reuses its buffer: a fresh 24 MB string would time page faults, not encoding), then
// sealing the encoded bytes alone (SealV2 with a payload writer that hands over the finished
// JSON): the two CPU phases of Commit().
void TimeSealstatePhases(const Snapshot& doc, const Encrypter& encrypter, LargeSamples& s, std::string& json) {
  s.encode.push_back(TimeMs([&] {
    json.clear();
    StringSink sink(json);
    Must(EncodeSnapshot(doc, sink), "encode");
  }));
  NullSink sealed;
  const EnvelopeBinding binding{"state", kFactory, doc.stack, "2026-01-01T00:00:00Z"};
  const PayloadWriter payload = [&](ByteSink& sink) { return sink.Append(json); };
  s.seal.push_back(TimeMs([&] { Must(SealV2(binding, encrypter, payload, sealed), "seal"); }));
  s.json_bytes = json.size();
  s.file_bytes = sealed.bytes();
}

double TimeCommit(Backend& store, const Snapshot& doc, std::string& previous) {
  std::string rev;
  const double ms = TimeMs([&] { rev = Must(store.Commit(doc, BenchLockOptions(), {}), "commit"); });
  if (!previous.empty()) Must(store.Remove(previous, ""), "remove the previous revision");  // untimed
  previous = rev;
  return ms;
}

Row MakeRow(const Config& config, const LargeSamples& s) {
  Row row;
  row.id = "large-commit";
  row.title = "16 MiB commit, in-process (" + std::to_string(config.large_resources) + " res)";
  row.unit = "ms";
  row.sealstate = Summarize(s.commit);
  row.comparison = "serial floor: RapidJSON serialise + secretstream AEAD + durable recipe, each alone";
  row.floor = Summarize(SumPerIteration({s.serialize, s.encrypt, s.write}));
  row.target = "<= 0.7x";
  JudgeRatio(row, 0.7);
  const double encode = Summarize(s.encode).median, encrypt = Summarize(s.seal).median;
  row.phases = {{"sealstate encode (EncodeSnapshot into a reused string)", encode},
                {"sealstate encrypt (SealV2 of the encoded bytes)", encrypt},
                {"sealstate rest: lock, I/O, journal, pointer, minus overlap (commit - phases)",
                 row.sealstate.median - encode - encrypt},
                {"floor serialise", Summarize(s.serialize).median},
                {"floor AEAD", Summarize(s.encrypt).median},
                {"floor durable write", Summarize(s.write).median}};
  row.note = "JSON " + std::to_string(s.json_bytes) + " bytes, sealed file " + std::to_string(s.file_bytes) + " bytes";
  return row;
}

}  // namespace

Row LargeCommitRow(const Config& config) {
  std::unique_ptr<Backend> store = OpenBenchStore(config.dir + "/large", "large");
  const std::unique_ptr<Encrypter> encrypter = Must(NewEnvKeyEncrypter(kKeyVariable), "encrypter");
  const Snapshot doc = MakeDocument({config.large_resources, 7, kFactory, "large"});
  const StreamCipher cipher;
  FloorDirs floor(config.dir + "/floor-large");
  FloorBuffers buffers;
  LargeSamples s;
  std::string previous, json;
  TimeCommit(*store, doc, previous);  // warm-up, untimed
  for (int i = 0; i < config.large_iterations; ++i) {
    if (i % 2 == 0) s.commit.push_back(TimeCommit(*store, doc, previous));
    TimeFloor(doc, cipher, floor, i, buffers, s);
    if (i % 2 != 0) s.commit.push_back(TimeCommit(*store, doc, previous));
    TimeSealstatePhases(doc, *encrypter, s, json);
  }
  if (!(Must(store->Current(), "read back") == doc)) Die("16 MiB commit: current does not read back equal");
  return MakeRow(config, s);
}

}  // namespace sealstate::bench
