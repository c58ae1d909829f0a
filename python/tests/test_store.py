"""Every Store call against a real local store and the memory backend: snapshots, revisions,
the pointer, the journal, verification, keys and versions."""
import json

import pytest

import sealstate
from conftest import KEY_VAR, OTHER_KEY_VAR, make_snapshot, open_store


def test_versions_and_keys():
    assert sealstate.version().count(".") == 2
    assert sealstate.abi_version() == 1
    first, second = sealstate.keygen(), sealstate.keygen()
    assert len(first) == 44 and first.endswith("=") and first != second
    assert sealstate.code_name(sealstate.WrongKey.CODE) == "wrong-key"
    assert sealstate.code_name(99) == "unknown"


def test_commit_and_read_back_as_dict_with_exact_integers(store):
    snapshot = make_snapshot()
    rev = store.commit(snapshot, timeout=5, operation="apply")
    assert store.current_rev() == rev
    current = store.current()
    assert current == snapshot
    outputs = current["entries"][0]["outputs"]
    assert outputs["max-u64"] == 18446744073709551615 and isinstance(outputs["max-u64"], int)
    assert outputs["min-i64"] == -9223372036854775808
    assert outputs["past-double"] == 9007199254740993
    assert store.get(rev) == snapshot


def test_json_bytes_are_the_librarys_encoding(store):
    rev = store.commit(make_snapshot())
    data = store.current_json()
    assert isinstance(data, bytes) and data == store.get_json(rev)
    assert b"18446744073709551615" in data
    rev2 = store.write(data)  # what current returns writes back, as bytes and as str
    rev3 = store.write(data.decode())
    assert store.get_json(rev2) == data and store.get_json(rev3) == data


def test_write_does_not_move_current_and_list_orders(store):
    assert store.list() == []
    first = store.commit(make_snapshot(vpc_id="vpc-1"))
    second = store.write(make_snapshot(vpc_id="vpc-2"))
    assert first != second
    assert store.current_rev() == first
    assert store.get(second)["entries"][0]["outputs"]["id"] == "vpc-2"
    assert store.list() == [first, second]
    assert store.list(newest_first=True) == [second, first]


def test_set_current_compare_and_swap_and_remove(store):
    first = store.commit(make_snapshot())
    second = store.write(make_snapshot(vpc_id="vpc-2"))
    with pytest.raises(sealstate.Conflict):
        store.set_current(second, expected=second)
    with pytest.raises(sealstate.Conflict):
        store.set_current(second, expected=None)  # "there must be no current"
    assert store.current_rev() == first
    store.set_current(second, expected=first)
    assert store.current_rev() == second
    store.set_current(first)  # unconditionally
    assert store.current_rev() == first
    with pytest.raises(sealstate.InvalidArgument, match="current"):
        store.remove(first)
    store.remove(second)
    store.remove(second)  # a missing revision is fine
    assert store.list() == [first]


def test_set_current_expecting_no_current_on_a_new_stack(spec):
    with open_store(spec) as store:
        rev = store.write(make_snapshot())
        store.set_current(rev, expected=None)
        assert store.current_rev() == rev


def test_new_key_changes_the_key_on_purpose(store, spec):
    store.commit(make_snapshot())
    with open_store(spec, OTHER_KEY_VAR) as other:
        with pytest.raises(sealstate.WrongKey):
            other.write(make_snapshot())
        with pytest.raises(sealstate.WrongKey):
            other.commit(make_snapshot())
        rev = other.commit(make_snapshot(vpc_id="vpc-new"), new_key=True)
        assert other.current_rev() == rev
        other.write(make_snapshot(), new_key=True)
    with pytest.raises(sealstate.WrongKey):
        store.current()


def test_journal_since_seq(store):
    rev = store.commit(make_snapshot())
    events = store.journal()
    assert [e["event"] for e in events] == ["write", "set-current"]
    assert events[0]["seq"] == 1 and events[0]["rev"] == rev and events[0]["envelope-version"] == 3
    assert store.journal(since_seq=1) == events[1:]
    assert store.journal(since_seq=10**6) == []


def test_verify_reports_a_revision_of_another_key(store, spec):
    store.commit(make_snapshot())
    assert store.verify() == {"revisions": 1, "problems": [], "strays": []}
    with open_store(spec, OTHER_KEY_VAR) as other:
        bad = other.write(make_snapshot(), new_key=True)
    report = store.verify()
    assert report["revisions"] == 2
    assert [(p["rev"], p["code"]) for p in report["problems"]] == [(bad, "wrong-key")]


def test_keyless_store_locks_lists_and_journals_but_reads_nothing(store, spec):
    rev = store.commit(make_snapshot())
    with open_store(spec, None) as keyless:
        assert keyless.list() == [rev]
        assert len(keyless.journal()) == 2
        with keyless.lock(timeout=0):
            pass
        with pytest.raises(sealstate.InvalidArgument, match="no encrypter"):
            keyless.current()


def test_key_file_key_source(tmp_path, spec):
    key_file = tmp_path / "key"
    key_file.write_text(sealstate.keygen())
    key_file.chmod(0o600)
    with sealstate.Store.open(spec, "network", "prod", key_source="key-file", key_config={"path": str(key_file)},
                              create=True) as store:
        rev = store.commit(make_snapshot())
        assert store.get(rev) == make_snapshot()


def test_noop_key_source_and_plaintext(spec):
    with sealstate.Store.open(spec, "network", "prod", key_source="noop", create=True) as plain:
        rev = plain.commit(make_snapshot())
    with open_store(spec) as keyed:
        with pytest.raises(sealstate.Integrity):
            keyed.get(rev)
    with open_store(spec, allow_plaintext=True) as keyed:
        assert keyed.get(rev) == make_snapshot()


def test_memory_stores_of_one_name_share_the_stack():
    spec = "memory:pytest-shared"
    with open_store(spec) as one, open_store(spec) as two:
        rev = one.commit(make_snapshot())
        assert two.current_rev() == rev
        with one.lock(timeout=0, operation="apply") as lock:
            assert two.lock_info()["holder"]["lock-id"] == lock.id
            with pytest.raises(sealstate.Locked, match=lock.id):
                two.lock(timeout=0)


def test_local_store_lays_out_unobins_files(local_spec):
    with open_store(local_spec) as store:
        rev = store.commit(make_snapshot())
    root = local_spec[len("local:"):]
    with open(f"{root}/network/prod/current") as f:
        assert f.read().strip() == rev
    with open(f"{root}/network/prod/snapshots/{rev}.json.enc", "rb") as f:
        assert b"vpc-1" not in f.read()  # encrypted


def test_unobin_compatible_writes_v1(local_spec):
    with open_store(local_spec, unobin_compatible=True) as store:
        rev = store.commit(make_snapshot())
        assert store.journal()[0]["envelope-version"] == 1
    with open_store(local_spec, accept_v1=True) as reader:
        assert reader.get(rev) == make_snapshot()


def test_closed_store_refuses_calls(spec):
    store = open_store(spec)
    store.close()
    store.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        store.list()


def test_snapshot_with_nan_is_refused_before_the_call(store):
    snapshot = make_snapshot()
    snapshot["entries"][0]["outputs"]["ratio"] = float("nan")
    with pytest.raises(ValueError):
        store.write(snapshot)


def test_floats_and_unicode_round_trip(store):
    snapshot = make_snapshot()
    snapshot["entries"][0]["outputs"].update({"ratio": 0.1, "name": "Zürich ✓"})
    rev = store.write(snapshot)
    assert store.get(rev) == snapshot
    assert json.loads(store.get_json(rev))["entries"][0]["outputs"]["ratio"] == 0.1


def test_the_library_is_found_by_its_soname_without_the_variable(tmp_path):
    """Without $SEALSTATE_LIBRARY the package loads libsealstate.so.0 as the loader finds it
    (here LD_LIBRARY_PATH at the directory of the library the tests use); a library that cannot
    be found is an OSError naming the variable."""
    import os
    import subprocess
    import sys
    library = os.environ["SEALSTATE_LIBRARY"]
    package_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    env = {k: v for k, v in os.environ.items() if k != "SEALSTATE_LIBRARY"}
    env.update(PYTHONPATH=package_dir, LD_LIBRARY_PATH=os.path.dirname(os.path.realpath(library)))
    program = "import sealstate; print(sealstate.abi_version())"
    found = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True)
    assert found.returncode == 0 and found.stdout == "1\n", found.stderr
    env["SEALSTATE_LIBRARY"] = str(tmp_path / "libmissing.so")
    missing = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True)
    assert missing.returncode != 0 and "OSError" in missing.stderr and "SEALSTATE_LIBRARY" in missing.stderr


def test_integers_past_64_bits_read_back_rounded_to_doubles(store):
    """The library keeps integers in [-2**63, 2**64) exactly and larger ones as doubles."""
    snapshot = make_snapshot()
    snapshot["entries"][0]["outputs"].update({"huge": 2**70 + 1, "tiny": -2**63 - 1})
    outputs = store.get(store.write(snapshot))["entries"][0]["outputs"]
    # The double's shortest decimal, which json reads back as a float or (without an exponent) an int.
    assert float(outputs["huge"]) == float(2**70 + 1) and outputs["huge"] != 2**70 + 1
    assert float(outputs["tiny"]) == float(-2**63 - 1) and outputs["tiny"] != -2**63 - 1
    assert outputs["max-u64"] == 2**64 - 1 and outputs["min-i64"] == -2**63


def test_a_store_is_used_from_several_threads_at_once(store):
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        revs = list(pool.map(lambda _: store.commit(make_snapshot()), range(8)))
    assert len(set(revs)) == 8 and sorted(store.list()) == sorted(revs)
    assert store.current_rev() in revs
