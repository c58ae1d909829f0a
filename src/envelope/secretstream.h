// Chunked authenticated encryption for v2 payloads: libsodium's secretstream
// (XChaCha20-Poly1305) with a fixed plaintext chunk size.
//
// Framing: every chunk but the last holds exactly `chunk_size` plaintext bytes and is tagged
// MESSAGE; the last holds 0..chunk_size bytes and is tagged FINAL. Each chunk is its
// ciphertext: plaintext length + kChunkOverhead bytes. Every chunk authenticates the same
// associated data (the v2 header line). Chunks are chained by the stream state, so a dropped,
// repeated or reordered chunk fails, and a missing FINAL chunk is truncation.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <sodium.h>

#include <sealstate/secret.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>

#include "envelope/buffered_source.h"

namespace sealstate::internal {

inline constexpr std::size_t kStreamHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
inline constexpr std::size_t kChunkOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;

// Encrypts what is appended to it and writes chunks to `out`. Writes the 24-byte stream header
// on construction's first Append or on Finish, whichever comes first.
class EncryptingSink final : public ByteSink {
 public:
  // `key` (32 bytes), `associated_data` and `out` must outlive the sink.
  EncryptingSink(const SecretBytes& key, std::string_view associated_data, std::size_t chunk_size, ByteSink& out);
  EncryptingSink(const EncryptingSink&) = delete;
  EncryptingSink& operator=(const EncryptingSink&) = delete;
  ~EncryptingSink() override;

  Status Append(std::string_view data) override;
  // Writes the FINAL chunk. Must be called exactly once, after the last Append.
  Status Finish();

 private:
  Status Start();
  Status PushChunk(unsigned char tag);

  crypto_secretstream_xchacha20poly1305_state state_;
  std::string_view associated_data_;
  std::size_t chunk_size_;
  ByteSink& out_;
  std::string stream_header_;  // written before the first chunk
  std::string plain_;          // pending plaintext, at most chunk_size_ bytes
  std::string cipher_;         // reused output buffer
  bool started_ = false;
  Status status_;
};

// Reads chunks from `in`, verifies and decrypts them, and yields the plaintext.
class DecryptingSource final : public ByteSource {
 public:
  // `key`, `associated_data` and `in` must outlive the source. Reads the stream header first.
  DecryptingSource(const SecretBytes& key, std::string_view associated_data, std::size_t chunk_size,
                   BufferedSource& in);
  DecryptingSource(const DecryptingSource&) = delete;
  DecryptingSource& operator=(const DecryptingSource&) = delete;
  ~DecryptingSource() override;

  // Errors (kIntegrity): a chunk that does not authenticate, a stream that ends without its
  // FINAL chunk, bytes after the FINAL chunk. Once an error is returned, every later call
  // returns it too.
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

  // Reads (and verifies) whatever is left. Errors: as Read; kIntegrity if any plaintext was
  // left unread by the consumer (see ExpectPayloadEnd).
  Status FinishAndVerify();

 private:
  Status Start();
  Status PullChunk();

  crypto_secretstream_xchacha20poly1305_state state_;
  const SecretBytes& key_;
  std::string_view associated_data_;
  std::size_t chunk_size_;
  BufferedSource& in_;
  std::string cipher_;
  std::string plain_;
  std::size_t plain_pos_ = 0;
  std::size_t chunks_ = 0;
  bool started_ = false;
  bool final_seen_ = false;
  Status status_;
};

// Checks that `plaintext` (a DecryptingSource, or a source reading from one) has nothing left:
// reading on verifies the rest of the stream. Errors: the source's; kIntegrity "envelope: the
// payload has bytes after the end of the document" if a byte is left.
Status ExpectPayloadEnd(ByteSource& plaintext);

}  // namespace sealstate::internal
