"""The one family of errors a user can fix; the CLI turns them into ``Error: …`` and exit 1;
and the one way a system error's reason is said (``reason``: in the interface language)."""

from __future__ import annotations

import errno
import socket
import ssl

from svcmonth.i18n import N_, _


class SvcmonthError(Exception):
    """A mistake the user can fix: bad input, unknown name, missing database."""


class NotFound(SvcmonthError):
    """An unknown member, campaign, column, outlet or submission."""


class DatabaseError(SvcmonthError):
    """The database file is missing, unreadable, newer than this program, or full."""


class ImportErrors(SvcmonthError):
    """A CSV import with bad rows; ``problems`` holds ``(line, reason)`` pairs."""

    def __init__(self, message: str, problems: list[tuple[int, str]]):
        super().__init__(message)
        self.problems = problems


class SendFailed(SvcmonthError):
    """Some reminders could not be sent; the ones that were sent are kept."""


# the network and file failures a clerk meets, in the interface language: the C library's
# text (``Connection refused``) is English on the server that runs cron
_OS_WORDS: tuple[tuple[type[OSError], str], ...] = (
    (ConnectionRefusedError, N_("connection refused (is the server running on that port?)")),
    (ConnectionResetError, N_("the connection was reset by the server")),
    (ConnectionAbortedError, N_("the connection was aborted")),
    (TimeoutError, N_("timed out")),
    (socket.gaierror, N_("no such host name (check the address)")),
    (PermissionError, N_("permission denied")),
    (FileNotFoundError, N_("no such file or folder")),
    (FileExistsError, N_("a file of that name is in the way")),
    (IsADirectoryError, N_("it is a folder")),
    (NotADirectoryError, N_("a part of the path is a file, not a folder")),
)
_ERRNO_WORDS = {
    errno.EHOSTUNREACH: N_("the host cannot be reached"),
    errno.ENETUNREACH: N_("the network cannot be reached"),
    errno.ENOSPC: N_("the disk is full"),
}


def reason(exc: BaseException) -> str:
    """An exception's reason on one line, in words: the common network and file failures in
    the interface language, else its own text (its type's name when it has none)."""
    if isinstance(exc, OSError) and not isinstance(exc, ssl.SSLError):
        for kind, words in _OS_WORDS:
            if isinstance(exc, kind):
                return _(words)
        if exc.errno in _ERRNO_WORDS:
            return _(_ERRNO_WORDS[exc.errno])
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
