"""A real SMTP server on loopback for the tests: aiosmtpd with a mailbox that keeps every
message and can refuse, delay or hold some; TLS ones trust a throwaway CA from trustme."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "xcb@assoc.example.cn", "auth-code-7f3k9q"
SENDER = "协会秘书处 <xcb@assoc.example.cn>"
SMTP_VARS = ("HOST", "PORT", "SECURITY", "USER", "PASSWORD", "FROM", "CAFILE", "TIMEOUT")


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every message and can refuse some recipients."""

    refuse: set[str] = field(default_factory=set)
    delay: float = 0.0
    hold: set[str] = field(default_factory=set)  # keep these in DATA until ``release`` is set
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    received: list[tuple[list[str], EmailMessage, bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if set(envelope.rcpt_tos) & self.hold:
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 10)
        raw = envelope.original_content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), msg, raw))
        return "250 OK"

    def keys(self) -> list[tuple[str, str]]:
        """``(recipient, reminder header)`` of every message received, in order."""
        return [(tos[0], str(msg["X-Svcmonth-Reminder"])) for tos, msg, _raw in self.received]


@dataclass
class Server:
    port: int
    mailbox: Mailbox
    env: dict[str, str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _check_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535
