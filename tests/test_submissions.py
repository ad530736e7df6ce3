"""Submissions: submit, the default report week, import, list, withdraw."""

from __future__ import annotations


def test_submit_prints_the_id_alone(c2023):
    run = c2023(
        "submit",
        "ICBC",
        "--column",
        "先进事迹",
        "--title",
        "网点延时服务",
        "--at",
        "2023-07-12 10:00",
    )
    assert run.out == "1\n"
    row = c2023.json("submission", "list")[0]
    assert row == {
        "id": 1,
        "member": "ICBC",
        "column": "先进事迹",
        "kind": "article",
        "title": "网点延时服务",
        "author": "王丽",
        "submitted_at": "2023-07-12T10:00:00+08:00",
        "week": None,
        "on_time": True,
        "level": None,
        "status": "pending",
        "adopted_by": [],
        "points": 0,
        "url": "",
        "endorsed_by": [],
    }


def test_a_report_without_week_covers_the_last_week_that_ended(c2023, submit):
    a = submit("ICBC", "活动扫描", "2023-07-17 09:00")  # week 1 ended on Sunday
    b = submit("ICBC", "活动扫描", "2023-07-18 09:00")  # week 1 already reported: early, week 2
    c = submit("ABC", "活动扫描", "2023-07-13 09:00")  # nothing ended yet: week 1
    d = submit("BOC", "活动扫描", "2023-07-26 09:00")  # week 2 ended, late
    weeks = {r["id"]: (r["week"], r["on_time"]) for r in c2023.json("submission", "list")}
    assert weeks == {a: (1, True), b: (2, True), c: (1, True), d: (2, False)}


def test_week_is_for_reports_only(c2023):
    err = c2023.fails(
        "submit",
        "ICBC",
        "--column",
        "先进事迹",
        "--title",
        "t",
        "--at",
        "2023-07-12 10:00",
        "--week",
        "1",
    )
    assert "--week is for reports only" in err


def test_an_association_column_takes_no_submissions(c2023):
    err = c2023.fails(
        "submit", "ICBC", "--column", "活动部署", "--title", "t", "--at", "2023-07-12 10:00"
    )
    assert "run by the association" in err and "先进事迹" in err


def test_an_unknown_column_lists_the_ones_members_use(c2023):
    err = c2023.fails(
        "submit", "ICBC", "--column", "新闻", "--title", "t", "--at", "2023-07-12 10:00"
    )
    assert err.startswith("Error: unknown column '新闻'; members submit to: 活动扫描, 先进事迹")


def test_an_article_after_the_window_is_logged_in_the_named_campaign_but_not_on_time(c2023, submit):
    first = submit("ICBC", "学习体会", "2023-07-11 00:00:00")
    last = submit("ICBC", "学习体会", "2023-08-14 11:59:59")
    closed = submit("ICBC", "学习体会", "2023-08-14 12:00:00", "标题", "--campaign", "2023服务月")
    on_time = {r["id"]: r["on_time"] for r in c2023.json("submission", "list")}
    assert on_time == {first: True, last: True, closed: False}
    assert c2023.json("check", "quota")[0]["articles"] == 2


def test_list_filters(c2023, submit):
    r1 = submit("ICBC", "活动扫描", "2023-07-17 09:00")
    a1 = submit("ICBC", "先进事迹", "2023-07-12 09:00")
    a2 = submit("ABC", "感动人物", "2023-07-19 09:00")
    r2 = submit("ABC", "活动扫描", "2023-07-24 09:00")
    ids = lambda *args: [r["id"] for r in c2023.json("submission", "list", *args)]  # noqa: E731
    assert ids("--member", "ABC") == [a2, r2]
    assert ids("--week", "1") == [r1, a1]
    assert ids("--week", "2") == [a2, r2]
    assert ids("--column", "先进事迹") == [a1]
    c2023("grade", str(a1), "--level", "3")
    assert ids("--pending") == [r1, a2, r2]
    assert ids("--as-of", "2023-07-18 00:00") == [r1, a1]


def test_withdraw_keeps_the_submission_and_scores_nothing(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 09:00")
    c2023("grade", str(sid), "--level", "2")
    c2023("submission", "withdraw", str(sid))
    row = c2023.json("submission", "list")[0]
    assert (row["status"], row["points"]) == ("withdrawn", 0)
    assert c2023.json("check", "quota")[0]["articles"] == 0
    assert "already withdrawn" in c2023.fails("submission", "withdraw", str(sid))


def test_import_submissions_from_a_gbk_csv(tmp_path, c2023):
    f = tmp_path / "稿件.csv"
    f.write_bytes(
        "member,column,title,submitted_at,week,author,url\r\n"
        "ICBC,活动扫描,工行第一周活动扫描,2023/7/17 11:30,1,,\r\n"
        "ABC,先进事迹,农行营业部开展“六公约一承诺”路演,2023-07-13 15:20,,李强,http://x.cn/1\r\n".encode(
            "gb18030"
        )
    )
    c2023("submission", "import", str(f))
    rows = c2023.json("submission", "list")
    assert [(r["member"], r["title"], r["submitted_at"], r["week"]) for r in rows] == [
        ("ICBC", "工行第一周活动扫描", "2023-07-17T11:30:00+08:00", 1),
        ("ABC", "农行营业部开展“六公约一承诺”路演", "2023-07-13T15:20:00+08:00", None),
    ]


def test_import_is_all_or_nothing_and_names_each_bad_line(tmp_path, c2023):
    f = tmp_path / "s.csv"
    f.write_text(
        "member,column,title,submitted_at\n"
        "ICBC,先进事迹,好稿件,2023-07-12 10:00\n"
        "XYZ,先进事迹,未知会员,2023-07-12 10:00\n"
        "ICBC,新闻,未知栏目,2023-07-12 10:00\n"
        "ICBC,先进事迹,,2023-07-12 10:00\n"
        "ICBC,先进事迹,坏日期,2023-02-30 10:00\n",
        encoding="utf-8",
    )
    before = c2023.dump()
    run = c2023("submission", "import", str(f), code=1)
    lines = run.err.strip().splitlines()
    assert lines[0] == f"Error: {f}: 4 bad row(s); nothing was imported"
    assert [line.split(":")[0] for line in lines[1:]] == ["line 3", "line 4", "line 5", "line 6"]
    assert "unknown member 'XYZ'" in lines[1]
    assert "the title is empty" in lines[3]
    assert "not a real date" in lines[4]
    assert c2023.dump() == before


def test_a_report_default_week_counts_earlier_rows_of_the_same_import(tmp_path, c2023):
    f = tmp_path / "s.csv"
    f.write_text(
        "member,column,title,submitted_at\n"
        "ICBC,活动扫描,第一周,2023-07-17 09:00\n"
        "ICBC,活动扫描,第二周(提前),2023-07-18 09:00\n",
        encoding="utf-8",
    )
    c2023("submission", "import", str(f))
    assert [r["week"] for r in c2023.json("submission", "list")] == [1, 2]
