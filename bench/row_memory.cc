// Rows "huge-commit-rss" and "huge-read-rss": peak RSS while committing and while reading a
// ~110 MB snapshot, each measured in a fresh child process (its VmHWM reset just before the
// operation), against the size of the decoded snapshot (the RSS the Snapshot object adds); and
// "huge-read-rss-vs-plaintext": the read's peak against the snapshot's plaintext (its canonical
// encoding, what the file holds before compression and encryption).
#include <sys/stat.h>

#include <cstdio>
#include <sstream>

#include "bench_store.h"
#include "child.h"
#include "document.h"
#include "fail.h"
#include "null_sink.h"
#include "proc_memory.h"
#include "rows.h"

namespace sealstate::bench {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

struct MemoryFigures {
  double baseline = 0;   // RSS before the snapshot existed in this process
  double decoded = 0;    // RSS the decoded Snapshot object adds
  double peak = 0;       // VmHWM during the operation
  double file = 0;       // size of the sealed file
  double plaintext = 0;  // size of the snapshot's canonical encoding (measured after the peak)
};

void Report(const MemoryFigures& m) {
  std::printf("%.0f %.0f %.0f %.0f %.0f\n", m.baseline, m.decoded, m.peak, m.file, m.plaintext);
  std::fflush(stdout);
}

double FileBytes(const std::string& root, const std::string& rev) {
  struct stat st {};
  const std::string path = SnapshotsDir(root, "huge") + "/" + SnapshotFileName(rev);
  CheckErrno(::stat(path.c_str(), &st) == 0, "stat " + path);
  return static_cast<double>(st.st_size);
}

// Bytes of `snapshot`'s canonical encoding, counted without keeping them.
double PlaintextBytes(const Snapshot& snapshot) {
  NullSink sink;
  Must(EncodeSnapshot(snapshot, sink), "encode");
  return static_cast<double>(sink.bytes());
}

int CommitChild(const std::string& root, std::size_t resources) {
  std::unique_ptr<Backend> store = OpenBenchStore(root, "huge");
  MemoryFigures m;
  m.baseline = static_cast<double>(ProcStatusBytes("VmRSS"));
  const Snapshot doc = MakeDocument({resources, 13, kFactory, "huge"});
  m.decoded = static_cast<double>(ProcStatusBytes("VmRSS")) - m.baseline;
  ResetPeakRss();
  const std::string rev = Must(store->Commit(doc, BenchLockOptions(), {}), "commit");
  m.peak = static_cast<double>(ProcStatusBytes("VmHWM"));
  m.file = FileBytes(root, rev);
  m.plaintext = PlaintextBytes(doc);
  Report(m);
  return 0;
}

int ReadChild(const std::string& root, std::size_t resources) {
  std::unique_ptr<Backend> store = OpenBenchStore(root, "huge");
  const std::string rev = Must(store->CurrentRev(), "current rev");
  MemoryFigures m;
  m.baseline = static_cast<double>(ProcStatusBytes("VmRSS"));
  ResetPeakRss();
  const Snapshot snapshot = Must(store->Current(), "current");
  m.peak = static_cast<double>(ProcStatusBytes("VmHWM"));
  m.decoded = static_cast<double>(ProcStatusBytes("VmRSS")) - m.baseline;
  if (snapshot.entries.size() != resources) Die("100 MB read: wrong entry count");
  m.file = FileBytes(root, rev);
  m.plaintext = PlaintextBytes(snapshot);
  Report(m);
  return 0;
}

MemoryFigures RunChild(const std::string& mode, const std::string& root, std::size_t resources) {
  Child child = SpawnSelf({"memory-child", mode, root, std::to_string(resources)});
  std::istringstream line(ReadLine(child));
  Reap(child);
  MemoryFigures m;
  line >> m.baseline >> m.decoded >> m.peak >> m.file >> m.plaintext;
  if (!line) Die("memory child: malformed report");
  return m;
}

Summary One(double value) {
  Summary s;
  s.median = s.p10 = s.p90 = s.p99 = value;
  s.n = 1;
  return s;
}

// peak above the baseline vs the decoded snapshot; met when the extra is under one file size.
Row MakeRow(const std::string& id, const std::string& title, const MemoryFigures& m) {
  Row row;
  row.id = id;
  row.title = title;
  row.unit = "MiB";
  row.sealstate = One((m.peak - m.baseline) / kMiB);
  row.comparison = "RSS of the decoded snapshot";
  row.floor = One(m.decoded / kMiB);
  const double extra = m.peak - m.baseline - m.decoded;
  row.target = "extra < file size";
  row.met = extra < m.file;
  row.phases = {{"extra over the decoded snapshot", extra / kMiB}, {"sealed file", m.file / kMiB}};
  row.note = "peak RSS above the process baseline; extra = peak - decoded (a whole-file copy would add >= file)";
  return row;
}

// The whole peak above the baseline vs the snapshot's plaintext: how much memory reading a
// snapshot takes for each byte of state it holds.
Row MakePlaintextRow(const std::string& id, const std::string& title, const MemoryFigures& m) {
  Row row;
  row.id = id;
  row.title = title;
  row.unit = "MiB";
  row.sealstate = One((m.peak - m.baseline) / kMiB);
  row.comparison = "the snapshot's plaintext (canonical encoding, before compression)";
  row.floor = One(m.plaintext / kMiB);
  row.target = "<= 1.5x";
  JudgeRatio(row, 1.5);
  row.note = "peak RSS above the process baseline, decoded snapshot included";
  return row;
}

}  // namespace

std::vector<Row> MemoryRows(const Config& config) {
  const std::string root = config.dir + "/store";
  const MemoryFigures commit = RunChild("commit", root, config.huge_resources);
  const MemoryFigures read = RunChild("read", root, config.huge_resources);
  const std::string size = "(" + std::to_string(config.huge_resources) + " res)";
  return {MakeRow("huge-commit-rss", "100 MB commit, peak RSS " + size, commit),
          MakeRow("huge-read-rss", "100 MB read, peak RSS " + size, read),
          MakePlaintextRow("huge-read-rss-vs-plaintext", "100 MB read, peak RSS vs plaintext " + size, read)};
}

int MemoryChildMain(const std::vector<std::string>& args) {
  if (args.size() != 3) Die("usage: memory-child commit|read ROOT RESOURCES");
  const std::size_t resources = std::stoull(args[2]);
  if (args[0] == "commit") return CommitChild(args[1], resources);
  if (args[0] == "read") return ReadChild(args[1], resources);
  Die("memory-child: unknown mode " + args[0]);
}

}  // namespace sealstate::bench
