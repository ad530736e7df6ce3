"""Reminders (README, "Reminders from cron"): which are due at an instant, and sending each once.

At ``as_of`` T, for each active member of the campaign:

- **report, due** (key ``due:W``): the week whose deadline for this member (the later of the
  week's deadline and the member's extension) is the next one after T, when that week has
  ended or ends within a day and the member has no report for it;
- **report, overdue** (key ``overdue:W``): each week whose deadline has passed with no report;
- **quota** (key ``quota:N``, N the campaign week of T, hence at most once per campaign
  week): from the campaign's second week while the article window is open (up to the last
  week's deadline), a member below the article minimum, unless one went to the member less
  than 7 days before T (``QUOTA_EVERY``: a run on Sunday and one on Monday send one).

A report counts as in ``check deadlines``: not rejected, not withdrawn, submitted by T. A
member without an e-mail address is reported (``no_address``) and never recorded.

**Exactly once** (``sendonce``: claim, send, record). The ``reminder`` table's unique key
(campaign, member, kind, key) is the guard. ``send_due`` claims each reminder by inserting its
row, status ``sending``; only the run whose insert succeeds sends it, and an overlapping run
finds the row and reports ``already_sent``. Once the server has accepted the message the row
is marked ``sent``. When the server refuses it or the connection fails, the claim is
released and the next run retries it. No transaction is open while the SMTP server is being
talked to, so the clerk's commands never wait on the network.

**A run killed** between its claim and marking the row ``sent`` leaves a ``sending`` row. It
counts as sent and is not retried: the message may have gone out, and never twice beats at
least once. Once older than ``LEDGER.stuck_after`` it is reported (``stuck_claims``: by ``remind``
and ``doctor``) and the clerk, having asked the officer, releases it (``release_stuck``,
audited). A message that cannot be built fails alone, released like a refused one.

One narrow window goes the other way: a connection that breaks after the server
took the whole message but before its reply arrived looks like one that broke before; that
reminder is retried, so its officer may get it twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from svcmonth import chat, checks, members, rules, sendonce, storage, timeutil
from svcmonth.campaigns import Campaign
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.mail.mailer import MessageFailed, Session
from svcmonth.storage.audit import record

ENDS_WITHIN = timedelta(days=1)
QUOTA_EVERY = timedelta(days=7)  # a member's quota reminders, at most one in any 7 days
QUOTA_FROM_WEEK = 2  # no "0 of 3" on the campaign's first morning
OVERDUE_FOR = timedelta(days=7)  # after the last deadline, the last week's overdue notices
HEADER = "X-Svcmonth-Reminder"  # "<member> <key>": which reminder a message is


@dataclass
class Reminder:
    """One reminder for one member, and what became of it."""

    member_id: int
    member: str
    name: str
    officer: str
    kind: str  # report | quota
    week: int | None
    key: str  # due:W | overdue:W | quota:YYYY-Www
    to: str | None
    subject: str
    body: str
    status: str = "would_send"  # would_send | no_address | already_sent | sent | failed
    reason: str = ""
    claim_id: int | None = field(default=None, repr=False)
    text: str = field(default="", repr=False)  # the body without greeting and signature
    mobile: str = ""  # the officer's mobile, to @-mention in a group chat
    articles: int | None = None  # quota: the articles counted so far
    channel: str = "mail"  # mail | wecom | dingtalk

    def row(self) -> dict[str, Any]:
        """The ``remind`` JSON keys, plus ``key``, ``name``, the ``reason`` of a failure and
        the message ``body``."""
        return {
            "member": self.member,
            "kind": self.kind,
            "week": self.week,
            "channel": self.channel,
            "to": self.to,
            "subject": self.subject,
            "status": self.status,
            "key": self.key,
            "name": self.name,
            "reason": self.reason or None,
            "body": self.body,
        }


@dataclass
class Outcome:
    """What ``send_due`` did: every reminder with its status, and the summary's fate."""

    reminders: list[Reminder]
    summary_error: str | None = None

    @property
    def failed(self) -> list[Reminder]:
        return [r for r in self.reminders if r.status == "failed"]


# each active member and the officer in office at the reminder's instant (rule 9)
_PEOPLE_SQL = (
    "SELECT m.id, m.code, m.name, coalesce(o.name, ''), coalesce(o.email, ''),"  # noqa: S608 (a fixed fragment)
    " coalesce(o.phone, '') FROM member m"
    + members.in_office_sql("m.id", ":at")
    + " WHERE m.active = 1 ORDER BY m.id"
)


def remind_open(campaign: Campaign, as_of: datetime) -> bool:
    """The ``remind`` cut-off (docs/rules.md): from the campaign's first day until 7 days
    after its last deadline (its span, then the last week's overdue notices); never later."""
    at = timeutil.to_db(as_of)
    return (
        campaign.start_utc
        <= at
        < timeutil.to_db(timeutil.from_db(campaign.window_end) + OVERDUE_FOR)
    )


def due(
    conn: sqlite3.Connection, campaign: Campaign, as_of: datetime, channel: str = "mail"
) -> list[Reminder]:
    """The reminders due at ``as_of`` on ``channel``, each ``would_send``, ``no_address`` (a
    mail without an address) or ``already_sent``.

    Reads only, inside the caller's transaction (or none). Nothing is due outside
    ``remind_open`` (the cut-off).
    """
    if not remind_open(campaign, as_of):
        return []
    weeks = {w.number: w for w in campaign.weeks}
    rows_of: dict[str, list[dict[str, Any]]] = {}
    for r in checks.deadline_rows(conn, campaign, as_of):
        rows_of.setdefault(r["member"], []).append(r)
    at = timeutil.to_db(as_of)
    window_open = rules.article_window(campaign.start_utc, campaign.window_end, at) == "open"
    articles: dict[str, int] = {}
    if window_open:
        articles = {row[0]: row[2] for row in checks.article_counts(conn, campaign, at)}
    texts = _Texts(conn, campaign, as_of)
    week_now = campaign_week(campaign, as_of)
    quota_key = f"quota:{week_now}"
    if week_now < QUOTA_FROM_WEEK:
        window_open = False
    out: list[Reminder] = []
    people = conn.execute(_PEOPLE_SQL, {"at": at}).fetchall()
    for member_id, code, name, officer, email, phone in people:
        mobile = phone if MOBILE.fullmatch(phone or "") else ""
        who = (member_id, code, name, officer, email or None, mobile)
        rows = rows_of.get(code, [])
        upcoming = [_instant(r["deadline"]) for r in rows if _instant(r["deadline"]) > as_of]
        next_deadline = min(upcoming, default=None)

        for r in rows:
            n, deadline = r["week"], _instant(r["deadline"])
            if r["status"] == "missing":
                out.append(
                    _reminder(
                        who, "report", n, f"overdue:{n}", texts.overdue(name, officer, n, deadline)
                    )
                )
            elif (
                r["status"] == "pending"
                and deadline == next_deadline
                and weeks[n].ends <= as_of + ENDS_WITHIN
            ):
                text = texts.report_due(name, officer, n, deadline)
                out.append(_reminder(who, "report", n, f"due:{n}", text))
        if window_open and articles.get(code, 0) < campaign.min_articles:
            text = texts.quota(name, officer, articles.get(code, 0))
            out.append(_reminder(who, "quota", None, quota_key, text))
            out[-1].articles = articles.get(code, 0)
    recorded = set(
        conn.execute(
            "SELECT member_id, kind, key FROM reminder WHERE campaign_id = ?", (campaign.id,)
        ).fetchall()
    )
    # a quota reminder less than 7 days old: none again yet (this week's own shows as sent)
    recent = _recent_quota(conn, campaign, as_of, channel)
    out = [
        r
        for r in out
        if not (
            r.kind == "quota"
            and r.member_id in recent
            and (r.member_id, r.kind, ledger_key(channel, r.key)) not in recorded
        )
    ]
    if channel != "mail":
        for rem in out:
            rem.channel, rem.to = channel, chat.GROUP_NAMES.get(channel, channel)
    for rem in out:
        if (rem.member_id, rem.kind, ledger_key(channel, rem.key)) in recorded:
            rem.status = "already_sent"
        elif not rem.to:
            rem.status = "no_address"
    return out


MOBILE = chat.MOBILE


def _reminder(
    who: tuple[int, str, str, str, str | None, str],
    kind: str,
    week: int | None,
    key: str,
    text: tuple[str, str, str],
) -> Reminder:
    """A reminder for ``who`` (member id, code, name, officer, e-mail, mobile) with ``text``
    (subject, mail body, the body's paragraph alone)."""
    member_id, code, name, officer, to, mobile = who
    subject, body, paragraph = text
    return Reminder(
        member_id,
        code,
        name,
        officer,
        kind,
        week,
        key,
        to,
        subject,
        body,
        text=paragraph,
        mobile=mobile,
    )


def campaign_week(campaign: Campaign, as_of: datetime) -> int:
    """The campaign week holding ``as_of`` (its local day), 1 before the first and the last
    week after the last (the days up to its deadline)."""
    day = as_of.astimezone(campaign.tz).date()
    found = 1
    for w in campaign.weeks:
        if w.first_day <= day:
            found = w.number
    return found


def ledger_key(channel: str, key: str) -> str:
    """The reminder table's key of ``key`` sent on ``channel``: mail keeps the bare key (as
    recorded before group chats), a group chat prefixes its name (``wecom:due:2``)."""
    return key if channel == "mail" else f"{channel}:{key}"


def _recent_quota(
    conn: sqlite3.Connection, campaign: Campaign, as_of: datetime, channel: str
) -> set[int]:
    """The members whose quota reminder on ``channel`` went out (or is being sent) less than
    ``QUOTA_EVERY`` before ``as_of``: none again for them yet."""
    since = timeutil.to_db(as_of - QUOTA_EVERY)
    rows = conn.execute(
        "SELECT member_id, key FROM reminder WHERE campaign_id = ? AND kind = 'quota'"
        " AND sent_at > ?",
        (campaign.id, since),
    ).fetchall()
    prefix = "" if channel == "mail" else f"{channel}:"
    return {
        member_id
        for member_id, key in rows
        if key.startswith(prefix) and (channel != "mail" or key.startswith("quota:"))
    }


def preview(
    conn: sqlite3.Connection, campaign: Campaign, as_of: datetime, channel: str = "mail"
) -> list[Reminder]:
    """The reminders due at ``as_of`` on ``channel``, read in one snapshot; nothing is sent or
    written."""
    with storage.snapshot(conn):
        return due(conn, campaign, as_of, channel)


Mail = sendonce.Mail


def _mail_text(texts: _Texts, mail: Mail) -> tuple[str, str]:
    """One reminder: its own subject and body; several: one subject, their texts numbered."""
    if len(mail.parts) == 1:
        return mail.parts[0].subject, mail.parts[0].body
    first = mail.parts[0]
    banks = "、".join(dict.fromkeys(p.name for p in mail.parts))
    subject = _("【{campaign}】{n}项报送提醒({bank})").format(
        campaign=texts.c.name, n=len(mail.parts), bank=banks
    )
    items = "\n\n".join(f"{i}. {p.text}" for i, p in enumerate(mail.parts, 1))
    intro = _("本次共有{n}项提醒,请逐项查看:").format(n=len(mail.parts))
    return subject, texts.signed(first.officer, f"{intro}\n\n{items}")


def send_due(
    conn: sqlite3.Connection,
    campaign: Campaign,
    as_of: datetime,
    now: datetime,
    connect: Callable[[], Session] | None,
    summary_to: str | None = None,
    robots: Sequence[Callable[[], chat.RobotSession]] = (),
) -> Outcome:
    """Send every reminder due at ``as_of`` that no run has sent, each exactly once: by mail
    when ``connect`` is given (one mail per officer), and to each group robot of ``robots``.

    ``conn`` must be in autocommit mode with no transaction open: this function runs its own
    short transactions (see the module docstring). ``connect`` opens the SMTP session; it is
    called only when there is something to send, and a failure to connect before anything
    was claimed propagates (``SvcmonthError``). Later failures are per reminder: status
    ``failed`` with a ``reason``, not recorded. With ``summary_to``, a summary of what was sent
    or failed goes to that address (not recorded: it describes this run).
    """
    outcome = Outcome([])
    if connect is not None:
        _send_mail(conn, campaign, as_of, now, connect, summary_to, outcome)
    for open_robot in robots:
        session = open_robot()
        outcome.reminders += _send_group(conn, campaign, as_of, now, session)
    return outcome


def _send_mail(
    conn: sqlite3.Connection,
    campaign: Campaign,
    as_of: datetime,
    now: datetime,
    connect: Callable[[], Session],
    summary_to: str | None,
    outcome: Outcome,
) -> None:
    reminders = preview(conn, campaign, as_of)
    outcome.reminders += reminders
    todo = sendonce.mails(reminders)
    texts = _Texts(conn, campaign, as_of)
    when = now.astimezone(campaign.tz)
    with sendonce.Outbox(conn, LEDGER, now, connect) as outbox:
        if todo:
            outbox.open()

        def row(m: Mail[Reminder]) -> list[dict[str, Any]]:
            return [_ledger_row(campaign, r, r.key, m.to, r.subject) for r in m.parts]

        def send(session: Session, m: Mail[Reminder]) -> None:
            subject, body = _mail_text(texts, m)
            header = ", ".join(f"{r.member} {r.key}" for r in m.parts)
            session.send(m.to, subject, body, when, {HEADER: header})

        outbox.send_parts(todo, row, send)
        if summary_to and any(r.status in ("sent", "failed") for r in reminders):
            subject, body = _summary(campaign, reminders, as_of)
            try:
                outbox.open().send(summary_to, subject, body, when, {HEADER: "summary"})
            except (MessageFailed, SvcmonthError) as exc:
                outcome.summary_error = str(exc)


def _ledger_row(campaign: Campaign, r: Reminder, key: str, to: str, subject: str) -> dict[str, Any]:
    return {
        "campaign_id": campaign.id,
        "member_id": r.member_id,
        "kind": r.kind,
        "week": r.week,
        "key": key,
        "recipient": to,
        "subject": subject,
    }


def group_posts(
    campaign: Campaign, reminders: list[Reminder], channel: str, as_of: datetime
) -> list[chat.Post]:
    """The group messages of ``reminders``: one per reminder kind (due, overdue, quota) and
    week, naming the members and their officers, split to the robots' size."""
    groups: dict[tuple[str, int | None], list[Reminder]] = {}
    for r in reminders:
        groups.setdefault((r.key.split(":")[0], r.week), []).append(r)
    posts: list[chat.Post] = []
    for (what, week), parts in groups.items():
        title = _group_title(campaign, what, week, as_of)
        lines = [chat.Line(_group_line(r), r.mobile) for r in parts]
        posts += chat.split(channel, title, lines, list(parts))
    return posts


def _group_title(campaign: Campaign, what: str, week: int | None, as_of: datetime) -> str:
    if what == "quota":
        return _(
            "【{campaign}】截至{as_of},以下单位已报稿件未达{required}篇最低要求(稿件截止{end}):"
        ).format(
            campaign=campaign.name,
            as_of=timeutil.moment_text(as_of, campaign.tz, weekday=True),
            required=campaign.min_articles,
            end=timeutil.moment_text(campaign.weeks[-1].deadline, campaign.tz, weekday=True),
        )
    assert week is not None
    deadline = timeutil.moment_text(campaign.week(week).deadline, campaign.tz, weekday=True)
    if what == "overdue":
        return _("【{campaign}】第{week}周活动情况已逾期未报(截止{deadline}),请尽快补报:").format(
            campaign=campaign.name, week=week, deadline=deadline
        )
    return _("【{campaign}】第{week}周活动情况请于{deadline}前报送,以下单位尚未报送:").format(
        campaign=campaign.name, week=week, deadline=deadline
    )


def _group_line(r: Reminder) -> str:
    officer = r.officer or _("信息宣传员")
    if r.kind == "quota":
        return _("{bank}({officer}),已报{n}篇").format(bank=r.name, officer=officer, n=r.articles)
    return _("{bank}({officer})").format(bank=r.name, officer=officer)


def _send_group(
    conn: sqlite3.Connection,
    campaign: Campaign,
    as_of: datetime,
    now: datetime,
    session: chat.RobotSession,
) -> list[Reminder]:
    """Post the reminders due on the session's robot, each member's once."""
    channel = session.robot.channel
    with storage.snapshot(conn):
        reminders = due(conn, campaign, as_of, channel)
    todo = group_posts(campaign, [r for r in reminders if r.status == "would_send"], channel, as_of)
    to = chat.GROUP_NAMES[channel]

    def row(p: chat.Post) -> list[dict[str, Any]]:
        return [_ledger_row(campaign, r, ledger_key(channel, r.key), to, p.title) for r in p.parts]

    sendonce.send_posts(conn, LEDGER, now, session, todo, row)
    return reminders


def group_text(conn: sqlite3.Connection, campaign: Campaign, as_of: datetime) -> list[str]:
    """``--via text``: the group messages due at ``as_of``, ready to paste into an ordinary
    微信群 (nothing is recorded)."""
    reminders = preview(conn, campaign, as_of)
    posts = group_posts(campaign, reminders, chat.TEXT, as_of)
    return [chat.content(chat.TEXT, p.title, p.lines) for p in posts]


# the ledger of reminders: a claim a killed run left ``sending`` counts as sent until the
# clerk releases it (``release_stuck``): a reminder twice would be worse than none
LEDGER = sendonce.Ledger(
    "reminder", "reminder", ("campaign_id", "member_id", "kind", "key"), retry_stuck=False
)


RELEASE_COMMAND = "svcmonth remind --release-stuck"


def stuck_claims(conn: sqlite3.Connection, now: datetime) -> list[dict[str, Any]]:
    """Claims a run left ``sending`` (it was killed while talking to the server) more than
    ``LEDGER.stuck_after`` before ``now``, in every campaign: ``id, campaign, member, key, to,
    since``. They count as sent, so nothing retries them until they are released."""
    cutoff = LEDGER.cutoff(now)
    rows = conn.execute(
        "SELECT r.id, c.name, m.code, r.key, r.recipient, r.sent_at, c.tz FROM reminder r"
        " JOIN campaign c ON c.id = r.campaign_id JOIN member m ON m.id = r.member_id"
        " WHERE r.status = 'sending' AND r.sent_at < ? ORDER BY r.id",
        (cutoff,),
    ).fetchall()
    return [
        {
            "id": r[0],
            "campaign": r[1],
            "member": r[2],
            "key": r[3],
            "to": r[4],
            "since": timeutil.show(r[5], timeutil.zone(r[6])),
        }
        for r in rows
    ]


def describe_stuck(claims: list[dict[str, Any]]) -> str:
    """One sentence for the clerk about stuck claims and the exact way to release them."""
    first = claims[0]
    return _(
        "{n} reminder(s) stuck as 'sending' (first: {member} {key} to {to}, since {since}): a "
        "run stopped while sending, the officer may or may not have the message; once checked, "
        "run `{command}` and the next `remind --send` sends them again"
    ).format(
        n=len(claims),
        member=first["member"],
        key=first["key"],
        to=first["to"],
        since=first["since"],
        command=RELEASE_COMMAND,
    )


def release_stuck(conn: sqlite3.Connection, now: datetime) -> list[dict[str, Any]]:
    """Delete the stuck claims (inside the caller's transaction), each in the audit trail, so
    that the next run sends them; returns them."""
    claims = stuck_claims(conn, now)
    at = timeutil.to_db(now)
    for claim in claims:
        conn.execute("DELETE FROM reminder WHERE id = ? AND status = 'sending'", (claim["id"],))
        record(
            conn,
            at,
            "release",
            "reminder",
            f"{claim['campaign']} {claim['member']} {claim['key']}",
            {"status": "sending", "to": claim["to"], "since": claim["since"]},
            None,
        )
    return claims


def _instant(shown: str) -> datetime:
    return datetime.fromisoformat(shown)


# --- the messages (Chinese: the recipients are officers of Chinese banks) ---------------------


class _Texts:
    """Subjects and bodies of the reminders of one campaign at one instant."""

    def __init__(self, conn: sqlite3.Connection, campaign: Campaign, as_of: datetime):
        self.c = campaign
        self.as_of = as_of
        row = conn.execute(
            "SELECT name FROM column_def WHERE kind = 'report' ORDER BY sort, name LIMIT 1"
        ).fetchone()
        self.report_column = row[0] if row else _("活动扫描")
        self.article_columns = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM column_def WHERE kind = 'article' ORDER BY sort, name"
            )
        ]

    def signed(self, officer: str, text: str) -> str:
        """A mail's body: the greeting, ``text``, the secretariat's signature."""
        greeting = _("{officer}同志:").format(officer=officer or _("信息宣传员"))
        signature = _("协会秘书处\n{day}").format(
            day=timeutil.day_text(self.as_of.astimezone(self.c.tz).date(), chinese=True)
        )
        return f"{greeting}\n\n{text}\n\n{signature}\n"

    def _week_span(self, week: int) -> str:
        w = self.c.week(week)
        return _("{first}至{last}").format(
            first=timeutil.day_text(w.first_day, chinese=True),
            last=timeutil.day_text(w.last_day, chinese=True),
        )

    def _week_fields(self, bank: str, week: int, deadline: datetime) -> dict[str, object]:
        """What the due and the overdue notice of a week both say."""
        return {
            "bank": bank,
            "campaign": self.c.name,
            "week": week,
            "span": self._week_span(week),
            "deadline": timeutil.moment_text(deadline, self.c.tz, weekday=True),
            "column": self.report_column,
            "late": self.c.late_level,
        }

    def report_due(
        self, bank: str, officer: str, week: int, deadline: datetime
    ) -> tuple[str, str, str]:
        subject = _("【{campaign}】请于{deadline}前报送第{week}周活动情况({bank})").format(
            campaign=self.c.name,
            deadline=timeutil.short_moment_text(deadline, self.c.tz),
            week=week,
            bank=bank,
        )
        body = _(
            "您好!{bank}{campaign}第{week}周({span})的活动情况尚未报送,"
            "请于{deadline}前在“{column}”栏目报送。\n\n"
            "报送截止时间:{deadline}\n"
            "按时报送的稿件按{on_time}级核算分值,逾期报送的按{late}级核算。"
            "如已报送,请忽略本提醒。"
        ).format(**self._week_fields(bank, week, deadline), on_time=self.c.on_time_level)
        return subject, self.signed(officer, body), body

    def overdue(
        self, bank: str, officer: str, week: int, deadline: datetime
    ) -> tuple[str, str, str]:
        subject = _("【{campaign}】第{week}周活动情况已逾期未报,请尽快补报({bank})").format(
            campaign=self.c.name, week=week, bank=bank
        )
        body = _(
            "您好!{bank}{campaign}第{week}周({span})的活动情况应于{deadline}前"
            "在“{column}”栏目报送,截至{as_of}尚未收到。\n\n"
            "请尽快补报;逾期报送的稿件按{late}级核算分值。如已报送,请忽略本提醒。"
        ).format(
            **self._week_fields(bank, week, deadline),
            as_of=timeutil.moment_text(self.as_of, self.c.tz, weekday=True),
        )
        return subject, self.signed(officer, body), body

    def quota(self, bank: str, officer: str, articles: int) -> tuple[str, str, str]:
        required = self.c.min_articles
        subject = _("【{campaign}】已报稿件{n}篇,未达{required}篇最低要求({bank})").format(
            campaign=self.c.name, n=articles, required=required, bank=bank
        )
        columns = "、".join(f"“{c}”" for c in self.article_columns)
        body = _(
            "您好!截至{as_of},{bank}在{campaign}中报送并计入指标的稿件为{n}篇。"
            "按稿件指标制度,活动期间每个会员单位报送稿件不少于{required}篇,尚差{short}篇。\n\n"
            "稿件截止时间:{window_end}\n"
            "稿件可在{columns}栏目报送;“{report}”周报不计入稿件指标。"
            "未完成稿件指标的会员单位将取消年度“信息宣传工作先进会员单位及优秀工作者”评选资格。"
            "如已报送,请忽略本提醒。"
        ).format(
            as_of=timeutil.moment_text(self.as_of, self.c.tz, weekday=True),
            bank=bank,
            campaign=self.c.name,
            n=articles,
            required=required,
            short=required - articles,
            window_end=timeutil.moment_text(self.c.weeks[-1].deadline, self.c.tz, weekday=True),
            columns=columns,
            report=self.report_column,
        )
        return subject, self.signed(officer, body), body


def _summary(campaign: Campaign, reminders: list[Reminder], as_of: datetime) -> tuple[str, str]:
    """The secretariat's summary of a run: counts, then a plain-text table (tabulate)."""
    import tabulate

    tabulate.WIDE_CHARS_MODE = True  # Chinese cells are two columns wide
    shown = [r for r in reminders if r.status in ("sent", "failed", "no_address")]
    count = {s: sum(1 for r in shown if r.status == s) for s in ("sent", "failed", "no_address")}
    what = {"due": _("周报待报"), "overdue": _("周报逾期"), "quota": _("稿件不足")}
    result = {"sent": _("已发送"), "failed": _("发送失败"), "no_address": _("无邮箱")}
    table = tabulate.tabulate(
        [
            [
                r.member,
                r.name,
                what[r.key.split(":")[0]],
                "" if r.week is None else str(r.week),
                r.to or "",
                result[r.status] + (f":{r.reason}" if r.reason else ""),
            ]
            for r in shown
        ],
        headers=[_("代码"), _("会员单位"), _("提醒"), _("周次"), _("收件人"), _("结果")],
        tablefmt="simple",
        disable_numparse=True,
    )
    subject = _("【{campaign}】提醒发送情况:已发送{sent}条,失败{failed}条,无邮箱{none}家").format(
        campaign=campaign.name,
        sent=count["sent"],
        failed=count["failed"],
        none=count["no_address"],
    )
    lines = [
        _("{campaign}提醒发送情况(截至{as_of}):").format(
            campaign=campaign.name, as_of=timeutil.moment_text(as_of, campaign.tz, weekday=True)
        ),
        "",
        table,
        "",
    ]
    if count["failed"]:
        lines.append(_("发送失败的提醒未记录,下次运行时将重发。"))
    if count["no_address"]:
        lines.append(
            _("无邮箱的会员单位请补充信息宣传员邮箱:svcmonth member edit 代码 --email 邮箱")
        )
    return subject, "\n".join(lines).rstrip() + "\n"
