// What one bench run measures: sizes, iteration counts, the rows to run and where to work.
#pragma once

#include <cstddef>
#include <string>

namespace sealstate::bench {

struct Config {
  bool smoke = false;
  std::string dir;                       // a fresh working directory (stores, floor files); removed at the end
  std::string rows;                      // comma-separated row ids to run; empty runs all
  std::size_t small_resources = 10;      // small commit document
  int small_iterations = 41;             // timed commits (and floor commits), after one warm-up
  std::size_t large_resources = 15'000;  // ~16 MiB compact: the 16 MiB commit and read rows
  int large_iterations = 11;             // timed iterations of each 16 MiB row
  std::size_t huge_resources = 100'000;  // ~110 MiB compact: the peak-RSS rows
  bool memory_rows = true;               // run the peak-RSS rows (two child processes)
  int lock_samples = 250;                // lock hand-offs measured
  std::size_t list_revisions = 100'000;  // revision files in the listed stack
  int list_iterations = 11;              // timed List() calls (and readdir+sort), after one warm-up
  std::size_t rekey_revisions = 1'000;   // revisions in the rekeyed stack (the 1,000 x 1 MiB)
  std::size_t rekey_resources = 650;     // per revision: ~1 MiB sealed
  int rekey_iterations = 2;              // timed rekeys (and re-seals), interleaved
};

// The full run of the table.
Config FullConfig();

// The smoke run: smallest sizes, a few iterations, no 100 MB rows, 1,000 revisions to list.
Config SmokeConfig();

// True if row `id` is selected by config.rows.
bool WantsRow(const Config& config, const std::string& id);

}  // namespace sealstate::bench
