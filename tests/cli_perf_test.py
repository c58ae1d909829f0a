#!/usr/bin/env python3
"""End-to-end tests of what the CLI's speed work (issue 15) must keep or guarantee: libpq is loaded
only when a PostgreSQL store is opened, not at every start-up, and the C++ runtime is linked in
(SEALSTATE_TEST_CLI_STATIC_CXX=1, as meson builds it without sanitizers); commit and show leave the decoded
snapshot to the process's exit instead of freeing it node by node.

Usage: cli_perf_test.py PATH/TO/sealstate [PATH/TO/free_counter.so]   (the helpers of cli_test.py
read the same first argument; without the shim, the free() counting test is skipped)
"""

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


TESTS = [
    test_local_commands_do_not_load_libpq,
    test_a_postgres_spec_loads_libpq_when_opened,
    test_commit_and_show_leave_the_snapshot_to_the_exit,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
