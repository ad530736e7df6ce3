"""Receipts (``inbox … --ack``): one e-mail per accepted submission to its sender, sent once.

Each receipt is claimed, sent and recorded through ``sendonce`` in the ``receipt`` table
(its unique submission makes "never twice" a constraint): marked ``sent`` once the server
took it, released when it failed (the next ``--ack`` run retries). A receipt a killed run left
``sending`` is sent again by the next ``--ack`` run once it is stuck (a receipt twice is
harmless, none leaves the officer guessing); ``doctor`` reports it until then.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from svcmonth import campaigns, sendonce, storage, submissions, timeutil
from svcmonth.attachments import attachments_of
from svcmonth.i18n import _
from svcmonth.mail.mailer import Session
from svcmonth.storage.audit import record

RECEIPT_HEADER = "X-Svcmonth-Receipt"
LEDGER = sendonce.Ledger("receipt", "receipt", ("submission_id",), retry_stuck=True)


@dataclass
class Receipt:
    """One receipt to send, and what became of it."""

    entry_id: int
    submission_id: int
    to: str
    subject: str
    body: str
    in_reply_to: str
    status: str = "would_send"  # would_send | sent | already_sent | failed
    reason: str = ""
    claim_id: int | None = None

    def row(self) -> dict[str, Any]:
        return {
            "submission": self.submission_id,
            "to": self.to,
            "subject": self.subject,
            "status": self.status,
            "reason": self.reason or None,
        }


def receipts_due(conn: sqlite3.Connection, now: datetime) -> list[Receipt]:
    """Accepted entries whose sender asked for (``--ack``) and has not had a receipt (or
    whose receipt a killed run left stuck ``sending``: sent again, ``LEDGER``)."""
    out = []
    for entry_id, sid, to, message_id, name in conn.execute(
        "SELECT i.id, i.submission_id, i.sender, i.message_id, i.sender_name FROM intake i"
        " WHERE i.status = 'accepted' AND i.ack = 1 AND i.sender <> ''"
        " AND NOT EXISTS (SELECT 1 FROM receipt r WHERE r.submission_id = i.submission_id"
        " AND NOT (r.status = 'sending' AND r.sent_at < ?))"
        " ORDER BY i.id",
        (LEDGER.cutoff(now),),
    ).fetchall():
        subject, body = receipt_text(conn, sid, now, name)
        out.append(Receipt(entry_id, sid, to, subject, body, message_id))
    return out


def receipt_text(
    conn: sqlite3.Connection, submission_id: int, now: datetime, sender_name: str = ""
) -> tuple[str, str]:
    """The receipt of one submission, sent at ``now`` to its sender (Chinese: its readers
    are officers of Chinese banks). The arrival is shown to the second: 12:00:30 is late."""
    s = submissions.get_row(conn, submission_id)
    c = campaigns.load(
        conn,
        conn.execute("SELECT name FROM campaign WHERE id = ?", (s["campaign_id"],)).fetchone()[0],
    )
    bank, officer = conn.execute(
        "SELECT m.name, coalesce(o.name, '') FROM member m LEFT JOIN officer o"
        " ON o.member_id = m.id AND o.until IS NULL WHERE m.id = ?",
        (s["member_id"],),
    ).fetchone()
    # the sender as they sign (the clerk may have mapped a colleague's address), else the officer
    greeted = sender_name if sender_name and "@" not in sender_name else officer
    arrived = timeutil.from_db(s["submitted_at"])
    deadline = timeutil.from_db(s["deadline"])
    if s["kind"] == "report":
        what = _("第{week}周{column}").format(week=s["week"], column=s["column_name"])
        verdict = _("按时") if s["on_time"] else _("迟报")
        detail = (
            _("第{week}周截止时间为{deadline}，按时报送。")
            if s["on_time"]
            else _("第{week}周截止时间为{deadline}，已逾期，按迟报核算。")
        ).format(week=s["week"], deadline=timeutil.moment_text(deadline, c.tz))
    else:
        what = _("{column}稿件").format(column=s["column_name"])
        verdict = _("计入稿件指标") if s["on_time"] else _("未计入稿件指标")
        detail = (
            _("在稿件报送期内（截至{deadline}），计入稿件指标。")
            if s["on_time"]
            else _("不在稿件报送期内（截至{deadline}），不计入稿件指标。")
        ).format(deadline=timeutil.moment_text(deadline, c.tz))
    files = [a["file_name"] for a in attachments_of(conn, submission_id)]
    subject = _("【{campaign}】已收到{what}《{title}》，{verdict}").format(
        campaign=c.name, what=what, title=s["title"], verdict=verdict
    )
    lines = [
        _("{name}同志：").format(name=greeted or _("信息宣传员")),
        "",
        _(
            "您好！协会秘书处已于{at}收到{bank}报送的{what}《{title}》，登记编号{id}。{detail}"
        ).format(
            at=timeutil.moment_text(arrived, c.tz, seconds=True),
            bank=bank,
            what=what,
            title=s["title"],
            id=submission_id,
            detail=detail,
        ),
    ]
    if files:
        lines += ["", _("随附附件{n}个：{files}").format(n=len(files), files="、".join(files))]
    lines += [
        "",
        _("本邮件由系统自动发送，请勿直接回复。"),
        "",
        _("协会秘书处"),
        timeutil.day_text(now.astimezone(c.tz).date(), chinese=True),
    ]
    return subject, "\n".join(lines) + "\n"


def send_receipts(
    conn: sqlite3.Connection, now: datetime, connect: Callable[[], Session]
) -> list[Receipt]:
    """Send every receipt due, each exactly once (``sendonce``: claim, send, record).

    ``conn`` must have no transaction open: each claim and record is its own short
    transaction, so nothing waits on the network.
    """
    with storage.snapshot(conn):
        todo = receipts_due(conn, now)
    if not todo:
        return []

    def row(r: Receipt) -> dict[str, Any]:
        return {
            "submission_id": r.submission_id,
            "intake_id": r.entry_id,
            "recipient": r.to,
            "subject": r.subject,
        }

    def send(session: Session, r: Receipt) -> None:
        headers = {RECEIPT_HEADER: str(r.submission_id)}
        if r.in_reply_to:
            headers["In-Reply-To"] = r.in_reply_to
        session.send(r.to, r.subject, r.body, now, headers)

    def sent(conn: sqlite3.Connection, r: Receipt) -> None:
        at = timeutil.to_db(now)
        record(
            conn,
            at,
            "receipt",
            "submission",
            r.submission_id,
            None,
            {"to": r.to, "subject": r.subject},
        )

    with sendonce.Outbox(conn, LEDGER, now, connect) as outbox:
        outbox.open()
        outbox.send_all(todo, row, send, sent)
    return todo


def stuck_receipts(conn: sqlite3.Connection, now: datetime) -> list[dict[str, Any]]:
    """Receipts a killed run left ``sending`` (``LEDGER.stuck_after`` ago or more): the next
    ``--ack`` run sends them again."""
    ids = sendonce.stuck(conn, LEDGER, now)
    return [
        {"submission": sid, "to": to}
        for sid, to in (
            conn.execute(
                "SELECT submission_id, recipient FROM receipt WHERE id = ?", (i,)
            ).fetchone()
            for i in ids
        )
    ]


def describe_stuck(stuck: list[dict[str, Any]]) -> str:
    """One sentence for the clerk about stuck receipts."""
    return _(
        "{n} receipt(s) stuck as 'sending' (first: submission {id} to {to}): a run stopped "
        "while sending; the next `inbox accept --ack` sends them again"
    ).format(n=len(stuck), id=stuck[0]["submission"], to=stuck[0]["to"])
