#include "json/json_tree_builder.h"

#include <utility>

namespace sealstate::internal {

void JsonTreeBuilder::Value(Json value) {
  if (stack_.empty()) {
    root_ = std::move(value);
    return;
  }
  Frame& top = stack_.back();
  if (top.container.type() == Json::Type::kArray) {
    top.container.as_array().push_back(std::move(value));
    return;
  }
  // Keys usually arrive sorted (Go writes them so), which makes the end a good hint: inserting
  // there is O(1).
  JsonObject& object = top.container.as_object();
  object.insert_or_assign(object.end(), std::move(top.key), std::move(value));
}

// The container is assigned after emplace_back: moving a whole Frame into the vector makes g++ 12
// at -O3 report a false -Wmaybe-uninitialized inside std::variant's move constructor.
void JsonTreeBuilder::StartObject() { stack_.emplace_back().container = Json(JsonObject()); }

void JsonTreeBuilder::StartArray() { stack_.emplace_back().container = Json(JsonArray()); }

void JsonTreeBuilder::Key(std::string_view key) { stack_.back().key.assign(key); }

void JsonTreeBuilder::End() {
  Json finished = std::move(stack_.back().container);
  stack_.pop_back();
  Value(std::move(finished));
}

bool JsonTreeBuilder::InRootMemberNamed(std::string_view key) const {
  return stack_.size() == 1 && stack_.front().container.type() == Json::Type::kObject && stack_.front().key == key;
}

}  // namespace sealstate::internal
