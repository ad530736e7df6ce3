"""Results notices (``notify results``, SPEC Reminders, "Results notices"): each officer learns,
once, what became of their submissions — graded (level and points), rejected (and why),
adopted (by which outlet, the points it now earns), forwarded (to which body), endorsed (by
whom).

A notice is a **fact** the clerk recorded, keyed on its current value: ``graded:manual=3`` or
``graded:rule`` (a grade by the plan's rule: its level moves with the rules, which is not
news), ``rejected:<reason>``, ``adopted:<outlet>``, ``forwarded:<body>``,
``endorsed:<by>``. The ``notice`` table records each fact told per channel (``sendonce``:
claim, send, record), so a fact undone before a run is never told, a fact told is never told
again, and a changed fact (level 2 → 3, a new reason) is a new fact, told by the next run.

Facts of the campaign in question, of submissions not withdrawn; they go to the member's
officer in office when the notice is sent: by mail, one message per officer per run; in a
group chat, one message per run (split to the robots' size).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from svcmonth import chat, members, sendonce, storage, timeutil
from svcmonth.campaigns import Campaign
from svcmonth.i18n import _
from svcmonth.mail.mailer import Session

EVENTS = ("graded", "rejected", "adopted", "forwarded", "endorsed")
HEADER = "X-Svcmonth-Notice"

# the ledger of notices: a claim a killed run left ``sending`` is taken over by the next run
# once stuck (a results notice twice is harmless, none at all is not: as receipts)
LEDGER = sendonce.Ledger("notice", "notice", ("submission_id", "fact", "channel"), retry_stuck=True)


@dataclass
class Notice:
    """One fact about one submission, for its member's officer, on one channel."""

    submission_id: int
    member: str  # the member's code
    bank: str
    officer: str
    to: str | None  # the officer's e-mail (mail), or the group
    mobile: str
    title: str
    event: str  # graded | rejected | adopted | forwarded | endorsed
    fact: str  # the event with its value: the ledger's key
    text: str  # the sentence that tells it
    channel: str = "mail"
    status: str = "would_send"  # would_send | no_address | already_sent | sent | failed
    reason: str = ""
    claim_id: int | None = field(default=None, repr=False)

    def row(self) -> dict[str, Any]:
        """The ``notify results`` JSON keys (SPEC), then ``to``, ``fact``, ``text`` and the
        ``reason`` of a failure."""
        return {
            "member": self.member,
            "officer": self.officer,
            "submission": self.submission_id,
            "event": self.event,
            "channel": self.channel,
            "status": self.status,
            "to": self.to,
            "fact": self.fact,
            "text": self.text,
            "reason": self.reason or None,
        }


# each fact of a submission, as (submission id, event, value, detail): what the clerk recorded
_FACTS_SQL = """
SELECT e.id, 'graded', CASE WHEN e.grade = 'manual' THEN 'manual=' || e.manual_level
                            ELSE 'rule' END, e.level, e.points
  FROM submission_eval e
 WHERE e.campaign_id = :c AND e.withdrawn_at IS NULL AND e.grade IN ('rule', 'manual')
UNION ALL
SELECT s.id, 'rejected', coalesce(s.reject_reason, ''), NULL, NULL FROM submission s
 WHERE s.campaign_id = :c AND s.withdrawn_at IS NULL AND s.grade = 'rejected'
UNION ALL
SELECT s.id, 'adopted', a.outlet, NULL, NULL FROM adoption a JOIN submission s
    ON s.id = a.submission_id WHERE s.campaign_id = :c AND s.withdrawn_at IS NULL
UNION ALL
SELECT s.id, 'forwarded', f.body, NULL, NULL FROM forwarding f JOIN submission s
    ON s.id = f.submission_id WHERE s.campaign_id = :c AND s.withdrawn_at IS NULL
UNION ALL
SELECT s.id, 'endorsed', n.by, n.level, NULL FROM endorsements n JOIN submission s
    ON s.id = n.submission_id WHERE s.campaign_id = :c AND s.withdrawn_at IS NULL
"""

_SUBMISSIONS_SQL = (
    "SELECT s.id, s.title, m.code, m.name AS bank, coalesce(o.name, '') AS officer,"  # noqa: S608 (a fixed fragment)
    " coalesce(o.email, '') AS email, coalesce(o.phone, '') AS phone, e.level, e.points"
    " FROM submission s JOIN member m ON m.id = s.member_id"
    + members.in_office_sql("m.id", ":at")
    + " JOIN submission_eval e ON e.id = s.id WHERE s.campaign_id = :c"
)


def facts(conn: sqlite3.Connection, campaign: Campaign, at: datetime) -> list[Notice]:
    """Every fact of the campaign's submissions now, for the officer in office at ``at``,
    ordered by member, submission and event (not yet channel-bound: ``channel`` mail)."""
    params = {"c": campaign.id, "at": timeutil.to_db(at)}
    subs = {r["id"]: r for r in storage.named(conn.execute(_SUBMISSIONS_SQL, params))}
    out: list[Notice] = []
    for sid, event, value, detail, _points in conn.execute(_FACTS_SQL, params):
        s = subs[sid]
        title, phone = s["title"], s["phone"]
        fact = f"{event}:{value}"
        text = _sentence(event, title, value, detail, s["level"], s["points"])
        mobile = phone if chat.MOBILE.fullmatch(phone or "") else ""
        out.append(
            Notice(
                sid,
                s["code"],
                s["bank"],
                s["officer"],
                s["email"] or None,
                mobile,
                title,
                event,
                fact,
                text,
            )
        )
    order = {e: i for i, e in enumerate(EVENTS)}
    out.sort(key=lambda n: (n.member, n.submission_id, order[n.event], n.fact))
    return out


def _sentence(event: str, title: str, value: str, detail: Any, level: Any, points: Any) -> str:
    if event == "graded":
        return _("《{title}》已评定为{level}级,计{points}分。").format(
            title=title, level=level, points=points
        )
    if event == "rejected":
        if value:
            return _("《{title}》已退稿,原因:{reason}。").format(title=title, reason=value)
        return _("《{title}》已退稿。").format(title=title)
    if event == "adopted":
        return _("《{title}》已被{outlet}刊用,现计{points}分。").format(
            title=title, outlet=value, points=points
        )
    if event == "forwarded":
        return _("《{title}》已报送{body}。").format(title=title, body=value)
    return _("《{title}》获{by}批示({level})。").format(title=title, by=value, level=detail)


def due(
    conn: sqlite3.Connection, campaign: Campaign, at: datetime, channel: str = "mail"
) -> list[Notice]:
    """The facts not yet told on ``channel``: ``would_send``, ``no_address`` (a mail without
    an address) or ``already_sent`` (recorded). Reads only."""
    told = set(  # a claim stuck ``sending`` (a killed run) is not told: retried
        conn.execute(
            "SELECT submission_id, fact FROM notice WHERE channel = ?"
            " AND NOT (status = 'sending' AND sent_at < ?)",
            (channel, LEDGER.cutoff(at)),
        )
    )
    out = []
    for n in facts(conn, campaign, at):
        n = replace(n, channel=channel)
        if channel != "mail":
            n.to = chat.GROUP_NAMES.get(channel, channel)
        if (n.submission_id, n.fact) in told:
            n.status = "already_sent"
        elif not n.to:
            n.status = "no_address"
        out.append(n)
    return out


def preview(
    conn: sqlite3.Connection, campaign: Campaign, at: datetime, channel: str = "mail"
) -> list[Notice]:
    with storage.snapshot(conn):
        return due(conn, campaign, at, channel)


Mail = sendonce.Mail


def _mail_text(campaign: Campaign, mail: Mail, at: datetime) -> tuple[str, str]:
    first = mail.parts[0]
    banks = "、".join(dict.fromkeys(p.bank for p in mail.parts))
    subject = _("【{campaign}】稿件处理结果通知({bank})").format(campaign=campaign.name, bank=banks)
    items = "\n".join(f"{i}. {p.text}" for i, p in enumerate(mail.parts, 1))
    greeting = _("{officer}同志:").format(officer=first.officer or _("信息宣传员"))
    intro = _("您好!{bank}报送的稿件有以下处理结果:").format(bank=banks)
    day = at.astimezone(campaign.tz).date()
    signature = _("协会秘书处\n{day}").format(day=timeutil.day_text(day, chinese=True))
    return subject, f"{greeting}\n\n{intro}\n\n{items}\n\n{signature}\n"


def group_posts(campaign: Campaign, notices: list[Notice], channel: str) -> list[chat.Post]:
    """One group message of the run's notices (split to the robots' size)."""
    title = _("【{campaign}】稿件处理结果:").format(campaign=campaign.name)
    lines = [
        chat.Line(
            _("{bank}({officer}):{text}").format(
                bank=n.bank, officer=n.officer or _("信息宣传员"), text=n.text
            ),
            n.mobile,
        )
        for n in notices
    ]
    return chat.split(channel, title, lines, list(notices))


@dataclass
class Outcome:
    notices: list[Notice]

    @property
    def failed(self) -> list[Notice]:
        return [n for n in self.notices if n.status == "failed"]


def send(
    conn: sqlite3.Connection,
    campaign: Campaign,
    at: datetime,
    now: datetime,
    connect: Callable[[], Session] | None,
    robots: Sequence[Callable[[], chat.RobotSession]] = (),
) -> Outcome:
    """Tell every fact not yet told: by mail when ``connect`` is given (one mail per
    officer), and on each robot of ``robots`` (one message per run). Own transactions, as
    ``reminders.send_due``."""
    outcome = Outcome([])
    when = now.astimezone(campaign.tz)
    if connect is not None:
        notices = preview(conn, campaign, at)
        outcome.notices += notices
        todo = sendonce.mails(notices)
        with sendonce.Outbox(conn, LEDGER, now, connect) as outbox:
            if todo:
                outbox.open()

            def row(m: Mail[Notice]) -> list[dict[str, Any]]:
                return [_ledger_row(n, m.to) for n in m.parts]

            def send_mail(session: Session, m: Mail[Notice]) -> None:
                subject, body = _mail_text(campaign, m, at)
                header = ", ".join(f"{n.submission_id} {n.fact}" for n in m.parts)
                session.send(m.to, subject, body, when, {HEADER: header})

            outbox.send_parts(todo, row, send_mail)
    for open_robot in robots:
        outcome.notices += _post(conn, campaign, at, now, open_robot())
    return outcome


def _post(
    conn: sqlite3.Connection,
    campaign: Campaign,
    at: datetime,
    now: datetime,
    session: chat.RobotSession,
) -> list[Notice]:
    """Post the facts not yet told on the session's robot: one message (split if long)."""
    channel = session.robot.channel
    notices = preview(conn, campaign, at, channel)
    posts = group_posts(campaign, [n for n in notices if n.status == "would_send"], channel)

    def row(p: chat.Post) -> list[dict[str, Any]]:
        return [_ledger_row(n, chat.GROUP_NAMES[channel]) for n in p.parts]

    sendonce.send_posts(conn, LEDGER, now, session, posts, row)
    return notices


def group_text(conn: sqlite3.Connection, campaign: Campaign, at: datetime) -> list[str]:
    """``--via text``: the group message of every fact not yet told by mail (nothing
    recorded)."""
    notices = [n for n in preview(conn, campaign, at) if n.status != "already_sent"]
    return [
        chat.content(chat.TEXT, p.title, p.lines) for p in group_posts(campaign, notices, chat.TEXT)
    ]


def _ledger_row(n: Notice, to: str) -> dict[str, Any]:
    return {
        "submission_id": n.submission_id,
        "event": n.event,
        "fact": n.fact,
        "channel": n.channel,
        "recipient": to,
    }
