// Fuzzes the revision parser and order (ParseRevision, CompareRevisions) and the name validator
// (ValidateName), which stands between user input and paths. The input is split at '\n' into up
// to three names a, b, c. Properties:
// - no crash, leak, undefined behaviour or hang;
// - CompareRevisions is a total order: reflexive, antisymmetric, 0 only for equal names, and
//   transitive on (a, b, c);
// - a valid revision's instant, rewritten by MakeRevision, parses back to the same instant;
// - ValidateName accepts exactly the names its contract allows (no '/', '\\', NUL or control
//   character, valid UTF-8, not empty, not "." or "..", no leading '.', at most 128 bytes), for
//   every kind.
#include <sealstate/names.h>
#include <sealstate/revision.h>

#include "fuzz_common.h"

using namespace sealstate;
using sealstate::fuzz::Require;

namespace {

// 0001-01-01T00:00:00Z and 9999-01-01T00:00:00Z: MakeRevision's UTC year stays printable.
constexpr std::int64_t kFirstSecond = -62135596800;
constexpr std::int64_t kLastSecond = 253370764800;

int Sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

std::string Pair(std::string_view a, std::string_view b) {
  return "\"" + std::string(a) + "\" vs \"" + std::string(b) + "\"";
}

void CheckPair(std::string_view a, std::string_view b) {
  const int ab = CompareRevisions(a, b);
  Require(Sign(ab) == -Sign(CompareRevisions(b, a)), "CompareRevisions is antisymmetric", Pair(a, b));
  Require((ab == 0) == (a == b), "CompareRevisions is 0 only for equal names", Pair(a, b));
}

void CheckTriple(std::string_view a, std::string_view b, std::string_view c) {
  if (CompareRevisions(a, b) <= 0 && CompareRevisions(b, c) <= 0) {
    Require(CompareRevisions(a, c) <= 0, "CompareRevisions is transitive",
            Pair(a, b) + " vs \"" + std::string(c) + "\"");
  }
}

void CheckParsed(std::string_view rev) {
  Require(CompareRevisions(rev, rev) == 0, "CompareRevisions is reflexive", std::string(rev));
  const ParsedRevision parsed = ParseRevision(rev);
  if (!parsed.valid) return;
  const bool has_suffix = rev.find('_') != std::string_view::npos;
  Require(has_suffix ? parsed.suffix >= 1 : parsed.suffix == 0, "the suffix is >= 1, or 0 without '_'",
          std::string(rev));
  if (parsed.time.unix_seconds < kFirstSecond || parsed.time.unix_seconds >= kLastSecond) return;
  const std::string remade = MakeRevision(parsed.time, 1 + static_cast<int>(rev.size() % (kMaxRevisionAttempts - 1)));
  const ParsedRevision again = ParseRevision(remade);
  Require(again.valid && CompareInstants(again.time, parsed.time) == 0 && again.time.nanos == parsed.time.nanos,
          "MakeRevision keeps the instant", std::string(rev) + " -> " + remade);
}

// RFC 3629 UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), written out here
// independently of the library's check so the fuzzer compares two implementations.
bool IsUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the first continuation byte
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF)
      n = 1;
    else if (b == 0xE0) {
      n = 2;
      lo = 0xA0;
    } else if (b == 0xED) {
      n = 2;
      hi = 0x9F;
    } else if (b >= 0xE1 && b <= 0xEF)
      n = 2;
    else if (b == 0xF0) {
      n = 3;
      lo = 0x90;
    } else if (b == 0xF4) {
      n = 3;
      hi = 0x8F;
    } else if (b >= 0xF1 && b <= 0xF3)
      n = 3;
    else
      return false;
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return false;
    }
    i += n + 1;
  }
  return true;
}

bool AllowedByContract(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes || name.front() == '.' || !IsUtf8(name)) return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

void CheckName(std::string_view name) {
  const bool allowed = AllowedByContract(name);
  for (const char* kind : {"factory", "stack", "revision"}) {
    const Status status = ValidateName(kind, name);
    Require(status.ok() == allowed, "ValidateName follows its contract",
            status.message() + " for \"" + std::string(name) + "\"");
    if (!status.ok())
      Require(status.code() == Code::kInvalidArgument, "a refused name is kInvalidArgument", status.message());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sealstate::fuzz::AsView(data, size);
  std::vector<std::string_view> names = sealstate::fuzz::SplitLines(input, 3);
  while (names.size() < 3) names.push_back(names.back());
  const std::string_view a = names[0], b = names[1], c = names[2];
  for (const std::string_view name : {a, b, c}) {
    CheckParsed(name);
    CheckName(name);
  }
  CheckName(input);
  CheckPair(a, b);
  CheckPair(b, c);
  CheckPair(a, c);
  CheckTriple(a, b, c);
  CheckTriple(c, b, a);
  CheckTriple(b, a, c);
  return 0;
}
