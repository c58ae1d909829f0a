// BlockQueue: the bounded hand-off between the two threads of a pipeline (PipelinedSink,
// PrefetchingSource). One producer fills blocks and pushes them; one consumer pops, uses and
// recycles them. At most `depth` blocks wait at any time, so a pipeline holds a bounded amount
// of memory (depth + 2 blocks) whatever the payload size. Blocks are recycled, so a long stream
// allocates them once; their contents are wiped when the queue is destroyed (they carry
// plaintext).
//
// Either side can end the stream: the producer with Close() (the consumer drains what is queued,
// then sees the end), the consumer with Abandon() (the producer's next Push fails, queued blocks
// are dropped). Thread safety: all members may be called from the producer and the consumer
// thread concurrently; one producer and one consumer.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sealstate::internal {

class BlockQueue {
 public:
  // `block_size` is a hint for the capacity of new blocks; `depth` >= 1.
  BlockQueue(std::size_t block_size, std::size_t depth);
  BlockQueue(const BlockQueue&) = delete;
  BlockQueue& operator=(const BlockQueue&) = delete;
  ~BlockQueue();

  // An empty block to fill: a recycled one, or a new one reserved to the block size.
  std::string TakeFree();
  // Queues a filled block, waiting while `depth` blocks are queued. Returns false (dropping the
  // block) once the consumer has abandoned the stream.
  bool Push(std::string block);
  // The producer is done: no more Push calls.
  void Close();

  // The next block, waiting for one; nullopt once the queue is closed and drained, or abandoned.
  std::optional<std::string> Pop();
  // Returns a used block for reuse.
  void Recycle(std::string block);
  // The consumer stops: queued blocks are dropped, Push returns false from now on, Pop nullopt.
  void Abandon();

 private:
  std::size_t block_size_;
  std::size_t depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queued_;
  std::vector<std::string> free_;
  bool closed_ = false;
  bool abandoned_ = false;
};

// Overwrites a block's bytes (its whole capacity) before it is freed.
void WipeBlock(std::string& block);

}  // namespace sealstate::internal
