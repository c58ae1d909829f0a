#include <sealstate/json.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace sealstate {
namespace {

[[noreturn]] void DieOnTypeMismatch(const char* wanted) {
  std::fprintf(stderr, "sealstate: Json accessed as %s but holds another type\n", wanted);
  std::abort();
}

template <typename T, typename Variant>
auto& Get(Variant& value, const char* wanted) {
  if (!std::holds_alternative<T>(value)) DieOnTypeMismatch(wanted);
  return std::get<T>(value);
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
  return members_.emplace(it, std::string(key), Json())->second;
}

std::pair<JsonObject::iterator, bool> JsonObject::insert(value_type member) {
  const auto it = lower_bound(member.first);
  if (it != members_.end() && it->first == member.first) return {it, false};
  return {members_.insert(it, std::move(member)), true};
}

std::pair<JsonObject::iterator, bool> JsonObject::insert_or_assign(std::string key, Json value) {
  const auto it = lower_bound(key);
  if (it != members_.end() && it->first == key) {
    it->second = std::move(value);
    return {it, false};
  }
  return {members_.emplace(it, std::move(key), std::move(value)), true};
}

JsonObject::iterator JsonObject::insert_or_assign(const_iterator hint, std::string key, Json value) {
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

Json::Json(std::uint64_t u) {
  if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    value_ = static_cast<std::int64_t>(u);
  } else {
    value_ = u;
  }
}

bool Json::as_bool() const { return Get<bool>(value_, "bool"); }
std::int64_t Json::as_int() const { return Get<std::int64_t>(value_, "int"); }
std::uint64_t Json::as_uint() const { return Get<std::uint64_t>(value_, "uint"); }
double Json::as_double() const { return Get<double>(value_, "double"); }
const std::string& Json::as_string() const { return Get<std::string>(value_, "string"); }
std::string& Json::as_string() { return Get<std::string>(value_, "string"); }
const JsonArray& Json::as_array() const { return Get<JsonArray>(value_, "array"); }
JsonArray& Json::as_array() { return Get<JsonArray>(value_, "array"); }
const JsonObject& Json::as_object() const { return Get<JsonObject>(value_, "object"); }
JsonObject& Json::as_object() { return Get<JsonObject>(value_, "object"); }

}  // namespace sealstate
