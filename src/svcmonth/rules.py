"""The domain rules of docs/rules.md (numbered as there), each written once.

A rule that the database computes lives here as SQL (a view, or a fragment the queries of
``checks``/``reports`` splice in); a rule that Python needs too (a submission's level and
points, rules 6-7) is written once in Python and its SQL is generated from it
(``compile_sql``) for the view ``submission_eval`` and for the per-member sums;
``tests/test_rules.py`` and ``tests/test_aggregate.py`` compare the forms on the same data.
The views are not frozen in migrations: they are registered with ``storage`` (``VIEWS``),
which recreates them whenever the schema version rises or this module's SQL differs from
what the file holds, so changing a rule means editing it here, once.

Where each rule lives (docs/rules.md names the same homes):

- what counts (not rejected, not withdrawn; rules 5, 9, 13): ``counts_sql`` / ``COUNTS``
- the effective deadline of a report (rule 4: the week's deadline or the member's
  extension, the later): ``effective_deadline_sql()``
- the article window (first day 00:00 to the last week's deadline, rule 5) and a campaign's
  span (the same interval, rule 11): the ``campaign_span`` view / ``window_end()``
- on time (rules 4-5): ``on_time_sql()``; doubled (rule 7): ``doubled_sql()``
- level and points (rules 6-7): ``level()`` / ``points()``, compiled into SQL by
  ``compile_sql()`` for the view ``submission_eval`` and for the per-member sums of the
  reports (``points_sql()``, with the row's inputs from ``row_inputs_sql()``)
- a report's deadline status (rule 4): ``deadline_status_sql()``
- the officer in office at an instant (rule 9): ``officer_at_sql()``; the current officer:
  the ``officer_in_office`` view
- the article window (rule 5): ``article_window()``;
- the article minimum met (rule 5): ``minimum_met()`` / ``quota_status()``; an article that
  counts toward it: ``counted_article_sql()``
- a week's articles in the weekly view (rule 14): ``article_week_bounds()``
- the levels a clerk may give (rule 6): ``MANUAL_LEVELS``; a new campaign's settings:
  ``defaults.CAMPAIGN``
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from svcmonth import storage
from svcmonth.timeutil import local_midnight
from svcmonth.weeks import Week

# --- what counts (rules 5, 9, 13): a submission neither rejected nor withdrawn ------------


def counts_sql(alias: str = "") -> str:
    """The SQL condition "the submission counts", for the table or view aliased ``alias``."""
    a = f"{alias}." if alias else ""
    return f"({a}grade <> 'rejected' AND {a}withdrawn_at IS NULL)"


COUNTS = counts_sql()
# the same rule read off a listed submission's ``status`` (the view's status is ``withdrawn``
# when withdrawn_at is set, ``rejected`` for that grade, else ``graded`` or ``pending``)
COUNTED_STATUSES = ("graded", "pending")


# --- the effective deadline of one member's report (rule 4) -----------------------------


def effective_deadline_sql(week_deadline: str, extension: str) -> str:
    """The later of the week's deadline and the member's extension (NULL: none)."""
    return f"max({week_deadline}, coalesce({extension}, {week_deadline}))"


# --- the article window and the campaign's span (rules 5 and 11) -------------------------


def window_end(weeks: list[Week]) -> datetime:
    """The end of the article window and of the campaign's span: the last week's deadline.

    Rule 12 keeps the deadlines in week order, so this is also the latest deadline.
    """
    return weeks[-1].deadline


def article_window(start_utc: str, end_utc: str, at: str) -> str:
    """Where the stored instant ``at`` lies against the article window, from the campaign's
    first day 00:00 (``start_utc``) up to the last week's deadline (``end_utc``, excluded):
    ``before``, ``open`` or ``closed``. The one answer for ``check quota`` (below the minimum
    is *failed* only once it is ``closed``) and the quota reminders (sent only while
    ``open``)."""
    if at < start_utc:
        return "before"
    return "open" if at < end_utc else "closed"


CAMPAIGN_SPAN = """
CREATE VIEW campaign_span AS
SELECT c.id AS campaign_id, c.name, c.start_utc,
    (SELECT lw.deadline FROM campaign_week lw WHERE lw.campaign_id = c.id
     ORDER BY lw.week DESC LIMIT 1) AS window_end
FROM campaign c
"""

# --- the officer in office at an instant (rule 9) ----------------------------------------


def officer_at_sql(member_id: str, instant: str, field: str = "name") -> str:
    """The name (``field``: ``id`` for the ``officer`` row, to join its phone and e-mail) of
    the officer in office at ``instant``: the latest later officer whose ``since`` is not
    after it, else the member's first officer (in office from the beginning, whatever its
    ``since``: the day it was registered). An officer whose ``since`` lies ahead of
    ``instant`` (a change recorded in advance) is not in office yet."""
    assert field in ("name", "id")
    none = ", ''" if field == "name" else ""  # no officer at all: an empty name, no row
    return (
        "coalesce("
        f"(SELECT oa.{field} FROM officer oa WHERE oa.member_id = {member_id}"
        f" AND oa.since <= {instant} AND oa.id <> (SELECT min(f.id) FROM officer f"
        f" WHERE f.member_id = {member_id}) ORDER BY oa.since DESC, oa.id DESC LIMIT 1),"
        f" (SELECT ob.{field} FROM officer ob WHERE ob.member_id = {member_id}"
        f" ORDER BY ob.id LIMIT 1){none})"
    )


OFFICER_CURRENT = """
CREATE VIEW officer_in_office AS
SELECT o.member_id, o.name, o.phone, o.email, o.since FROM officer o WHERE o.until IS NULL
"""

# --- on time, and the articles that count (rules 4-5) -----------------------------------

GRADES = ("pending", "rule", "manual", "rejected")  # the CHECK of submission.grade
MANUAL_LEVELS = (1, 2, 3)  # the CHECK of submission.manual_level


def on_time_sql(kind: str, at: str, due: str, start: str, end: str | None = None) -> str:
    """On time (rules 4-5): a report before its effective deadline (``due``); an article
    inside the article window, from ``start`` until ``end`` (the window's end; by default
    ``due``, for an expression that gives the window's end for an article)."""
    return (
        f"CASE WHEN {kind} = 'report' THEN {at} < {due}"
        f" ELSE {at} >= {start} AND {at} < {end or due} END"
    )


def doubled_sql(submission_id: str) -> str:
    """Doubled (rule 7): an outlet that doubles for the submission's campaign adopted it. The
    subquery does not depend on the row (the campaign is the adopted submission's own):
    SQLite computes it once per query and looks each row up in it."""
    return (
        f"{submission_id} IN (SELECT ad.submission_id FROM adoption ad"
        " JOIN submission ads ON ads.id = ad.submission_id"
        " JOIN campaign_doubling_outlet dbl"
        " ON dbl.outlet = ad.outlet AND dbl.campaign_id = ads.campaign_id)"
    )


def counted_article_sql(alias: str, start: str, end: str) -> str:
    """An article that counts toward the minimum (rule 5): it counts and falls inside the
    article window ``[start, end)``."""
    a = f"{alias}."
    return (
        f"({a}kind = 'article' AND {counts_sql(alias)}"
        f" AND {a}submitted_at >= {start} AND {a}submitted_at < {end})"
    )


# --- the article minimum (rule 5) ---------------------------------------------------------


def minimum_met(articles: int, required: int) -> bool:
    """Whether ``articles`` that count reach the campaign's minimum."""
    return articles >= required


def quota_status(articles: int, required: int, window: str) -> str:
    """``met``; below the minimum, ``failed`` once the article window (``article_window``)
    is ``closed``, else ``at_risk`` (before it opens and while it is open)."""
    if minimum_met(articles, required):
        return "met"
    return "failed" if window == "closed" else "at_risk"


# --- the weekly view adds up (rule 14) ----------------------------------------------------


def article_week_bounds(weeks: list[Week], number: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Week ``number``'s articles: from its first day 00:00 until the next week's first day
    00:00; the last week's run to the end of the article window."""
    start = local_midnight(weeks[number - 1].first_day, tz)
    if number < len(weeks):
        return start, local_midnight(weeks[number].first_day, tz)
    return start, window_end(weeks)


# --- a report's deadline status (rule 4) ---------------------------------------------------


def deadline_status_sql(first_at: str, due: str, as_of: str) -> str:
    """A member's report for a week: ``pending`` (none yet, deadline ahead), ``missing``,
    ``on_time`` (its first report that counts came before the deadline) or ``late``."""
    return (
        f"CASE WHEN {first_at} IS NULL THEN CASE WHEN {as_of} < {due} THEN 'pending'"
        f" ELSE 'missing' END WHEN {first_at} < {due} THEN 'on_time' ELSE 'late' END"
    )


# --- aggregate first, derive after: a campaign's figures from grouped rows ------------------
# ``submission_eval`` derives on time, level and points row by row; a member's totals need
# only the sum of ``points_sql`` over the covering index. Both are compiled from the one
# Python form of each rule, ``level`` and ``points`` (rules 6-7).


def level(
    grade: str,
    manual_level: int | None,
    doubled: bool,
    on_time: bool,
    on_time_level: int,
    late_level: int,
    adoption_level: int,
) -> int | None:
    """The Python form of ``submission_eval.level`` (rules 6-7): none when rejected; the
    adoption level when a doubling outlet adopted it; the manual level; the rule's level."""
    if grade == "rejected":
        return None
    if doubled:
        return adoption_level
    if grade == "manual":
        return manual_level
    if grade == "rule":
        return on_time_level if on_time else late_level
    return None


def points(
    withdrawn: bool,
    level: int | None,
    doubled: bool,
    per_level: dict[int, int],
    multiplier: int,
) -> int:
    """The Python form of ``submission_eval.points``: the level's points, times the adoption
    multiplier when doubled; none when withdrawn, ungraded or the level has no points."""
    if withdrawn or level is None:
        return 0
    base = per_level.get(level)
    if base is None:
        return 0
    return base * (multiplier if doubled else 1)


Figure = Callable[[bool, str, "int | None", bool, bool], "int | str | None"]


def _literal(value: int | str | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, Sql):
        return str(value)
    if isinstance(value, int):
        return str(int(value))
    return "'" + value.replace("'", "''") + "'"


def compile_sql(
    figure: Figure, *, alias: str = "s", doubled: str, on_time: str, manual: str | None = None
) -> str:
    """A figure of a submission as one SQL expression, compiled from its Python rule:
    ``figure(live, grade, manual_level, doubled, on_time)`` is applied in Python to every
    combination of its inputs and the expression only picks the combination's value,
    testing an input only where the value depends on it. ``doubled`` and ``on_time`` are
    SQL conditions (``"0"``/``"1"``: known for every row, not tested). Read row by row it
    needs no join and no sort.

    The figure may return a column reference (``Sql``) where its value is an input of the
    row (the view's campaign levels and points); ``manual``, a column, is then passed as the
    manual level instead of trying each of ``MANUAL_LEVELS``."""
    a = f"{alias}."

    def branch(condition: str, yes: str, no: str) -> str:
        if condition in ("0", "1"):  # a condition known for every row: its arm alone
            return yes if condition == "1" else no
        return yes if yes == no else f"CASE WHEN {condition} THEN {yes} ELSE {no} END"

    def by_on_time(live: bool, grade: str, manual: int | None, dbl: bool) -> str:
        return branch(
            on_time,
            _literal(figure(live, grade, manual, dbl, True)),
            _literal(figure(live, grade, manual, dbl, False)),
        )

    def by_doubled(live: bool, grade: str, manual: int | None) -> str:
        return branch(
            doubled, by_on_time(live, grade, manual, True), by_on_time(live, grade, manual, False)
        )

    def by_grade(live: bool) -> str:
        arms = {}
        for grade in GRADES:
            if grade == "manual" and manual is not None:
                arms[grade] = by_doubled(live, grade, Sql(manual))  # type: ignore[arg-type]
            elif grade == "manual":
                levels = {m: by_doubled(live, grade, m) for m in MANUAL_LEVELS}
                if len(set(levels.values())) == 1:
                    arms[grade] = next(iter(levels.values()))
                else:
                    arms[grade] = (
                        f"CASE {a}manual_level "
                        + " ".join(f"WHEN {m} THEN {v}" for m, v in levels.items())
                        + " END"
                    )
            else:
                arms[grade] = by_doubled(live, grade, None)
        if len(set(arms.values())) == 1:
            return next(iter(arms.values()))
        return (
            f"CASE {a}grade " + " ".join(f"WHEN '{g}' THEN {v}" for g, v in arms.items()) + " END"
        )

    return branch(f"{a}withdrawn_at IS NULL", by_grade(True), by_grade(False))


def _level_with(
    on_time_level: Any, late_level: Any, adoption_level: Any
) -> Callable[[bool, str, int | None, bool, bool], int | None]:
    """``level`` as a figure, with the campaign's three levels fixed: numbers (a campaign's,
    for ``points_sql``) or ``Sql`` columns (the view's row, for ``_view_level``)."""

    def figure(live: bool, grade: str, manual: int | None, dbl: bool, ok: bool) -> int | None:
        return level(grade, manual, dbl, ok, on_time_level, late_level, adoption_level)

    return figure


def _level_of(campaign: Any) -> Callable[[bool, str, int | None, bool, bool], int | None]:
    return _level_with(campaign.on_time_level, campaign.late_level, campaign.adoption_level)


def points_sql(campaign: Any, *, alias: str = "s", doubled: str, on_time: str) -> str:
    """``submission_eval.points`` for the campaign ``campaign`` (a ``campaigns.Campaign``),
    compiled (``compile_sql``) from ``level`` and ``points``: a sum over it is the
    per-member aggregate of ``reports.campaign_totals``."""
    level_of = _level_of(campaign)

    def figure(live: bool, grade: str, manual: int | None, dbl: bool, ok: bool) -> int:
        lv = level_of(live, grade, manual, dbl, ok)
        return points(not live, lv, dbl, campaign.points, campaign.adoption_multiplier)

    return compile_sql(figure, alias=alias, doubled=doubled, on_time=on_time)


def row_inputs_sql(
    conn: sqlite3.Connection, campaign: Any, alias: str = "s"
) -> tuple[str, str, dict[str, Any]]:
    """``(doubled, on_time, params)``: the SQL conditions "a doubling outlet of the campaign
    adopted it" and "on time" (``on_time_sql``) for a row of ``submission`` aliased
    ``alias`` of the campaign ``campaign``, with no join: the weeks' deadlines are bound
    parameters (``:d1`` …, and ``:c``, ``:start``, ``:window_end``), an extension is looked
    up only when the campaign has any."""
    a = f"{alias}."
    params: dict[str, Any] = {
        "c": campaign.id,
        "start": campaign.start_utc,
        "window_end": campaign.window_end,
    }
    arms = []
    for week, deadline in conn.execute(
        "SELECT week, deadline FROM campaign_week WHERE campaign_id = ? ORDER BY week",
        (campaign.id,),
    ):
        params[f"d{int(week)}"] = deadline
        arms.append(f"WHEN {int(week)} THEN :d{int(week)}")
    week_deadline = f"CASE {a}week {' '.join(arms)} END"
    has_extensions = conn.execute(
        "SELECT 1 FROM deadline_extension WHERE campaign_id = ? LIMIT 1", (campaign.id,)
    ).fetchone()
    # a report's effective deadline; with no extension in the campaign it is the week's
    # (``effective_deadline_sql`` of a NULL extension), with no lookup per row
    due = (
        effective_deadline_sql(
            week_deadline,
            "(SELECT x.until FROM deadline_extension x WHERE x.campaign_id = :c"
            f" AND x.member_id = {a}member_id AND x.week = {a}week)",
        )
        if has_extensions
        else week_deadline
    )
    doubled = doubled_sql(f"{a}id")
    on_time = on_time_sql(f"{a}kind", f"{a}submitted_at", f"({due})", ":start", ":window_end")
    return doubled, on_time, params


# --- the endorsement term of the points (issue 24: 批示) -----------------------------------
# Each leader's endorsement adds the campaign's ``endorsement_points`` to the submission's
# points (default 0: the plan's numbers unchanged), in every report: ``submission_eval``
# adds ``endorsement_sql`` to its points, the per-member aggregates add it for the few
# endorsed submissions. Compiled (``compile_sql``) from the Python rule below.


def endorsement_points(live: bool, grade: str, endorsements: int, per_endorsement: int) -> int:
    """What a submission's endorsements add to its points: ``per_endorsement`` for each, for
    a submission that counts (none when rejected or withdrawn)."""
    return endorsements * per_endorsement if live and grade != "rejected" else 0


def endorsement_count_sql(alias: str) -> str:
    """How many leaders endorsed the submission aliased ``alias``."""
    return f"(SELECT count(*) FROM endorsements en WHERE en.submission_id = {alias}.id)"


def endorsement_sql(alias: str, per_endorsement: str, endorsements: str | None = None) -> str:
    """``endorsement_points`` as SQL for the submission aliased ``alias`` (``per_endorsement``:
    an SQL expression, the campaign's setting; ``endorsements``: the count, by default
    ``endorsement_count_sql``), looked up only when the setting is not 0."""

    def figure(live: bool, grade: str, manual: int | None, dbl: bool, ok: bool) -> int:
        return endorsement_points(live, grade, 1, 1)

    applies = compile_sql(figure, alias=alias, doubled="0", on_time="0")
    count = endorsements or endorsement_count_sql(alias)
    return (
        f"(CASE WHEN {per_endorsement} = 0 THEN 0"
        f" ELSE ({applies}) * {per_endorsement} * {count} END)"
    )


# --- end of the endorsement term ----------------------------------------------------------


# --- every derived figure of a submission (rules 4-7, 9) ----------------------------------
# Each helper of the computation is a join on a small table computed once per query: ``c``
# (a campaign's settings, its window end and points per level; ``LIMIT -1`` keeps it from
# being flattened) and ``dd`` (the submissions a doubling outlet of their campaign adopted).
# ``author`` is computed in the outermost select, so only queries that read it pay for it.


class Sql(str):
    """An SQL expression standing in for a value of a rule's Python form (``level``,
    ``points``): a column of the row, so ``compile_sql`` writes the column, not a constant."""

    def __mul__(self, other: object) -> Sql:
        return self if other == 1 else Sql(f"({self} * {_literal(other)})")  # type: ignore[arg-type]

    __rmul__ = __mul__


class PointsColumns:
    """A campaign's points per level as columns (``p1``, ``p2``, ``p3`` of ``alias``): what
    ``points`` reads from its ``per_level`` mapping when compiled for the view."""

    def __init__(self, alias: str):
        self.a = f"{alias}."

    def get(self, level: int | Sql) -> Sql:
        if isinstance(level, Sql):
            arms = " ".join(f"WHEN {n} THEN {self.a}p{n}" for n in MANUAL_LEVELS)
            return Sql(f"(CASE {level} {arms} END)")
        return Sql(f"{self.a}p{level}")


def _view_level(alias: str) -> Figure:
    """``level`` over the columns of the view's row ``alias`` (its campaign's levels)."""
    a = f"{alias}."
    return _level_with(Sql(f"{a}on_time_level"), Sql(f"{a}late_level"), Sql(f"{a}adoption_level"))


def _view_rule_level(alias: str) -> Figure:
    """The rule's level alone (rule 6: on time or late), as the view shows it."""
    level_of = _view_level(alias)
    return lambda live, grade, manual, dbl, ok: level_of(live, "rule", None, False, ok)


def _view_points(alias: str) -> Figure:
    """``points`` of ``level`` over the columns of the view's row ``alias``."""
    a = f"{alias}."
    level_of = _view_level(alias)

    def figure(live: bool, grade: str, manual: int | None, dbl: bool, ok: bool) -> int:
        lv = level_of(live, grade, manual, dbl, ok)
        return points(
            not live,
            lv,  # type: ignore[arg-type]
            dbl,
            PointsColumns(alias),  # type: ignore[arg-type]
            Sql(f"{a}adoption_multiplier"),  # type: ignore[arg-type]
        )

    return figure


def _view_figure(figure: Figure, alias: str) -> str:
    a = f"{alias}."
    return compile_sql(
        figure, alias=alias, doubled=f"{a}doubled", on_time=f"{a}on_time", manual=f"{a}manual_level"
    )


SUBMISSION_EVAL = f"""
CREATE VIEW submission_eval AS
SELECT b.id, b.campaign_id, b.member_id, b.column_name, b.kind, b.title, b.submitted_at,
    b.week,
    CASE WHEN b.stored_author <> '' THEN b.stored_author
         ELSE {officer_at_sql("b.member_id", "b.submitted_at")} END AS author,
    b.stored_author, b.url, b.grade, b.manual_level, b.reject_reason, b.withdrawn_at,
    b.withdraw_reason, b.logged_at, b.start_utc, b.on_time_level, b.late_level,
    b.adoption_level, b.adoption_multiplier, b.deadline, b.doubled, b.on_time, b.rule_level,
    b.level, b.counts,
    CASE
        WHEN b.withdrawn_at IS NOT NULL THEN 'withdrawn'
        WHEN b.grade = 'rejected' THEN 'rejected'
        WHEN b.doubled OR b.grade IN ('rule', 'manual') THEN 'graded'
        ELSE 'pending'
    END AS status,
    {_view_figure(_view_points("b"), "b")}
    + {endorsement_sql("b", "b.endorsement_points")} AS points
FROM (
    SELECT o.*, {_view_figure(_view_level("o"), "o")} AS level
    FROM (
        SELECT e.*, {_view_figure(_view_rule_level("e"), "e")} AS rule_level
        FROM (
            SELECT d.*,
                {on_time_sql("d.kind", "d.submitted_at", "d.deadline", "d.start_utc")}
                    AS on_time
            FROM (
                SELECT s.id, s.campaign_id, s.member_id, s.column_name, s.kind, s.title,
                    s.submitted_at, s.week, s.author AS stored_author, s.url, s.grade,
                    s.manual_level, s.reject_reason, s.withdrawn_at, s.withdraw_reason,
                    s.logged_at, {counts_sql("s")} AS counts,
                    c.start_utc, c.on_time_level, c.late_level, c.adoption_level,
                    c.adoption_multiplier, c.p1, c.p2, c.p3, c.endorsement_points,
                    CASE WHEN s.kind = 'report'
                        THEN {effective_deadline_sql("w.deadline", "x.until")}
                        ELSE c.window_end
                    END AS deadline,
                    {doubled_sql("s.id")} AS doubled
                FROM submission s
                JOIN (
                    SELECT c.id, c.start_utc, c.on_time_level, c.late_level, c.adoption_level,
                        c.adoption_multiplier, c.endorsement_points, sp.window_end,
                        (SELECT p.points FROM campaign_points p
                         WHERE p.campaign_id = c.id AND p.level = 1) AS p1,
                        (SELECT p.points FROM campaign_points p
                         WHERE p.campaign_id = c.id AND p.level = 2) AS p2,
                        (SELECT p.points FROM campaign_points p
                         WHERE p.campaign_id = c.id AND p.level = 3) AS p3
                    FROM campaign c JOIN campaign_span sp ON sp.campaign_id = c.id
                    LIMIT -1
                ) c ON c.id = s.campaign_id
                LEFT JOIN campaign_week w
                  ON w.campaign_id = s.campaign_id AND w.week = s.week
                LEFT JOIN deadline_extension x
                  ON x.campaign_id = s.campaign_id AND x.member_id = s.member_id
                 AND x.week = s.week
            ) d
        ) e
    ) o
) b
"""

# the views in creation order (a view may use the ones before it), kept in every database
# file by ``storage.connect``
VIEWS: dict[str, str] = {
    "campaign_span": CAMPAIGN_SPAN,
    "officer_in_office": OFFICER_CURRENT,
    "submission_eval": SUBMISSION_EVAL,
}
storage.register_views(VIEWS)
