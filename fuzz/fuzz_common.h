// Shared by the libFuzzer targets in this directory (see fuzz/README.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate::fuzz {

// The public test vector key (32 bytes 0x00..0x1f), as in tests/test_support.h: the seed
// corpora's encrypted files are sealed with it, so the fuzzers can get past authentication.
inline constexpr const char* kFuzzKeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
inline constexpr const char* kFuzzKeyVar = "SEALSTATE_FUZZ_KEY";

// The binding the v2 seeds are sealed for.
inline constexpr const char* kFactory = "cluster-deploy";
inline constexpr const char* kStack = "prod-east-alpha";
inline constexpr const char* kRev = "2026-04-30T12:00:00Z";

// A broken property is a crash: libFuzzer saves the input that caused it.
[[noreturn]] inline void Violation(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz property violated: %s: %s\n", what, detail.c_str());
  std::abort();
}

inline void Require(bool condition, const char* what, const std::string& detail = {}) {
  if (!condition) Violation(what, detail);
}

inline std::string_view AsView(const std::uint8_t* data, std::size_t size) {
  return size == 0 ? std::string_view() : std::string_view(reinterpret_cast<const char*>(data), size);
}

// A source that hands out at most `step` bytes per Read, so readers see every split of their
// input across reads (the way a pipe or a slow disk delivers it).
class TrickleSource final : public ByteSource {
 public:
  TrickleSource(std::string_view data, std::size_t step) : data_(data), step_(step == 0 ? 1 : step) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    std::size_t n = capacity < step_ ? capacity : step_;
    if (n > data_.size()) n = data_.size();
    for (std::size_t i = 0; i < n; ++i) buffer[i] = data_[i];
    data_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view data_;
  std::size_t step_;
};

// Splits at '\n' (the separator is dropped); at most `max_parts` parts, the last one keeping the
// rest of the input.
inline std::vector<std::string_view> SplitLines(std::string_view input, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const std::size_t newline = input.find('\n');
    if (newline == std::string_view::npos) break;
    parts.push_back(input.substr(0, newline));
    input.remove_prefix(newline + 1);
  }
  parts.push_back(input);
  return parts;
}

}  // namespace sealstate::fuzz
