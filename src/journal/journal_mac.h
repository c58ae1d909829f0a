// The journal's tamper evidence: each line's MAC, chained to the previous line's, keyed from the
// stack key; the high-water mark of `current` the authenticated lines carry; and the checks of
// both (verify, and every Current() read). See sealstate-format(5), "Journal authentication".
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
// The event of the line that settles a "set-current" line (the intent, written and synced before
// the pointer moves): it follows that line with the same seq, its "current" says what the pointer
// named when the move ended, and its MAC is chained to that line's. Not an event of the journal's
// history: JournalFile::Read leaves it out, and the next line's MAC is chained to the intent's.
inline constexpr std::string_view kSettledEvent = "set-current-settled";

// True for a line that settles a "set-current" line (kSettledEvent).
bool IsSettledLine(const JournalEvent& event);

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
// the first line; never a settling line) and the one before it (`before_previous`, nullptr if
// none), with `key` (nullptr: the line says it is unauthenticated); `settled` is the line that
// settled `previous` (nullptr if none). event.current is event.rev for "set-current", kept as
// given for a settling line (whose MAC is chained to `previous`, the line it settles), else
// settled->current when `settled` authenticates after `previous`, else previous->current when
// `previous` authenticates with `key`, else std::nullopt. REQUIRES: event.seq and event.time are
// set.
void SealJournalEvent(JournalEvent& event, const JournalEvent* previous, const JournalEvent* before_previous,
                      const JournalMacKey* key, const JournalEvent* settled = nullptr);

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
JournalChainFindings CheckJournalChain(const std::vector<JournalEvent>& events, const JournalMacKeys& keys);

// The rollback check. `tail` is the end of the journal (oldest first, settling lines included)
// back to, and including, the line of the history before the newest line that names one of `keys` (the
// second one when that line is a "set-current"; or the whole journal): JournalFile::ReadBackTo. OK when no line of it
// names one of `keys`, or the newest that does records no current; kIntegrity ("PREFIX...") when that line does not
// authenticate with the key it names, or when `pointer` ("" for no current) is not the current it records: current was
// moved behind sealstate's back. When that line is a "set-current" not yet settled (a move cut
// off by a crash, or in flight) and `moves` is kSettledAfter, `pointer` may also be what current
// named before it (the current
// the history line before it records, settled if it was a move; anything when that is unknown).
// OK too when there is no current yet after a copy's imported journal (its "copied-from" line).
// kWrongKey instead of the rollback when newer lines are made with a key not among `keys`
// (after a rotation): their mark cannot be checked without that key.
// How a store moves current relative to its journal line.
enum class JournalMoves {
  // Intent first, then the pointer, then a settling line (the local store): a "set-current" line
  // not yet settled may be a move in flight or cut off, so either side of it is accepted.
  kSettledAfter,
  // The move and its line are one step (one transaction, or under one mutex: the memory and
  // PostgreSQL stores): every "set-current" line is complete, and only its "rev" is accepted.
  kAtomic,
};
Status CheckCurrentAgainstJournal(std::string_view prefix, const std::string& pointer,
                                  const std::vector<JournalEvent>& tail, const JournalMacKeys& keys,
                                  JournalMoves moves);

}  // namespace sealstate::internal
