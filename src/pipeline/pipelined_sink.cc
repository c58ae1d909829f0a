#include "pipeline/pipelined_sink.h"

#include <algorithm>
#include <limits>

#include "pipeline/worker_thread.h"

namespace sealstate::internal {

PipelinedSink::PipelinedSink(ByteSink& downstream, std::size_t threshold)
    : downstream_(downstream), threshold_(threshold), queue_(kPipelineBlock, kPipelineDepth) {}

PipelinedSink::~PipelinedSink() {
  if (worker_.joinable()) {
    queue_.Abandon();
    worker_.join();
  }
  WipeBlock(filling_);
}

Status PipelinedSink::FirstError() {
  std::lock_guard<std::mutex> guard(error_mutex_);
  return error_;
}

Status PipelinedSink::AppendInline(std::string_view data) {
  inline_bytes_ += data.size();
  Status appended = downstream_.Append(data);
  if (!appended.ok()) {
    std::lock_guard<std::mutex> guard(error_mutex_);
    error_ = appended;
  }
  return appended;
}

Status PipelinedSink::Append(std::string_view data) {
  if (!worker_.joinable()) {
    SEALSTATE_RETURN_IF_ERROR(error_);  // no worker yet: no race on error_
    if (inline_bytes_ + data.size() <= threshold_) return AppendInline(data);
    std::optional<std::thread> worker = TryStartThread([this] { Run(); });
    if (!worker) {
      threshold_ = std::numeric_limits<std::size_t>::max();  // no second thread: all inline
      return AppendInline(data);
    }
    filling_ = queue_.TakeFree();
    worker_ = std::move(*worker);
  }
  while (!data.empty()) {
    const std::size_t take = std::min(data.size(), kPipelineBlock - filling_.size());
    filling_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (filling_.size() == kPipelineBlock) SEALSTATE_RETURN_IF_ERROR(Handoff());
  }
  return FirstError();
}

Status PipelinedSink::Handoff() {
  SEALSTATE_RETURN_IF_ERROR(FirstError());
  queue_.Push(std::move(filling_));  // never abandoned while the producer runs
  filling_ = queue_.TakeFree();
  return FirstError();
}

void PipelinedSink::Run() {
  while (std::optional<std::string> block = queue_.Pop()) {
    if (FirstError().ok()) {
      Status appended = downstream_.Append(*block);
      if (!appended.ok()) {
        std::lock_guard<std::mutex> guard(error_mutex_);
        error_ = appended;
      }
    }
    queue_.Recycle(std::move(*block));
  }
}

Status PipelinedSink::Finish() {
  if (!worker_.joinable()) return error_;
  if (!filling_.empty() && FirstError().ok()) queue_.Push(std::move(filling_));
  queue_.Close();
  worker_.join();
  return error_;
}

}  // namespace sealstate::internal
