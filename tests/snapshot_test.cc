// Snapshot validation, encoding and decoding; a port of unobin's snapshot_test.go plus
// sealstate's own guarantees (exact 64-bit integers, streaming, error codes).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sealstate/snapshot.h>

namespace sealstate {
namespace {

constexpr std::int64_t k20260430T120000Z = 1777550400;
constexpr std::int64_t k20260501T000000Z = 1777593600;

Timestamp Utc(std::int64_t unix_seconds) {
  Timestamp t;
  t.unix_seconds = unix_seconds;
  return t;
}

Binding MakeBinding(std::string alias, std::string library_path, std::string kind) {
  Binding b;
  b.alias = std::move(alias);
  b.library_path = std::move(library_path);
  b.kind = std::move(kind);
  return b;
}

Entry MakeEntry(std::string address, std::string entry_kind, std::string category) {
  Entry e;
  e.address = std::move(address);
  e.entry_kind = std::move(entry_kind);
  e.category = std::move(category);
  e.binding = MakeBinding("aws", "example.com/aws", "vpc");
  return e;
}

Snapshot BaseSnapshot() {
  Snapshot s;
  s.factory = FactoryInfo{"cluster-deploy", "v2.0.3", "abc123def456"};
  s.stack = "prod-east-alpha";
  s.generated_at = Utc(k20260430T120000Z);
  return s;
}

// unobin's sampleSnapshot(). The float64(5) there is the integer 5 here: sealstate decodes "5"
// as an integer, so an integer keeps the round trip exact.
Snapshot SampleSnapshot() {
  Snapshot s = BaseSnapshot();
  Entry main = MakeEntry("resource.main", "leaf", "resource");
  main.schema_version = 1;
  main.inputs = {{"cidr-block", Json("10.0.0.0/16")}};
  main.outputs = {{"id", Json("vpc-abc")}};
  Entry web = MakeEntry("resource.web", "library-call", "resource");
  web.binding = MakeBinding("net", "example.com/net", "cluster");
  web.inputs = {{"name", Json("web")}, {"size", Json(5)}};
  web.outputs = {{"arn", Json("arn:...")}};
  web.depends_on = {"resource.main"};
  s.entries = {main, web};
  return s;
}

// The fixture of tests/data/snapshot-golden.json.
Snapshot GoldenSnapshot() {
  Snapshot s = BaseSnapshot();
  Entry main = MakeEntry("resource.main", "leaf", "resource");
  main.binding = MakeBinding("aws", "", "vpc");
  main.schema_version = 1;
  main.inputs = {{"cidr-block", Json("10.0.0.0/16")}};
  main.outputs = {{"id", Json("vpc-abc")}};
  s.entries = {main};
  return s;
}

std::string ReadTestData(const std::string& name) {
  std::ifstream file(std::string(SEALSTATE_TEST_DATA) + "/" + name, std::ios::binary);
  REQUIRE(file.good());
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::string Encode(const Snapshot& s) {
  Result<std::string> encoded = EncodeSnapshot(s);
  INFO(encoded.status().ToString());
  REQUIRE(encoded.ok());
  return *encoded;
}

Snapshot Decode(std::string_view json) {
  Result<Snapshot> decoded = DecodeSnapshot(json);
  INFO(decoded.status().ToString());
  REQUIRE(decoded.ok());
  return std::move(decoded).value();
}

// The message ValidateSnapshot gives, after checking that it fails with kInvalidArgument.
std::string ValidationError(const Snapshot& s) {
  const Status status = ValidateSnapshot(s);
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == Code::kInvalidArgument);
  return status.message();
}

Status DecodeError(std::string_view json) {
  Result<Snapshot> decoded = DecodeSnapshot(json);
  REQUIRE_FALSE(decoded.ok());
  return decoded.status();
}

// A minimal valid document around one entry's JSON text.
std::string DocumentWithEntries(std::string_view entries) {
  return R"({"format-version": 1, "factory": {"name": "x"}, "stack": "prod",
             "generated-at": "2026-05-01T00:00:00Z", "entries": )" +
         std::string(entries) + "}";
}

class ChunkedSource final : public ByteSource {
 public:
  ChunkedSource(std::string_view data, std::size_t chunk, Status error = Status::OK())
      : data_(data), chunk_(chunk), error_(std::move(error)) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    if (data_.empty() && !error_.ok()) return error_;
    const std::size_t n = std::min({capacity, chunk_, data_.size()});
    data_.copy(buffer, n);
    data_.remove_prefix(n);
    ++reads;
    return n;
  }
  int reads = 0;

 private:
  std::string_view data_;
  std::size_t chunk_;
  Status error_;
};

class CountingSink final : public ByteSink {
 public:
  Status Append(std::string_view data) override {
    ++appends;
    bytes.append(data);
    return Status::OK();
  }
  int appends = 0;
  std::string bytes;
};

class FailingSink final : public ByteSink {
 public:
  Status Append(std::string_view) override { return Status::IoError("write", "/state/x", 5); }
};

// ---------------------------------------------------------------------------------------------
// Validation: every rule, in order, with unobin's messages.

TEST_CASE("Validate accepts unobin's sample snapshot", "[snapshot][validate]") {
  CHECK(ValidateSnapshot(SampleSnapshot()).ok());
  CHECK(ValidateSnapshot(BaseSnapshot()).ok());
}

TEST_CASE("Validate rejects a wrong format-version", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.format_version = 2;
  CHECK(ValidationError(s) == "snapshot: format-version is 2, expected 1");
  s.format_version = 0;
  CHECK(ValidationError(s) == "snapshot: format-version is 0, expected 1");
}

TEST_CASE("Validate rejects a missing address", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.entries[1].address = "";
  CHECK(ValidationError(s) == "snapshot: entries[1] missing address");
}

TEST_CASE("Validate rejects a duplicate address", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.entries.push_back(MakeEntry("resource.main", "leaf", "resource"));
  CHECK(ValidationError(s) == R"(snapshot: duplicate address "resource.main")");
}

TEST_CASE("Validate rejects a missing entry-kind", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.entries[0].entry_kind = "";
  CHECK(ValidationError(s) == R"(snapshot: entry "resource.main" missing entry-kind)");
}

TEST_CASE("Validate rejects an unknown entry-kind", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.entries[0].entry_kind = "weird";
  CHECK(ValidationError(s) == R"(snapshot: entry "resource.main" has unknown entry-kind "weird")");
  s.entries[0].entry_kind = "data";  // unobin's older name for data-source
  CHECK(ValidationError(s) == R"(snapshot: entry "resource.main" has unknown entry-kind "data")");
}

TEST_CASE("Validate rejects a missing category", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.entries[0].category = "";
  CHECK(ValidationError(s) == R"(snapshot: entry "resource.main" missing category)");
}

TEST_CASE("Validate rejects an action without a category", "[snapshot][validate]") {
  Snapshot s = BaseSnapshot();
  Entry action = MakeEntry("action.x", "action", "");
  action.binding = MakeBinding("core", "example.com/core", "command");
  s.entries = {action};
  CHECK(ValidationError(s) == R"(snapshot: entry "action.x" missing category)");
}

TEST_CASE("Validate rejects the wrong category for each entry kind", "[snapshot][validate]") {
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {"leaf", "data-source"},   {"leaf", "action"},          {"library-call", "composite"}, {"action", "resource"},
      {"action", "data-source"}, {"data-source", "resource"}, {"data-source", "action"}};
  for (const auto& [kind, category] : wrong) {
    Snapshot s = BaseSnapshot();
    s.entries = {MakeEntry("x.y", kind, category)};
    INFO(kind << " / " << category);
    CHECK(ValidationError(s) == "snapshot: entry \"x.y\" has category \"" + category + "\"");
  }
}

TEST_CASE("Validate accepts every allowed kind and category pair", "[snapshot][validate]") {
  const std::vector<std::pair<std::string, std::string>> allowed = {
      {"leaf", "resource"},       {"library-call", "resource"}, {"library-call", "data-source"},
      {"library-call", "action"}, {"action", "action"},         {"data-source", "data-source"}};
  for (const auto& [kind, category] : allowed) {
    Snapshot s = BaseSnapshot();
    s.entries = {MakeEntry("x.y", kind, category)};
    INFO(kind << " / " << category);
    CHECK(ValidateSnapshot(s).ok());
  }
}

TEST_CASE("Validate rejects a missing binding", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.entries[1].binding.reset();
  CHECK(ValidationError(s) == R"(snapshot: entry "resource.web" binding missing)");
}

TEST_CASE("Validate rejects a binding without alias", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.entries[0].binding->alias = "";
  CHECK(ValidationError(s) == R"(snapshot: entry "resource.main" binding missing alias)");
}

TEST_CASE("Validate rejects a binding without kind", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.entries[0].binding->kind = "";
  CHECK(ValidationError(s) == R"(snapshot: entry "resource.main" binding missing kind)");
}

TEST_CASE("Validate accepts a binding without library-path", "[snapshot][validate]") {
  Snapshot s = SampleSnapshot();
  s.entries[0].binding->library_path = "";
  CHECK(ValidateSnapshot(s).ok());
}

TEST_CASE("Validate reports the first failure in rule order", "[snapshot][validate]") {
  SECTION("format-version before entries") {
    Snapshot s = SampleSnapshot();
    s.format_version = 3;
    s.entries[0].address = "";
    CHECK(ValidationError(s) == "snapshot: format-version is 3, expected 1");
  }
  SECTION("an earlier entry's kind error before a later entry's missing address") {
    Snapshot s = SampleSnapshot();
    s.entries[0].entry_kind = "weird";
    s.entries[1].address = "";
    CHECK_THAT(ValidationError(s), Catch::Contains("unknown entry-kind"));
  }
  SECTION("address before entry kind") {
    Snapshot s = SampleSnapshot();
    s.entries[0].address = "";
    s.entries[0].entry_kind = "";
    CHECK(ValidationError(s) == "snapshot: entries[0] missing address");
  }
  SECTION("category before binding") {
    Snapshot s = SampleSnapshot();
    s.entries[0].category = "";
    s.entries[0].binding.reset();
    CHECK_THAT(ValidationError(s), Catch::EndsWith("missing category"));
  }
  SECTION("binding alias before binding kind") {
    Snapshot s = SampleSnapshot();
    s.entries[0].binding = Binding{};
    CHECK_THAT(ValidationError(s), Catch::EndsWith("binding missing alias"));
  }
}

TEST_CASE("Validate quotes addresses and kinds as Go's %q", "[snapshot][validate]") {
  Snapshot s = BaseSnapshot();
  s.entries = {MakeEntry("resource.\"odd\"\n", "le\taf", "resource")};
  CHECK(ValidationError(s) == R"(snapshot: entry "resource.\"odd\"\n" has unknown entry-kind "le\taf")");
}

// ---------------------------------------------------------------------------------------------
// Encoding

TEST_CASE("Encode writes the golden fixture byte for byte", "[snapshot][encode]") {
  CHECK(Encode(GoldenSnapshot()) == ReadTestData("snapshot-golden.json"));
}

TEST_CASE("Decode of the golden fixture gives the fixture snapshot", "[snapshot][decode]") {
  CHECK(Decode(ReadTestData("snapshot-golden.json")) == GoldenSnapshot());
}

TEST_CASE("Encode of unobin's sample has the JSON shape unobin checks", "[snapshot][encode]") {
  const std::string out = Encode(SampleSnapshot());
  CHECK(out.back() == '\n');
  CHECK(out[out.size() - 2] == '}');
  for (const char* present : {R"("format-version": 1)", R"("address": "resource.main")", R"("entry-kind": "leaf")",
                              R"("category": "resource")", R"("binding": {)", R"("alias": "aws")",
                              R"("library-path": "example.com/aws")", R"("kind": "vpc")", R"("size": 5)"}) {
    CHECK_THAT(out, Catch::Contains(present));
  }
  for (const char* absent : {R"("node-kind":)", R"("selector":)", R"("export":)", R"("type":)", R"("kind": "resource")",
                             R"("library-type")"}) {
    CHECK_THAT(out, !Catch::Contains(absent));
  }
}

TEST_CASE("Encode writes a fully populated entry in unobin's field order", "[snapshot][encode]") {
  Snapshot s = BaseSnapshot();
  Entry e = MakeEntry("action.smoke-test", "action", "action");
  e.binding = MakeBinding("core", "example.com/core", "command");
  e.schema_version = 3;
  e.sensitive_inputs = {"token"};
  e.sensitive_outputs = {"secret", "key"};
  e.trigger_hash = "sha256:deadbeef";
  e.inputs = {{"argv", Json(JsonArray{Json("true")})}, {"token", Json("t")}};
  e.outputs = {{"stdout", Json("")}, {"exit-code", Json(0.0)}, {"ratio", Json(0.25)}};
  e.depends_on = {"resource.a", "resource.b"};
  s.entries = {e};
  s.outputs = {{"vpc-id", Json("vpc-abc")}, {"size", Json(5)}};

  const std::string expected = R"({
  "format-version": 1,
  "factory": {
    "name": "cluster-deploy",
    "version": "v2.0.3",
    "content-revision": "abc123def456"
  },
  "stack": "prod-east-alpha",
  "generated-at": "2026-04-30T12:00:00Z",
  "entries": [
    {
      "address": "action.smoke-test",
      "entry-kind": "action",
      "category": "action",
      "binding": {
        "alias": "core",
        "library-path": "example.com/core",
        "kind": "command"
      },
      "schema-version": 3,
      "sensitive-inputs": [
        "token"
      ],
      "sensitive-outputs": [
        "secret",
        "key"
      ],
      "trigger-hash": "sha256:deadbeef",
      "inputs": {
        "argv": [
          "true"
        ],
        "token": "t"
      },
      "outputs": {
        "exit-code": 0,
        "ratio": 0.25,
        "stdout": ""
      },
      "depends-on": [
        "resource.a",
        "resource.b"
      ]
    }
  ],
  "outputs": {
    "size": 5,
    "vpc-id": "vpc-abc"
  }
}
)";
  CHECK(Encode(s) == expected);
}

TEST_CASE("Encode leaves out empty optional fields", "[snapshot][encode]") {
  Snapshot s = BaseSnapshot();
  Entry e = MakeEntry("resource.a", "leaf", "resource");
  e.binding = MakeBinding("aws", "", "vpc");
  s.entries = {e};
  const std::string expected = R"({
  "format-version": 1,
  "factory": {
    "name": "cluster-deploy",
    "version": "v2.0.3",
    "content-revision": "abc123def456"
  },
  "stack": "prod-east-alpha",
  "generated-at": "2026-04-30T12:00:00Z",
  "entries": [
    {
      "address": "resource.a",
      "entry-kind": "leaf",
      "category": "resource",
      "binding": {
        "alias": "aws",
        "kind": "vpc"
      }
    }
  ]
}
)";
  CHECK(Encode(s) == expected);
}

TEST_CASE("Encode always writes factory fields and entries, even when empty", "[snapshot][encode]") {
  Snapshot s;
  const std::string expected = R"({
  "format-version": 1,
  "factory": {
    "name": "",
    "version": "",
    "content-revision": ""
  },
  "stack": "",
  "generated-at": "0001-01-01T00:00:00Z",
  "entries": null
}
)";
  CHECK(Encode(s) == expected);
  s.entries_null = false;
  CHECK_THAT(Encode(s), Catch::Contains("\"entries\": []\n}"));
}

TEST_CASE("Encode escapes HTML characters inside entry values as Go does", "[snapshot][encode]") {
  Snapshot s = GoldenSnapshot();
  s.entries[0].inputs = {{"<script>", Json("a & b <c> \u2028")}};
  s.entries[0].trigger_hash = "x&y";
  const std::string out = Encode(s);
  CHECK_THAT(out, Catch::Contains(R"("\u003cscript\u003e": "a \u0026 b \u003cc\u003e \u2028")"));
  CHECK_THAT(out, Catch::Contains(R"("trigger-hash": "x\u0026y")"));
  CHECK(Decode(out) == s);
}

TEST_CASE("Encode writes generated-at with its offset and trimmed fraction", "[snapshot][encode]") {
  Snapshot s = GoldenSnapshot();
  s.generated_at.nanos = 500000000;
  s.generated_at.offset_seconds = 2 * 3600;
  CHECK_THAT(Encode(s), Catch::Contains(R"("generated-at": "2026-04-30T14:00:00.5+02:00")"));
}

TEST_CASE("Encode validates first and writes nothing on failure", "[snapshot][encode]") {
  Snapshot s = SampleSnapshot();
  s.format_version = 99;
  CountingSink sink;
  const Status status = EncodeSnapshot(s, sink);
  CHECK(status.code() == Code::kInvalidArgument);
  CHECK(status.message() == "snapshot: format-version is 99, expected 1");
  CHECK(sink.appends == 0);

  const Result<std::string> encoded = EncodeSnapshot(s);
  REQUIRE_FALSE(encoded.ok());
  CHECK(encoded.status().message() == "snapshot: format-version is 99, expected 1");
}

TEST_CASE("Encode returns the sink's error", "[snapshot][encode]") {
  FailingSink sink;
  const Status status = EncodeSnapshot(SampleSnapshot(), sink);
  CHECK(status.code() == Code::kIoError);
  CHECK(status.error_number() == 5);
}

TEST_CASE("Encode is stable: encode, decode, encode gives identical bytes", "[snapshot][encode]") {
  const std::string first = Encode(SampleSnapshot());
  CHECK(Encode(SampleSnapshot()) == first);
  CHECK(Encode(Decode(first)) == first);
}

TEST_CASE("Encode streams a large snapshot in several Appends", "[snapshot][encode]") {
  Snapshot s = BaseSnapshot();
  for (int i = 0; i < 2000; ++i) {
    Entry e = MakeEntry("resource.r" + std::to_string(i), "leaf", "resource");
    e.inputs = {{"blob", Json(std::string(200, 'x'))}};
    s.entries.push_back(std::move(e));
  }
  CountingSink sink;
  REQUIRE(EncodeSnapshot(s, sink).ok());
  CHECK(sink.appends > 1);
  CHECK(sink.bytes == Encode(s));
}

// ---------------------------------------------------------------------------------------------
// Decoding

TEST_CASE("Round trip gives an equal snapshot", "[snapshot][decode]") {
  const Snapshot in = SampleSnapshot();
  CHECK(Decode(Encode(in)) == in);

  Snapshot with_outputs = SampleSnapshot();
  with_outputs.outputs = {{"vpc-id", Json("vpc-abc")}, {"size", Json(5)}, {"ratio", Json(0.5)}};
  CHECK(Decode(Encode(with_outputs)) == with_outputs);
}

TEST_CASE("Round trip of action and data-source entries", "[snapshot][decode]") {
  Snapshot s = BaseSnapshot();
  s.generated_at = Utc(k20260501T000000Z);
  Entry action = MakeEntry("action.smoke-test", "action", "action");
  action.binding = MakeBinding("core", "example.com/core", "command");
  action.trigger_hash = "sha256:deadbeef";
  action.inputs = {{"argv", Json(JsonArray{Json("true")})}};
  action.outputs = {{"stdout", Json("")}, {"exit-code", Json(0)}};
  Entry data = MakeEntry("data-source.image", "data-source", "data-source");
  data.binding = MakeBinding("aws", "example.com/aws", "ami");
  s.entries = {action, data};
  const std::string out = Encode(s);
  CHECK(Decode(out) == s);
  CHECK_THAT(out, Catch::Contains(R"("entry-kind": "data-source")"));
  CHECK_THAT(out, Catch::Contains(R"("trigger-hash": "sha256:deadbeef")"));
}

TEST_CASE("Decode preserves entries null versus []", "[snapshot][decode]") {
  Snapshot s = BaseSnapshot();
  s.entries_null = true;
  const std::string null_text = Encode(s);
  CHECK_THAT(null_text, Catch::Contains("\"entries\": null"));
  const Snapshot from_null = Decode(null_text);
  CHECK(from_null.entries_null);
  CHECK(Encode(from_null) == null_text);

  s.entries_null = false;
  const std::string empty_text = Encode(s);
  CHECK_THAT(empty_text, Catch::Contains("\"entries\": []"));
  const Snapshot from_empty = Decode(empty_text);
  CHECK_FALSE(from_empty.entries_null);
  CHECK(Encode(from_empty) == empty_text);

  CHECK(Decode(R"({"format-version": 1})").entries_null);  // absent reads as nil
}

TEST_CASE("Decode keeps 64-bit integers past 2^53 exact", "[snapshot][decode]") {
  Snapshot s = GoldenSnapshot();
  s.entries[0].outputs = {
      {"u64-max", Json(std::numeric_limits<std::uint64_t>::max())},
      {"i64-min", Json(std::numeric_limits<std::int64_t>::min())},
      {"i64-max", Json(std::numeric_limits<std::int64_t>::max())},
      {"two-53-plus-1", Json(std::int64_t{9007199254740993})},
  };
  const std::string out = Encode(s);
  CHECK_THAT(out, Catch::Contains(R"("u64-max": 18446744073709551615)"));
  CHECK_THAT(out, Catch::Contains(R"("i64-min": -9223372036854775808)"));
  CHECK_THAT(out, Catch::Contains(R"("two-53-plus-1": 9007199254740993)"));
  const Snapshot back = Decode(out);
  CHECK(back == s);
  CHECK(back.entries[0].outputs.at("u64-max").type() == Json::Type::kUint);
  CHECK(Encode(back) == out);
}

TEST_CASE("Decode re-encodes Go floats byte for byte", "[snapshot][decode]") {
  const std::string text = DocumentWithEntries("[]");
  Snapshot s = Decode(text);
  s.outputs = {{"a", Json(1e21)}, {"b", Json(1e-7)}, {"c", Json(0.1)}, {"d", Json(-0.0)}, {"e", Json(123456789.125)}};
  const std::string out = Encode(s);
  CHECK_THAT(out, Catch::Contains("\"a\": 1e+21,\n    \"b\": 1e-7,\n    \"c\": 0.1,\n"
                                  "    \"d\": -0,\n    \"e\": 123456789.125\n"));
  CHECK(Encode(Decode(out)) == out);
}

TEST_CASE("Decode ignores unknown keys", "[snapshot][decode]") {
  const std::string text = R"({
    "format-version": 1, "future": {"x": [1, 2]},
    "factory": {"name": "cluster", "extra": true},
    "stack": "prod", "generated-at": "2026-05-01T00:00:00Z",
    "entries": [{"address": "resource.main", "entry-kind": "leaf", "category": "resource",
                 "node-kind": "resource", "selector": {"alias": "old"}, "type": "t",
                 "binding": {"alias": "aws", "kind": "vpc", "export": "e"}}]})";
  const Snapshot s = Decode(text);
  CHECK(s.factory.name == "cluster");
  REQUIRE(s.entries.size() == 1);
  CHECK(s.entries[0].binding == MakeBinding("aws", "", "vpc"));
  CHECK_THAT(Encode(s), !Catch::Contains("node-kind"));
}

TEST_CASE("Decode treats null optional fields as absent", "[snapshot][decode]") {
  const Snapshot s = Decode(DocumentWithEntries(
      R"([{"address": "resource.main", "entry-kind": "leaf", "category": "resource",
           "binding": {"alias": "aws", "kind": "vpc", "library-path": null},
           "schema-version": null, "inputs": null, "outputs": null, "depends-on": null,
           "trigger-hash": null}])"));
  REQUIRE(s.entries.size() == 1);
  CHECK(s.entries[0].schema_version == 0);
  CHECK(s.entries[0].inputs.empty());
  CHECK(s.entries[0].binding->library_path.empty());
}

TEST_CASE("Decode rejects a legacy node-kind entry without category", "[snapshot][decode]") {
  // unobin's TestSnapshotRejectsNodeKindJSON
  const std::string body = R"({
  "format-version": 1,
  "factory": { "name": "cluster" },
  "stack": "prod",
  "generated-at": "2026-05-01T00:00:00Z",
  "entries": [
    {
      "address": "resource.main",
      "entry-kind": "leaf",
      "node-kind": "resource",
      "binding": { "alias": "aws", "library-path": "example.com/aws", "kind": "vpc" }
    }
  ]
})";
  const Status status = DecodeError(body);
  CHECK(status.code() == Code::kIntegrity);
  CHECK(status.message() == R"(snapshot: entry "resource.main" missing category)");
}

TEST_CASE("Decode rejects an unsupported format-version", "[snapshot][decode]") {
  const Status v99 = DecodeError(R"({"format-version": 99, "factory": {"name": "x"}, "entries": []})");
  CHECK(v99.code() == Code::kFormat);
  CHECK(v99.message() == "snapshot: unsupported format-version 99 (this build expects 1)");

  const Status missing = DecodeError(R"({"factory": {"name": "x"}})");
  CHECK(missing.code() == Code::kFormat);
  CHECK(missing.message() == "snapshot: unsupported format-version 0 (this build expects 1)");

  CHECK(DecodeError("null").message() == "snapshot: unsupported format-version 0 (this build expects 1)");
}

TEST_CASE("Decode checks the version before validating entries", "[snapshot][decode]") {
  const Status status = DecodeError(R"({"format-version": 2, "entries": [{"address": ""}]})");
  CHECK(status.code() == Code::kFormat);
}

TEST_CASE("Decode reports validation failures as kIntegrity with unobin's message", "[snapshot][decode]") {
  const Status status = DecodeError(DocumentWithEntries(
      R"([{"address": "a", "entry-kind": "leaf", "category": "resource", "binding": {"alias": "x", "kind": "k"}},
          {"address": "a", "entry-kind": "leaf", "category": "resource", "binding": {"alias": "x", "kind": "k"}}])"));
  CHECK(status.code() == Code::kIntegrity);
  CHECK(status.message() == R"(snapshot: duplicate address "a")");
}

TEST_CASE("Decode reports a null entry as unobin's nil entry", "[snapshot][decode]") {
  const std::string good =
      R"({"address": "a", "entry-kind": "leaf", "category": "resource", "binding": {"alias": "x", "kind": "k"}})";
  const Status nil = DecodeError(DocumentWithEntries("[" + good + ", null]"));
  CHECK(nil.code() == Code::kIntegrity);
  CHECK(nil.message() == "snapshot: entries[1] is nil");

  // An earlier entry's failure wins over the nil one.
  const Status earlier = DecodeError(DocumentWithEntries(R"([{"address": ""}, null])"));
  CHECK(earlier.message() == "snapshot: entries[0] missing address");
}

TEST_CASE("Decode reports fields of the wrong type", "[snapshot][decode]") {
  CHECK(DecodeError(R"({"format-version": 1, "stack": 5})").message() == R"(snapshot: "stack" must be a string)");
  CHECK(DecodeError(R"({"format-version": "1"})").message() == R"(snapshot: "format-version" must be an integer)");
  CHECK(DecodeError(R"({"format-version": 1.0})").message() == R"(snapshot: "format-version" must be an integer)");
  CHECK(DecodeError(R"({"format-version": 1, "factory": []})").message() == R"(snapshot: "factory" must be an object)");
  CHECK(DecodeError(R"({"format-version": 1, "factory": {"name": 1}})").message() ==
        "snapshot: factory.name must be a string");
  CHECK(DecodeError(R"({"format-version": 1, "entries": {}})").message() == R"(snapshot: "entries" must be an array)");
  CHECK(DecodeError(R"({"format-version": 1, "outputs": [1]})").message() ==
        R"(snapshot: "outputs" must be an object)");
  CHECK(DecodeError("[1]").message() == "snapshot: the document must be a JSON object");

  const std::string entry =
      R"({"address": "a", "entry-kind": "leaf", "category": "resource", "binding": {"alias": "x", "kind": "k"}})";
  const std::string bad_version =
      R"({"address": "d", "entry-kind": "leaf", "category": "resource", "schema-version": "1"})";
  const Status status =
      DecodeError(DocumentWithEntries("[" + entry + ",{\"address\": \"b\"},{\"address\": \"c\"}," + bad_version + "]"));
  CHECK(status.code() == Code::kIntegrity);
  CHECK(status.message() == "snapshot: entries[3].schema-version must be an integer");

  CHECK(DecodeError(DocumentWithEntries("[3]")).message() == "snapshot: entries[0] must be an object");
  CHECK(DecodeError(DocumentWithEntries(R"([{"depends-on": [1]}])")).message() ==
        "snapshot: entries[0].depends-on must be an array of strings");
  CHECK(DecodeError(DocumentWithEntries(R"([{"binding": {"alias": false}}])")).message() ==
        "snapshot: entries[0].binding.alias must be a string");
  CHECK(DecodeError(DocumentWithEntries(R"([{"inputs": "x"}])")).message() ==
        "snapshot: entries[0].inputs must be an object");
}

// Entries are converted while the document is parsed; what is reported must still be what a
// whole-document decode reports: syntax errors first, then type errors in member order
// (format-version, factory, stack, generated-at, entries, outputs), and a repeated key's last
// value wins.
TEST_CASE("Decode orders errors and repeated entries as for a whole document", "[snapshot][decode]") {
  const std::string good =
      R"({"address": "a", "entry-kind": "leaf", "category": "resource", "binding": {"alias": "x", "kind": "k"}})";
  const std::string head =
      R"({"format-version": 1, "factory": {"name": "x"}, "generated-at": "2026-05-01T00:00:00Z", )";
  // An entry's error loses to a later stack error, and to a syntax error anywhere after it.
  CHECK(DecodeError(head + R"("entries": [{"address": 5}], "stack": 5})").message() ==
        R"(snapshot: "stack" must be a string)");
  CHECK(DecodeError(head + R"("entries": [{"address": 5}], "stack": "p",})").message() ==
        "snapshot: invalid JSON at byte 130: missing a name for object member");
  // It wins over a later outputs error.
  CHECK(DecodeError(head + R"("entries": [{"address": 5}], "outputs": 1})").message() ==
        "snapshot: entries[0].address must be a string");
  // A repeated "entries": the last value counts, whatever came before.
  CHECK(Decode(head + R"("entries": [{"address": 5}], "entries": [)" + good + "]}").entries.size() == 1);
  CHECK(Decode(head + R"("entries": "x", "entries": [)" + good + "]}").entries.size() == 1);
  CHECK(Decode(head + R"("entries": [null], "entries": [)" + good + "]}").entries.size() == 1);
  CHECK(DecodeError(head + R"("entries": [)" + good + R"(], "entries": "x"})").message() ==
        R"(snapshot: "entries" must be an array)");
  const Snapshot emptied = Decode(head + R"("entries": [)" + good + R"(], "entries": []})");
  CHECK(emptied.entries.empty());
  CHECK_FALSE(emptied.entries_null);
  CHECK(Decode(head + R"("entries": [)" + good + R"(], "entries": null})").entries_null);
  // Elements after a nil one are not looked at; an "entries" member below the root is unknown.
  CHECK(DecodeError(head + R"("entries": [null, 5]})").message() == "snapshot: entries[0] is nil");
  CHECK(Decode(head + R"("entries": [)" + good + R"(], "factory": {"name": "x", "entries": [1]}})").entries.size() ==
        1);
}

// Entries are decoded from parser events, not from a tree: within an entry, errors are still
// reported in field order whatever the document order, the last of a repeated member wins (a null
// one resets the field, a valid one clears an earlier one's type error), and unknown members are
// skipped whatever they contain.
TEST_CASE("Decode reads entry members as a whole-entry conversion would", "[snapshot][decode]") {
  // Document order: depends-on, inputs, address; field order puts address first.
  CHECK(DecodeError(DocumentWithEntries(R"([{"depends-on": 1, "inputs": 2, "address": 3}])")).message() ==
        "snapshot: entries[0].address must be a string");
  CHECK(DecodeError(DocumentWithEntries(R"([{"outputs": [], "binding": {"kind": 1, "alias": true}}])")).message() ==
        "snapshot: entries[0].binding.alias must be a string");
  CHECK(DecodeError(DocumentWithEntries(R"([{"schema-version": 9223372036854775808}])")).message() ==
        "snapshot: entries[0].schema-version must be an integer in the int64 range");
  CHECK(DecodeError(DocumentWithEntries(R"([{"sensitive-inputs": ["a", {"x": [1]}, "b"]}])")).message() ==
        "snapshot: entries[0].sensitive-inputs must be an array of strings");
  const Entry e = Decode(DocumentWithEntries(
                             R"([{"address": 5, "address": "a", "entry-kind": "leaf", "category": "resource",
           "binding": "x", "binding": {"alias": 1, "alias": "y", "kind": "k", "library-path": "p",
                                       "library-path": null, "extra": {"deep": [[{}]]}},
           "schema-version": 2, "schema-version": null, "trigger-hash": "h", "trigger-hash": "h2",
           "sensitive-inputs": ["s"], "sensitive-inputs": [null, "t"],
           "inputs": {"a": 1}, "inputs": {"b": [true, null, {"c": "d"}]}, "outputs": {"o": 1}, "outputs": null,
           "depends-on": ["b"], "node-kind": {"nested": ["arrays", ["and", {"objects": 1}]]},
           "future": [1, {"x": null}]}])"))
                      .entries.at(0);
  CHECK(e.address == "a");
  REQUIRE(e.binding.has_value());
  CHECK(e.binding->alias == "y");
  CHECK(e.binding->kind == "k");
  CHECK(e.binding->library_path.empty());
  CHECK(e.schema_version == 0);
  CHECK(e.trigger_hash == "h2");
  CHECK(e.sensitive_inputs == std::vector<std::string>{"", "t"});
  CHECK(e.inputs == JsonObject{{"b", JsonArray{true, nullptr, JsonObject{{"c", "d"}}}}});
  CHECK(e.outputs.empty());
  CHECK(e.depends_on == std::vector<std::string>{"b"});
  // A later binding replaces an earlier one whole; a null one removes it.
  CHECK(Decode(DocumentWithEntries(R"([{"address": "a", "entry-kind": "leaf", "category": "resource",
      "binding": {"alias": "x", "kind": "k", "library-path": "p"}, "binding": {"alias": "z", "kind": "k"}}])"))
            .entries.at(0)
            .binding == Binding{"z", "", "k"});
  CHECK(DecodeError(DocumentWithEntries(R"([{"address": "a", "entry-kind": "leaf", "category": "resource",
      "binding": {"alias": 1}, "binding": null}])"))
            .message() == R"(snapshot: entry "a" binding missing)");
}

TEST_CASE("Decode reports a bad generated-at", "[snapshot][decode]") {
  const Status status = DecodeError(R"({"format-version": 1, "generated-at": "yesterday"})");
  CHECK(status.code() == Code::kIntegrity);
  CHECK_THAT(status.message(), Catch::StartsWith("snapshot: generated-at: "));
  CHECK(DecodeError(R"({"format-version": 1, "generated-at": 5})").message() ==
        R"(snapshot: "generated-at" must be a string)");
}

TEST_CASE("Decode reads an absent generated-at as Go's zero time", "[snapshot][decode]") {
  const Snapshot s = Decode(R"({"format-version": 1})");
  CHECK(s.generated_at == Timestamp{});
  CHECK_THAT(Encode(s), Catch::Contains(R"("generated-at": "0001-01-01T00:00:00Z")"));
}

TEST_CASE("Decode prefixes JSON syntax errors with snapshot:", "[snapshot][decode]") {
  const Status status = DecodeError(R"({"format-version": 1,})");
  CHECK(status.code() == Code::kIntegrity);
  CHECK(status.message() == "snapshot: invalid JSON at byte 21: missing a name for object member");
}

TEST_CASE("Decode returns the source's error unchanged", "[snapshot][decode]") {
  const std::string text = Encode(SampleSnapshot());
  ChunkedSource source(std::string_view(text).substr(0, 100), 16, Status::Integrity("boom"));
  const Result<Snapshot> decoded = DecodeSnapshot(source);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().code() == Code::kIntegrity);
  CHECK(decoded.status().message() == "boom");
}

TEST_CASE("Decode of a 2 MB document works through a small-chunk source", "[snapshot][decode]") {
  Snapshot s = BaseSnapshot();
  for (int i = 0; s.entries.size() < 5000; ++i) {
    Entry e = MakeEntry("resource.r" + std::to_string(i), i % 2 ? "library-call" : "leaf", "resource");
    e.schema_version = i % 4;
    e.inputs = {{"index", Json(i)},
                {"ratio", Json((i + 0.5) / 8.0)},
                {"note", Json("<" + std::string(300, 'n') + ">")},
                {"list", Json(JsonArray{Json(true), Json(), Json("x")})}};
    e.outputs = {{"id", Json("id-" + std::to_string(i))}};
    if (i > 0) e.depends_on = {"resource.r" + std::to_string(i - 1)};
    s.entries.push_back(std::move(e));
  }
  const std::string text = Encode(s);
  REQUIRE(text.size() > 2 * 1024 * 1024);

  ChunkedSource source(text, 1000);
  Result<Snapshot> decoded = DecodeSnapshot(source);
  INFO(decoded.status().ToString());
  REQUIRE(decoded.ok());
  CHECK(source.reads > 2000);
  CHECK(*decoded == s);
  CHECK(Encode(*decoded) == text);
}

// unobin decodes with Go's encoding/json: an invalid UTF-8 byte or a lone surrogate escape in any
// string, key or value, top-level or in an entry, becomes U+FFFD; keys equal after that keep the
// last value; and re-encoding writes U+FFFD raw, as Go's encoder does.
TEST_CASE("Decode replaces invalid UTF-8 and lone surrogates with U+FFFD as unobin does, the last equal key winning",
          "[snapshot][decode][utf8]") {
  const std::string fffd = "\xef\xbf\xbd";
  const std::string text =
      "{\"format-version\": 1, \"factory\": {\"name\": \"f\\udc00\"}, \"stack\": \"prod\xfe\",\n"
      " \"outputs\": {\"o\xfe\": 1, \"o\xff\": 2},\n"
      " \"entries\": [{\"address\": \"resource.m\xff\", \"entry-kind\": \"leaf\", \"category\": \"resource\",\n"
      "   \"binding\": {\"alias\": \"a\\ud800\", \"kind\": \"k\"}, \"depends-on\": [\"\\ud800x\\udfff\"],\n"
      "   \"inputs\": {\"k\xfe\": 1, \"k\\ud800\": [\"v\xe2\x82\"], \"k\xff\": {\"n\": 3}}}]}";
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{3}, text.size()}) {
    ChunkedSource source(text, chunk);
    Result<Snapshot> decoded = DecodeSnapshot(source);
    INFO("chunk " << chunk << ": " << decoded.status().ToString());
    REQUIRE(decoded.ok());
    const Snapshot& s = *decoded;
    CHECK(s.factory.name == "f" + fffd);
    CHECK(s.stack == "prod" + fffd);
    CHECK(s.outputs == JsonObject{{"o" + fffd, Json(2)}});
    REQUIRE(s.entries.size() == 1);
    const Entry& e = s.entries[0];
    CHECK(e.address == "resource.m" + fffd);
    CHECK(e.binding == MakeBinding("a" + fffd, "", "k"));
    CHECK(e.depends_on == std::vector<std::string>{fffd + "x" + fffd});
    CHECK(e.inputs == JsonObject{{"k" + fffd, JsonObject{{"n", Json(3)}}}});

    const std::string encoded = Encode(s);
    CHECK_THAT(encoded, Catch::Contains("\"k" + fffd + "\": {\n") && Catch::Contains("\"o" + fffd + "\": 2\n") &&
                            Catch::Contains("\"resource.m" + fffd + "\"") && !Catch::Contains("\\ufffd"));
    CHECK(encoded.find("\"k" + fffd + "\"") == encoded.rfind("\"k" + fffd + "\""));  // one key, not two
    CHECK(Decode(encoded) == s);
    CHECK(Encode(Decode(encoded)) == encoded);
  }
}

}  // namespace
}  // namespace sealstate
