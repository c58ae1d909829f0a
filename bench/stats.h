// Sample statistics for benchmark rows: median and percentiles of a set of timings (or sizes).
#pragma once

#include <cstddef>
#include <vector>

namespace sealstate::bench {

// What a row reports about one side (sealstate or its comparison).
struct Summary {
  double median = 0;
  double p10 = 0;
  double p90 = 0;
  double p99 = 0;
  std::size_t n = 0;  // number of samples; 0 means "not measured"
};

// The q-quantile (0 <= q <= 1) of `samples`, linearly interpolated between closest ranks.
// REQUIRES: samples is not empty.
double Percentile(std::vector<double> samples, double q);

// Median, p10, p90 and p99 of `samples`; all zero (n = 0) when empty.
Summary Summarize(const std::vector<double>& samples);

// Element-wise sum of equally long sample vectors (per-iteration sum of separately timed phases).
// REQUIRES: all parts have the same size.
std::vector<double> SumPerIteration(const std::vector<std::vector<double>>& parts);

}  // namespace sealstate::bench
