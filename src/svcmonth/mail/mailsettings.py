"""What the SMTP settings (``mailer``) and the IMAP settings (``imapread``) share: reading a
port and a timeout from the environment, the verifying TLS context, and an error's reason on
one line. ``prefix`` is ``SVCMONTH_SMTP_`` or ``SVCMONTH_IMAP_``; the messages name the
variable."""

from __future__ import annotations

import ssl

from svcmonth.errors import SvcmonthError, reason
from svcmonth.i18n import _


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
