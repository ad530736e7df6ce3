"""Reading the association's mailbox over IMAP, read-only, with IMAPClient.

Configured by environment variables (README, "IMAP settings"):

- ``SVCMONTH_IMAP_HOST`` (required), ``SVCMONTH_IMAP_PORT`` (default 993 for ``ssl``, 143
  otherwise), ``SVCMONTH_IMAP_SECURITY`` (``ssl``, ``starttls`` or ``none``; default ``ssl``);
- ``SVCMONTH_IMAP_USER`` and ``SVCMONTH_IMAP_PASSWORD`` (QQ, 163: the authorization code);
- ``SVCMONTH_IMAP_FOLDER`` (default ``INBOX``), ``SVCMONTH_IMAP_CAFILE`` (an extra CA bundle),
  ``SVCMONTH_IMAP_TIMEOUT`` (seconds, default 30).

**Read-only**: the folder is opened with ``EXAMINE`` (``select_folder(readonly=True)``) and
messages are fetched with ``BODY.PEEK[]``, so the server sets no ``\\Seen`` flag; nothing is
moved, flagged or deleted. Certificates are verified, host name included. The password is
used for the login only: never stored, printed or put in an error; it is not sent over an
unencrypted connection except to a server on this machine (a local test server).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

from svcmonth import __version__
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.mail import mailsettings
from svcmonth.mail.mailsettings import reason as _reason

ENV = "SVCMONTH_IMAP_"
SECURITY_MODES = ("ssl", "starttls", "none")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
BATCH = 25


class ImapUnavailable(SvcmonthError):
    """The server cannot be reached, refuses TLS or the login, or has no such folder."""


@dataclass(frozen=True)
class ImapConfig:
    """Where and how to read; ``password`` never appears in its repr."""

    host: str
    port: int
    security: str
    user: str
    password: str = field(default="", repr=False)
    folder: str = "INBOX"
    cafile: str | None = None
    timeout: float = 30.0

    @property
    def mailbox(self) -> str:
        """The folder's identity for remembering how far it was read."""
        return f"{self.user.lower()}@{self.host.lower()}:{self.port}/{self.folder}"


def config_from_env(env: Mapping[str, str]) -> ImapConfig:
    """The IMAP settings from ``SVCMONTH_IMAP_*``, or a clear error."""

    def get(name: str) -> str:
        return (env.get(ENV + name) or "").strip()

    host = get("HOST")
    if not host:
        raise SvcmonthError(
            _("{var} is not set: give the IMAP server (e.g. imap.exmail.qq.com)").format(
                var=ENV + "HOST"
            )
        )
    security = get("SECURITY").lower() or "ssl"
    if security not in SECURITY_MODES:
        raise SvcmonthError(
            _("{var}={value!r}: expected ssl, starttls or none").format(
                var=ENV + "SECURITY", value=security
            )
        )
    port_text = get("PORT")
    if port_text:
        port = mailsettings.port(ENV, port_text)
    else:
        port = 993 if security == "ssl" else 143
    user, password = get("USER"), env.get(ENV + "PASSWORD") or ""
    if not user or not password:
        raise SvcmonthError(
            _("{u} and {p} must both be set to read the mailbox").format(
                u=ENV + "USER", p=ENV + "PASSWORD"
            )
        )
    if security == "none" and host.lower() not in LOOPBACK:
        raise SvcmonthError(
            _(
                "refusing to send the IMAP password unencrypted to {host}: set {var} to ssl or "
                "starttls"
            ).format(host=host, var=ENV + "SECURITY")
        )
    timeout = mailsettings.timeout(ENV, get("TIMEOUT"), 30.0)
    return ImapConfig(
        host=host,
        port=port,
        security=security,
        user=user,
        password=password,
        folder=get("FOLDER") or "INBOX",
        cafile=get("CAFILE") or None,
        timeout=timeout,
    )


class ImapReader:
    """An open, read-only view of one folder (use as a context manager)."""

    def __init__(self, config: ImapConfig):
        self.config = config
        self.client: Any = None
        self.uidvalidity = 0

    def __enter__(self) -> ImapReader:
        from imapclient import IMAPClient  # imported only when the mailbox is read
        from imapclient.exceptions import LoginError

        c = self.config
        where = f"{c.host}:{c.port}"
        context = mailsettings.tls_context(ENV, c.cafile) if c.security != "none" else None
        try:
            self.client = IMAPClient(
                c.host,
                port=c.port,
                ssl=c.security == "ssl",
                ssl_context=context,
                timeout=c.timeout,
                use_uid=True,
            )
            self.client.normalise_times = False  # aware datetimes, as the server sent them
            if c.security == "starttls":
                self.client.starttls(context)
            self.client.login(c.user, c.password)
            if self.client.has_capability("ID"):
                # 163/126 mail answer SELECT with "Unsafe Login" to a client that has not
                # said who it is (RFC 2971 ID)
                self.client.id_({"name": "svcmonth", "version": __version__})
        except LoginError as exc:
            self._close()
            raise ImapUnavailable(
                _(
                    "the IMAP server {where} refused the login for {user} ({reply}); check {u} "
                    "and {p} (QQ, 163: the authorization code, not the web password)"
                ).format(
                    where=where,
                    user=c.user,
                    reply=self._clean(exc),
                    u=ENV + "USER",
                    p=ENV + "PASSWORD",
                )
            ) from None
        except Exception as exc:
            self._close()
            raise ImapUnavailable(self._describe(exc, where)) from None
        try:
            info = self.client.select_folder(c.folder, readonly=True)
        except Exception as exc:
            folders = self._folders()
            self._close()
            raise ImapUnavailable(
                _(
                    "cannot open the folder {folder!r} on {where} ({reason}); folders: {known}"
                ).format(folder=c.folder, where=where, reason=self._clean(exc), known=folders)
            ) from None
        self.uidvalidity = int(info.get(b"UIDVALIDITY", 0))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._close()

    def uids_after(self, last_uid: int) -> list[int]:
        """The UIDs above ``last_uid``, ascending."""
        try:
            found = self.client.search(["UID", f"{last_uid + 1}:*"])
        except Exception as exc:
            raise ImapUnavailable(self._describe(exc, self.config.host)) from None
        return sorted(u for u in found if u > last_uid)  # "N:*" always holds the last one

    def uids_since(self, day: date) -> list[int]:
        """The UIDs of the messages that arrived on or after ``day`` (IMAP ``SEARCH SINCE``:
        by INTERNALDATE, the server's day), ascending."""
        try:
            found = self.client.search(["SINCE", day])
        except Exception as exc:
            raise ImapUnavailable(self._describe(exc, self.config.host)) from None
        return sorted(int(u) for u in found)

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, datetime, bytes]]:
        """``(uid, INTERNALDATE, raw message)`` for ``uids``, with ``BODY.PEEK[]``."""
        for start in range(0, len(uids), BATCH):
            chunk = uids[start : start + BATCH]
            try:
                data = self.client.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE"])
            except Exception as exc:
                raise ImapUnavailable(self._describe(exc, self.config.host)) from None
            for uid in sorted(data):
                item = data[uid]
                raw = item.get(b"BODY[]") or b""
                when = item.get(b"INTERNALDATE")
                if not isinstance(when, datetime):
                    raise ImapUnavailable(
                        _("the server gave no INTERNALDATE for message UID {uid}").format(uid=uid)
                    )
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                yield int(uid), when, bytes(raw)

    def _folders(self) -> str:
        try:
            names = [str(f[2]) for f in self.client.list_folders()]
        except Exception:
            return "?"
        return ", ".join(names[:20])

    def _close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.logout()
        except Exception:
            try:
                self.client.shutdown()
            except Exception:
                pass
        self.client = None

    def _clean(self, exc: BaseException) -> str:
        text = _reason(exc)
        return text.replace(self.config.password, "***") if self.config.password else text

    def _describe(self, exc: Exception, where: str) -> str:
        c = self.config
        if isinstance(exc, ssl.SSLCertVerificationError):
            reason = _(
                "the TLS certificate of {host} could not be verified ({reason}); for a private "
                "CA give its certificate in {var}"
            ).format(host=c.host, reason=exc.verify_message or _reason(exc), var=ENV + "CAFILE")
        elif isinstance(exc, ssl.SSLError):
            reason = _(
                "TLS with the IMAP server {where} failed ({reason}); is {var}={security} right "
                "(ssl for port 993, starttls for 143)?"
            ).format(where=where, reason=_reason(exc), var=ENV + "SECURITY", security=c.security)
        elif isinstance(exc, socket.gaierror):
            reason = _("cannot find the IMAP server {host}: {reason}").format(
                host=c.host, reason=_reason(exc)
            )
        elif isinstance(exc, TimeoutError):
            reason = _("the IMAP server {where} did not answer within {seconds:g} s").format(
                where=where, seconds=c.timeout
            )
        elif isinstance(exc, OSError):
            reason = _("cannot connect to the IMAP server {where}: {reason}").format(
                where=where, reason=_reason(exc)
            )
        else:
            reason = _("the IMAP server {where} failed: {reason}").format(
                where=where, reason=_reason(exc)
            )
        return reason.replace(c.password, "***") if c.password else reason
