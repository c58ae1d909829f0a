// DiffSnapshots (what changed between two snapshots) and the rule for values not to print.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include <sealstate/snapshot_diff.h>

namespace sealstate {
namespace {

Entry MakeEntry(std::string address) {
  Entry e;
  e.address = std::move(address);
  e.entry_kind = "leaf";
  e.category = "resource";
  e.binding = Binding{"aws", "", "vpc"};
  return e;
}

Snapshot MakeSnapshot(std::vector<Entry> entries) {
  Snapshot s;
  s.factory = FactoryInfo{"f", "v1", "r"};
  s.stack = "prod";
  s.entries = std::move(entries);
  s.entries_null = false;
  return s;
}

Snapshot Sample() {
  Entry vpc = MakeEntry("resource.vpc");
  vpc.inputs = {{"cidr", Json("10.0.0.0/16")}, {"tags", Json(JsonObject{{"team", Json("infra")}})}};
  vpc.outputs = {{"id", Json("vpc-1")}, {"ip", Json("10.0.0.1")}};
  Entry db = MakeEntry("resource.db");
  db.inputs = {{"size", Json(20)}};
  Snapshot s = MakeSnapshot({vpc, db});
  s.outputs = {{"url", Json("https://a.example")}};
  return s;
}

Entry& Find(Snapshot& s, const std::string& address) {
  for (Entry& e : s.entries) {
    if (e.address == address) return e;
  }
  FAIL("no entry " << address);
  return s.entries.front();
}

TEST_CASE("Equal snapshots make an empty diff", "[diff]") {
  const SnapshotDiff diff = DiffSnapshots(Sample(), Sample());
  CHECK(diff.empty());
  CHECK(diff == SnapshotDiff{});
}

TEST_CASE("Writer metadata is not compared", "[diff]") {
  Snapshot to = Sample();
  to.factory.version = "v2";
  to.generated_at.unix_seconds = 1777550400;
  CHECK(DiffSnapshots(Sample(), to).empty());
}

TEST_CASE("Added and removed entries are listed by address, sorted", "[diff]") {
  Snapshot to = Sample();
  to.entries.erase(to.entries.begin());  // resource.vpc
  to.entries.push_back(MakeEntry("resource.z"));
  to.entries.push_back(MakeEntry("resource.a"));
  const SnapshotDiff diff = DiffSnapshots(Sample(), to);
  CHECK(diff.added == std::vector<std::string>{"resource.a", "resource.z"});
  CHECK(diff.removed == std::vector<std::string>{"resource.vpc"});
  CHECK(diff.changed.empty());
  CHECK(diff.outputs.empty());
}

TEST_CASE("A changed output is reported with old and new value, inputs untouched", "[diff]") {
  Snapshot to = Sample();
  Find(to, "resource.vpc").outputs["ip"] = Json("10.0.0.2");
  const SnapshotDiff diff = DiffSnapshots(Sample(), to);
  REQUIRE(diff.changed.size() == 1);
  const EntryChange& change = diff.changed[0];
  CHECK(change.address == "resource.vpc");
  CHECK(change.inputs.empty());
  CHECK(change.fields.empty());
  REQUIRE(change.outputs.size() == 1);
  CHECK(change.outputs[0] == ValueChange{"ip", Json("10.0.0.1"), Json("10.0.0.2"), false});
  CHECK(diff.added.empty());
  CHECK(diff.removed.empty());
}

TEST_CASE("Changed inputs are told apart from changed outputs; added and removed keys", "[diff]") {
  Snapshot to = Sample();
  Entry& vpc = Find(to, "resource.vpc");
  vpc.inputs.erase("cidr");
  vpc.inputs["region"] = Json("eu-west-1");
  const SnapshotDiff diff = DiffSnapshots(Sample(), to);
  REQUIRE(diff.changed.size() == 1);
  CHECK(diff.changed[0].outputs.empty());
  REQUIRE(diff.changed[0].inputs.size() == 2);
  CHECK(diff.changed[0].inputs[0] == ValueChange{"cidr", Json("10.0.0.0/16"), std::nullopt, false});
  CHECK(diff.changed[0].inputs[1] == ValueChange{"region", std::nullopt, Json("eu-west-1"), false});
}

TEST_CASE("A change inside a nested value is a change of its top-level key, whole values shown", "[diff]") {
  Snapshot to = Sample();
  Find(to, "resource.vpc").inputs["tags"].as_object()["team"] = Json("platform");
  const SnapshotDiff diff = DiffSnapshots(Sample(), to);
  REQUIRE(diff.changed.size() == 1);
  REQUIRE(diff.changed[0].inputs.size() == 1);
  const ValueChange& tags = diff.changed[0].inputs[0];
  CHECK(tags.key == "tags");
  CHECK(tags.old_value == Json(JsonObject{{"team", Json("infra")}}));
  CHECK(tags.new_value == Json(JsonObject{{"team", Json("platform")}}));
}

TEST_CASE("Numbers compare by type: 20 and 20.0 differ", "[diff]") {
  Snapshot to = Sample();
  Find(to, "resource.db").inputs["size"] = Json(20.0);
  const SnapshotDiff diff = DiffSnapshots(Sample(), to);
  REQUIRE(diff.changed.size() == 1);
  CHECK(diff.changed[0].inputs.size() == 1);
}

TEST_CASE("Entry kind, binding and other fields are changes named by their JSON names", "[diff]") {
  Snapshot to = Sample();
  Entry& db = Find(to, "resource.db");
  db.entry_kind = "library-call";
  db.binding = Binding{"aws", "example.com/aws", "rds"};
  db.schema_version = 2;
  db.depends_on = {"resource.vpc"};
  const SnapshotDiff diff = DiffSnapshots(Sample(), to);
  REQUIRE(diff.changed.size() == 1);
  const auto& fields = diff.changed[0].fields;
  REQUIRE(fields.size() == 4);
  CHECK(fields[0] ==
        ValueChange{
            "binding", Json(JsonObject{{"alias", Json("aws")}, {"kind", Json("vpc")}}),
            Json(JsonObject{{"alias", Json("aws")}, {"kind", Json("rds")}, {"library-path", Json("example.com/aws")}}),
            false});
  CHECK(fields[1] == ValueChange{"depends-on", std::nullopt, Json(JsonArray{Json("resource.vpc")}), false});
  CHECK(fields[2] == ValueChange{"entry-kind", Json("leaf"), Json("library-call"), false});
  CHECK(fields[3] == ValueChange{"schema-version", std::nullopt, Json(2), false});
  CHECK(diff.changed[0].inputs.empty());
  CHECK(diff.changed[0].outputs.empty());
}

TEST_CASE("The snapshot's own outputs are compared key by key", "[diff]") {
  Snapshot to = Sample();
  to.outputs["url"] = Json("https://b.example");
  to.outputs["db_password"] = Json("hunter2");
  const SnapshotDiff diff = DiffSnapshots(Sample(), to);
  CHECK(diff.changed.empty());
  REQUIRE(diff.outputs.size() == 2);
  CHECK(diff.outputs[0] == ValueChange{"db_password", std::nullopt, Json("hunter2"), true});
  CHECK(diff.outputs[1] == ValueChange{"url", Json("https://a.example"), Json("https://b.example"), false});
}

TEST_CASE("A key listed in sensitive-outputs on either side is sensitive", "[diff][secret]") {
  Snapshot from = Sample();
  Find(from, "resource.vpc").sensitive_outputs = {"id"};
  Snapshot to = Sample();
  Find(to, "resource.vpc").outputs["id"] = Json("vpc-2");
  Find(to, "resource.vpc").outputs["ip"] = Json("10.0.0.9");
  SnapshotDiff diff = DiffSnapshots(from, to);
  REQUIRE(diff.changed.size() == 1);
  REQUIRE(diff.changed[0].outputs.size() == 2);
  CHECK(diff.changed[0].outputs[0].key == "id");
  CHECK(diff.changed[0].outputs[0].sensitive);
  CHECK_FALSE(diff.changed[0].outputs[1].sensitive);  // ip: not marked, not secret-looking

  diff = DiffSnapshots(to, from);  // marked only in the new snapshot now
  REQUIRE(diff.changed.size() == 1);
  REQUIRE(diff.changed[0].outputs.size() == 2);
  CHECK(diff.changed[0].outputs[0].sensitive);
}

TEST_CASE("A sensitive-inputs marker covers inputs, not outputs of the same name", "[diff][secret]") {
  Snapshot from = Sample();
  Find(from, "resource.vpc").sensitive_inputs = {"id"};
  Find(from, "resource.vpc").inputs["id"] = Json("in-1");
  Snapshot to = from;
  Find(to, "resource.vpc").inputs["id"] = Json("in-2");
  Find(to, "resource.vpc").outputs["id"] = Json("vpc-2");
  const SnapshotDiff diff = DiffSnapshots(from, to);
  REQUIRE(diff.changed.size() == 1);
  REQUIRE(diff.changed[0].inputs.size() == 1);
  CHECK(diff.changed[0].inputs[0].sensitive);
  REQUIRE(diff.changed[0].outputs.size() == 1);
  CHECK_FALSE(diff.changed[0].outputs[0].sensitive);
}

TEST_CASE("Secret-looking key names, ignoring case", "[secret]") {
  for (const char* key :
       {"password", "DB_PASSWORD", "passwd", "clientSecret", "auth-token", "Token", "private_key", "tls-private-key",
        "PrivateKey", "api_key", "x-api-key", "ApiKey", "credentials", "ssh_passphrase"}) {
    INFO(key);
    CHECK(IsSecretLookingKey(key));
  }
  for (const char* key : {"", "id", "ip", "public_key", "tokyo_region", "pass", "key", "api"}) {
    INFO(key);
    CHECK_FALSE(IsSecretLookingKey(key));
  }
}

TEST_CASE("A value is sensitive when marked, secret-looking, or holding a secret-looking key", "[secret]") {
  CHECK(IsSensitiveValue("id", true, Json("x")));
  CHECK(IsSensitiveValue("admin_password", false, Json("x")));
  CHECK_FALSE(IsSensitiveValue("db", false, Json(JsonObject{{"host", Json("h")}})));
  CHECK(IsSensitiveValue("db", false, Json(JsonObject{{"host", Json("h")}, {"Password", Json("p")}})));
  const Json nested(JsonArray{Json(JsonObject{{"users", Json(JsonArray{Json(JsonObject{{"token", Json("t")}})})}})});
  CHECK(IsSensitiveValue("config", false, nested));
  CHECK_FALSE(IsSensitiveValue("names", false, Json(JsonArray{Json("password")})));  // a value, not a key
}

}  // namespace
}  // namespace sealstate
