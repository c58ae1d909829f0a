"""The stack lock from Python: the context manager, lock info, force-unlock, and a lock held in
one process and waited for in another."""
import os
import subprocess
import sys
import threading
import time

import pytest

import sealstate
from conftest import make_snapshot, open_store

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")


def test_lock_as_a_context_manager(store):
    assert store.lock_info() == {"state": "free", "holder": None, "reason": store.lock_info()["reason"]}
    with store.lock(timeout=30, operation="apply") as lock:
        assert lock.held and len(lock.id) == 32
        info = store.lock_info()
        assert info["state"] == "held"
        holder = info["holder"]
        assert holder["lock-id"] == lock.id and holder["operation"] == "apply" and holder["pid"] == os.getpid()
        rev = store.write(make_snapshot(), lock_id=lock.id)
        store.set_current(rev, lock_id=lock.id)
    assert not lock.held
    assert store.lock_info()["state"] == "free"
    lock.unlock()  # idempotent
    assert store.journal()[0]["lock-id"] == lock.id


def test_unlock_after_a_force_unlock_that_nobody_followed(store):
    lock = store.lock(timeout=0)
    with pytest.raises(sealstate.Locked, match=lock.id):
        store.force_unlock("f" * 32)
    with pytest.raises(sealstate.Locked):
        store.force_unlock()  # a live holder only by its id
    store.force_unlock(lock.id)
    assert store.lock_info()["state"] == "free"
    assert store.journal()[-1]["event"] == "force-unlock"
    lock.unlock()
    store.force_unlock()  # no lock: nothing to do


def test_dropping_a_lock_releases_it(store):
    lock = store.lock(timeout=0)
    del lock
    assert store.lock_info()["state"] == "free"


def test_cancel_a_wait_from_another_thread(spec, store):
    stop = threading.Event()
    with open_store(spec) as other, store.lock(timeout=0):
        threading.Timer(0.2, stop.set).start()
        started = time.monotonic()
        with pytest.raises(sealstate.Cancelled):
            other.lock(timeout=None, cancel=stop.is_set)
        assert time.monotonic() - started < 10


def test_timeout_names_the_holder(spec, store):
    with open_store(spec) as other, store.lock(timeout=0, operation="apply") as lock:
        started = time.monotonic()
        with pytest.raises(sealstate.Locked, match=f"lock id {lock.id}, operation apply"):
            other.lock(timeout=0.3)
        assert time.monotonic() - started >= 0.3


def test_a_lock_held_in_one_process_is_waited_for_in_another(local_spec):
    with open_store(local_spec):
        pass  # create the stack
    child = subprocess.Popen([sys.executable, CHILD, local_spec, "hold-lock"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        child_lock_id = child.stdout.readline().strip()
        assert len(child_lock_id) == 32
        with open_store(local_spec) as store:
            info = store.lock_info()
            assert info["state"] == "held" and info["holder"]["pid"] == child.pid
            assert info["holder"]["operation"] == "child-holds"
            with pytest.raises(sealstate.Locked, match=f"pid {child.pid}"):
                store.lock(timeout=0)
            threading.Timer(0.5, lambda: (child.stdin.write("release\n"), child.stdin.flush())).start()
            started = time.monotonic()
            with store.lock(timeout=60, operation="waiter") as lock:
                waited = time.monotonic() - started
                assert lock.id != child_lock_id
                assert store.lock_info()["holder"]["pid"] == os.getpid()
            assert 0.4 <= waited < 30
    finally:
        child.stdin.close()
        assert child.wait(timeout=60) == 0


def test_a_killed_holders_lock_is_broken_by_the_next_waiter(local_spec):
    with open_store(local_spec):
        pass
    child = subprocess.Popen([sys.executable, CHILD, local_spec, "hold-lock"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    child.stdout.readline()
    child.kill()
    child.wait()
    with open_store(local_spec) as store:
        assert store.lock_info()["state"] == "stale"
        with store.lock(timeout=0):
            pass
