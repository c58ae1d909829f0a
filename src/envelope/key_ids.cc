// HeaderKeyIds and JoinKeyIds: see key_ids.h.
#include "envelope/key_ids.h"

namespace sealstate::internal {

std::vector<std::string> HeaderKeyIds(const EnvelopeHeader& header) {
  if (header.envelope_version == kEnvelopeV1) return {};
  if (header.envelope_version == kEnvelopeV2) return {header.key_id};
  std::vector<std::string> ids;
  for (const WrappedDataKey& entry : header.recipients) ids.push_back(entry.key_id);
  if (ids.empty()) ids.emplace_back();  // a plaintext v3 file: noop's empty id
  return ids;
}

std::string JoinKeyIds(const std::vector<std::string>& ids, const KeyIdListStyle& style,
                       const std::vector<std::string>& sources) {
  if (ids.empty()) return std::string(style.empty_list);
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += style.separator;
    out += ids[i].empty() ? style.empty_id : std::string_view(ids[i]);
    if (!sources.empty()) out += " (" + sources[i] + ")";
  }
  return out;
}

}  // namespace sealstate::internal
