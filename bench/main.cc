// sealstate-bench: the in-process rows of the benchmark table, the smoke run that
// keeps them from rotting, and helpers for scripts/bench.sh. Usage:
//   sealstate-bench [--smoke] [--dir DIR] [--rows ID,ID] [--json FILE]
//   sealstate-bench gen-doc --resources N --out FILE [--seed S] [--factory F] [--stack S]
// Prints the table on stdout; --json also writes one JSON object per row to FILE.
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <sealstate/snapshot.h>

#include "bench_store.h"
#include "clock.h"
#include "config.h"
#include "document.h"
#include "durable_recipe.h"
#include "fail.h"
#include "rows.h"

using namespace sealstate;
using namespace sealstate::bench;

namespace {

struct Options {
  Config config;
  std::string parent_dir;
  std::string json_path;
};

std::string DefaultParentDir() {
  const char* dir = std::getenv("SEALSTATE_BENCH_DIR");
  return dir != nullptr && dir[0] != '\0' ? dir : std::filesystem::current_path().string();
}

// The value after flag args[i] (advancing i), or dies.
std::string FlagValue(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size()) Die("missing value after " + args[i]);
  return args[++i];
}

Options ParseOptions(const std::vector<std::string>& args) {
  Options o;
  o.config = FullConfig();
  o.parent_dir = DefaultParentDir();
  std::string rows;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--smoke") {
      o.config = SmokeConfig();
    } else if (args[i] == "--dir") {
      o.parent_dir = FlagValue(args, i);
    } else if (args[i] == "--rows") {
      rows = FlagValue(args, i);
    } else if (args[i] == "--json") {
      o.json_path = FlagValue(args, i);
    } else {
      Die("unknown argument " + args[i] + " (usage: sealstate-bench [--smoke] [--dir DIR] [--rows ID,..] [--json F])");
    }
  }
  o.config.rows = rows;
  return o;
}

// A row's figures must be real measurements: finite and positive.
bool Plausible(const Row& row) {
  const auto good = [](const Summary& s) { return s.n > 0 && std::isfinite(s.median) && s.median > 0; };
  return good(row.sealstate) && (row.comparison.empty() || good(row.floor));
}

using RowRunner = std::function<std::vector<Row>(const Config&)>;

std::vector<std::pair<std::string, RowRunner>> RowRunners(const Config& config) {
  const auto one = [](Row (*fn)(const Config&)) { return [fn](const Config& c) { return std::vector<Row>{fn(c)}; }; };
  std::vector<std::pair<std::string, RowRunner>> runners = {{"small-commit", one(SmallCommitRow)},
                                                            {"large-commit", one(LargeCommitRow)},
                                                            {"large-read", one(LargeReadRow)},
                                                            {"lock-handoff", one(LockHandoffRow)},
                                                            {"list", one(ListRow)},
                                                            {"rekey", one(RekeyRow)},
                                                            {"zstd", CompressionRows}};
  if (config.memory_rows) runners.push_back({"memory", MemoryRows});
  const char* postgres = std::getenv("SEALSTATE_BENCH_POSTGRES");
  if (postgres != nullptr && postgres[0] != '\0') {
    runners.push_back({"pg-small-commit", one(PgSmallCommitRow)});
    runners.push_back({"pg-lock-handoff", one(PgLockHandoffRow)});
    runners.push_back({"pg-large-commit", [](const Config& c) { return std::vector<Row>{PgLargeRows(c, false)}; }});
    runners.push_back({"pg-large-read", [](const Config& c) { return std::vector<Row>{PgLargeRows(c, true)}; }});
    runners.push_back({"pg-list", one(PgListRow)});
  }
  return runners;
}

// Runs each selected row in its own subdirectory of `work`, removed afterwards.
std::vector<Row> RunRows(const Config& config, const std::string& work) {
  std::vector<Row> rows;
  for (const auto& [id, run] : RowRunners(config)) {
    if (!WantsRow(config, id)) continue;
    std::fprintf(stderr, "sealstate-bench: running %s ...\n", id.c_str());
    Config row_config = config;
    row_config.dir = work + "/" + id;
    MakeDir(row_config.dir);
    for (Row& row : run(row_config)) rows.push_back(std::move(row));
    std::filesystem::remove_all(row_config.dir);
  }
  return rows;
}

int Report(const std::vector<Row>& rows, const Options& o) {
  std::printf("%s\n", TableHeader().c_str());
  std::ofstream json;
  if (!o.json_path.empty()) json.open(o.json_path, std::ios::trunc);
  int implausible = 0;
  for (const Row& row : rows) {
    std::printf("%s\n", TableLine(row).c_str());
    for (const auto& [name, value] : row.phases)
      std::printf("    %-62s %10.3f %s\n", name.c_str(), value, row.unit.c_str());
    if (!row.note.empty()) std::printf("    (%s)\n", row.note.c_str());
    if (json.is_open()) json << RowJson(row) << "\n";
    if (!Plausible(row)) {
      std::fprintf(stderr, "sealstate-bench: row %s has no finite positive figure\n", row.id.c_str());
      ++implausible;
    }
  }
  if (json.is_open() && !json) Die("cannot write " + o.json_path);
  return implausible == 0 && !rows.empty() ? 0 : 1;
}

int RunBench(const std::vector<std::string>& args) {
  const Options o = ParseOptions(args);
  EnsureBenchKey();
  MakeDir(o.parent_dir);
  const std::string work = o.parent_dir + "/sealstate-bench-" + std::to_string(::getpid());
  MakeDir(work);
  const std::vector<Row> rows = RunRows(o.config, work);
  std::filesystem::remove_all(work);
  return Report(rows, o);
}

// gen-doc: writes a generated snapshot, encoded as sealstate stores it, to --out (0600).
int GenDoc(const std::vector<std::string>& args) {
  DocumentSpec spec;
  spec.seed = static_cast<std::uint64_t>(NowNs());  // fresh content on every call by default
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    const std::string value = FlagValue(args, i);
    if (flag == "--resources") {
      spec.resources = std::stoull(value);
    } else if (flag == "--seed") {
      spec.seed = std::stoull(value);
    } else if (flag == "--factory") {
      spec.factory = value;
    } else if (flag == "--stack") {
      spec.stack = value;
    } else if (flag == "--out") {
      out = value;
    } else {
      Die("gen-doc: unknown argument " + flag);
    }
  }
  if (out.empty()) Die("gen-doc: --out FILE is required");
  const std::string json = Must(EncodeSnapshot(MakeDocument(spec)), "encode");
  ::umask(077);
  std::ofstream file(out, std::ios::trunc | std::ios::binary);
  file << json;
  if (!file.flush()) Die("gen-doc: cannot write " + out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string command = args.empty() ? "" : args.front();
  const std::vector<std::string> rest = args.empty() ? args : std::vector<std::string>(args.begin() + 1, args.end());
  if (command == "gen-doc") return GenDoc(rest);
  if (command == "lock-waiter") return LockWaiterMain(rest);
  if (command == "memory-child") return MemoryChildMain(rest);
  return RunBench(args);
}
