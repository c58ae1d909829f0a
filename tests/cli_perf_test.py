#!/usr/bin/env python3
"""End-to-end tests of what the CLI's speed work (issue 15) must keep or guarantee: libpq is loaded
only when a PostgreSQL store is opened, not at every start-up, and the C++ runtime is linked in
(SEALSTATE_TEST_CLI_STATIC_CXX=1, as meson builds it without sanitizers); commit and show leave the decoded
snapshot to the process's exit instead of freeing it node by node; show prints a v2 revision's
authenticated plaintext as is, byte for byte what decoding and re-encoding printed, and never
prints a file that does not authenticate.

Usage: cli_perf_test.py PATH/TO/sealstate [PATH/TO/free_counter.so]   (the helpers of cli_test.py
read the same first argument; without the shim, the free() counting test is skipped)
"""

import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, check, run_raw  # noqa: E402

FREE_COUNTER = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
RESOURCES = 2000


def loaded_libraries(result):
    """The libraries the dynamic loader reported loading (LD_DEBUG=libs) in `result`'s stderr."""
    return [line for line in result.stderr.splitlines() if "find library=" in line]


def test_local_commands_do_not_load_libpq(s):
    debug = {"LD_DEBUG": "libs"}
    r = run_raw(["--version"], dict(s.env, **debug))
    check(r.returncode == 0 and loaded_libraries(r), "--version runs with LD_DEBUG=libs reporting libraries",
          r.stderr[-2000:])
    check(not [lib for lib in loaded_libraries(r) if "libpq" in lib], "--version does not load libpq",
          loaded_libraries(r))
    if os.environ.get("SEALSTATE_TEST_CLI_STATIC_CXX") == "1":
        check(not [lib for lib in loaded_libraries(r) if "libstdc++" in lib], "--version loads no libstdc++",
              loaded_libraries(r))
    runs = {
        "commit": s.run("commit", stdin=json.dumps(SNAPSHOT), env=debug),
        "show": s.run("show", env=debug),
        "list --json": s.run("list", "--json", env=debug),
    }
    for name, r in runs.items():
        check(r.returncode == 0, f"{name} on a local store works", r.stderr[-2000:])
        check("libpq" not in r.stderr, f"{name} on a local store does not load libpq", loaded_libraries(r))


def test_a_postgres_spec_loads_libpq_when_opened(s):
    # Port 1 refuses the connection: libpq is loaded, then connecting fails with libpq's reason.
    spec = "postgres://user@127.0.0.1:1/nodb?connect_timeout=2"
    r = run_raw(["--backend", spec, "--factory", "F", "--stack", "S", "list"], dict(s.env, LD_DEBUG="libs"))
    check(r.returncode == 1, "list on an unreachable server fails with exit 1", (r.returncode, r.stderr[-2000:]))
    check([lib for lib in loaded_libraries(r) if "libpq.so" in lib], "opening a postgres spec loads libpq",
          loaded_libraries(r))
    r = run_raw(["--backend", spec, "--factory", "F", "--stack", "S", "list"], s.env)
    check("postgres store: connect to" in r.stderr and "127.0.0.1" in r.stderr,
          "the failure names the server and libpq's reason", r.stderr)


def many_resources():
    """SNAPSHOT with RESOURCES entries of a few outputs each."""
    entry = SNAPSHOT["entries"][0]
    entries = [dict(entry, address=f"resource.r{i}", outputs={"id": f"vpc-{i}", "cidr": "10.0.0.0/16",
                                                              "tags": {"name": f"n{i}", "team": "infra"}})
               for i in range(RESOURCES)]
    return dict(SNAPSHOT, entries=entries)


def frees_of(s, *args, stdin=None):
    """The result of running the CLI on the stack with free() counted, and the count."""
    count_file = os.path.join(os.path.dirname(s.root), "free-count")
    r = s.run(*args, stdin=stdin, env={"LD_PRELOAD": FREE_COUNTER, "SEALSTATE_TEST_FREE_COUNT": count_file})
    with open(count_file) as f:
        return r, int(f.read())


def test_commit_and_show_leave_the_snapshot_to_the_exit(s):
    if FREE_COUNTER is None:
        print("# skipped: no free_counter.so given")
        return
    _, baseline = frees_of(s, "--version")  # what start-up and exit free anyway
    document = json.dumps(many_resources())
    r, commit_frees = frees_of(s, "commit", stdin=document)
    check(r.returncode == 0, "commit of many resources works", r.stderr)
    # Freed node by node, the decoded snapshot takes about 7 calls of free() per resource here;
    # what decoding frees on the way (buffers, moved-from strings) about 2.
    check(commit_frees - baseline < 4 * RESOURCES, "commit does not free the decoded snapshot node by node",
          (baseline, commit_frees))
    r, show_frees = frees_of(s, "show")
    check(r.returncode == 0 and json.loads(r.stdout) == json.loads(document), "show prints what was committed",
          r.stderr)
    check(show_frees - baseline < 4 * RESOURCES, "show does not free the decoded snapshot node by node",
          (baseline, show_frees))


def variants():
    """Snapshots whose encodings exercise the encoder: escapes, numbers, nesting, null entries."""
    escapes = copy.deepcopy(SNAPSHOT)
    escapes["entries"][0]["outputs"] = {"html": "<a href='x'>&</a>", "seps": "\u2028\u2029", "emoji": "\U0001f600",
                                        "ctl": "tab\tnl\n\x01", "fffd": "\ufffd", "quote": "\"\\"}
    numbers = copy.deepcopy(SNAPSHOT)
    numbers["entries"][0]["outputs"] = {"big": 9007199254740993, "neg": -17, "float": 1.5e-7, "exp": 1e21,
                                        "zero": 0.0, "list": [1, 2.25, None, True, False, []], "empty": {}}
    nested = copy.deepcopy(SNAPSHOT)
    nested["entries"][0]["inputs"] = {"b": {"z": [{"y": 1}, {"x": [2, {"w": "v"}]}]}, "a": None}
    nested["outputs"] = {"url": "https://example.com/?a=1&b=2", "n": 3}
    no_entries = dict(copy.deepcopy(SNAPSHOT), entries=None)
    return [SNAPSHOT, escapes, numbers, nested, no_entries, many_resources()]


def test_show_prints_what_decoding_printed(s):
    for i, snapshot in enumerate(variants()):
        document = json.dumps(snapshot)
        v1 = s.run("--unobin", "commit", stdin=document)
        v2 = s.run("commit", stdin=document)
        check(v1.returncode == 0 and v2.returncode == 0, f"snapshot {i}: committed as v1 and v2", (v1, v2))
        decoded = s.run("--accept-v1", "show", v1.stdout.strip())  # v1: decoded and re-encoded
        direct = s.run("show", v2.stdout.strip())  # v2: the authenticated plaintext as is
        check(decoded.returncode == 0 and direct.returncode == 0 and direct.stdout == decoded.stdout
              and json.loads(direct.stdout) == json.loads(document),
              f"snapshot {i}: show of the v2 revision prints the bytes decoding prints",
              (direct.stdout[:300], decoded.stdout[:300]))


def test_show_does_not_decode_a_v2_revision(s):
    if FREE_COUNTER is None:
        print("# skipped: no free_counter.so given")
        return
    _, baseline = frees_of(s, "--version")
    document = json.dumps(many_resources())
    s.commit(json.loads(document))
    r, show_frees = frees_of(s, "show")
    check(r.returncode == 0 and json.loads(r.stdout) == json.loads(document), "show prints the snapshot", r.stderr)
    # Decoding frees about 2 per resource on the way even when the snapshot is kept (above);
    # opening alone frees a few hundred buffers in all, and the rollback check's read of the
    # journal's last lines a few hundred more.
    check(show_frees - baseline < RESOURCES // 2, "show of a v2 revision does not decode it", (baseline, show_frees))


def test_show_prints_nothing_of_a_file_that_does_not_authenticate(s):
    rev = s.commit(many_resources())
    path = s.snapshot_path(rev)
    with open(path, "rb") as f:
        original = f.read()
    for where in (len(original) // 2, len(original) - 3):  # a middle chunk; the final tag
        damaged = bytearray(original)
        damaged[where] ^= 0x01
        with open(path, "wb") as f:
            f.write(bytes(damaged))
        r = s.run("show", rev)
        check(r.returncode == 5 and r.stdout == "", f"a flipped byte at {where} of {len(original)}: exit 5, "
              "nothing printed", (r.returncode, r.stdout[:200], r.stderr))
    with open(path, "wb") as f:
        f.write(original)
    check(s.run("show", rev).returncode == 0, "the restored file shows again")


TESTS = [
    test_local_commands_do_not_load_libpq,
    test_a_postgres_spec_loads_libpq_when_opened,
    test_commit_and_show_leave_the_snapshot_to_the_exit,
    test_show_prints_what_decoding_printed,
    test_show_does_not_decode_a_v2_revision,
    test_show_prints_nothing_of_a_file_that_does_not_authenticate,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
