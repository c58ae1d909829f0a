// Helpers shared by the test suites.
#pragma once

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include <sealstate/encrypter.h>
#include <sealstate/local_store.h>
#include <sealstate/snapshot.h>
#include <sealstate/status.h>

namespace sealstate::testing {

// A local store under `root` for stack cluster-deploy/prod-east-alpha (the fixture's names) with
// the noop encrypter. Aborts the test binary if it cannot be opened.
inline std::unique_ptr<Backend> OpenNoopLocalStore(const std::string& root) {
  LocalStoreOptions o;
  o.root = root;
  o.factory = "cluster-deploy";
  o.stack = "prod-east-alpha";
  o.encrypter = std::shared_ptr<const Encrypter>(NewNoopEncrypter());
  Result<std::unique_ptr<Backend>> store = OpenLocalStore(o);
  if (!store.ok()) std::abort();
  return std::move(*store);
}

// A test-only key: 32 bytes 0x00..0x1f. Matches tests/data/make_v1_vector.py.
inline constexpr const char* kVectorKeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
inline constexpr const char* kKeyA = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";  // 32 x 0x00
inline constexpr const char* kKeyB = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";  // 32 x 0x01

inline std::string ReadTestFile(std::string_view name) {
  std::ifstream in(std::string(SEALSTATE_TEST_DATA) + "/" + std::string(name), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// An env-key encrypter on variable `var`, set to `key_base64` first. Aborts the test on error.
inline std::unique_ptr<Encrypter> EnvKey(const std::string& var, const char* key_base64) {
  ::setenv(var.c_str(), key_base64, 1);
  Result<std::unique_ptr<Encrypter>> encrypter = NewEnvKeyEncrypter(var);
  if (!encrypter.ok()) std::abort();
  return std::move(*encrypter);
}

// unobin's local-store fixture snapshot.
inline Snapshot FixtureSnapshot() {
  Snapshot s;
  s.factory = {"cluster-deploy", "v2.0.3", "abc123def456"};
  s.stack = "prod-east-alpha";
  s.generated_at.unix_seconds = 1777550400;  // 2026-04-30T12:00:00Z
  Entry e;
  e.address = "resource.main";
  e.entry_kind = "leaf";
  e.category = "resource";
  e.binding = Binding{"aws", "", "vpc"};
  e.schema_version = 1;
  e.inputs["cidr-block"] = Json("10.0.0.0/16");
  e.outputs["id"] = Json("vpc-abc");
  s.entries.push_back(e);
  return s;
}

// A snapshot whose encoding is at least `min_bytes` long.
inline Snapshot LargeSnapshot(std::size_t min_bytes) {
  Snapshot s = FixtureSnapshot();
  s.entries.clear();
  std::size_t approx = 0;
  for (int i = 0; approx < min_bytes; ++i) {
    Entry e;
    e.address = "resource.r" + std::to_string(i);
    e.entry_kind = "leaf";
    e.category = "resource";
    e.binding = Binding{"aws", "", "instance"};
    for (int k = 0; k < 10; ++k) {
      e.inputs["in" + std::to_string(k)] = Json("value-" + std::to_string(i * 31 + k));
      e.outputs["out" + std::to_string(k)] = Json("output-" + std::to_string(i * 17 + k));
    }
    approx += 600;
    s.entries.push_back(std::move(e));
  }
  return s;
}

// A snapshot text for factory "cluster-deploy", stack "prod-east-alpha" whose one entry's
// outputs hold invalid UTF-8 and lone surrogate escapes, and keys equal once those are replaced
// with U+FFFD (as unobin's Go decoder replaces them): {"k\xfe": 1, "k\ud800": 2, "k\xff": 3,
// "s": "a\xff\udc00"}. Decoded as Go does, the outputs are InvalidTextOutputs().
inline constexpr std::string_view kInvalidTextSnapshot =
    "{\"format-version\": 1, \"factory\": {\"name\": \"cluster-deploy\"}, \"stack\": \"prod-east-alpha\",\n"
    " \"entries\": [{\"address\": \"resource.main\", \"entry-kind\": \"leaf\", \"category\": \"resource\",\n"
    "   \"binding\": {\"alias\": \"aws\", \"kind\": \"vpc\"},\n"
    "   \"outputs\": {\"k\xfe\": 1, \"k\\ud800\": 2, \"k\xff\": 3, \"s\": \"a\xff\\udc00\"}}]}\n";
inline JsonObject InvalidTextOutputs() {
  return {{"k\xef\xbf\xbd", Json(3)}, {"s", Json("a\xef\xbf\xbd\xef\xbf\xbd")}};
}

}  // namespace sealstate::testing
