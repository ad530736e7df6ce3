"""Aggregate first, derive after (issue 15): the scoreboard's per-member sums, read once from
the covering index with the rules compiled from their Python forms (``rules.points_sql``),
give exactly what ``submission_eval`` gives row by row, on varied data: every grade, manual
levels, withdrawals, adoptions by doubling and other outlets, deadline extensions, instants
on either side of every deadline and of the article window, any ``as_of``, any settings."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcmonth import campaigns, reports, rules, timeutil

NAME = "2023服务月"
MEMBER_IDS = (1, 2, 3)


def _connect(template: Path) -> sqlite3.Connection:
    src = sqlite3.connect(template)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    src.backup(conn)
    src.close()
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _edges(conn: sqlite3.Connection) -> list[str]:
    """Every instant a rule compares with, and one second either side."""
    cuts = [r[0] for r in conn.execute("SELECT deadline FROM campaign_week")]
    cuts += [r[0] for r in conn.execute("SELECT start_utc FROM campaign")]
    out = []
    for cut in cuts:
        at = datetime.fromisoformat(cut.replace("Z", "+00:00"))
        out += [timeutil.to_db(at + timedelta(seconds=d)) for d in (-1, 0, 1)]
    return out


submission = st.fixed_dictionaries(
    {
        "member": st.sampled_from(MEMBER_IDS),
        "week": st.none() | st.integers(1, 5),  # None: an article
        "grade": st.sampled_from(rules.GRADES),
        "manual": st.sampled_from(rules.MANUAL_LEVELS),
        "withdrawn": st.booleans(),
        # on its own deadline (a report) or the window's end or start (an article), to the
        # second; or on any rule's edge; or anywhere
        "at": st.tuples(st.sampled_from(("own", "start")), st.integers(-1, 1))
        | st.integers(0, 17)
        | st.integers(18, 10_000),
        "adopted": st.sampled_from((None, "中国银行业协会网站", "银行视窗", "both")),
    }
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(submission, max_size=40),
    levels=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
    multiplier=st.integers(1, 3),
    per_level=st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)),
    extensions=st.lists(
        st.tuples(st.sampled_from(MEMBER_IDS), st.integers(1, 5), st.integers(-3, 48)),
        max_size=4,
        unique_by=lambda t: t[:2],
    ),
    as_of=st.integers(0, 17) | st.integers(18, 10_000),
)
def test_the_aggregate_scoreboard_gives_what_submission_eval_gives_row_by_row(
    templates, rows, levels, multiplier, per_level, extensions, as_of
):
    conn = _connect(templates["c2023"])
    edges = _edges(conn)
    first = datetime(2023, 7, 9, tzinfo=UTC)

    deadlines = dict(conn.execute("SELECT week, deadline FROM campaign_week"))
    start_utc = conn.execute("SELECT start_utc FROM campaign").fetchone()[0]

    def instant(k, week=None) -> str:
        if isinstance(k, tuple):
            which, delta = k
            end = deadlines[week] if week is not None else deadlines[max(deadlines)]
            cut = datetime.fromisoformat(
                (start_utc if which == "start" else end).replace("Z", "+00:00")
            )
            return timeutil.to_db(cut + timedelta(seconds=delta))
        if k < len(edges):
            return edges[k]
        return timeutil.to_db(first + timedelta(minutes=7 * k))  # 07-09 .. 08-17

    conn.execute(
        "UPDATE campaign SET on_time_level = ?, late_level = ?, adoption_level = ?,"
        " adoption_multiplier = ?",
        (*levels, multiplier),
    )
    for lv, p in zip((1, 2, 3), per_level, strict=True):
        conn.execute("UPDATE campaign_points SET points = ? WHERE level = ?", (p, lv))
    for member_id, week, hours in extensions:
        deadline = conn.execute(
            "SELECT deadline FROM campaign_week WHERE week = ?", (week,)
        ).fetchone()[0]
        until = datetime.fromisoformat(deadline.replace("Z", "+00:00")) + timedelta(hours=hours)
        conn.execute(
            "INSERT INTO deadline_extension VALUES (1, ?, ?, ?)",
            (member_id, week, timeutil.to_db(until)),
        )
    for i, r in enumerate(rows):
        manual = r["manual"] if r["grade"] == "manual" else None
        cur = conn.execute(
            "INSERT INTO submission (campaign_id, member_id, column_name, kind, title,"
            " submitted_at, week, grade, manual_level, withdrawn_at, logged_at)"
            " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r["member"],
                "先进事迹" if r["week"] is None else "活动扫描",
                "article" if r["week"] is None else "report",
                f"t{i}",
                instant(r["at"], r["week"]),
                r["week"],
                r["grade"],
                manual,
                "2023-08-18T00:00:00.000000Z" if r["withdrawn"] else None,
                "2023-08-18T00:00:00.000000Z",
            ),
        )
        outlets = {None: (), "both": ("中国银行业协会网站", "银行视窗")}.get(
            r["adopted"], (r["adopted"],)
        )
        for outlet in outlets:
            conn.execute(
                "INSERT INTO adoption (submission_id, outlet, adopted_on, recorded_at)"
                " VALUES (?, ?, '2023-08-01', '2023-08-18T00:00:00.000000Z')",
                (cur.lastrowid, outlet),
            )
    at_text = instant(as_of)
    at = datetime.fromisoformat(at_text.replace("Z", "+00:00"))
    campaign = campaigns.load(conn, NAME)
    by_row = {
        m: (p or 0, a or 0)
        for m, p, a in conn.execute(
            "SELECT member_id, sum(points), sum(kind = 'article' AND counts AND on_time)"
            " FROM submission_eval WHERE campaign_id = 1 AND submitted_at <= ?"
            " GROUP BY member_id",
            (at_text,),
        )
    }
    codes = dict(conn.execute("SELECT code, id FROM member"))
    aggregate = {
        codes[r["member"]]: (r["points"], r["articles"])
        for r in reports.campaign_totals(conn, campaign, at)
    }
    assert aggregate == {m: by_row.get(m, (0, 0)) for m in MEMBER_IDS}
    conn.close()


def test_the_python_level_and_points_are_the_views_on_every_combination(templates):
    """``rules.level`` / ``rules.points`` (compiled into ``points_sql``) against the view's
    own columns, one submission per combination of their inputs."""
    conn = _connect(templates["c2023"])
    campaign = campaigns.load(conn, NAME)
    n = 0
    for grade in rules.GRADES:
        for manual in rules.MANUAL_LEVELS if grade == "manual" else (None,):
            for withdrawn in (None, "2023-08-18T00:00:00.000000Z"):
                for on_time in (True, False):
                    for doubled in (True, False):
                        at = (
                            "2023-07-12T02:00:00.000000Z"
                            if on_time
                            else "2023-08-16T02:00:00.000000Z"
                        )
                        cur = conn.execute(
                            "INSERT INTO submission (campaign_id, member_id, column_name,"
                            " kind, title, submitted_at, grade, manual_level, withdrawn_at,"
                            " logged_at) VALUES (1, 1, '先进事迹', 'article', 't', ?, ?, ?, ?,"
                            " '2023-08-18T00:00:00.000000Z')",
                            (at, grade, manual, withdrawn),
                        )
                        if doubled:
                            conn.execute(
                                "INSERT INTO adoption (submission_id, outlet, adopted_on,"
                                " recorded_at) VALUES (?, '中国银行业协会网站', '2023-08-01',"
                                " '2023-08-18T00:00:00.000000Z')",
                                (cur.lastrowid,),
                            )
                        n += 1
    for sid, grade, manual, withdrawn, doubled, on_time, lv, pts in conn.execute(
        "SELECT id, grade, manual_level, withdrawn_at, doubled, on_time, level, points"
        " FROM submission_eval"
    ):
        py_level = rules.level(
            grade,
            manual,
            bool(doubled),
            bool(on_time),
            campaign.on_time_level,
            campaign.late_level,
            campaign.adoption_level,
        )
        assert py_level == lv, sid
        py_points = rules.points(
            withdrawn is not None,
            py_level,
            bool(doubled),
            campaign.points,
            campaign.adoption_multiplier,
        )
        assert py_points == pts, sid
    assert n == 48
    conn.close()


def test_the_aggregate_is_exact_on_every_deadline_and_window_edge_to_the_second(templates):
    """Every grade, withdrawn or not, adopted by a doubling outlet or not, one second before,
    at and after each week's deadline (reports) and the window's start and end (articles),
    with extensions; summed at two instants (after everything, and on week 3's deadline)."""
    rows = []
    n = 0
    for week in (1, 2, 3, 4, 5, None):
        for which in ("own", "start") if week is None else ("own",):
            for delta in (-1, 0, 1):
                for grade in rules.GRADES:
                    for withdrawn in (False, True):
                        for adopted in (None, "中国银行业协会网站", "银行视窗"):
                            n += 1
                            rows.append(
                                {
                                    "member": MEMBER_IDS[n % 3],
                                    "week": week,
                                    "grade": grade,
                                    "manual": 1 + n % 3,
                                    "withdrawn": withdrawn,
                                    "at": (which, delta),
                                    "adopted": adopted,
                                }
                            )
    check = test_the_aggregate_scoreboard_gives_what_submission_eval_gives_row_by_row
    for as_of in (9_000, 10):  # 08-20; an edge instant (week 3's deadline, -1 s .. +1 s)
        for levels, per_level in (((2, 1, 3), (1, 2, 3)), ((1, 3, 2), (5, 0, 7))):
            check.hypothesis.inner_test(
                templates, rows, levels, 2, per_level, [(1, 2, 0), (2, 3, 5), (3, 5, -2)], as_of
            )
