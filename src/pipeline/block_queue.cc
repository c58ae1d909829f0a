#include "pipeline/block_queue.h"

#include <sodium.h>

namespace sealstate::internal {

BlockQueue::BlockQueue(std::size_t block_size, std::size_t depth) : block_size_(block_size), depth_(depth) {}

BlockQueue::~BlockQueue() {
  for (std::string& block : queued_) WipeBlock(block);
  for (std::string& block : free_) WipeBlock(block);
}

std::string BlockQueue::TakeFree() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!free_.empty()) {
      std::string block = std::move(free_.back());
      free_.pop_back();
      return block;
    }
  }
  std::string block;
  block.reserve(block_size_);
  return block;
}

bool BlockQueue::Push(std::string block) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return abandoned_ || queued_.size() < depth_; });
  if (abandoned_) {
    WipeBlock(block);
    return false;
  }
  queued_.push_back(std::move(block));
  changed_.notify_all();
  return true;
}

void BlockQueue::Close() {
  std::lock_guard<std::mutex> guard(mutex_);
  closed_ = true;
  changed_.notify_all();
}

std::optional<std::string> BlockQueue::Pop() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return abandoned_ || closed_ || !queued_.empty(); });
  if (abandoned_ || queued_.empty()) return std::nullopt;
  std::string block = std::move(queued_.front());
  queued_.pop_front();
  changed_.notify_all();
  return block;
}

void BlockQueue::Recycle(std::string block) {
  block.clear();
  std::lock_guard<std::mutex> guard(mutex_);
  free_.push_back(std::move(block));
}

void BlockQueue::Abandon() {
  std::lock_guard<std::mutex> guard(mutex_);
  abandoned_ = true;
  for (std::string& block : queued_) {
    WipeBlock(block);
    free_.push_back(std::move(block));
  }
  queued_.clear();
  changed_.notify_all();
}

void WipeBlock(std::string& block) {
  block.resize(block.capacity());
  sodium_memzero(block.data(), block.size());
  block.clear();
}

}  // namespace sealstate::internal
