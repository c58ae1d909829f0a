#include "store/envelope_pipe.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <thread>

#include "pipeline/block_queue.h"
#include "pipeline/worker_thread.h"

namespace sealstate::internal {
namespace {

constexpr std::size_t kPipeBlock = 64 * 1024;
constexpr std::size_t kPipeDepth = 4;

// The reading side's sink: cuts what it is given into blocks and queues them.
class QueueSink final : public ByteSink {
 public:
  explicit QueueSink(BlockQueue& queue) : queue_(queue) {}
  Status Append(std::string_view data) override {
    while (!data.empty()) {
      std::string block = queue_.TakeFree();
      const std::size_t take = std::min(data.size(), kPipeBlock);
      block.assign(data.substr(0, take));
      data.remove_prefix(take);
      if (!queue_.Push(std::move(block))) return Status::Cancelled("copy: the import stopped reading the envelope");
    }
    return Status::OK();
  }

 private:
  BlockQueue& queue_;
};

// The importing side's source: the queued blocks, then the end, or the reader's error.
class QueueSource final : public ByteSource {
 public:
  // `read_status` is the reader's result, set before it closes the queue.
  QueueSource(BlockQueue& queue, const Status& read_status) : queue_(queue), read_status_(read_status) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    while (pos_ == current_.size()) {
      if (!current_.empty()) queue_.Recycle(std::move(current_));
      current_.clear();
      pos_ = 0;
      std::optional<std::string> next = queue_.Pop();
      if (!next) {
        if (!read_status_.ok()) return read_status_;
        return std::size_t{0};
      }
      current_ = std::move(*next);
    }
    const std::size_t n = std::min(capacity, current_.size() - pos_);
    std::memcpy(buffer, current_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  BlockQueue& queue_;
  const Status& read_status_;
  std::string current_;
  std::size_t pos_ = 0;
};

// Without a second thread: the envelope whole, then the import.
Status PipeInline(Backend& from, Backend& to, const std::string& rev, const std::string& lock_id) {
  std::string bytes;
  StringSink sink(bytes);
  SEALSTATE_RETURN_IF_ERROR(from.ReadEnvelope(rev, sink));
  StringSource source(bytes);
  return to.ImportEnvelope(rev, source, lock_id);
}

}  // namespace

Status PipeEnvelope(Backend& from, Backend& to, const std::string& rev, const std::string& lock_id) {
  BlockQueue queue(kPipeBlock, kPipeDepth);
  Status read_status;
  std::optional<std::thread> reader = TryStartThread([&] {
    QueueSink sink(queue);
    read_status = from.ReadEnvelope(rev, sink);
    queue.Close();
  });
  if (!reader) return PipeInline(from, to, rev, lock_id);
  QueueSource source(queue, read_status);
  Status imported = to.ImportEnvelope(rev, source, lock_id);
  queue.Abandon();  // an import that stopped early must not leave the reader waiting
  reader->join();
  if (!imported.ok()) return imported;
  // A successful import read to the end, which comes only after the reader closed the queue.
  return read_status;
}

}  // namespace sealstate::internal
