// LoadLibpq, Libpq: libpq through dlopen. See libpq_api.h.
#include "postgres/libpq_api.h"

#include <dlfcn.h>

#include <string>

#include "postgres/pg_connection.h"

namespace sealstate::internal {
namespace {

LibpqApi loaded_api;

// Opens libpq and fills loaded_api; called once.
Status Load() {
  void* handle = dlopen(kLibpqSoname, RTLD_NOW | RTLD_LOCAL);
  std::string missing;
  if (handle != nullptr) {
#define SEALSTATE_LIBPQ_RESOLVE(name)                                          \
  loaded_api.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name)); \
  if (loaded_api.name == nullptr && missing.empty()) missing = "it has no " #name;
    SEALSTATE_LIBPQ_FUNCTIONS(SEALSTATE_LIBPQ_RESOLVE)
#undef SEALSTATE_LIBPQ_RESOLVE
    if (missing.empty()) return Status::OK();
  } else {
    const char* reason = dlerror();
    missing = reason == nullptr ? "not found" : reason;
  }
  return Status::Unsupported(std::string(kPostgresPrefix) + "cannot load " + kLibpqSoname + " (" + missing +
                             "); install the PostgreSQL client library (e.g. the libpq5 package)");
}

}  // namespace

Status LoadLibpq() {
  static const Status loaded = Load();  // thread-safe initialisation, once
  return loaded;
}

const LibpqApi& Libpq() { return loaded_api; }

}  // namespace sealstate::internal
