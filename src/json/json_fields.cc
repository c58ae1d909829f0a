#include "json/json_fields.h"

#include "text/go_quote.h"

namespace sealstate::internal {
namespace {

Status Missing(std::string_view key, std::string_view what) {
  return Status::Integrity("\"" + std::string(key) + "\" is missing or not " + std::string(what));
}

}  // namespace

const Json* RequiredFields::Find(std::string_view key) const {
  const auto it = object_.find(key);
  return it == object_.end() || it->second.is_null() ? nullptr : &it->second;
}

Status RequiredFields::String(std::string_view key, std::string& out) const {
  const Json* value = Find(key);
  if (value == nullptr || value->type() != Json::Type::kString) return Missing(key, "a string");
  out = value->as_string();
  return Status::OK();
}

Status RequiredFields::Int(std::string_view key, std::int64_t& out) const {
  const Json* value = Find(key);
  if (value == nullptr || value->type() != Json::Type::kInt) return Missing(key, "an integer");
  out = value->as_int();
  return Status::OK();
}

Status RequiredFields::Count(std::string_view key, std::uint64_t& out) const {
  const Json* value = Find(key);
  if (value != nullptr && value->type() == Json::Type::kUint) {
    out = value->as_uint();
    return Status::OK();
  }
  if (value == nullptr || value->type() != Json::Type::kInt || value->as_int() < 0) {
    return Missing(key, "a non-negative integer");
  }
  out = static_cast<std::uint64_t>(value->as_int());
  return Status::OK();
}

Status RequiredFields::Time(std::string_view key, Timestamp& out) const {
  std::string text;
  SEALSTATE_RETURN_IF_ERROR(String(key, text));
  Result<Timestamp> parsed = ParseRfc3339(text);
  if (!parsed.ok()) return Status::Integrity("\"" + std::string(key) + "\": " + parsed.status().message());
  out = *parsed;
  return Status::OK();
}

Status RequiredFields::Object(std::string_view key, JsonObject& out) const {
  const Json* value = Find(key);
  if (value == nullptr || value->type() != Json::Type::kObject) return Missing(key, "an object");
  out = value->as_object();
  return Status::OK();
}

Status RequiredFields::OnlyKeys(std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : object_) {
    bool listed = false;
    for (std::string_view k : known) listed = listed || key == k;
    if (!listed) return Status::Integrity("unknown key " + GoQuote(key));
  }
  return Status::OK();
}

}  // namespace sealstate::internal
