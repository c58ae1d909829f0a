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

// The journal MAC keys a journal's lines are checked with, each line with the one whose key id it
// names.
using JournalMacKeys = std::vector<std::shared_ptr<const JournalMacKey>>;

// The journal MAC key of `encrypter` (a KeyRing's: its first key's); nullptr when there is none
// (no encrypter, noop, or one whose DeriveKey fails: its lines are written unauthenticated).
std::shared_ptr<const JournalMacKey> JournalMacKeyFor(const Encrypter* encrypter);

// The journal MAC keys of every key `encrypter` opens files with (OpeningKeys: a KeyRing's keys,
// in order, else `encrypter` alone), leaving out those that have none. Empty for no encrypter.
JournalMacKeys JournalMacKeysFor(const Encrypter* encrypter);

// The key of `keys` whose key id is `key_id`, or nullptr (also for an empty `key_id`).
const JournalMacKey* JournalMacKeyNamed(const JournalMacKeys& keys, std::string_view key_id);

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
// MAC with the key it names when that key is among `keys`.
JournalChainFindings CheckJournalChain(const std::vector<JournalEvent>& events, const JournalMacKeys& keys);

// The rollback check. `tail` is the end of the journal (oldest first) back to, and including, the
// line before the newest line that names one of `keys` (or the whole journal). OK when no line of
// it names one of `keys`, or the newest that does records no current; kIntegrity ("PREFIX...")
// when that line does not authenticate with the key it names, or when `pointer` ("" for no
// current) is not the current it
// records: current was moved behind sealstate's back. Not when `pointer` is what a commit cut
// off by a crash leaves (a revision written after that line, or the one it journals as written),
// nor when there is no current yet after a copy's imported journal (its "copied-from" line).
Status CheckCurrentAgainstJournal(std::string_view prefix, const std::string& pointer,
                                  const std::vector<JournalEvent>& tail, const JournalMacKeys& keys);

}  // namespace sealstate::internal
