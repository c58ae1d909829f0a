// sealstate_open and sealstate_close: a store handle from a backend spec, a key source and flags.
#include <memory>
#include <string>

#include <sealstate/backend_registry.h>
#include <sealstate/encrypter.h>

#include "c_api/c_api_internal.h"
#include "json/json_reader.h"

using sealstate::Result;
using sealstate::Status;
using namespace sealstate::internal;

namespace {

// The key source's configuration: a JSON object, or {} for NULL.
Result<sealstate::JsonObject> ParseKeyConfig(const char* json) {
  if (json == nullptr) return sealstate::JsonObject();
  auto parsed = ParseJson(std::string_view(json));
  if (!parsed.ok()) return parsed.status().WithPrefix("sealstate_open: key_config_json: ");
  if (parsed->type() != sealstate::Json::Type::kObject) {
    return Status::InvalidArgument(
        "sealstate_open: key_config_json must be a JSON object, e.g. {\"env-var\": \"KEY\"}");
  }
  return std::move(parsed->as_object());
}

Result<std::shared_ptr<const sealstate::Encrypter>> MakeEncrypter(const char* key_source, const char* config_json) {
  if (key_source == nullptr) return std::shared_ptr<const sealstate::Encrypter>();
  SEALSTATE_ASSIGN_OR_RETURN(const sealstate::JsonObject config, ParseKeyConfig(config_json));
  SEALSTATE_ASSIGN_OR_RETURN(auto encrypter, sealstate::EncrypterRegistry::WithBuiltins().Create(key_source, config));
  return std::shared_ptr<const sealstate::Encrypter>(std::move(encrypter));
}

}  // namespace

extern "C" int sealstate_open(const char* backend_spec, const char* factory, const char* stack, const char* key_source,
                              const char* key_config_json, unsigned flags, sealstate_store** store_out,
                              sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store_out, "sealstate_open", "store_out"));
    *store_out = nullptr;
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(backend_spec, "sealstate_open", "backend_spec"));
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(factory, "sealstate_open", "factory"));
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(stack, "sealstate_open", "stack"));
    sealstate::BackendContext context;
    context.factory = factory;
    context.stack = stack;
    SEALSTATE_ASSIGN_OR_RETURN(context.encrypter, MakeEncrypter(key_source, key_config_json));
    context.envelope.unobin_compatible = (flags & SEALSTATE_OPEN_UNOBIN_COMPATIBLE) != 0;
    context.envelope.accept_v1 = (flags & SEALSTATE_OPEN_ACCEPT_V1) != 0;
    context.envelope.allow_plaintext = (flags & SEALSTATE_OPEN_ALLOW_PLAINTEXT) != 0;
    context.create = (flags & SEALSTATE_OPEN_CREATE) != 0;
    SEALSTATE_ASSIGN_OR_RETURN(auto backend, sealstate::BackendRegistry::WithBuiltins().Open(backend_spec, context));
    *store_out = new sealstate_store{std::move(backend), context.encrypter};
    return Status::OK();
  });
}

extern "C" void sealstate_close(sealstate_store* store) { delete store; }
