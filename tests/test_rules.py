"""docs/rules.md rules 9 and 11-14, the ``remind`` cut-off, and each rule's SQL and Python
forms agreeing.

Every test here failed before issue 10 (the rule was missing or written twice and the copies
disagreed) and names the rule it holds.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from svcmonth import campaigns, members, rules, storage, timeutil

NAME = "2023服务月"


def _year_points(svc) -> dict[str, int]:
    return {r["member"]: r["points"] for r in svc.json("report", "year-end", "--year", "2023")}


# --- rule 11: campaigns never overlap; nothing joins a past campaign silently ---------------


def test_campaigns_never_overlap_a_second_campaign_on_the_same_dates_is_refused(c2023):
    before = c2023.dump()
    err = c2023.fails("campaign", "new", "重复", "--start", "2023-07-11", "--end", "2023-08-11")
    assert "may not overlap" in err and NAME in err
    err = c2023.fails("campaign", "new", "交叠", "--start", "2023-08-14", "--end", "2023-08-20")
    assert NAME in err  # 08-14 00:00 is before the last week's deadline, 08-14 12:00
    assert c2023.dump() == before
    c2023("campaign", "new", "紧随", "--start", "2023-08-15", "--end", "2023-08-20")


def test_campaigns_never_overlap_a_moved_last_deadline_may_not_run_into_the_next(c2023):
    c2023("campaign", "new", "2023下半年", "--start", "2023-08-16", "--end", "2023-09-30")
    before = c2023.dump()
    err = c2023.fails(
        "campaign", "deadline", "--week", "5", "--at", "2023-08-16 12:00", "--campaign", NAME
    )
    assert "may not overlap" in err and "2023下半年" in err
    assert c2023.dump() == before


def test_a_submission_in_no_campaigns_span_is_refused_unless_its_campaign_is_named(c2023):
    c2023("grade", "auto")
    points = _year_points(c2023)
    before = c2023.dump()
    c2023.now = "2023-11-20T10:00:00+08:00"  # November: no campaign runs
    err = c2023.fails("submit", "ICBC", "--column", "活动扫描", "--title", "补报")
    assert "no campaign runs at 2023-11-20 10:00" in err and "--campaign" in err
    assert c2023.dump() == before
    assert _year_points(c2023) == points
    # named explicitly: a deliberately logged very late report
    sid = c2023("submit", "ICBC", "--column", "活动扫描", "--title", "补报", "--campaign", NAME)
    row = c2023.json("submission", "list", "--member", "ICBC")[0]
    assert (row["id"], row["week"], row["on_time"]) == (int(sid.out), 5, False)


def test_an_instant_before_the_named_campaigns_first_day_is_refused_always(c2023):
    before = c2023.dump()
    err = c2023.fails(
        "submit",
        "ICBC",
        "--column",
        "先进事迹",
        "--title",
        "t",
        "--at",
        "2023-07-10 23:59",
        "--campaign",
        NAME,
    )
    assert "before campaign" in err
    assert c2023.dump() == before


def test_submission_import_refuses_a_row_in_no_campaigns_span(c2023, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text(
        "member,column,title,submitted_at\n"
        "ICBC,先进事迹,好,2023-07-12 10:00\n"
        "ICBC,先进事迹,晚,2023-11-02 10:00\n",
        encoding="utf-8",
    )
    before = c2023.dump()
    err = c2023.fails("submission", "import", str(f))
    assert "line 3: no campaign runs at 2023-11-02 10:00" in err
    assert c2023.dump() == before


def test_which_campaign_and_instant_is_one_domain_function(c2023):
    conn = storage.connect(c2023.db)
    try:
        now = datetime(2023, 11, 20, 2, tzinfo=UTC)
        c, at = campaigns.campaign_and_instant(conn, None, "2023-07-12 10:00", now)
        assert (c.name, at) == (NAME, datetime(2023, 7, 12, 2, tzinfo=UTC))
        c, at = campaigns.campaign_and_instant(conn, None, None, now)  # latest, for reading
        assert (c.name, at) == (NAME, now)
        c, at = campaigns.campaign_and_instant(conn, NAME, now, now, submission=True)
        assert (c.name, at) == (NAME, now)
    finally:
        conn.close()


# --- rule 12: deadlines stay in order ---------------------------------------------------------


def test_deadlines_stay_in_order_a_moved_deadline_lies_after_its_weeks_last_day(c2023):
    before = c2023.dump()
    err = c2023.fails("campaign", "deadline", "--week", "2", "--at", "2023-07-23 23:00")
    assert "after its last day (2023-07-23)" in err
    assert c2023.dump() == before
    c2023("campaign", "deadline", "--week", "2", "--at", "2023-07-24 00:00")


def test_deadlines_stay_in_order_week_4_cannot_pass_week_5(c2023):
    before = c2023.dump()
    err = c2023.fails("campaign", "deadline", "--week", "4", "--at", "2023-08-15 12:00")
    assert "later than week 5's" in err and "move week 5 first" in err
    assert c2023.dump() == before
    # a finished campaign is not "running" again, and the quota window is the same for all
    assert c2023.json("check", "quota")[0]["status"] == "failed"
    c2023("campaign", "deadline", "--week", "5", "--at", "2023-08-16 12:00")
    c2023("campaign", "deadline", "--week", "4", "--at", "2023-08-15 12:00")
    err = c2023.fails("campaign", "deadline", "--week", "5", "--at", "2023-08-14 12:00")
    assert "cannot precede week 4's" in err


def test_deadlines_stay_in_order_but_an_extension_may_run_later_than_anything(c2023, submit):
    c2023("member", "extend", "ICBC", "--week", "1", "--until", "2023-09-01 12:00")
    sid = submit("ICBC", "活动扫描", "2023-07-20 10:00", "第一周", "--week", "1")
    assert c2023.json("submission", "list")[0]["id"] == sid
    assert c2023.json("submission", "list")[0]["on_time"] is True


# --- rule 13: adoption and withdrawal agree ---------------------------------------------------


def test_an_adoption_may_not_precede_the_submissions_day(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-20 23:30")
    before = c2023.dump()
    err = c2023.fails("adopt", str(sid), "--outlet", "银监分局简报", "--on", "2023-07-19")
    assert "cannot precede the submission, which arrived on 2023-07-20" in err
    assert c2023.dump() == before
    c2023("adopt", str(sid), "--outlet", "银监分局简报", "--on", "2023-07-20")


def test_an_adopted_submission_cannot_be_withdrawn_or_rejected_until_the_adoption_is_undone(
    c2023, submit
):
    sid = submit("ICBC", "先进事迹", "2023-07-20 10:00")
    c2023("adopt", str(sid), "--outlet", "银行视窗", "--on", "2023-07-22")
    before = c2023.dump()
    for args in (("submission", "withdraw", str(sid)), ("grade", str(sid), "--reject")):
        err = c2023.fails(*args)
        assert "adopted by 银行视窗" in err and "--undo" in err
    assert c2023.dump() == before
    c2023("adopt", str(sid), "--outlet", "银行视窗", "--undo")
    c2023("submission", "withdraw", str(sid))
    assert c2023.json("submission", "list")[0]["status"] == "withdrawn"


def test_adopted_counts_only_submissions_that_count(c2023, submit):
    kept = submit("ICBC", "先进事迹", "2023-07-20 10:00")
    gone = submit("ICBC", "先进事迹", "2023-07-21 10:00")
    for sid in (kept, gone):
        c2023("adopt", str(sid), "--outlet", "银行视窗", "--on", "2023-07-25")
    # a file written before rule 13 may hold a withdrawn submission that was adopted
    conn = sqlite3.connect(c2023.db)
    conn.execute(
        "UPDATE submission SET withdrawn_at = '2023-07-26T00:00:00Z' WHERE id = ?", (gone,)
    )
    conn.commit()
    conn.close()
    assert c2023.json("report", "scoreboard")[0]["adopted"] == 1
    assert {r["member"]: r["adopted"] for r in c2023.json("report", "year-end", "--year", "2023")}[
        "ICBC"
    ] == 1


# --- rule 14: the weekly view adds up ---------------------------------------------------------


def test_the_weekly_view_adds_up_to_check_quota(c2023, submit):
    for at in (
        "2023-07-11 00:00",  # week 1's first instant
        "2023-07-16 23:59",  # week 1's last day
        "2023-07-17 00:00",  # week 2
        "2023-08-11 18:00",  # week 5's last day
        "2023-08-13 10:00",  # after the last day, before the last deadline: week 5
        "2023-08-14 11:59",
    ):
        submit("ICBC", "先进事迹", at)
    weekly = [
        {r["member"]: r["articles"] for r in c2023.json("report", "weekly", "--week", str(n))}
        for n in range(1, 6)
    ]
    assert [w["ICBC"] for w in weekly] == [2, 1, 0, 0, 3]
    quota = {r["member"]: r["articles"] for r in c2023.json("check", "quota")}
    assert sum(w["ICBC"] for w in weekly) == quota["ICBC"] == 6
    listed = c2023.json("submission", "list", "--week", "5", "--column", "先进事迹")
    assert len(listed) == 3


# --- rule 9: the author is the officer in office at the submission's instant --------------------


def test_an_officer_change_with_a_past_since_reattributes_submissions_that_named_no_author(
    c2023, submit
):
    early = submit("BOC", "先进事迹", "2023-07-12 10:00")
    later = submit("BOC", "先进事迹", "2023-07-25 10:00")
    named = submit("BOC", "先进事迹", "2023-07-26 10:00", "t", "--author", "赵六")
    c2023.now = "2023-08-21T09:00:00+08:00"  # recorded late, effective from July 20
    c2023("member", "edit", "BOC", "--officer", "黄蕾", "--since", "2023-07-20")
    authors = {r["id"]: r["author"] for r in c2023.json("submission", "list")}
    assert authors == {early: "张敏", later: "黄蕾", named: "赵六"}
    c2023("grade", "auto")
    ranking = {
        r["officer"]: r["submissions"] for r in c2023.json("report", "officers", "--year", "2023")
    }
    assert ranking == {"张敏": 1, "黄蕾": 1, "赵六": 1}
    last = c2023.json("log", "--entity", "member")[-1]
    assert last["after"]["since"] == "2023-07-20T00:00:00+08:00"  # shown in local time
    assert last["after"]["reattributed"] == 1


def test_an_officer_change_must_follow_the_current_officers_start(c2023):
    c2023("member", "edit", "BOC", "--officer", "黄蕾", "--since", "2023-07-20")
    before = c2023.dump()
    err = c2023.fails("member", "edit", "BOC", "--officer", "周七", "--since", "2023-07-19")
    assert "later than the current officer's" in err
    err = c2023.fails("member", "edit", "BOC", "--phone", "13900000000", "--since", "2023-07-19")
    assert "--since goes with --officer" in err
    assert c2023.dump() == before


# --- the remind cut-off -----------------------------------------------------------------------


def test_remind_acts_only_until_seven_days_after_the_last_deadline(c2023):
    # 08-20 10:00 is 6 days after the last deadline (08-14 12:00): the overdue notices go out
    overdue = c2023.json("remind")
    assert len(overdue) == 15 and {r["kind"] for r in overdue} == {"report"}
    assert c2023.json("remind", "--as-of", "2023-08-21 11:59") != []
    assert c2023.json("remind", "--as-of", "2023-08-21 12:00") == []
    c2023.now = "2023-11-20T10:00:00+08:00"
    assert c2023.json("remind") == []
    assert c2023.json("remind", "--as-of", "2023-07-10 12:00") == []


# --- each rule's SQL and Python forms agree ---------------------------------------------------


def test_what_counts_is_neither_rejected_nor_withdrawn():
    """Rule 5's "counts", in its one (SQL) form, on every grade (the Python twin that only
    this test called is gone: issue 19)."""
    conn = sqlite3.connect(":memory:")
    counted = set()
    for grade in rules.GRADES:
        for withdrawn in (None, "2023-07-20T00:00:00Z"):
            sql = conn.execute(
                "SELECT "
                + rules.counts_sql("t")
                + " FROM (SELECT ? AS grade, ? AS withdrawn_at) t",
                (grade, withdrawn),
            ).fetchone()[0]
            if sql:
                counted.add((grade, withdrawn))
    assert counted == {("pending", None), ("rule", None), ("manual", None)}


instants = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2024, 1, 1), timezones=st.just(UTC)
).map(timeutil.to_db)


@settings(max_examples=60, deadline=None)
@given(week=instants, extension=st.none() | instants)
def test_the_effective_deadline_is_the_later_of_the_weeks_and_the_extension(week, extension):
    """Rule 4, in its one (SQL) form: stored instants compare as text."""
    conn = sqlite3.connect(":memory:")
    sql = conn.execute(
        "SELECT " + rules.effective_deadline_sql("?1", "?2"), (week, extension)
    ).fetchone()[0]
    assert sql == (week if extension is None else max(week, extension))


def test_the_window_end_is_the_same_in_sql_and_python(c2023):
    c2023("campaign", "deadline", "--week", "5", "--at", "2023-08-15 09:00")
    conn = storage.connect(c2023.db)
    try:
        c = campaigns.load(conn, NAME)
        sql = conn.execute(
            "SELECT window_end FROM campaign_span WHERE campaign_id = ?", (c.id,)
        ).fetchone()[0]
        assert sql == c.window_end == "2023-08-15T01:00:00.000000Z"
    finally:
        conn.close()


def test_the_officer_at_an_instant_is_the_same_in_the_view_and_python(c2023, submit):
    ids = [submit("BOC", "先进事迹", f"2023-07-{d} 10:00") for d in (12, 19, 21, 30)]
    c2023("member", "edit", "BOC", "--officer", "黄蕾", "--since", "2023-07-20")
    c2023("member", "edit", "BOC", "--officer", "周七", "--since", "2023-07-29")
    conn = storage.connect(c2023.db)
    try:
        member_id = members.get(conn, "BOC").id
        for sid in ids:
            author, at = conn.execute(
                "SELECT author, submitted_at FROM submission_eval WHERE id = ?", (sid,)
            ).fetchone()
            in_office = conn.execute(
                "SELECT coalesce(o.name, '') FROM member m"
                + members.in_office_sql("m.id", ":t")
                + " WHERE m.id = :m",
                {"m": member_id, "t": at},
            ).fetchone()[0]
            assert author == in_office
        assert [
            conn.execute("SELECT author FROM submission_eval WHERE id = ?", (s,)).fetchone()[0]
            for s in ids
        ] == ["张敏", "张敏", "黄蕾", "周七"]
    finally:
        conn.close()


def test_the_views_follow_the_rules_module_when_it_changes(c2023, monkeypatch):
    conn = sqlite3.connect(c2023.db)
    conn.execute("DROP VIEW officer_in_office")
    conn.execute("CREATE VIEW officer_in_office AS SELECT 1 AS stale")
    conn.commit()
    conn.close()
    assert c2023.json("member", "list")[0]["officer"] == "王丽"  # recreated on open
    conn = storage.connect(c2023.db)
    try:
        assert storage.views_current(conn)
    finally:
        conn.close()


# --- issue 15: the rules compiled into SQL for the per-member sums -------------------------


@settings(max_examples=40, deadline=None)
@given(
    levels=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
    per_level=st.dictionaries(st.integers(1, 3), st.integers(0, 9)),
    multiplier=st.integers(1, 3),
)
def test_the_compiled_points_are_the_python_rules_on_every_combination(
    levels, per_level, multiplier
):
    """``rules.points_sql`` (``compile_sql`` of ``level`` and ``points``) picks, for every
    combination of withdrawn, grade, manual level, doubled and on time, what the Python forms
    give (they in turn are the view's: tests/test_aggregate.py)."""
    campaign = campaigns.Campaign(
        id=1,
        name=NAME,
        start=datetime(2023, 7, 11).date(),
        end=datetime(2023, 8, 11).date(),
        tz=timeutil.zone("Asia/Shanghai"),
        min_articles=3,
        deadline_weekday=0,
        deadline_time=datetime(2023, 1, 1, 12).time(),
        on_time_level=levels[0],
        late_level=levels[1],
        adoption_level=levels[2],
        adoption_multiplier=multiplier,
        start_utc="2023-07-10T16:00:00Z",
        points=per_level,
    )
    sql = rules.points_sql(campaign, doubled="s.dbl", on_time="s.ok")
    conn = sqlite3.connect(":memory:")
    for grade in rules.GRADES:
        for manual in rules.MANUAL_LEVELS if grade == "manual" else (None,):
            for withdrawn in (None, "2023-08-01T00:00:00Z"):
                for dbl in (0, 1):
                    for ok in (0, 1):
                        got = conn.execute(
                            f"SELECT {sql} FROM (SELECT ? AS grade, ? AS manual_level,"
                            " ? AS withdrawn_at, ? AS dbl, ? AS ok) s",
                            (grade, manual, withdrawn, dbl, ok),
                        ).fetchone()[0]
                        level = rules.level(grade, manual, bool(dbl), bool(ok), *levels)
                        want = rules.points(
                            withdrawn is not None, level, bool(dbl), per_level, multiplier
                        )
                        assert got == want, (grade, manual, withdrawn, dbl, ok)


def test_the_views_level_and_points_are_compiled_from_the_python_rules():
    """Rules 6-7 are written once (``rules.level`` / ``rules.points``): the view's columns are
    their compiled SQL, not a hand-written CASE beside them (tests/test_aggregate.py compares
    the values on every combination)."""
    view = rules.SUBMISSION_EVAL
    endorsed = rules.endorsement_sql("b", "b.endorsement_points")  # issue 24's term
    for figure, alias, column, then in (
        (rules._view_points("b"), "b", "points", f"\n    + {endorsed}"),
        (rules._view_level("o"), "o", "level", ""),
        (rules._view_rule_level("e"), "e", "rule_level", ""),
    ):
        assert f"{rules._view_figure(figure, alias)}{then} AS {column}" in view
    assert view.count(rules.doubled_sql("s.id")) == 1
    assert "campaign_doubling_outlet" not in view.replace(rules.doubled_sql("s.id"), "")


def test_a_new_campaign_takes_the_one_set_of_defaults(svc):
    from svcmonth.defaults import CAMPAIGN

    svc("init")
    svc("campaign", "new", NAME, "--start", "2023-07-11", "--end", "2023-08-11")
    conn = storage.connect(svc.db)
    try:
        c = campaigns.load(conn, NAME)
        assert (c.min_articles, c.deadline_weekday, c.deadline_time) == (
            CAMPAIGN.min_articles,
            CAMPAIGN.deadline_weekday,
            CAMPAIGN.deadline_time,
        )
        assert (c.on_time_level, c.late_level, c.adoption_level, c.adoption_multiplier) == (
            CAMPAIGN.on_time_level,
            CAMPAIGN.late_level,
            CAMPAIGN.adoption_level,
            CAMPAIGN.adoption_multiplier,
        )
        assert c.points == dict(CAMPAIGN.points) and c.tz.key == CAMPAIGN.tz
    finally:
        conn.close()
