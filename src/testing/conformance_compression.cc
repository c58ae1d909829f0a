// Conformance: snapshots sealed with zstd (the store default) and with compression none both
// round-trip, side by side in one stack (envelope.h, EnvelopePolicy::compression). A backend
// stores sealed bytes as they are, so this holds once it passes context.envelope to the sealing.
#include "conformance_fixture.h"

#include <sealstate/envelope.h>

namespace sealstate::testing::conformance {
namespace {

// Another Backend on the fixture's stack with key A, sealing with `compression`.
std::unique_ptr<Backend> OpenWith(const Fixture& f, Compression compression) {
  BackendContext context = f.Context(f.key_a);
  context.envelope.compression = compression;
  Result<std::unique_ptr<Backend>> opened = f.target.open(context);
  INFO(f.target.name << ": " << opened.status().ToString());
  REQUIRE(opened.ok());
  REQUIRE(*opened != nullptr);
  return std::move(*opened);
}

// The compression the header of `rev` records, or "" when the backend cannot read headers.
std::string HeaderCompression(Backend& backend, const std::string& rev) {
  Result<EnvelopeHeader> header = backend.ReadHeader(rev);
  if (header.status().code() == Code::kUnsupported) return "";
  INFO(header.status().ToString());
  REQUIRE(header.ok());
  return header->compression;
}

}  // namespace

void CheckCompression(Fixture& f) {
  // Above 1 MiB, so sealing and opening take their pipelined (second-thread) paths too.
  const Snapshot large = LargeTestSnapshot(f.factory, f.stack, std::size_t{3} << 19);

  for (const Compression compression : {Compression::kZstd, Compression::kNone}) {
    const std::string name(CompressionName(compression));
    SECTION("a snapshot sealed with compression " + name + " round-trips") {
      std::unique_ptr<Backend> b = OpenWith(f, compression);
      for (const Snapshot& snapshot : {f.Snap("small"), large}) {
        Result<std::string> rev = b->Commit(snapshot, LockOptions{}, WriteOptions{});
        INFO(rev.status().ToString());
        REQUIRE(rev.ok());
        const std::string recorded = HeaderCompression(*b, *rev);
        CHECK((recorded.empty() || recorded == name));
        Result<Snapshot> got = f.Open()->Get(*rev);
        INFO(got.status().ToString());
        REQUIRE(got.ok());
        CHECK(*got == snapshot);
      }
    }
  }

  SECTION("zstd and none revisions in one stack all read back, whatever the reader's compression") {
    Result<std::string> zstd = OpenWith(f, Compression::kZstd)->Commit(large, LockOptions{}, WriteOptions{});
    Result<std::string> none = OpenWith(f, Compression::kNone)->Commit(f.Snap("none"), LockOptions{}, WriteOptions{});
    REQUIRE(zstd.ok());
    REQUIRE(none.ok());
    CHECK(f.Revisions() == std::vector<std::string>{*zstd, *none});
    for (const Compression reader_compression : {Compression::kZstd, Compression::kNone}) {
      std::unique_ptr<Backend> reader = OpenWith(f, reader_compression);
      Result<Snapshot> got_zstd = reader->Get(*zstd);
      Result<Snapshot> current = reader->Current();
      REQUIRE(got_zstd.ok());
      REQUIRE(current.ok());
      CHECK(*got_zstd == large);
      CHECK(*current == f.Snap("none"));
    }
  }
}

}  // namespace sealstate::testing::conformance
