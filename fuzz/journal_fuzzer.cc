// Fuzzes the audit journal's line decoder (internal::DecodeJournalEvent). Each input is split
// at '\n' into lines, as JournalFile::Read does. Properties:
// - no crash, leak, undefined behaviour or hang;
// - a decoded event has seq >= 1;
// - a decoded event encodes and decodes back; from then on encoding and decoding are exact
//   inverses (the first encoding may differ from the input: invalid UTF-8 becomes U+FFFD).
#include "journal/journal_event_json.h"

#include "fuzz_common.h"

using namespace sealstate;
using sealstate::fuzz::Require;

namespace {

constexpr std::size_t kMaxLines = 64;

void CheckLine(std::string_view line) {
  const Result<JournalEvent> event = internal::DecodeJournalEvent(line);
  if (!event.ok()) {
    Require(event.status().code() == Code::kIntegrity, "a bad line is an integrity error", event.status().message());
    return;
  }
  Require(event->seq >= 1, "seq is at least 1", std::to_string(event->seq));
  const std::string first = internal::EncodeJournalEvent(*event);
  const Result<JournalEvent> normalised = internal::DecodeJournalEvent(first);
  Require(normalised.ok(), "an encoded event decodes", normalised.status().message() + ": " + first);
  const std::string encoded = internal::EncodeJournalEvent(*normalised);
  const Result<JournalEvent> again = internal::DecodeJournalEvent(encoded);
  Require(again.ok() && *again == *normalised, "encoding then decoding is the identity", encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (const std::string_view line : sealstate::fuzz::SplitLines(sealstate::fuzz::AsView(data, size), kMaxLines)) {
    CheckLine(line);
  }
  return 0;
}
