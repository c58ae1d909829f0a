// The journal's tamper evidence: each line's MAC, chained to the previous line's, keyed from the
// stack key; the high-water mark of `current` the authenticated lines carry; and the checks of
// both (verify; the memory store's reads of current). See sealstate-format(5).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/encrypter.h>
#include <sealstate/secret.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// The label the journal's MAC subkey is derived with (Encrypter::DeriveKey).
inline constexpr std::string_view kJournalMacLabel = "sealstate journal mac v1";
// The longest `mac` (BLAKE2b-256 in hex) and `mac_key` (a key id, EncrypterDescription::key_id).
inline constexpr std::size_t kJournalMacHexBytes = 64;
inline constexpr std::size_t kJournalMacKeyIdBytes = 16;
// The `mac` of a line written without a key that can derive one.
inline constexpr std::string_view kUnauthenticatedMac = "none";

// A journal MAC subkey and the id of the stack key it was derived from.
struct JournalMacKey {
  std::string key_id;
  SecretBytes key;
};

// The journal MAC key of `encrypter`; nullptr when there is none (no encrypter, noop, or one
// whose DeriveKey fails: its lines are written unauthenticated).
std::shared_ptr<const JournalMacKey> JournalMacKeyFor(const Encrypter* encrypter);

// True if `event` carries a MAC made with `key` that is right after a line whose mac is
// `previous_mac` (empty for the first line).
bool JournalMacMatches(const JournalEvent& event, std::string_view previous_mac, const JournalMacKey& key);

// Sets event.current, event.mac_key and event.mac for the line that follows `previous` (nullptr:
// the first line) and the one before it (`before_previous`, nullptr if none), with `key`
// (nullptr: the line says it is unauthenticated). event.current is event.rev for "set-current",
// else previous->current when `previous` authenticates with `key`, else std::nullopt.
// REQUIRES: event.seq and event.time are set.
void SealJournalEvent(JournalEvent& event, const JournalEvent* previous, const JournalEvent* before_previous,
                      const JournalMacKey* key);

// What the chain check found.
struct JournalChainFindings {
  // Tampering: an edited, removed, inserted or re-ordered line, each message naming its seq.
  std::vector<std::string> problems;
  // Not tampering, but not checked: lines written before sealstate authenticated its journal,
  // lines written without a key, lines made with a key not given.
  std::vector<std::string> notes;
};

// Checks `events` (a whole journal, oldest first) line by line: consecutive seqs, and each line's
// MAC with the key it names when that key is among `keys`. A journal whose head a compaction
// dropped starts at the first kept seq, chained to the MAC its "journal-compacted" line records,
// when that line authenticates (or its key is not given; an unauthenticated one only in a journal
// without authenticated lines): a note says so. Otherwise a missing head is removed lines.
JournalChainFindings CheckJournalChain(const std::vector<JournalEvent>& events,
                                       const std::vector<std::shared_ptr<const JournalMacKey>>& keys);

// The rollback check. `tail` is the end of the journal (oldest first) back to, and including, the
// line before the newest line that names `key` (or the whole journal). OK when no line of it
// names `key`, or the newest that does records no current; kIntegrity ("PREFIX...") when that
// line does not authenticate, or when `pointer` ("" for no current) is not the current it
// records: current was moved behind sealstate's back. Not when `pointer` is what a commit cut
// off by a crash leaves (a revision written after that line, or the one it journals as written),
// nor when there is no current yet after a copy's imported journal (its "copied-from" line).
Status CheckCurrentAgainstJournal(std::string_view prefix, const std::string& pointer,
                                  const std::vector<JournalEvent>& tail, const JournalMacKey& key);

}  // namespace sealstate::internal
