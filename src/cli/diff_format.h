// How diff and set-current --dry-run show a SnapshotDiff: text lines (colored on a terminal) and
// the JSON object documented in sealstate(1).
#pragma once

#include <string>

#include <sealstate/snapshot_diff.h>

#include "cli/output.h"
#include "json/go_json_writer.h"

namespace sealstate::cli {

// The two revisions compared. `from` is "" when there was none (set-current --dry-run without a
// current revision: everything is added).
struct DiffSides {
  std::string from;
  std::string to;
};

// Text mode only: the summary line "from A to B: N added, N removed, N changed, N stack outputs
// changed" (or "no differences from A to B"), then "+ ADDR", "- ADDR", "~ ADDR" with one
// indented line per changed field or key. A sensitive value is printed only when `show_values`.
void PrintDiffText(const Output& out, const DiffSides& sides, const SnapshotDiff& diff, bool show_values);

// Writes the diff object {"from","to","added","removed","changed","outputs"} (see sealstate(1)).
void WriteDiffJson(internal::GoJsonWriter& w, const DiffSides& sides, const SnapshotDiff& diff, bool show_values);

}  // namespace sealstate::cli
