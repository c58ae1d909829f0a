// Moving one revision's stored envelope from one backend to another (CopyStack), in bounded
// memory.
#pragma once

#include <string>

#include <sealstate/backend.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Streams revision `rev` from `from` (ReadEnvelope, on a second thread) into `to`
// (ImportEnvelope fenced by `lock_id`, on the calling thread) through a bounded queue, so memory
// stays bounded whatever the envelope's size. When the system refuses the thread
// (TryStartThread), the envelope is read whole into memory first. A read error reaches the
// import as its source's error, so a partly read envelope is never stored. Errors: the import's,
// else the read's.
Status PipeEnvelope(Backend& from, Backend& to, const std::string& rev, const std::string& lock_id);

}  // namespace sealstate::internal
