#include "proc_memory.h"

#include <fstream>
#include <string>

#include "fail.h"

namespace sealstate::bench {

std::size_t ProcStatusBytes(std::string_view field) {
  std::ifstream status("/proc/self/status");
  const std::string prefix = std::string(field) + ":";
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stoull(line.substr(prefix.size())) * 1024;  // "NNN kB"
  }
  return 0;
}

void ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  if (!clear) Die("cannot reset the peak RSS (/proc/self/clear_refs)");
}

}  // namespace sealstate::bench
