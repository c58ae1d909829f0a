// The key ids an envelope header says open its file, and how lists of key ids are written in
// messages, journal details and CLI lines (one helper for each, used everywhere).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <sealstate/envelope.h>

namespace sealstate::internal {

// The key ids that open a file with `header`, in the header's order, read from the header alone
// (nothing is unwrapped): a v2 file's one key id; a v3 file's recipients' key ids, or one empty
// id (noop's, as a v2 noop file records) for a plaintext v3 file, which names no recipients; none
// for a v1 (unobin) file, which records no key id.
std::vector<std::string> HeaderKeyIds(const EnvelopeHeader& header);

// How JoinKeyIds writes a list of key ids.
struct KeyIdListStyle {
  std::string_view separator = ", ";
  std::string_view empty_id = "none";  // written for an empty key id (noop's)
  std::string_view empty_list;         // written for a list with no ids at all
};

// `ids` joined with style.separator, each empty id written as style.empty_id, and each followed
// by " (SOURCE)" with its entry of `sources` when `sources` is not empty (then it is parallel to
// `ids`); style.empty_list when `ids` is empty. Key ids are not secret; this never sees a key.
std::string JoinKeyIds(const std::vector<std::string>& ids, const KeyIdListStyle& style,
                       const std::vector<std::string>& sources = {});

}  // namespace sealstate::internal
