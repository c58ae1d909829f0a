#include "stats.h"

#include <algorithm>
#include <cassert>

namespace sealstate::bench {

double Percentile(std::vector<double> samples, double q) {
  assert(!samples.empty());
  std::sort(samples.begin(), samples.end());
  const double rank = q * static_cast<double>(samples.size() - 1);
  const auto lower = static_cast<std::size_t>(rank);
  const std::size_t upper = std::min(lower + 1, samples.size() - 1);
  const double fraction = rank - static_cast<double>(lower);
  return samples[lower] + (samples[upper] - samples[lower]) * fraction;
}

Summary Summarize(const std::vector<double>& samples) {
  Summary s;
  if (samples.empty()) return s;
  s.median = Percentile(samples, 0.5);
  s.p10 = Percentile(samples, 0.1);
  s.p90 = Percentile(samples, 0.9);
  s.p99 = Percentile(samples, 0.99);
  s.n = samples.size();
  return s;
}

std::vector<double> SumPerIteration(const std::vector<std::vector<double>>& parts) {
  std::vector<double> total(parts.empty() ? 0 : parts.front().size(), 0.0);
  for (const std::vector<double>& part : parts) {
    assert(part.size() == total.size());
    for (std::size_t i = 0; i < part.size(); ++i) total[i] += part[i];
  }
  return total;
}

}  // namespace sealstate::bench
