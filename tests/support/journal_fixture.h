// Helpers for the Catch2 suites that test the journal (journal_test.cc and
// journal_compaction_test.cc, one binary): a fixed event, a checked read, the test MAC key, and
// the rollback check of a pointer against the journal's tail.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "journal/journal.h"
#include "journal/journal_mac.h"
#include "test_support.h"

namespace sealstate::testing {

// An event of kind `kind` for revision `rev` at 2026-04-30T12:00:00Z by alice@h1, pid 4242.
inline JournalEvent JournalTestEvent(std::string kind, std::string rev = "", std::string detail = "") {
  JournalEvent e;
  e.time.unix_seconds = 1777550400;  // 2026-04-30T12:00:00Z
  e.event = std::move(kind);
  e.rev = std::move(rev);
  e.actor = "alice@h1";
  e.pid = 4242;
  e.detail = std::move(detail);
  return e;
}

// journal.Read(since), failing the test on an error.
inline std::vector<JournalEvent> MustReadJournal(internal::JournalFile& journal, std::uint64_t since = 0) {
  Result<std::vector<JournalEvent>> events = journal.Read(since);
  INFO(events.status().ToString());
  REQUIRE(events.ok());
  return std::move(events).value();
}

// The journal MAC key of the test key SEALSTATE_JOURNAL_TEST_KEY (default kKeyA).
inline std::shared_ptr<const internal::JournalMacKey> JournalTestKey() {
  auto key = internal::JournalMacKeyFor(EnvKey("SEALSTATE_JOURNAL_TEST_KEY", kKeyA).get());
  REQUIRE(key != nullptr);
  return key;
}

// What CheckCurrentAgainstJournal says of a local pointer naming `seen` ("" for none), given the
// tail of `journal` read back to the newest line made with `key`.
inline Code PointerCheckCode(internal::JournalFile& journal, const std::shared_ptr<const internal::JournalMacKey>& key,
                             const std::string& seen) {
  Result<std::vector<JournalEvent>> tail = journal.ReadBackTo({key});
  REQUIRE(tail.ok());
  return internal::CheckCurrentAgainstJournal("", seen, *tail, {key}, internal::JournalMoves::kSettledAfter).code();
}

}  // namespace sealstate::testing
