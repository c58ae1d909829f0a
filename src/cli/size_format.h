// Sizes for people: "825 B", "12.3 KiB", "4.0 MiB", "1.2 GiB".
#pragma once

#include <cstdint>
#include <string>

namespace sealstate::cli {

// `bytes` in B below 1 KiB, else in the largest binary unit (KiB, MiB, GiB, TiB) that keeps the
// number at least 1, with one decimal. REQUIRES: bytes >= 0.
std::string FormatSize(std::int64_t bytes);

}  // namespace sealstate::cli
