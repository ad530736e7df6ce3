"""Reports: the scoreboard, the weekly report, the year-end table and the officers' ranking.

Every figure is computed from the stored decisions at read time (``submission_eval`` and
the checks), so a changed rule, deadline or extension changes every report at once.
Ranks are competition ranks: ties share a rank and the next rank skips (1, 2, 2, 4).
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from svcmonth import checks, members, rules, timeutil
from svcmonth.campaigns import Campaign, load, load_by_id
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output.columns import Field

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
    Field("status", N_("Weekly report"), "deadline_status"),
    col.SUBMITTED_AT,
    Field("articles", N_("Articles this week"), "int"),
    Field("columns", N_("By column"), "map"),
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
OFFICERS = (col.RANK, col.OFFICER, col.MEMBER, col.NAME, col.SUBMISSIONS, col.POINTS, col.ELIGIBLE)


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


# the endorsement term (rules.endorsement_sql) of a campaign's endorsed submissions
_ENDORSED_SQL = f"""
SELECT s.member_id, sum({rules.endorsement_sql("s", ":endorsement_points")})
FROM submission s
WHERE s.id IN (SELECT submission_id FROM endorsements) AND s.campaign_id = :c
  AND s.submitted_at <= :as_of
GROUP BY s.member_id
"""  # noqa: S608 (a fixed fragment of svcmonth.rules)


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
    totals = {member_id: (points, n) for member_id, points, n in conn.execute(sql, params)}
    for member_id, more in conn.execute(extra, params):
        points, articles = totals[member_id]
        totals[member_id] = (points + more, articles)
    if campaign.endorsement_points:  # issue 24: the endorsement term of the endorsed few
        for member_id, more in conn.execute(
            _ENDORSED_SQL, {**params, "endorsement_points": campaign.endorsement_points}
        ):
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
        " WHERE s.campaign_id = ? AND "
        + rules.counted_article_sql("s", "?", "?")  # rule 5, within the week (rule 14)
        + " AND s.submitted_at <= ? GROUP BY m.code, s.column_name ORDER BY m.code, c.sort",
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
    officers = {  # each member's officer in office at ``as_of`` (rule 9)
        code: officer
        for code, officer in conn.execute(
            "SELECT m.code, coalesce(o.name, '') FROM member m"  # noqa: S608 (a fixed fragment)
            + members.in_office_sql("m.id", ":at")
            + " WHERE m.active = 1",
            {"at": timeutil.to_db(as_of)},
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
    """Officers (优秀工作者) ranked by the points of the submissions they authored: ``rank,
    officer, member, name, submissions, points, eligible``. The plan disqualifies a member
    that is not eligible in ``year_end`` (取消入选资格) from both awards: its officers have no
    rank and ``eligible`` false, listed after the ranked ones."""
    ids = [c.id for c in year_campaigns(conn, year)]
    eligible = {r["member"]: r["eligible"] for r in year_end(conn, year, as_of)}
    marks = ",".join("?" * len(ids))
    rows = [
        {
            "rank": None,
            "officer": officer,
            "member": code,
            "name": name,
            "submissions": n,
            "points": points,
            "eligible": bool(eligible.get(code, False)),
        }
        for officer, code, name, n, points in conn.execute(
            "SELECT e.author, m.code, m.name, count(*), sum(e.points) FROM submission_eval e"  # noqa: S608
            " JOIN member m ON m.id = e.member_id"
            f" WHERE e.campaign_id IN ({marks}) AND m.active = 1 AND e.author <> ''"
            " AND e.counts AND e.submitted_at <= ?"
            " GROUP BY m.id, e.author ORDER BY sum(e.points) DESC, m.id, e.author",
            (*ids, timeutil.to_db(as_of)),
        )
    ]
    ranked = [r for r in rows if r["eligible"]]
    competition_rank(ranked, lambda r: r["points"])
    return ranked + [r for r in rows if not r["eligible"]]


# --- totals over any period (issue 24: 采用率, 批示) ---------------------------------------

_REPORTED = N_("Submitted")
_ADOPTION = N_("Adopted (刊用)")
_ENDORSEMENT = N_("Endorsed (批示)")
_TOTAL_FIGURES = (
    replace(col.SUBMISSIONS, group=_REPORTED),
    replace(col.REPORTS_ON_TIME, group=_REPORTED),
    replace(col.REPORTS_LATE, group=_REPORTED),
    replace(col.ADOPTED, group=_ADOPTION),
    replace(col.ADOPTION_RATE, group=_ADOPTION),
    replace(col.ENDORSED, group=_ENDORSEMENT),
    col.POINTS,
)
TOTALS: dict[str, tuple[Field, ...]] = {
    "member": (col.MEMBER, col.NAME, *_TOTAL_FIGURES),
    "officer": (col.OFFICER, col.MEMBER, *_TOTAL_FIGURES),
    "column": (col.COLUMN, *_TOTAL_FIGURES),
}
TOTALS_BY = tuple(TOTALS)
_FIGURES = ("submissions", "reports_on_time", "reports_late", "adopted", "endorsed", "points")
_PARAM = re.compile(r"(?<![\w:]):([A-Za-z_]\w*)")


def adoption_rate(adopted: int, submissions: int) -> float | None:
    """采用率: adopted / submissions in percent, to one decimal (half up); none without
    submissions."""
    if not submissions:
        return None
    rate = (Decimal(adopted) * 100 / Decimal(submissions)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(rate)


def _campaign_part(
    conn: sqlite3.Connection, campaign: Campaign, first: date, last: date, n: int, by: str
) -> tuple[str, dict[str, Any]]:
    """One campaign's share of the totals: its submissions in the period (the days read in
    its zone), grouped by ``by``, each row's points by the campaign's compiled rules, as in
    the scoreboard's aggregate (``totals_sql``): one read of the covering index sums the
    points as if no doubling outlet had adopted a row (``rules.points_sql``); the adopted
    few add the difference the doubling makes and are counted, the endorsed few add the
    endorsement term (``rules.endorsement_sql``) and are counted. Columns: ``k1, k2,
    submissions, on_time, reports, adopted, endorsed, points`` as ``k1, k2, a … f``."""
    doubled, on_time, params = rules.row_inputs_sql(conn, campaign, "s")
    params["lo"] = timeutil.to_db(timeutil.local_midnight(first, campaign.tz))
    params["hi"] = timeutil.to_db(timeutil.local_midnight(last + timedelta(days=1), campaign.tz))
    params["endorsement_points"] = campaign.endorsement_points
    key = {
        "member": "s.member_id AS k1, '' AS k2",
        "officer": "s.member_id AS k1, CASE WHEN s.author <> '' THEN s.author ELSE "
        + rules.officer_at_sql("s.member_id", "s.submitted_at")
        + " END AS k2",
        "column": "s.column_name AS k1, '' AS k2",
    }[by]
    # member order is the covering index's: grouped without a sort
    group = " GROUP BY k1, k2" if by == "officer" else " GROUP BY k1"
    rows = (
        " FROM submission s WHERE s.campaign_id = :c"
        f" AND s.submitted_at >= :lo AND s.submitted_at < :hi AND {rules.counts_sql('s')}"
    )
    plain = rules.points_sql(campaign, doubled="0", on_time=on_time)
    as_doubled = rules.points_sql(campaign, doubled=doubled, on_time=on_time)
    endorsement = (
        f"sum({rules.endorsement_sql('s', ':endorsement_points')})"
        if campaign.endorsement_points
        else "0"
    )
    sql = (
        f"SELECT {key}, count(*) AS a, sum(s.kind = 'report' AND ({on_time})) AS b,"  # noqa: S608 (fragments of svcmonth.rules; values bound)
        f" sum(s.kind = 'report') AS c, 0 AS d, 0 AS e, sum({plain}) AS f{rows}{group}"
        f" UNION ALL SELECT {key}, 0, 0, 0, count(*), 0, sum(({as_doubled}) - ({plain}))"
        f"{rows} AND s.id IN (SELECT submission_id FROM adoption){group}"
        f" UNION ALL SELECT {key}, 0, 0, 0, 0, count(*), {endorsement}"
        f"{rows} AND s.id IN (SELECT submission_id FROM endorsements){group}"
    )
    prefix = f"p{n}_"
    return (
        _PARAM.sub(lambda m: f":{prefix}{m.group(1)}", sql),
        {prefix + k: v for k, v in params.items()},
    )


def totals_query(
    conn: sqlite3.Connection, first: date, last: date, by: str = "member"
) -> tuple[str, dict[str, Any]]:
    """The one aggregate query of ``totals``: every campaign's part (``_campaign_part``)
    summed per ``k1, k2`` (member id and '' / member id and officer / column)."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    ids = [r[0] for r in conn.execute("SELECT id FROM campaign ORDER BY start_date, id")]
    for n, campaign_id in enumerate(ids):
        sql, more = _campaign_part(conn, load_by_id(conn, campaign_id), first, last, n, by)
        parts.append(sql)
        params.update(more)
    if not parts:
        return "SELECT NULL, NULL, 0, 0, 0, 0, 0, 0 WHERE 0", {}
    union = " UNION ALL ".join(parts)
    sql = (
        "SELECT k1, k2, sum(a), sum(b), sum(c) - sum(b), sum(d), sum(e), sum(f)"  # noqa: S608
        f" FROM ({union}) GROUP BY k1, k2"
    )
    return sql, params


def totals(
    conn: sqlite3.Connection, first: date, last: date, by: str = "member"
) -> list[dict[str, Any]]:
    """Totals over the days ``first``..``last`` (both included, read in each submission's
    campaign zone), whatever the campaign: per member (every active one, and an inactive
    one with submissions in the period), per officer (the author, rule 9) or per column.

    Only submissions that count (not rejected, not withdrawn) are counted; reports on time
    and late are the period's report submissions by their status; ``adopted``: by any
    outlet; ``endorsed``: with a 批示; ``points``: under each campaign's rules, plus the
    endorsement term (``rules.endorsement_sql``)."""
    if by not in TOTALS:
        raise SvcmonthError(
            _("--by is one of {names}, not {by!r}").format(names=", ".join(TOTALS_BY), by=by)
        )
    if last < first:
        raise SvcmonthError(
            _("the period ends ({last}) before it begins ({first})").format(
                first=first.isoformat(), last=last.isoformat()
            )
        )
    sql, params = totals_query(conn, first, last, by)
    found: dict[tuple[Any, Any], dict[str, int]] = {}
    for k1, k2, *figures in conn.execute(sql, params):
        found[(k1, k2)] = dict(zip(_FIGURES, (int(f or 0) for f in figures), strict=True))
    zero = dict.fromkeys(_FIGURES, 0)
    rows: list[dict[str, Any]] = []
    if by == "column":
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM column_def WHERE kind <> 'association' ORDER BY sort, name"
            )
        ]
        names += sorted({k1 for k1, _k2 in found if k1 not in names})
        rows = [{"column": name, **found.get((name, ""), zero)} for name in names]
    else:
        members = conn.execute("SELECT id, code, name, active FROM member ORDER BY id").fetchall()
        current = dict(conn.execute("SELECT member_id, name FROM officer_in_office"))
        for member_id, code, name, active in members:
            if by == "member":
                if active or (member_id, "") in found:
                    rows.append({"member": code, "name": name, **found.get((member_id, ""), zero)})
                continue
            officers = sorted(k2 for k1, k2 in found if k1 == member_id)
            if active and current.get(member_id) and current[member_id] not in officers:
                officers.append(current[member_id])
            rows += [
                {"officer": o, "member": code, **found.get((member_id, o), zero)} for o in officers
            ]
    for row in rows:
        row["adoption_rate"] = adoption_rate(row["adopted"], row["submissions"])
    return rows


def prepared_by(conn: sqlite3.Connection, day: date) -> str:
    """The line under the year-end workbook's table: 制表单位 (``settings --association``) and
    the date; the date alone when no association name is set."""
    from svcmonth import settings

    association = settings.association(conn)
    when = _("Date: {date}").format(date=timeutil.day_text(day))
    if not association:
        return when
    return _("Prepared by: {association}").format(association=association) + "    " + when
