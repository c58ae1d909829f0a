#include "journal/journal_mac.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include <sealstate/revision.h>

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

const JournalMacKey* KeyNamed(const std::vector<std::shared_ptr<const JournalMacKey>>& keys, const std::string& id) {
  for (const auto& key : keys) {
    if (key && key->key_id == id) return key.get();
  }
  return nullptr;
}

std::string Seq(std::uint64_t seq) { return "seq " + std::to_string(seq); }

bool Later(const Timestamp& a, const Timestamp& b) {
  return a.unix_seconds != b.unix_seconds ? a.unix_seconds > b.unix_seconds : a.nanos > b.nanos;
}

// What a commit cut off by a crash between moving the pointer and journaling it leaves: the
// pointer at a revision written after `newest` (the newest authenticated line), or at the one
// `newest` journals as written (its "write" line survived, its "set-current" line did not).
bool InterruptedCommit(const std::string& pointer, const JournalEvent& newest) {
  if (newest.event == "write" && newest.rev == pointer) return true;
  const ParsedRevision parsed = ParseRevision(pointer);
  return parsed.valid && Later(parsed.time, newest.time);
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
ChainStart StartOf(const std::vector<JournalEvent>& events,
                   const std::vector<std::shared_ptr<const JournalMacKey>>& keys, std::vector<std::string>& notes) {
  const JournalEvent* line = CompactionLineFor(events);
  if (line == nullptr) return {};
  const JournalCompactionMark mark = *ParseCompactionMark(*line);
  if (line->mac_key.empty()) {
    const bool any_authenticated =
        std::any_of(events.begin(), events.end(), [](const JournalEvent& event) { return !event.mac_key.empty(); });
    if (any_authenticated) return {};
  } else if (const JournalMacKey* key = KeyNamed(keys, line->mac_key)) {
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
  const std::string key_id = encrypter->Describe().key_id;
  if (key_id.empty()) return nullptr;
  Result<SecretBytes> subkey = encrypter->DeriveKey(kJournalMacLabel);
  if (!subkey.ok()) return nullptr;
  return std::make_shared<const JournalMacKey>(JournalMacKey{key_id, std::move(subkey).value()});
}

bool JournalMacMatches(const JournalEvent& event, std::string_view previous_mac, const JournalMacKey& key) {
  if (event.mac_key != key.key_id || event.mac.size() != kMacBytes * 2) return false;
  const std::string expected = MacOf(event, previous_mac, key);
  return sodium_memcmp(expected.data(), event.mac.data(), expected.size()) == 0;
}

void SealJournalEvent(JournalEvent& event, const JournalEvent* previous, const JournalEvent* before_previous,
                      const JournalMacKey* key) {
  if (event.event == "set-current") {
    event.current = event.rev;
  } else {
    const std::string before_mac = before_previous != nullptr ? before_previous->mac : std::string();
    const bool trusted = key != nullptr && previous != nullptr && JournalMacMatches(*previous, before_mac, *key);
    event.current = trusted ? previous->current : std::nullopt;
  }
  const std::string previous_mac = previous != nullptr ? previous->mac : std::string();
  if (key == nullptr) {
    event.mac_key.clear();
    event.mac = std::string(kUnauthenticatedMac);
    return;
  }
  event.mac_key = key->key_id;
  event.mac = MacOf(event, previous_mac, *key);
}

JournalChainFindings CheckJournalChain(const std::vector<JournalEvent>& events,
                                       const std::vector<std::shared_ptr<const JournalMacKey>>& keys) {
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
      const JournalMacKey* key = KeyNamed(keys, event.mac_key);
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
                                  const std::vector<JournalEvent>& tail, const JournalMacKey& key) {
  const auto newest =
      std::find_if(tail.rbegin(), tail.rend(), [&](const JournalEvent& event) { return event.mac_key == key.key_id; });
  if (newest == tail.rend()) return Status::OK();
  const auto before = std::next(newest);
  const std::string previous_mac = before != tail.rend() ? before->mac : std::string();
  if (!JournalMacMatches(*newest, previous_mac, key)) {
    return Status::Integrity(std::string(prefix) + "journal line " + Seq(newest->seq) +
                             " does not authenticate with key " + key.key_id +
                             ": the journal was edited (run `sealstate verify`)");
  }
  if (!newest->current || *newest->current == pointer) return Status::OK();
  if (!pointer.empty() && InterruptedCommit(pointer, *newest)) return Status::OK();
  // A copy imports the journal (ending in its "copied-from" line) before it sets current.
  if (pointer.empty() && newest->event == "copied-from") return Status::OK();
  const std::string says = pointer.empty() ? std::string("there is no current") : "current names " + pointer;
  const std::string record = newest->current->empty() ? std::string("no current") : *newest->current;
  return Status::Integrity(std::string(prefix) + "rollback detected: " + says +
                           ", but the authenticated journal (line " + Seq(newest->seq) + ") says current is " + record +
                           ": current was moved behind sealstate's back, or a set-current was cut off by a crash "
                           "before journaling it (a legitimate rollback is `sealstate set-current REV`, which "
                           "journals it and repairs this)");
}

}  // namespace sealstate::internal
