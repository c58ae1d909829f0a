#!/usr/bin/env python3
"""End-to-end tests of what the sealstate CLI prints (issue 17): control characters in text
output, the JSON error codes, numeric options, and loose permissions in the store.

Usage: cli_out_test.py PATH/TO/sealstate

Same conventions as cli_test.py, whose helpers it uses: each test gets a fresh store root and
key, one line per check, and the last line is "N checks passed". Standard library only.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402  (reads the exe from sys.argv[1])
from cli_test import Stack, check, check_error_doc, json_doc, run_raw, SNAPSHOT  # noqa: E402

# Bytes that must never reach a terminal raw from a name or record the store holds.
CONTROL_BYTES = [chr(c) for c in range(0x20) if c != 0x0A] + ["\x7f", "\u009b", "\u202e"]


def raw_controls(text):
    """The control characters in `text` other than the newlines that end lines."""
    return sorted({c for c in text if c in CONTROL_BYTES})


def forged_lines(text, forged):
    return [line for line in text.splitlines() if line.startswith(forged)]


# ---------------------------------------------------------------------------------------------
# Item 8: control characters in text output are escaped.

def test_list_escapes_file_names(s):
    rev = s.commit()
    planted = os.path.join(s.stack_dir(), "snapshots", "2026-01-01T00:00:00Z\n* 2099-01-01T00:00:00Z\x1b[2J.json.enc")
    with open(planted, "wb") as f:
        f.write(b"x")
    r = s.run("list")
    check(raw_controls(r.stdout + r.stderr) == [], "list: no raw control characters from a file name", r)
    check(forged_lines(r.stdout, "* ") == ["* " + rev], "list: a newline in a file name cannot forge a current mark",
          r.stdout)
    doc = json_doc(s.run("list", "--json"))
    check(doc is not None and doc["current"] == rev, "list --json still works", doc)


def test_lock_status_escapes_the_holder(s):
    s.commit()
    record = {"lock-id": "0123456789abcdef0123456789abcdef", "pid": 2 ** 22 + 7, "host": "ho\x1b]0;owned\x07st",
              "user": "ci\nheld", "boot-id": "b", "start-time": 1, "created": "2026-01-01T00:00:00Z",
              "operation": "commit\x1b[2J\nreason: forged\u202e", "version": "0"}
    with open(os.path.join(s.stack_dir(), "lock"), "w") as f:
        f.write(json.dumps(record) + "\n")
    r = s.run("lock-status")
    check(r.returncode == 0 and raw_controls(r.stdout) == [], "lock-status: no raw control characters", r)
    check(forged_lines(r.stdout, "reason: forged") == [] and forged_lines(r.stdout, "held") == [],
          "lock-status: the holder's operation and user cannot forge lines", r.stdout)
    check("operation: commit\\x1b[2J\\nreason: forged\\u202e" in r.stdout.splitlines(),
          "lock-status: the operation is shown with Go escapes", r.stdout)
    doc = json_doc(s.run("lock-status", "--json"))
    check(doc is not None and doc["holder"]["operation"] == record["operation"],
          "lock-status --json keeps the exact operation", doc)


def test_log_escapes_journal_fields(s):
    rev = s.commit()
    event = {"seq": 3, "time": "2026-01-01T00:00:00Z", "event": "apply", "rev": "", "lock-id": "",
             "actor": "a\rb@h", "pid": 1, "detail": "ok\x1b[1A\n4 2026-01-01T00:00:00Z set-current " + rev}
    with open(os.path.join(s.stack_dir(), "journal"), "a") as f:
        f.write(json.dumps(event) + "\n")
    r = s.run("log")
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and raw_controls(r.stdout) == [] and len(lines) == 3,
          "log: one line per event, no raw control characters", r)
    check(lines and lines[-1].endswith("ok\\x1b[1A\\n4 2026-01-01T00:00:00Z set-current " + rev),
          "log: the detail is shown with Go escapes", lines)


def test_verify_and_errors_escape_names(s):
    s.commit()
    planted = os.path.join(s.stack_dir(), "snapshots", "bad\x1b[31m\nverified 9 revisions, 0 problems.json.enc")
    with open(planted, "wb") as f:
        f.write(b"x")
    r = s.run("verify")
    check(raw_controls(r.stdout + r.stderr) == [] and forged_lines(r.stdout, "verified 9") == [],
          "verify: a file name cannot forge the summary line", r)
    root = os.path.join(os.path.dirname(s.root), "no\x1b[2Jstore\nsealstate: all good")
    r = run_raw(["--root", root, "--factory", "F", "--stack", "S", "list"], s.env)
    check(r.returncode == 3 and raw_controls(r.stderr) == [] and len(r.stderr.splitlines()) == 1
          and "no\\x1b[2Jstore\\nsealstate: all good" in r.stderr,
          "an error naming a path is one line, with Go escapes", r)
    r = run_raw(["--root", root, "--factory", "F", "--stack", "S", "list", "--json"], s.env)
    doc = json_doc(r)
    check(doc is not None and root in doc["error"]["message"], "--json errors keep the exact path", r)


# ---------------------------------------------------------------------------------------------
# Item 14: one name per error code, as documented.

def test_io_error_code(s):
    blocker = os.path.join(os.path.dirname(s.root), "a-file")
    with open(blocker, "w") as f:
        f.write("not a directory\n")
    r = run_raw(["--root", os.path.join(blocker, "store"), "--factory", "F", "--stack", "S", "list", "--json"],
                s.env)
    check_error_doc(r, "io-error", 1, "a root below a regular file")


# ---------------------------------------------------------------------------------------------
# Item 16: negative and malformed numbers are usage errors, not wrapped.

def test_numeric_options_refuse_negatives(s):
    s.commit()
    s.commit()
    for value in ["-1", " -1", "-0", "+5", "0x10", "1e3", "", "18446744073709551616"]:
        r = s.run("log", "--since", value)
        check(r.returncode == 2 and r.stdout == "" and "--since" in r.stderr,
              f"log --since {value!r}: usage error naming --since", r)
    r = s.run("log", "--since=-1")
    check(r.returncode == 2 and "--since must not be negative" in r.stderr, "log --since=-1: says negative", r)
    check_error_doc(s.run("log", "--since", "-1", "--json"), "usage", 2, "log --since -1 --json")
    r = s.run("log", "--since", "18446744073709551615")
    check(r.returncode == 0 and r.stdout == "", "log --since the largest value: nothing, exit 0", r)
    for value in [" -1", "0x10", "99999999999999999999", ""]:
        r = s.run("prune", "--keep", value)
        check(r.returncode == 2 and "--keep" in r.stderr, f"prune --keep {value!r}: usage error naming --keep", r)
    check(len(s.revisions()["revisions"]) == 2, "no refused prune deleted anything")
    r = s.run("prune", "--keep", "0")
    check(r.returncode == 0 and len(s.revisions()["revisions"]) == 1, "prune --keep 0 still works", r)


# ---------------------------------------------------------------------------------------------
# Item 18: loose permissions are reported; world-writable store directories are refused.

def store_dirs(s):
    return {"root": s.root, "factory": os.path.dirname(s.stack_dir()), "stack": s.stack_dir(),
            "snapshots": os.path.join(s.stack_dir(), "snapshots")}


def test_world_writable_directories_are_refused(s):
    rev = s.commit()
    for label, path in store_dirs(s).items():
        before = os.stat(path).st_mode & 0o7777
        os.chmod(path, 0o777)
        try:
            for args in (["list"], ["show"], ["current"], ["verify"], ["lock-status"], ["log"], ["prune", "--keep", "0"],
                         ["commit", "-"]):
                r = s.run(*args, stdin=json.dumps(SNAPSHOT))
                check(r.returncode == 5 and path in r.stderr and f"chmod o-w {path}" in r.stderr,
                      f"world-writable {label} directory: {args[0]} refused (exit 5) with the chmod to run", r)
            check_error_doc(s.run("list", "--json"), "integrity", 5, f"world-writable {label} directory --json")
            os.chmod(path, 0o1777)
            r = s.run("list")
            check(r.returncode == 5, f"world-writable {label} directory with the sticky bit: refused too", r)
        finally:
            os.chmod(path, before)
    check(s.revisions()["revisions"] == [{"rev": rev, "current": True}], "the refused commits wrote nothing")
    parent = os.path.dirname(s.root)
    os.chmod(parent, 0o777)
    r = s.run("list")
    check(r.returncode == 0, "a world-writable directory above the root is the caller's business", r)
    os.chmod(parent, 0o700)
    os.chmod(s.stack_dir(), 0o755)
    r = s.run("verify")
    check(r.returncode == 0 and r.stdout == "verified 1 revisions, 0 problems\n",
          "a 0755 stack directory (as unobin makes them) is fine", r)


def test_loose_permissions_are_reported(s):
    rev = s.commit()
    journal = os.path.join(s.stack_dir(), "journal")
    snapshot = s.snapshot_path(rev)
    os.chmod(journal, 0o666)
    os.chown(snapshot, 12345, 12345)
    os.chmod(s.stack_dir(), 0o770)
    r = s.run("verify")
    lines = r.stdout.splitlines()
    perms = [line for line in lines if line.startswith("permissions: ")]
    check(r.returncode == 5 and len(perms) == 3 and lines[-1] == "verified 1 revisions, 3 problems",
          "verify: three permission problems, exit 5", r)
    check(any(journal in line and "0666" in line and f"chmod 600 {journal}" in line for line in perms),
          "verify: the 0666 journal with the chmod to run", perms)
    check(any(snapshot in line and "uid 12345" in line for line in perms), "verify: the file of another user", perms)
    check(any(s.stack_dir() + " " in line and "0770" in line and f"chmod go-w {s.stack_dir()}" in line
              for line in perms), "verify: the group-writable stack directory", perms)
    doc = json_doc(s.run("verify", "--json"))
    problems = doc["problems"] if doc else []
    check(len(problems) == 3 and all(p["rev"] == "permissions" and p["code"] == "integrity" for p in problems),
          "verify --json: the permission problems", doc)
    r = s.run("lock-status")
    perms = [line for line in r.stdout.splitlines() if line.startswith("permissions: ")]
    check(r.returncode == 0 and r.stdout.startswith("free\n") and len(perms) == 2,
          "lock-status: reports the journal and the directory (not the snapshots), exit 0", r)
    doc = json_doc(s.run("lock-status", "--json"))
    check(doc is not None and len(doc["permissions"]) == 2 and any(journal in p for p in doc["permissions"]),
          "lock-status --json: \"permissions\" lists them", doc)
    os.chmod(journal, 0o600)
    os.chown(snapshot, 0, 0)
    os.chmod(s.stack_dir(), 0o700)
    doc = json_doc(s.run("lock-status", "--json"))
    check(doc is not None and doc["permissions"] == [], "lock-status --json: none once fixed", doc)
    check(s.run("verify").returncode == 0, "verify: clean once fixed")


TESTS = [
    test_list_escapes_file_names, test_lock_status_escapes_the_holder, test_log_escapes_journal_fields,
    test_verify_and_errors_escape_names, test_io_error_code, test_numeric_options_refuse_negatives,
    test_world_writable_directories_are_refused, test_loose_permissions_are_reported,
]


def main():
    return cli_test.run_tests(TESTS, prefix="sealstate-cli-out-")


if __name__ == "__main__":
    sys.exit(main())
