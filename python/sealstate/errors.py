"""sealstate's errors: one exception class per status code of the C ABI (the numbers of
sealstate::Code), all under sealstate.Error. Catch the ones you handle, and Error for the rest:
later versions may add codes (an unknown code raises Error itself)."""
from __future__ import annotations

from typing import Dict, Type


class Error(Exception):
    """A failed sealstate call. `code`: the status code (SEALSTATE_*; the class tells it too);
    `message`: what failed and what to do (also str(error)); `errno`: the OS error number of an
    I/O error, else 0; `path`: the file an I/O error concerns, else ""."""

    #: The status code this class stands for (Error itself: any code without a class).
    CODE = -1

    def __init__(self, message: str, *, code: int = -1, errno: int = 0, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code != -1 else self.CODE
        self.errno = errno
        self.path = path


class InvalidArgument(Error, ValueError):
    """A bad name, spec, option, JSON or snapshot (also a ValueError)."""
    CODE = 1


class NotFound(Error, LookupError):
    """No such stack, revision or file (also a LookupError)."""
    CODE = 2


class NoCurrent(Error):
    """The stack has no current snapshot."""
    CODE = 3


class AlreadyExists(Error):
    """The name is taken and will not be overwritten."""
    CODE = 4


class Locked(Error):
    """Locked by someone else (the message names the holder), also when a lock wait timed out;
    or the lock the call was fenced by was broken meanwhile."""
    CODE = 5


class Cancelled(Error):
    """The cancellation predicate asked to stop a lock wait."""
    CODE = 6


class Conflict(Error):
    """Current moved under the caller (set_current's compare-and-swap): nothing changed."""
    CODE = 7


class WrongKey(Error):
    """Sealed with a different key than the one configured."""
    CODE = 8


class Integrity(Error):
    """Tampered, truncated, swapped or corrupt data; refused plaintext."""
    CODE = 9


class Format(Error):
    """A format or envelope version this build does not understand."""
    CODE = 10


class IoError(Error, OSError):
    """An operating-system call failed: see `errno` and `path` (also an OSError)."""
    CODE = 11

    def __init__(self, message: str, *, code: int = -1, errno: int = 0, path: str = "") -> None:
        Error.__init__(self, message, code=code, errno=errno, path=path)
        self.strerror = message
        self.filename = path or None

    def __str__(self) -> str:
        return self.message


class Unsupported(Error):
    """The machine or backend lacks something required."""
    CODE = 12


class Internal(Error):
    """A sealstate bug, or out of memory."""
    CODE = 13


class Incomplete(Error):
    """The change took effect but a later step failed (e.g. journaling it): do not retry."""
    CODE = 14


_BY_CODE: Dict[int, Type[Error]] = {
    cls.CODE: cls
    for cls in (InvalidArgument, NotFound, NoCurrent, AlreadyExists, Locked, Cancelled, Conflict, WrongKey,
                Integrity, Format, IoError, Unsupported, Internal, Incomplete)
}


def error_for_code(code: int) -> Type[Error]:
    """The exception class of a status code; Error itself for a code without one."""
    return _BY_CODE.get(code, Error)
