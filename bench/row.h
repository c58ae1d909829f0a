// One line of the benchmark table: sealstate's figure, what it is measured against in the same
// run, the ratio and the target. Printed as a table line and as one JSON object per line.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stats.h"

namespace sealstate::bench {

struct Row {
  std::string id;     // stable machine name, e.g. "small-commit"
  std::string title;  // for people, e.g. "small commit, in-process (10 resources)"
  std::string unit;   // "ms" or "MiB"
  Summary sealstate;
  std::string comparison;   // what it is measured against; empty for rows without one
  Summary floor;            // the comparison's figures (n = 0 when there is none)
  std::string target;       // e.g. "<= 1.15x"; "report" for rows without a target
  std::optional<bool> met;  // unset for report-only rows
  // Medians of phases timed separately (name, value in `unit`), to explain the totals.
  std::vector<std::pair<std::string, double>> phases;
  std::string note;  // anything else a reader needs (sizes, counts)
};

// A row with its id, title, unit and sealstate's figures, measured against `comparison` whose
// figures are `floor` (both left empty for a row without one); the target, judgement, phases and
// note are the caller's to set.
Row NewRow(std::string id, std::string title, std::string unit, const Summary& sealstate, std::string comparison = "",
           const Summary& floor = {});

// sealstate median / comparison median, or 0 when there is no comparison.
double Ratio(const Row& row);

// Sets row.target to `target` (how `limit` reads in the table, e.g. "<= 1.5x") and row.met to
// Ratio(row) <= limit.
void JudgeRatio(Row& row, std::string target, double limit);

// The row as one line of compact JSON (no trailing newline).
std::string RowJson(const Row& row);

// The table header and one table line per row, for stdout.
std::string TableHeader();
std::string TableLine(const Row& row);

}  // namespace sealstate::bench
