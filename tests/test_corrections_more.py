"""Tracker issue 18 ("issue 16" in its text): the corrections, times, officers and rules that
went wrong. Each test is named after the defect it pins down and failed before the fix."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from svcmonth import rules, timeutil, typed

NAME = "2023服务月"


def _row(svc, sid: int) -> dict:
    return next(r for r in svc.json("submission", "list") if r["id"] == sid)


# --- one time parser for every option that takes a time ------------------------------------


def test_submission_edit_at_reads_the_chinese_forms_that_submit_reads(c2023, submit):
    sid = submit("ICBC", "活动扫描", "2023-07-17 13:00", "第一周")
    c2023("submission", "edit", str(sid), "--at", "2023年7月17日 11:10")
    assert _row(c2023, sid)["submitted_at"] == "2023-07-17T11:10:00+08:00"
    c2023("submission", "edit", str(sid), "--at", "7月17日 上午９：４０")  # the campaign's year
    assert _row(c2023, sid)["submitted_at"] == "2023-07-17T09:40:00+08:00"


def test_member_edit_since_reads_the_chinese_forms(c2023):
    c2023("member", "edit", "BOC", "--officer", "黄蕾", "--since", "2023年7月25日")
    history = c2023.json("member", "history", "BOC")
    assert [(h["officer"], h["since"]) for h in history] == [
        ("张敏", None),
        ("黄蕾", "2023-07-25T00:00:00+08:00"),
    ]


def test_each_time_parser_name_exists_once_and_reads_the_chinese_forms():
    assert not [n for n in dir(typed) if n.startswith(("parse_", "normalize"))]
    shanghai = ZoneInfo("Asia/Shanghai")
    assert timeutil.parse_instant("2024年7月22日 11:10", shanghai) == timeutil.parse_instant(
        "2024-07-22 11:10", shanghai
    )
    assert timeutil.parse_date("7月25日", 2024).isoformat() == "2024-07-25"
    assert timeutil.parse_time_of_day("１２：００").isoformat() == "12:00:00"


# --- the control-character check at every entry point that stores text ----------------------


def test_campaign_rename_refuses_a_control_character(c2023):
    before = c2023.dump()
    err = c2023.fails("campaign", "rename", NAME, "2023\x1b[31m服务月")
    assert "control character" in err
    assert c2023.dump() == before


def test_submission_edit_author_title_url_refuse_a_control_character(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    before = c2023.dump()
    for option, value in (
        ("--author", "王\x07丽"),
        ("--author", "王丽\u202e"),
        ("--title", "标题\x1b[2J"),
        ("--url", "http://x.example/\x85a"),
    ):
        err = c2023.fails("submission", "edit", str(sid), option, value)
        assert "control character" in err or "line break" in err, (option, err)
    assert c2023.dump() == before


def test_withdraw_reason_refuses_a_control_character(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    before = c2023.dump()
    assert "control character" in c2023.fails(
        "submission", "withdraw", str(sid), "--reason", "重复\x1b[31m"
    )
    assert c2023.dump() == before


def test_survey_import_name_refuses_a_control_character(c2023, tmp_path):
    export = tmp_path / "问卷.csv"
    export.write_text("序号,提交答卷时间,1、您对服务满意吗？\n1,2023/7/20 10:00:00,满意\n")
    before = c2023.dump()
    err = c2023.fails("survey", "import", str(export), "--name", "满意度\x1b]0;x\x07调查")
    assert "control character" in err
    assert c2023.dump() == before


# --- rule 13 and "duplicate" --------------------------------------------------------------


def test_submission_edit_at_after_its_adoption_day_is_refused(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("adopt", str(sid), "--outlet", "中国银行业协会网站", "--on", "2023-07-13")
    before = c2023.dump()
    err = c2023.fails("submission", "edit", str(sid), "--at", "2023-07-20 10:00")
    assert "adopted by 中国银行业协会网站 on 2023-07-13" in err
    assert c2023.dump() == before
    c2023("submission", "edit", str(sid), "--at", "2023-07-13 09:00")  # the same day is fine
    assert _row(c2023, sid)["submitted_at"] == "2023-07-13T09:00:00+08:00"


def test_submission_edit_making_an_exact_duplicate_is_refused_naming_the_existing_id(c2023, submit):
    first = submit("ICBC", "先进事迹", "2023-07-12 10:00", "榜样")
    second = submit("ICBC", "先进事迹", "2023-07-12 10:00", "榜样之二")
    other = submit("ABC", "先进事迹", "2023-07-12 10:00", "榜样")
    before = c2023.dump()
    err = c2023.fails("submission", "edit", str(second), "--title", "榜样")
    assert f"already logged as id {first}" in err
    err = c2023.fails("submission", "edit", str(other), "--member", "ICBC")
    assert f"already logged as id {first}" in err
    assert c2023.dump() == before
    # the same as `submit` would refuse it
    assert f"already logged as id {first}" in c2023.fails(
        "submit", "ICBC", "--column", "先进事迹", "--title", "榜样", "--at", "2023-07-12 10:00"
    )
    # correcting another field of a submission is not a duplicate of itself
    c2023("submission", "edit", str(first), "--url", "http://example.cn/1")


# --- the officer in office at an instant, everywhere ---------------------------------------


def test_an_officer_change_recorded_ahead_is_not_in_office_before_its_day(c2023, submit):
    c2023(
        "member",
        "edit",
        "ICBC",
        "--officer",
        "林晓",
        "--email",
        "linxiao@icbc.example.cn",
        "--since",
        "2023-12-01",
    )
    officer = {m["code"]: m["officer"] for m in c2023.json("member", "list")}
    assert officer["ICBC"] == "王丽"  # now is 2023-08-20
    listed = c2023.json("member", "list", "--as-of", "2023-12-02")
    assert {m["code"]: (m["officer"], m["email"]) for m in listed}["ICBC"] == (
        "林晓",
        "linxiao@icbc.example.cn",
    )
    # July's reminders go to the officer in office in July
    due = c2023.json("remind", "--as-of", "2023-07-24 09:00")
    icbc = [r for r in due if r["member"] == "ICBC"]
    assert icbc and {r["to"] for r in icbc} == {"wangli@icbc.example.cn"}
    assert all("王丽" in r["body"] for r in icbc)
    # rule 9 agrees: July's submission is 王丽's, and so is the year-end table's officer
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    assert _row(c2023, sid)["author"] == "王丽"
    year_end = {
        r["member"]: r["officer"] for r in c2023.json("report", "year-end", "--year", "2023")
    }
    assert year_end["ICBC"] == "王丽"


# --- report officers ----------------------------------------------------------------------


def test_report_officers_gives_no_rank_to_the_officers_of_a_disqualified_bank(c2023, submit):
    for day in (12, 13, 14):
        submit("ICBC", "先进事迹", f"2023-07-{day} 10:00", f"稿{day}")
    submit("ABC", "先进事迹", "2023-07-12 10:00")  # below the minimum of 3: not eligible
    c2023("grade", "auto")
    rows = c2023.json("report", "officers", "--year", "2023")
    assert rows == [
        {
            "rank": 1,
            "officer": "王丽",
            "member": "ICBC",
            "name": "中国工商银行内蒙古分行",
            "submissions": 3,
            "points": 6,
            "eligible": True,
        },
        {
            "rank": None,
            "officer": "李强",
            "member": "ABC",
            "name": "中国农业银行内蒙古分行",
            "submissions": 1,
            "points": 2,
            "eligible": False,
        },
    ]


# --- an extension extends ------------------------------------------------------------------


def test_an_extension_not_after_the_weeks_deadline_is_refused(c2023):
    before = c2023.dump()
    for until in ("2023-08-07 11:00", "2023-08-07 12:00"):  # week 4 is due 08-07 12:00
        err = c2023.fails("member", "extend", "ICBC", "--week", "4", "--until", until)
        assert "not after week 4's deadline (2023-08-07 12:00)" in err
    assert c2023.dump() == before
    c2023("campaign", "deadline", "--week", "4", "--at", "2023-08-08 12:00")
    moved = c2023.dump()
    c2023.fails("member", "extend", "ICBC", "--week", "4", "--until", "2023-08-07 18:00")
    assert c2023.dump() == moved
    c2023("member", "extend", "ICBC", "--week", "4", "--until", "2023年8月9日 12:00")
    rows = {r["member"]: r for r in c2023.json("check", "deadlines", "--week", "4")}
    assert rows["ICBC"]["deadline"] == "2023-08-09T12:00:00+08:00"


# --- the article window, decided once ------------------------------------------------------


def test_the_article_window_is_decided_once_before_the_first_day_and_at_the_last_deadline(
    c2023, submit
):
    start, end = "2023-07-10T16:00:00.000000Z", "2023-08-14T04:00:00.000000Z"
    assert rules.article_window(start, end, "2023-07-10T15:59:59.999999Z") == "before"
    assert rules.article_window(start, end, start) == "open"
    assert rules.article_window(start, end, "2023-08-14T03:59:59.999999Z") == "open"
    assert rules.article_window(start, end, end) == "closed"

    def quota(as_of):
        return {r["member"]: r["status"] for r in c2023.json("check", "quota", "--as-of", as_of)}

    def quota_reminders(as_of):
        return [r for r in c2023.json("remind", "--as-of", as_of) if r["kind"] == "quota"]

    # before the first day: not yet failed, and no quota reminder
    assert set(quota("2023-07-10 23:00").values()) == {"at_risk"}
    # the instant before the last deadline: still open; at it: closed (failed, no reminder)
    assert set(quota("2023-08-14 11:59:59").values()) == {"at_risk"}
    assert len(quota_reminders("2023-08-14 11:59:59")) == 3
    assert set(quota("2023-08-14 12:00").values()) == {"failed"}
    assert quota_reminders("2023-08-14 12:00") == []


# --- the confirmation of a correction, in words --------------------------------------------


def test_the_correction_confirmation_prints_no_python_literal(c2023, submit):
    c2023.lang = "zh_CN"
    sid = submit("ICBC", "活动扫描", "2023-07-17 13:00", "第一周")
    err = c2023("submission", "edit", str(sid), "--title", "第一周动态").err
    assert "True" not in err and "False" not in err and "None" not in err, err
    assert err.strip() == f"已更正稿件 {sid}：迟报，待评，0 分", err
    c2023("grade", "auto")
    err = c2023("submission", "edit", str(sid), "--at", "2023-07-17 11:00").err
    assert err.strip() == f"已更正稿件 {sid}：按时，2级，2 分", err
