// PrefetchingSource: a ByteSource that reads ahead from another source on a second thread, so
// consuming the bytes (parsing a snapshot) overlaps with producing them (reading and decrypting).
// Small payloads pay nothing: the first `threshold` bytes are read inline, on the caller's
// thread, and the worker starts only when the caller asks for more. When the system refuses that
// thread (TryStartThread), every read is done inline instead: slower, same result.
//
// The worker reads up to kPipelineDepth blocks of kPipelineBlock bytes ahead (bounded memory),
// until the end of the upstream source or its first error. Reads return the same bytes in the
// same order as the upstream source would, then its error (at the same position) or the end;
// after an error, every later Read returns it again. Upstream is only ever called by one thread
// at a time, and every call happens-before the destructor returns, so an upstream that is not
// thread-safe (an Env wrapper in a test) is fine, provided the caller does not use it itself
// while this object exists. Not thread-safe itself: one consuming thread.
#pragma once

#include <cstddef>
#include <string>
#include <thread>

#include <sealstate/status.h>
#include <sealstate/stream.h>

#include "pipeline/block_queue.h"
#include "pipeline/pipelined_sink.h"

namespace sealstate::internal {

class PrefetchingSource final : public ByteSource {
 public:
  // `upstream` must outlive this object.
  explicit PrefetchingSource(ByteSource& upstream, std::size_t threshold = kPipelineThreshold);
  PrefetchingSource(const PrefetchingSource&) = delete;
  PrefetchingSource& operator=(const PrefetchingSource&) = delete;
  // Stops the worker (it finishes the upstream read in progress) and waits for it.
  ~PrefetchingSource() override;

  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

 private:
  Result<std::size_t> ReadInline(char* buffer, std::size_t capacity);
  // The next block into current_; false at the end of the stream (or its error).
  bool NextBlock();
  void Run();
  // Fills `block` up to kPipelineBlock bytes; stops early only at the end or on an error.
  Status Fill(std::string& block);

  ByteSource& upstream_;
  std::size_t threshold_;
  std::size_t inline_bytes_ = 0;
  BlockQueue queue_;
  std::string current_;
  std::size_t current_pos_ = 0;
  bool done_ = false;
  Status status_;  // the upstream error; written by the worker before it closes the queue
  std::thread worker_;
};

}  // namespace sealstate::internal
