"""A second chance for every mistake: each correction is audited with before and after, and
every figure that depends on it follows; the deadline matrix and the default weekly report."""

from __future__ import annotations

NAME = "2023服务月"


def _row(svc, sid: int) -> dict:
    return next(r for r in svc.json("submission", "list") if r["id"] == sid)


def test_campaign_rename_is_audited_and_the_new_name_is_used(c2023):
    c2023("campaign", "rename", NAME, "2023年服务月")
    assert c2023.json("campaign", "list")[0]["name"] == "2023年服务月"
    entry = c2023.json("log", "--entity", "campaign")[-1]
    assert (entry["action"], entry["before"], entry["after"]) == (
        "rename",
        {"name": NAME},
        {"name": "2023年服务月"},
    )
    before = c2023.dump()
    c2023("campaign", "new", "其他", "--start", "2024-07-11", "--end", "2024-08-11")
    after = c2023.dump()
    c2023.fails("campaign", "rename", "其他", "2023年服务月")
    assert c2023.dump() == after != before


def test_campaign_delete_only_an_empty_campaign(c2023, submit):
    c2023("campaign", "new", "误建", "--start", "2024-07-11", "--end", "2024-08-11")
    c2023("campaign", "delete", "误建")
    assert [c["name"] for c in c2023.json("campaign", "list")] == [NAME]
    entry = c2023.json("log", "--entity", "campaign")[-1]
    assert (entry["action"], entry["entity_id"], entry["after"]) == ("delete", "误建", None)
    submit("ICBC", "先进事迹", "2023-07-12 10:00")
    before = c2023.dump()
    err = c2023.fails("campaign", "delete", NAME)
    assert "holds 1 submission(s)" in err
    assert c2023.dump() == before


def test_submission_edit_of_the_time_rederives_on_time_level_and_points(c2023, submit):
    sid = submit("ICBC", "活动扫描", "2023-07-17 13:00", "第一周")
    c2023("grade", "auto")
    assert (_row(c2023, sid)["on_time"], _row(c2023, sid)["points"]) == (False, 1)
    c2023("submission", "edit", str(sid), "--at", "2023-07-17 11:00")
    row = _row(c2023, sid)
    assert (row["on_time"], row["level"], row["points"], row["submitted_at"]) == (
        True,
        2,
        2,
        "2023-07-17T11:00:00+08:00",
    )
    assert c2023.json("check", "deadlines", "--week", "1")[0]["status"] == "on_time"
    entry = c2023.json("log", "--entity", "submission", "--id", str(sid))[-1]
    assert entry["action"] == "edit"
    assert entry["before"] == {
        "submitted_at": "2023-07-17T13:00:00+08:00",  # local time, like the entry's at
        "on_time": 0,
        "level": 1,
        "points": 1,
    }
    assert entry["after"] == {
        "submitted_at": "2023-07-17T11:00:00+08:00",
        "on_time": 1,
        "level": 2,
        "points": 2,
    }


def test_submission_edit_moves_column_member_title_and_author(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-24 09:00", "错栏")
    c2023(
        "submission",
        "edit",
        str(sid),
        "--column",
        "活动扫描",
        "--member",
        "ABC",
        "--title",
        "农行第二周",
        "--author",
        "赵六",
    )
    row = _row(c2023, sid)
    assert (row["member"], row["kind"], row["week"], row["title"], row["author"]) == (
        "ABC",
        "report",
        2,
        "农行第二周",
        "赵六",
    )
    c2023("submission", "edit", str(sid), "--author", "")
    assert _row(c2023, sid)["author"] == "李强"  # no author named: the officer then


def test_submission_edit_refuses_what_breaks_a_rule(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-24 09:00")
    before = c2023.dump()
    assert "before campaign" in c2023.fails("submission", "edit", str(sid), "--at", "2023-07-01")
    assert "reports only" in c2023.fails("submission", "edit", str(sid), "--week", "2")
    assert "nothing to change" in c2023.fails("submission", "edit", str(sid))
    assert "no submission with id 99" in c2023.fails("submission", "edit", "99", "--title", "x")
    assert c2023.dump() == before


def test_withdraw_with_a_reason_and_restore(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("grade", "auto")
    c2023("submission", "withdraw", str(sid), "--reason", "重复报送")
    assert (_row(c2023, sid)["status"], _row(c2023, sid)["points"]) == ("withdrawn", 0)
    assert c2023.json("check", "quota")[0]["articles"] == 0
    c2023("submission", "restore", str(sid))
    assert (_row(c2023, sid)["status"], _row(c2023, sid)["points"]) == ("graded", 2)
    assert c2023.json("check", "quota")[0]["articles"] == 1
    log = c2023.json("log", "--entity", "submission", "--id", str(sid))
    assert [(e["action"], e["after"]) for e in log[-2:]] == [
        ("withdraw", {"status": "withdrawn", "points": 0, "withdraw_reason": "重复报送"}),
        ("restore", {"status": "graded", "points": 2, "withdraw_reason": None}),
    ]
    before = c2023.dump()
    assert "is not withdrawn" in c2023.fails("submission", "restore", str(sid))
    assert c2023.dump() == before


def test_grade_clear_puts_it_back_to_pending(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("grade", str(sid), "--reject", "--reason", "离题")
    c2023("grade", str(sid), "--clear")
    row = _row(c2023, sid)
    assert (row["status"], row["level"], row["points"]) == ("pending", None, 0)
    entry = c2023.json("log", "--entity", "submission", "--id", str(sid))[-1]
    assert (entry["action"], entry["before"]["grade"], entry["after"]["grade"]) == (
        "grade_clear",
        "rejected",
        "pending",
    )
    before = c2023.dump()
    assert "is not graded" in c2023.fails("grade", str(sid), "--clear")
    assert c2023.dump() == before


def test_adopt_undo_takes_the_doubling_back(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    c2023("grade", "auto")
    c2023("adopt", str(sid), "--outlet", "银监分局简报", "--on", "2023-07-15")
    assert _row(c2023, sid)["points"] == 6
    c2023("adopt", str(sid), "--outlet", "银监分局简报", "--undo")
    row = _row(c2023, sid)
    assert (row["points"], row["adopted_by"]) == (2, [])
    entry = c2023.json("log", "--entity", "submission", "--id", str(sid))[-1]
    assert entry["action"] == "adopt_undo"
    assert entry["before"]["outlet"] == "银监分局简报" and entry["after"]["outlet"] is None
    before = c2023.dump()
    assert "no adoption by" in c2023.fails("adopt", str(sid), "--outlet", "银监分局简报", "--undo")
    assert c2023.dump() == before


def test_submission_show_has_grade_adoptions_forwardings_attachments_and_history(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00", "网点服务")
    c2023("adopt", str(sid), "--outlet", "银行视窗", "--on", "2023-07-15")
    c2023("forward", str(sid), "--to", "中国银行业协会", "--on", "2023-07-16")
    item = c2023("submission", "show", str(sid), "--format", "json").json()
    assert (item["id"], item["campaign"], item["member"], item["title"]) == (
        sid,
        NAME,
        "ICBC",
        "网点服务",
    )
    assert (item["status"], item["author"], item["deadline"]) == (
        "pending",
        "王丽",
        "2023-08-14T12:00:00+08:00",
    )
    assert item["adoptions"] == [{"outlet": "银行视窗", "adopted_on": "2023-07-15"}]
    assert item["forwardings"] == [{"body": "中国银行业协会", "forwarded_on": "2023-07-16"}]
    assert item["attachments"] == []
    assert [h["action"] for h in item["history"]] == ["adopt", "forward"]
    table = c2023("submission", "show", str(sid)).out
    assert "网点服务" in table and "银行视窗" in table and "forward" in table


def test_check_deadlines_matrix_one_row_per_member_one_column_per_week(c2023, submit):
    submit("ICBC", "活动扫描", "2023-07-17 09:00")
    submit("ABC", "活动扫描", "2023-07-17 13:00", "t", "--week", "1")
    rows = c2023.json("check", "deadlines", "--matrix", "--as-of", "2023-07-25 10:00")
    assert rows == [
        {
            "member": "ICBC",
            "name": "中国工商银行内蒙古分行",
            "1": "on_time",
            "2": "missing",
            "3": "pending",
            "4": "pending",
            "5": "pending",
        },
        {
            "member": "ABC",
            "name": "中国农业银行内蒙古分行",
            "1": "late",
            "2": "missing",
            "3": "pending",
            "4": "pending",
            "5": "pending",
        },
        {
            "member": "BOC",
            "name": "中国银行内蒙古分行",
            "1": "missing",
            "2": "missing",
            "3": "pending",
            "4": "pending",
            "5": "pending",
        },
    ]
    csv = c2023("check", "deadlines", "--matrix", "--format", "csv").out
    assert csv.splitlines()[0] == "member,name,1,2,3,4,5"


def test_report_weekly_without_week_is_the_last_week_that_ended(c2023, submit):
    submit("ICBC", "活动扫描", "2023-07-24 10:00", "工行第二周")
    run = c2023("report", "weekly", "--as-of", "2023-07-25 10:00")
    assert "week 2 (2023-07-17 – 2023-07-23)" in run.out
    rows = c2023.json("report", "weekly", "--as-of", "2023-07-25 10:00")
    assert rows[0]["status"] == "on_time"
    assert "week 1 " in c2023("report", "weekly", "--as-of", "2023-07-12 10:00").out
