"""The checks: deadlines (on_time/late/missing/pending) and the article minimum."""

from __future__ import annotations


def test_pending_until_the_deadline_then_missing(c2023):
    before = c2023.json("check", "deadlines", "--week", "2", "--as-of", "2023-07-24 11:59:59")
    at = c2023.json("check", "deadlines", "--week", "2", "--as-of", "2023-07-24 12:00")
    assert {r["status"] for r in before} == {"pending"}
    assert {r["status"] for r in at} == {"missing"}
    assert before[0] == {
        "member": "ICBC",
        "week": 2,
        "deadline": "2023-07-24T12:00:00+08:00",
        "status": "pending",
        "submitted_at": None,
        "submission": None,
        "name": "中国工商银行内蒙古分行",
    }


def test_as_of_ignores_what_came_later(c2023, submit):
    sid = submit("ICBC", "活动扫描", "2023-07-17 11:00")
    early = c2023.json("check", "deadlines", "--week", "1", "--as-of", "2023-07-17 10:00")
    later = c2023.json("check", "deadlines", "--week", "1", "--as-of", "2023-07-17 11:00")
    assert early[0]["status"] == "pending" and early[0]["submission"] is None
    assert later[0]["status"] == "on_time" and later[0]["submission"] == sid


def test_a_moved_deadline_applies_to_everyone(c2023, submit):
    submit("ICBC", "活动扫描", "2023-07-24 15:00")
    assert c2023.json("check", "deadlines", "--week", "2")[0]["status"] == "late"
    c2023("campaign", "deadline", "--week", "2", "--at", "2023-07-25 12:00")
    rows = c2023.json("check", "deadlines", "--week", "2")
    assert rows[0]["status"] == "on_time"
    assert rows[0]["deadline"] == "2023-07-25T12:00:00+08:00"
    assert c2023.json("campaign", "show")["weeks"][1]["deadline"] == "2023-07-25T12:00:00+08:00"


def test_moved_deadline_and_extension_the_later_wins(c2023, submit):
    # an extension made before the deadline moved past it (an extension given later must
    # run past the week's deadline, tests/test_corrections_more.py)
    c2023("member", "extend", "ICBC", "--week", "1", "--until", "2023-07-17 18:00")
    c2023("campaign", "deadline", "--week", "1", "--at", "2023-07-18 12:00")
    c2023("member", "extend", "ABC", "--week", "1", "--until", "2023-07-19 18:00")
    rows = {r["member"]: r["deadline"] for r in c2023.json("check", "deadlines", "--week", "1")}
    assert rows == {
        "ICBC": "2023-07-18T12:00:00+08:00",
        "ABC": "2023-07-19T18:00:00+08:00",
        "BOC": "2023-07-18T12:00:00+08:00",
    }


def test_a_rejected_report_does_not_count(c2023, submit):
    sid = submit("ICBC", "活动扫描", "2023-07-17 09:00")
    c2023("grade", str(sid), "--reject", "--reason", "内容空洞")
    assert c2023.json("check", "deadlines", "--week", "1")[0]["status"] == "missing"


def test_the_earliest_report_decides(c2023, submit):
    first = submit("ICBC", "活动扫描", "2023-07-17 09:00", "周报", "--week", "1")
    submit("ICBC", "活动扫描", "2023-07-18 09:00", "补充", "--week", "1")
    row = c2023.json("check", "deadlines", "--week", "1")[0]
    assert (row["status"], row["submission"]) == ("on_time", first)


def test_exit_code_3_when_something_falls_short(c2023, submit):
    for code in ("ICBC", "ABC", "BOC"):
        submit(code, "活动扫描", "2023-07-17 09:00")
    c2023("check", "deadlines", "--week", "1", "--exit-code")
    c2023("check", "deadlines", "--week", "2", "--exit-code", code=3)
    # pending is not short
    c2023("check", "deadlines", "--week", "2", "--as-of", "2023-07-20 10:00", "--exit-code")
    c2023("check", "quota", "--exit-code", code=3)
    c2023("check", "quota", "--as-of", "2023-07-20 10:00", "--exit-code", code=3)


def test_quota_at_risk_while_open_failed_after(c2023, submit):
    for day in ("12", "13", "14"):
        submit("ICBC", "先进事迹", f"2023-07-{day} 10:00")
    submit("ABC", "看图话服务", "2023-07-12 10:00")
    submit("ABC", "活动扫描", "2023-07-17 10:00")  # reports do not count
    open_ = c2023.json("check", "quota", "--as-of", "2023-08-14 11:59:59")
    closed = c2023.json("check", "quota", "--as-of", "2023-08-14 12:00")
    assert [(r["member"], r["articles"], r["shortfall"], r["status"]) for r in open_] == [
        ("ICBC", 3, 0, "met"),
        ("ABC", 1, 2, "at_risk"),
        ("BOC", 0, 3, "at_risk"),
    ]
    assert [r["status"] for r in closed] == ["met", "failed", "failed"]
    assert closed[0]["required"] == 3


def test_min_articles_is_a_campaign_setting(svc):
    svc(
        "campaign",
        "new",
        "二〇二四",
        "--start",
        "2024-07-11",
        "--end",
        "2024-08-11",
        "--min-articles",
        "5",
    )
    svc("member", "add", "ICBC", "工行")
    assert svc.json("check", "quota")[0]["required"] == 5


def test_campaign_chosen_by_the_instant_else_the_latest(svc):
    svc("campaign", "new", "2023", "--start", "2023-07-11", "--end", "2023-08-11")
    svc("campaign", "new", "2024", "--start", "2024-07-11", "--end", "2024-08-11")
    svc("member", "add", "ICBC", "工行")
    run = svc("submit", "ICBC", "--column", "先进事迹", "--title", "t", "--at", "2023-07-20 10:00")
    assert svc.json("submission", "list", "--campaign", "2023")[0]["id"] == int(run.out)
    assert svc.json("submission", "list") == []  # now (2023-08-20) is in no span: latest, 2024
    assert svc.json("campaign", "show")["name"] == "2024"
    # 2023-08-14 11:00 is inside 2023's span (up to its last deadline)
    assert svc.json("check", "quota", "--as-of", "2023-08-14 11:00")[0]["articles"] == 1
    assert "no campaign named 'x'" in svc.fails("campaign", "show", "--campaign", "x")
