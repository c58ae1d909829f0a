// The names in a local stack directory, in one place (sealstate-format(5), STORE LAYOUT):
//
//   <root>/<factory>/<stack>/current              the current revision's name
//                            lock                 the lock marker
//                            journal              the audit journal
//                            consumer.<name>      a journal consumer's checkpoint (a seq)
//                            snapshots/<rev>.json.enc   one sealed snapshot per revision
//
// and the temp files of interrupted writes beside them, ".<final name>.tmp.<pid>.<random>".
// These are unobin's names (its stacks and sealstate's are the same directories).
#pragma once

#include <string>
#include <string_view>

namespace sealstate::internal {

inline constexpr std::string_view kCurrentFileName = "current";
inline constexpr std::string_view kLockFileName = "lock";
inline constexpr std::string_view kJournalFileName = "journal";
inline constexpr std::string_view kSnapshotsDirName = "snapshots";
// A journal consumer's checkpoint file is this prefix and the consumer's name.
inline constexpr std::string_view kConsumerFilePrefix = "consumer.";
inline constexpr std::string_view kSnapshotSuffix = ".json.enc";
// What follows the final name in a temp file's name (see io/durable_file.h).
inline constexpr std::string_view kTempMarker = ".tmp.";

// The file name of revision `rev` in the snapshots directory.
inline std::string SnapshotFileName(std::string_view rev) { return std::string(rev) + std::string(kSnapshotSuffix); }

}  // namespace sealstate::internal
