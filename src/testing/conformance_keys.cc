// Conformance: the key check of Write, Commit and SetCurrent, and Get with another key
// (backend.h).
#include "conformance_fixture.h"

namespace sealstate::testing::conformance {

void CheckKeys(Fixture& f) {
  Backend& b = *f.backend;

  SECTION("Get of a revision sealed with another key is kWrongKey") {
    Result<std::string> rev = b.Write(f.Snap("one"), WriteOptions{});
    REQUIRE(rev.ok());
    CHECK(f.Open(f.key_b)->Get(*rev).status().code() == Code::kWrongKey);
  }

  SECTION("Write with another key than the current revision's is kWrongKey and writes nothing") {
    Result<std::string> rev = b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{});
    REQUIRE(rev.ok());
    std::size_t events = f.Journal().size();
    Result<std::string> refused = f.Open(f.key_b)->Write(f.Snap("two"), WriteOptions{});
    CHECK(refused.status().code() == Code::kWrongKey);
    CHECK(refused.status().message().find(f.key_a->Describe().key_id) != std::string::npos);
    CHECK(refused.status().message().find(f.key_b->Describe().key_id) != std::string::npos);
    CHECK(f.Revisions() == std::vector<std::string>{*rev});
    CHECK(f.Journal().size() == events);
  }

  SECTION("Write with WriteOptions::new_key writes with another key") {
    REQUIRE(b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{}).ok());
    std::unique_ptr<Backend> other_key = f.Open(f.key_b);
    Result<std::string> rev =
        other_key->Write(f.Snap("two"), WriteOptions{.new_key = true, .lock_id = "", .operation = ""});
    INFO(rev.status().ToString());
    REQUIRE(rev.ok());
    Result<Snapshot> got = other_key->Get(*rev);
    REQUIRE(got.ok());
    CHECK(*got == f.Snap("two"));
  }

  SECTION("Write without a current revision does not check the key") {
    CHECK(f.Open(f.key_b)->Write(f.Snap("one"), WriteOptions{}).ok());
  }

  SECTION("SetCurrent to a revision sealed with another key is kWrongKey and leaves current unchanged") {
    Result<std::string> first = b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{});
    REQUIRE(first.ok());
    Result<std::string> foreign =
        f.Open(f.key_b)->Write(f.Snap("two"), WriteOptions{.new_key = true, .lock_id = "", .operation = ""});
    REQUIRE(foreign.ok());
    Status moved = b.SetCurrent(*foreign, SetCurrentOptions{});
    CHECK(moved.code() == Code::kWrongKey);
    CHECK(moved.message().find("set-current " + *foreign + ": ") != std::string::npos);
    CHECK(f.CurrentOrEmpty() == *first);
  }
}

}  // namespace sealstate::testing::conformance
