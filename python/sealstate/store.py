"""Store and Lock: one stack of one backend over the C ABI (sealstate_c.h), the Python way."""
from __future__ import annotations

import ctypes
import json
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from . import _native
from ._native import call, call_for_bytes, text

#: A snapshot as sealstate's model has it (the JSON object of snapshot.h), or its JSON encoding.
SnapshotLike = Union[Mapping[str, Any], bytes, str]
#: A cancellation predicate: polled while a lock wait lasts; True stops the wait (Cancelled).
CancelPredicate = Callable[[], bool]

_OPEN_CREATE = 0x1
_OPEN_UNOBIN_COMPATIBLE = 0x2
_OPEN_ACCEPT_V1 = 0x4
_OPEN_ALLOW_PLAINTEXT = 0x8
_WRITE_NEW_KEY = 0x1
_LIST_NEWEST_FIRST = 0x1
_UNSET: Any = object()


def version() -> str:
    """The loaded library's version, e.g. "0.1.0"."""
    return _native.library().sealstate_version().decode()


def abi_version() -> int:
    """The C ABI version of the loaded library (this package needs 1)."""
    return int(_native.library().sealstate_abi_version())


def keygen() -> str:
    """A fresh random 32-byte key as standard padded base64, what `sealstate keygen` prints and
    the env-key and key-file key sources read. A secret: never print or log it."""
    return call_for_bytes("sealstate_keygen", with_length=False).decode()


def code_name(code: int) -> str:
    """The stable lower-case name of a status code ("wrong-key", ...; "unknown" for none)."""
    return _native.library().sealstate_code_name(code).decode()


def decode(data: bytes) -> Dict[str, Any]:
    """A JSON document the library returned, as Python values: integers stay exact (all 64 bits
    and beyond; Python's json never reads an integer through a float)."""
    return json.loads(data)


def _encode_snapshot(snapshot: SnapshotLike) -> bytes:
    """The JSON bytes of a snapshot given as a mapping (NaN and infinities refused: ValueError)
    or already as its JSON (bytes or str, passed as is)."""
    if isinstance(snapshot, bytes):
        return snapshot
    if isinstance(snapshot, str):
        return snapshot.encode("utf-8")
    return json.dumps(snapshot, ensure_ascii=False, allow_nan=False).encode("utf-8")


class Lock:
    """A held stack lock, from Store.lock(). A context manager: leaving the `with` block unlocks
    it. Use from one thread at a time."""

    def __init__(self, handle: ctypes.c_void_p) -> None:
        self._handle: Optional[ctypes.c_void_p] = handle
        self.id: str = call_for_bytes("sealstate_lock_id", handle, with_length=False).decode()
        """The lock's id (32 hex digits): pass it as `lock_id` for fencing, or to force_unlock."""

    def unlock(self) -> None:
        """Releases the lock if it is still this one, and frees the handle. Idempotent. Raises
        Locked when someone else holds the stack's lock now (after a force-unlock; nothing
        released), IoError."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            call("sealstate_unlock", handle)
        finally:
            _native.library().sealstate_lock_free(handle)

    @property
    def held(self) -> bool:
        """Whether unlock() has not been called yet (not whether nobody broke the lock since)."""
        return self._handle is not None

    def __enter__(self) -> "Lock":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.unlock()

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle is not None:
            _native.library().sealstate_lock_free(handle)  # releases it if still held, errors ignored


class Store:
    """One stack (`factory`/`stack`) of one backend, opened with a key or none; a context
    manager that closes it. A store may be used from several threads at once; close() must not
    run while another call is in progress. Snapshots are dicts (the JSON object of sealstate's
    model), or their JSON bytes through the *_json methods. Integers from -2**63 to 2**64 - 1
    cross exactly; the library keeps a larger one as a double (as unobin's Go decoder does), so it
    reads back rounded to 53 bits."""

    def __init__(self, handle: ctypes.c_void_p) -> None:
        """Wraps an opened handle; use Store.open()."""
        self._handle: Optional[ctypes.c_void_p] = handle

    @classmethod
    def open(cls, spec: str, factory: str, stack: str, *, key_source: Optional[str] = None,
             key_config: Optional[Mapping[str, Any]] = None, create: bool = False,
             unobin_compatible: bool = False, accept_v1: bool = False, allow_plaintext: bool = False) -> "Store":
        """Opens stack `factory`/`stack` of the backend `spec` names ("local:/var/lib/sealstate",
        "memory:tests", any registered backend). `key_source`: "noop", "env-key" (key_config
        {"env-var": "VAR"}), "key-file" ({"path": "PATH"}), or None to open without a key (lock,
        list, journal, remove and verify's listing work; reading or writing snapshots raises
        InvalidArgument). `create`: create a missing stack (else NotFound). `unobin_compatible`:
        write and read unobin's v1 envelopes; `accept_v1`: read v1 files (a stack migrated from
        unobin); `allow_plaintext`: read noop snapshots despite a real key. Raises
        InvalidArgument (bad spec, names, key source or config), NotFound, IoError."""
        flags = ((_OPEN_CREATE if create else 0) | (_OPEN_UNOBIN_COMPATIBLE if unobin_compatible else 0)
                 | (_OPEN_ACCEPT_V1 if accept_v1 else 0) | (_OPEN_ALLOW_PLAINTEXT if allow_plaintext else 0))
        config = None if key_config is None else json.dumps(dict(key_config))
        handle = ctypes.c_void_p()
        call("sealstate_open", text(spec), text(factory), text(stack), text(key_source), text(config), flags,
             ctypes.byref(handle))
        return cls(handle)

    def close(self) -> None:
        """Closes the store; idempotent. Locks taken from it stay valid (unlock them separately)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            _native.library().sealstate_close(handle)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    @property
    def _h(self) -> ctypes.c_void_p:
        if self._handle is None:
            raise ValueError("sealstate: the store is closed")
        return self._handle

    # ---- Snapshots ----

    def commit(self, snapshot: SnapshotLike, *, timeout: Optional[float] = 30.0, operation: str = "commit",
               cancel: Optional[CancelPredicate] = None, new_key: bool = False) -> str:
        """Under the stack lock (waiting up to `timeout` seconds, None: forever, 0: not at all;
        `cancel` polled meanwhile; `operation` recorded in the holder record), seals and writes
        `snapshot` and points current at it; returns the new revision. `new_key`: the key is
        meant to change (skip the check that it opens current). Raises InvalidArgument (bad
        snapshot, one naming another stack), Format (an unknown format-version), Locked (naming
        the holder), Cancelled (or what `cancel` raised), WrongKey (current sealed with another
        key: nothing written), IoError, Incomplete (committed, but a later step failed: do not
        retry)."""
        data = _encode_snapshot(snapshot)
        canceller = _native.Canceller(cancel)
        rev = _native.Buffer()
        try:
            call("sealstate_commit", self._h, data, len(data), _native.timeout_ms(timeout), text(operation),
                 canceller.function, None, _WRITE_NEW_KEY if new_key else 0, rev.out)
        except _native.Error:
            canceller.reraise()
            raise
        return rev.take(with_length=False).decode()

    def write(self, snapshot: SnapshotLike, *, lock_id: Optional[str] = None, new_key: bool = False) -> str:
        """Seals and stores `snapshot` under a fresh revision without moving current; returns the
        revision. `lock_id`: the lock the caller holds (journaled). Raises as commit() does,
        without the lock's errors."""
        data = _encode_snapshot(snapshot)
        rev = _native.Buffer()
        call("sealstate_write", self._h, data, len(data), text(lock_id), _WRITE_NEW_KEY if new_key else 0, rev.out)
        return rev.take(with_length=False).decode()

    def current_json(self) -> bytes:
        """The current snapshot's JSON encoding (sealstate's deterministic bytes). Raises
        NoCurrent, and what get_json() raises."""
        return call_for_bytes("sealstate_current", self._h)

    def current(self) -> Dict[str, Any]:
        """The current snapshot as a dict. Raises as current_json() does."""
        return decode(self.current_json())

    def current_rev(self) -> str:
        """The revision current names. Raises NoCurrent, Integrity (a damaged pointer)."""
        return call_for_bytes("sealstate_current_rev", self._h, with_length=False).decode()

    def get_json(self, rev: str) -> bytes:
        """Revision `rev`'s snapshot as its JSON encoding. Raises InvalidArgument (a bad revision
        name), NotFound, WrongKey, Integrity, Format, IoError."""
        return call_for_bytes("sealstate_get", self._h, text(rev))

    def get(self, rev: str) -> Dict[str, Any]:
        """Revision `rev`'s snapshot as a dict. Raises as get_json() does."""
        return decode(self.get_json(rev))

    def list(self, *, newest_first: bool = False) -> List[str]:
        """Every revision, oldest first (unobin's order) unless `newest_first`. Needs no key."""
        lines = call_for_bytes("sealstate_list", self._h, _LIST_NEWEST_FIRST if newest_first else 0)
        return lines.decode().splitlines()

    def set_current(self, rev: str, *, expected: Optional[str] = _UNSET, lock_id: Optional[str] = None) -> None:
        """Points current at `rev`, which must exist and open with the key. `expected`:
        compare-and-swap, current must be this revision (None: there must be no current), else
        Conflict and current does not move; leave it out to move unconditionally. `lock_id`:
        fencing, the id of the lock the caller holds: Locked if it was broken meanwhile. Raises
        also what get() raises, Incomplete."""
        if expected is _UNSET:
            wanted = None
        else:
            wanted = b"" if expected is None else text(expected)
        call("sealstate_set_current", self._h, text(rev), wanted, text(lock_id))

    def remove(self, rev: str, *, lock_id: Optional[str] = None) -> None:
        """Removes revision `rev` (a missing one is fine). Raises InvalidArgument for the current
        revision; Locked when `lock_id` (fencing, as for set_current) was broken meanwhile."""
        call("sealstate_remove", self._h, text(rev), text(lock_id))

    # ---- The stack lock ----

    def lock(self, timeout: Optional[float] = 30.0, operation: str = "lock", *,
             cancel: Optional[CancelPredicate] = None) -> Lock:
        """Takes the stack lock, waiting up to `timeout` seconds for a held one (None: forever; 0:
        not at all); `cancel` is polled while waiting (on this thread; a threading.Event's is_set
        fits). `operation` is recorded in the holder record. A stale holder's lock (a process
        that is gone) is broken. Use as `with store.lock(...) as lock:`. Raises Locked naming the
        holder (also when the timeout passed), Cancelled (or what `cancel` raised),
        InvalidArgument (operation too long), IoError."""
        canceller = _native.Canceller(cancel)
        handle = ctypes.c_void_p()
        try:
            call("sealstate_lock_acquire", self._h, _native.timeout_ms(timeout), text(operation),
                 canceller.function, None, ctypes.byref(handle))
        except _native.Error:
            canceller.reraise()
            raise
        try:
            return Lock(handle)
        except BaseException:
            _native.library().sealstate_lock_free(handle)
            raise

    def lock_info(self) -> Dict[str, Any]:
        """The stack lock's state: {"state": "free"|"held"|"stale"|"unknown", "holder": None or
        {"lock-id", "user", "host", "pid", "created" (RFC 3339 or None), "operation", "version",
        "detail"}, "reason"}. Needs no key."""
        return decode(call_for_bytes("sealstate_lock_info", self._h))

    def force_unlock(self, lock_id: Optional[str] = None) -> None:
        """Breaks the stack's lock: with `lock_id`, the lock held under that id, whoever holds it
        (Locked naming the holder when the id does not match); without, only a stale holder's (a
        live holder: Locked naming it). No lock: nothing to do. Journaled."""
        call("sealstate_force_unlock", self._h, text(lock_id))

    # ---- Journal and verification ----

    def journal(self, since_seq: int = 0) -> List[Dict[str, Any]]:
        """The journal's events with seq > `since_seq`, oldest first, each a dict ("seq", "time",
        "event", "rev", "lock-id", "actor", "pid", "detail", and "envelope-version" when
        recorded)."""
        lines = call_for_bytes("sealstate_journal", self._h, since_seq)
        return [decode(line) for line in lines.splitlines()]

    def verify(self) -> Dict[str, Any]:
        """Reads, opens and checks every revision, the pointer, the journal and the lock (as
        `sealstate verify`): {"revisions": N, "problems": [{"rev", "code", "message"}], "strays":
        [NAME]}; the stack is sound when "problems" is empty. Raises only when the stack cannot be
        looked at at all."""
        return decode(call_for_bytes("sealstate_verify", self._h))
