// EncodesWithin: whether a snapshot's encoding fits a size, without encoding all of a large one.
#pragma once

#include <cstddef>

#include <sealstate/snapshot.h>

namespace sealstate::internal {

// Whether EncodeSnapshot(snapshot) is at most `max_bytes` long. Keeps none of it and stops
// encoding soon after the first `max_bytes` (within one entry and the encoder's buffer), so a
// large snapshot costs about what one of `max_bytes` does. Does not validate the snapshot (its
// writer does); one whose encoding fails (a value JSON cannot hold) is reported as not within.
bool EncodesWithin(const Snapshot& snapshot, std::size_t max_bytes);

}  // namespace sealstate::internal
