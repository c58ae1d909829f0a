#include "envelope/envelope_v2_header.h"

#include "json/go_json_writer.h"
#include "json/json_reader.h"

namespace sealstate::internal {
namespace {

Status Malformed(std::string_view what) {
  return Status::Integrity("envelope: malformed v2 header: " + std::string(what));
}

const Json* Field(const JsonObject& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &it->second;
}

Status TakeString(const JsonObject& object, std::string_view key, std::string& out) {
  const Json* value = Field(object, key);
  if (value == nullptr || value->type() != Json::Type::kString) {
    return Malformed("\"" + std::string(key) + "\" must be a string");
  }
  out = value->as_string();
  return Status::OK();
}

Status TakeUnsigned(const JsonObject& object, std::string_view key, std::uint64_t& out) {
  const Json* value = Field(object, key);
  if (value == nullptr || value->type() != Json::Type::kInt || value->as_int() < 0) {
    return Malformed("\"" + std::string(key) + "\" must be a non-negative integer");
  }
  out = static_cast<std::uint64_t>(value->as_int());
  return Status::OK();
}

Status TakeEncrypter(const JsonObject& object, EnvelopeHeader& header) {
  const Json* value = Field(object, "encrypter");
  if (value == nullptr || value->type() != Json::Type::kObject) return Malformed("\"encrypter\" must be an object");
  const JsonObject& encrypter = value->as_object();
  if (encrypter.size() != 2) return Malformed("\"encrypter\" must hold exactly \"name\" and \"config\"");
  SEALSTATE_RETURN_IF_ERROR(TakeString(encrypter, "name", header.encrypter_name));
  const Json* config = Field(encrypter, "config");
  if (config == nullptr || config->type() != Json::Type::kObject) {
    return Malformed("\"encrypter.config\" must be an object");
  }
  header.encrypter_config = config->as_object();
  return Status::OK();
}

Status CheckVersion(const JsonObject& object) {
  const Json* value = Field(object, "envelope-version");
  if (value == nullptr || value->type() != Json::Type::kInt) {
    return Malformed("\"envelope-version\" must be an integer");
  }
  if (value->as_int() != kEnvelopeV2) {
    return Status::Format("envelope: unsupported envelope-version " + std::to_string(value->as_int()) +
                          " (this build expects 1 or 2)");
  }
  return Status::OK();
}

constexpr std::string_view kKeys[] = {"envelope-version", "payload-type", "encrypter", "key-id", "cipher",
                                      "chunk-size", "compression", "factory", "stack", "rev"};

Status CheckNoUnknownKeys(const JsonObject& object) {
  for (const auto& [key, value] : object) {
    bool known = false;
    for (std::string_view k : kKeys) known = known || key == k;
    if (!known) return Malformed("unknown key " + GoQuote(key));
  }
  return Status::OK();
}

}  // namespace

std::string EncodeV2Header(const EnvelopeHeader& header) {
  std::string out;
  StringSink sink(out);
  GoJsonWriter w(sink, GoJsonWriter::Style::kCompact);
  w.StartObject();
  w.Key("envelope-version");
  w.Int(header.envelope_version);
  w.Key("payload-type");
  w.String(header.payload_type);
  w.Key("encrypter");
  w.StartObject();
  w.Key("name");
  w.String(header.encrypter_name);
  w.Key("config");
  w.Value(Json(header.encrypter_config));
  w.EndObject();
  w.Key("key-id");
  w.String(header.key_id);
  w.Key("cipher");
  w.String(header.cipher);
  w.Key("chunk-size");
  w.Uint(header.chunk_size);
  w.Key("compression");
  w.String(header.compression);
  w.Key("factory");
  w.String(header.factory);
  w.Key("stack");
  w.String(header.stack);
  w.Key("rev");
  w.String(header.rev);
  w.EndObject();
  (void)w.Finish();  // a StringSink never fails
  return out;
}

Result<EnvelopeHeader> ParseV2Header(std::string_view line) {
  Result<Json> parsed = ParseJson(line);
  if (!parsed.ok()) return Malformed(parsed.status().message());
  if (parsed->type() != Json::Type::kObject) return Malformed("not a JSON object");
  const JsonObject& object = parsed->as_object();
  SEALSTATE_RETURN_IF_ERROR(CheckVersion(object));
  SEALSTATE_RETURN_IF_ERROR(CheckNoUnknownKeys(object));
  EnvelopeHeader header;
  SEALSTATE_RETURN_IF_ERROR(TakeString(object, "payload-type", header.payload_type));
  SEALSTATE_RETURN_IF_ERROR(TakeEncrypter(object, header));
  SEALSTATE_RETURN_IF_ERROR(TakeString(object, "key-id", header.key_id));
  SEALSTATE_RETURN_IF_ERROR(TakeString(object, "cipher", header.cipher));
  SEALSTATE_RETURN_IF_ERROR(TakeUnsigned(object, "chunk-size", header.chunk_size));
  SEALSTATE_RETURN_IF_ERROR(TakeString(object, "compression", header.compression));
  SEALSTATE_RETURN_IF_ERROR(TakeString(object, "factory", header.factory));
  SEALSTATE_RETURN_IF_ERROR(TakeString(object, "stack", header.stack));
  SEALSTATE_RETURN_IF_ERROR(TakeString(object, "rev", header.rev));
  return header;
}

}  // namespace sealstate::internal
