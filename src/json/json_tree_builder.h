// Assembling a Json value from parser events: the tree half of ParseJson, also used where a
// caller takes some values apart from events and builds others (snapshot entries' inputs and
// outputs).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/json.h>

namespace sealstate::internal {

// Events must form one grammatical JSON value (the parser guarantees it): a Key before each
// member value, every Start matched by an End. Each open container collects its members or
// elements in a scratch vector kept per depth (reused by the next container at that depth, so
// it stops growing after the first few); at its End they are moved into a vector of exactly
// their number, so a decoded tree carries no spare capacity (a container of 4096 or more takes
// the scratch vector itself, so it is never held twice). Values are moved, never copied. A
// repeated object key keeps the last value, as in Go; members need not arrive sorted. Nesting is
// not limited here: the parser's caller counts depth.
class JsonTreeBuilder {
 public:
  // A complete scalar (or an already built value).
  void Value(Json value);
  void StartObject();
  void StartArray();
  // The name of the next member of the innermost open object.
  void Key(std::string_view key);
  // Closes the innermost open container.
  void End();

  // Containers open now.
  std::size_t depth() const { return stack_.size(); }
  // Whether exactly one container is open, it is an object, and its pending member is `key`.
  bool InRootMemberNamed(std::string_view key) const;
  // The finished value (null if none was built); the builder is empty after.
  // REQUIRES: depth() == 0.
  Json Take();
  // The finished value, an object, as it is: not boxed in a Json, whose heap block the caller
  // would free again at once (decoded entries keep their inputs and outputs as JsonObject).
  // The builder is empty after. REQUIRES: depth() == 0 and the value built was an object.
  JsonObject TakeObject();

 private:
  struct Frame {
    bool object = false;
    std::string key;  // the pending member name when the container is an object
  };

  std::vector<Frame> stack_;
  // The open containers' contents, by depth (index = depth - 1); kept to be reused.
  std::vector<std::vector<JsonObject::value_type>> members_;
  std::vector<JsonArray> elements_;
  Json root_;                              // a finished scalar or array
  std::optional<JsonObject> root_object_;  // a finished object, until taken
};

}  // namespace sealstate::internal
