"""The two checks of the weekly cycle: the Monday-noon deadlines and the article minimum.

Both are computed in SQL from the stored rows at ``as_of``: submissions after that instant
do not count. Deactivated members are left out. Rejected and withdrawn submissions count for
neither a report nor the minimum.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from svcmonth import rules, timeutil
from svcmonth.campaigns import Campaign
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output.columns import Field

SHORT_STATUSES = {"late", "missing", "at_risk", "failed"}

DEADLINES = (
    col.MEMBER,
    col.WEEK,
    col.DEADLINE,
    Field("status", N_("Status"), "deadline_status"),
    col.SUBMITTED_AT,
    Field("submission", N_("Submission"), "int"),
    col.NAME,
)
QUOTA = (
    col.MEMBER,
    col.ARTICLES,
    col.REQUIRED,
    col.SHORTFALL,
    Field("status", N_("Status"), "quota_status"),
    col.NAME,
)


def matrix_columns(weeks: list[int]) -> list[Field]:
    """The columns of ``matrix``: member, name, one per week."""
    return [
        col.MEMBER,
        col.NAME,
        *(Field(str(n), _("Week {n}").format(n=n), "deadline_status") for n in weeks),
    ]


_DEADLINES_SQL = f"""
WITH w AS (
    SELECT week, deadline FROM campaign_week
    WHERE campaign_id = :c AND (:week IS NULL OR week = :week)
), first_report AS (
    SELECT member_id, week, min(submitted_at) AS first_at, id
    FROM submission
    WHERE campaign_id = :c AND kind = 'report' AND {rules.COUNTS} AND submitted_at <= :as_of
    GROUP BY member_id, week
)
SELECT code, name, week, due, first_at, id,
    {rules.deadline_status_sql("first_at", "due", ":as_of")} AS status
FROM (
    SELECT m.id AS member_id, m.code, m.name, w.week, r.first_at, r.id,
        {rules.effective_deadline_sql("w.deadline", "x.until")} AS due
    FROM member m
    CROSS JOIN w
    LEFT JOIN deadline_extension x
      ON x.campaign_id = :c AND x.member_id = m.id AND x.week = w.week
    LEFT JOIN first_report r ON r.member_id = m.id AND r.week = w.week
    WHERE m.active = 1
)
ORDER BY member_id, week
"""  # noqa: S608 (fixed fragments of svcmonth.rules)


def deadline_rows(
    conn: sqlite3.Connection,
    campaign: Campaign,
    as_of: datetime,
    week: int | None = None,
) -> list[dict[str, Any]]:
    """Every active member × week: ``member, week, deadline, status, submitted_at,
    submission`` (plus ``name``)."""
    if week is not None:
        campaign.week(week)
    rows = conn.execute(
        _DEADLINES_SQL,
        {"c": campaign.id, "week": week, "as_of": timeutil.to_db(as_of)},
    ).fetchall()
    show = timeutil.shower(campaign.tz)
    return [
        {
            "member": code,
            "week": number,
            "deadline": show(due),
            "status": status,
            "submitted_at": show(first_at),
            "submission": sid,
            "name": name,
        }
        for code, name, number, due, first_at, sid, status in rows  # the SELECT's order
    ]


def deadline_counts(
    conn: sqlite3.Connection, campaign: Campaign, as_of: datetime
) -> dict[str, dict[str, int]]:
    """Per active member's code, how many of its weeks have each status (``deadline_rows``
    counted in SQL, for the reports: no row shown)."""
    out: dict[str, dict[str, int]] = {}
    for code, status, n in conn.execute(
        f"SELECT code, status, count(*) FROM ({_DEADLINES_SQL}) GROUP BY code, status",  # noqa: S608 (a fixed query)
        {"c": campaign.id, "week": None, "as_of": timeutil.to_db(as_of)},
    ):
        out.setdefault(code, {})[status] = n
    return out


_QUOTA_SQL = f"""
SELECT m.code, m.name, coalesce(a.n, 0) FROM member m
LEFT JOIN (
    SELECT member_id, count(*) AS n FROM submission
    WHERE campaign_id = :c AND {rules.counted_article_sql("submission", ":start", ":end")}
      AND submitted_at <= :as_of
    GROUP BY member_id
) a ON a.member_id = m.id
WHERE m.active = 1
ORDER BY m.id
"""  # noqa: S608 (fixed fragments of svcmonth.rules)


def article_counts(
    conn: sqlite3.Connection, campaign: Campaign, as_of: str
) -> list[tuple[str, str, int]]:
    """``(code, name, articles)`` for each active member: articles that count (rule 5)."""
    return conn.execute(
        _QUOTA_SQL,
        {
            "c": campaign.id,
            "start": campaign.start_utc,
            "end": campaign.window_end,
            "as_of": as_of,
        },
    ).fetchall()


def quota_rows(
    conn: sqlite3.Connection, campaign: Campaign, as_of: datetime
) -> list[dict[str, Any]]:
    """Every active member's article count against the minimum: ``member, articles,
    required, shortfall, status`` (plus ``name``)."""
    at = timeutil.to_db(as_of)
    window = rules.article_window(campaign.start_utc, campaign.window_end, at)
    required = campaign.min_articles
    return [
        {
            "member": code,
            "articles": n,
            "required": required,
            "shortfall": max(0, required - n),
            "status": rules.quota_status(n, required, window),
            "name": name,
        }
        for code, name, n in article_counts(conn, campaign, at)
    ]


def falls_short(rows: list[dict[str, Any]]) -> bool:
    """Whether any row is late, missing, at risk or failed (for ``--exit-code``)."""
    return any(r["status"] in SHORT_STATUSES for r in rows)


def matrix(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Deadline rows pivoted for people: one row per member, one column per week."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = out.setdefault(r["member"], {"member": r["member"], "name": r["name"]})
        entry[str(r["week"])] = r["status"]
    return list(out.values())
