"""What the SMTP settings (``mailer``) and the IMAP settings (``imapread``) share: reading a
port and a timeout from the environment, the verifying TLS context, and an error's reason on
one line. ``prefix`` is ``SVCMONTH_SMTP_`` or ``SVCMONTH_IMAP_``; the messages name the
variable."""

from __future__ import annotations

import errno
import socket
import ssl

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _


def port(prefix: str, text: str) -> int:
    """``text`` (from ``{prefix}PORT``, not empty) as a TCP port number, or a clear error."""
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise SvcmonthError(
            _("{var}={value!r} is not a port number").format(var=prefix + "PORT", value=text)
        )
    return int(text)


def timeout(prefix: str, text: str, default: float) -> float:
    """``{prefix}TIMEOUT`` in seconds (``default`` when empty), or a clear error."""
    try:
        seconds = float(text) if text else default
        if not seconds > 0:
            raise ValueError(text)
    except ValueError:
        raise SvcmonthError(
            _("{var}={value!r} is not a number of seconds").format(
                var=prefix + "TIMEOUT", value=text
            )
        ) from None
    return seconds


def tls_context(prefix: str, cafile: str | None) -> ssl.SSLContext:
    """A verifying client context (host name included): the system's CAs, plus
    ``{prefix}CAFILE`` when set."""
    context = ssl.create_default_context()
    if cafile:
        try:
            context.load_verify_locations(cafile=cafile)
        except (OSError, ssl.SSLError) as exc:
            raise SvcmonthError(
                _("cannot read the CA bundle {path} ({var}): {reason}").format(
                    path=cafile, var=prefix + "CAFILE", reason=reason(exc)
                )
            ) from None
    return context


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
