"""The C ABI (sealstate_c.h) as ctypes sees it: the loaded library, its prototypes, and the two
helpers every call goes through (raising the error object as an exception, and copying a
returned buffer out before sealstate_free wipes it). Private: use the names in `sealstate`."""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
import os
from typing import Any, Callable, Optional

from .errors import Error, error_for_code

#: The C ABI version this package speaks (SEALSTATE_C_ABI_VERSION); its soname is libsealstate.so.0.
ABI_VERSION = 1
_SONAME = "libsealstate.so.0"
#: The environment variable naming the library file to load instead of the installed one.
LIBRARY_VARIABLE = "SEALSTATE_LIBRARY"

CANCEL_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)

_c_char_pp = ctypes.POINTER(ctypes.c_char_p)
_c_void_pp = ctypes.POINTER(ctypes.c_void_p)
_c_size_p = ctypes.POINTER(ctypes.c_size_t)
_out_buffer = ctypes.POINTER(ctypes.c_void_p)  # char**: kept as void* so ctypes does not copy and lose it

# name: (restype, argtypes). Every int-returning function takes sealstate_error** last.
_PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {
    "sealstate_version": (ctypes.c_char_p, []),
    "sealstate_abi_version": (ctypes.c_int, []),
    "sealstate_free": (None, [ctypes.c_void_p]),
    "sealstate_error_free": (None, [ctypes.c_void_p]),
    "sealstate_error_code": (ctypes.c_int, [ctypes.c_void_p]),
    "sealstate_error_message": (ctypes.c_char_p, [ctypes.c_void_p]),
    "sealstate_error_errno": (ctypes.c_int, [ctypes.c_void_p]),
    "sealstate_error_path": (ctypes.c_char_p, [ctypes.c_void_p]),
    "sealstate_code_name": (ctypes.c_char_p, [ctypes.c_int]),
    "sealstate_keygen": (ctypes.c_int, [_out_buffer, _c_void_pp]),
    "sealstate_open": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                      ctypes.c_char_p, ctypes.c_uint, _c_void_pp, _c_void_pp]),
    "sealstate_close": (None, [ctypes.c_void_p]),
    "sealstate_commit": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int64,
                                        ctypes.c_char_p, CANCEL_FN, ctypes.c_void_p, ctypes.c_uint, _out_buffer,
                                        _c_void_pp]),
    "sealstate_write": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                       ctypes.c_uint, _out_buffer, _c_void_pp]),
    "sealstate_current": (ctypes.c_int, [ctypes.c_void_p, _out_buffer, _c_size_p, _c_void_pp]),
    "sealstate_current_rev": (ctypes.c_int, [ctypes.c_void_p, _out_buffer, _c_void_pp]),
    "sealstate_get": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, _out_buffer, _c_size_p, _c_void_pp]),
    "sealstate_list": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_uint, _out_buffer, _c_size_p, _c_void_pp]),
    "sealstate_set_current": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                             _c_void_pp]),
    "sealstate_remove": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, _c_void_pp]),
    "sealstate_lock_acquire": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int64, ctypes.c_char_p, CANCEL_FN,
                                              ctypes.c_void_p, _c_void_pp, _c_void_pp]),
    "sealstate_lock_id": (ctypes.c_int, [ctypes.c_void_p, _out_buffer, _c_void_pp]),
    "sealstate_unlock": (ctypes.c_int, [ctypes.c_void_p, _c_void_pp]),
    "sealstate_lock_free": (None, [ctypes.c_void_p]),
    "sealstate_lock_info": (ctypes.c_int, [ctypes.c_void_p, _out_buffer, _c_size_p, _c_void_pp]),
    "sealstate_force_unlock": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, _c_void_pp]),
    "sealstate_journal": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_uint64, _out_buffer, _c_size_p, _c_void_pp]),
    "sealstate_verify": (ctypes.c_int, [ctypes.c_void_p, _out_buffer, _c_size_p, _c_void_pp]),
}


def _load() -> ctypes.CDLL:
    """Loads libsealstate: the file $SEALSTATE_LIBRARY names, else the installed soname (the
    loader's search: LD_LIBRARY_PATH, the ld.so cache), else what ctypes.util.find_library finds.
    Raises OSError naming what was tried, or when the library speaks another ABI version."""
    named = os.environ.get(LIBRARY_VARIABLE)
    candidates = [named] if named else [_SONAME, ctypes.util.find_library("sealstate")]
    failures = []
    for candidate in candidates:
        if not candidate:
            continue
        try:
            library = ctypes.CDLL(candidate)
            break
        except OSError as e:
            failures.append(f"{candidate}: {e}")
    else:
        raise OSError(f"sealstate: cannot load the sealstate library ({'; '.join(failures) or 'not installed'}); "
                      f"install it (meson install) or set {LIBRARY_VARIABLE} to the path of libsealstate.so")
    for name, (restype, argtypes) in _PROTOTYPES.items():
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = argtypes
    loaded = library.sealstate_abi_version()
    if loaded != ABI_VERSION:
        raise OSError(f"sealstate: {candidate} speaks C ABI version {loaded}; this package needs {ABI_VERSION}")
    return library


@functools.lru_cache(maxsize=None)
def library() -> ctypes.CDLL:
    """The loaded library (loaded on first use, then cached). Raises OSError as _load does."""
    return _load()


def text(value: Optional[str]) -> Optional[bytes]:
    """A str argument as the NUL-terminated UTF-8 the ABI reads; None stays NULL."""
    return None if value is None else value.encode("utf-8")


def call(name: str, *args: Any) -> None:
    """Calls the ABI function `name` with `args` and a fresh error pointer; raises the matching
    sealstate.Error subclass (code, message, errno, path) unless it returned SEALSTATE_OK."""
    lib = library()
    error = ctypes.c_void_p()
    code = getattr(lib, name)(*args, ctypes.byref(error))
    if code == 0:
        return
    try:
        message = lib.sealstate_error_message(error).decode("utf-8", "replace") or f"{name} failed"
        errno = lib.sealstate_error_errno(error)
        path = lib.sealstate_error_path(error).decode("utf-8", "replace")
    finally:
        lib.sealstate_error_free(error)
    raise error_for_code(code)(message, code=code, errno=errno, path=path)


class Buffer:
    """A char** output (and its optional size_t length): pass `out` (and `length`) to a call,
    then take() copies the bytes and hands the buffer back to sealstate_free (which wipes it)."""

    def __init__(self) -> None:
        self._pointer = ctypes.c_void_p()
        self._length = ctypes.c_size_t()
        self.out = ctypes.byref(self._pointer)
        self.length = ctypes.byref(self._length)

    def take(self, with_length: bool = True) -> bytes:
        """The returned bytes (up to the NUL when the call returns no length); frees the buffer."""
        if not self._pointer.value:
            return b""
        try:
            if with_length:
                return ctypes.string_at(self._pointer.value, self._length.value)
            return ctypes.string_at(self._pointer.value)
        finally:
            library().sealstate_free(self._pointer)
            self._pointer.value = None


def call_for_bytes(name: str, *args: Any, with_length: bool = True) -> bytes:
    """Calls `name` with `args`, then a char** output (and its size_t* length when `with_length`),
    and returns the bytes it handed out. Raises as call() does."""
    buffer = Buffer()
    extra = (buffer.out, buffer.length) if with_length else (buffer.out,)
    call(name, *args, *extra)
    return buffer.take(with_length)


class Canceller:
    """A Python predicate as a sealstate_cancel_fn. The ABI polls it on the calling thread while a
    lock wait lasts; an exception it raises stops the wait and is re-raised by reraise()."""

    def __init__(self, predicate: Optional[Callable[[], bool]]) -> None:
        self.raised: Optional[BaseException] = None
        self._predicate = predicate
        self.function = CANCEL_FN(self._poll) if predicate is not None else CANCEL_FN()

    def _poll(self, _user_data: Any) -> int:
        try:
            return 1 if self._predicate() else 0  # type: ignore[misc]
        except BaseException as e:  # noqa: B902 - carried across the C frames, re-raised after the call
            self.raised = e
            return 1

    def reraise(self) -> None:
        """Raises what the predicate raised, if it did."""
        if self.raised is not None:
            raise self.raised


def timeout_ms(timeout: Optional[float]) -> int:
    """A timeout in seconds (None or math.inf: forever) as the ABI's milliseconds (negative: forever).
    Raises ValueError for a negative or NaN timeout."""
    if timeout is None or timeout == math.inf:
        return -1
    if not timeout >= 0:
        raise ValueError(f"sealstate: timeout must be None or >= 0 seconds, not {timeout!r}")
    return min(math.ceil(timeout * 1000), 2**63 - 1)


__all__ = ["Error", "library", "call", "call_for_bytes", "Buffer", "Canceller", "text", "timeout_ms"]
