// keygen: print a fresh random base64 32-byte key, or (--box) a fresh X25519 key pair for
// box-public / box-key-file. The only command that prints key material.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include <sealstate/encrypter.h>

#include "cli/commands.h"
#include "io/env.h"
#include "io/unique_fd.h"

namespace sealstate::cli {
namespace {

struct KeygenOptions {
  bool box = false;
  std::string secret_out;  // --secret-out PATH; empty: stdout (never a terminal)
};

int RunKeygen(const Output& out) {
  auto key = GenerateKeyBase64();
  if (!key.ok()) return out.Fail(key.status());
  out.Line(*key);
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("key");
    w.String(*key);
    w.EndObject();
  });
  return 0;
}

// Creates `path` (never replacing a file) with mode 0600 holding `secret` and a newline, synced.
Status WriteSecretKeyFile(const std::string& path, const std::string& secret) {
  internal::Env& env = *internal::Env::Default();
  SEALSTATE_ASSIGN_OR_RETURN(int fd, env.Open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  internal::UniqueFd file(env, fd, path);
  SEALSTATE_RETURN_IF_ERROR(env.Chmod(fd, 0600, path));  // whatever the umask
  SEALSTATE_RETURN_IF_ERROR(env.Write(fd, secret + "\n", path).status());
  SEALSTATE_RETURN_IF_ERROR(env.Fsync(fd, path));
  return file.Close();
}

int RunBoxKeygen(const KeygenOptions& options, const Output& out) {
  const bool to_stdout = options.secret_out.empty();
  if (to_stdout && isatty(STDOUT_FILENO) == 1) {
    return out.Usage(
        "keygen --box: refusing to show the secret key on the terminal; give --secret-out PATH (created with "
        "mode 0600) or redirect stdout to a file");
  }
  auto pair = GenerateBoxKeyPair();
  if (!pair.ok()) return out.Fail(pair.status());
  if (!to_stdout) {
    const Status written = WriteSecretKeyFile(options.secret_out, pair->secret_key_base64);
    if (!written.ok()) return out.Fail(written.WithPrefix("keygen --box: "));
    out.Line(pair->public_key_base64);
  } else {
    out.Line(pair->secret_key_base64);
    std::fprintf(stderr, "public key: %s (key id %s)\n", pair->public_key_base64.c_str(), pair->key_id.c_str());
  }
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    if (to_stdout) {
      w.Key("secret-key");
      w.String(pair->secret_key_base64);
    } else {
      w.Key("secret-key-file");
      w.String(options.secret_out);
    }
    w.Key("public-key");
    w.String(pair->public_key_base64);
    w.Key("key-id");
    w.String(pair->key_id);
    w.EndObject();
  });
  return 0;
}

}  // namespace

void RegisterKeygen(CLI::App& app, CommandContext& context) {
  CLI::App* command = app.add_subcommand("keygen", "Print a fresh random base64 32-byte key (or --box: a key pair)");
  auto options = std::make_shared<KeygenOptions>();
  command->add_flag("--box", options->box,
                    "An X25519 key pair for box-public/box-key-file: the secret key on stdout (never a terminal) "
                    "or in --secret-out, the public key on stderr (or stdout with --secret-out)");
  command
      ->add_option("--secret-out", options->secret_out, "With --box: create this file (mode 0600) for the secret key")
      ->type_name("PATH");
  SetCommand(command, context, [options](const GlobalOptions&, const Output& out) {
    if (!options->box && !options->secret_out.empty()) return out.Usage("keygen: --secret-out needs --box");
    return options->box ? RunBoxKeygen(*options, out) : RunKeygen(out);
  });
}

}  // namespace sealstate::cli
