// zstd compression of v2 payloads: a sink that compresses what it is given into another sink
// (before encryption), and a source that decompresses another source (after decryption) within
// the bounds that refuse a decompression bomb. The payload is one zstd stream; the envelope's
// chunks carry its compressed bytes (sealstate-format(5), COMPRESSION).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <zstd.h>

#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate::internal {

// The zstd level sealstate writes: a fast level, so a commit is no slower than without
// compression on a loaded 2-vCPU machine (bench rows zstd-*, README "Performance": levels 1
// and -1 made the 16 MiB commit 1.13-1.33x slower; -3 0.85-1.15x; -5 0.96-1.02x). A realistic
// state still compresses about 15x at -5.
inline constexpr int kZstdLevel = -5;
// The largest window a reader accepts (2^23 = 8 MiB): decompression memory stays bounded even
// for a hand-crafted frame. Level kZstdLevel writes windows of at most 2^19.
inline constexpr int kZstdMaxWindowLog = 23;
// Decompression-bomb bounds: past kBombFloorBytes of output, the output may be at most
// kMaxCompressionRatio times the compressed bytes read so far; and never more than
// kMaxDecompressedBytes (the largest document sealstate reads, 1 GiB).
inline constexpr std::uint64_t kBombFloorBytes = std::uint64_t{64} << 20;
inline constexpr std::uint64_t kMaxCompressionRatio = 1000;
inline constexpr std::uint64_t kMaxDecompressedBytes = std::uint64_t{1} << 30;

// True if `decompressed` bytes out of `compressed` bytes in are within the bounds above.
bool WithinDecompressionBounds(std::uint64_t decompressed, std::uint64_t compressed);

// Compresses what is appended to it and appends the compressed bytes to `out`.
class CompressingSink final : public ByteSink {
 public:
  // `out` must outlive the sink.
  explicit CompressingSink(ByteSink& out, int level = kZstdLevel);
  CompressingSink(const CompressingSink&) = delete;
  CompressingSink& operator=(const CompressingSink&) = delete;
  ~CompressingSink() override;

  Status Append(std::string_view data) override;
  // Ends the zstd stream and writes what is left. Must be called exactly once, after the last
  // Append. Errors: out's; kInvalidArgument if the payload compressed so well that a reader
  // would refuse it as a decompression bomb (WithinDecompressionBounds).
  Status Finish();

 private:
  // Runs the compressor over `data` with `mode`, writing all output to out_.
  Status Compress(std::string_view data, ZSTD_EndDirective mode);

  ZSTD_CCtx* context_;
  ByteSink& out_;
  std::string buffer_;  // compressed output, reused
  std::uint64_t in_bytes_ = 0;
  std::uint64_t out_bytes_ = 0;
  Status status_;
};

// Decompresses a zstd stream read from `in`.
class DecompressingSource final : public ByteSource {
 public:
  // `in` must outlive the source. `what` names the payload in errors ("revision R").
  DecompressingSource(ByteSource& in, std::string what);
  DecompressingSource(const DecompressingSource&) = delete;
  DecompressingSource& operator=(const DecompressingSource&) = delete;
  ~DecompressingSource() override;

  // Errors (kIntegrity, naming `what`): corrupt compressed data, a frame needing a window larger
  // than 2^kZstdMaxWindowLog, a stream that ends inside a frame, output beyond the bounds
  // (a decompression bomb); in's errors. Once an error is returned, every later call returns it.
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

 private:
  Status Refill();
  Status Step(char* buffer, std::size_t capacity, std::size_t& produced);

  ZSTD_DCtx* context_;
  ByteSource& in_;
  std::string what_;
  std::string input_;  // compressed bytes read from in_
  ZSTD_inBuffer pending_{nullptr, 0, 0};
  std::uint64_t in_bytes_ = 0;
  std::uint64_t out_bytes_ = 0;
  bool in_ended_ = false;
  bool frame_open_ = true;  // no frame has ended since the last began (or none began yet)
  Status status_;
};

}  // namespace sealstate::internal
