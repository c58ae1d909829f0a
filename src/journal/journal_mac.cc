#include "journal/journal_mac.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include <sealstate/key_ring.h>

#include "crypto/sodium_init.h"
#include "journal/journal_compaction_mark.h"
#include "journal/journal_event_json.h"

namespace sealstate::internal {
namespace {

constexpr std::size_t kMacBytes = kJournalMacHexBytes / 2;

// What a line's MAC covers: the previous line's mac and this line without its mac.
std::string MacInput(JournalEvent event, std::string_view previous_mac) {
  event.mac.clear();
  std::string input(previous_mac);
  input += '\n';
  input += EncodeJournalEvent(event);
  return input;
}

std::string MacOf(const JournalEvent& event, std::string_view previous_mac, const JournalMacKey& key) {
  EnsureSodium();
  const std::string input = MacInput(event, previous_mac);
  unsigned char mac[kMacBytes];
  crypto_generichash(mac, sizeof mac, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                     key.key.data(), key.key.size());
  char hex[kMacBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, kMacBytes * 2);
}

std::string Seq(std::uint64_t seq) { return "seq " + std::to_string(seq); }

// The index of the last line of the history (not a settling line) before `index`, or npos.
std::size_t HistoryBefore(const std::vector<JournalEvent>& tail, std::size_t index) {
  while (index > 0) {
    --index;
    if (!IsSettledLine(tail[index])) return index;
  }
  return std::string::npos;
}

std::string MacOfLine(const std::vector<JournalEvent>& tail, std::size_t index) {
  return index == std::string::npos ? std::string() : tail[index].mac;
}

// What current named after the history line `index` of `tail` (npos: before the journal's
// first line, no current), as far as `key` vouches for it: the line that settled it when that
// authenticates, else its own "current" when it authenticates; std::nullopt when unknown.
std::optional<std::string> VouchedCurrentAfter(const std::vector<JournalEvent>& tail, std::size_t index,
                                               const JournalMacKey& key) {
  if (index == std::string::npos) return std::string();
  const JournalEvent& line = tail[index];
  if (index + 1 < tail.size() && IsSettledLine(tail[index + 1]) && tail[index + 1].seq == line.seq &&
      JournalMacMatches(tail[index + 1], line.mac, key)) {
    return tail[index + 1].current;
  }
  if (JournalMacMatches(line, MacOfLine(tail, HistoryBefore(tail, index)), key)) return line.current;
  return std::nullopt;
}

// Counts runs of lines that were not checked, reported as one note per run.
class UncheckedRuns {
 public:
  void Add(std::string why, std::uint64_t seq, std::vector<std::string>& notes) {
    if (why != why_) Flush(notes);
    if (first_ == 0) first_ = seq;
    why_ = std::move(why);
    last_ = seq;
  }
  void Flush(std::vector<std::string>& notes) {
    if (first_ == 0) return;
    const std::string lines = first_ == last_ ? "line " + Seq(first_) : "lines " + Seq(first_) + " to " + Seq(last_);
    notes.push_back("journal " + lines + ": " + why_);
    first_ = 0;
    why_.clear();
  }

 private:
  std::string why_;
  std::uint64_t first_ = 0;
  std::uint64_t last_ = 0;
};

// Where the chain of `events` starts: seq 1 after nothing, or, when a compaction dropped the
// journal's head, the first kept seq after the last dropped line's MAC.
struct ChainStart {
  std::uint64_t seq = 1;
  std::string mac;
};

// The start a compaction line of `events` vouches for (CompactionLineFor). An authenticated
// compaction line counts when it authenticates (or its key was not given: nothing of it can be
// checked then); an unauthenticated one only in a journal without authenticated lines, so a line
// anyone can write cannot excuse a head cut from an authenticated journal.
ChainStart StartOf(const std::vector<JournalEvent>& events, const JournalMacKeys& keys,
                   std::vector<std::string>& notes) {
  const JournalEvent* line = CompactionLineFor(events);
  if (line == nullptr) return {};
  const JournalCompactionMark mark = *ParseCompactionMark(*line);
  if (line->mac_key.empty()) {
    const bool any_authenticated =
        std::any_of(events.begin(), events.end(), [](const JournalEvent& event) { return !event.mac_key.empty(); });
    if (any_authenticated) return {};
  } else if (const JournalMacKey* key = JournalMacKeyNamed(keys, line->mac_key)) {
    const auto index = static_cast<std::size_t>(line - events.data());
    const std::string& previous_mac = index > 0 ? events[index - 1].mac : mark.chain_from;
    if (!JournalMacMatches(*line, previous_mac, *key)) return {};
  }
  notes.push_back("journal lines " + Seq(1) + " to " + Seq(mark.first_kept_seq - 1) +
                  ": compacted away (the journal-compacted line " + Seq(line->seq) + ")");
  return {mark.first_kept_seq, mark.chain_from};
}

}  // namespace

std::shared_ptr<const JournalMacKey> JournalMacKeyFor(const Encrypter* encrypter) {
  if (encrypter == nullptr || encrypter->is_plaintext()) return nullptr;
  // The subkey first: an encrypter that derives none (passphrase) is not asked to describe itself
  // here, before it has met the stack's wraps.
  Result<SecretBytes> subkey = encrypter->DeriveKey(kJournalMacLabel);
  if (!subkey.ok()) return nullptr;
  const std::string key_id = encrypter->Describe().key_id;
  if (key_id.empty()) return nullptr;
  return std::make_shared<const JournalMacKey>(JournalMacKey{key_id, std::move(subkey).value()});
}

JournalMacKeys JournalMacKeysFor(const Encrypter* encrypter) {
  if (encrypter == nullptr) return {};
  JournalMacKeys keys;
  for (const Encrypter* key : OpeningKeys(*encrypter)) {
    std::shared_ptr<const JournalMacKey> mac_key = JournalMacKeyFor(key);
    if (mac_key != nullptr) keys.push_back(std::move(mac_key));
  }
  return keys;
}

const JournalMacKey* JournalMacKeyNamed(const JournalMacKeys& keys, std::string_view key_id) {
  if (key_id.empty()) return nullptr;
  for (const auto& key : keys) {
    if (key && key->key_id == key_id) return key.get();
  }
  return nullptr;
}

bool IsSettledLine(const JournalEvent& event) { return event.event == kSettledEvent; }

bool JournalMacMatches(const JournalEvent& event, std::string_view previous_mac, const JournalMacKey& key) {
  if (event.mac_key != key.key_id || event.mac.size() != kMacBytes * 2) return false;
  const std::string expected = MacOf(event, previous_mac, key);
  return sodium_memcmp(expected.data(), event.mac.data(), expected.size()) == 0;
}

void SealJournalEvent(JournalEvent& event, const JournalEvent* previous, const JournalEvent* before_previous,
                      const JournalMacKey* key, const JournalEvent* settled) {
  const std::string previous_mac = previous != nullptr ? previous->mac : std::string();
  if (event.event == "set-current") {
    event.current = event.rev;
  } else if (!IsSettledLine(event)) {
    const std::string before_mac = before_previous != nullptr ? before_previous->mac : std::string();
    event.current = std::nullopt;
    if (key != nullptr && settled != nullptr && JournalMacMatches(*settled, previous_mac, *key)) {
      event.current = settled->current;
    } else if (key != nullptr && previous != nullptr && JournalMacMatches(*previous, before_mac, *key)) {
      event.current = previous->current;
    }
  }
  if (key == nullptr) {
    event.mac_key.clear();
    event.mac = std::string(kUnauthenticatedMac);
    return;
  }
  event.mac_key = key->key_id;
  event.mac = MacOf(event, previous_mac, *key);
}

JournalChainFindings CheckJournalChain(const std::vector<JournalEvent>& events, const JournalMacKeys& keys) {
  JournalChainFindings found;
  UncheckedRuns unchecked;
  const ChainStart start = StartOf(events, keys, found.notes);
  const JournalEvent* previous = nullptr;
  bool authenticated_seen = false;
  for (const JournalEvent& event : events) {
    const std::uint64_t expected_seq = previous != nullptr ? previous->seq + 1 : start.seq;
    if (event.seq > expected_seq) {
      found.problems.push_back("journal: " +
                               (event.seq - expected_seq == 1
                                    ? "line " + Seq(expected_seq)
                                    : "lines " + Seq(expected_seq) + " to " + Seq(event.seq - 1)) +
                               " removed (the line after them is " + Seq(event.seq) + ")");
    } else if (event.seq < expected_seq) {
      found.problems.push_back("journal: line " + Seq(event.seq) + " follows " + Seq(previous->seq) +
                               ": a line was inserted or the lines were re-ordered");
    }
    const std::string previous_mac = previous != nullptr ? previous->mac : start.mac;
    if (event.mac.empty()) {
      if (authenticated_seen) {
        found.problems.push_back("journal: line " + Seq(event.seq) +
                                 " carries no MAC after authenticated lines: it was inserted or edited");
      } else {
        unchecked.Add(
            "unauthenticated (no MAC: written before sealstate authenticated its journal, or by a backend that does "
            "not)",
            event.seq, found.notes);
      }
    } else if (event.mac == kUnauthenticatedMac && event.mac_key.empty()) {
      unchecked.Add("unauthenticated (written without a key)", event.seq, found.notes);
    } else {
      authenticated_seen = true;
      const JournalMacKey* key = JournalMacKeyNamed(keys, event.mac_key);
      if (key == nullptr) {
        unchecked.Add("not checked: key " + event.mac_key + " not given", event.seq, found.notes);
      } else if (!JournalMacMatches(event, previous_mac, *key)) {
        unchecked.Flush(found.notes);
        found.problems.push_back("journal: line " + Seq(event.seq) +
                                 " does not authenticate: it was edited or inserted, or the line before it was "
                                 "removed, inserted or edited");
      } else {
        unchecked.Flush(found.notes);
      }
    }
    previous = &event;
  }
  unchecked.Flush(found.notes);
  return found;
}

Status CheckCurrentAgainstJournal(std::string_view prefix, const std::string& pointer,
                                  const std::vector<JournalEvent>& tail, const JournalMacKeys& keys,
                                  JournalMoves moves) {
  const auto found = std::find_if(tail.rbegin(), tail.rend(), [&](const JournalEvent& event) {
    return JournalMacKeyNamed(keys, event.mac_key) != nullptr;
  });
  if (found == tail.rend()) return Status::OK();
  const JournalMacKey& key = *JournalMacKeyNamed(keys, found->mac_key);
  const auto newest = static_cast<std::size_t>(std::distance(found, tail.rend()) - 1);
  const JournalEvent& line = tail[newest];
  // A settling line is chained to the "set-current" line it settles, right before it.
  const std::size_t chained_to =
      IsSettledLine(line) ? (newest > 0 ? newest - 1 : std::string::npos) : HistoryBefore(tail, newest);
  const bool settles_it =
      !IsSettledLine(line) ||
      (chained_to != std::string::npos && tail[chained_to].event == "set-current" && tail[chained_to].seq == line.seq);
  if (!settles_it || !JournalMacMatches(line, MacOfLine(tail, chained_to), key)) {
    return Status::Integrity(std::string(prefix) + "journal line " + Seq(line.seq) +
                             " does not authenticate with key " + key.key_id +
                             ": the journal was edited (run `sealstate verify`)");
  }
  if (!line.current || *line.current == pointer) return Status::OK();
  // A copy imports the journal (ending in its "copied-from" line) before it sets current.
  if (pointer.empty() && line.event == "copied-from") return Status::OK();
  // A move not settled yet (cut off by a crash, or in flight): the pointer may not have moved.
  std::optional<std::string> before;
  if (line.event == "set-current" && moves == JournalMoves::kSettledAfter) {
    before = VouchedCurrentAfter(tail, chained_to, key);
    if (!before || *before == pointer) return Status::OK();
  }
  const std::string says = pointer.empty() ? std::string("there is no current") : "current names " + pointer;
  // Newer lines made with a key not given (after a rotation): the mark they carry cannot be
  // checked, so the pointer is neither vouched for nor reported as a rollback.
  for (std::size_t i = newest + 1; i < tail.size(); ++i) {
    const JournalEvent& later = tail[i];
    if (later.mac_key.empty() || later.mac == kUnauthenticatedMac) continue;
    return Status::WrongKey(std::string(prefix) + says + ", and the journal's newer lines (from " + Seq(later.seq) +
                            ") are made with key " + later.mac_key +
                            ", which is not among the given keys: give it (--key) to check and open current");
  }
  const auto name = [](const std::string& rev) { return rev.empty() ? std::string("no current") : rev; };
  const std::string record =
      name(*line.current) + (before ? " (or " + name(*before) + ", before that set-current)" : "");
  return Status::Integrity(std::string(prefix) + "rollback detected: " + says +
                           ", but the authenticated journal (line " + Seq(line.seq) + ") says current is " + record +
                           ": current was moved behind sealstate's back (a legitimate rollback is "
                           "`sealstate set-current REV`, which journals it and repairs this)");
}

}  // namespace sealstate::internal
