#include "envelope/zstd_stream.h"

#include <sodium.h>
#include <zstd_errors.h>

namespace sealstate::internal {
namespace {

void Wipe(std::string& bytes) { sodium_memzero(bytes.data(), bytes.size()); }

}  // namespace

bool WithinDecompressionBounds(std::uint64_t decompressed, std::uint64_t compressed) {
  if (decompressed > kMaxDecompressedBytes) return false;
  return decompressed <= kBombFloorBytes || decompressed <= kMaxCompressionRatio * compressed;
}

CompressingSink::CompressingSink(ByteSink& out, int level) : context_(ZSTD_createCCtx()), out_(out) {
  if (context_ == nullptr) {
    status_ = Status::Internal("zstd: cannot create a compression context");
    return;
  }
  const std::size_t set = ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, level);
  if (ZSTD_isError(set)) status_ = Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(set));
  buffer_.resize(ZSTD_CStreamOutSize());
}

CompressingSink::~CompressingSink() {
  ZSTD_freeCCtx(context_);
  Wipe(buffer_);
}

Status CompressingSink::Compress(std::string_view data, ZSTD_EndDirective mode) {
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  for (;;) {
    ZSTD_outBuffer out{buffer_.data(), buffer_.size(), 0};
    const std::size_t left = ZSTD_compressStream2(context_, &out, &in, mode);
    if (ZSTD_isError(left)) return Status::Internal(std::string("zstd: compress: ") + ZSTD_getErrorName(left));
    if (out.pos > 0) {
      out_bytes_ += out.pos;
      SEALSTATE_RETURN_IF_ERROR(out_.Append(std::string_view(buffer_.data(), out.pos)));
    }
    const bool done = mode == ZSTD_e_end ? left == 0 : in.pos == in.size;
    if (done) break;
  }
  in_bytes_ += data.size();
  if (!WithinDecompressionBounds(in_bytes_, out_bytes_)) {
    return Status::InvalidArgument("envelope: the payload compresses more than " +
                                   std::to_string(kMaxCompressionRatio) +
                                   " times (or exceeds 1 GiB): a reader would refuse it as a decompression bomb; "
                                   "seal it with compression none");
  }
  return Status::OK();
}

Status CompressingSink::Append(std::string_view data) {
  SEALSTATE_RETURN_IF_ERROR(status_);
  status_ = Compress(data, ZSTD_e_continue);
  return status_;
}

Status CompressingSink::Finish() {
  SEALSTATE_RETURN_IF_ERROR(status_);
  status_ = Compress({}, ZSTD_e_end);
  return status_;
}

DecompressingSource::DecompressingSource(ByteSource& in, std::string what)
    : context_(ZSTD_createDCtx()), in_(in), what_(std::move(what)) {
  if (context_ == nullptr) {
    status_ = Status::Internal("zstd: cannot create a decompression context");
    return;
  }
  const std::size_t set = ZSTD_DCtx_setParameter(context_, ZSTD_d_windowLogMax, kZstdMaxWindowLog);
  if (ZSTD_isError(set)) status_ = Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(set));
  input_.resize(ZSTD_DStreamInSize());
}

DecompressingSource::~DecompressingSource() {
  ZSTD_freeDCtx(context_);
  Wipe(input_);
}

Status DecompressingSource::Refill() {
  SEALSTATE_ASSIGN_OR_RETURN(std::size_t n, in_.Read(input_.data(), input_.size()));
  pending_ = ZSTD_inBuffer{input_.data(), n, 0};
  in_ended_ = n == 0;
  return Status::OK();
}

Status DecompressingSource::Step(char* buffer, std::size_t capacity, std::size_t& produced) {
  ZSTD_outBuffer out{buffer, capacity, 0};
  const std::size_t consumed_before = pending_.pos;
  const std::size_t left = ZSTD_decompressStream(context_, &out, &pending_);
  if (ZSTD_isError(left)) {
    if (ZSTD_getErrorCode(left) == ZSTD_error_frameParameter_windowTooLarge) {
      return Status::Integrity("envelope: " + what_ + ": the compressed payload needs a zstd window larger than " +
                               std::to_string((1u << kZstdMaxWindowLog) >> 20) + " MiB: refusing it");
    }
    return Status::Integrity("envelope: " + what_ +
                             ": the compressed payload is corrupt (zstd: " + ZSTD_getErrorName(left) + ")");
  }
  // A call that neither consumed nor produced anything says nothing about the frame.
  if (pending_.pos != consumed_before || out.pos > 0) frame_open_ = left != 0;
  in_bytes_ += pending_.pos - consumed_before;
  out_bytes_ += out.pos;
  if (!WithinDecompressionBounds(out_bytes_, in_bytes_)) {
    return Status::Integrity("envelope: " + what_ + ": the compressed payload expands to more than " +
                             std::to_string(out_bytes_ >> 20) + " MiB from " + std::to_string(in_bytes_) +
                             " bytes (more than " + std::to_string(kMaxCompressionRatio) +
                             " times, or past 1 GiB): refusing a decompression bomb");
  }
  produced = out.pos;
  return Status::OK();
}

Result<std::size_t> DecompressingSource::Read(char* buffer, std::size_t capacity) {
  SEALSTATE_RETURN_IF_ERROR(status_);
  for (;;) {
    if (pending_.pos == pending_.size && !in_ended_) status_ = Refill();
    std::size_t produced = 0;
    if (status_.ok()) status_ = Step(buffer, capacity, produced);
    SEALSTATE_RETURN_IF_ERROR(status_);
    if (produced > 0) return produced;
    if (pending_.pos == pending_.size && in_ended_) break;
  }
  if (frame_open_) {
    status_ = Status::Integrity("envelope: " + what_ + ": the compressed payload ends inside a zstd frame");
    return status_;
  }
  return std::size_t{0};
}

}  // namespace sealstate::internal
