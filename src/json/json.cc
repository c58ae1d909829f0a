#include <sealstate/json.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace sealstate {
namespace {

[[noreturn]] void DieOnTypeMismatch(const char* wanted) {
  std::fprintf(stderr, "sealstate: Json accessed as %s but holds another type\n", wanted);
  std::abort();
}

using json_detail::kHeapSizeAt;
using json_detail::kHeapSizeBytes;
using json_detail::kOnHeap;
using json_detail::LoadChars;

// Stores `text` in `raw` (16 bytes): inline when it fits `inline_capacity` bytes, with its size
// at raw[inline_capacity]; otherwise in a heap block of exactly its size, whose pointer and size
// take bytes 0..13, and raw[inline_capacity] is kOnHeap.
void StoreChars(unsigned char* raw, std::size_t inline_capacity, std::string_view text) {
  if (text.size() <= inline_capacity) {
    if (!text.empty()) std::memcpy(raw, text.data(), text.size());
    raw[inline_capacity] = static_cast<unsigned char>(text.size());
    return;
  }
  if (text.size() >> (8 * kHeapSizeBytes) != 0) throw std::length_error("sealstate: JSON string too long");
  char* heap = new char[text.size()];
  std::memcpy(heap, text.data(), text.size());
  std::memcpy(raw, &heap, sizeof heap);
  for (std::size_t i = 0; i < kHeapSizeBytes; ++i)
    raw[kHeapSizeAt + i] = static_cast<unsigned char>(text.size() >> (8 * i));
  raw[inline_capacity] = kOnHeap;
}

// Frees a heap block StoreChars made; leaves an empty inline string.
void FreeChars(unsigned char* raw, std::size_t inline_capacity) {
  if (raw[inline_capacity] == kOnHeap) {
    char* heap = nullptr;
    std::memcpy(&heap, raw, sizeof heap);
    delete[] heap;
  }
  raw[inline_capacity] = 0;
}

bool KeyBelow(const JsonObject::value_type& member, std::string_view key) { return member.first < key; }

bool KeysBelow(const JsonObject::value_type& a, const JsonObject::value_type& b) { return a.first < b.first; }

bool KeysSorted(const std::vector<JsonObject::value_type>& members) {
  return std::adjacent_find(members.begin(), members.end(),
                            [](const auto& a, const auto& b) { return !(a.first < b.first); }) == members.end();
}

}  // namespace

JsonObject::JsonObject(std::initializer_list<value_type> members) {
  members_.reserve(members.size());
  for (const value_type& member : members) insert(member);
}

JsonObject JsonObject::FromMembers(std::vector<value_type> members) {
  JsonObject object;
  if (!KeysSorted(members)) {
    // Stable, so among equal keys the last one given is the last one here; keep that one.
    std::stable_sort(members.begin(), members.end(), KeysBelow);
    auto kept = members.begin();
    for (auto it = members.begin(); it != members.end(); ++it) {
      const auto next = std::next(it);
      if (next != members.end() && next->first == it->first) continue;
      if (kept != it) *kept = std::move(*it);
      ++kept;
    }
    members.erase(kept, members.end());
  }
  object.members_ = std::move(members);
  return object;
}

JsonObject::iterator JsonObject::lower_bound(std::string_view key) {
  return std::lower_bound(members_.begin(), members_.end(), key, KeyBelow);
}

JsonObject::const_iterator JsonObject::lower_bound(std::string_view key) const {
  return std::lower_bound(members_.begin(), members_.end(), key, KeyBelow);
}

JsonObject::iterator JsonObject::find(std::string_view key) {
  const auto it = lower_bound(key);
  return it != members_.end() && it->first == key ? it : members_.end();
}

JsonObject::const_iterator JsonObject::find(std::string_view key) const {
  const auto it = lower_bound(key);
  return it != members_.end() && it->first == key ? it : members_.end();
}

Json& JsonObject::at(std::string_view key) {
  const auto it = find(key);
  if (it == members_.end()) throw std::out_of_range("JsonObject::at: no member \"" + std::string(key) + "\"");
  return it->second;
}

const Json& JsonObject::at(std::string_view key) const {
  const auto it = find(key);
  if (it == members_.end()) throw std::out_of_range("JsonObject::at: no member \"" + std::string(key) + "\"");
  return it->second;
}

Json& JsonObject::operator[](std::string_view key) {
  const auto it = lower_bound(key);
  if (it != members_.end() && it->first == key) return it->second;
  return members_.emplace(it, JsonKey(key), Json())->second;
}

std::pair<JsonObject::iterator, bool> JsonObject::insert(value_type member) {
  const auto it = lower_bound(member.first);
  if (it != members_.end() && it->first == member.first) return {it, false};
  return {members_.insert(it, std::move(member)), true};
}

std::pair<JsonObject::iterator, bool> JsonObject::insert_or_assign(JsonKey key, Json value) {
  const auto it = lower_bound(key);
  if (it != members_.end() && it->first == key) {
    it->second = std::move(value);
    return {it, false};
  }
  return {members_.emplace(it, std::move(key), std::move(value)), true};
}

JsonObject::iterator JsonObject::insert_or_assign(const_iterator hint, JsonKey key, Json value) {
  if (hint == members_.cend() && (members_.empty() || members_.back().first < key)) {
    members_.emplace_back(std::move(key), std::move(value));
    return std::prev(members_.end());
  }
  return insert_or_assign(std::move(key), std::move(value)).first;
}

JsonObject::iterator JsonObject::erase(const_iterator position) { return members_.erase(position); }

JsonObject::size_type JsonObject::erase(std::string_view key) {
  const auto it = find(key);
  if (it == members_.end()) return 0;
  members_.erase(it);
  return 1;
}

JsonKey::JsonKey(std::string_view key) { StoreChars(raw_, kInline, key); }

JsonKey::JsonKey(JsonKey&& other) noexcept {
  std::memcpy(raw_, other.raw_, sizeof raw_);
  other.raw_[kInline] = 0;
}

JsonKey& JsonKey::operator=(const JsonKey& other) {
  if (this != &other) *this = JsonKey(other);
  return *this;
}

JsonKey& JsonKey::operator=(JsonKey&& other) noexcept {
  if (this != &other) {
    FreeChars(raw_, kInline);
    std::memcpy(raw_, other.raw_, sizeof raw_);
    other.raw_[kInline] = 0;
  }
  return *this;
}

JsonKey::~JsonKey() { FreeChars(raw_, kInline); }

template <typename T>
T Json::Load() const {
  T value;
  std::memcpy(&value, raw_, sizeof value);
  return value;
}

template <typename T>
void Json::Store(Type type, T value) {
  std::memcpy(raw_, &value, sizeof value);
  raw_[kTagByte] = static_cast<unsigned char>(type);
}

Json::Json(bool b) { Store(Type::kBool, b); }
Json::Json(std::int64_t i) { Store(Type::kInt, i); }
Json::Json(double d) { Store(Type::kDouble, d); }

Json::Json(std::uint64_t u) {
  if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    Store(Type::kInt, static_cast<std::int64_t>(u));
  } else {
    Store(Type::kUint, u);
  }
}

Json::Json(std::string_view s) {
  StoreChars(raw_, kInline, s);
  raw_[kTagByte] = static_cast<unsigned char>(Type::kString);
}

Json::Json(JsonArray a) { Store(Type::kArray, new JsonArray(std::move(a))); }
Json::Json(JsonObject o) { Store(Type::kObject, new JsonObject(std::move(o))); }

Json::Json(const Json& other) {
  switch (other.type()) {
    case Type::kString:
      StoreChars(raw_, kInline, other.as_string());
      raw_[kTagByte] = static_cast<unsigned char>(Type::kString);
      return;
    case Type::kArray: Store(Type::kArray, new JsonArray(other.as_array())); return;
    case Type::kObject: Store(Type::kObject, new JsonObject(other.as_object())); return;
    default: std::memcpy(raw_, other.raw_, sizeof raw_); return;
  }
}

Json::Json(Json&& other) noexcept {
  std::memcpy(raw_, other.raw_, sizeof raw_);
  other.raw_[kTagByte] = static_cast<unsigned char>(Type::kNull);
}

Json& Json::operator=(const Json& other) {
  if (this != &other) *this = Json(other);
  return *this;
}

// `other` may live inside this value (an element of its array, say): it is detached before this
// value's old contents are released.
Json& Json::operator=(Json&& other) noexcept {
  unsigned char moved[sizeof raw_];
  std::memcpy(moved, other.raw_, sizeof moved);
  other.raw_[kTagByte] = static_cast<unsigned char>(Type::kNull);
  Release();
  std::memcpy(raw_, moved, sizeof raw_);
  return *this;
}

Json::~Json() { Release(); }

void Json::Release() {
  switch (type()) {
    case Type::kString: FreeChars(raw_, kInline); break;
    case Type::kArray: delete Load<JsonArray*>(); break;
    case Type::kObject: delete Load<JsonObject*>(); break;
    default: break;
  }
  raw_[kTagByte] = static_cast<unsigned char>(Type::kNull);
}

bool Json::as_bool() const {
  if (type() != Type::kBool) DieOnTypeMismatch("bool");
  return Load<bool>();
}

std::int64_t Json::as_int() const {
  if (type() != Type::kInt) DieOnTypeMismatch("int");
  return Load<std::int64_t>();
}

std::uint64_t Json::as_uint() const {
  if (type() != Type::kUint) DieOnTypeMismatch("uint");
  return Load<std::uint64_t>();
}

double Json::as_double() const {
  if (type() != Type::kDouble) DieOnTypeMismatch("double");
  return Load<double>();
}

std::string_view Json::as_string() const {
  if (type() != Type::kString) DieOnTypeMismatch("string");
  return LoadChars(raw_, kInline);
}

const JsonArray& Json::as_array() const {
  if (type() != Type::kArray) DieOnTypeMismatch("array");
  return *Load<const JsonArray*>();
}

JsonArray& Json::as_array() {
  if (type() != Type::kArray) DieOnTypeMismatch("array");
  return *Load<JsonArray*>();
}

const JsonObject& Json::as_object() const {
  if (type() != Type::kObject) DieOnTypeMismatch("object");
  return *Load<const JsonObject*>();
}

JsonObject& Json::as_object() {
  if (type() != Type::kObject) DieOnTypeMismatch("object");
  return *Load<JsonObject*>();
}

bool operator==(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::Type::kNull: return true;
    case Json::Type::kBool: return a.as_bool() == b.as_bool();
    case Json::Type::kInt: return a.as_int() == b.as_int();
    case Json::Type::kUint: return a.as_uint() == b.as_uint();
    case Json::Type::kDouble: return a.as_double() == b.as_double();
    case Json::Type::kString: return a.as_string() == b.as_string();
    case Json::Type::kArray: return a.as_array() == b.as_array();
    case Json::Type::kObject: return a.as_object() == b.as_object();
  }
  return false;
}

}  // namespace sealstate
