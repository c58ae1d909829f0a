// Generated Terraform-like snapshots, the documents every row commits and reads.
//
// Each resource is one leaf entry: an address ("aws_instance.r000042"), a binding naming the
// provider and resource type, schema version 1, 10 input and 10 output strings (ids, ARNs,
// addresses, hashes) and a dependency on the previous resource: about 1.1 KiB per resource as
// compact JSON, 1.5x that as the pretty JSON sealstate stores. Content is pseudo-random (not
// compressible, not repeated) and fully determined by the seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <sealstate/snapshot.h>

namespace sealstate::bench {

struct DocumentSpec {
  std::size_t resources = 10;
  std::uint64_t seed = 1;  // different seeds give different contents of the same shape
  std::string factory = "bench";
  std::string stack = "prod";
};

// The snapshot described by `spec`, generated-at now. Valid (ValidateSnapshot passes).
Snapshot MakeDocument(const DocumentSpec& spec);

}  // namespace sealstate::bench
