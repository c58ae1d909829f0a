"""Fixtures of the sealstate Python binding's tests: stores on a real local directory and on the
memory backend, a key in the environment, and a valid snapshot. The library is the one
$SEALSTATE_LIBRARY names (the meson test `python-binding` points it at the build)."""
import itertools
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import sealstate  # noqa: E402

KEY_VAR = "SEALSTATE_PYTEST_KEY"
OTHER_KEY_VAR = "SEALSTATE_PYTEST_OTHER_KEY"
_memory_names = itertools.count()


def make_snapshot(stack="prod", vpc_id="vpc-1"):
    """A valid snapshot of network/`stack` as a dict, with integers a float would round."""
    return {
        "format-version": 1,
        "factory": {"name": "network", "version": "v1.4.0", "content-revision": "9f2c1e"},
        "stack": stack,
        "generated-at": "2026-05-12T15:30:00Z",
        "entries": [{
            "address": "resource.vpc",
            "entry-kind": "leaf",
            "category": "resource",
            "binding": {"alias": "aws", "kind": "vpc"},
            "outputs": {"id": vpc_id, "max-u64": 2**64 - 1, "min-i64": -2**63, "past-double": 2**53 + 1},
        }],
    }


@pytest.fixture(autouse=True, scope="session")
def keys():
    """Two different keys in the environment, for the env-key key source."""
    os.environ[KEY_VAR] = sealstate.keygen()
    os.environ[OTHER_KEY_VAR] = sealstate.keygen()


@pytest.fixture(params=["local", "memory"])
def spec(request, tmp_path):
    """A backend spec: a fresh local store directory, or a fresh memory store name."""
    if request.param == "local":
        return f"local:{tmp_path}/store"
    return f"memory:pytest-{os.getpid()}-{next(_memory_names)}"


@pytest.fixture
def local_spec(tmp_path):
    """A fresh local store directory's spec (for what only the local store can show)."""
    return f"local:{tmp_path}/store"


def open_store(spec, key_var=KEY_VAR, **options):
    """Opens network/prod of `spec` with the key in $key_var (None: no key), creating it."""
    options.setdefault("create", True)
    if key_var is None:
        return sealstate.Store.open(spec, "network", "prod", **options)
    return sealstate.Store.open(spec, "network", "prod", key_source="env-key", key_config={"env-var": key_var},
                                **options)


@pytest.fixture
def store(spec):
    """network/prod of `spec`, opened with the key, closed afterwards."""
    with open_store(spec) as s:
        yield s
