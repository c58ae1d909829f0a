// Shared machinery of the name -> factory registries (encrypters, backends).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/status.h>

namespace sealstate::internal {

// "a, b, c", or "(none)".
std::string JoinNames(const std::vector<std::string>& names);

// The keys of a name-keyed map, in its (sorted) order.
template <typename Map>
std::vector<std::string> KeysOf(const Map& map) {
  std::vector<std::string> names;
  names.reserve(map.size());
  for (const auto& entry : map) names.push_back(entry.first);
  return names;
}

// Adds `kind` under `name`. `what` names the thing in messages ("encryption: key-source").
// Errors: kInvalidArgument for an empty name or a kind without factory; kAlreadyExists.
template <typename Map, typename Kind>
Status AddNamed(Map& map, std::string name, Kind kind, std::string_view what) {
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " name must not be empty");
  if (!kind.factory) return Status::InvalidArgument(std::string(what) + " \"" + name + "\" has no factory");
  if (map.contains(name)) return Status::AlreadyExists(std::string(what) + " \"" + name + "\" is already registered");
  map.emplace(std::move(name), std::move(kind));
  return Status::OK();
}

}  // namespace sealstate::internal
