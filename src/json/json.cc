#include <sealstate/json.h>

#include <cstdio>
#include <cstdlib>
#include <limits>

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

}  // namespace

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
