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

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sealstate {

class Json;
using JsonArray = std::vector<Json>;

// A JSON object: members kept in one vector sorted bytewise by key, keys unique. It has the
// lookup and insertion API of std::map<std::string, Json, std::less<>> (find, at, operator[],
// insert, emplace, insert_or_assign, erase, count, contains; iteration in key order over
// pairs with .first and .second), and costs one vector element per member instead of a tree
// node. Differences from std::map: inserting or erasing invalidates iterators and references
// into the object (as for a vector), and costs O(size) when the key is not the new last one;
// keys must not be changed through an iterator (value_type's key is not const).
class SEALSTATE_EXPORT JsonObject {
 public:
  using key_type = std::string;
  using mapped_type = Json;
  using value_type = std::pair<std::string, Json>;
  using size_type = std::size_t;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  JsonObject() = default;
  // As std::map's: a repeated key keeps its first value.
  JsonObject(std::initializer_list<value_type> members);
  // Takes `members` in any order; a repeated key keeps its LAST value (as a parser wants). The
  // vector's storage is kept, with its capacity.
  static JsonObject FromMembers(std::vector<value_type> members);

  iterator begin();
  iterator end();
  const_iterator begin() const;
  const_iterator end() const;
  const_iterator cbegin() const;
  const_iterator cend() const;
  bool empty() const;
  size_type size() const;

  // The member named `key`, or end().
  iterator find(std::string_view key);
  const_iterator find(std::string_view key) const;
  size_type count(std::string_view key) const;
  bool contains(std::string_view key) const;
  // The first member whose key is not below `key`.
  iterator lower_bound(std::string_view key);
  const_iterator lower_bound(std::string_view key) const;
  // The value of `key`. Throws std::out_of_range when absent (as std::map::at).
  Json& at(std::string_view key);
  const Json& at(std::string_view key) const;
  // The value of `key`, inserting null first when absent.
  Json& operator[](std::string_view key);

  // Inserts `member` unless its key is present; returns the member and whether it was inserted.
  std::pair<iterator, bool> insert(value_type member);
  template <typename... Args>
  std::pair<iterator, bool> emplace(Args&&... args);
  // Sets `key` to `value`, inserting it when absent; returns the member and whether it was new.
  std::pair<iterator, bool> insert_or_assign(std::string key, Json value);
  // As above; inserting at the end (the hint std::map users give for sorted input) is O(1).
  iterator insert_or_assign(const_iterator hint, std::string key, Json value);
  iterator erase(const_iterator position);
  // Removes `key` if present; returns how many members were removed (0 or 1).
  size_type erase(std::string_view key);
  void clear();
  void reserve(size_type n);

  friend bool operator==(const JsonObject& a, const JsonObject& b);

 private:
  std::vector<value_type> members_;
};

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

// JsonObject's inline members, here where Json is complete.
inline JsonObject::iterator JsonObject::begin() { return members_.begin(); }
inline JsonObject::iterator JsonObject::end() { return members_.end(); }
inline JsonObject::const_iterator JsonObject::begin() const { return members_.begin(); }
inline JsonObject::const_iterator JsonObject::end() const { return members_.end(); }
inline JsonObject::const_iterator JsonObject::cbegin() const { return members_.cbegin(); }
inline JsonObject::const_iterator JsonObject::cend() const { return members_.cend(); }
inline bool JsonObject::empty() const { return members_.empty(); }
inline JsonObject::size_type JsonObject::size() const { return members_.size(); }
inline JsonObject::size_type JsonObject::count(std::string_view key) const { return find(key) == end() ? 0 : 1; }
inline bool JsonObject::contains(std::string_view key) const { return find(key) != end(); }
template <typename... Args>
std::pair<JsonObject::iterator, bool> JsonObject::emplace(Args&&... args) {
  return insert(value_type(std::forward<Args>(args)...));
}
inline void JsonObject::clear() { members_.clear(); }
inline void JsonObject::reserve(size_type n) { members_.reserve(n); }
inline bool operator==(const JsonObject& a, const JsonObject& b) { return a.members_ == b.members_; }

}  // namespace sealstate
