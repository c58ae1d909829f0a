#!/usr/bin/env python3
"""End-to-end tests of what the CLI's speed work (issue 15) must keep or guarantee: libpq is loaded
only when a PostgreSQL store is opened, not at every start-up.

Usage: cli_perf_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, check, run_raw  # noqa: E402


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


TESTS = [
    test_local_commands_do_not_load_libpq,
    test_a_postgres_spec_loads_libpq_when_opened,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
