// This process's memory figures from /proc/self/status, for the peak-RSS rows.
#pragma once

#include <cstddef>
#include <string_view>

namespace sealstate::bench {

// The value of `field` ("VmRSS", "VmHWM") of /proc/self/status, in bytes; 0 if absent.
std::size_t ProcStatusBytes(std::string_view field);

// Resets the peak (VmHWM) to the current RSS by writing "5" to /proc/self/clear_refs.
// Dies if the kernel refuses.
void ResetPeakRss();

}  // namespace sealstate::bench
