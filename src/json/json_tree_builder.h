// Assembling a Json value from parser events: the tree half of ParseJson, also used where a
// caller takes some values apart from events and builds others (snapshot entries' inputs and
// outputs).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/json.h>

namespace sealstate::internal {

// Events must form one grammatical JSON value (the parser guarantees it): a Key before each
// member value, every Start matched by an End. Each open container is a frame; a finished value
// is moved into its parent, so nothing is copied. A repeated object key keeps the last value, as
// in Go. Nesting is not limited here: the parser's caller counts depth.
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
  Json Take() { return std::move(root_); }

 private:
  struct Frame {
    Json container;
    std::string key;  // the pending member name when the container is an object
  };

  std::vector<Frame> stack_;
  Json root_;
};

}  // namespace sealstate::internal
