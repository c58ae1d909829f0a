// Row "large-read": Current() of a ~16 MiB snapshot vs the serial floor, the sum of reading the
// file, secretstream decryption and a RapidJSON DOM parse of the same JSON, each timed alone.
#include <unistd.h>

#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>

#include "bench_store.h"
#include "clock.h"
#include "document.h"
#include "durable_recipe.h"
#include "fail.h"
#include "floor_dirs.h"
#include "rapid_codec.h"
#include "rows.h"
#include "stream_cipher.h"

namespace sealstate::bench {
namespace {

struct ReadSamples {
  std::vector<double> current, file, open, decode;  // sealstate: total; phases alone (open = decrypt)
  std::vector<double> read, decrypt, parse;         // floor phases
};

struct ReadFixture {
  std::unique_ptr<Backend> store;
  std::unique_ptr<Encrypter> encrypter;
  std::string rev;
  std::string json;  // what sealstate encodes for the document
  StreamCipher cipher;
  int store_fd = -1;  // the store's snapshots directory
};

void TimeFloor(const ReadFixture& f, const FloorDirs& dirs, ReadSamples& s, std::string& sealed, std::string& plain) {
  s.read.push_back(TimeMs([&] { ReadWholeFile(dirs.snapshots_fd(), "read.json.enc", sealed); }));
  s.decrypt.push_back(TimeMs([&] { f.cipher.Open(sealed, plain); }));
  s.parse.push_back(TimeMs([&] { RapidParse(plain); }));
}

void TimeCurrent(const ReadFixture& f, std::size_t resources, ReadSamples& s) {
  Result<Snapshot> current = Status::Internal("not read");
  s.current.push_back(TimeMs([&] { current = f.store->Current(); }));
  if (Must(std::move(current), "current").entries.size() != resources) Die("16 MiB read: wrong entry count");
}

// Decrypting alone (OpenV2 with a payload reader that only drains the plaintext), then
// decoding the JSON alone: the two CPU phases of Current().
void TimeSealstatePhases(const ReadFixture& f, ReadSamples& s, std::string& file) {
  s.file.push_back(TimeMs([&] { ReadWholeFile(f.store_fd, SnapshotFileName(f.rev), file); }));
  const EnvelopeBinding expected{"state", kFactory, "read", f.rev};
  std::vector<char> chunk(1 << 16);
  const PayloadReader drain = [&](ByteSource& payload) -> Status {
    for (;;) {
      SEALSTATE_ASSIGN_OR_RETURN(std::size_t got, payload.Read(chunk.data(), chunk.size()));
      if (got == 0) return Status::OK();
    }
  };
  s.open.push_back(TimeMs([&] {
    StringSource source(file);
    Must(OpenV2(source, expected, *f.encrypter, OpenOptions{}, drain), "decrypt");
  }));
  Result<Snapshot> decoded = Status::Internal("not decoded");
  s.decode.push_back(TimeMs([&] { decoded = DecodeSnapshot(f.json); }));  // freed after timing, as Current()'s
  Must(std::move(decoded), "decode");
}

Row MakeRow(const Config& config, const ReadSamples& s, std::size_t file_bytes) {
  Row row;
  row.id = "large-read";
  row.title = "16 MiB read, in-process (" + std::to_string(config.large_resources) + " res)";
  row.unit = "ms";
  row.sealstate = Summarize(s.current);
  row.comparison = "serial floor: read + secretstream decrypt + RapidJSON DOM parse, each alone";
  row.floor = Summarize(SumPerIteration({s.read, s.decrypt, s.parse}));
  row.target = "<= 0.8x";
  JudgeRatio(row, 0.8);
  const double file = Summarize(s.file).median, decrypt = Summarize(s.open).median;
  const double decode = Summarize(s.decode).median;
  row.phases = {
      {"sealstate read file (whole, hot)", file},
      {"sealstate decrypt (OpenV2, payload drained)", decrypt},
      {"sealstate decode (DecodeSnapshot of the JSON)", decode},
      {"sealstate rest: open, checks, overlap (current - phases)", row.sealstate.median - file - decrypt - decode},
      {"floor read", Summarize(s.read).median},
      {"floor decrypt", Summarize(s.decrypt).median},
      {"floor parse", Summarize(s.parse).median}};
  row.note = "sealed file " + std::to_string(file_bytes) + " bytes (hot page cache)";
  return row;
}

}  // namespace

Row LargeReadRow(const Config& config) {
  const std::string root = config.dir + "/store";
  ReadFixture f;
  f.store = OpenBenchStore(root, "read");
  f.encrypter = Must(NewEnvKeyEncrypter(kKeyVariable), "encrypter");
  const Snapshot doc = MakeDocument({config.large_resources, 11, kFactory, "read"});
  f.rev = Must(f.store->Commit(doc, BenchLockOptions(), {}), "commit");
  f.json = Must(EncodeSnapshot(doc), "encode");
  f.store_fd = OpenDir(SnapshotsDir(root, "read"));
  FloorDirs floor(config.dir + "/floor");
  std::string sealed, plain, file;
  f.cipher.Seal(f.json, sealed);
  DurableWrite(floor.snapshots_fd(), "read.json.enc", sealed);
  ReadSamples s;
  Must(f.store->Current(), "warm-up read");
  for (int i = 0; i < config.large_iterations; ++i) {
    if (i % 2 == 0) TimeCurrent(f, config.large_resources, s);
    TimeFloor(f, floor, s, sealed, plain);
    if (i % 2 != 0) TimeCurrent(f, config.large_resources, s);
    TimeSealstatePhases(f, s, file);
  }
  if (!(Must(f.store->Current(), "read back") == doc)) Die("16 MiB read: current does not read back equal");
  ::close(f.store_fd);
  return MakeRow(config, s, file.size());
}

}  // namespace sealstate::bench
