"""A second process for the binding's tests: `child.py SPEC hold-lock` takes network/prod's lock,
prints its id, and holds it until a line arrives on stdin; `child.py SPEC commit` commits a
snapshot and prints "ok REV" or "ERROR-CLASS MESSAGE". Keys as conftest.py sets them."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from conftest import KEY_VAR, make_snapshot, open_store  # noqa: E402

import sealstate  # noqa: E402


def main():
    spec, command = sys.argv[1], sys.argv[2]
    with open_store(spec, KEY_VAR) as store:
        if command == "hold-lock":
            with store.lock(timeout=0, operation="child-holds") as lock:
                print(lock.id, flush=True)
                sys.stdin.readline()
        elif command == "commit":
            try:
                print("ok", store.commit(make_snapshot()), flush=True)
            except sealstate.Error as e:
                print(type(e).__name__, e, flush=True)


if __name__ == "__main__":
    main()
