// unobin's v1 envelope: pretty JSON around a base64 ciphertext. See envelope.h for the contract
// and man/sealstate-format.5.scd for the layout.
#include <sealstate/envelope.h>

#include <charconv>

#include "crypto/base64.h"
#include "envelope/encrypter_checks.h"
#include "envelope/v1_ciphertext_source.h"
#include "json/go_json_writer.h"
#include "json/json_reader.h"

namespace sealstate {
namespace {

// The fields of a parsed v1 envelope. `has_ref` is false when "encrypter" is absent or null.
struct V1Envelope {
  std::int64_t version = 0;
  std::string payload_type;
  bool has_ref = false;
  std::string ref_name;
  JsonObject ref_body;
  std::string ciphertext;
};

Status Malformed(std::string_view what) { return Status::Integrity("envelope: " + std::string(what)); }

Status ReadVersion(const JsonObject& root, V1Envelope& out) {
  const auto it = root.find("envelope-version");
  if (it == root.end() || it->second.is_null()) return Status::OK();  // missing reads as 0
  if (it->second.type() != Json::Type::kInt) return Malformed("\"envelope-version\" must be an integer");
  out.version = it->second.as_int();
  return Status::OK();
}

Status ReadString(const JsonObject& object, std::string_view key, std::string& out) {
  const auto it = object.find(key);
  if (it == object.end() || it->second.is_null()) return Status::OK();
  if (it->second.type() != Json::Type::kString) return Malformed("\"" + std::string(key) + "\" must be a string");
  out = it->second.as_string();
  return Status::OK();
}

Status ReadRef(const JsonObject& root, V1Envelope& out) {
  const auto it = root.find("encrypter");
  if (it == root.end() || it->second.is_null()) return Status::OK();
  if (it->second.type() != Json::Type::kObject) return Malformed("\"encrypter\" must be an object");
  const JsonObject& ref = it->second.as_object();
  out.has_ref = true;
  SEALSTATE_RETURN_IF_ERROR(ReadString(ref, "name", out.ref_name));
  const auto body = ref.find("body");
  if (body == ref.end() || body->second.is_null()) return Status::OK();
  if (body->second.type() != Json::Type::kObject) return Malformed("\"encrypter.body\" must be an object");
  out.ref_body = body->second.as_object();
  return Status::OK();
}

// The ciphertext the source took out as it streamed past, or else the member's value as parsed
// (a key written with escapes is not taken out). The parser sees a taken-out value as "": if a
// later escaped key repeats the member with "" itself, the taken-out text is read instead (no
// writer produces such a file; it is then an error either way unless the text was valid).
Status ReadCiphertext(const JsonObject& root, internal::V1CiphertextSource& source, V1Envelope& out) {
  const auto it = root.find("ciphertext");
  const bool taken_out = source.diverted() && it != root.end() && it->second.type() == Json::Type::kString &&
                         it->second.as_string().empty();
  Result<std::string> bytes = taken_out ? source.TakeCiphertext() : std::string();
  if (!taken_out) {
    std::string text;
    SEALSTATE_RETURN_IF_ERROR(ReadString(root, "ciphertext", text));
    bytes = internal::Base64Decode(text);
  }
  if (!bytes.ok()) return Malformed(bytes.status().message());
  out.ciphertext = std::move(*bytes);
  return Status::OK();
}

// The parser's "invalid JSON at byte N" counts the bytes it saw, without the ciphertext's text:
// N as an offset in the file.
Status WithFileOffset(const Status& parse_error, const internal::V1CiphertextSource& source) {
  constexpr std::string_view kPrefix = "invalid JSON at byte ";
  const std::string& message = parse_error.message();
  if (message.rfind(kPrefix, 0) != 0) return parse_error;
  const char* const end = message.data() + message.size();
  std::size_t offset = 0;
  const auto [rest, error] = std::from_chars(message.data() + kPrefix.size(), end, offset);
  if (error != std::errc()) return parse_error;
  return Status::Integrity(std::string(kPrefix) + std::to_string(source.FileOffset(offset)) + std::string(rest, end));
}

// Parses the envelope as it is read: neither the file nor the ciphertext's base64 text is held.
Result<V1Envelope> ParseV1(ByteSource& in) {
  internal::V1CiphertextSource source(in);
  Result<Json> parsed = internal::ParseJson(source);
  if (!parsed.ok()) {
    if (parsed.status().code() != Code::kIntegrity) return parsed.status();
    return Malformed(WithFileOffset(parsed.status(), source).message());
  }
  if (parsed->type() != Json::Type::kObject) return Malformed("the envelope must be a JSON object");
  const JsonObject& root = parsed->as_object();
  V1Envelope out;
  SEALSTATE_RETURN_IF_ERROR(ReadVersion(root, out));
  SEALSTATE_RETURN_IF_ERROR(ReadString(root, "payload-type", out.payload_type));
  SEALSTATE_RETURN_IF_ERROR(ReadRef(root, out));
  SEALSTATE_RETURN_IF_ERROR(ReadCiphertext(root, source, out));
  return out;
}

// unobin's decrypt hint: " (sealed with NAME[ key-id|env-var VALUE])", or "" without a ref.
std::string DecryptHint(const V1Envelope& envelope) {
  if (!envelope.has_ref) return "";
  std::string hint = " (sealed with " + envelope.ref_name;
  for (const char* key : {"key-id", "env-var"}) {
    const auto it = envelope.ref_body.find(key);
    if (it == envelope.ref_body.end() || it->second.type() != Json::Type::kString) continue;
    if (it->second.as_string().empty()) continue;
    hint += " " + std::string(key) + " " + std::string(it->second.as_string());
    break;
  }
  return hint + ")";
}

void WriteV1(internal::GoJsonWriter& writer, std::string_view payload_type, const EncrypterDescription& description,
             std::string_view ciphertext) {
  writer.StartObject();
  writer.Key("envelope-version");
  writer.Int(kEnvelopeV1);
  writer.Key("payload-type");
  writer.String(payload_type);
  writer.Key("encrypter");
  writer.StartObject();
  writer.Key("name");
  writer.String(description.key_source);
  if (!description.config.empty()) {
    writer.Key("body");
    writer.Value(Json(description.config));
  }
  writer.EndObject();
  writer.Key("ciphertext");
  writer.String(internal::Base64Encode(ciphertext));
  writer.EndObject();
  writer.Raw("\n");
}

}  // namespace

Result<std::string> SealV1(std::string_view payload, std::string_view payload_type, const Encrypter& encrypter) {
  if (payload_type.empty()) return Status::InvalidArgument("envelope: payload-type is required");
  Result<std::string> ciphertext = encrypter.Encrypt(payload, "");
  if (!ciphertext.ok()) return ciphertext.status().WithPrefix("seal: encrypt: ");
  const EncrypterDescription description = encrypter.Describe();  // after Encrypt, as unobin
  std::string out;
  StringSink sink(out);
  internal::GoJsonWriter writer(sink, internal::GoJsonWriter::Style::kPretty);
  WriteV1(writer, payload_type, description, *ciphertext);
  SEALSTATE_RETURN_IF_ERROR(writer.Finish());
  return out;
}

Result<std::string> OpenV1(std::string_view envelope, std::string_view expected_type, const Encrypter& encrypter,
                           const OpenOptions& options) {
  StringSource source(envelope);
  return OpenV1(source, expected_type, encrypter, options);
}

Result<std::string> OpenV1(ByteSource& in, std::string_view expected_type, const Encrypter& encrypter,
                           const OpenOptions& options) {
  SEALSTATE_ASSIGN_OR_RETURN(V1Envelope parsed, ParseV1(in));
  if (parsed.version != kEnvelopeV1) {
    return Status::Format("envelope: unsupported envelope-version " + std::to_string(parsed.version) +
                          " (this build expects 1)");
  }
  if (!expected_type.empty() && !parsed.payload_type.empty() && parsed.payload_type != expected_type) {
    return Status::Integrity("envelope: payload-type " + parsed.payload_type + ", expected " +
                             std::string(expected_type));
  }
  const std::string sealed_with = parsed.has_ref ? parsed.ref_name : std::string();
  const bool file_is_plaintext = sealed_with == "noop";
  SEALSTATE_RETURN_IF_ERROR(internal::CheckPlaintextRule(file_is_plaintext, sealed_with, encrypter, options));
  if (file_is_plaintext) return std::move(parsed.ciphertext);  // allowed plaintext: nothing to decrypt
  Result<std::string> plaintext = encrypter.Decrypt(parsed.ciphertext, "");
  if (!plaintext.ok()) {
    Status cause = plaintext.status();
    return cause.WithPrefix("open: decrypt: ").WithSuffix(DecryptHint(parsed));
  }
  return plaintext;
}

}  // namespace sealstate
