"""Sending e-mail through an SMTP server, with the standard library only (smtplib, ssl, email).

Configured by environment variables (README, "SMTP settings"):

- ``SVCMONTH_SMTP_HOST``: the server, e.g. ``smtp.qq.com`` (required to send);
- ``SVCMONTH_SMTP_PORT``: default 465 for ``ssl``, 587 for ``starttls``, 25 for ``none``;
- ``SVCMONTH_SMTP_SECURITY``: ``ssl`` (TLS from the first byte, port 465, as QQ and 163 use),
  ``starttls`` or ``none``; default ``ssl`` when the port is 465 or not given, else
  ``starttls``;
- ``SVCMONTH_SMTP_USER`` and ``SVCMONTH_SMTP_PASSWORD``: the login, when the server wants one
  (QQ and 163: the mailbox address and its authorization code, 授权码, not the web password);
- ``SVCMONTH_SMTP_FROM``: the sender, e.g. ``协会秘书处 <xcb@example.cn>`` (default: the user);
- ``SVCMONTH_SMTP_CAFILE``: an extra CA bundle (PEM) to trust besides the system's, for a
  server whose certificate comes from a private CA;
- ``SVCMONTH_SMTP_TIMEOUT``: seconds to wait for the server (default 30).

TLS certificates are always verified, host name included. The password is used for the login
only: never stored, printed or logged, never put in an error message, and never sent over an
unencrypted connection (``none`` with a password is refused).

Messages are MIME (``email.message.EmailMessage``): UTF-8 text, base64 body, RFC 2047 subject,
so Chinese arrives intact through any server.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Protocol

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.mail import mailsettings
from svcmonth.mail.mailsettings import reason as _reason

SECURITY_MODES = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
DEFAULT_TIMEOUT_S = 30.0
ENV = "SVCMONTH_SMTP_"


class SmtpUnavailable(SvcmonthError):
    """The server cannot be reached, refuses TLS or the login: nothing can be sent."""


class MessageFailed(Exception):
    """The server did not take this one message; the others may still go."""


class ConnectionLost(MessageFailed):
    """The connection broke while sending; a new one is needed for the next message."""


class MessageUnbuildable(MessageFailed):
    """The message could not be put together (a header the e-mail format cannot hold)."""


class Session(Protocol):
    """An open connection that sends plain-text messages one by one."""

    def send(
        self, to: str, subject: str, body: str, when: datetime, headers: Mapping[str, str]
    ) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send; ``password`` never appears in its repr."""

    host: str
    port: int
    security: str
    sender: Address
    user: str = ""
    password: str = field(default="", repr=False)
    cafile: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S


def config_from_env(env: Mapping[str, str]) -> SmtpConfig:
    """The SMTP settings from ``SVCMONTH_SMTP_*`` variables, or a clear error."""

    def get(name: str) -> str:
        return (env.get(ENV + name) or "").strip()

    host = get("HOST")
    if not host:
        raise SvcmonthError(
            _("{var} is not set: give the SMTP server (e.g. smtp.qq.com) to send mail").format(
                var=ENV + "HOST"
            )
        )
    port_text, security = get("PORT"), get("SECURITY").lower()
    port: int | None = None
    if port_text:
        port = mailsettings.port(ENV, port_text)
    if security and security not in SECURITY_MODES:
        raise SvcmonthError(
            _("{var}={value!r}: expected ssl, starttls or none").format(
                var=ENV + "SECURITY", value=security
            )
        )
    if not security:
        security = "ssl" if port in (None, 465) else "starttls"
    if port is None:
        port = DEFAULT_PORTS[security]
    user = get("USER")
    password = env.get(ENV + "PASSWORD") or ""
    if user and not password:
        raise SvcmonthError(
            _("{var} is set but {pw} is not").format(var=ENV + "USER", pw=ENV + "PASSWORD")
        )
    if password and not user:
        raise SvcmonthError(
            _("{pw} is set but {var} is not").format(var=ENV + "USER", pw=ENV + "PASSWORD")
        )
    if password and security == "none":
        raise SvcmonthError(
            _(
                "refusing to send the SMTP password unencrypted: set {var} to ssl or starttls"
            ).format(var=ENV + "SECURITY")
        )
    sender = _sender(get("FROM") or user)
    timeout = mailsettings.timeout(ENV, get("TIMEOUT"), DEFAULT_TIMEOUT_S)
    return SmtpConfig(
        host=host,
        port=port,
        security=security,
        sender=sender,
        user=user,
        password=password,
        cafile=get("CAFILE") or None,
        timeout=timeout,
    )


def _sender(text: str) -> Address:
    if not text:
        raise SvcmonthError(
            _("{var} is not set: give the sender address, e.g. 协会秘书处 <xcb@example.cn>").format(
                var=ENV + "FROM"
            )
        )
    name, addr = parseaddr(text)
    try:
        if "@" not in addr:
            raise ValueError(addr)
        return Address(display_name=name, addr_spec=addr)
    except (ValueError, IndexError):
        raise SvcmonthError(
            _("{var}={value!r} is not an e-mail address").format(var=ENV + "FROM", value=text)
        ) from None


def check_address(text: str) -> str:
    """An e-mail address given on the command line, or a clear error (``text.check_email``)."""
    from svcmonth.text import check_email

    addr = check_email(text, "--summary-to")
    if not addr:
        raise SvcmonthError(_("{value!r} is not an e-mail address").format(value=text))
    return addr


def tls_context(config: SmtpConfig) -> ssl.SSLContext:
    """A verifying client context: the system's CAs, plus ``SVCMONTH_SMTP_CAFILE``."""
    return mailsettings.tls_context(ENV, config.cafile)


def build_message(
    sender: Address, to: str, subject: str, body: str, when: datetime, headers: Mapping[str, str]
) -> EmailMessage:
    """A plain-text UTF-8 message, marked as sent by a program (no auto-replies).

    Header values pass through ``text.one_line`` (a bank or campaign name an older version
    stored with a control character cannot break a header); anything the e-mail format still
    cannot hold is ``MessageUnbuildable``, a failure of this one message."""
    from svcmonth.text import display, one_line

    try:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = one_line(subject)
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = make_msgid(domain=sender.domain or "svcmonth.invalid")
        msg["Auto-Submitted"] = "auto-generated"
        for name, value in headers.items():
            msg[name] = one_line(value)
        msg.set_content(
            "\n".join(display(line) for line in body.split("\n")), charset="utf-8", cte="base64"
        )
    except (ValueError, TypeError, IndexError, LookupError, UnicodeError) as exc:
        raise MessageUnbuildable(
            _("the message could not be built ({reason})").format(reason=_reason(exc))
        ) from None
    return msg


class SmtpSession:
    """One logged-in connection to the server (use ``open_session``)."""

    def __init__(self, config: SmtpConfig, smtp: smtplib.SMTP):
        self.config = config
        self.smtp = smtp

    def send(
        self, to: str, subject: str, body: str, when: datetime, headers: Mapping[str, str]
    ) -> None:
        """Send one message to ``to``; ``MessageFailed`` (or ``ConnectionLost``) if not taken."""
        msg = build_message(self.config.sender, to, subject, body, when, headers)
        try:
            self.smtp.send_message(msg, from_addr=self.config.sender.addr_spec, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise MessageFailed(self._response(code, text)) from None
        except smtplib.SMTPServerDisconnected as exc:
            raise ConnectionLost(
                _("the server closed the connection ({reason})").format(reason=self._clean(exc))
            ) from None
        except smtplib.SMTPResponseException as exc:
            failure = ConnectionLost if exc.smtp_code == 421 else MessageFailed
            raise failure(self._response(exc.smtp_code, exc.smtp_error)) from None
        except smtplib.SMTPException as exc:
            raise MessageFailed(self._clean(exc)) from None
        except (ValueError, UnicodeError, TypeError) as exc:  # e.g. an address needing SMTPUTF8
            raise MessageUnbuildable(self._clean(exc)) from None
        except OSError as exc:  # timeout, reset, broken TLS
            raise ConnectionLost(
                _("the connection to {host}:{port} failed ({reason})").format(
                    host=self.config.host, port=self.config.port, reason=self._clean(exc)
                )
            ) from None

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()

    def _response(self, code: int, text: bytes | str) -> str:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return _scrub(f"{code} {' '.join(text.split())}", self.config.password)

    def _clean(self, exc: BaseException) -> str:
        return _scrub(_reason(exc), self.config.password)


def open_session(config: SmtpConfig) -> SmtpSession:
    """Connect, secure and log in; ``SmtpUnavailable`` with a clear sentence if that fails."""
    context = tls_context(config) if config.security != "none" else None
    where = f"{config.host}:{config.port}"
    smtp: smtplib.SMTP | None = None
    try:
        # the host goes to the constructor: smtplib checks the certificate against it
        if config.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        smtp.ehlo()
        if config.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise SmtpUnavailable(
                    _(
                        "the SMTP server {where} does not offer STARTTLS; set {var} "
                        "(ssl for port 465)"
                    ).format(where=where, var=ENV + "SECURITY")
                )
            smtp.starttls(context=context)
            smtp.ehlo()
        if config.user:
            smtp.login(config.user, config.password)
    except BaseException as exc:
        if smtp is not None:
            smtp.close()
        if isinstance(exc, SmtpUnavailable) or not isinstance(exc, Exception):
            raise
        raise SmtpUnavailable(_scrub(_describe(exc, config, where), config.password)) from None
    assert smtp is not None
    return SmtpSession(config, smtp)


def _describe(exc: Exception, config: SmtpConfig, where: str) -> str:
    """A sentence for the user about a failure to connect, secure or log in."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _(
            "the SMTP server {where} refused the login for {user} ({reply}); check {u} and {p} "
            "(QQ, 163: the authorization code, not the web password)"
        ).format(
            where=where,
            user=config.user,
            reply=_reply(exc.smtp_code, exc.smtp_error),
            u=ENV + "USER",
            p=ENV + "PASSWORD",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return _("the SMTP server {where} offers no login on this connection ({reason})").format(
            where=where, reason=_reason(exc)
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _(
            "the TLS certificate of {host} could not be verified ({reason}); for a private CA "
            "give its certificate in {var}"
        ).format(host=config.host, reason=exc.verify_message or _reason(exc), var=ENV + "CAFILE")
    if isinstance(exc, ssl.SSLError):
        return _(
            "TLS with the SMTP server {where} failed ({reason}); is {var}={security} right "
            "(ssl for port 465, starttls for 587)?"
        ).format(where=where, reason=_reason(exc), var=ENV + "SECURITY", security=config.security)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _("the SMTP server {where} answered {reply}").format(
            where=where, reply=_reply(exc.smtp_code, exc.smtp_error)
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _("the SMTP server {where} closed the connection ({reason})").format(
            where=where, reason=_reason(exc)
        )
    if isinstance(exc, socket.gaierror):
        return _("cannot find the SMTP server {host}: {reason}").format(
            host=config.host, reason=_reason(exc)
        )
    if isinstance(exc, TimeoutError):
        return _("the SMTP server {where} did not answer within {seconds:g} s").format(
            where=where, seconds=config.timeout
        )
    if isinstance(exc, OSError):
        return _("cannot connect to the SMTP server {where}: {reason}").format(
            where=where, reason=_reason(exc)
        )
    return _("sending through {where} failed: {reason}").format(where=where, reason=_reason(exc))


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"


def _scrub(text: str, password: str) -> str:
    """Belt and braces: the password never appears in a message, whatever a server echoes."""
    return text.replace(password, "***") if password else text
