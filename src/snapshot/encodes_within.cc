// EncodesWithin: see encodes_within.h.
#include "snapshot/encodes_within.h"

#include "snapshot/encode_validated.h"

namespace sealstate::internal {
namespace {

// Counts what it is given and refuses (stopping the encoder) once past `max_bytes`.
class BoundedCountingSink final : public ByteSink {
 public:
  explicit BoundedCountingSink(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  Status Append(std::string_view data) override {
    bytes_ += data.size();
    if (bytes_ > max_bytes_) return Status::Internal("past the size asked about");
    return Status::OK();
  }

 private:
  const std::size_t max_bytes_;
  std::size_t bytes_ = 0;
};

}  // namespace

bool EncodesWithin(const Snapshot& snapshot, std::size_t max_bytes) {
  BoundedCountingSink sink(max_bytes);
  return EncodeValidatedSnapshot(snapshot, sink).ok();
}

}  // namespace sealstate::internal
