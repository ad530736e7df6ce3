"""Grades, adoption, forwarding and derived points (SPEC.md rules 6-9)."""

from __future__ import annotations


def row(svc, sid):
    return next(r for r in svc.json("submission", "list") if r["id"] == sid)


def test_an_on_time_article_graded_by_the_rule_is_level_2_worth_2(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    late = submit("ICBC", "先进事迹", "2023-08-14 12:00", "标题", "--campaign", "2023服务月")
    run = c2023("grade", "auto")
    assert "graded 2 pending submission(s)" in run.err
    assert (row(c2023, sid)["level"], row(c2023, sid)["points"]) == (2, 2)
    assert (row(c2023, late)["level"], row(c2023, late)["points"]) == (1, 1)
    assert row(c2023, sid)["status"] == "graded"


def test_a_late_report_gets_the_late_level(c2023, submit):
    on_time = submit("ICBC", "活动扫描", "2023-07-17 11:59")
    late = submit("ABC", "活动扫描", "2023-07-17 12:00")
    c2023("grade", "auto")
    assert row(c2023, on_time)["level"] == 2
    assert row(c2023, late)["level"] == 1


def test_a_manual_level_3_survives_grade_auto(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("grade", str(sid), "--level", "3")
    c2023("grade", "auto")
    assert (row(c2023, sid)["level"], row(c2023, sid)["points"]) == (3, 3)


def test_a_doubly_adopted_article_is_worth_6_once(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("adopt", str(sid), "--outlet", "中国银行业协会网站", "--on", "2023-07-20")
    assert (row(c2023, sid)["level"], row(c2023, sid)["points"], row(c2023, sid)["status"]) == (
        3,
        6,
        "graded",
    )
    c2023("adopt", str(sid), "--outlet", "银监分局简报", "--on", "2023-07-22")
    c2023("grade", str(sid), "--level", "1")  # adoption wins over any grade
    r = row(c2023, sid)
    assert (r["level"], r["points"]) == (3, 6)
    assert r["adopted_by"] == ["中国银行业协会网站", "银监分局简报"]


def test_an_ordinary_outlet_is_recorded_and_changes_nothing(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("adopt", str(sid), "--outlet", "银行视窗")
    r = row(c2023, sid)
    assert (r["status"], r["level"], r["points"], r["adopted_by"]) == (
        "pending",
        None,
        0,
        ["银行视窗"],
    )


def test_the_same_outlet_is_recorded_once(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("adopt", str(sid), "--outlet", "银行视窗")
    assert "already recorded" in c2023.fails("adopt", str(sid), "--outlet", "银行视窗")


def test_a_rejected_submission_cannot_be_adopted(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("grade", str(sid), "--reject", "--reason", "与主题无关")
    before = c2023.dump()
    err = c2023.fails("adopt", str(sid), "--outlet", "中国银行业协会网站")
    assert "rejected and cannot be adopted" in err
    assert c2023.dump() == before
    r = row(c2023, sid)
    assert (r["status"], r["level"], r["points"]) == ("rejected", None, 0)


def test_an_unknown_outlet_is_an_error(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    assert "unknown outlet '人民日报'" in c2023.fails("adopt", str(sid), "--outlet", "人民日报")
    c2023("outlet", "add", "人民日报", "--doubling")
    c2023("adopt", str(sid), "--outlet", "人民日报")
    # a new doubling outlet doubles only in campaigns that list it
    assert row(c2023, sid)["points"] == 0
    c2023("campaign", "rules", "--doubling-outlet", "人民日报")
    assert row(c2023, sid)["points"] == 6


def test_points_are_derived_so_a_rule_change_changes_every_score(c2023, submit):
    a = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    b = submit("ABC", "先进事迹", "2023-08-14 13:00", "标题", "--campaign", "2023服务月")  # late
    c2023("grade", "auto")
    board = lambda: {r["member"]: r["points"] for r in c2023.json("report", "scoreboard")}  # noqa: E731
    assert board() == {"ICBC": 2, "ABC": 1, "BOC": 0}
    c2023("campaign", "rules", "--points", "2=5", "--late-level", "2")
    assert board() == {"ICBC": 5, "ABC": 5, "BOC": 0}
    assert c2023.json("campaign", "show")["points"] == {"1": 1, "2": 5, "3": 3}
    assert (row(c2023, a)["level"], row(c2023, b)["level"]) == (2, 2)


def test_a_moved_deadline_turns_a_late_report_on_time_and_its_level_with_it(c2023, submit):
    sid = submit("ICBC", "活动扫描", "2023-07-24 15:00")
    c2023("grade", "auto")
    assert (row(c2023, sid)["level"], row(c2023, sid)["points"]) == (1, 1)
    c2023("campaign", "deadline", "--week", "2", "--at", "2023-07-25 12:00")
    assert (row(c2023, sid)["level"], row(c2023, sid)["points"]) == (2, 2)


def test_an_extension_changes_the_level_too(c2023, submit):
    sid = submit("ABC", "活动扫描", "2023-07-24 15:00")
    c2023("grade", "auto")
    c2023("member", "extend", "ABC", "--week", "2", "--until", "2023-07-24 18:00")
    assert row(c2023, sid)["level"] == 2


def test_grade_argument_errors(c2023, submit):
    sid = str(submit("ICBC", "先进事迹", "2023-07-12 10:00"))
    assert "no submission with id 99" in c2023.fails("grade", "99", "--level", "2")
    assert "either --level" in c2023.fails("grade", sid)
    assert "either --level" in c2023.fails("grade", sid, "--level", "2", "--reject")
    assert "1, 2 or 3" in c2023.fails("grade", sid, "--level", "4")
    assert "1, 2 or 3" in c2023.fails("grade", sid, "--level", "-1")
    assert "not a submission id" in c2023.fails("grade", "abc", "--level", "2")
    c2023.fails("grade", sid, "--level", "x", code=2)


def test_a_grade_change_is_in_the_log_with_before_and_after(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("grade", "auto")
    c2023("grade", str(sid), "--level", "3")
    entries = c2023.json("log", "--entity", "submission", "--id", str(sid))
    assert [e["action"] for e in entries] == ["grade_auto", "grade"]
    assert entries[1]["before"] == {"level": 2, "points": 2, "grade": "rule"}
    assert entries[1]["after"] == {"level": 3, "points": 3, "grade": "manual"}
    assert entries[1]["at"] == "2023-08-20T10:00:00+08:00"


def test_withdrawals_adoptions_and_member_changes_are_logged(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("adopt", str(sid), "--outlet", "银监分局简报", "--on", "2023-07-20")
    c2023("forward", str(sid), "--to", "中国银行业协会", "--on", "2023-07-21")
    c2023("adopt", str(sid), "--outlet", "银监分局简报", "--undo")
    c2023("submission", "withdraw", str(sid))
    c2023("member", "edit", "ABC", "--officer", "钱七")
    actions = [(e["action"], e["entity"], e["entity_id"]) for e in c2023.json("log")]
    assert actions[-5:] == [
        ("adopt", "submission", str(sid)),
        ("forward", "submission", str(sid)),
        ("adopt_undo", "submission", str(sid)),
        ("withdraw", "submission", str(sid)),
        ("edit", "member", "ABC"),
    ]
    last = c2023.json("log")[-1]
    assert (last["before"], last["after"]) == (
        {"officer": "李强", "since": None, "reattributed": None},
        {"officer": "钱七", "since": "2023-08-20T10:00:00+08:00", "reattributed": 0},
    )


def test_forwarding_is_recorded_once_per_body(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("forward", str(sid), "--to", "内蒙古银行业协会", "--on", "2023-07-21")
    assert "already recorded" in c2023.fails("forward", str(sid), "--to", "内蒙古银行业协会")
    assert "unknown body" in c2023.fails("forward", str(sid), "--to", "国务院")
    rows = c2023.json("report", "forwarded")
    assert rows == [
        {
            "submission": sid,
            "member": "ICBC",
            "title": "标题",
            "body": "内蒙古银行业协会",
            "forwarded_on": "2023-07-21",
        }
    ]


def test_adopt_and_forward_on_a_date_without_year_take_the_submissions_campaign_year(c2023, submit):
    """``adopt ID --on 7月20日`` in 2024 for a submission of the 2023 campaign is 2023-07-20
    (as ``endorse`` reads it), not the current campaign's 2024-07-20."""
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("campaign", "new", "2024服务月", "--start", "2024-07-11", "--end", "2024-08-11")
    c2023.now = "2024-07-25T10:00:00+08:00"
    c2023("adopt", str(sid), "--outlet", "中国银行业协会网站", "--on", "7月20日")
    c2023("forward", str(sid), "--to", "中国银行业协会", "--on", "7月21日")
    shown = c2023.json("submission", "show", str(sid))
    assert [a["adopted_on"] for a in shown["adoptions"]] == ["2023-07-20"]
    assert [f["forwarded_on"] for f in shown["forwardings"]] == ["2023-07-21"]


def test_forward_on_a_date_without_year_refused_for_submissions_of_different_years(c2023, submit):
    """Submissions of a 2023 and a 2024 campaign: ``7月21日`` names no one day."""
    old = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("campaign", "new", "2024服务月", "--start", "2024-07-11", "--end", "2024-08-11")
    c2023.now = "2024-07-25T10:00:00+08:00"
    new = submit("ICBC", "先进事迹", "2024-07-12 10:00")
    before = c2023.dump()
    err = c2023.fails("forward", str(old), str(new), "--to", "中国银行业协会", "--on", "7月21日")
    assert "different years" in err and "2023-07-21" in err
    assert c2023.dump() == before
    c2023("forward", str(old), str(new), "--to", "中国银行业协会", "--on", "2024-07-21")


def test_a_date_after_today_is_refused_for_adopt_forward_and_endorse(c2023, submit):
    """What is recorded has happened: --on 2030-01-01 is a typo, not a record."""
    sid = str(submit("ICBC", "先进事迹", "2023-07-20 10:00", "事迹"))
    before = c2023.dump()
    for command in (
        ["adopt", sid, "--outlet", "银行视窗", "--on", "2030-01-01"],
        ["forward", sid, "--to", "中国银行业协会", "--on", "2030-01-01"],
        ["endorse", sid, "--by", "王书记", "--on", "2030-01-01"],
    ):
        assert "after today (2023-08-20)" in c2023.fails(*command), command
    assert c2023.dump() == before
    c2023("adopt", sid, "--outlet", "银行视窗", "--on", "2023-08-20")  # today itself is fine
