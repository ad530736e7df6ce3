"""Reports: the scoreboard, the weekly report, the year-end table and the officers' ranking.

Every figure is computed from the stored decisions at read time (``submission_eval`` and
the checks), so a changed rule, deadline or extension changes every report at once.
Ranks are competition ranks: ties share a rank and the next rank skips (1, 2, 2, 4).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from svcmonth import checks, rules, timeutil
from svcmonth.campaigns import Campaign, load
from svcmonth.errors import NotFound
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output.columns import Column

SCOREBOARD = (
    col.RANK,
    col.MEMBER,
    col.NAME,
    col.ARTICLES,
    col.REPORTS_ON_TIME,
    col.REPORTS_LATE,
    col.REPORTS_MISSING,
    col.POINTS,
    col.ADOPTED,
    col.QUOTA_MET,
)
WEEKLY = (
    col.MEMBER,
    col.NAME,
    Column("status", N_("Weekly report"), "deadline_status"),
    col.SUBMITTED_AT,
    Column("articles", N_("Articles this week"), "int"),
    Column("columns", N_("By column"), "map"),
)
YEAR_END = (
    col.RANK,
    col.MEMBER,
    col.NAME,
    col.OFFICER,
    col.CAMPAIGNS,
    col.ARTICLES,
    col.REPORTS_ON_TIME,
    col.WEEKS,
    col.POINTS,
    col.ADOPTED,
    col.QUOTA_MET,
    col.ELIGIBLE,
)
OFFICERS = (col.RANK, col.OFFICER, col.MEMBER, col.SUBMISSIONS, col.POINTS)
SCOREBOARD_KEYS = col.keys(SCOREBOARD)
WEEKLY_KEYS = col.keys(WEEKLY)
YEAR_END_KEYS = col.keys(YEAR_END)
OFFICER_KEYS = col.keys(OFFICERS)


def competition_rank(rows: list[dict[str, Any]], score: Callable[[dict[str, Any]], int]) -> None:
    """Set ``rank`` on rows already sorted by ``score`` descending: 1, 2, 2, 4."""
    previous: int | None = None
    rank = 0
    for position, row in enumerate(rows, start=1):
        value = score(row)
        if value != previous:
            rank, previous = position, value
        row["rank"] = rank


# submissions with any adoption, found from the adoptions (a few) rather than by looking
# for adoptions of each submission (a million)
# only submissions that count (rule 13)
_ADOPTED_SQL = f"""
SELECT s.member_id, count(*)
FROM submission s
WHERE s.id IN (SELECT submission_id FROM adoption) AND s.campaign_id = ? AND s.submitted_at <= ?
  AND {rules.counts_sql("s")}
GROUP BY s.member_id
"""  # noqa: S608 (a fixed fragment of svcmonth.rules)


def _member_ids(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT code, id FROM member WHERE active = 1"))


def totals_sql(conn: sqlite3.Connection, campaign: Campaign) -> tuple[str, str, dict[str, Any]]:
    """The per-member aggregate of a campaign and its parameters (``:as_of`` left to the
    caller): ``member_id, points, articles`` in one read of the covering index in member
    order, no join and no sort, each row's points picked by ``rules.points_sql`` as if no
    doubling outlet had adopted it; and ``member_id, extra points`` of the few submissions
    a doubling outlet did adopt (the difference the rules make for them)."""
    doubled, on_time, params = rules.row_inputs_sql(conn, campaign, "s")
    sql = (
        "SELECT s.member_id,"  # noqa: S608 (fragments of svcmonth.rules; values bound)
        f" sum({rules.points_sql(campaign, doubled='0', on_time=on_time)}),"
        f" sum({rules.counted_article_sql('s', ':start', ':window_end')})"
        " FROM submission s WHERE s.campaign_id = :c AND s.submitted_at <= :as_of"
        " GROUP BY s.member_id"
    )
    extra = (
        "SELECT s.member_id,"  # noqa: S608 (fragments of svcmonth.rules; values bound)
        f" sum({rules.points_sql(campaign, doubled='1', on_time=on_time)}"
        f" - {rules.points_sql(campaign, doubled='0', on_time=on_time)})"
        f" FROM submission s WHERE {doubled} AND s.campaign_id = :c"
        " AND s.submitted_at <= :as_of GROUP BY s.member_id"
    )
    return sql, extra, params


def campaign_totals(
    conn: sqlite3.Connection, campaign: Campaign, as_of: datetime
) -> list[dict[str, Any]]:
    """Per active member, the campaign's figures (unranked, in registration order).

    Aggregate first, derive after: one pass over the covering index sums, per member, the
    points the rules give each row and the articles that count (``totals_sql``); the
    reports come from the deadline check. The same figures as ``submission_eval`` and
    ``check quota`` row by row (tests/test_rules.py compares them)."""
    at = timeutil.to_db(as_of)
    sql, extra, params = totals_sql(conn, campaign)
    params = {**params, "as_of": at}
    totals = {r[0]: (r[1], r[2]) for r in conn.execute(sql, params)}
    for member_id, more in conn.execute(extra, params):
        points, articles = totals[member_id]
        totals[member_id] = (points + more, articles)
    adopted = dict(conn.execute(_ADOPTED_SQL, (campaign.id, at)).fetchall())
    reports = checks.deadline_counts(conn, campaign, as_of)
    out = []
    for member_id, code, name in conn.execute(
        "SELECT id, code, name FROM member WHERE active = 1 ORDER BY id"
    ):
        points, articles = totals.get(member_id, (0, 0))
        counts = reports.get(code, {})
        out.append(
            {
                "rank": None,
                "member": code,
                "name": name,
                "articles": articles,
                "reports_on_time": counts.get("on_time", 0),
                "reports_late": counts.get("late", 0),
                "reports_missing": counts.get("missing", 0),
                "points": points,
                "adopted": adopted.get(member_id, 0),
                "quota_met": rules.minimum_met(articles, campaign.min_articles),
            }
        )
    return out


def scoreboard(
    conn: sqlite3.Connection, campaign: Campaign, as_of: datetime
) -> list[dict[str, Any]]:
    """The campaign's active members ranked by points (ties share a rank)."""
    rows = campaign_totals(conn, campaign, as_of)
    rows.sort(key=lambda r: -r["points"])
    competition_rank(rows, lambda r: r["points"])
    return rows


def weekly(
    conn: sqlite3.Connection, campaign: Campaign, week: int, as_of: datetime
) -> list[dict[str, Any]]:
    """One week: who reported and when, and the articles each member sent that week (rule 14:
    from the week's first day until the next week's; the last week's up to the window end)."""
    start, end = campaign.article_week(week)
    by_member: dict[str, dict[str, int]] = defaultdict(dict)
    for code, column_name, n in conn.execute(
        "SELECT m.code, s.column_name, count(*) FROM submission s"  # noqa: S608 (fixed fragment)
        " JOIN member m ON m.id = s.member_id"
        " JOIN column_def c ON c.name = s.column_name"
        " WHERE s.campaign_id = ? AND s.kind = 'article' AND "
        + rules.counts_sql("s")
        + " AND s.submitted_at >= ? AND s.submitted_at < ?"
        " AND s.submitted_at <= ? GROUP BY m.code, s.column_name ORDER BY m.code, c.sort",
        (campaign.id, start, end, timeutil.to_db(as_of)),
    ):
        by_member[code][column_name] = n
    return [
        {
            "member": r["member"],
            "name": r["name"],
            "status": r["status"],
            "submitted_at": r["submitted_at"],
            "articles": sum(by_member[r["member"]].values()),
            "columns": by_member[r["member"]],
        }
        for r in checks.deadline_rows(conn, campaign, as_of, week=week)
    ]


def year_campaigns(conn: sqlite3.Connection, year: int) -> list[Campaign]:
    """The campaigns whose first day falls in ``year``, oldest first."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM campaign WHERE start_date BETWEEN ? AND ? ORDER BY start_date, id",
            (date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()),
        )
    ]
    if not names:
        raise NotFound(_("no campaign starts in {year}").format(year=year))
    return [load(conn, name) for name in names]


def year_end(conn: sqlite3.Connection, year: int, as_of: datetime) -> list[dict[str, Any]]:
    """The year-end table: eligible members ranked by points, then the ineligible ones.

    A member below the minimum of any of the year's campaigns is not eligible (取消入选资格)
    and has no rank.
    """
    campaigns = year_campaigns(conn, year)
    officers = {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT m.code, o.name FROM member m JOIN officer_in_office o"
            " ON o.member_id = m.id WHERE m.active = 1"
        )
    }
    table: dict[str, dict[str, Any]] = {}
    for campaign in campaigns:
        for row in campaign_totals(conn, campaign, as_of):
            entry = table.setdefault(
                row["member"],
                {
                    "rank": None,
                    "member": row["member"],
                    "name": row["name"],
                    "officer": officers.get(row["member"], ""),
                    "campaigns": [],
                    "articles": 0,
                    "reports_on_time": 0,
                    "weeks": 0,
                    "points": 0,
                    "adopted": 0,
                    "quota_met": True,
                    "eligible": True,
                },
            )
            entry["campaigns"].append(campaign.name)
            for key in ("articles", "reports_on_time", "points", "adopted"):
                entry[key] += row[key]
            entry["weeks"] += len(campaign.weeks)
            entry["quota_met"] = entry["quota_met"] and row["quota_met"]
    rows = list(table.values())
    for row in rows:
        row["eligible"] = row["quota_met"]
    eligible = sorted((r for r in rows if r["eligible"]), key=lambda r: -r["points"])
    competition_rank(eligible, lambda r: r["points"])
    others = sorted((r for r in rows if not r["eligible"]), key=lambda r: -r["points"])
    return eligible + others


def officers(conn: sqlite3.Connection, year: int, as_of: datetime) -> list[dict[str, Any]]:
    """Officers (优秀工作者) ranked by the points of the submissions they authored."""
    ids = [c.id for c in year_campaigns(conn, year)]
    marks = ",".join("?" * len(ids))
    rows = [
        {"rank": None, "officer": r[0], "member": r[1], "submissions": r[2], "points": r[3]}
        for r in conn.execute(
            "SELECT e.author, m.code, count(*), sum(e.points) FROM submission_eval e"  # noqa: S608
            " JOIN member m ON m.id = e.member_id"
            f" WHERE e.campaign_id IN ({marks}) AND m.active = 1 AND e.author <> ''"
            " AND e.counts AND e.submitted_at <= ?"
            " GROUP BY m.id, e.author ORDER BY sum(e.points) DESC, m.id, e.author",
            (*ids, timeutil.to_db(as_of)),
        )
    ]
    competition_rank(rows, lambda r: r["points"])
    return rows


def prepared_by(conn: sqlite3.Connection, day: date) -> str:
    """The line under the year-end workbook's table: 制表单位 (``settings --association``) and
    the date; the date alone when no association name is set."""
    from svcmonth import settings
    from svcmonth.output.documents import date_text

    association = settings.association(conn)
    when = _("Date: {date}").format(date=date_text(day))
    if not association:
        return when
    return _("Prepared by: {association}").format(association=association) + "    " + when
