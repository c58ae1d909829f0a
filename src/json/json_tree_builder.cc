#include "json/json_tree_builder.h"

#include <iterator>
#include <utility>

namespace sealstate::internal {
namespace {

// From this many elements on, a container's scratch vector is taken whole instead of copied.
constexpr std::size_t kTakeWholeElements = 4096;

// The contents of `scratch` moved into a vector of exactly their number; `scratch` is left empty
// with its capacity. A large container is taken whole instead: copying it would hold it twice at
// the copy, and the spare capacity of a large (mmap-backed) buffer is mostly never touched, so it
// costs address space rather than memory. Small containers, the bulk of a snapshot, are exact.
template <typename T>
std::vector<T> TakeExact(std::vector<T>& scratch) {
  if (scratch.size() >= kTakeWholeElements) return std::exchange(scratch, {});
  std::vector<T> exact(std::make_move_iterator(scratch.begin()), std::make_move_iterator(scratch.end()));
  scratch.clear();
  return exact;
}

}  // namespace

void JsonTreeBuilder::Value(Json value) {
  if (stack_.empty()) {
    root_ = std::move(value);
    return;
  }
  const std::size_t level = stack_.size() - 1;
  Frame& top = stack_.back();
  if (top.object) {
    members_[level].emplace_back(top.key, std::move(value));  // a copy is exactly its size
  } else {
    elements_[level].push_back(std::move(value));
  }
}

void JsonTreeBuilder::StartObject() {
  stack_.push_back(Frame{true, {}});
  if (members_.size() < stack_.size()) members_.resize(stack_.size());
}

void JsonTreeBuilder::StartArray() {
  stack_.push_back(Frame{false, {}});
  if (elements_.size() < stack_.size()) elements_.resize(stack_.size());
}

void JsonTreeBuilder::Key(std::string_view key) { stack_.back().key.assign(key); }

void JsonTreeBuilder::End() {
  const std::size_t level = stack_.size() - 1;
  const bool object = stack_.back().object;
  stack_.pop_back();
  if (object) {
    JsonObject built = JsonObject::FromMembers(TakeExact(members_[level]));
    if (stack_.empty()) {
      root_object_ = std::move(built);
      return;
    }
    Value(Json(std::move(built)));
  } else {
    Value(Json(TakeExact(elements_[level])));
  }
}

Json JsonTreeBuilder::Take() {
  if (!root_object_) return std::move(root_);
  Json taken(std::move(*root_object_));
  root_object_.reset();
  return taken;
}

JsonObject JsonTreeBuilder::TakeObject() {
  JsonObject taken = std::move(root_object_.value());
  root_object_.reset();
  return taken;
}

bool JsonTreeBuilder::InRootMemberNamed(std::string_view key) const {
  return stack_.size() == 1 && stack_.front().object && stack_.front().key == key;
}

}  // namespace sealstate::internal
