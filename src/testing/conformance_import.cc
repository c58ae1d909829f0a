// Conformance: ReadEnvelope, ImportEnvelope and ImportJournal (backend.h), what copy.h builds on.
#include <algorithm>

#include <sealstate/key_ring.h>
#include <sealstate/rekey.h>

#include "conformance_fixture.h"

namespace sealstate::testing::conformance {
namespace {

// Revision `rev`'s stored bytes (REQUIREs success).
std::string StoredBytes(Backend& backend, const std::string& rev) {
  std::string bytes;
  StringSink sink(bytes);
  Status read = backend.ReadEnvelope(rev, sink);
  INFO(read.ToString());
  REQUIRE(read.ok());
  return bytes;
}

Status Import(Backend& backend, const std::string& rev, const std::string& bytes, const std::string& lock_id = "") {
  StringSource source(bytes);
  return backend.ImportEnvelope(rev, source, lock_id);
}

bool Listed(Fixture& f, const std::string& rev) {
  const std::vector<std::string> revs = f.Revisions();
  return std::find(revs.begin(), revs.end(), rev) != revs.end();
}

// An event of another backend's journal, every field set.
JournalEvent ForeignEvent(std::string event, std::string rev, std::uint64_t seq) {
  JournalEvent e;
  e.seq = seq;
  Result<Timestamp> time = ParseRfc3339("2024-02-29T12:34:56.123456789Z");
  REQUIRE(time.ok());
  e.time = *time;
  e.event = std::move(event);
  e.rev = std::move(rev);
  e.lock_id = "0123456789abcdef0123456789abcdef";
  e.actor = "someone@elsewhere";
  e.pid = 4242;
  e.detail = "imported \"detail\"";
  e.envelope_version = e.event == "write" ? 2 : 0;
  return e;
}

}  // namespace

void CheckImport(Fixture& f) {
  Backend& b = *f.backend;
  const Snapshot snapshot = f.Snap("imported");
  Result<std::string> written = b.Write(snapshot, WriteOptions{});
  REQUIRE(written.ok());
  const std::string rev = *written;
  const std::string bytes = StoredBytes(b, rev);
  REQUIRE(!bytes.empty());

  SECTION("ReplaceEnvelope swaps a revision's envelope in place under the lock (rekey), or is kUnsupported") {
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    StringSource same(bytes);
    const Status probe = b.ReplaceEnvelope(rev, same, (*lock)->id());
    if (probe.code() != Code::kUnsupported) {
      INFO(probe.ToString());
      REQUIRE(probe.ok());
      StringSource missing(bytes);
      CHECK(b.ReplaceEnvelope("2001-01-01T00:00:00Z", missing, (*lock)->id()).code() != Code::kOk);
      StringSource unfenced(bytes);
      CHECK(b.ReplaceEnvelope(rev, unfenced, "0123456789abcdef0123456789abcdef").code() == Code::kLocked);
      Result<std::shared_ptr<const KeyRing>> ring = KeyRing::Make({f.key_b, f.key_a});
      REQUIRE(ring.ok());
      Result<std::vector<RekeyedRevision>> rekeyed = RekeyStack(b, **ring, (*lock)->id(), RekeyOptions{});
      INFO(rekeyed.status().ToString());
      REQUIRE(rekeyed.ok());
      CHECK(f.Open(f.key_b)->Get(rev).ok());
      CHECK(f.Open(f.key_a)->Get(rev).status().code() == Code::kWrongKey);
    }
    REQUIRE((*lock)->Unlock().ok());
  }

  SECTION("ReplaceEnvelopes replaces a batch of revisions as ReplaceEnvelope does, or is kUnsupported") {
    Result<std::string> second = b.Write(f.Snap("imported-too"), WriteOptions{});
    REQUIRE(second.ok());
    const std::string second_bytes = StoredBytes(b, *second);
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    StringSource first_source(bytes), second_source(second_bytes);
    const Status replaced = b.ReplaceEnvelopes({{rev, &first_source}, {*second, &second_source}}, (*lock)->id());
    if (replaced.code() != Code::kUnsupported) {
      INFO(replaced.ToString());
      REQUIRE(replaced.ok());
      CHECK(StoredBytes(b, rev) == bytes);
      CHECK(StoredBytes(b, *second) == second_bytes);
      StringSource a(bytes), missing(bytes);
      CHECK(b.ReplaceEnvelopes({{rev, &a}, {"2001-01-01T00:00:00Z", &missing}}, (*lock)->id()).code() != Code::kOk);
      CHECK(!Listed(f, "2001-01-01T00:00:00Z"));
      StringSource unfenced(bytes);
      CHECK(b.ReplaceEnvelopes({{rev, &unfenced}}, "0123456789abcdef0123456789abcdef").code() == Code::kLocked);
      CHECK(b.ReplaceEnvelopes({}, (*lock)->id()).ok());
    }
    REQUIRE((*lock)->Unlock().ok());
  }

  SECTION("AppendJournalEvents appends the caller's events in order, stamped with the lock id") {
    const std::size_t before = f.Journal().size();
    std::vector<JournalEvent> events(2);
    events[0].event = "rekey";
    events[0].rev = rev;
    events[0].detail = "first";
    events[1].event = "apply";
    events[1].detail = "second";
    REQUIRE(b.AppendJournalEvents(events, "0123456789abcdef0123456789abcdef").ok());
    const std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == before + 2);
    CHECK((journal[before].event == "rekey" && journal[before].rev == rev && journal[before].detail == "first"));
    CHECK((journal[before + 1].event == "apply" && journal[before + 1].rev.empty() &&
           journal[before + 1].detail == "second"));
    CHECK(journal[before].lock_id == "0123456789abcdef0123456789abcdef");
    CHECK(journal[before + 1].seq == journal[before].seq + 1);
    CHECK(!journal[before + 1].actor.empty());
  }

  SECTION("the journal's write event records the stored envelope's size") {
    const std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 1);
    CHECK(journal[0].size == static_cast<std::int64_t>(bytes.size()));
  }

  SECTION("ImportEnvelope of ReadEnvelope's bytes restores the revision byte for byte") {
    REQUIRE(b.Remove(rev, "").ok());
    Status imported = Import(b, rev, bytes);
    INFO(imported.ToString());
    REQUIRE(imported.ok());
    CHECK(Listed(f, rev));
    CHECK(StoredBytes(b, rev) == bytes);
    Result<Snapshot> read = f.Open()->Get(rev);
    REQUIRE(read.ok());
    CHECK(*read == snapshot);
  }

  SECTION("ImportEnvelope neither moves current nor journals") {
    REQUIRE(b.Remove(rev, "").ok());
    const std::size_t events = f.Journal().size();
    REQUIRE(Import(b, rev, bytes).ok());
    CHECK(f.CurrentOrEmpty().empty());
    CHECK(f.Journal().size() == events);
  }

  SECTION("ImportEnvelope of the same bytes over an existing revision is OK (a resumed copy)") {
    CHECK(Import(b, rev, bytes).ok());
    CHECK(StoredBytes(b, rev) == bytes);
  }

  SECTION("ImportEnvelope of other bytes under an existing revision is kAlreadyExists and changes nothing") {
    std::string other = bytes;
    other.back() = static_cast<char>(other.back() ^ 1);  // the header still names this revision
    CHECK(Import(b, rev, other).code() == Code::kAlreadyExists);
    CHECK(StoredBytes(b, rev) == bytes);
  }

  SECTION("ImportEnvelope refuses an envelope bound to another revision with kIntegrity") {
    const std::string elsewhere = "2001-01-01T00:00:00Z";
    CHECK(Import(b, elsewhere, bytes).code() == Code::kIntegrity);
    CHECK(!Listed(f, elsewhere));
  }

  SECTION("ImportEnvelope refuses an envelope bound to another stack with kIntegrity") {
    BackendContext context = f.Context(f.key_a);
    context.stack = f.stack + "-other";
    Result<std::unique_ptr<Backend>> other_stack = f.target.open(context);
    REQUIRE(other_stack.ok());
    Result<std::string> other_rev = (*other_stack)->Write(TestSnapshot(f.factory, context.stack, "x"), WriteOptions{});
    REQUIRE(other_rev.ok());
    CHECK(Import(b, *other_rev, StoredBytes(**other_stack, *other_rev)).code() == Code::kIntegrity);
    CHECK(!Listed(f, *other_rev));
  }

  SECTION("ImportEnvelope refuses what is not an envelope and leaves no revision behind") {
    REQUIRE(b.Remove(rev, "").ok());
    CHECK(!Import(b, rev, "").ok());
    CHECK(!Import(b, rev, "not an envelope\n").ok());
    CHECK(!Listed(f, rev));
  }

  SECTION("ReadEnvelope and ImportEnvelope refuse bad names; ReadEnvelope of a missing revision is kNotFound") {
    std::string sink_bytes;
    StringSink sink(sink_bytes);
    CHECK(b.ReadEnvelope("../escape", sink).code() == Code::kInvalidArgument);
    CHECK(b.ReadEnvelope("2001-01-01T00:00:00Z", sink).code() == Code::kNotFound);
    CHECK(Import(b, "../escape", bytes).code() == Code::kInvalidArgument);
  }

  SECTION("ImportEnvelope and ImportJournal under a held lock succeed") {
    REQUIRE(b.Remove(rev, "").ok());
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    CHECK(Import(b, rev, bytes, (*lock)->id()).ok());
    CHECK(b.ImportJournal({ForeignEvent("write", rev, 1)}, (*lock)->id()).ok());
    CHECK(f.Journal().back().rev == rev);
  }

  SECTION("ImportEnvelope and ImportJournal fenced by a lock that was force-unlocked are kLocked") {
    REQUIRE(b.Remove(rev, "").ok());
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    REQUIRE(f.Open()->ForceUnlock((*lock)->id()).ok());
    const std::size_t events = f.Journal().size();
    CHECK(Import(b, rev, bytes, (*lock)->id()).code() == Code::kLocked);
    CHECK(!Listed(f, rev));
    CHECK(b.ImportJournal({ForeignEvent("write", rev, 1)}, (*lock)->id()).code() == Code::kLocked);
    CHECK(f.Journal().size() == events);
  }

  SECTION("ImportJournal keeps every field of the events and renumbers them after the journal's last seq") {
    const std::vector<JournalEvent> before = f.Journal();
    const std::vector<JournalEvent> events = {ForeignEvent("write", rev, 100), ForeignEvent("set-current", rev, 7)};
    Status imported = b.ImportJournal(events, "");
    INFO(imported.ToString());
    REQUIRE(imported.ok());
    const std::vector<JournalEvent> after = f.Journal();
    REQUIRE(after.size() == before.size() + 2);
    for (std::size_t i = 0; i < events.size(); ++i) {
      JournalEvent expected = events[i];
      expected.seq = before.back().seq + 1 + i;
      // The lines join this journal's MAC chain: authenticated here, not as the source had them.
      expected.current = after[before.size() + i].current;
      expected.mac_key = after[before.size() + i].mac_key;
      expected.mac = after[before.size() + i].mac;
      CHECK(after[before.size() + i] == expected);
    }
  }

  SECTION("ImportJournal of an event whose line is too long is kInvalidArgument and imports none") {
    const std::size_t events = f.Journal().size();
    JournalEvent long_one = ForeignEvent("note", "", 1);
    long_one.detail.assign(std::size_t{1} << 20, 'x');
    CHECK(b.ImportJournal({ForeignEvent("note", "", 1), long_one}, "").code() == Code::kInvalidArgument);
    CHECK(f.Journal().size() == events);
  }
}

}  // namespace sealstate::testing::conformance
