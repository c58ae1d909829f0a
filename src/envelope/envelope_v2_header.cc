#include "envelope/envelope_v2_header.h"

#include <sealstate/names.h>

#include "crypto/base64.h"
#include "json/go_json_writer.h"
#include "json/json_fields.h"
#include "json/json_reader.h"

namespace sealstate::internal {
namespace {

Status Malformed(std::string_view what) {
  return Status::Integrity("envelope: malformed v2 header: " + std::string(what));
}

Status CheckVersion(const JsonObject& object) {
  std::int64_t version = 0;
  Status read = RequiredFields(object).Int("envelope-version", version);
  if (!read.ok()) return Malformed(read.message());
  if (version != kEnvelopeV2 && version != kEnvelopeV3) {
    return Status::Format("envelope: unsupported envelope-version " + std::to_string(version) +
                          " (this build expects 1, 2 or 3)");
  }
  return Status::OK();
}

Status ReadEncrypter(const RequiredFields& fields, EnvelopeHeader& header) {
  JsonObject encrypter;
  SEALSTATE_RETURN_IF_ERROR(fields.Object("encrypter", encrypter));
  const RequiredFields inner(encrypter);
  SEALSTATE_RETURN_IF_ERROR(inner.OnlyKeys({"name", "config"}));
  SEALSTATE_RETURN_IF_ERROR(inner.String("name", header.encrypter_name));
  return inner.Object("config", header.encrypter_config);
}

// The optional "parent" member: absent is no parent; anything else must be {rev, blake2b}.
Status ReadParent(const JsonObject& object, EnvelopeHeader& header) {
  if (object.find("parent") == object.end()) return Status::OK();
  JsonObject parent;
  SEALSTATE_RETURN_IF_ERROR(RequiredFields(object).Object("parent", parent));
  const RequiredFields inner(parent);
  SEALSTATE_RETURN_IF_ERROR(inner.OnlyKeys({"rev", "blake2b"}));
  EnvelopeParent read;
  SEALSTATE_RETURN_IF_ERROR(inner.String("rev", read.rev));
  SEALSTATE_RETURN_IF_ERROR(inner.String("blake2b", read.blake2b));
  SEALSTATE_RETURN_IF_ERROR(ValidateName("parent revision", read.rev));
  if (!IsLowerHexDigest(read.blake2b)) return Status::Integrity("parent \"blake2b\" is not 64 lower-case hex digits");
  header.parent = std::move(read);
  return Status::OK();
}

Status ReadRecipient(const Json& entry, WrappedDataKey& recipient) {
  if (entry.type() != Json::Type::kObject) return Status::Integrity("a recipient is not an object");
  const RequiredFields inner(entry.as_object());
  SEALSTATE_RETURN_IF_ERROR(inner.OnlyKeys({"key-source", "config", "key-id", "wrapped"}));
  SEALSTATE_RETURN_IF_ERROR(inner.String("key-source", recipient.key_source));
  SEALSTATE_RETURN_IF_ERROR(inner.Object("config", recipient.config));
  SEALSTATE_RETURN_IF_ERROR(inner.String("key-id", recipient.key_id));
  std::string wrapped;
  SEALSTATE_RETURN_IF_ERROR(inner.String("wrapped", wrapped));
  Result<std::string> decoded = Base64Decode(wrapped);
  if (!decoded.ok()) return decoded.status().WithPrefix("\"wrapped\" is not base64: ");
  recipient.wrapped = std::move(*decoded);
  return Status::OK();
}

Status ReadRecipients(const JsonObject& object, EnvelopeHeader& header) {
  const auto found = object.find("recipients");
  if (found == object.end() || found->second.type() != Json::Type::kArray) {
    return Status::Integrity("\"recipients\" is missing or not an array");
  }
  const JsonArray& entries = found->second.as_array();
  if (entries.size() > kV3MaxRecipients) {
    return Status::Integrity("more than " + std::to_string(kV3MaxRecipients) + " recipients");
  }
  for (const Json& entry : entries) {
    SEALSTATE_RETURN_IF_ERROR(ReadRecipient(entry, header.recipients.emplace_back()));
  }
  return RequiredFields(object).String("recipients-mac", header.recipients_mac);
}

// The keys that carry the data key: v2's encrypter and key-id, or v3's recipients.
Status ReadKeyFields(const JsonObject& object, EnvelopeHeader& header) {
  const RequiredFields fields(object);
  if (header.envelope_version == kEnvelopeV3) {
    SEALSTATE_RETURN_IF_ERROR(
        fields.OnlyKeys({"envelope-version", "payload-type", "recipients", "recipients-mac", "cipher", "chunk-size",
                         "compression", "factory", "stack", "rev", "parent"}));
    return ReadRecipients(object, header);
  }
  SEALSTATE_RETURN_IF_ERROR(fields.OnlyKeys({"envelope-version", "payload-type", "encrypter", "key-id", "cipher",
                                             "chunk-size", "compression", "factory", "stack", "rev", "parent"}));
  SEALSTATE_RETURN_IF_ERROR(ReadEncrypter(fields, header));
  return fields.String("key-id", header.key_id);
}

Status ReadFields(const JsonObject& object, EnvelopeHeader& header) {
  const RequiredFields fields(object);
  SEALSTATE_RETURN_IF_ERROR(fields.Int("envelope-version", header.envelope_version));
  SEALSTATE_RETURN_IF_ERROR(fields.String("payload-type", header.payload_type));
  SEALSTATE_RETURN_IF_ERROR(ReadKeyFields(object, header));
  SEALSTATE_RETURN_IF_ERROR(fields.String("cipher", header.cipher));
  SEALSTATE_RETURN_IF_ERROR(fields.Count("chunk-size", header.chunk_size));
  SEALSTATE_RETURN_IF_ERROR(fields.String("compression", header.compression));
  SEALSTATE_RETURN_IF_ERROR(fields.String("factory", header.factory));
  SEALSTATE_RETURN_IF_ERROR(fields.String("stack", header.stack));
  SEALSTATE_RETURN_IF_ERROR(fields.String("rev", header.rev));
  return ReadParent(object, header);
}

void WriteRecipients(GoJsonWriter& w, const EnvelopeHeader& header) {
  w.Key("recipients");
  w.StartArray();
  for (const WrappedDataKey& recipient : header.recipients) {
    w.StartObject();
    w.Key("key-source");
    w.String(recipient.key_source);
    w.Key("config");
    w.Value(Json(recipient.config));
    w.Key("key-id");
    w.String(recipient.key_id);
    w.Key("wrapped");
    w.String(Base64Encode(recipient.wrapped));
    w.EndObject();
  }
  w.EndArray();
  w.Key("recipients-mac");
  w.String(header.recipients_mac);
}

void WriteEncrypter(GoJsonWriter& w, const EnvelopeHeader& header) {
  w.Key("encrypter");
  w.StartObject();
  w.Key("name");
  w.String(header.encrypter_name);
  w.Key("config");
  w.Value(Json(header.encrypter_config));
  w.EndObject();
  w.Key("key-id");
  w.String(header.key_id);
}

}  // namespace

bool IsLowerHexDigest(std::string_view digest) {
  return digest.size() == 2 * kParentDigestBytes &&
         digest.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string EncodeV2Header(const EnvelopeHeader& header) {
  std::string out;
  StringSink sink(out);
  GoJsonWriter w(sink, GoJsonWriter::Style::kCompact);
  w.StartObject();
  w.Key("envelope-version");
  w.Int(header.envelope_version);
  w.Key("payload-type");
  w.String(header.payload_type);
  if (header.envelope_version == kEnvelopeV3) {
    WriteRecipients(w, header);
  } else {
    WriteEncrypter(w, header);
  }
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
  if (header.parent) {
    w.Key("parent");
    w.StartObject();
    w.Key("rev");
    w.String(header.parent->rev);
    w.Key("blake2b");
    w.String(header.parent->blake2b);
    w.EndObject();
  }
  w.EndObject();
  (void)w.Finish();  // a StringSink never fails
  return out;
}

Result<EnvelopeHeader> ParseV2Header(std::string_view line) {
  Result<Json> parsed = ParseJson(line);
  if (!parsed.ok()) return Malformed(parsed.status().message());
  if (parsed->type() != Json::Type::kObject) return Malformed("not a JSON object");
  SEALSTATE_RETURN_IF_ERROR(CheckVersion(parsed->as_object()));
  EnvelopeHeader header;
  Status read = ReadFields(parsed->as_object(), header);
  if (!read.ok()) return Malformed(read.message());
  if (header.envelope_version == kEnvelopeV3 && EncodeV2Header(header) != line) {
    return Malformed("not in canonical form (a v3 header is exactly what sealstate writes)");
  }
  if (header.envelope_version == kEnvelopeV3 && header.cipher != kCipherNone && header.recipients.empty()) {
    return Malformed("an encrypted v3 file names no recipients");
  }
  return header;
}

std::string V3PayloadAssociatedData(const EnvelopeHeader& header) {
  EnvelopeHeader sealed = header;
  sealed.recipients.clear();
  sealed.recipients_mac.clear();
  return EncodeV2Header(sealed);
}

std::string V3RecipientsMacInput(const EnvelopeHeader& header) {
  EnvelopeHeader covered = header;
  covered.recipients_mac.clear();
  return EncodeV2Header(covered);
}

}  // namespace sealstate::internal
