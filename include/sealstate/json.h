// A JSON value for the arbitrary data in snapshot inputs and outputs.
//
// Integers keep all 64 bits: a number written without fraction or exponent that fits int64 is
// kInt, one that fits only uint64 is kUint, anything else is kDouble. (unobin decodes every
// number as float64 and loses integers past 2^53; sealstate does not.) Objects keep their keys
// sorted bytewise and unique, which is also the order they are encoded in; a repeated key in
// parsed input keeps the last value, as Go's encoding/json does.
//
// Thread safety: a value type; const access from several threads is safe.
#pragma once

#include <sealstate/export.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sealstate {

class Json;
using JsonArray = std::vector<Json>;
using JsonObject = std::map<std::string, Json, std::less<>>;

class SEALSTATE_EXPORT Json {
 public:
  enum class Type : std::uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };

  // null
  Json() = default;
  Json(std::nullptr_t) {}                                // NOLINT: implicit by design
  Json(bool b) : value_(b) {}                            // NOLINT
  Json(int i) : value_(static_cast<std::int64_t>(i)) {}  // NOLINT
  Json(std::int64_t i) : value_(i) {}                    // NOLINT
  // Values that fit int64 are stored as kInt, so equal numbers compare equal.
  Json(std::uint64_t u);                                // NOLINT
  Json(double d) : value_(d) {}                         // NOLINT
  Json(const char* s) : value_(std::string(s)) {}       // NOLINT
  Json(std::string s) : value_(std::move(s)) {}         // NOLINT
  Json(std::string_view s) : value_(std::string(s)) {}  // NOLINT
  Json(JsonArray a) : value_(std::move(a)) {}           // NOLINT
  Json(JsonObject o) : value_(std::move(o)) {}          // NOLINT

  Type type() const { return static_cast<Type>(value_.index()); }
  bool is_null() const { return type() == Type::kNull; }

  // Accessors. REQUIRES: type() matches; a mismatch is a bug and aborts.
  bool as_bool() const;
  std::int64_t as_int() const;
  std::uint64_t as_uint() const;
  double as_double() const;
  const std::string& as_string() const;
  std::string& as_string();
  const JsonArray& as_array() const;
  JsonArray& as_array();
  const JsonObject& as_object() const;
  JsonObject& as_object();

  // Structural equality. kInt/kUint/kDouble compare by type and value (1 != 1.0).
  friend bool operator==(const Json& a, const Json& b) { return a.value_ == b.value_; }

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, JsonArray, JsonObject> value_;
};

}  // namespace sealstate
