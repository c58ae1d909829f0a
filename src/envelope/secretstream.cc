#include "envelope/secretstream.h"

#include <algorithm>
#include <cstring>

#include "crypto/sodium_init.h"

namespace sealstate::internal {
namespace {

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

EncryptingSink::EncryptingSink(const SecretBytes& key, std::string_view associated_data, std::size_t chunk_size,
                               ByteSink& out)
    : associated_data_(associated_data), chunk_size_(chunk_size), out_(out) {
  EnsureSodium();
  plain_.reserve(chunk_size_);
  cipher_.resize(chunk_size_ + kChunkOverhead);
  if (key.size() != crypto_secretstream_xchacha20poly1305_KEYBYTES) {
    status_ = Status::Internal("secretstream: the data key must be 32 bytes");
    return;
  }
  stream_header_.resize(kStreamHeaderBytes);
  crypto_secretstream_xchacha20poly1305_init_push(&state_, Bytes(stream_header_), key.data());
}

EncryptingSink::~EncryptingSink() {
  sodium_memzero(&state_, sizeof state_);
  sodium_memzero(plain_.data(), plain_.size());
}

Status EncryptingSink::Start() {
  if (started_) return Status::OK();
  started_ = true;
  status_ = out_.Append(stream_header_);
  return status_;
}

Status EncryptingSink::PushChunk(unsigned char tag) {
  unsigned long long cipher_len = 0;
  crypto_secretstream_xchacha20poly1305_push(&state_, Bytes(cipher_), &cipher_len, Bytes(plain_), plain_.size(),
                                             Bytes(associated_data_), associated_data_.size(), tag);
  sodium_memzero(plain_.data(), plain_.size());
  plain_.clear();
  status_ = out_.Append(std::string_view(cipher_.data(), cipher_len));
  return status_;
}

Status EncryptingSink::Append(std::string_view data) {
  SEALSTATE_RETURN_IF_ERROR(status_);
  SEALSTATE_RETURN_IF_ERROR(Start());
  while (!data.empty()) {
    const std::size_t take = std::min(data.size(), chunk_size_ - plain_.size());
    plain_.append(data.substr(0, take));
    data.remove_prefix(take);
    // A full chunk is pushed only once more data follows, so the FINAL chunk is never empty
    // unless the whole payload is.
    if (plain_.size() == chunk_size_ && !data.empty()) {
      SEALSTATE_RETURN_IF_ERROR(PushChunk(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE));
    }
  }
  return Status::OK();
}

Status EncryptingSink::Finish() {
  SEALSTATE_RETURN_IF_ERROR(status_);
  SEALSTATE_RETURN_IF_ERROR(Start());
  return PushChunk(crypto_secretstream_xchacha20poly1305_TAG_FINAL);
}

DecryptingSource::DecryptingSource(const SecretBytes& key, std::string_view associated_data, std::size_t chunk_size,
                                   BufferedSource& in)
    : key_(key), associated_data_(associated_data), chunk_size_(chunk_size), in_(in) {
  EnsureSodium();
}

DecryptingSource::~DecryptingSource() {
  sodium_memzero(&state_, sizeof state_);
  sodium_memzero(plain_.data(), plain_.size());
}

Status DecryptingSource::Start() {
  started_ = true;
  if (key_.size() != crypto_secretstream_xchacha20poly1305_KEYBYTES) {
    return Status::Internal("secretstream: the data key must be 32 bytes");
  }
  SEALSTATE_ASSIGN_OR_RETURN(std::string header, in_.ReadExact(kStreamHeaderBytes, "stream header"));
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state_, Bytes(header), key_.data()) != 0) {
    return Status::Integrity("envelope: invalid stream header");
  }
  cipher_.resize(chunk_size_ + kChunkOverhead);
  plain_.clear();  // nothing decrypted yet
  plain_pos_ = 0;
  return Status::OK();
}

Status DecryptingSource::PullChunk() {
  SEALSTATE_ASSIGN_OR_RETURN(std::size_t got, in_.ReadFull(cipher_.data(), cipher_.size()));
  if (got == 0) {
    return Status::Integrity("envelope: truncated: the stream ends after chunk " + std::to_string(chunks_) +
                             " without its final chunk");
  }
  const std::string chunk_name = "chunk " + std::to_string(chunks_ + 1);
  unsigned long long plain_len = 0;
  unsigned char tag = 0;
  if (got < kChunkOverhead ||
      crypto_secretstream_xchacha20poly1305_pull(&state_, Bytes(plain_), &plain_len, &tag, Bytes(cipher_), got,
                                                 Bytes(associated_data_), associated_data_.size()) != 0) {
    return Status::Integrity("envelope: " + chunk_name +
                             " does not authenticate: the file was tampered with, truncated, reordered or copied "
                             "from another stack or revision");
  }
  ++chunks_;
  plain_.resize(plain_len);
  plain_pos_ = 0;
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    final_seen_ = true;
    SEALSTATE_ASSIGN_OR_RETURN(std::size_t extra, in_.ReadFull(cipher_.data(), 1));
    if (extra != 0) return Status::Integrity("envelope: data after the final chunk (" + chunk_name + ")");
  } else if (got != cipher_.size()) {
    return Status::Integrity("envelope: truncated: " + chunk_name + " is short and not the final chunk");
  }
  return Status::OK();
}

Result<std::size_t> DecryptingSource::Read(char* buffer, std::size_t capacity) {
  SEALSTATE_RETURN_IF_ERROR(status_);
  if (!started_) status_ = Start();
  while (status_.ok() && plain_pos_ == plain_.size() && !final_seen_) {
    plain_.resize(chunk_size_);
    status_ = PullChunk();
  }
  SEALSTATE_RETURN_IF_ERROR(status_);
  const std::size_t n = std::min(capacity, plain_.size() - plain_pos_);
  std::memcpy(buffer, plain_.data() + plain_pos_, n);
  plain_pos_ += n;
  return n;
}

Status DecryptingSource::FinishAndVerify() { return ExpectPayloadEnd(*this); }

Status ExpectPayloadEnd(ByteSource& plaintext) {
  char probe[1];
  SEALSTATE_ASSIGN_OR_RETURN(std::size_t n, plaintext.Read(probe, sizeof probe));
  if (n != 0) return Status::Integrity("envelope: the payload has bytes after the end of the document");
  return Status::OK();
}

}  // namespace sealstate::internal
