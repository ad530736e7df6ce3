"""The documents the association circulates: the weekly and final 通报 and the 会员动态 digest.

Every figure comes from the functions the reports use — ``checks.deadline_rows`` (按时/迟报/
未报), ``checks.quota_rows`` (the minimum), ``reports.scoreboard`` (points, reports, adoptions),
``submissions.listing`` (the week's and the best submissions, with their status and level),
``grading.forwardings`` (as of the day asked) — so a document never disagrees with ``check``
or ``report``. This module only arranges them as a ``documents.Document``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from svcmonth import checks, grading, reports, rules, settings, storage, submissions, timeutil
from svcmonth.campaigns import Campaign
from svcmonth.i18n import _, is_chinese
from svcmonth.output import documents as d

EXCERPT_CHARS = 200
COUNTED = rules.COUNTED_STATUSES  # not rejected, not withdrawn (rule 13)


@dataclass
class Context:
    """What every document of a campaign needs: names, the public title, the 落款."""

    conn: sqlite3.Connection
    campaign: Campaign
    as_of: datetime
    title: str
    association: str
    names: dict[str, str]  # member code → name

    @property
    def today(self) -> date:
        return self.as_of.astimezone(self.campaign.tz).date()


def context(conn: sqlite3.Connection, campaign: Campaign, as_of: datetime) -> Context:
    """The campaign's public title, the association's name and the members' names."""
    return Context(
        conn,
        campaign,
        as_of,
        settings.campaign_title(conn, campaign),
        settings.association(conn),
        dict(conn.execute("SELECT code, name FROM member")),
    )


def _count() -> str:
    """How a list of members is counted: ``（{n}家）``."""
    return _("({n} members)")


def _names(ctx: Context, label: str, codes: list[str]) -> d.Names:
    return d.Names(label, [ctx.names.get(c, c) for c in codes], _count())


def _local(ctx: Context, instant: datetime) -> str:
    return timeutil.local_text(instant, ctx.campaign.tz)


def _day(ctx: Context, value: date) -> str:
    return timeutil.day_text(value)


# --- the weekly 通报 --------------------------------------------------------------------------


def default_week(campaign: Campaign, as_of: datetime) -> int:
    """The last week whose deadline has passed at ``as_of`` (week 1 while none has)."""
    passed = [w.number for w in campaign.weeks if w.deadline <= as_of]
    return passed[-1] if passed else 1


def weekly(ctx: Context, week: int, issue: int | None = None) -> d.Document:
    """The weekly 通报 of ``week``: 报送情况, 稿件情况, 刊用和报送情况, 下一步要求."""
    c = ctx.campaign
    w = c.week(week)
    rows = checks.deadline_rows(ctx.conn, c, ctx.as_of, week=week)
    by_status: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        by_status[r["status"]].append(r["member"])
    title = _("Circular on the reporting of {title} (issue {issue})").format(
        title=ctx.title, issue=issue if issue is not None else week
    )
    first, last = _day(ctx, w.first_day), _day(ctx, w.last_day)
    opening = d.Paragraph(
        _(
            "Here is how the members reported in week {week} of {title} ({first} to {last}); "
            "figures as of {as_of}."
        ).format(week=week, title=ctx.title, first=first, last=last, as_of=_local(ctx, ctx.as_of))
    )
    reporting = [
        _names(ctx, _("Reported on time"), by_status["on_time"]),
        _names(ctx, _("Reported late"), by_status["late"]),
        _names(ctx, _("Not reported"), by_status["missing"]),
    ]
    if by_status["pending"]:
        reporting.append(_names(ctx, _("Not yet due"), by_status["pending"]))
    sections = [
        d.Section("", [opening]),
        d.Section(_("I. Weekly reports"), list(reporting)),
        d.Section(_("II. Submissions"), _week_submissions(ctx, week)),
        d.Section(
            _("III. Adoptions and forwardings"), _week_adoptions(ctx, w.first_day, w.last_day)
        ),
        d.Section(_("IV. Next steps"), _next_steps(ctx)),
    ]
    return d.Document(
        title,
        sections,
        ctx.association,
        ctx.today,
        _("To all members:"),
        "bulletin",
    )


def _column_order(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        name: n
        for n, (name,) in enumerate(conn.execute("SELECT name FROM column_def ORDER BY sort, name"))
    }


def _week_submissions(ctx: Context, week: int) -> list[d.Block]:
    """The week's submissions that count (``submission list --week N``), by column."""
    rows = [
        r
        for r in submissions.listing(ctx.conn, ctx.campaign, week=week, as_of=ctx.as_of)
        if r["status"] in COUNTED
    ]
    if not rows:
        return [d.Paragraph(_("No submission this week."))]
    order = _column_order(ctx.conn)
    rows.sort(key=lambda r: (order.get(r["column"], 99), r["submitted_at"], r["id"]))
    counts = Counter(r["column"] for r in rows)
    summary = _("This week {n} submissions came in: {by_column}.").format(
        n=len(rows),
        by_column=_("、").join(
            _("{column} {n}").format(column=k, n=v)
            for k, v in sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))
        ),
    )
    table = d.Table(
        [_("Column"), _("Member"), _("Title")],
        [[r["column"], ctx.names.get(r["member"], r["member"]), r["title"]] for r in rows],
    )
    return [d.Paragraph(summary), table]


def adoptions(ctx: Context) -> list[dict[str, Any]]:
    """The campaign's recorded adoptions of submissions that count: ``submission, member,
    title, outlet, adopted_on`` (the records themselves; no figure is derived here)."""
    return [
        dict(r)
        for r in storage.named(
            ctx.conn.execute(
                "SELECT e.id AS submission, m.code AS member, e.title, a.outlet, a.adopted_on"
                " FROM adoption a"
                " JOIN submission_eval e ON e.id = a.submission_id"
                " JOIN member m ON m.id = e.member_id"
                " WHERE e.campaign_id = ? AND e.status IN ('graded', 'pending')"
                " AND e.submitted_at <= ? AND a.adopted_on <= ? ORDER BY a.adopted_on, a.id",
                (ctx.campaign.id, timeutil.to_db(ctx.as_of), ctx.today.isoformat()),
            )
        )
    ]


def forwardings(ctx: Context) -> list[dict[str, Any]]:
    """The campaign's recorded forwardings dated on or before the day of ``--as-of`` (a
    document as of a day does not know what was forwarded after it)."""
    day = ctx.today.isoformat()
    return [f for f in grading.forwardings(ctx.conn, ctx.campaign) if f["forwarded_on"] <= day]


def _week_adoptions(ctx: Context, first: date, last: date) -> list[d.Block]:
    """Adoptions and forwardings dated in the week (``--on``, default the day recorded)."""
    start, end = first.isoformat(), last.isoformat()
    adopted = [a for a in adoptions(ctx) if start <= a["adopted_on"] <= end]
    forwarded = [f for f in forwardings(ctx) if start <= f["forwarded_on"] <= end]
    if not adopted and not forwarded:
        return [d.Paragraph(_("No adoption or forwarding was recorded this week."))]
    tables = (
        (adopted, _("Adopted by"), "outlet", "adopted_on"),
        (forwarded, _("Forwarded to"), "body", "forwarded_on"),
    )
    return [
        d.Table(
            [_("Member"), _("Title"), by, _("Date")],
            [[ctx.names.get(r["member"], r["member"]), r["title"], r[who], r[on]] for r in records],
        )
        for records, by, who, on in tables
        if records
    ]


def _next_steps(ctx: Context) -> list[d.Block]:
    """The next deadline and the members short of the minimum, both as of ``as_of``."""
    c = ctx.campaign
    blocks: list[d.Block] = []
    ahead = [w for w in c.weeks if w.deadline > ctx.as_of]
    if ahead:
        w = ahead[0]
        blocks.append(
            d.Paragraph(
                _("Members are asked to send their week {week} report before {deadline}.").format(
                    week=w.number, deadline=_local(ctx, w.deadline)
                )
            )
        )
    else:
        blocks.append(d.Paragraph(_("Every weekly deadline of the campaign has passed.")))
    short = [r for r in checks.quota_rows(ctx.conn, c, ctx.as_of) if r["shortfall"] > 0]
    if short:
        blocks.append(
            d.Names(
                _("Members below the minimum of {n} articles").format(n=c.min_articles),
                [
                    _("{name} (short by {n})").format(
                        name=ctx.names.get(r["member"], r["member"]), n=r["shortfall"]
                    )
                    for r in short
                ],
                _count(),
            )
        )
    else:
        blocks.append(
            d.Paragraph(
                _("Every member has reached the minimum of {n} articles.").format(n=c.min_articles)
            )
        )
    return blocks


# --- the final 通报 ---------------------------------------------------------------------------


def overview(ctx: Context, board: list[dict[str, Any]]) -> list[d.Block]:
    """总体情况: members, weeks, on-time rate, submissions by column, adoptions by outlet,
    forwardings (the scoreboard's and the listing's figures)."""
    c = ctx.campaign
    on_time = sum(r["reports_on_time"] for r in board)
    late = sum(r["reports_late"] for r in board)
    missing = sum(r["reports_missing"] for r in board)
    due = on_time + late + missing
    rate = f"{100 * on_time / due:.1f}%" if due else "—"
    counted = [
        r for r in submissions.listing(ctx.conn, c, as_of=ctx.as_of) if r["status"] in COUNTED
    ]
    order = _column_order(ctx.conn)
    by_column = Counter(r["column"] for r in counted)
    adopted = adoptions(ctx)
    by_outlet = Counter(a["outlet"] for a in adopted)
    forwarded = [f for f in forwardings(ctx) if any(r["id"] == f["submission"] for r in counted)]
    by_body = Counter(f["body"] for f in forwarded)
    blocks: list[d.Block] = [
        d.Paragraph(
            _(
                "{title} ran from {first} to {last}, {weeks} weeks; {members} members took part. "
                "Of {due} weekly reports due, {on_time} came on time, {late} late and {missing} "
                "not at all: an on-time rate of {rate}."
            ).format(
                title=ctx.title,
                first=_day(ctx, c.start),
                last=_day(ctx, c.end),
                weeks=len(c.weeks),
                members=len(board),
                due=due,
                on_time=on_time,
                late=late,
                missing=missing,
                rate=rate,
            )
        ),
        d.Paragraph(
            _("Members sent {n} submissions: {by_column}.").format(
                n=len(counted),
                by_column=_("、").join(
                    _("{column} {n}").format(column=k, n=v)
                    for k, v in sorted(by_column.items(), key=lambda kv: order.get(kv[0], 99))
                )
                or _("none"),
            )
        ),
        d.Paragraph(
            _("{n} were adopted ({by_outlet}); {f} were forwarded ({by_body}).").format(
                n=len({a["submission"] for a in adopted}),
                by_outlet=_("、").join(
                    _("{column} {n}").format(column=k, n=v) for k, v in by_outlet.items()
                )
                or _("none"),
                f=len({f["submission"] for f in forwarded}),
                by_body=_("、").join(
                    _("{column} {n}").format(column=k, n=v) for k, v in by_body.items()
                )
                or _("none"),
            )
        ),
    ]
    return blocks


def final(ctx: Context) -> d.Document:
    """The final 通报: 总体情况, 按时报送情况, 稿件指标完成情况, 得分排名, 取消入选资格的单位,
    优秀稿件."""
    c = ctx.campaign
    board = reports.scoreboard(ctx.conn, c, ctx.as_of)
    by_code = {r["member"]: r for r in board}
    registration = [r["member"] for r in reports.campaign_totals(ctx.conn, c, ctx.as_of)]
    on_time_table = d.Table(
        [_("Member"), _("On time"), _("Late"), _("Missing")],
        [
            [
                ctx.names.get(code, code),
                str(by_code[code]["reports_on_time"]),
                str(by_code[code]["reports_late"]),
                str(by_code[code]["reports_missing"]),
            ]
            for code in registration
        ],
    )
    quota = checks.quota_rows(ctx.conn, c, ctx.as_of)
    met = [r["member"] for r in quota if r["status"] == "met"]
    short = [r["member"] for r in quota if r["status"] != "met"]
    eligible = [dict(r) for r in board if r["quota_met"]]
    reports.competition_rank(eligible, lambda r: r["points"])
    ranking = d.Table(
        [_("Rank"), _("Member"), _("Points"), _("Articles"), _("Adopted")],
        [
            [str(r["rank"]), r["name"], str(r["points"]), str(r["articles"]), str(r["adopted"])]
            for r in eligible
        ],
    )
    disqualified = [r for r in quota if r["status"] != "met"]
    sections = [
        d.Section(
            "",
            [
                d.Paragraph(
                    _("Here is how the members did the publicity work of {title}.").format(
                        title=ctx.title
                    )
                )
            ],
        ),
        d.Section(_("I. Overview"), overview(ctx, board)),
        d.Section(_("II. Weekly reports on time"), [on_time_table]),
        d.Section(
            _("III. The article minimum"),
            [
                _names(ctx, _("Met the minimum of {n} articles").format(n=c.min_articles), met),
                _names(ctx, _("Did not meet it"), short),
            ],
        ),
        d.Section(
            _("IV. Ranking"),
            [ranking] if eligible else [d.Paragraph(_("No member is eligible."))],
        ),
        d.Section(
            _("V. Members disqualified"),
            [
                d.Paragraph(
                    _(
                        "Below this campaign's minimum of {n} articles, these members are "
                        "disqualified from this year's commendation:"
                    ).format(n=c.min_articles)
                ),
                d.Table(
                    [_("Member"), _("Articles"), _("Required")],
                    [
                        [
                            ctx.names.get(r["member"], r["member"]),
                            str(r["articles"]),
                            str(r["required"]),
                        ]
                        for r in disqualified
                    ],
                ),
            ]
            if disqualified
            else [d.Paragraph(_("None."))],
        ),
        d.Section(_("VI. Outstanding submissions"), _outstanding(ctx)),
    ]
    title = _("Circular on the publicity work of {title}").format(title=ctx.title)
    return d.Document(title, sections, ctx.association, ctx.today, _("To all members:"), "bulletin")


def best(ctx: Context, *, forwarded_too: bool) -> list[dict[str, Any]]:
    """Submissions that count and are graded, adopted or level 3 (or forwarded, for the
    digest), best first: level, then adoptions, then time."""
    forwarded = {f["submission"] for f in forwardings(ctx)}
    rows = [
        r
        for r in submissions.listing(ctx.conn, ctx.campaign, as_of=ctx.as_of)
        if r["status"] == "graded"
        and (r["level"] == 3 or r["adopted_by"] or (forwarded_too and r["id"] in forwarded))
    ]
    for r in rows:
        r["forwarded"] = r["id"] in forwarded
    rows.sort(key=lambda r: (-(r["points"] or 0), -len(r["adopted_by"]), r["id"]))
    return rows


def _outstanding(ctx: Context) -> list[d.Block]:
    rows = best(ctx, forwarded_too=False)
    if not rows:
        return [d.Paragraph(_("None."))]
    return [
        d.Table(
            [_("Member"), _("Column"), _("Title"), _("Adopted by")],
            [
                [
                    ctx.names.get(r["member"], r["member"]),
                    r["column"],
                    r["title"],
                    _("、").join(r["adopted_by"]) or _("level 3"),
                ]
                for r in rows
            ],
        )
    ]


# --- the 会员动态 digest -----------------------------------------------------------------------


def digest(ctx: Context, db_path: Path, limit: int = 10) -> d.Document:
    """会员动态: the campaign in numbers, then the best submissions with an excerpt each."""
    from svcmonth import articles

    board = reports.scoreboard(ctx.conn, ctx.campaign, ctx.as_of)
    rows = best(ctx, forwarded_too=True)[:limit]
    blocks: list[d.Block] = []
    for n, r in enumerate(rows, start=1):
        text = articles.text_of(ctx.conn, db_path, r["id"], r["title"])
        notes = []
        if r["adopted_by"]:
            notes.append(_("adopted by {outlets}").format(outlets=_("、").join(r["adopted_by"])))
        if r["forwarded"]:
            notes.append(_("forwarded"))
        if r["level"] == 3:
            notes.append(_("level 3"))
        blocks.append(
            d.Paragraph(
                _("({n}) {member}: “{title}” ({column}; {notes})").format(
                    n=_chinese_number(n),
                    member=ctx.names.get(r["member"], r["member"]),
                    title=r["title"],
                    column=r["column"],
                    notes=_("、").join(notes),
                ),
                "subheading",
            )
        )
        blocks += [d.Paragraph(p) for p in text.excerpt]
        if text.picture is not None:
            blocks.append(d.Picture(text.picture, r["title"]))
    sections = [
        d.Section(_("I. The campaign in numbers"), overview(ctx, board)),
        d.Section(
            _("II. Outstanding submissions"),
            blocks or [d.Paragraph(_("None."))],
        ),
    ]
    title = _("Member news: {title}").format(title=ctx.title)
    return d.Document(title, sections, ctx.association, ctx.today, "", "digest")


def _chinese_number(n: int) -> str:
    """（一）, （二）…: the 公文 numbering of second-level items, in Chinese only."""
    if not is_chinese():
        return str(n)
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    if n < 20:
        return "十" + digits[n - 10]
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)
