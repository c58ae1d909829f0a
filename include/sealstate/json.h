// A JSON value for the arbitrary data in snapshot inputs and outputs.
//
// Integers keep all 64 bits: a number written without fraction or exponent that fits int64 is
// kInt, one that fits only uint64 is kUint, anything else is kDouble. (unobin decodes every
// number as float64 and loses integers past 2^53; sealstate does not.) Objects keep their keys
// sorted bytewise and unique, which is also the order they are encoded in; a repeated key in
// parsed input keeps the last value, as Go's encoding/json does.
//
// Memory: a Json is 16 bytes and an object member 32 (a JsonKey and a Json). Strings up to 14
// bytes (keys up to 15) are stored inline; longer ones in one heap block of exactly their length.
// Arrays and objects live in a heap block of their own. A decoded snapshot therefore costs about
// 1.3-1.5x its canonical encoding (README "Performance").
//
// Thread safety: a value type; const access from several threads is safe.
#pragma once

#include <sealstate/export.h>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealstate {

class Json;
using JsonArray = std::vector<Json>;

namespace json_detail {
// The layout JsonKey and Json share for their characters (json.cc writes it): up to
// `inline_capacity` bytes inline with their size at raw[inline_capacity]; a longer string in a
// heap block whose pointer takes bytes 0..7 and its size bytes 8..13 (little-endian), and
// raw[inline_capacity] is kOnHeap.
inline constexpr unsigned char kOnHeap = 0xff;
inline constexpr std::size_t kHeapSizeAt = 8;
inline constexpr std::size_t kHeapSizeBytes = 6;

// Reads the characters stored in `raw` (16 bytes) as described above.
inline std::string_view LoadChars(const unsigned char* raw, std::size_t inline_capacity) {
  if (raw[inline_capacity] != kOnHeap) return {reinterpret_cast<const char*>(raw), raw[inline_capacity]};
  const char* heap = nullptr;
  std::memcpy(&heap, raw, sizeof heap);
  std::size_t size = 0;
  for (std::size_t i = 0; i < kHeapSizeBytes; ++i) size |= static_cast<std::size_t>(raw[kHeapSizeAt + i]) << (8 * i);
  return {heap, size};
}
}  // namespace json_detail

// An object member's name: an immutable string of 16 bytes, holding up to 15 bytes inline and a
// longer name in one heap block of exactly its length. It converts to std::string_view and
// compares with strings bytewise; std::string(key) makes a copy.
class SEALSTATE_EXPORT JsonKey {
 public:
  JsonKey() : JsonKey(std::string_view()) {}
  JsonKey(std::string_view key);                                       // NOLINT: implicit by design
  JsonKey(const std::string& key) : JsonKey(std::string_view(key)) {}  // NOLINT
  JsonKey(const char* key) : JsonKey(std::string_view(key)) {}         // NOLINT
  JsonKey(const JsonKey& other) : JsonKey(other.view()) {}
  JsonKey(JsonKey&& other) noexcept;
  JsonKey& operator=(const JsonKey& other);
  JsonKey& operator=(JsonKey&& other) noexcept;
  ~JsonKey();

  std::string_view view() const;
  operator std::string_view() const { return view(); }  // NOLINT: implicit by design
  const char* data() const { return view().data(); }
  std::size_t size() const { return view().size(); }
  bool empty() const { return size() == 0; }

  friend bool operator==(const JsonKey& a, const JsonKey& b) { return a.view() == b.view(); }
  friend bool operator==(const JsonKey& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const JsonKey& a, const char* b) { return a.view() == std::string_view(b); }
  friend bool operator==(const JsonKey& a, const std::string& b) { return a.view() == std::string_view(b); }
  friend std::strong_ordering operator<=>(const JsonKey& a, const JsonKey& b) { return a.view() <=> b.view(); }
  friend std::strong_ordering operator<=>(const JsonKey& a, std::string_view b) { return a.view() <=> b; }
  friend std::strong_ordering operator<=>(const JsonKey& a, const char* b) { return a.view() <=> std::string_view(b); }
  friend std::strong_ordering operator<=>(const JsonKey& a, const std::string& b) {
    return a.view() <=> std::string_view(b);
  }

 private:
  // Bytes 0..14 hold an inline key; byte 15 its size, or json_detail::kOnHeap.
  static constexpr std::size_t kInline = 15;
  alignas(8) unsigned char raw_[16] = {};
};

// A JSON object: members kept in one vector sorted bytewise by key, keys unique. It has the
// lookup and insertion API of std::map<std::string, Json, std::less<>> (find, at, operator[],
// insert, emplace, insert_or_assign, erase, count, contains; iteration in key order over
// pairs with .first and .second), and costs one vector element per member instead of a tree
// node. Differences from std::map: inserting or erasing invalidates iterators and references
// into the object (as for a vector), and costs O(size) when the key is not the new last one;
// keys must not be changed through an iterator (value_type's key is not const); keys are
// JsonKey, not std::string.
class SEALSTATE_EXPORT JsonObject {
 public:
  using key_type = JsonKey;
  using mapped_type = Json;
  using value_type = std::pair<JsonKey, Json>;
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
  std::pair<iterator, bool> insert_or_assign(JsonKey key, Json value);
  // As above; inserting at the end (the hint std::map users give for sorted input) is O(1).
  iterator insert_or_assign(const_iterator hint, JsonKey key, Json value);
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
  Json() { raw_[kTagByte] = static_cast<unsigned char>(Type::kNull); }
  Json(std::nullptr_t) : Json() {}                     // NOLINT: implicit by design
  Json(bool b);                                        // NOLINT
  Json(int i) : Json(static_cast<std::int64_t>(i)) {}  // NOLINT
  Json(std::int64_t i);                                // NOLINT
  // Values that fit int64 are stored as kInt, so equal numbers compare equal.
  Json(std::uint64_t u);                                     // NOLINT
  Json(double d);                                            // NOLINT
  Json(const char* s) : Json(std::string_view(s)) {}         // NOLINT
  Json(const std::string& s) : Json(std::string_view(s)) {}  // NOLINT
  Json(std::string_view s);                                  // NOLINT
  Json(JsonArray a);                                         // NOLINT
  Json(JsonObject o);                                        // NOLINT
  Json(const Json& other);
  Json(Json&& other) noexcept;
  Json& operator=(const Json& other);
  Json& operator=(Json&& other) noexcept;
  ~Json();

  Type type() const { return static_cast<Type>(raw_[kTagByte]); }
  bool is_null() const { return type() == Type::kNull; }

  // Accessors. REQUIRES: type() matches; a mismatch is a bug and aborts. The string view is
  // valid while the value is neither changed nor destroyed.
  bool as_bool() const;
  std::int64_t as_int() const;
  std::uint64_t as_uint() const;
  double as_double() const;
  std::string_view as_string() const;
  const JsonArray& as_array() const;
  JsonArray& as_array();
  const JsonObject& as_object() const;
  JsonObject& as_object();

  // Structural equality. kInt/kUint/kDouble compare by type and value (1 != 1.0).
  friend bool operator==(const Json& a, const Json& b);

 private:
  // Bytes 0..7: the scalar, the heap string's or container's pointer, or (bytes 0..13) an
  // inline string; bytes 8..13: a heap string's size; byte 14: an inline string's size, or
  // json_detail::kOnHeap; byte 15: the Type.
  static constexpr std::size_t kInline = 14;
  static constexpr std::size_t kSizeByte = 14;
  static constexpr std::size_t kTagByte = 15;

  template <typename T>
  T Load() const;
  template <typename T>
  void Store(Type type, T value);
  void Release();

  alignas(8) unsigned char raw_[16] = {};
};

SEALSTATE_EXPORT bool operator==(const Json& a, const Json& b);

inline std::string_view JsonKey::view() const { return json_detail::LoadChars(raw_, kInline); }

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
