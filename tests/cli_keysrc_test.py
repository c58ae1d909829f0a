#!/usr/bin/env python3
"""End-to-end tests of the key sources of issue 13 through `--encrypter NAME`: passphrase (from
SEALSTATE_PASSPHRASE, --passphrase-file or the terminal), command (a script that prints a key and
one that wraps and unwraps data keys) and box-public / box-key-file (keygen --box, seal with the
public key, reopen with the secret key file).

Usage: cli_keysrc_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import base64
import fcntl
import json
import os
import signal
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import EXE, SNAPSHOT, check, drain_pty  # noqa: E402


def write_file(path, text, mode):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def passphrase_env(passphrase):
    return {"SEALSTATE_ENCRYPTER": "passphrase", "SEALSTATE_PASSPHRASE": passphrase, "SEALSTATE_KEY": None}


def test_passphrase_from_environment_and_file(s):
    r = s.run("commit", stdin=json.dumps(SNAPSHOT), env=passphrase_env("correct horse battery staple"))
    check(r.returncode == 0, "commit with --encrypter passphrase and SEALSTATE_PASSPHRASE", r.stderr)
    rev = r.stdout.strip()
    with open(s.snapshot_path(rev), "rb") as f:
        header = json.loads(f.readline())
    recipients = header.get("recipients", [])
    check(len(recipients) == 1 and recipients[0]["key-source"] == "passphrase" and recipients[0]["config"] == {}
          and len(recipients[0]["key-id"]) == 16,
          "the header names the passphrase key source and its key id, and no passphrase", header)
    pass_file = write_file(os.path.join(s.root + "-pass"), "correct horse battery staple\n", 0o600)
    r = s.run("--encrypter", "passphrase", "--passphrase-file", pass_file, "show", env={"SEALSTATE_KEY": None})
    check(r.returncode == 0 and json.loads(r.stdout)["stack"] == SNAPSHOT["stack"],
          "show opens it with the same passphrase from --passphrase-file", r.stderr)
    r = s.run("show", env=passphrase_env("wrong passphrase"))
    check(r.returncode == 5 and "wrong key" in r.stderr, "a wrong passphrase is the wrong-key error, exit 5", r.stderr)
    check("correct horse" not in r.stderr + r.stdout and "wrong passphrase" not in r.stderr + r.stdout,
          "no passphrase appears in the output", r.stderr)
    os.chmod(pass_file, 0o644)
    r = s.run("--encrypter", "passphrase", "--passphrase-file", pass_file, "show", env={"SEALSTATE_KEY": None})
    check(r.returncode == 2 and "chmod 600" in r.stderr, "a passphrase file others can read is refused", r.stderr)
    r = s.run("show", env={"SEALSTATE_KEY": None, "SEALSTATE_ENCRYPTER": "env-key"})
    check(r.returncode == 2, "env-key without a key is still a usage error", r.stderr)


def passphrase_key_id_and_salt(path):
    """The key id and Argon2id salt of the passphrase wrap in a revision file's header."""
    with open(path, "rb") as f:
        entry = json.loads(f.readline())["recipients"][0]
    return entry["key-id"], base64.b64decode(entry["wrapped"])[9:25]  # after version, opslimit, memlimit


def test_passphrase_salt_per_stack(s):
    env = passphrase_env("one passphrase for two stacks")
    revs = []
    for _ in range(2):
        r = s.run("commit", stdin=json.dumps(SNAPSHOT), env=env)
        check(r.returncode == 0, "commit with a passphrase", r.stderr)
        revs.append(r.stdout.strip())
    first, second = (passphrase_key_id_and_salt(s.snapshot_path(rev)) for rev in revs)
    check(first == second, "a commit in another process keeps the salt and key id the stack's first one chose",
          (first, second))
    other_stack = "second-stack"
    s.globals[-1] = other_stack
    try:
        r = s.run("commit", stdin=json.dumps(dict(SNAPSHOT, stack=other_stack)), env=env)
        check(r.returncode == 0, "commit to a second stack with the same passphrase", r.stderr)
        path = os.path.join(s.root, cli_test.FACTORY, other_stack, "snapshots", r.stdout.strip() + ".json.enc")
        other = passphrase_key_id_and_salt(path)
    finally:
        s.globals[-1] = cli_test.STACK
    check(other[1] != first[1] and other[0] != first[0],
          "another stack gets its own random salt, so the same passphrase has another key id there", (first, other))
    r = s.run("show", revs[0], env=env)
    check(r.returncode == 0, "the first stack still opens with the passphrase", r.stderr)


def test_passphrase_without_terminal(s):
    env = dict(s.env)
    env.pop("SEALSTATE_KEY", None)
    r = subprocess.run([EXE] + s.globals + ["--encrypter", "passphrase", "show"], env=env, capture_output=True,
                       text=True, timeout=60, start_new_session=True, stdin=subprocess.DEVNULL)
    check(r.returncode == 2 and "no passphrase" in r.stderr and "SEALSTATE_PASSPHRASE" in r.stderr,
          "with no passphrase and no terminal the error says where a passphrase can come from", r.stderr)


def run_on_terminal(s, args, type_text=None, send_signal=None):
    """Runs sealstate with a new pseudo-terminal as its controlling terminal. Types `type_text` after
    the prompt, or sends `send_signal`. Returns (exit status, terminal output, echo on afterwards)."""
    leader, follower = os.openpty()
    env = dict(s.env)
    env.pop("SEALSTATE_KEY", None)

    def take_terminal():
        os.setsid()
        fcntl.ioctl(follower, termios.TIOCSCTTY, 0)

    process = subprocess.Popen([EXE] + s.globals + args, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=take_terminal)
    seen = b""
    deadline = time.monotonic() + 60
    while b"passphrase: " not in seen and time.monotonic() < deadline:
        seen += os.read(leader, 4096)
    time.sleep(0.2)  # the prompt is written just before echo goes off
    if type_text is not None:
        os.write(leader, type_text.encode())
    if send_signal is not None:
        process.send_signal(send_signal)
    out, err = process.communicate(timeout=60)
    echo_on = bool(termios.tcgetattr(follower)[3] & termios.ECHO)
    os.close(follower)
    seen += drain_pty(leader)
    return process.returncode, seen, echo_on, out.decode(), err.decode()


def test_passphrase_from_terminal(s):
    r = s.run("commit", stdin=json.dumps(SNAPSHOT), env=passphrase_env("typed secret"))
    check(r.returncode == 0, "commit with a passphrase", r.stderr)
    status, seen, echo_on, out, err = run_on_terminal(s, ["--encrypter", "passphrase", "show"], "typed secret\n")
    check(status == 0 and SNAPSHOT["stack"] in out, "show opens it with the passphrase typed on the terminal", err)
    check(b"typed secret" not in seen, "the typed passphrase is not echoed", seen)
    check(echo_on, "echo is on again afterwards")
    status, seen, echo_on, out, err = run_on_terminal(s, ["--encrypter", "passphrase", "show"],
                                                      send_signal=signal.SIGTERM)
    check(status == -signal.SIGTERM, "SIGTERM at the prompt ends sealstate by that signal", (status, err))
    check(echo_on, "and the terminal has echo on again")


def kms_script(s):
    """A "KMS" that wraps by reversing its input; it logs nothing."""
    return write_file(os.path.join(os.path.dirname(s.root), "kms.sh"),
                      "case \"$SEALSTATE_KEY_OPERATION\" in\n"
                      "  key) echo 'sealstate-wrap-command v1 key-id=test/kms-1' ;;\n"
                      "  wrap) printf 'kms:'; rev ;;\n"
                      "  unwrap) cut -c5- | rev ;;\n"
                      "esac\n", 0o700)


def test_command_that_prints_a_key(s):
    script = write_file(os.path.join(os.path.dirname(s.root), "print-key.sh"), f"echo '{s.key}'\n", 0o700)
    r = s.run("--encrypter", "command", "--key-command", "sh " + script, "commit", stdin=json.dumps(SNAPSHOT),
              env={"SEALSTATE_KEY": None})
    check(r.returncode == 0, "commit with a command that prints the key", r.stderr)
    r = s.run("show")
    check(r.returncode == 0, "the same key given as env-key opens it (same key id)", r.stderr)
    r = s.run("--encrypter", "command", "--key-command", "echo 'pass: no such entry' >&2; exit 1", "show")
    check(r.returncode == 2 and "exited with status 1" in r.stderr and "pass: no such entry" in r.stderr,
          "a failing command is an error naming it, with its stderr", r.stderr)
    r = s.run("--encrypter", "command", "show")
    check(r.returncode == 2 and "--key-command is required" in r.stderr, "command needs --key-command", r.stderr)


def test_command_that_wraps_and_unwraps(s):
    command = "sh " + kms_script(s)
    r = s.run("--encrypter", "command", "--key-command", command, "commit", stdin=json.dumps(SNAPSHOT),
              env={"SEALSTATE_KEY": None})
    check(r.returncode == 0, "commit with a wrap command", r.stderr)
    rev = r.stdout.strip()
    with open(s.snapshot_path(rev), "rb") as f:
        header = json.loads(f.readline())
    wrapped = [base64.b64decode(r["wrapped"]) for r in header.get("recipients", [])]
    check(len(wrapped) == 1 and wrapped[0].startswith(b"kms:"),
          "the file's wrap entry holds what the command printed when wrapping", header)
    r = s.run("--encrypter", "command", "--key-command", command, "show", env={"SEALSTATE_KEY": None})
    check(r.returncode == 0 and json.loads(r.stdout)["stack"] == SNAPSHOT["stack"],
          "show unwraps through the command", r.stderr)
    r = s.run("show")
    check(r.returncode == 5, "an env-key key does not open it", r.stderr)


def test_box_keygen_seal_and_reopen(s):
    secret = os.path.join(os.path.dirname(s.root), "box.key")
    r = s.run("keygen", "--box", "--secret-out", secret)
    check(r.returncode == 0 and os.stat(secret).st_mode & 0o777 == 0o600,
          "keygen --box --secret-out creates the secret key file with mode 0600", r.stderr)
    public = r.stdout.strip()
    with open(secret) as f:
        check(f.read().strip() not in r.stdout + r.stderr, "the secret key is not printed")
    r = s.run("keygen", "--box", "--secret-out", secret)
    check(r.returncode != 0 and "exists" in r.stderr, "keygen --box never replaces a secret key file", r.stderr)
    r = s.run("--encrypter", "box-public", "--box-public-key", public, "commit", stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 0, "commit sealed for the public key only", r.stderr)
    r = s.run("--encrypter", "box-public", "--box-public-key", public, "show")
    check(r.returncode == 5 and "box-key-file" in r.stderr, "the public key cannot open it (exit 5)", r.stderr)
    r = s.run("--encrypter", "box-key-file", "--box-key-file", secret, "show")
    check(r.returncode == 0 and json.loads(r.stdout)["stack"] == SNAPSHOT["stack"],
          "the secret key file opens it", r.stderr)
    r = s.run("keygen", "--box", "--json")
    doc = json.loads(r.stdout)
    check(r.returncode == 0 and set(doc) == {"secret-key", "public-key", "key-id"} and "public key:" in r.stderr,
          "keygen --box --json to a pipe: the pair in the document, the public key also on stderr", r)
    r = s.run("keygen", "--secret-out", secret + "2")
    check(r.returncode == 2 and not os.path.exists(secret + "2"), "--secret-out needs --box", r.stderr)


def test_box_keygen_refuses_a_terminal(s):
    leader, follower = os.openpty()
    process = subprocess.Popen([EXE, "keygen", "--box"], env=s.env, stdin=subprocess.DEVNULL, stdout=follower,
                               stderr=subprocess.PIPE)
    os.close(follower)
    _, err = process.communicate(timeout=60)
    seen = drain_pty(leader)
    check(process.returncode == 2 and b"refusing to show the secret key on the terminal" in err,
          "keygen --box refuses to print the secret key on a terminal", err)
    check(seen.strip() == b"", "nothing is shown on the terminal", seen)


TESTS = [
    test_passphrase_from_environment_and_file,
    test_passphrase_salt_per_stack,
    test_passphrase_without_terminal,
    test_passphrase_from_terminal,
    test_command_that_prints_a_key,
    test_command_that_wraps_and_unwraps,
    test_box_keygen_seal_and_reopen,
    test_box_keygen_refuses_a_terminal,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
