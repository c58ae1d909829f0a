#include "document.h"

#include <array>
#include <string_view>

namespace sealstate::bench {
namespace {

constexpr std::array<std::string_view, 5> kTypes = {"aws_instance", "aws_s3_bucket", "aws_iam_role",
                                                    "aws_security_group", "aws_subnet"};
constexpr std::array<std::string_view, 10> kInputKeys = {"ami",
                                                         "instance_type",
                                                         "subnet_id",
                                                         "vpc_security_group_ids",
                                                         "key_name",
                                                         "availability_zone",
                                                         "iam_instance_profile",
                                                         "user_data_hash",
                                                         "tags.Name",
                                                         "tags.Owner"};
constexpr std::array<std::string_view, 10> kOutputKeys = {"id",
                                                          "arn",
                                                          "private_ip",
                                                          "public_ip",
                                                          "private_dns",
                                                          "public_dns",
                                                          "primary_network_interface_id",
                                                          "owner_id",
                                                          "instance_state",
                                                          "tags_all_hash"};

// splitmix64: a small, fast, well-mixed generator; enough for non-repeating test content.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // `digits` lower-case hex digits.
  std::string Hex(std::size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(digits, '0');
    std::uint64_t bits = Next();
    for (std::size_t i = 0; i < digits; ++i) {
      if (i % 16 == 15) bits = Next();
      out[i] = kHex[bits & 15];
      bits >>= 4;
    }
    return out;
  }

 private:
  std::uint64_t state_;
};

std::string Address(std::size_t index) {
  std::string number = std::to_string(index);
  number.insert(0, number.size() < 6 ? 6 - number.size() : 0, '0');
  return std::string(kTypes[index % kTypes.size()]) + ".r" + number;
}

JsonObject Strings(const std::array<std::string_view, 10>& keys, std::string_view prefix, Random& random) {
  JsonObject object;
  for (std::string_view key : keys) object.emplace(std::string(key), Json(std::string(prefix) + random.Hex(30)));
  return object;
}

Entry MakeEntry(std::size_t index, Random& random) {
  Entry entry;
  entry.address = Address(index);
  entry.entry_kind = "leaf";
  entry.category = "resource";
  entry.binding = Binding{"aws", "registry.terraform.io/hashicorp/aws", std::string(kTypes[index % kTypes.size()])};
  entry.schema_version = 1;
  entry.inputs = Strings(kInputKeys, "in-", random);
  entry.outputs = Strings(kOutputKeys, "out-", random);
  if (index > 0) entry.depends_on.push_back(Address(index - 1));
  return entry;
}

}  // namespace

Snapshot MakeDocument(const DocumentSpec& spec) {
  Random random(spec.seed);
  Snapshot snapshot;
  snapshot.factory = {spec.factory, "v1.8.0", random.Hex(12)};
  snapshot.stack = spec.stack;
  snapshot.generated_at = NowUtc();
  snapshot.entries.reserve(spec.resources);
  for (std::size_t i = 0; i < spec.resources; ++i) snapshot.entries.push_back(MakeEntry(i, random));
  return snapshot;
}

}  // namespace sealstate::bench
