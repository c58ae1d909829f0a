// Encrypters: who holds the key, and how bytes are sealed with it.
//
// An Encrypter is chosen at run time by name through an EncrypterRegistry, so an embedding
// application can register its own (a KMS, an HSM) beside the built-ins:
//   noop      pass-through, for tests; files it seals say "noop" and hold plaintext
//   env-key   a 32-byte key, standard base64, in a named environment variable (config "env-var")
//   key-file  the same key text read from a file (config "path") that group and others cannot
//             read (mode 0600 or stricter)
//   passphrase   a key derived from a passphrase with Argon2id (config "file", optional)
//   command      a key printed by, or data keys wrapped by, an operator's command (config "command")
//   box-public   data keys sealed for an X25519 public key (config "public-key"); cannot open
//   box-key-file the matching X25519 secret key from a file (config "path"); seals and opens
// The last four only wrap data keys (v2 envelopes and later): their Encrypt/Decrypt return
// kUnsupported, so they cannot write or read unobin v1 envelopes.
// Key material stays in SecretBytes; Describe() never contains it.
//
// Thread safety: Encrypter methods are const and safe to call concurrently. The registry is
// safe for concurrent Create/Names once registration is finished.
#pragma once

#include <sealstate/export.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/json.h>
#include <sealstate/secret.h>
#include <sealstate/status.h>

namespace sealstate {

// What an encrypter tells the world about itself; written in plaintext in envelope headers, so
// it must never hold a secret.
struct EncrypterDescription {
  std::string key_source;  // the registry name: "noop", "env-key", "key-file", ...
  JsonObject config;       // non-secret configuration, e.g. {"env-var": "SEALSTATE_KEY"}
  // A short fingerprint of the key (16 lower-case hex digits): BLAKE2b keyed with the key over
  // a fixed label, so it identifies the key without revealing it. Empty for noop.
  std::string key_id;
  friend bool operator==(const EncrypterDescription&, const EncrypterDescription&) = default;
};

class SEALSTATE_EXPORT Encrypter {
 public:
  virtual ~Encrypter() = default;

  // Seals `plaintext`, authenticating `associated_data` with it. The output is self-contained
  // (nonce, ciphertext, tag) and uses a fresh random nonce on every call. For env-key and
  // key-file this is unobin's AES-256-GCM: nonce(12) || ciphertext || tag(16).
  // Errors: kUnsupported if the cipher is unavailable on this CPU; kInternal.
  virtual Result<std::string> Encrypt(std::string_view plaintext, std::string_view associated_data) const = 0;

  // Opens what Encrypt produced with the same associated data. Errors: kIntegrity when the
  // input does not authenticate (wrong key, tampering or a different associated data; the
  // message is unobin's "cipher: message authentication failed"), or is too short
  // ("env-key encrypter: ciphertext shorter than nonce"); kUnsupported as for Encrypt.
  virtual Result<std::string> Decrypt(std::string_view ciphertext, std::string_view associated_data) const = 0;

  // Key source name, non-secret config and key id. Called after Encrypt when sealing, so an
  // encrypter may report details it resolved while encrypting.
  virtual EncrypterDescription Describe() const = 0;

  // True only for pass-through encrypters (noop): their output is the plaintext.
  virtual bool is_plaintext() const { return false; }

  // Wraps a per-file data key for a v2 envelope. The default calls Encrypt; the built-in key
  // encrypters use XChaCha20-Poly1305 instead, so v2 works on CPUs without AES-NI.
  virtual Result<std::string> WrapKey(const SecretBytes& data_key, std::string_view associated_data) const;

  // Inverse of WrapKey. Errors as for Decrypt.
  virtual Result<SecretBytes> UnwrapKey(std::string_view wrapped, std::string_view associated_data) const;

  // Whether a header entry naming `key_id`, with the wrapped data key `wrapped` (empty when the
  // header does not carry it: v2), is this key's, so readers pick entries without trying them.
  // The default compares `key_id` with Describe().key_id. An encrypter whose key id depends on
  // what the wrap carries (passphrase: its salt) works it out from the wrap instead, and may
  // adopt what it learns for the wraps it makes next (see NewPassphraseEncrypter).
  virtual bool OwnsWrap(std::string_view key_id, std::string_view wrapped) const;

  // A 32-byte subkey for another purpose than sealing (e.g. the journal's MACs), derived from
  // the key and `label` so that it reveals nothing about the key nor about other labels' subkeys:
  // for env-key and key-file, BLAKE2b-256 keyed with the key over the label. The same key and
  // label always give the same subkey. This default, for encrypters that hold no key (noop) or
  // cannot derive one (a KMS that never releases its key), is kUnsupported: what would be
  // authenticated with it is then written unauthenticated, and says so.
  virtual Result<SecretBytes> DeriveKey(std::string_view label) const;
};

// The pass-through encrypter. Describe() is exactly {key_source "noop", no config, no key id}.
SEALSTATE_EXPORT std::unique_ptr<Encrypter> NewNoopEncrypter();

// Reads the key from environment variable `env_var` now (not on each call). Errors, with
// unobin's exact text (kInvalidArgument):
//   env-key encrypter: VAR is not set                      (unset or empty)
//   env-key encrypter: VAR is not valid base64: illegal base64 data at input byte N
//   env-key encrypter: VAR decodes to N bytes, want 32
SEALSTATE_EXPORT Result<std::unique_ptr<Encrypter>> NewEnvKeyEncrypter(std::string env_var);

// Reads the key (standard base64 text, surrounding whitespace ignored) from `path`.
// Errors: kNotFound / kIoError naming the path; kInvalidArgument if the file is not a regular
// file, is readable or writable by group or others ("chmod 600 PATH"), or holds a bad key
// (messages as for env-key, with "key-file encrypter: PATH").
SEALSTATE_EXPORT Result<std::unique_ptr<Encrypter>> NewKeyFileEncrypter(std::string path);

// A fresh random 32-byte key as standard padded base64 (what `sealstate keygen` prints).
SEALSTATE_EXPORT Result<std::string> GenerateKeyBase64();

// The passphrase key source. The passphrase comes from `file` when it is not empty (one line; the
// trailing line ending is not part of it; the same permission rules as key-file), else from the
// environment variable SEALSTATE_PASSPHRASE, else it is typed on the controlling terminal
// (/dev/tty) with echo off. Argon2id (about a second) runs when first needed, once per salt: the
// key id is a fingerprint of its output, so it depends on the salt. Each stack has its own random
// salt: the encrypter takes the salt of the first wrap it recognises as its own (OwnsWrap, as
// readers and the commit's key check do with current), else, when it first wraps or describes
// itself, a fresh random one (see src/encrypters/passphrase_encrypter.h). Wraps carry their
// Argon2id salt and parameters; reading one that asks for more than 4 passes or 1 GiB is refused
// (kIntegrity naming the limit). Errors: as key-file for the file; kInvalidArgument for an empty
// passphrase or when there is no passphrase and no terminal.
SEALSTATE_EXPORT Result<std::unique_ptr<Encrypter>> NewPassphraseEncrypter(std::string file);

// The box-public key source: seals data keys for the X25519 public key given as standard base64
// (not secret). It cannot open them: UnwrapKey returns kWrongKey. Key id: a BLAKE2b fingerprint
// of the public key, the same as box-key-file's for the matching secret key. Errors:
// kInvalidArgument for text that is not base64 of 32 bytes.
SEALSTATE_EXPORT Result<std::unique_ptr<Encrypter>> NewBoxPublicEncrypter(std::string public_key_base64);

// The box-key-file key source: the X25519 secret key (base64, as `sealstate keygen --box`
// writes it) from `path`, with key-file's permission rules; seals and opens.
SEALSTATE_EXPORT Result<std::unique_ptr<Encrypter>> NewBoxKeyFileEncrypter(std::string path);

// A fresh X25519 key pair for box-public / box-key-file, as standard padded base64.
struct BoxKeyPair {
  std::string secret_key_base64;  // the content of a box-key-file: never print it by accident
  std::string public_key_base64;  // box-public's "public-key"
  std::string key_id;             // the key id both report
};
SEALSTATE_EXPORT Result<BoxKeyPair> GenerateBoxKeyPair();

// How the command key source talks to its command (see NewCommandEncrypter).
struct CommandOptions {
  std::string command;       // run as /bin/sh -c COMMAND
  int timeout_seconds = 30;  // the child is killed after this long; 1 to 3600
};

// The command key source. Runs `options.command` now with SEALSTATE_KEY_OPERATION=key in its
// environment, stdin empty. The command either
//   prints a key (standard base64 of 32 bytes, like a key file): the encrypter then works like
//     key-file with that key (its key id is the key's fingerprint, as for key-file); or
//   prints the line "sealstate-wrap-command v1 key-id=ID" (ID: 1 to 128 characters of
//     [A-Za-z0-9._:/@+-], e.g. a KMS key name): it wraps and unwraps itself. WrapKey runs the
//     command with SEALSTATE_KEY_OPERATION=wrap and writes a base64 text to its stdin (a hash of
//     the associated data and the data key), and stores what it prints (at most 64 KiB, trimmed);
//     UnwrapKey runs it with SEALSTATE_KEY_OPERATION=unwrap, writes that text back to its stdin
//     and expects the base64 text it was given when wrapping. The key id is a BLAKE2b
//     fingerprint of ID.
// No key is ever in the command's argv or environment (SEALSTATE_KEY and SEALSTATE_PASSPHRASE
// are removed from the environment it inherits). Errors: kInvalidArgument naming the command
// for a non-zero exit, a signal, a timeout, more than 64 KiB of output, or output that is
// neither a key nor the line above, with the command's stderr (at most 4 KiB) in the message.
SEALSTATE_EXPORT Result<std::unique_ptr<Encrypter>> NewCommandEncrypter(CommandOptions options);

// Creates an encrypter from its registry name and configuration.
using EncrypterFactory = std::function<Result<std::unique_ptr<Encrypter>>(const JsonObject& config)>;

// A name -> factory table. A plain object, not a global: pass it where encrypters are made.
class SEALSTATE_EXPORT EncrypterRegistry {
 public:
  // An empty registry.
  EncrypterRegistry() = default;
  // A registry holding noop (no config), env-key ("env-var", required), key-file ("path",
  // required), passphrase ("file", optional), command ("command" required, "timeout-seconds"
  // optional, a number), box-public ("public-key", required) and box-key-file ("path",
  // required).
  static EncrypterRegistry WithBuiltins();

  // Adds a factory. Errors: kAlreadyExists if the name is taken; kInvalidArgument if the name
  // is empty or the factory is null.
  Status Register(std::string name, std::string description, EncrypterFactory factory);

  // Errors: kInvalidArgument "encryption: no key-source named "x"; available: a, b, c" for an
  // unknown name, or whatever the factory returns (the built-ins reject unknown config fields:
  // "encryption: "noop" accepts no configuration fields",
  // "encryption: env-key: unknown configuration field "x" (known: env-var)").
  Result<std::unique_ptr<Encrypter>> Create(std::string_view name, const JsonObject& config) const;

  // Registered names, sorted.
  std::vector<std::string> Names() const;
  // The description given at registration, or empty for an unknown name.
  std::string Description(std::string_view name) const;

 private:
  struct Kind {
    std::string description;
    EncrypterFactory factory;
  };
  std::map<std::string, Kind, std::less<>> kinds_;
};

}  // namespace sealstate
