// This process's memory figures from /proc, for tests that bound peak memory.
#pragma once

#include <cstddef>
#include <fstream>
#include <string>

namespace sealstate::testing {

// "VmRSS" or "VmHWM" of this process, in bytes; 0 when the field is missing.
inline std::size_t ProcStatusBytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

// Resets this process's peak RSS (VmHWM) to its current RSS.
inline void ResetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

}  // namespace sealstate::testing
