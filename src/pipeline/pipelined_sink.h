// PipelinedSink: a ByteSink that hands what it is given to another sink on a second thread, so
// producing the bytes (serialising a snapshot) overlaps with consuming them (encrypting and
// writing). Small payloads pay nothing: the first `threshold` bytes are passed on inline, on the
// caller's thread, and the worker thread starts only once more arrives. When the system refuses
// that thread (TryStartThread), every byte is passed on inline instead: slower, same result.
//
// Bytes reach the downstream sink in order, in pieces of up to kPipelineBlock bytes once the
// worker runs; at most kPipelineDepth blocks wait (bounded memory). Downstream is only ever
// called by one thread at a time, and every call happens-before Finish() returns, so a
// downstream that is not thread-safe (an Env wrapper in a test) is fine, provided the caller
// does not use it itself between the first Append and Finish.
//
// Errors: the first downstream error is returned by the Append that observes it (possibly a
// later one than the Append that carried the failing bytes) and by Finish; after it, nothing
// more is passed on. Not thread-safe itself: one producing thread.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <sealstate/status.h>
#include <sealstate/stream.h>

#include "pipeline/block_queue.h"

namespace sealstate::internal {

inline constexpr std::size_t kPipelineThreshold = 1024 * 1024;
inline constexpr std::size_t kPipelineBlock = 256 * 1024;
inline constexpr std::size_t kPipelineDepth = 4;

class PipelinedSink final : public ByteSink {
 public:
  // `downstream` must outlive this object.
  explicit PipelinedSink(ByteSink& downstream, std::size_t threshold = kPipelineThreshold);
  PipelinedSink(const PipelinedSink&) = delete;
  PipelinedSink& operator=(const PipelinedSink&) = delete;
  // Without a Finish(): stops the worker; bytes not yet passed on are dropped.
  ~PipelinedSink() override;

  Status Append(std::string_view data) override;
  // Passes on what is buffered, waits for the worker to finish, and returns the first error.
  // Call once, after the last Append; downstream may be used again once it returns.
  Status Finish();

 private:
  Status AppendInline(std::string_view data);
  Status Handoff();
  void Run();
  Status FirstError();

  ByteSink& downstream_;
  std::size_t threshold_;
  std::size_t inline_bytes_ = 0;
  BlockQueue queue_;
  std::string filling_;
  std::mutex error_mutex_;
  Status error_;  // the first downstream error, guarded by error_mutex_
  std::thread worker_;
};

}  // namespace sealstate::internal
