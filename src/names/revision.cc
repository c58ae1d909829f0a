// Revision names and unobin's revision order (pkg/sdk/state/revisions.go).
#include <sealstate/revision.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sealstate {
namespace {

// Go's strconv.Atoi on a 64-bit platform: an optional '+' or '-', then one or more decimal
// digits (leading zeros allowed), with the value fitting in int64.
std::optional<std::int64_t> GoAtoi(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  // Accumulate as a negative number so that INT64_MIN fits.
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value < (kMin + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
  }
  if (negative) return value;
  if (value == kMin) return std::nullopt;
  return -value;
}

int CompareBytes(std::string_view a, std::string_view b) {
  const int order = a.compare(b);  // char_traits<char> compares as unsigned char
  return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

int CompareParsed(const ParsedRevision& a, std::string_view a_name, const ParsedRevision& b, std::string_view b_name) {
  if (a.valid != b.valid) return a.valid ? -1 : 1;
  if (a.valid) {
    if (const int by_time = CompareInstants(a.time, b.time); by_time != 0) return by_time;
    if (a.suffix != b.suffix) return a.suffix < b.suffix ? -1 : 1;
  }
  return CompareBytes(a_name, b_name);
}

}  // namespace

std::string MakeRevision(const Timestamp& now, int attempt) {
  Timestamp utc = now;
  utc.offset_seconds = 0;
  std::string revision = FormatRfc3339Nano(utc);
  if (attempt > 0) revision += "_" + std::to_string(attempt);
  return revision;
}

ParsedRevision ParseRevision(std::string_view rev) {
  ParsedRevision parsed;
  std::string_view base = rev;
  if (const std::size_t underscore = rev.find('_'); underscore != std::string_view::npos) {
    base = rev.substr(0, underscore);
    const std::optional<std::int64_t> suffix = GoAtoi(rev.substr(underscore + 1));
    if (!suffix || *suffix < 1) return parsed;
    parsed.suffix = *suffix;
  }
  Result<Timestamp> time = ParseRfc3339(base);
  if (!time.ok()) return ParsedRevision{};
  parsed.time = *time;
  parsed.valid = true;
  return parsed;
}

int CompareRevisions(std::string_view a, std::string_view b) {
  return CompareParsed(ParseRevision(a), a, ParseRevision(b), b);
}

std::vector<std::string> SortRevisions(const std::vector<std::string>& revs) {
  struct Keyed {
    ParsedRevision parsed;
    const std::string* name;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(revs.size());
  for (const std::string& rev : revs) keyed.push_back({ParseRevision(rev), &rev});
  std::stable_sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return CompareParsed(a.parsed, *a.name, b.parsed, *b.name) < 0;
  });
  std::vector<std::string> sorted;
  sorted.reserve(revs.size());
  for (const Keyed& entry : keyed) sorted.push_back(*entry.name);
  return sorted;
}

}  // namespace sealstate
