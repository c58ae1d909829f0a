// LocalStore internals: opening a store over a given Env and process probe (tests inject
// faulty or fake ones), and the state a held Lock shares with its store.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <sealstate/local_store.h>

#include "io/env.h"
#include "journal/journal.h"
#include "lock/marker_lock.h"
#include "lock/process_identity.h"
#include "store/stack_dirs.h"

namespace sealstate::internal {

// Everything one open stack needs. Shared by the store and the locks it hands out, so a Lock
// may outlive the Backend object safely.
struct StackCore {
  StackCore(Env& e, ProcessProbe& p, std::unique_ptr<StackDirs> d, const LocalStoreOptions& o);

  Env& env;
  ProcessProbe& probe;
  std::unique_ptr<StackDirs> dirs;
  LocalStoreOptions options;
  MarkerLock marker;
  JournalFile journal;
  // What journal lines are checked with on reads of current: the journal MAC keys of every key
  // the encrypter opens files with (JournalMacKeysFor; a KeyRing's keys).
  JournalMacKeys opening_mac_keys;

  std::mutex mutex;  // guards debris_cleaned
  bool debris_cleaned = false;

  // Appends a journal event stamped with this process's identity, durable now.
  Status Journal(std::string event, std::string rev, std::string lock_id, std::string detail);
};

// OpenLocalStore over `env` and `probe`, which must outlive the store and its locks.
Result<std::unique_ptr<Backend>> OpenLocalStoreWith(const LocalStoreOptions& options, Env& env, ProcessProbe& probe);

}  // namespace sealstate::internal
