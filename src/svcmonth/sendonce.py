"""Claim, send, record once: the one mechanism for every message svcmonth sends by itself.

Reminders (``reminders.send_due``) and receipts (``mail.receipts.send_receipts``) — and,
later, group-chat messages and results notices — are each "one message per key, never
twice". Each channel keeps its messages in a table (a ``Ledger``) whose unique key is the
guard (for reminders: campaign, member, kind, key — the week is in the key; for receipts:
the submission), with a ``status`` (``sending`` | ``sent``) and ``sent_at``:

1. **claim**: insert the message's row as ``sending`` in a short ``BEGIN IMMEDIATE``
   transaction; only the run whose insert succeeds sends it, an overlapping run finds the
   row and reports ``already_sent``;
2. **send**, with no transaction open (the clerk's commands never wait on the network);
3. **record**: mark the row ``sent`` (with the channel's audit entry, same transaction).

Whatever goes wrong while sending — the server refuses the message, the connection breaks,
the message cannot be built, a bug — the claim is **released** (its row deleted, in its own
transaction) and the message is ``failed`` with a reason; the next run retries it. A broken
connection (or an unexpected error) is closed and the next message opens a fresh one.

**A run killed** between its claim and its record leaves a ``sending`` row. Once older than
the ledger's ``stuck_after`` it is *stuck*: ``stuck`` lists it (``doctor`` reports every
ledger's), and the ledger says what happens next — ``retry_stuck``: the next run takes it
over and sends it again (a receipt twice is harmless), or not: it counts as sent until the
clerk, having asked, releases it (a reminder twice would be worse than none; ``remind
--release-stuck``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from svcmonth import storage, timeutil
from svcmonth.errors import SvcmonthError
from svcmonth.mail.mailer import ConnectionLost, MessageFailed
from svcmonth.storage.audit import record


@dataclass(frozen=True)
class Ledger:
    """Where a channel records its messages: ``table`` with the unique key ``key`` (its
    columns), ``status`` (``sending``/``sent``) and ``sent_at``."""

    channel: str  # the name in messages and the audit trail: "reminder", "receipt"
    table: str
    key: tuple[str, ...]
    retry_stuck: bool
    stuck_after: timedelta = timedelta(minutes=10)  # a claim lives for one message: seconds

    def cutoff(self, now: datetime) -> str:
        """Claims made before this stored instant are stuck."""
        return timeutil.to_db(now - self.stuck_after)


class Message(Protocol):
    """What the loop needs of a channel's message: its fate, and its claim."""

    status: str  # would_send → sent | already_sent | failed
    reason: str
    claim_id: int | None


M = TypeVar("M", bound=Message)


class Closable(Protocol):
    """A channel's session: an SMTP connection, a group robot (``chat.RobotSession``)."""

    def close(self) -> None: ...


S = TypeVar("S", bound=Closable)


class Outbox(Generic[S]):
    """One run's sending: the session (opened when first needed, reopened after a broken
    connection) and the claim → send → record of each message. Use it as a context manager:
    the session is closed at the end."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        ledger: Ledger,
        now: datetime,
        connect: Callable[[], S],
    ):
        self.conn, self.ledger, self.now, self.connect = conn, ledger, now, connect
        self.session: S | None = None
        self.broken: str | None = None  # why a fresh connection could not be opened mid-run

    def __enter__(self) -> Outbox[S]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def open(self) -> S:
        """The session; the first connection's failure propagates (nothing was claimed)."""
        if self.session is None:
            self.session = self.connect()
        return self.session

    def send_all(
        self,
        messages: Iterable[M],
        row: Callable[[M], dict[str, Any] | list[dict[str, Any]]],
        send: Callable[[S, M], None],
        on_sent: Callable[[sqlite3.Connection, M], None] | None = None,
        keep: Callable[[M, list[bool]], None] | None = None,
    ) -> None:
        """Send each message once: ``row(m)`` is its ledger row (the key and what else the
        table holds, without ``status``/``sent_at``), ``send`` hands it to the session,
        ``on_sent`` records it (inside the transaction that marks it sent).

        ``row(m)`` may give a list of rows: one message that records several keys (an
        officer's reminders in one mail, a group message naming several members). Each row is
        claimed; ``keep(m, claimed)`` is told which this run holds (an overlapping run may
        hold the others) so that the message says only those; it is sent when any is held,
        and all its claims are recorded, or released, together."""
        for m in messages:
            if self.session is None and self.broken is None:
                try:
                    self.session = self.connect()
                except SvcmonthError as exc:
                    self.broken = str(exc)
            if self.session is None:
                m.status, m.reason = "failed", self.broken or ""
                continue
            rows = row(m)
            ids = [
                claim(self.conn, self.ledger, r, self.now)
                for r in (rows if isinstance(rows, list) else [rows])
            ]
            held = [i for i in ids if i is not None]
            if not held:
                m.status = "already_sent"  # an overlapping run has it
                continue
            m.claim_id = held[0]
            if keep is not None and isinstance(rows, list):
                keep(m, [i is not None for i in ids])
            try:
                send(self.session, m)
            except Exception as exc:  # refused, unbuildable, or a bug: this one failed
                for claim_id in held:
                    release(self.conn, self.ledger, claim_id)
                m.claim_id = None
                m.status, m.reason = "failed", str(exc) or type(exc).__name__
                if isinstance(exc, ConnectionLost) or not isinstance(exc, MessageFailed):
                    self.close()
                continue
            with storage.transaction(self.conn):
                for claim_id in held:
                    self.conn.execute(
                        f"UPDATE {self.ledger.table} SET status = 'sent', sent_at = ? WHERE id = ?",
                        (timeutil.to_db(self.now), claim_id),
                    )
                if on_sent is not None:
                    on_sent(self.conn, m)
            m.status = "sent"

    def send_parts(
        self,
        messages: list[Any],
        row: Callable[[Any], list[dict[str, Any]]],
        send: Callable[[S, Any], None],
    ) -> None:
        """``send_all`` for messages that each stand for several parts (an officer's ``Mail``
        of reminders or notices, a group ``chat.Post``): then each part takes its message's
        fate, and those an overlapping run took away from it are ``already_sent``."""
        built = [(m, list(m.parts)) for m in messages]
        self.send_all(messages, row, send, keep=lambda m, claimed: m.keep(claimed))
        for m, parts in built:
            held = {id(p) for p in m.parts}
            for p in parts:
                p.status, p.reason = (m.status, m.reason) if id(p) in held else ("already_sent", "")


def send_posts(
    conn: sqlite3.Connection,
    ledger: Ledger,
    now: datetime,
    session: Any,
    posts: list[Any],
    row: Callable[[Any], list[dict[str, Any]]],
) -> None:
    """Post group messages (``chat.Post``) on one robot ``session``, each once
    (``Outbox.send_parts``: its parts take its fate)."""
    with Outbox(conn, ledger, now, lambda: session) as outbox:
        outbox.send_parts(posts, row, lambda s, p: s.send(p))


class Part(Protocol):
    """What a mail says, one of several: a reminder, a notice."""

    to: str | None
    status: str
    reason: str


P = TypeVar("P", bound=Part)


@dataclass
class Mail(Generic[P]):
    """One e-mail to one address holding all of its parts (reminders, notices) of this run."""

    to: str
    parts: list[P]
    status: str = "would_send"
    reason: str = ""
    claim_id: int | None = None

    def keep(self, claimed: list[bool]) -> None:
        """Only the parts this run claimed (an overlapping run has the rest)."""
        self.parts = [p for p, k in zip(self.parts, claimed, strict=True) if k]


def mails(parts: Iterable[P]) -> list[Mail[P]]:
    """The parts to send (``would_send``, with an address ``to``), one mail per address: an
    officer due for several gets one."""
    by_to: dict[str, Mail[P]] = {}
    for p in parts:
        if p.status == "would_send" and p.to:
            by_to.setdefault(p.to, Mail(p.to, [])).parts.append(p)
    return list(by_to.values())


def claim(
    conn: sqlite3.Connection, ledger: Ledger, row: dict[str, Any], now: datetime
) -> int | None:
    """Insert ``row`` as ``sending``: its id, or None when another run has the key. With
    ``retry_stuck``, a stuck claim of the same key is taken over (audited)."""
    at = timeutil.to_db(now)
    key = " AND ".join(f"{column} IS ?" for column in ledger.key)
    values = [row[column] for column in ledger.key]
    with storage.transaction(conn):
        if ledger.retry_stuck:
            for stuck_id, since in conn.execute(
                f"SELECT id, sent_at FROM {ledger.table} WHERE {key}"
                " AND status = 'sending' AND sent_at < ?",
                (*values, ledger.cutoff(now)),
            ).fetchall():
                conn.execute(f"DELETE FROM {ledger.table} WHERE id = ?", (stuck_id,))
                record(
                    conn,
                    at,
                    "retry",
                    ledger.channel,
                    stuck_id,
                    {"status": "sending", "since": since},
                    None,
                )
        columns = [*row, "status", "sent_at"]
        cur = conn.execute(
            f"INSERT INTO {ledger.table} ({', '.join(columns)})"
            f" VALUES ({', '.join('?' for _ in columns)})"
            f" ON CONFLICT ({', '.join(ledger.key)}) DO NOTHING",
            (*row.values(), "sending", at),
        )
        return cur.lastrowid if cur.rowcount == 1 else None


def release(conn: sqlite3.Connection, ledger: Ledger, claim_id: int) -> None:
    """Give up a claim whose message did not go out: the next run retries it."""
    with storage.transaction(conn):
        conn.execute(f"DELETE FROM {ledger.table} WHERE id = ? AND status = 'sending'", (claim_id,))


def stuck(conn: sqlite3.Connection, ledger: Ledger, now: datetime) -> list[int]:
    """The ids of the claims a killed run left ``sending`` more than ``stuck_after`` ago."""
    return [
        r[0]
        for r in conn.execute(
            f"SELECT id FROM {ledger.table} WHERE status = 'sending' AND sent_at < ? ORDER BY id",
            (ledger.cutoff(now),),
        )
    ]
