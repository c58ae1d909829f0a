#!/usr/bin/env python3
"""End-to-end tests of `sealstate diff` and `set-current --dry-run` (issue 14, reading history):
what changed between two revisions, the default pair from the journal, the --json shape, hidden
sensitive values and --show-values, color only on a terminal, and a dry run that changes nothing.

Usage: cli_diff_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import copy
import json
import os
import pty
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import EXE, SNAPSHOT, check, check_error_doc, json_doc, stop_group, wait_for_lock  # noqa: E402

ESC = "\x1b"


def snapshot(ip="10.0.0.1", password="hunter2", token="t-1", extra_entry=None, stack_url="https://a.example"):
    """SNAPSHOT with resource.main's outputs ip and token (token marked sensitive) and its input
    db_password (sensitive by its name), and optionally a second entry."""
    doc = copy.deepcopy(SNAPSHOT)
    main = doc["entries"][0]
    main["inputs"] = {"db_password": password, "size": 20}
    main["outputs"] = {"id": "vpc-1", "ip": ip, "token": token}
    main["sensitive-outputs"] = ["token"]
    if extra_entry:
        doc["entries"].append({"address": extra_entry, "entry-kind": "leaf", "category": "resource",
                               "binding": {"alias": "aws", "kind": "subnet"}})
    doc["outputs"] = {"url": stack_url}
    return doc


def commit(s, doc):
    return s.commit(doc)


def on_terminal(s, *args, env=None):
    """Runs the CLI with stdout on a pseudo-terminal; returns (exit status, bytes seen)."""
    merged = dict(s.env)
    merged.update(env or {})
    leader, follower = pty.openpty()
    r = subprocess.run([EXE] + s.globals + list(args), env=merged, stdout=follower, stderr=subprocess.PIPE,
                       timeout=60)
    os.close(follower)
    return r.returncode, cli_test.drain_pty(leader)


def test_diff_shows_a_changed_output(s):
    a = commit(s, snapshot(ip="10.0.0.1"))
    b = commit(s, snapshot(ip="10.0.0.2"))
    r = s.run("diff", a, b)
    check(r.returncode == 0 and r.stdout.splitlines()[0] == f"from {a} to {b}: 0 added, 0 removed, 1 changed, "
          "0 stack outputs changed", "diff A B: the summary line names both revisions and the counts", r)
    check("~ resource.main\n" in r.stdout and '    ~ outputs.ip: "10.0.0.1" -> "10.0.0.2"\n' in r.stdout,
          "diff A B shows the changed output with old and new value", r.stdout)
    check("outputs.id" not in r.stdout and "inputs.size" not in r.stdout, "unchanged keys are not shown", r.stdout)
    r = s.run("diff", a, a)
    check(r.returncode == 0 and r.stdout == f"no differences from {a} to {a}\n", "diff A A: no differences", r)


def test_diff_added_removed_entries_and_stack_outputs(s):
    a = commit(s, snapshot(extra_entry="resource.old"))
    b = commit(s, snapshot(extra_entry="resource.new", stack_url="https://b.example"))
    r = s.run("diff", a, b)
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and lines == [
        f"from {a} to {b}: 1 added, 1 removed, 0 changed, 1 stack outputs changed",
        "+ resource.new",
        "- resource.old",
        "stack outputs:",
        '    ~ url: "https://a.example" -> "https://b.example"',
    ], "diff lists added and removed entries and changed stack outputs", r)


def test_diff_defaults_to_previous_current_and_current(s):
    r = s.run("diff")
    check(r.returncode == 3 and r.stdout == "", "diff on a stack without revisions: exit 3", r)
    a = commit(s, snapshot(ip="10.0.0.1"))
    r = s.run("diff")
    check(r.returncode == 3 and "no previous current revision" in r.stderr and "sealstate diff REV_A" in r.stderr,
          "diff with one current ever: exit 3 saying there is no previous current and what to do", r)
    check_error_doc(s.run("diff", "--json"), "not-found", 3, "diff --json with no previous current")
    b = commit(s, snapshot(ip="10.0.0.2"))
    r = s.run("diff")
    check(r.returncode == 0 and r.stdout.startswith(f"from {a} to {b}:") and '"10.0.0.1" -> "10.0.0.2"' in r.stdout,
          "diff with no arguments: from the previous current to current", r)
    check(s.run("set-current", a).returncode == 0, "set-current A (rollback)")
    r = s.run("diff")
    check(r.returncode == 0 and r.stdout.startswith(f"from {b} to {a}:") and '"10.0.0.2" -> "10.0.0.1"' in r.stdout,
          "after a rollback, diff compares the revision rolled away from with current", r)
    c = s.run("write", stdin=json.dumps(snapshot(ip="10.0.0.3"))).stdout.strip()
    r = s.run("diff", c)
    check(r.returncode == 0 and r.stdout.startswith(f"from {c} to {a}:"), "diff REV_A: from REV_A to current", r)
    d = commit(s, snapshot(ip="10.0.0.4"))
    check(s.run("delete", a).returncode == 0, "delete the previous current")
    r = s.run("diff")
    check(r.returncode == 3 and f"the previous current revision {a} (named by the journal)" in r.stderr,
          "diff whose previous current was deleted: exit 3 naming it and where it came from", r)
    r = s.run("diff", d, "2020-01-01T00:00:00Z")
    check(r.returncode == 3 and "2020-01-01T00:00:00Z" in r.stderr, "diff with an unknown revision: exit 3 naming it", r)


def test_diff_json_shape(s):
    a = commit(s, snapshot(ip="10.0.0.1", password="p1", token="t-1", extra_entry="resource.old"))
    b = commit(s, snapshot(ip="10.0.0.2", password="p2", token="t-2", extra_entry="resource.new",
                           stack_url="https://b.example"))
    r = s.run("diff", a, b, "--json")
    doc = json_doc(r)
    expected = {
        "from": a, "to": b, "added": ["resource.new"], "removed": ["resource.old"],
        "changed": [{
            "address": "resource.main",
            "fields": [],
            "inputs": [{"key": "db_password", "change": "changed", "sensitive": True}],
            "outputs": [
                {"key": "ip", "change": "changed", "sensitive": False, "old": "10.0.0.1", "new": "10.0.0.2"},
                {"key": "token", "change": "changed", "sensitive": True},
            ],
        }],
        "outputs": [{"key": "url", "change": "changed", "sensitive": False, "old": "https://a.example",
                     "new": "https://b.example"}],
    }
    check(r.returncode == 0 and doc == expected, "diff --json: one document in the documented shape", r.stdout)
    check(list(doc) == ["from", "to", "added", "removed", "changed", "outputs"], "diff --json: member order", doc)
    changed = snapshot()
    changed["entries"][0]["binding"] = {"alias": "aws", "kind": "vpc2"}
    del changed["entries"][0]["inputs"]["size"]
    c = commit(s, changed)
    doc = json_doc(s.run("diff", b, c, "--json"))
    entry = doc["changed"][0] if doc else {}
    check(entry.get("fields") == [{"key": "binding", "change": "changed", "sensitive": False,
                                   "old": {"alias": "aws", "kind": "vpc"}, "new": {"alias": "aws", "kind": "vpc2"}}]
          and {"key": "size", "change": "removed", "sensitive": False, "old": 20} in entry.get("inputs", []),
          "diff --json: a changed binding is a field change; a removed input has only old", doc)


def test_sensitive_values_hidden_unless_show_values(s):
    a = commit(s, snapshot(password="hunter2", token="tok-AAA"))
    b = commit(s, snapshot(password="swordfish", token="tok-BBB"))
    r = s.run("diff", a, b)
    hidden = "(sensitive value changed; --show-values prints it)"
    check(r.returncode == 0 and f"    ~ inputs.db_password: {hidden}\n" in r.stdout
          and f"    ~ outputs.token: {hidden}\n" in r.stdout,
          "a key named like a secret and one in sensitive-outputs are shown as changed", r.stdout)
    check(not any(v in r.stdout + r.stderr for v in ("hunter2", "swordfish", "tok-AAA", "tok-BBB")),
          "their values are not printed", r.stdout)
    r = s.run("diff", a, b, "--json")
    check(not any(v in r.stdout for v in ("hunter2", "swordfish", "tok-AAA", "tok-BBB")),
          "nor in --json", r.stdout)
    r = s.run("diff", a, b, "--show-values")
    check(r.returncode == 0 and '    ~ inputs.db_password: "hunter2" -> "swordfish"\n' in r.stdout
          and '    ~ outputs.token: "tok-AAA" -> "tok-BBB"\n' in r.stdout, "--show-values prints them", r.stdout)
    doc = json_doc(s.run("diff", a, b, "--json", "--show-values"))
    check(doc is not None and doc["changed"][0]["inputs"] == [
        {"key": "db_password", "change": "changed", "sensitive": True, "old": "hunter2", "new": "swordfish"}],
        "--json --show-values carries them, still marked sensitive", doc)
    r = s.run("set-current", "--dry-run", a)
    check(r.returncode == 0 and "hunter2" not in r.stdout and hidden in r.stdout, "set-current --dry-run hides them", r)
    r = s.run("set-current", "--dry-run", "--show-values", a)
    check(r.returncode == 0 and '"swordfish" -> "hunter2"' in r.stdout, "set-current --dry-run --show-values", r)


def test_color_only_on_a_terminal(s):
    odd = snapshot()
    odd["entries"][0]["outputs"]["k\x1b[2J"] = "v\x07"
    a = commit(s, snapshot(ip="10.0.0.1", extra_entry="resource.old"))
    b = commit(s, odd)
    r = s.run("diff", a, b)
    check(r.returncode == 0 and ESC not in r.stdout and "\x07" not in r.stdout, "piped: no escape sequences at all", r)
    check("outputs.k\\x1b[2J" in r.stdout, "a control character in a key is shown escaped", r.stdout)
    status, seen = on_terminal(s, "diff", a, b)
    check(status == 0 and b"\x1b[33m~ resource.main\x1b[0m" in seen and b"\x1b[31m- resource.old\x1b[0m" in seen,
          "on a terminal: changed lines yellow, removed lines red", seen)
    check(b"\x1b[2J" not in seen and b"\x07" not in seen, "on a terminal the store's control characters stay escaped",
          seen)
    status, seen = on_terminal(s, "diff", a, b, env={"NO_COLOR": "1"})
    check(status == 0 and b"\x1b" not in seen and b"~ resource.main" in seen, "NO_COLOR=1: no color", seen)
    status, seen = on_terminal(s, "diff", a, b, env={"NO_COLOR": ""})
    check(status == 0 and b"\x1b[33m" in seen, "an empty NO_COLOR does not turn color off", seen)
    status, seen = on_terminal(s, "diff", a, b, "--json")
    check(status == 0 and b"\x1b" not in seen and json.loads(seen.decode())["to"] == b, "--json: never color", seen)


def stack_state(s):
    """Everything a dry run must leave alone: the files (names, sizes, mtimes), current, the journal."""
    files = []
    for dirpath, _, names in os.walk(s.root):
        for name in names:
            st = os.stat(os.path.join(dirpath, name))
            files.append((os.path.join(dirpath, name), st.st_size, st.st_mtime_ns))
    return sorted(files), s.run("current").stdout, s.run("log", "--json").stdout


def test_set_current_dry_run_changes_nothing(s):
    a = commit(s, snapshot(ip="10.0.0.1"))
    b = commit(s, snapshot(ip="10.0.0.2"))
    before = stack_state(s)
    r = s.run("set-current", "--dry-run", a)
    check(r.returncode == 0 and r.stdout.splitlines()[0] == f"dry run: set-current {a} would move current from {b} "
          f"to {a}; nothing was changed", "set-current --dry-run says what it would do", r)
    check(f"from {b} to {a}:" in r.stdout and '    ~ outputs.ip: "10.0.0.2" -> "10.0.0.1"\n' in r.stdout,
          "set-current --dry-run prints the diff from current to the target", r.stdout)
    check(stack_state(s) == before, "set-current --dry-run changes no file, not current, not the journal")
    doc = json_doc(s.run("set-current", "--dry-run", a, "--json"))
    check(doc is not None and list(doc) == ["dry-run", "rev", "previous", "diff"] and doc["dry-run"] is True
          and doc["rev"] == a and doc["previous"] == b and doc["diff"]["from"] == b and doc["diff"]["to"] == a
          and doc["diff"]["changed"][0]["outputs"][0]["new"] == "10.0.0.1", "set-current --dry-run --json", doc)
    r = s.run("set-current", "--dry-run", "2020-01-01T00:00:00Z")
    check(r.returncode == 3 and "set-current 2020-01-01T00:00:00Z" in r.stderr,
          "set-current --dry-run of an unknown revision: exit 3, as set-current", r)
    holder = s.popen("lock", "--", "sleep", "5")
    try:
        check(wait_for_lock(s, "held")["state"] == "held", "another process holds the lock")
        held = stack_state(s)
        r = s.run("set-current", "--dry-run", a)
        check(r.returncode == 0 and f"from {b} to {a}:" in r.stdout, "set-current --dry-run takes no lock", r)
        check(stack_state(s) == held, "with the lock held elsewhere, still nothing changed")
    finally:
        stop_group(holder)
    check(s.run("current").stdout.strip() == b, "current still names B")


def test_help_lists_diff_and_dry_run(s):
    r = s.run("--help")
    check(r.returncode == 0 and "diff" in r.stdout, "--help lists diff", r.stdout)
    r = s.run("diff", "--help")
    check(r.returncode == 0 and "--show-values" in r.stdout and r.stderr == "", "diff --help", r)
    r = s.run("set-current", "--help")
    check(r.returncode == 0 and "--dry-run" in r.stdout, "set-current --help shows --dry-run", r)
    r = s.run("set-current", "--show-values", "2020-01-01T00:00:00Z")
    check(r.returncode == 2 and "--dry-run" in r.stderr, "set-current --show-values without --dry-run: exit 2", r)
    r = s.run("diff", "a", "b", "c")
    check(r.returncode == 2, "diff with three revisions: usage error (exit 2)", r)


def test_set_current_dry_run_without_current(s):
    w = s.run("write", stdin=json.dumps(snapshot())).stdout.strip()
    r = s.run("set-current", "--dry-run", w)
    check(r.returncode == 0 and f"would move current from none to {w}" in r.stdout
          and f"from (none) to {w}: 1 added" in r.stdout and "+ resource.main" in r.stdout,
          "set-current --dry-run with no current: everything is added", r)
    doc = json_doc(s.run("set-current", "--dry-run", w, "--json"))
    check(doc is not None and doc["previous"] is None and doc["diff"]["from"] is None
          and doc["diff"]["added"] == ["resource.main"], "--json: previous and from are null", doc)
    check(s.run("current").returncode == 3, "still no current")


TESTS = [
    test_diff_shows_a_changed_output,
    test_diff_added_removed_entries_and_stack_outputs,
    test_diff_defaults_to_previous_current_and_current,
    test_diff_json_shape,
    test_sensitive_values_hidden_unless_show_values,
    test_color_only_on_a_terminal,
    test_set_current_dry_run_changes_nothing,
    test_set_current_dry_run_without_current,
    test_help_lists_diff_and_dry_run,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
