// Row "list": List() of a stack holding many revisions vs readdir + sort of the same directory.
// The revision files are created directly, empty, under the names LocalStore gives them
// ("<RFC 3339 nano time>.json.enc"): List never opens them.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include <sealstate/revision.h>
#include <sealstate/timestamp.h>

#include "bench_store.h"
#include "clock.h"
#include "durable_recipe.h"
#include "fail.h"
#include "rows.h"

namespace sealstate::bench {
namespace {

constexpr const char* kStack = "list";

// Revision i: one every 1.000137 s from 2026-01-01, so names vary in length as real ones do.
std::string RevisionName(std::size_t i) {
  const std::int64_t nanos = static_cast<std::int64_t>(i) * 1'000'137'000;
  Timestamp t;
  t.unix_seconds = 1'767'225'600 + nanos / 1'000'000'000;
  t.nanos = static_cast<std::int32_t>(nanos % 1'000'000'000);
  return MakeRevision(t, 0);
}

void CreateRevisions(const std::string& dir, std::size_t count) {
  const int dir_fd = OpenDir(dir);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = SnapshotFileName(RevisionName(i));
    const int fd = ::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    CheckErrno(fd >= 0, "create " + name);
    ::close(fd);
  }
  ::close(dir_fd);
}

// The floor: every name in `dir` (without . and ..), sorted bytewise.
std::vector<std::string> ReaddirSorted(const std::string& dir) {
  DIR* stream = ::opendir(dir.c_str());
  CheckErrno(stream != nullptr, "opendir " + dir);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(stream)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(stream);
  std::sort(names.begin(), names.end());
  return names;
}

// List() must name exactly the created files (compared as sets).
void CheckSameSet(std::vector<std::string> revs, const std::vector<std::string>& files) {
  for (std::string& rev : revs) rev = SnapshotFileName(rev);
  std::sort(revs.begin(), revs.end());
  if (revs != files) Die("list: List() and readdir disagree");
}

Row MakeRow(const Config& config, const std::vector<double>& ours, const std::vector<double>& floor) {
  Row row = NewRow("list", "list, " + std::to_string(config.list_revisions) + " revisions", "ms", Summarize(ours),
                   "readdir + std::sort of the names (hot)", Summarize(floor));
  JudgeRatio(row, "<= 1.5x", 1.5);
  return row;
}

}  // namespace

Row ListRow(const Config& config) {
  const std::string root = config.dir + "/store";
  std::unique_ptr<Backend> store = OpenBenchStore(root, kStack);
  const std::string dir = SnapshotsDir(root, kStack);
  CreateRevisions(dir, config.list_revisions);
  std::vector<std::string> revs, files;
  std::vector<double> ours, floor;
  for (int i = -1; i < config.list_iterations; ++i) {  // -1: warm-up
    const bool floor_first = i % 2 != 0;
    double floor_ms = floor_first ? TimeMs([&] { files = ReaddirSorted(dir); }) : 0;
    const double ours_ms = TimeMs([&] { revs = Must(store->List(), "list"); });
    if (!floor_first) floor_ms = TimeMs([&] { files = ReaddirSorted(dir); });
    if (i < 0) continue;
    ours.push_back(ours_ms);
    floor.push_back(floor_ms);
  }
  if (revs.size() != config.list_revisions) Die("list: wrong revision count");
  CheckSameSet(revs, files);
  return MakeRow(config, ours, floor);
}

}  // namespace sealstate::bench
