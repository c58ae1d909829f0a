#include "pipeline/prefetching_source.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "pipeline/worker_thread.h"

namespace sealstate::internal {

PrefetchingSource::PrefetchingSource(ByteSource& upstream, std::size_t threshold)
    : upstream_(upstream), threshold_(threshold), queue_(kPipelineBlock, kPipelineDepth) {}

PrefetchingSource::~PrefetchingSource() {
  if (worker_.joinable()) {
    queue_.Abandon();
    worker_.join();
  }
  WipeBlock(current_);
}

Result<std::size_t> PrefetchingSource::ReadInline(char* buffer, std::size_t capacity) {
  Result<std::size_t> n = upstream_.Read(buffer, capacity);
  if (!n.ok()) {
    status_ = n.status();
    done_ = true;
    return n;
  }
  if (*n == 0) done_ = true;
  inline_bytes_ += *n;
  return n;
}

Result<std::size_t> PrefetchingSource::Read(char* buffer, std::size_t capacity) {
  if (capacity == 0) return std::size_t{0};
  if (!worker_.joinable()) {
    if (done_) {
      SEALSTATE_RETURN_IF_ERROR(status_);
      return std::size_t{0};
    }
    if (inline_bytes_ < threshold_) return ReadInline(buffer, capacity);
    std::optional<std::thread> worker = TryStartThread([this] { Run(); });
    if (!worker) {
      threshold_ = std::numeric_limits<std::size_t>::max();  // no second thread: all inline
      return ReadInline(buffer, capacity);
    }
    worker_ = std::move(*worker);
  }
  if (current_pos_ == current_.size() && !NextBlock()) {
    SEALSTATE_RETURN_IF_ERROR(status_);
    return std::size_t{0};
  }
  const std::size_t n = std::min(capacity, current_.size() - current_pos_);
  std::memcpy(buffer, current_.data() + current_pos_, n);
  current_pos_ += n;
  return n;
}

bool PrefetchingSource::NextBlock() {
  if (done_) return false;
  queue_.Recycle(std::move(current_));
  current_pos_ = 0;
  std::optional<std::string> block = queue_.Pop();
  if (!block) {
    done_ = true;  // closed by the worker after it set status_: the Pop ordered us after it
    current_.clear();
    return false;
  }
  current_ = std::move(*block);
  return true;
}

Status PrefetchingSource::Fill(std::string& block) {
  block.resize(kPipelineBlock);
  std::size_t filled = 0;
  Status status;
  while (filled < block.size()) {
    Result<std::size_t> n = upstream_.Read(block.data() + filled, block.size() - filled);
    if (!n.ok()) {
      status = n.status();
      break;
    }
    if (*n == 0) break;
    filled += *n;
  }
  block.resize(filled);
  return status;
}

void PrefetchingSource::Run() {
  for (;;) {
    std::string block = queue_.TakeFree();
    Status status = Fill(block);
    const bool last = !status.ok() || block.size() < kPipelineBlock;
    if (!status.ok()) status_ = status;
    if (!block.empty() && !queue_.Push(std::move(block))) return;  // abandoned by the consumer
    if (last) {
      queue_.Close();
      return;
    }
  }
}

}  // namespace sealstate::internal
