"""sealstate for Python: encrypted, immutable infrastructure-state snapshots per stack, with a
current pointer, a lock and an audit journal; a thin layer over the C ABI (sealstate_c.h) through
ctypes. The library is libsealstate.so.0, or the file $SEALSTATE_LIBRARY names.

    with sealstate.Store.open("local:/var/lib/sealstate", "network", "prod", key_source="env-key",
                              key_config={"env-var": "SEALSTATE_KEY"}, create=True) as store:
        with store.lock(timeout=30, operation="apply") as lock:
            rev = store.write(snapshot, lock_id=lock.id)
            store.set_current(rev, lock_id=lock.id)
        print(store.current()["entries"])
"""
from .errors import (AlreadyExists, Cancelled, Conflict, Error, Format, Incomplete, Integrity, Internal,
                     InvalidArgument, IoError, Locked, NoCurrent, NotFound, Unsupported, WrongKey, error_for_code)
from .store import Lock, Store, abi_version, code_name, keygen, version

__all__ = [
    "Store", "Lock", "version", "abi_version", "keygen", "code_name", "error_for_code",
    "Error", "InvalidArgument", "NotFound", "NoCurrent", "AlreadyExists", "Locked", "Cancelled", "Conflict",
    "WrongKey", "Integrity", "Format", "IoError", "Unsupported", "Internal", "Incomplete",
]
