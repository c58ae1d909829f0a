// Reading the required, typed members of a parsed JSON object (the v2 envelope header, the lock
// holder record, journal lines). Snapshot decoding has its own optional-member rules.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <sealstate/json.h>
#include <sealstate/status.h>
#include <sealstate/timestamp.h>

namespace sealstate::internal {

// Every accessor fails with kIntegrity "\"<key>\" is missing or not <what>" when the member is
// absent, null or of another type, and leaves `out` unchanged then. Callers add their context
// with Status::WithPrefix. `object` must outlive this reader.
class RequiredFields {
 public:
  explicit RequiredFields(const JsonObject& object) : object_(object) {}

  Status String(std::string_view key, std::string& out) const;
  // An integer that fits int64.
  Status Int(std::string_view key, std::int64_t& out) const;
  // A non-negative integer (up to 2^64-1).
  Status Count(std::string_view key, std::uint64_t& out) const;
  // An RFC 3339 timestamp string.
  Status Time(std::string_view key, Timestamp& out) const;
  // A JSON object (copied).
  Status Object(std::string_view key, JsonObject& out) const;
  // Fails with kIntegrity "unknown key "<k>"" for the first member not in `known`.
  Status OnlyKeys(std::initializer_list<std::string_view> known) const;

 private:
  const Json* Find(std::string_view key) const;

  const JsonObject& object_;
};

}  // namespace sealstate::internal
