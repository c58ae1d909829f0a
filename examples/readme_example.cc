#include <cstdio>
#include <sealstate/sealstate.h>

using namespace sealstate;

int main() {
  // The key: 32 random bytes, base64, in an environment variable. Never in code or logs.
  Result<std::unique_ptr<Encrypter>> key = NewEnvKeyEncrypter("SEALSTATE_EXAMPLE_KEY");
  if (!key.ok()) {
    std::fprintf(stderr, "%s\n", key.status().message().c_str());
    return 1;
  }

  // What the infrastructure looks like after an apply step.
  Snapshot snapshot;
  snapshot.factory = {"network", "v1.4.0", "9f2c1e"};
  snapshot.stack = "prod";
  snapshot.generated_at = NowUtc();
  Entry vpc;
  vpc.address = "resource.vpc";
  vpc.entry_kind = "leaf";
  vpc.category = "resource";
  vpc.binding = Binding{"aws", "", "vpc"};
  vpc.inputs["cidr-block"] = Json("10.0.0.0/16");
  vpc.outputs["id"] = Json("vpc-0a1b2c3d");
  vpc.outputs["owner-account"] = Json(std::uint64_t{18446744073709551615u});  // exact, all 64 bits
  snapshot.entries.push_back(vpc);

  // Seal it, bound to its factory, stack and revision, then open it again.
  const EnvelopeBinding binding{"state", "network", "prod", MakeRevision(snapshot.generated_at, 0)};
  std::string file;
  StringSink sink(file);
  if (Status s = SealSnapshot(snapshot, kEnvelopeV2, binding, **key, sink); !s.ok()) {
    std::fprintf(stderr, "seal: %s\n", s.message().c_str());
    return 1;
  }
  StringSource source(file);
  Result<Snapshot> opened = OpenSnapshot(source, binding, **key);
  if (!opened.ok()) {
    // Branch on the category: kWrongKey, kIntegrity, kFormat, kNotFound, kIoError, ...
    std::fprintf(stderr, "open (%s): %s\n", std::string(CodeName(opened.status().code())).c_str(),
                 opened.status().message().c_str());
    return 1;
  }
  std::printf("sealed %zu bytes as revision %s; read back %zu entry, vpc id %s\n", file.size(),
              binding.rev.c_str(), opened->entries.size(), opened->entries[0].outputs["id"].as_string().c_str());
  return *opened == snapshot ? 0 : 1;
}
