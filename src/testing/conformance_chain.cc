// Conformance: every new v2 revision's header names its parent (the revision current named when
// it was written, with the BLAKE2b digest of its stored envelope), whichever way it was written
// (the backend's own Commit, Backend::Commit's default, Write), and VerifyChain walks the links:
// clean after commits, a Write never committed, a journaled Remove and a set-current rollback.
#include "conformance_fixture.h"

#include <sealstate/envelope.h>
#include <sealstate/maintenance.h>

namespace sealstate::testing::conformance {
namespace {

// The parent recorded in `rev`'s header (none: none recorded). REQUIREs a readable header.
std::optional<EnvelopeParent> ParentOf(Backend& backend, const std::string& rev) {
  Result<EnvelopeHeader> header = backend.ReadHeader(rev);
  INFO(header.status().ToString());
  REQUIRE(header.ok());
  return header->parent;
}

std::string Committed(Result<std::string> rev) {
  INFO(rev.status().ToString());
  REQUIRE(rev.ok());
  return *rev;
}

ChainReport Walk(Backend& backend) {
  Result<ChainReport> report = VerifyChain(backend);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  for (const VerifyProblem& problem : report->problems) UNSCOPED_INFO(problem.rev + ": " + problem.status.message());
  return *report;
}

}  // namespace

void CheckChain(Fixture& f) {
  Backend& b = *f.backend;
  // A backend that cannot read headers or stored envelopes (the kUnsupported defaults) links nothing.
  std::string ignored;
  StringSink sink(ignored);
  if (b.ReadHeader("2001-01-01T00:00:00Z").status().code() == Code::kUnsupported ||
      b.ReadEnvelope("2001-01-01T00:00:00Z", sink).code() == Code::kUnsupported) {
    return;
  }
  const std::string first = Committed(b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{}));
  const std::string second = Committed(b.Backend::Commit(f.Snap("two"), LockOptions{}, WriteOptions{}));
  const std::string written = Committed(b.Write(f.Snap("never current"), WriteOptions{}));
  const std::string third = Committed(b.Commit(f.Snap("three"), LockOptions{}, WriteOptions{}));

  SECTION("each header names the revision current named when it was written, with a digest") {
    CHECK(!ParentOf(b, first));
    for (const auto& [child, parent] :
         std::vector<std::pair<std::string, std::string>>{{second, first}, {written, second}, {third, second}}) {
      INFO(child);
      const std::optional<EnvelopeParent> link = ParentOf(b, child);
      REQUIRE(link);
      CHECK(link->rev == parent);
      CHECK(link->blake2b.size() == 2 * kParentDigestBytes);
    }
    CHECK(ParentOf(b, second)->blake2b != ParentOf(b, third)->blake2b);  // the digest is of the parent's file
    CHECK(ParentOf(b, written)->blake2b == ParentOf(b, third)->blake2b);
  }

  SECTION("the chain walks from current to the first revision; a revision never current is listed") {
    const ChainReport report = Walk(b);
    CHECK(report.problems.empty());
    CHECK(report.chain == std::vector<std::string>{third, second, first});
    CHECK(report.end == ChainEnd::kFirst);
    CHECK(report.never_current == std::vector<std::string>{written});
    CHECK(report.off_chain.empty());
  }

  SECTION("a parent removed through the backend (journaled) ends the walk quietly") {
    REQUIRE(b.Remove(first, "").ok());
    const ChainReport report = Walk(b);
    CHECK(report.problems.empty());
    CHECK(report.chain == std::vector<std::string>{third, second});
    CHECK(report.end == ChainEnd::kPruned);
    CHECK(report.pruned_parent == first);
  }

  SECTION("a set-current rollback is no tampering: the revisions left are off the chain") {
    REQUIRE(b.SetCurrent(first, SetCurrentOptions{}).ok());
    const ChainReport rolled_back = Walk(b);
    CHECK(rolled_back.problems.empty());
    CHECK(rolled_back.chain == std::vector<std::string>{first});
    CHECK(rolled_back.off_chain == std::vector<std::string>{second, third});
    const std::string fourth = Committed(b.Commit(f.Snap("four"), LockOptions{}, WriteOptions{}));
    CHECK(ParentOf(b, fourth)->rev == first);
    const ChainReport report = Walk(b);
    CHECK(report.problems.empty());
    CHECK(report.chain == std::vector<std::string>{fourth, first});
  }
}

}  // namespace sealstate::testing::conformance
