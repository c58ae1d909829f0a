"""Every status code the C ABI can return from a real call, raised as its exception class with
code, message, errno and path; and the class of every code."""
import os
import resource
import signal
import subprocess
import sys

import pytest

import sealstate
from conftest import OTHER_KEY_VAR, make_snapshot, open_store

ALL_CLASSES = {
    1: sealstate.InvalidArgument, 2: sealstate.NotFound, 3: sealstate.NoCurrent, 4: sealstate.AlreadyExists,
    5: sealstate.Locked, 6: sealstate.Cancelled, 7: sealstate.Conflict, 8: sealstate.WrongKey,
    9: sealstate.Integrity, 10: sealstate.Format, 11: sealstate.IoError, 12: sealstate.Unsupported,
    13: sealstate.Internal, 14: sealstate.Incomplete,
}


def test_one_class_per_code_under_error():
    for code, cls in ALL_CLASSES.items():
        assert sealstate.error_for_code(code) is cls and cls.CODE == code and issubclass(cls, sealstate.Error)
        # The class's name is the C ABI's code name.
        assert cls.__name__.lower() == sealstate.code_name(code).replace("-", "")
    assert sealstate.error_for_code(99) is sealstate.Error
    assert issubclass(sealstate.InvalidArgument, ValueError)
    assert issubclass(sealstate.NotFound, LookupError)
    assert issubclass(sealstate.IoError, OSError)


def test_invalid_argument(spec, store):
    with pytest.raises(sealstate.InvalidArgument, match="NAME:LOCATION") as raised:
        sealstate.Store.open("nowhere", "network", "prod")
    assert raised.value.code == 1 and raised.value.errno == 0 and raised.value.path == ""
    with pytest.raises(sealstate.InvalidArgument, match="local"):
        sealstate.Store.open("bogus:x", "network", "prod")
    with pytest.raises(sealstate.InvalidArgument):
        sealstate.Store.open(spec, "network", "../x", create=True)
    with pytest.raises(sealstate.InvalidArgument, match="rot13"):
        sealstate.Store.open(spec, "network", "prod", key_source="rot13")
    with pytest.raises(sealstate.InvalidArgument, match="SEALSTATE_PYTEST_UNSET is not set"):
        sealstate.Store.open(spec, "network", "prod", key_source="env-key",
                             key_config={"env-var": "SEALSTATE_PYTEST_UNSET"})
    with pytest.raises(sealstate.InvalidArgument):
        store.get("../x")
    with pytest.raises(sealstate.InvalidArgument, match="sealstate_write: "):
        store.write(b"{")
    with pytest.raises(sealstate.InvalidArgument, match='names stack "other"'):
        store.commit(make_snapshot(stack="other"))
    with pytest.raises(sealstate.InvalidArgument):
        store.lock(timeout=0, operation="x" * 100000)


def test_not_found(spec, store):
    with pytest.raises(sealstate.NotFound):
        sealstate.Store.open(spec, "network", "missing")
    with pytest.raises(sealstate.NotFound, match="2020-01-01T00:00:00Z") as raised:
        store.get("2020-01-01T00:00:00Z")
    assert raised.value.code == 2


def test_no_current(store):
    with pytest.raises(sealstate.NoCurrent, match="no current snapshot"):
        store.current()
    with pytest.raises(sealstate.NoCurrent):
        store.current_rev()


def test_wrong_key(spec, store):
    rev = store.commit(make_snapshot())
    with open_store(spec, OTHER_KEY_VAR) as other:
        with pytest.raises(sealstate.WrongKey) as raised:
            other.get(rev)
    assert raised.value.code == 8


def test_format(store):
    snapshot = make_snapshot()
    snapshot["format-version"] = 2
    with pytest.raises(sealstate.Format, match="format-version 2"):
        store.write(snapshot)


def test_conflict(store):
    rev = store.commit(make_snapshot())
    with pytest.raises(sealstate.Conflict) as raised:
        store.set_current(rev, expected=None)
    assert raised.value.code == 7


def test_integrity_of_a_tampered_file_and_a_damaged_pointer(local_spec):
    root = local_spec[len("local:"):]
    with open_store(local_spec) as store:
        rev = store.commit(make_snapshot())
        path = f"{root}/network/prod/snapshots/{rev}.json.enc"
        with open(path, "r+b") as f:
            f.seek(-5, os.SEEK_END)
            byte = f.read(1)
            f.seek(-5, os.SEEK_END)
            f.write(bytes([byte[0] ^ 1]))
        with pytest.raises(sealstate.Integrity):
            store.get(rev)
        with open(f"{root}/network/prod/current", "w") as f:
            f.write("not a revision\n")
        with pytest.raises(sealstate.Integrity):
            store.current_rev()


def test_io_error_carries_errno_and_path(tmp_path):
    plain = tmp_path / "plain-file"
    plain.write_text("")
    with pytest.raises(sealstate.IoError) as raised:
        sealstate.Store.open(f"local:{plain}", "network", "prod", create=True)
    assert raised.value.code == 11 and raised.value.errno != 0 and raised.value.path != ""
    assert isinstance(raised.value, OSError) and raised.value.filename == raised.value.path


def test_locked_and_fencing(spec, store):
    rev = store.commit(make_snapshot())
    with open_store(spec) as other:
        lock = store.lock(timeout=0, operation="apply")
        with pytest.raises(sealstate.Locked, match=lock.id) as raised:
            other.lock(timeout=0)
        assert raised.value.code == 5
        with pytest.raises(sealstate.Locked, match="locked by"):
            other.commit(make_snapshot(), timeout=0)
        store.set_current(rev, lock_id=lock.id)  # fenced by a held lock
        other.force_unlock(lock.id)
        with pytest.raises(sealstate.Locked):
            store.set_current(rev, lock_id=lock.id)
        with pytest.raises(sealstate.Locked):
            store.remove("2020-01-01T00:00:00Z", lock_id=lock.id)
        lock.unlock()


def test_cancelled(spec, store):
    with open_store(spec) as other, store.lock(timeout=0):
        calls = []

        def second_call():
            calls.append(1)
            return len(calls) >= 2

        with pytest.raises(sealstate.Cancelled) as raised:
            other.lock(timeout=None, cancel=second_call)
        assert raised.value.code == 6 and len(calls) == 2
        calls.clear()
        with pytest.raises(sealstate.Cancelled):
            other.commit(make_snapshot(), timeout=None, cancel=second_call)
        assert len(calls) == 2
        with pytest.raises(sealstate.NoCurrent):
            other.current()  # the cancelled commit wrote nothing


def test_an_exception_in_the_cancel_predicate_stops_the_wait_and_propagates(spec, store):
    with open_store(spec) as other, store.lock(timeout=0):
        def boom():
            raise KeyError("from the predicate")

        with pytest.raises(KeyError, match="from the predicate"):
            other.lock(timeout=None, cancel=boom)
        with pytest.raises(KeyError, match="from the predicate"):
            other.commit(make_snapshot(), timeout=None, cancel=boom)


def test_commit_fails_cleanly_when_journaling_fails_before_the_swap(local_spec):
    """A commit whose "set-current" journal line (written before the pointer swap, for rollback
    detection) fails with EFBIG (RLIMIT_FSIZE in a child process) fails as an IoError and leaves
    current as it was."""
    root = local_spec[len("local:"):]
    with open_store(local_spec) as store:
        for _ in range(4):
            store.commit(make_snapshot())
        before = store.current_rev()
    journal = f"{root}/network/prod/journal"
    with open(journal, "rb") as f:
        text = f.read()
    write_line = [line for line in text.splitlines(True) if b'"event":"write"' in line][-1]
    limit = len(text) + len(write_line) + 20

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    child = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")
    result = subprocess.run([sys.executable, child, local_spec, "commit"], capture_output=True, text=True,
                            timeout=60, preexec_fn=limit_file_size)
    assert result.stdout.startswith("IoError "), (result.stdout, result.stderr)
    assert "File too large" in result.stdout
    with open_store(local_spec) as store:
        assert len(store.list()) == 4
        assert store.current_rev() == before  # it did not take effect
        assert store.lock_info()["state"] == "free"
