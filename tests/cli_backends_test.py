#!/usr/bin/env python3
"""End-to-end tests of --backend SPEC (issue 12): every command through a backend spec behaves as on
the local store (same exit codes, same --json shapes), SEALSTATE_BACKEND, migrate-schema, copy, and
passwords in specs never shown.

The backend under test comes from SEALSTATE_TEST_BACKEND (e.g. a postgres:// spec); without it, a
local: spec in a temporary directory. Only generic behaviour is checked (no file inspection of the
backend under test), so the same file runs against any backend.

Usage: cli_backends_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import pty
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import EXE, FACTORY, SNAPSHOT, check, drain_pty, json_doc, run_raw, stop_group  # noqa: E402

PASSWORD = "hunter2-secret"


def spec_under_test(tmp):
    """The spec of the backend under test: SEALSTATE_TEST_BACKEND, else local: in `tmp`."""
    return os.environ.get("SEALSTATE_TEST_BACKEND") or "local:" + os.path.join(tmp, "under-test")


class Side:
    """One stack reached through given global options (a spec or --root), with its own names."""

    def __init__(self, s, location_args, stack):
        self.s = s
        self.stack = stack
        self.globals = location_args + ["--factory", FACTORY, "--stack", stack]

    def snapshot(self, mark):
        doc = json.loads(json.dumps(SNAPSHOT))
        doc["stack"] = self.stack
        doc["entries"][0]["outputs"]["id"] = mark
        return json.dumps(doc)

    def run(self, *args, stdin=None, env=None):
        merged = dict(self.s.env)
        merged.update(env or {})
        return run_raw(self.globals + list(args), merged, stdin=stdin)

    def popen(self, *args):
        return subprocess.Popen([EXE] + self.globals + list(args), env=self.s.env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def lock_state(self):
        return json_doc(self.run("lock-status", "--json")) or {}


def fresh_stack_name():
    """A stack name no other run used: a shared backend (a database) keeps every run's stacks."""
    return "S-" + uuid.uuid4().hex[:12]


def shape(value):
    """The shape of a JSON value: keys in order and the types of the values, not the values."""
    if isinstance(value, dict):
        return [(k, shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


# The scenario every backend must go through like the local store: (name, args, stdin mark, saved
# as). "{r1}" etc. are the revisions earlier steps printed on that side.
SCENARIO = [
    ("current of a stack that does not exist", ["current", "--json"], None, None),
    ("list of a stack that does not exist", ["list", "--json"], None, None),
    ("commit", ["commit", "--json"], "one", "r1"),
    ("commit again", ["commit", "--json"], "two", "r2"),
    ("--expect-at-least the newest current", ["--expect-at-least", "{r2}", "current", "--json"], None, None),
    ("write", ["write", "--json"], "three", "r3"),
    ("list", ["list", "--json"], None, None),
    ("list --newest-first --limit 2", ["list", "--newest-first", "--limit", "2", "--json"], None, None),
    ("current", ["current", "--json"], None, None),
    ("show", ["show", "--json"], None, None),
    ("show REV", ["show", "{r1}", "--json"], None, None),
    ("show of a missing revision", ["show", "2001-01-01T00:00:00Z", "--json"], None, None),
    ("show of a bad revision name", ["show", "../x", "--json"], None, None),
    ("set-current (rollback)", ["set-current", "{r1}", "--json"], None, None),
    ("set-current --dry-run", ["set-current", "--dry-run", "{r2}", "--json"], None, None),
    ("diff", ["diff", "{r1}", "{r2}", "--json"], None, None),
    ("delete of the current revision", ["delete", "{r1}", "--json"], None, None),
    ("delete", ["delete", "{r3}", "--json"], None, None),
    ("set-current (roll forward)", ["set-current", "{r2}", "--json"], None, None),
    ("prune --dry-run", ["prune", "--keep", "0", "--dry-run", "--json"], None, None),
    ("prune", ["prune", "--keep", "0", "--json"], None, None),
    ("verify", ["verify", "--json"], None, None),
    ("lock-status", ["lock-status", "--json"], None, None),
    ("lock -- true", ["lock", "--json", "--", "true"], None, None),
    ("lock -- a command that exits 3", ["lock", "--json", "--", "sh", "-c", "exit 3"], None, None),
    ("lock -- a command that takes the held lock", ["lock", "--json", "--", "{self}", "lock", "--", "true"], None,
     None),
    ("force-unlock without a lock", ["force-unlock", "--json"], None, None),
    ("log", ["log", "--json"], None, None),
    ("log --since 2", ["log", "--since", "2", "--json"], None, None),
    ("migrate-schema", ["migrate-schema", "--json"], None, None),
    ("commit with another key", ["commit", "--json"], "four", "wrong-key"),
]

EXPECTED_EXIT = {
    "current of a stack that does not exist": 3, "list of a stack that does not exist": 3,
    "show of a missing revision": 3, "show of a bad revision name": 2, "delete of the current revision": 2,
    "lock -- a command that exits 3": 3, "lock -- a command that takes the held lock": 4,
    "commit with another key": 5,
}


def run_scenario(side):
    """[(name, exit status, JSON document)] of SCENARIO on `side`."""
    saved = {}
    results = []
    for name, args, mark, save_as in SCENARIO:
        expanded = []
        for a in args:
            expanded += [EXE] + side.globals if a == "{self}" else [a.format(**saved)]
        args = expanded
        env = None
        if save_as == "wrong-key":
            env = {"SEALSTATE_KEY": cli_test.keygen(side.s.env)}
        r = side.run(*args, stdin=side.snapshot(mark) if mark else None, env=env)
        doc = json_doc(r)
        if save_as and doc and "rev" in doc:
            saved[save_as] = doc["rev"]
        results.append((name, r.returncode, doc, r))
    return results


def test_every_command_as_on_the_local_store(s):
    tmp = os.path.dirname(s.root)
    stack = fresh_stack_name()
    reference = run_scenario(Side(s, ["--root", os.path.join(tmp, "reference")], stack))
    under_test = run_scenario(Side(s, ["--backend", spec_under_test(tmp)], stack))
    for (name, want_exit, want_doc, _), (_, got_exit, got_doc, r) in zip(reference, under_test):
        check(got_exit == want_exit, f"{name}: exit {want_exit} as on the local store", (got_exit, r.stderr))
        check(got_doc is not None and shape(got_doc) == shape(want_doc),
              f"{name}: one --json document shaped as on the local store", (r.stdout, want_doc))
        if name in EXPECTED_EXIT:
            check(got_exit == EXPECTED_EXIT[name], f"{name}: exit {EXPECTED_EXIT[name]}", got_exit)
        elif not name.startswith("lock --"):
            check(got_exit == 0, f"{name}: exit 0", (got_exit, r.stdout, r.stderr))


def test_text_output_as_on_the_local_store(s):
    tmp = os.path.dirname(s.root)
    stack = fresh_stack_name()
    sides = [Side(s, ["--root", os.path.join(tmp, "reference")], stack),
             Side(s, ["--backend", spec_under_test(tmp)], stack)]
    outputs = []
    for side in sides:
        rev = side.run("commit", stdin=side.snapshot("one")).stdout.strip()
        shown = side.run("show").stdout
        listed = side.run("list").stdout.replace(rev, "REV")
        outputs.append((shown, listed, side.run("lock-status").stdout.splitlines()[0]))
    check(outputs[0] == outputs[1], "show, list and lock-status print the same text", outputs)


def test_sealstate_backend_environment(s):
    tmp = os.path.dirname(s.root)
    spec = spec_under_test(tmp)
    stack = fresh_stack_name()
    by_env = Side(s, [], stack)
    rev = by_env.run("commit", stdin=by_env.snapshot("env"), env={"SEALSTATE_BACKEND": spec}).stdout.strip()
    check(rev != "", "commit with SEALSTATE_BACKEND set")
    listed = json_doc(Side(s, ["--backend", spec], stack).run("list", "--json"))
    check(listed is not None and listed["current"] == rev, "--backend SPEC sees what SEALSTATE_BACKEND wrote", listed)
    r = Side(s, ["--root", s.root], stack).run("list", "--json", env={"SEALSTATE_BACKEND": spec})
    check(json_doc(r) is not None and json_doc(r).get("current") == rev, "SEALSTATE_BACKEND wins over --root", r)
    r = by_env.run("current", "--json", env={"SEALSTATE_BACKEND": "local:" + os.path.join(tmp, "elsewhere")})
    check(r.returncode == 3, "another SEALSTATE_BACKEND is another store", r)


def password_specs(tmp):
    return [
        f"nosuch://user:{PASSWORD}@db.example/state",
        f"//user:{PASSWORD}@db.example/state",
        f"local:{tmp}/missing?password={PASSWORD}",
        f"postgres://user:{PASSWORD}@127.0.0.1:1/nodb?connect_timeout=2",
        f"postgresql://user@127.0.0.1:1/nodb?password={PASSWORD}&connect_timeout=2",
    ]


def check_no_password(r, name):
    """Whether it worked (a local: path may hold "password=") or failed, the password is not shown."""
    check(PASSWORD not in r.stdout and PASSWORD not in r.stderr, f"{name}: the password is not shown",
          (r.returncode, r.stdout, r.stderr))


def test_passwords_in_specs_are_never_shown(s):
    tmp = os.path.dirname(s.root)
    stack = fresh_stack_name()
    for spec in password_specs(tmp):
        side = Side(s, ["--backend", spec], stack)
        for args in (["list"], ["list", "--json"], ["migrate-schema"], ["migrate-schema", "--json"]):
            r = side.run(*args)
            check_no_password(r, f"{' '.join(args)} with --backend {spec.split(':')[0]}:...")
            if "--json" in args:
                doc = json_doc(r)
                check(doc is not None and (r.returncode == 0) == ("error" not in doc),
                      f"{' '.join(args)}: one --json document", r.stdout)
        r = Side(s, [], stack).run("list", "--json", env={"SEALSTATE_BACKEND": spec})
        check_no_password(r, f"SEALSTATE_BACKEND={spec.split(':')[0]}:...")
    source = Side(s, ["--backend", spec_under_test(tmp)], stack)
    check(source.run("commit", stdin=source.snapshot("one")).returncode == 0, "commit to copy from")
    for spec in password_specs(tmp):
        for json_flag in ([], ["--json"]):
            r = source.run("copy", "--to", spec, *json_flag)
            check_no_password(r, f"copy --to {spec.split(':')[0]}:... {' '.join(json_flag)}")


def test_copied_from_names_the_source_redacted(s):
    tmp = os.path.dirname(s.root)
    stack = fresh_stack_name()
    source_spec = f"local:{tmp}/source?password={PASSWORD}"
    source = Side(s, ["--backend", source_spec], stack)
    check(source.run("commit", stdin=source.snapshot("one")).returncode == 0, "commit to a local: spec with password=")
    r = source.run("copy", "--to", spec_under_test(tmp), "--json")
    check(r.returncode == 0 and PASSWORD not in r.stdout + r.stderr, "copy from it: the password is not shown", r)
    events = json_doc(Side(s, ["--backend", spec_under_test(tmp)], stack).run("log", "--json"))["events"]
    copied = [e for e in events if e["event"] == "copied-from"]
    check(len(copied) == 1 and "password=***" in copied[0]["detail"] and PASSWORD not in json.dumps(events),
          "the copied-from event names the source with its password redacted", copied)


def test_force_unlock_suggests_the_backend(s):
    tmp = os.path.dirname(s.root)
    spec = spec_under_test(tmp)
    side = Side(s, ["--backend", spec], fresh_stack_name())
    holder = side.popen("lock", "--", "sleep", "60")
    try:
        deadline = time.monotonic() + 20
        while side.lock_state().get("state") != "held" and time.monotonic() < deadline:
            time.sleep(0.05)
        check(side.lock_state().get("state") == "held", "lock -- sleep holds the lock")
        r = side.run("force-unlock")
        check(r.returncode == 4 and "sealstate --backend " in r.stderr and "force-unlock --id " in r.stderr,
              "force-unlock of a live holder: refused, naming the command with --backend", r)
    finally:
        stop_group(holder)


def snapshot_files(root, stack):
    directory = os.path.join(root, FACTORY, stack, "snapshots")
    files = {}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as f:
            files[name] = f.read()
    return files


def test_copy_round_trip_is_byte_identical(s):
    tmp = os.path.dirname(s.root)
    stack = fresh_stack_name()
    roots = {name: os.path.join(tmp, name) for name in ("a", "c")}
    a = Side(s, ["--backend", "local:" + roots["a"]], stack)
    revs = [a.run("commit", stdin=a.snapshot(str(i))).stdout.strip() for i in range(3)]
    check(a.run("set-current", revs[1]).returncode == 0, "set-current on the source")
    spec = spec_under_test(tmp)
    r = a.run("copy", "--to", spec, "--json")
    doc = json_doc(r)
    check(r.returncode == 0 and doc is not None and list(doc) == [
        "to", "revisions", "copied", "skipped", "journal-events", "current", "verified"]
        and doc["copied"] == 3 and doc["skipped"] == 0 and doc["current"] == revs[1] and doc["verified"] is True,
        "copy --to SPEC --json: every revision copied, current, verified", (r.returncode, r.stdout, r.stderr))
    check(r.stderr == "", "copy --json: no progress line", r.stderr)
    middle = Side(s, ["--backend", spec], stack)
    listed = json_doc(middle.run("list", "--json"))
    check(listed["current"] == revs[1] and [x["rev"] for x in listed["revisions"]] == revs,
          "the target lists the same revisions and current", listed)
    events = json_doc(middle.run("log", "--json"))["events"]
    source_events = json_doc(a.run("log", "--json"))["events"]
    strip = [{k: v for k, v in e.items() if k != "seq"} for e in source_events]
    check([{k: v for k, v in e.items() if k != "seq"} for e in events[:len(strip)]] == strip,
          "the target's journal starts with the source's events, fields kept", events)
    check([e["seq"] for e in events] == list(range(1, len(events) + 1)), "the target's journal is numbered 1, 2, ...")
    copied = events[len(strip)]
    check(copied["event"] == "copied-from" and copied["rev"] == revs[1] and "local:" in copied["detail"],
          "a copied-from event names the source and its current", copied)
    r = a.run("copy", "--to", spec, "--json")
    doc = json_doc(r)
    check(r.returncode == 0 and doc["copied"] == 0 and doc["skipped"] == 3 and doc["journal-events"] == 0,
          "copy again: everything there already, nothing imported twice", r.stdout)
    r = middle.run("copy", "--to", "local:" + roots["c"])
    check(r.returncode == 0 and "copied 3 revisions" in r.stdout and r.stderr == "",
          "copy back to local: text summary, no progress when piped", r)
    check(snapshot_files(roots["a"], stack) == snapshot_files(roots["c"], stack),
          "local -> SPEC -> local: every revision's file is byte-identical")
    c = Side(s, ["--backend", "local:" + roots["c"]], stack)
    check(c.run("current").stdout.strip() == revs[1], "the round trip keeps current")
    check(c.run("verify").returncode == 0, "the round trip verifies")


def test_copy_refuses_a_target_with_its_own_history(s):
    tmp = os.path.dirname(s.root)
    stack = fresh_stack_name()
    a = Side(s, ["--backend", "local:" + os.path.join(tmp, "a")], stack)
    a.run("commit", stdin=a.snapshot("a"))
    target_spec = spec_under_test(tmp)
    b = Side(s, ["--backend", target_spec], stack)
    own = b.run("commit", stdin=b.snapshot("b")).stdout.strip()
    before = json_doc(b.run("list", "--json"))
    r = a.run("copy", "--to", target_spec, "--json")
    doc = json_doc(r)
    check(r.returncode == 1 and doc is not None and doc["error"]["code"] == "already-exists"
          and "history of its own" in doc["error"]["message"], "copy into a stack with a history: refused", r.stdout)
    check(json_doc(b.run("list", "--json")) == before and b.run("current").stdout.strip() == own,
          "the refused copy changed nothing on the target")
    r = a.run("copy", "--to", "local:" + os.path.join(tmp, "a"))
    check(r.returncode == 2 and "same stack" in r.stderr, "copy onto itself: usage error", r)
    r = a.run("copy")
    check(r.returncode == 2, "copy without --to: usage error", r)


def test_copy_progress_on_terminal(s):
    tmp = os.path.dirname(s.root)
    stack = fresh_stack_name()
    a = Side(s, ["--backend", "local:" + os.path.join(tmp, "a")], stack)
    for i in range(3):
        a.run("commit", stdin=a.snapshot(str(i)))
    for json_flag, wanted in (([], True), (["--json"], False)):
        leader, follower = pty.openpty()
        target = "local:" + os.path.join(tmp, "b" + "".join(json_flag))
        r = subprocess.run([EXE] + a.globals + ["copy", "--to", target] + json_flag, env=s.env,
                           stdout=subprocess.PIPE, stderr=follower, timeout=60)
        os.close(follower)
        seen = drain_pty(leader)
        check(r.returncode == 0 and (b"\rcopying " in seen) == wanted,
              f"copy {' '.join(json_flag)}: progress line on a terminal {'shown' if wanted else 'not shown'}", seen)


TESTS = [
    test_every_command_as_on_the_local_store, test_text_output_as_on_the_local_store,
    test_sealstate_backend_environment, test_passwords_in_specs_are_never_shown,
    test_copy_round_trip_is_byte_identical, test_copy_refuses_a_target_with_its_own_history,
    test_copy_progress_on_terminal, test_copied_from_names_the_source_redacted,
    test_force_unlock_suggests_the_backend,
]

if __name__ == "__main__":
    if os.environ.get("SEALSTATE_TEST_ON_POSTGRES") == "1":
        # The registration on the test server (scripts/postgres_server.sh, started by test.sh).
        if not os.environ.get("SEALSTATE_TEST_POSTGRES"):
            if os.environ.get("SEALSTATE_REQUIRE_POSTGRES") == "1":
                sys.exit("SEALSTATE_TEST_POSTGRES is not set, but SEALSTATE_REQUIRE_POSTGRES=1: the test server "
                         "did not start")
            print("SKIP: no test server (SEALSTATE_TEST_POSTGRES is not set)")
            sys.exit(77)
        os.environ["SEALSTATE_TEST_BACKEND"] = os.environ["SEALSTATE_TEST_POSTGRES"]
    if os.environ.get("SEALSTATE_TEST_BACKEND"):
        # A database's schema must exist before any stack does (idempotent; local: nothing to do).
        migrated = cli_test.run_raw(["--backend", os.environ["SEALSTATE_TEST_BACKEND"], "migrate-schema"],
                                    cli_test.base_env())
        if migrated.returncode != 0:
            sys.exit("migrate-schema failed: " + migrated.stderr)
    sys.exit(cli_test.run_tests(TESTS, prefix="sealstate-cli-backends-"))
