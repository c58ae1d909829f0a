#include "memory/memory_store_table.h"

#include <map>
#include <mutex>
#include <utility>

namespace sealstate::internal {
namespace {

using StoreStacks = std::map<std::pair<std::string, std::string>, std::shared_ptr<MemoryStack>>;

struct Table {
  std::mutex mutex;
  std::map<std::string, StoreStacks, std::less<>> stores;
};

// Never destroyed: Backends and Locks may be released by static destructors of other files.
Table& TheTable() {
  static Table* table = new Table();
  return *table;
}

}  // namespace

Result<std::shared_ptr<MemoryStack>> FindMemoryStack(std::string_view store, const std::string& factory,
                                                     const std::string& stack, bool create) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.mutex);
  auto found_store = table.stores.find(store);
  if (found_store != table.stores.end()) {
    const auto found = found_store->second.find({factory, stack});
    if (found != found_store->second.end()) return found->second;
  }
  if (!create) {
    return Status::NotFound(std::string(kMemoryPrefix) + "no such stack: " + factory + "/" + stack + " in store \"" +
                            std::string(store) + "\"");
  }
  if (found_store == table.stores.end()) found_store = table.stores.emplace(std::string(store), StoreStacks()).first;
  auto created = std::make_shared<MemoryStack>();
  found_store->second.emplace(std::make_pair(factory, stack), created);
  return created;
}

void ForgetMemoryStoreStacks(std::string_view store) {
  Table& table = TheTable();
  StoreStacks forgotten;  // released after the table's mutex
  std::lock_guard<std::mutex> guard(table.mutex);
  const auto found = table.stores.find(store);
  if (found == table.stores.end()) return;
  forgotten = std::move(found->second);
  table.stores.erase(found);
}

}  // namespace sealstate::internal
