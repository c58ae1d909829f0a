#!/usr/bin/env python3
"""End-to-end tests of the sealstate CLI: every command, exit status and --json shape.

Usage: cli_test.py PATH/TO/sealstate

Each test gets a fresh store root and key. One line per check; the last line is
"N checks passed". Exits non-zero if any check fails. Standard library only.
"""

import base64
import json
import os
import pty
import signal
import subprocess
import sys
import tempfile
import time
import traceback

EXE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "sealstate"
FACTORY = "F"
STACK = "S"
SNAPSHOT = {
    "format-version": 1,
    "factory": {"name": FACTORY, "version": "v1", "content-revision": "abc"},
    "stack": STACK,
    "generated-at": "2026-04-30T12:00:00Z",
    "entries": [{
        "address": "resource.main",
        "entry-kind": "leaf",
        "category": "resource",
        "binding": {"alias": "aws", "kind": "vpc"},
        "outputs": {"id": "vpc-1"},
    }],
}
COMMANDS = ["keygen", "commit", "write", "list", "current", "show", "set-current", "delete", "prune",
            "verify", "lock-status", "force-unlock", "lock", "log"]

passed = 0
failed = 0


def drain_pty(leader):
    """Everything written to a pseudo-terminal whose other end is closed; closes `leader`."""
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the other end is closed and everything was read
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return seen


def check(condition, name, detail=None):
    """Records one check and prints its line."""
    global passed, failed
    if condition:
        passed += 1
        print(f"ok {passed + failed} - {name}")
    else:
        failed += 1
        print(f"not ok {passed + failed} - {name}")
        if detail is not None:
            print("    " + str(detail).replace("\n", "\n    "))
    return condition


def base_env():
    """The environment without any SEALSTATE_* variable, with a throwaway HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEALSTATE_")}
    env.pop("XDG_DATA_HOME", None)
    return env


def run_raw(args, env, stdin=None, timeout=60):
    return subprocess.run([EXE] + args, env=env, input=stdin, capture_output=True, text=True, timeout=timeout)


def keygen(env):
    return run_raw(["keygen"], env).stdout.strip()


class Stack:
    """A fresh store root with one stack and a key."""

    def __init__(self, tmp):
        self.root = os.path.join(tmp, "store")
        self.env = base_env()
        self.env["HOME"] = tmp
        self.key = keygen(self.env)
        self.env["SEALSTATE_KEY"] = self.key
        self.globals = ["--root", self.root, "--factory", FACTORY, "--stack", STACK]

    def run(self, *args, stdin=None, env=None, timeout=60):
        merged = dict(self.env)
        merged.update(env or {})
        merged = {k: v for k, v in merged.items() if v is not None}
        return run_raw(self.globals + list(args), merged, stdin=stdin, timeout=timeout)

    def popen(self, *args, **kwargs):
        return subprocess.Popen([EXE] + self.globals + list(args), env=self.env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)

    def commit(self, snapshot=None):
        result = self.run("commit", stdin=json.dumps(snapshot or SNAPSHOT))
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def revisions(self):
        return json.loads(self.run("list", "--json").stdout)

    def lock_state(self):
        return json.loads(self.run("lock-status", "--json").stdout)

    def stack_dir(self):
        return os.path.join(self.root, FACTORY, STACK)

    def snapshot_path(self, rev):
        return os.path.join(self.stack_dir(), "snapshots", rev + ".json.enc")


def wait_for_lock(stack, state, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        info = stack.lock_state()  # an error document until the holder created the stack
        if info.get("state") == state:
            return info
        time.sleep(0.05)
    return stack.lock_state()


def stop_group(process):
    """Kills a holder started with start_new_session (its own process group) and reaps it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def json_doc(result):
    """The single JSON document on stdout, or None."""
    lines = result.stdout.splitlines()
    if len(lines) != 1 or not result.stdout.endswith("\n"):
        return None
    try:
        return json.loads(lines[0])
    except ValueError:
        return None


def check_error_doc(result, code, exit_status, name):
    doc = json_doc(result)
    check(result.returncode == exit_status, f"{name}: exit {exit_status}", (result.returncode, result.stderr))
    check(doc is not None and list(doc) == ["error"] and sorted(doc["error"]) == ["code", "message"]
          and doc["error"]["code"] == code and doc["error"]["message"],
          f"{name}: --json error document with code {code}", result.stdout)


# ---------------------------------------------------------------------------------------------
# The tests. Each takes a fresh Stack.

def test_version_and_help(s):
    r = run_raw(["--version"], s.env)
    check(r.returncode == 0 and r.stdout.startswith("sealstate ") and r.stdout.strip()[-1].isdigit(),
          "--version prints the version", r.stdout)
    r = run_raw(["--help"], s.env)
    check(r.returncode == 0 and "--lock-timeout" in r.stdout and "force-unlock" in r.stdout, "--help", r.stdout)
    for command in COMMANDS:
        r = run_raw([command, "--help"], s.env)
        check(r.returncode == 0 and command in r.stdout and r.stderr == "", f"{command} --help", r)


def test_keygen(s):
    r = run_raw(["keygen"], s.env)
    check(r.returncode == 0 and len(base64.b64decode(r.stdout.strip(), validate=True)) == 32,
          "keygen prints a base64 32-byte key", r.stdout)
    r2 = run_raw(["keygen", "--json"], s.env)
    doc = json_doc(r2)
    check(doc is not None and list(doc) == ["key"] and len(base64.b64decode(doc["key"], validate=True)) == 32,
          "keygen --json {\"key\"} decodes to 32 bytes", r2.stdout)
    check(doc is not None and doc["key"] != r.stdout.strip(), "keygen keys differ")


def test_commit_write_list_current_show(s):
    r = s.run("commit", stdin=json.dumps(SNAPSHOT))
    rev1 = r.stdout.strip()
    check(r.returncode == 0 and rev1.startswith("20") and r.stdout.count("\n") == 1, "commit prints the rev", r)
    r = s.run("commit", "--json", stdin=json.dumps(SNAPSHOT))
    doc = json_doc(r)
    check(r.returncode == 0 and doc is not None and list(doc) == ["rev"], "commit --json {\"rev\"}", r)
    rev2 = doc["rev"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(SNAPSHOT, f)
    r = s.run("write", f.name)
    rev3 = r.stdout.strip()
    os.unlink(f.name)
    check(r.returncode == 0 and rev3 > rev2, "write FILE prints a new rev", r)
    r = s.run("write", "-", "--json", stdin=json.dumps(SNAPSHOT))
    doc = json_doc(r)
    check(r.returncode == 0 and doc is not None and list(doc) == ["rev"], "write - --json {\"rev\"}", r)
    rev4 = doc["rev"]

    r = s.run("list")
    check(r.returncode == 0 and r.stdout == f"  {rev1}\n* {rev2}\n  {rev3}\n  {rev4}\n",
          "list: oldest first, current marked '* ', write did not move current", r.stdout)
    r = s.run("list", "--json")
    doc = json_doc(r)
    check(doc == {"current": rev2, "revisions": [{"rev": rev1, "current": False}, {"rev": rev2, "current": True},
                                                  {"rev": rev3, "current": False}, {"rev": rev4, "current": False}],
                  "count": 4},
          "list --json shape", r.stdout)
    check(list(doc) == ["current", "revisions", "count"], "list --json field order", r.stdout)

    r = s.run("current")
    check(r.returncode == 0 and r.stdout == rev2 + "\n", "current prints the rev", r)
    check(json_doc(s.run("current", "--json")) == {"rev": rev2}, "current --json {\"rev\"}")

    r = s.run("show")
    shown = json.loads(r.stdout)
    check(r.returncode == 0 and shown == SNAPSHOT and r.stdout.startswith("{\n  \"format-version\": 1,")
          and r.stdout.endswith("}\n"), "show prints the current snapshot as pretty JSON", r.stdout)
    r = s.run("show", rev1, "--json")
    doc = json_doc(r)
    check(r.returncode == 0 and doc is not None and list(doc) == ["rev", "snapshot"] and doc["rev"] == rev1
          and doc["snapshot"] == SNAPSHOT, "show REV --json {\"rev\",\"snapshot\"}", r.stdout)


def test_globals_after_subcommand(s):
    rev = s.commit()
    env = dict(s.env)
    r = run_raw(["list", "--root", s.root, "--factory", FACTORY, "--stack", STACK, "--json"], env)
    check(r.returncode == 0 and json_doc(r) == {"current": rev, "revisions": [{"rev": rev, "current": True}], "count": 1},
          "globals after the subcommand (list ... --json)", r)


def test_env_fallbacks(s):
    rev = s.commit()
    env = dict(s.env)
    env.update({"SEALSTATE_ROOT": s.root, "SEALSTATE_FACTORY": FACTORY, "SEALSTATE_STACK": STACK})
    r = run_raw(["current"], env)
    check(r.returncode == 0 and r.stdout.strip() == rev, "SEALSTATE_ROOT/FACTORY/STACK fallbacks", r)
    r = run_raw(["show"], env)
    check(r.returncode == 0 and json.loads(r.stdout) == SNAPSHOT, "SEALSTATE_KEY fallback (show)", r)
    env["SEALSTATE_LOCK_TIMEOUT"] = "soon"
    r = run_raw(["list"], env)
    check(r.returncode == 2 and "soon" in r.stderr, "SEALSTATE_LOCK_TIMEOUT is read and validated", r)
    # --key-env names another variable.
    env = dict(s.env)
    env["OTHER_KEY"] = env.pop("SEALSTATE_KEY")
    r = run_raw(s.globals + ["--key-env", "OTHER_KEY", "show"], env)
    check(r.returncode == 0 and json.loads(r.stdout) == SNAPSHOT, "--key-env VAR", r)
    # key-file encrypter.
    key_file = os.path.join(os.path.dirname(s.root), "key")
    with open(key_file, "w") as f:
        f.write(s.key + "\n")
    os.chmod(key_file, 0o600)
    env["SEALSTATE_KEY_FILE"] = key_file
    r = run_raw(s.globals + ["--encrypter", "key-file", "show"], env)
    check(r.returncode == 0 and json.loads(r.stdout) == SNAPSHOT, "--encrypter key-file with SEALSTATE_KEY_FILE", r)


def test_missing_stack(s):
    for missing, var in [("--stack", "SEALSTATE_STACK"), ("--factory", "SEALSTATE_FACTORY")]:
        args = ["--root", s.root] + (["--factory", FACTORY] if missing == "--stack" else ["--stack", STACK])
        r = run_raw(args + ["list"], s.env)
        check(r.returncode == 2 and missing in r.stderr and var in r.stderr and r.stdout == "",
              f"missing {missing}: exit 2 naming the flag and {var}", r)
        r = run_raw(args + ["list", "--json"], s.env)
        check_error_doc(r, "usage", 2, f"missing {missing} --json")
    r = run_raw(["keygen"], s.env)
    check(r.returncode == 0, "keygen needs neither --factory nor --stack", r)


def test_missing_key(s):
    rev = s.commit()
    r = s.run("commit", stdin=json.dumps(SNAPSHOT), env={"SEALSTATE_KEY": None})
    check(r.returncode == 2 and "sealstate: env-key encrypter: SEALSTATE_KEY is not set" in r.stderr,
          "missing key: exit 2 with the env-key message", r)
    r = s.run("show", "--json", env={"SEALSTATE_KEY": None})
    check_error_doc(r, "invalid-argument", 2, "missing key --json")
    for args in (["list"], ["current"], ["lock-status"], ["log"], ["force-unlock"], ["lock", "--", "true"]):
        r = s.run(*args, env={"SEALSTATE_KEY": None})
        check(r.returncode == 0, f"{args[0]} works without a key", r)
    check(s.run("current", env={"SEALSTATE_KEY": None}).stdout.strip() == rev, "current without key prints rev")


def test_wrong_key(s):
    s.commit()
    other = keygen(s.env)
    r = s.run("show", env={"SEALSTATE_KEY": other})
    check(r.returncode == 5 and r.stderr.startswith("sealstate: ") and r.stdout == "", "wrong key: exit 5", r)
    check(s.key not in r.stderr and other not in r.stderr, "wrong key: no key material in the message")
    r = s.run("show", "--json", env={"SEALSTATE_KEY": other})
    check_error_doc(r, "wrong-key", 5, "wrong key --json")
    r = s.run("verify", env={"SEALSTATE_KEY": other})
    check(r.returncode == 5 and "1 problems" in r.stdout, "wrong key: verify exit 5", r)


def test_tampered(s):
    good = s.commit()
    bad = s.commit()
    path = s.snapshot_path(bad)
    with open(path, "rb") as f:
        data = bytearray(f.read())
    data[-20] ^= 0x01  # inside the ciphertext, after the header line
    os.chmod(path, 0o600)
    with open(path, "wb") as f:
        f.write(bytes(data))
    r = s.run("verify")
    check(r.returncode == 5 and f"{bad}: " in r.stdout and "verified 2 revisions, 1 problems" in r.stdout
          and good + ":" not in r.stdout, "tampered: verify names the rev and exits 5", r)
    r = s.run("verify", "--json")
    doc = json_doc(r)
    check(r.returncode == 5 and doc is not None and list(doc) == ["revisions", "problems"] and doc["revisions"] == 2
          and [p["rev"] for p in doc["problems"]] == [bad]
          and sorted(doc["problems"][0]) == ["code", "message", "rev"]
          and doc["problems"][0]["code"] in ("integrity", "wrong-key", "format"),
          "tampered: verify --json shape", r.stdout)
    r = s.run("show", bad)
    check(r.returncode == 5 and r.stdout == "", "tampered: show exits 5", r)
    r = s.run("show")
    check(r.returncode == 5, "tampered current: show exits 5", r)
    r = s.run("show", good)
    check(r.returncode == 0, "untampered rev still shows", r)


def test_no_current(s):
    r = s.run("list")
    check(r.returncode == 3 and "no such stack" in r.stderr, "missing stack: exit 3 no such stack", r)
    check_error_doc(s.run("list", "--json"), "not-found", 3, "missing stack --json")
    s.run("write", stdin=json.dumps(SNAPSHOT))
    r = s.run("current")
    check(r.returncode == 3 and "no current snapshot" in r.stderr, "no current: current exits 3", r)
    r = s.run("show")
    check(r.returncode == 3 and "no current snapshot" in r.stderr, "no current: show exits 3", r)
    check_error_doc(s.run("current", "--json"), "no-current", 3, "no current --json")
    check(json_doc(s.run("list", "--json"))["current"] is None, "list --json current null")


def test_unknown_rev(s):
    s.commit()
    rev = "2001-01-01T00:00:00Z"
    r = s.run("show", rev)
    check(r.returncode == 3 and rev in r.stderr, "unknown rev: show exits 3", r)
    r = s.run("set-current", rev)
    check(r.returncode == 3, "unknown rev: set-current exits 3", r)
    check_error_doc(s.run("show", rev, "--json"), "not-found", 3, "unknown rev --json")


def test_held_lock(s):
    s.commit()
    holder = s.popen("lock", "--", "sleep", "5")
    try:
        info = wait_for_lock(s, "held")
        check(info["state"] == "held", "lock -- sleep 5 holds the lock", info)
        h = info["holder"]
        who = f"{h['user']}@{h['host']}"
        start = time.monotonic()
        r = s.run("--lock-timeout", "200ms", "commit", stdin=json.dumps(SNAPSHOT))
        check(r.returncode == 4 and who in r.stderr and h["lock-id"] in r.stderr and str(h["pid"]) in r.stderr,
              "held lock: commit --lock-timeout 200ms exits 4 naming user@host and the lock id", r)
        check(time.monotonic() - start < 4.5, "held lock: the wait gave up before the holder finished")
        r = s.run("set-current", s.revisions()["current"], "--json")
        check_error_doc(r, "locked", 4, "held lock: set-current --json")
        r = s.run("lock", "--timeout", "200ms", "--", "true")
        check(r.returncode == 4 and h["lock-id"] in r.stderr, "held lock: lock --timeout 200ms exits 4", r)
        r = s.run("prune", "--keep", "0")
        check(r.returncode == 4, "held lock: prune exits 4 at once (default timeout 0)", r)
        r = s.run("lock-status")
        lines = r.stdout.splitlines()
        check(r.returncode == 0 and lines[0] == "held" and f"holder: {who} pid {h['pid']}" in lines
              and f"lock id: {h['lock-id']}" in lines and "operation: lock: sleep 5" in lines
              and any(l.startswith("since: ") and "(held for " in l for l in lines),
              "lock-status text: state and holder lines", r.stdout)
        check(list(info) == ["state", "holder", "held-for-seconds", "reason", "permissions"]
              and sorted(h) == sorted(["lock-id", "pid", "host", "user", "boot-id", "start-time", "created",
                                       "operation", "version", "bare-pid"])
              and isinstance(info["held-for-seconds"], int) and h["bare-pid"] is False,
              "lock-status --json shape", info)
    finally:
        stop_group(holder)


def test_lock_exit_status(s):
    r = s.run("lock", "--", "sh", "-c", "exit 7")
    check(r.returncode == 7, "lock -- sh -c 'exit 7' exits 7", r)
    r = s.run("lock", "--", "sh", "-c", "kill -9 $$")
    check(r.returncode == 137, "lock -- CMD killed by SIGKILL exits 137", r)
    r = s.run("lock", "--", "/nonexistent/command")
    check(r.returncode == 127 and "/nonexistent/command" in r.stderr, "lock -- missing command exits 127", r)
    check(s.lock_state()["state"] == "free", "the lock is released after CMD ends or dies")
    r = s.run("lock", "--", "sh", "-c", "echo out; echo err >&2")
    check(r.returncode == 0 and r.stdout == "out\n" and r.stderr == "err\n", "lock -- CMD inherits stdio", r)


def test_lock_runs_cmd_with_lock_held(s):
    r = s.run("lock", "--", EXE, *s.globals, "lock-status", "--json")
    doc = json_doc(r)
    check(r.returncode == 0 and doc is not None and doc["state"] == "held"
          and doc["holder"]["operation"].startswith("lock: ") and doc["holder"]["pid"] != 0,
          "inside lock -- CMD, lock-status --json says held", r)
    check(s.lock_state()["state"] == "free", "after lock -- CMD the lock is free")


def test_force_unlock(s):
    s.commit()
    r = s.run("force-unlock")
    check(r.returncode == 0 and r.stdout == "no lock\n", "force-unlock with no lock: exit 0", r)
    doc = json_doc(s.run("force-unlock", "--json"))
    check(doc == {"removed": False, "state": "free", "holder": None}, "force-unlock --json with no lock", doc)
    holder = s.popen("lock", "--", "sleep", "30")
    try:
        info = wait_for_lock(s, "held")
        lock_id = info["holder"]["lock-id"]
        r = s.run("force-unlock")
        command = f"sealstate --root {s.root} --factory {FACTORY} --stack {STACK} force-unlock --id {lock_id}"
        check(r.returncode == 4 and command in r.stderr and f"pid {info['holder']['pid']}" in r.stderr,
              "force-unlock of a live holder: exit 4 with the exact force-unlock --id command", r)
        check(s.lock_state()["state"] == "held", "refused force-unlock removed nothing")
        r = s.run("force-unlock", "--id", "0" * 32)
        check(r.returncode == 4 and command in r.stderr, "force-unlock --id with another id: exit 4", r)
        check_error_doc(s.run("force-unlock", "--json"), "locked", 4, "force-unlock refusal --json")
        r = s.run("force-unlock", "--id", lock_id, "--json")
        doc = json_doc(r)
        check(r.returncode == 0 and doc is not None and doc["removed"] is True and doc["state"] == "held"
              and doc["holder"]["lock-id"] == lock_id and list(doc) == ["removed", "state", "holder"],
              "force-unlock --id ID succeeds (--json shape)", r)
        check(s.lock_state()["state"] == "free", "after force-unlock --id the lock is free")
        log = json_doc(s.run("log", "--json"))["events"]
        check(log[-1]["event"] == "force-unlock" and log[-1]["lock-id"] == lock_id, "the break is journaled", log)
    finally:
        stop_group(holder)


def test_stale_holder(s):
    holder = s.popen("lock", "--", "sleep", "30")
    try:
        wait_for_lock(s, "held")
        os.kill(holder.pid, signal.SIGKILL)  # the sealstate holder only (the kernel then kills its child)
        holder.wait()
        info = wait_for_lock(s, "stale")
        check(info["state"] == "stale" and info["reason"], "SIGKILLed holder: lock-status says stale", info)
        r = s.run("lock-status")
        check(r.stdout.startswith("stale\n") and "reason: " in r.stdout, "lock-status text says stale", r.stdout)
        r = s.run("force-unlock")
        check(r.returncode == 0 and r.stdout.startswith("removed the lock of ")
              and info["holder"]["lock-id"] in r.stdout, "force-unlock removes a stale lock without flags", r)
        check(s.lock_state()["state"] == "free", "stale lock gone")
    finally:
        stop_group(holder)


def test_bare_pid_marker(s):
    s.commit()
    with open(os.path.join(s.stack_dir(), "lock"), "w") as f:
        f.write("12345\n")
    info = s.lock_state()
    check(info["state"] == "unknown" and info["holder"]["bare-pid"] is True and info["holder"]["pid"] == 12345
          and info["held-for-seconds"] is None, "bare-pid marker: lock-status unknown", info)
    r = s.run("force-unlock")
    check(r.returncode == 4 and "force-unlock --force" in r.stderr, "bare-pid: force-unlock refused, names --force", r)
    r = s.run("force-unlock", "--force")
    check(r.returncode == 0 and "pid 12345" in r.stdout, "bare-pid: force-unlock --force succeeds", r)
    check(s.lock_state()["state"] == "free", "bare-pid marker gone")


def test_prune(s):
    revs = [s.commit() for _ in range(4)]
    s.run("set-current", revs[0])
    r = s.run("prune", "--keep", "1", "--dry-run")
    check(r.returncode == 0 and r.stdout == f"would delete {revs[1]}\nwould delete {revs[2]}\n"
          "Would delete 2 snapshot(s), keep 2.\n", "prune --dry-run prints what it would delete", r.stdout)
    check([x["rev"] for x in s.revisions()["revisions"]] == revs, "prune --dry-run deletes nothing")
    doc = json_doc(s.run("prune", "--keep", "1", "--dry-run", "--json"))
    check(doc == {"dry-run": True, "deleted": revs[1:3], "kept": [revs[0], revs[3]]}, "prune --dry-run --json", doc)
    r = s.run("prune", "--keep", "1")
    check(r.returncode == 0 and r.stdout == f"deleted {revs[1]}\ndeleted {revs[2]}\n"
          "Deleted 2 snapshot(s), kept 2.\n" and r.stderr == "", "prune --keep 1 prints what it deleted", r)
    check(s.revisions() == {"current": revs[0], "revisions": [{"rev": revs[0], "current": True},
                                                             {"rev": revs[3], "current": False}], "count": 2},
          "prune --keep 1 keeps current and the newest")
    doc = json_doc(s.run("prune", "--keep", "0", "--json"))
    check(doc == {"dry-run": False, "deleted": [revs[3]], "kept": [revs[0]]}, "prune --json", doc)
    r = s.run("prune", "--keep", "-1")
    check(r.returncode == 2 and "--keep must not be negative" in r.stderr, "prune --keep -1: exit 2", r)
    events = [e["event"] for e in json_doc(s.run("log", "--json"))["events"]]
    check(events.count("prune") == 2, "each prune is journaled", events)


def test_delete(s):
    r1 = s.commit()
    r2 = s.commit()
    r = s.run("delete", r2)
    check(r.returncode == 2 and "current" in r.stderr, "delete of the current rev is refused", r)
    check(len(s.revisions()["revisions"]) == 2, "refused delete removed nothing")
    r = s.run("delete", r1)
    check(r.returncode == 0 and r.stdout == f"deleted {r1}\n", "delete REV", r)
    check([x["rev"] for x in s.revisions()["revisions"]] == [r2], "deleted rev is gone from list")
    r3 = s.commit()
    check(json_doc(s.run("delete", r2, "--json")) == {"deleted": r2}, "delete --json {\"deleted\"}")
    check(s.revisions()["current"] == r3, "delete did not move current")


def test_set_current(s):
    r1 = s.commit()
    r2 = s.commit()
    r = s.run("set-current", r1)
    check(r.returncode == 0 and r.stdout == f"current is now {r1} (was {r2})\n", "set-current rollback", r)
    check(s.run("current").stdout.strip() == r1, "current after rollback")
    doc = json_doc(s.run("set-current", r2, "--json"))
    check(doc == {"rev": r2, "previous": r1}, "set-current --json (roll forward)", doc)
    t = Stack(os.path.dirname(s.root))
    t.root = s.root + "2"
    t.globals = ["--root", t.root, "--factory", FACTORY, "--stack", STACK]
    w = t.run("write", stdin=json.dumps(SNAPSHOT)).stdout.strip()
    t.env["SEALSTATE_KEY"] = t.key
    r = t.run("set-current", w, "--json")
    check(json_doc(r) == {"rev": w, "previous": None}, "set-current --json with no previous: null", r)
    check(t.run("set-current", w).stdout == f"current is now {w} (was {w})\n", "set-current to itself")


def test_verify(s):
    s.commit()
    s.commit()
    r = s.run("verify")
    check(r.returncode == 0 and r.stdout == "verified 2 revisions, 0 problems\n", "verify clean: summary, exit 0", r)
    check(r.stderr == "", "no progress output when stderr is not a terminal", r.stderr)
    doc = json_doc(s.run("verify", "--json"))
    check(doc == {"revisions": 2, "problems": []}, "verify --json clean", doc)
    with open(os.path.join(s.stack_dir(), "current"), "w") as f:
        f.write("2001-01-01T00:00:00Z\n")
    r = s.run("verify")
    check(r.returncode == 5 and "current: " in r.stdout and "verified 2 revisions, 1 problems" in r.stdout,
          "verify: a dangling current pointer is a problem (exit 5)", r)


def test_log(s):
    r1 = s.commit()
    r2 = s.commit()
    s.run("set-current", r1)
    r = s.run("log")
    lines = r.stdout.splitlines()
    seqs = [int(line.split()[0]) for line in lines]
    check(r.returncode == 0 and seqs == sorted(seqs) and seqs[0] == 1 and len(lines) == 5,
          "log: events oldest first", r.stdout)
    fields = lines[0].split()
    check(fields[2] == "write" and fields[3] == r1 and fields[4].startswith("lock=") and fields[5].startswith("actor=")
          and fields[6].startswith("pid=") and fields[1].endswith("Z"), "log text line format", lines[0])
    check(lines[-1].split()[2:4] == ["set-current", r1], "log: the rollback is the last event", lines[-1])
    doc = json_doc(s.run("log", "--json"))
    events = doc["events"]
    check(list(doc) == ["events"] and list(events[0]) == ["seq", "time", "event", "rev", "lock-id", "actor", "pid",
                                                           "detail", "envelope-version", "size", "entries",
                                                           "operation"]
          and events[0]["entries"] == len(SNAPSHOT["entries"]) and events[0]["operation"] == "commit"
          and events[0]["size"] == os.path.getsize(s.snapshot_path(r1))
          and list(events[1]) == ["seq", "time", "event", "rev", "lock-id", "actor", "pid", "detail"],
          "log --json shape", events[0])
    check([e["event"] for e in events] == ["write", "set-current", "write", "set-current", "set-current"]
          and events[2]["rev"] == r2, "log --json events in order", events)
    doc = json_doc(s.run("log", "--since", "3", "--json"))
    check([e["seq"] for e in doc["events"]] == [4, 5], "log --since 3", doc)
    check(s.run("log", "--since", "5").stdout == "", "log --since the last seq prints nothing")


def test_json_failures(s):
    r = run_raw(["--json", "frobnicate"], s.env)
    check_error_doc(r, "usage", 2, "unknown command --json")
    r = run_raw(["frobnicate"], s.env)
    check(r.returncode == 2 and r.stderr.startswith("sealstate: ") and r.stdout == "", "unknown command: exit 2", r)
    r = s.run("list", "--lock-timeout", "5x")
    check(r.returncode == 2 and "5x" in r.stderr, "bad --lock-timeout: exit 2 naming the value", r)
    r = s.run("list", "--lock-timeout", "5x", "--json")
    check_error_doc(r, "usage", 2, "bad --lock-timeout --json")
    r = s.run("lock", "--timeout", "later", "--", "true")
    check(r.returncode == 2 and "later" in r.stderr, "bad lock --timeout: exit 2", r)
    for good in ("0", "250ms", "30s", "5m", "1h", "1h2m3s"):
        r = s.run("--lock-timeout", good, "lock", "--", "true")
        check(r.returncode == 0, f"--lock-timeout {good} accepted", r)
    r = s.run("show", "--json", stdin="")
    check_error_doc(r, "no-current", 3, "show --json on an empty stack")
    check(r.stderr == "", "--json failure: nothing on stderr", r.stderr)


def test_invalid_input(s):
    r = s.run("commit", stdin="{not json")
    check(r.returncode == 5 and "invalid snapshot input: " in r.stderr, "commit of invalid JSON: exit 5", r)
    broken = json.loads(json.dumps(SNAPSHOT))
    del broken["entries"][0]["binding"]
    r = s.run("commit", stdin=json.dumps(broken))
    check(r.returncode == 5 and "binding missing" in r.stderr, "commit of an invalid snapshot: exit 5", r)
    check_error_doc(s.run("commit", "--json", stdin=json.dumps(broken)), "integrity", 5, "invalid snapshot --json")
    future = dict(SNAPSHOT, **{"format-version": 2})
    r = s.run("write", stdin=json.dumps(future))
    check(r.returncode == 5 and "format-version" in r.stderr, "write of an unsupported format-version: exit 5", r)
    r = s.run("commit", "/nonexistent/snapshot.json")
    check(r.returncode == 3 and "/nonexistent/snapshot.json" in r.stderr, "commit of a missing file names it", r)
    directory = os.path.dirname(s.root)  # open succeeds, read fails with EISDIR
    r = s.run("commit", directory)
    check(r.returncode == 1 and directory in r.stderr and "invalid snapshot input" not in r.stderr,
          "commit of an unreadable input: an I/O error naming it, not a decoding error", r)
    check(s.run("list").returncode == 3, "failed commits created no revision")
    with open(os.path.join(directory, "big.json"), "w") as f:
        big = json.loads(json.dumps(SNAPSHOT))
        big["entries"] = [dict(SNAPSHOT["entries"][0], address=f"res.r{i}") for i in range(3000)]
        json.dump(big, f)
    r = s.run("commit", f.name)
    check(r.returncode == 0, "commit of a file larger than one read (decoded as it is read)", r)
    r = s.run("show")
    check(r.returncode == 0 and json.loads(r.stdout) == big, "show of a large snapshot prints it whole", r.stdout[-200:])


def test_envelopes(s):
    v1 = s.run("--unobin", "commit", stdin=json.dumps(SNAPSHOT)).stdout.strip()
    v2 = s.commit()
    with open(s.snapshot_path(v1), "rb") as f:
        first_v1 = f.readline()
    with open(s.snapshot_path(v2), "rb") as f:
        first_v2 = f.readline()
    check(first_v1 == b"{\n", "--unobin writes a v1 envelope (first line '{')", first_v1)
    check(first_v2.startswith(b'{"envelope-version":3'), "default writes a v3 envelope", first_v2[:40])
    check(json.loads(s.run("--accept-v1", "show", v1).stdout) == SNAPSHOT, "v1 envelope reads back")
    check(s.run("--accept-v1", "verify").returncode == 0, "verify reads both envelope versions")


def test_signals(s):
    s.commit()
    holder = s.popen("lock", "--", "sleep", "30")
    try:
        wait_for_lock(s, "held")
        waiter = subprocess.Popen([EXE] + s.globals + ["--lock-timeout", "1h", "commit"], env=s.env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        waiter.stdin.write(json.dumps(SNAPSHOT))
        waiter.stdin.close()
        time.sleep(1)  # generous: the waiter is polling the lock long before this
        waiter.send_signal(signal.SIGINT)
        waiter.wait(timeout=30)
        out, err = waiter.stdout.read(), waiter.stderr.read()
        waiter.stdout.close()
        waiter.stderr.close()
        check(waiter.returncode == 1 and err.startswith("sealstate: ") and out == "",
              "SIGINT while waiting for the lock: clean exit 1", (waiter.returncode, err))
        check(len(s.revisions()["revisions"]) == 1, "the cancelled commit wrote nothing")
    finally:
        stop_group(holder)
    wait_for_lock(s, "stale")
    s.run("force-unlock")
    runner = s.popen("lock", "--", "sleep", "30")
    try:
        wait_for_lock(s, "held")
        runner.send_signal(signal.SIGTERM)  # to sealstate only: it forwards to sleep
        runner.wait(timeout=30)
        check(runner.returncode == 128 + signal.SIGTERM, "SIGTERM is forwarded to CMD; exit 128+15",
              runner.returncode)
        check(s.lock_state()["state"] == "free", "the lock is released after CMD was killed")
    finally:
        stop_group(runner)


def test_progress_on_terminal(s):
    for _ in range(3):
        s.commit()
    for args, verb in ((["verify"], "verifying"), (["prune", "--keep", "0"], "pruning")):
        leader, follower = pty.openpty()
        r = subprocess.run([EXE] + s.globals + args, env=s.env, stdout=subprocess.PIPE, stderr=follower,
                           timeout=60)
        os.close(follower)
        seen = drain_pty(leader)
        check(r.returncode == 0 and f"\r{verb} ".encode() in seen and b"/" in seen and b"\n" in r.stdout,
              f"{args[0]}: progress line on a terminal stderr", seen)
        check(b"\r" not in r.stdout, f"{args[0]}: progress never on stdout", r.stdout)
    leader, follower = pty.openpty()
    r = subprocess.run([EXE] + s.globals + ["verify", "--json"], env=s.env, stdout=subprocess.PIPE,
                       stderr=follower, timeout=60)
    os.close(follower)
    try:
        seen = os.read(leader, 4096)
    except OSError:
        seen = b""
    os.close(leader)
    check(r.returncode == 0 and seen == b"", "no progress line with --json", seen)


def test_plaintext(s):
    r = s.run("--encrypter", "noop", "commit", stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 0, "--encrypter noop commit", r)
    r = s.run("show")
    check(r.returncode == 5 and r.stdout == "", "a plaintext snapshot is refused by a real encrypter (exit 5)", r)
    r = s.run("--allow-plaintext", "show")
    check(r.returncode == 0 and json.loads(r.stdout) == SNAPSHOT, "--allow-plaintext reads it", r)
    r = s.run("show", env={"SEALSTATE_ALLOW_PLAINTEXT": "1"})
    check(r.returncode == 0 and json.loads(r.stdout) == SNAPSHOT, "SEALSTATE_ALLOW_PLAINTEXT=1 reads it", r)
    r = s.run("--encrypter", "rot13", "show")
    check(r.returncode == 2 and "rot13" in r.stderr, "unknown --encrypter: exit 2 naming it", r)
    r = s.run("--encrypter", "key-file", "show")
    check(r.returncode == 2 and "--key-file" in r.stderr, "key-file without --key-file: exit 2", r)


TESTS = [
    test_version_and_help, test_keygen, test_commit_write_list_current_show, test_globals_after_subcommand,
    test_env_fallbacks, test_missing_stack, test_missing_key, test_wrong_key, test_tampered, test_no_current,
    test_unknown_rev, test_held_lock, test_lock_exit_status, test_lock_runs_cmd_with_lock_held, test_force_unlock,
    test_stale_holder, test_bare_pid_marker, test_prune, test_delete, test_set_current, test_verify, test_log,
    test_json_failures, test_invalid_input, test_envelopes, test_signals, test_progress_on_terminal,
    test_plaintext,
]


def run_tests(tests, prefix="sealstate-cli-"):
    """Runs each test on a fresh Stack in its own temporary directory; prints the summary line.

    Returns the exit status: 1 if any check failed, else 0. Shared by the other cli_*_test.py files.
    """
    for test in tests:
        print(f"# {test.__name__}")
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            try:
                test(Stack(tmp))
            except Exception:  # a crash in a test is one failed check
                check(False, f"{test.__name__} ran to the end", traceback.format_exc())
    if failed:
        print(f"{failed} of {passed + failed} checks failed")
        return 1
    print(f"{passed} checks passed")
    return 0


def main():
    return run_tests(TESTS)


if __name__ == "__main__":
    sys.exit(main())
