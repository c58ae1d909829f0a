// The two-thread pipeline stages: PipelinedSink (serialise || encrypt+write) and
// PrefetchingSource (read+decrypt || parse). Small thresholds force the worker thread on.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <string>

#include "pipeline/pipelined_sink.h"
#include "pipeline/prefetching_source.h"

using namespace sealstate;
using sealstate::internal::PipelinedSink;
using sealstate::internal::PrefetchingSource;

namespace {

std::string Bytes(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return out;
}

// Accepts `limit` bytes, then fails every Append.
class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(std::size_t limit) : limit_(limit) {}
  Status Append(std::string_view data) override {
    if (got.size() + data.size() > limit_) return Status::IoError("write", "f", ENOSPC);
    got.append(data);
    return Status::OK();
  }
  std::string got;

 private:
  std::size_t limit_;
};

// Yields `data`, then fails (if `fail`) or ends.
class FailingSource final : public ByteSource {
 public:
  FailingSource(std::string data, bool fail) : data_(std::move(data)), fail_(fail) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    if (pos_ == data_.size()) {
      if (fail_) return Status::Integrity("chunk 9 does not authenticate");
      return std::size_t{0};
    }
    const std::size_t n = std::min({capacity, data_.size() - pos_, std::size_t{70000}});
    std::copy_n(data_.data() + pos_, n, buffer);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  bool fail_;
  std::size_t pos_ = 0;
};

// Reads everything (in reads of `capacity`) until the end or an error.
Status Drain(ByteSource& source, std::size_t capacity, std::string& got) {
  std::string buffer(capacity, '\0');
  for (;;) {
    Result<std::size_t> n = source.Read(buffer.data(), capacity);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::OK();
    got.append(buffer.data(), *n);
  }
}

}  // namespace

TEST_CASE("a pipelined sink passes every byte on in order, inline and from its worker", "[pipeline]") {
  const std::size_t threshold = GENERATE(std::size_t{0}, std::size_t{1000}, std::size_t{1} << 30);
  const std::string data = Bytes(3 * internal::kPipelineBlock + 12345);
  std::string out;
  StringSink downstream(out);
  PipelinedSink sink(downstream, threshold);
  for (std::size_t pos = 0, step = 1; pos < data.size(); pos += step, step = step * 3 + 1) {
    REQUIRE(sink.Append(std::string_view(data).substr(pos, step)).ok());
  }
  REQUIRE(sink.Finish().ok());
  CHECK(out == data);
}

TEST_CASE("a pipelined sink returns the first downstream error and passes nothing on after it", "[pipeline]") {
  const std::size_t threshold = GENERATE(std::size_t{0}, std::size_t{1} << 30);
  const std::string data = Bytes(40 * internal::kPipelineBlock);
  FailingSink downstream(2 * internal::kPipelineBlock);
  PipelinedSink sink(downstream, threshold);
  Status status;
  for (std::size_t pos = 0; pos < data.size() && status.ok(); pos += 65536) {
    status = sink.Append(std::string_view(data).substr(pos, 65536));
  }
  const Status finished = sink.Finish();
  CHECK(finished.code() == Code::kIoError);
  CHECK((status.ok() || status.code() == Code::kIoError));
  CHECK(downstream.got == data.substr(0, downstream.got.size()));
  CHECK(downstream.got.size() <= 2 * internal::kPipelineBlock);
}

TEST_CASE("a pipelined sink destroyed without Finish stops its worker", "[pipeline]") {
  std::string out;
  StringSink downstream(out);
  {
    PipelinedSink sink(downstream, 0);
    REQUIRE(sink.Append(Bytes(10 * internal::kPipelineBlock)).ok());
  }
  CHECK(out.size() <= 10 * internal::kPipelineBlock);
}

TEST_CASE("a prefetching source yields the upstream bytes in order, then the end", "[pipeline]") {
  const std::size_t threshold = GENERATE(std::size_t{0}, std::size_t{100000}, std::size_t{1} << 30);
  const std::size_t capacity = GENERATE(std::size_t{1}, std::size_t{4096}, std::size_t{1} << 20);
  const std::string data = Bytes(capacity == 1 ? 300000 : 5 * internal::kPipelineBlock + 7);
  FailingSource upstream(data, false);
  PrefetchingSource source(upstream, threshold);
  std::string got;
  REQUIRE(Drain(source, capacity, got).ok());
  CHECK(got == data);
  char probe;
  CHECK(*source.Read(&probe, 1) == 0);
}

TEST_CASE("a prefetching source yields the bytes before an upstream error, then the error, again and again",
          "[pipeline]") {
  const std::size_t threshold = GENERATE(std::size_t{0}, std::size_t{1} << 30);
  const std::string data = Bytes(3 * internal::kPipelineBlock + 99);
  FailingSource upstream(data, true);
  PrefetchingSource source(upstream, threshold);
  std::string got;
  const Status status = Drain(source, 65536, got);
  CHECK(status.code() == Code::kIntegrity);
  CHECK(status.message() == "chunk 9 does not authenticate");
  CHECK(got == data);
  char probe;
  CHECK(source.Read(&probe, 1).status().message() == "chunk 9 does not authenticate");
}

TEST_CASE("a prefetching source abandoned half-way stops its worker", "[pipeline]") {
  FailingSource upstream(Bytes(40 * internal::kPipelineBlock), false);
  PrefetchingSource source(upstream, 0);
  char buffer[1000];
  REQUIRE(*source.Read(buffer, sizeof buffer) == sizeof buffer);
}
