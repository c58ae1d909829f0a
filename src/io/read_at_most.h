// The "read until full or end of input" loop, written once for every reader (Env fds, pread at
// an offset, ByteSources).
#pragma once

#include <cstddef>
#include <string>

#include <sealstate/status.h>
#include <sealstate/stream.h>

#include "io/env.h"

namespace sealstate::internal {

// Fills buffer[0, capacity) by calling `read_some(into, room, offset)` (one read of at most
// `room` bytes into `into`; `offset` bytes were read before it, for a positional read) until
// the buffer is full or a call returns 0 (end of input). Never calls read_some once the buffer is
// full, so reading capacity = limit + 1 tells "larger than limit" without reading further.
// Returns the number of bytes read (less than `capacity` only at end of input), or the first
// error, as read_some returned it (the bytes read before it are in the buffer but not counted).
template <typename ReadSome>
Result<std::size_t> ReadAtMost(char* buffer, std::size_t capacity, ReadSome&& read_some) {
  std::size_t done = 0;
  while (done < capacity) {
    SEALSTATE_ASSIGN_OR_RETURN(const std::size_t n, read_some(buffer + done, capacity - done, done));
    if (n == 0) break;
    done += n;
  }
  return done;
}

// ReadAtMost over ByteSource::Read.
inline Result<std::size_t> ReadAtMost(ByteSource& source, char* buffer, std::size_t capacity) {
  return ReadAtMost(buffer, capacity,
                    [&source](char* into, std::size_t room, std::size_t) { return source.Read(into, room); });
}

// ReadAtMost over Env::Read of `fd` (from its current offset); `what` names the file in errors.
inline Result<std::size_t> ReadAtMost(Env& env, int fd, char* buffer, std::size_t capacity, const std::string& what) {
  return ReadAtMost(buffer, capacity,
                    [&](char* into, std::size_t room, std::size_t) { return env.Read(fd, into, room, what); });
}

}  // namespace sealstate::internal
