// AuthenticatedV2Plaintext: see authenticated_plaintext.h.
#include "cli/authenticated_plaintext.h"

#include <sealstate/envelope.h>
#include <sealstate/stream.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "json/go_json_writer.h"

namespace sealstate::cli {
namespace {

constexpr std::size_t kBlock = 256 * 1024;

// Bytes kept as a list of blocks of at most kBlock: growing it never copies what it holds (a
// doubling string would copy and touch fresh pages each time it grows).
class Blocks final : public ByteSink {
 public:
  Status Append(std::string_view data) override {
    while (!data.empty()) {
      if (blocks_.empty() || blocks_.back().size() == kBlock) {
        blocks_.emplace_back();
        blocks_.back().reserve(kBlock);
      }
      std::string& last = blocks_.back();
      const std::size_t take = std::min(data.size(), kBlock - last.size());
      last.append(data.substr(0, take));
      data.remove_prefix(take);
    }
    return Status::OK();
  }
  // Appends everything `source` yields.
  Status ReadAll(ByteSource& source) {
    for (;;) {
      if (blocks_.empty() || blocks_.back().size() == kBlock) {
        blocks_.emplace_back();
        blocks_.back().reserve(kBlock);
      }
      std::string& last = blocks_.back();
      const std::size_t old_size = last.size();
      last.resize(kBlock);
      Result<std::size_t> got = source.Read(last.data() + old_size, kBlock - old_size);
      last.resize(old_size + (got.ok() ? *got : 0));
      if (!got.ok()) return got.status();
      if (*got == 0) return Status::OK();
    }
  }
  // The first block (up to kBlock bytes), for checks of the start.
  std::string_view Head() const { return blocks_.empty() ? std::string_view() : blocks_.front(); }
  const std::vector<std::string>& blocks() const { return blocks_; }
  std::vector<std::string> Take() { return std::move(blocks_); }

 private:
  std::vector<std::string> blocks_;
};

// Reads a Blocks from the start.
class BlocksSource final : public ByteSource {
 public:
  explicit BlocksSource(const std::vector<std::string>& blocks) : blocks_(blocks) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    while (index_ < blocks_.size() && offset_ == blocks_[index_].size()) {
      ++index_;
      offset_ = 0;
    }
    if (index_ == blocks_.size()) return std::size_t{0};
    const std::size_t take = std::min(capacity, blocks_[index_].size() - offset_);
    std::memcpy(buffer, blocks_[index_].data() + offset_, take);
    offset_ += take;
    return take;
  }

 private:
  const std::vector<std::string>& blocks_;
  std::size_t index_ = 0;
  std::size_t offset_ = 0;
};

// Whether `encoding` (a snapshot's canonical encoding, whose top-level keys come in a fixed
// order) names `factory` and `stack`, as the decoding path checks for a v2 file. Strings hold no
// raw newline, so the first "\n  }," ends the factory object.
bool NamesFactoryAndStack(std::string_view encoding, std::string_view factory, std::string_view stack) {
  std::string head = "{\n  \"format-version\": 1,\n  \"factory\": {\n    \"name\": ";
  internal::AppendGoQuotedString(head, factory);
  head += ",\n";
  if (encoding.substr(0, head.size()) != head) return false;
  std::string stack_line = "\n  },\n  \"stack\": ";
  internal::AppendGoQuotedString(stack_line, stack);
  stack_line += ",\n";
  const std::size_t factory_end = encoding.find("\n  },", head.size());
  return factory_end != std::string_view::npos && encoding.substr(factory_end, stack_line.size()) == stack_line;
}

}  // namespace

Status AuthenticatedV2Plaintext::WriteTo(ByteSink& sink) const {
  for (const std::string& block : blocks_) SEALSTATE_RETURN_IF_ERROR(sink.Append(block));
  return Status::OK();
}

std::optional<AuthenticatedV2Plaintext> AuthenticatedV2Plaintext::Open(const GlobalOptions& options, Backend& backend,
                                                                       const std::string& rev) {
  Result<EnvelopeHeader> header = backend.ReadHeader(rev);
  if (!header.ok() || header->envelope_version < kEnvelopeV2) return std::nullopt;
  Result<std::shared_ptr<const Encrypter>> encrypter = CreateEncrypter(options);
  if (!encrypter.ok()) return std::nullopt;
  Blocks envelope;
  if (!backend.ReadEnvelope(rev, envelope).ok()) return std::nullopt;
  BlocksSource source(envelope.blocks());
  const EnvelopeBinding expected{"state", backend.factory(), backend.stack(), rev};
  const OpenOptions open_options{.allow_plaintext = options.allow_plaintext, .accept_v1 = false};
  Blocks plaintext;
  const Status opened = OpenV2(source, expected, **encrypter, open_options,
                               [&](ByteSource& payload) { return plaintext.ReadAll(payload); });
  if (!opened.ok()) return std::nullopt;  // what was read is discarded unprinted
  if (!NamesFactoryAndStack(plaintext.Head(), backend.factory(), backend.stack())) return std::nullopt;
  AuthenticatedV2Plaintext result;
  result.blocks_ = plaintext.Take();
  return result;
}

}  // namespace sealstate::cli
