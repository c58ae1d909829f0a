// What one bench run measures: sizes, iteration counts, the rows to run and where to work.
#pragma once

#include <cstddef>
#include <string>

namespace sealstate::bench {

struct Config {
  bool smoke = false;
  std::string dir;   // a fresh working directory (stores, floor files); removed at the end
  std::string rows;  // comma-separated row ids to run; empty runs all
  std::size_t small_resources = 10;
  int small_iterations = 41;
  std::size_t large_resources = 15'000;  // ~16 MiB compact
  int large_iterations = 11;
  std::size_t huge_resources = 100'000;  // ~110 MiB compact
  bool memory_rows = true;
  int lock_samples = 250;
  std::size_t list_revisions = 100'000;
  int list_iterations = 11;
};

// The full run of the table.
Config FullConfig();

// The smoke run: smallest sizes, a few iterations, no 100 MB rows, 1,000 revisions to list.
Config SmokeConfig();

// True if row `id` is selected by config.rows.
bool WantsRow(const Config& config, const std::string& id);

}  // namespace sealstate::bench
