// Rows "zstd-size", "zstd-commit", "zstd-read": what zstd inside the v2 envelope costs and
// saves, measured in one run against the same store with compression none: the file size of a
// realistic JSON state, and Commit() and Current() of the ~16 MiB bench document (whose
// pseudo-random values make it the hard case for compression), interleaved iteration by
// iteration so both sides see the same machine.
#include <sys/stat.h>

#include <sealstate/envelope.h>

#include "bench_store.h"
#include "clock.h"
#include "document.h"
#include "envelope/zstd_stream.h"
#include "fail.h"
#include "rows.h"

namespace sealstate::bench {
namespace {

// Both sides' stack (in different roots): the documents name it.
constexpr const char* kStack = "zstd";

struct Side {
  std::unique_ptr<Backend> store;
  std::string root, stack, previous;
  std::vector<double> commit, read;
};

Side OpenSide(const Config& config, Compression compression) {
  Side side;
  side.stack = kStack;
  side.root = config.dir + "/" + std::string(CompressionName(compression));
  side.store = OpenBenchStore(side.root, side.stack, compression);
  return side;
}

// Commits `doc` (timed), removes the previous revision (untimed), reads it back (timed).
void TimeSide(Side& side, const Snapshot& doc) {
  std::string rev;
  side.commit.push_back(TimeMs([&] { rev = Must(side.store->Commit(doc, BenchLockOptions(), {}), "commit"); }));
  if (!side.previous.empty()) Must(side.store->Remove(side.previous, ""), "remove the previous revision");
  side.previous = rev;
  Result<Snapshot> current = Status::Internal("not read");
  side.read.push_back(TimeMs([&] { current = side.store->Current(); }));
  if (Must(std::move(current), "current").entries.size() != doc.entries.size()) Die("zstd rows: wrong entry count");
}

double FileMiB(const Side& side) {
  struct stat st {};
  const std::string path = SnapshotsDir(side.root, side.stack) + "/" + SnapshotFileName(side.previous);
  if (::stat(path.c_str(), &st) != 0) Die("stat " + path);
  return static_cast<double>(st.st_size) / (1024.0 * 1024.0);
}

// A Terraform-like state as real ones look: repeated types, AMIs, zones and tags, unique ids
// and addresses. About 0.9 KiB of compact JSON per resource.
Snapshot RealisticState(std::size_t resources) {
  Snapshot doc = MakeDocument({resources, 3, kFactory, kStack});
  static const char* kZones[] = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};
  static const char* kTypes[] = {"t3.medium", "t3.large", "m5.xlarge", "c5.2xlarge"};
  for (std::size_t i = 0; i < doc.entries.size(); ++i) {
    Entry& e = doc.entries[i];
    const std::string n = std::to_string(i);
    const std::string id = "i-0" + std::to_string(1000000007u * (i + 1) % 4294967291u);
    e.inputs = {{"ami", Json("ami-0c55b159cbfafe1f0")},
                {"availability_zone", Json(kZones[i % 3])},
                {"instance_type", Json(kTypes[i % 4])},
                {"subnet_id", Json("subnet-0a1b2c3d" + std::to_string(i % 6))},
                {"tags.Name", Json("web-" + n)},
                {"tags.Team", Json("platform")},
                {"tags.Env", Json("prod")},
                {"vpc_security_group_ids", Json("sg-0123456789abcdef0")}};
    e.outputs = {{"id", Json(id)},
                 {"arn", Json("arn:aws:ec2:eu-west-1:123456789012:instance/" + id)},
                 {"private_ip", Json("10.0." + std::to_string(i / 250 % 256) + "." + std::to_string(i % 250))},
                 {"private_dns", Json("ip-10-0-" + std::to_string(i / 250 % 256) + "-" + std::to_string(i % 250) +
                                      ".eu-west-1.compute.internal")},
                 {"instance_state", Json("running")}};
  }
  return doc;
}

Row SizeRow(const Config& config) {
  Side zstd = OpenSide(config, Compression::kZstd), none = OpenSide(config, Compression::kNone);
  const Snapshot doc = RealisticState(config.large_resources);
  TimeSide(zstd, doc);
  TimeSide(none, doc);
  Row row =
      NewRow("zstd-size", "file size, realistic JSON state (" + std::to_string(config.large_resources) + " res)", "MiB",
             Summarize({FileMiB(zstd)}), "the same state sealed with --compression none", Summarize({FileMiB(none)}));
  JudgeRatio(row, "<= 0.2x", 0.2);
  row.note = "zstd level " + std::to_string(internal::kZstdLevel) + ", compressed before encryption";
  return row;
}

Row TimeRow(const Config& config, std::string id, std::string what, const Side& zstd, const Side& none, bool commit) {
  Row row =
      NewRow(std::move(id), "16 MiB " + what + " zstd vs none (" + std::to_string(config.large_resources) + " res)",
             "ms", Summarize(commit ? zstd.commit : zstd.read),
             "the same " + what + " with --compression none, interleaved", Summarize(commit ? none.commit : none.read));
  JudgeRatio(row, "<= 1.0x", 1.0);
  row.note = "bench document (pseudo-random values, the hard case); files " + std::to_string(FileMiB(zstd)) + " vs " +
             std::to_string(FileMiB(none)) + " MiB; hot page cache";
  return row;
}

}  // namespace

std::vector<Row> CompressionRows(const Config& config) {
  std::vector<Row> rows{SizeRow(config)};
  Side zstd = OpenSide(config, Compression::kZstd), none = OpenSide(config, Compression::kNone);
  const Snapshot doc = MakeDocument({config.large_resources, 7, kFactory, kStack});
  TimeSide(zstd, doc);  // warm-up, untimed
  TimeSide(none, doc);
  zstd.commit.clear(), zstd.read.clear(), none.commit.clear(), none.read.clear();
  for (int i = 0; i < config.large_iterations; ++i) {
    if (i % 2 == 0) TimeSide(zstd, doc);
    TimeSide(none, doc);
    if (i % 2 != 0) TimeSide(zstd, doc);
  }
  rows.push_back(TimeRow(config, "zstd-commit", "commit", zstd, none, true));
  rows.push_back(TimeRow(config, "zstd-read", "read", zstd, none, false));
  return rows;
}

}  // namespace sealstate::bench
