// sealstate: durable, encrypted, locked state snapshots for infrastructure tools.
// The umbrella header: include this to get the whole public API.
#pragma once

#include <sealstate/backend.h>
#include <sealstate/backend_registry.h>
#include <sealstate/copy.h>
#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>
#include <sealstate/json.h>
#include <sealstate/key_ring.h>
#include <sealstate/local_store.h>
#include <sealstate/lock.h>
#include <sealstate/maintenance.h>
#include <sealstate/memory_store.h>
#include <sealstate/names.h>
#include <sealstate/rekey.h>
#include <sealstate/revision.h>
#include <sealstate/secret.h>
#include <sealstate/snapshot.h>
#include <sealstate/snapshot_diff.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>
#include <sealstate/timestamp.h>
#include <sealstate/version.h>
