// ParseKeySpec: the CLI's --key / --recipient forms (key_ring.h).
#include <sealstate/key_ring.h>

#include <array>

#include "text/go_quote.h"

namespace sealstate {
namespace {

struct SpecForm {
  std::string_view prefix;      // "env:" ... or a whole word ("passphrase")
  std::string_view key_source;  // the registry name
  std::string_view field;       // the config field the rest of the spec fills ("" for none)
};

constexpr std::array<SpecForm, 6> kForms{{
    {"env:", "env-key", "env-var"},
    {"file:", "key-file", "path"},
    {"passphrase", "passphrase", ""},
    {"command:", "command", "command"},
    {"pub:", "box-public", "public-key"},
    {"box-file:", "box-key-file", "path"},
}};

Status UnknownForm(std::string_view spec) {
  return Status::InvalidArgument("key spec " + internal::GoQuote(spec) +
                                 ": unknown form; use one of env:VAR, file:PATH, passphrase, command:CMD, "
                                 "pub:BASE64, box-file:PATH (a spec names where a key is, never the key)");
}

}  // namespace

Result<KeySpec> ParseKeySpec(std::string_view spec) {
  for (const SpecForm& form : kForms) {
    if (form.field.empty()) {
      if (spec == form.prefix) return KeySpec{std::string(form.key_source), JsonObject()};
      continue;
    }
    if (!spec.starts_with(form.prefix)) continue;
    const std::string_view value = spec.substr(form.prefix.size());
    if (value.empty()) return UnknownForm(spec);
    JsonObject config;
    config[std::string(form.field)] = std::string(value);
    return KeySpec{std::string(form.key_source), std::move(config)};
  }
  return UnknownForm(spec);
}

}  // namespace sealstate
