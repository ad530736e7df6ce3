"""Reports: scoreboard, weekly, year-end, officers; backup, slogans and the demo."""

from __future__ import annotations

import sqlite3
import stat

import openpyxl


def test_scoreboard_ranks_by_points_and_ties_share_a_rank(c2023, submit):
    c2023("member", "add", "CCB", "中国建设银行内蒙古分行")
    for code, n in (("ICBC", 3), ("ABC", 1), ("BOC", 1)):
        for i in range(n):
            submit(code, "先进事迹", f"2023-07-1{i + 2} 10:00")
    c2023("grade", "auto")
    board = c2023.json("report", "scoreboard")
    assert [(r["rank"], r["member"], r["points"], r["quota_met"]) for r in board] == [
        (1, "ICBC", 6, True),
        (2, "ABC", 2, False),
        (2, "BOC", 2, False),
        (4, "CCB", 0, False),
    ]
    assert board[0] == {
        "rank": 1,
        "member": "ICBC",
        "name": "中国工商银行内蒙古分行",
        "articles": 3,
        "reports_on_time": 0,
        "reports_late": 0,
        "reports_missing": 5,
        "points": 6,
        "adopted": 0,
        "quota_met": True,
    }


def test_scoreboard_counts_reports_and_adoptions(c2023, submit):
    submit("ICBC", "活动扫描", "2023-07-17 09:00")
    submit("ICBC", "活动扫描", "2023-07-24 13:00")
    a = submit("ICBC", "看图话服务", "2023-07-20 09:00")
    c2023("adopt", str(a), "--outlet", "银监分局简报")
    c2023("grade", "auto")
    top = c2023.json("report", "scoreboard")[0]
    assert (top["reports_on_time"], top["reports_late"], top["reports_missing"]) == (1, 1, 3)
    assert (top["adopted"], top["points"]) == (1, 2 + 1 + 6)


def test_weekly_report_who_reported_and_the_weeks_articles_by_column(c2023, submit):
    submit("ICBC", "活动扫描", "2023-07-24 10:00", "工行第二周")
    submit("ABC", "活动扫描", "2023-07-24 12:30", "农行第二周")
    submit("ICBC", "先进事迹", "2023-07-18 10:00")
    submit("ICBC", "看图话服务", "2023-07-19 10:00")
    submit("ICBC", "先进事迹", "2023-07-20 10:00")
    submit("ABC", "先进事迹", "2023-07-25 10:00")  # week 3
    rows = c2023.json("report", "weekly", "--week", "2")
    assert rows == [
        {
            "member": "ICBC",
            "name": "中国工商银行内蒙古分行",
            "status": "on_time",
            "submitted_at": "2023-07-24T10:00:00+08:00",
            "articles": 3,
            "columns": {"先进事迹": 2, "看图话服务": 1},
        },
        {
            "member": "ABC",
            "name": "中国农业银行内蒙古分行",
            "status": "late",
            "submitted_at": "2023-07-24T12:30:00+08:00",
            "articles": 0,
            "columns": {},
        },
        {
            "member": "BOC",
            "name": "中国银行内蒙古分行",
            "status": "missing",
            "submitted_at": None,
            "articles": 0,
            "columns": {},
        },
    ]
    md = c2023("report", "weekly", "--week", "2", "--format", "md").out
    assert md.startswith("### 2023服务月, week 2 (2023-07-17 – 2023-07-23)")
    assert "| ICBC" in md and "先进事迹 2, 看图话服务 1" in md
    csv_out = c2023("report", "weekly", "--week", "2", "--format", "csv").out
    assert csv_out.splitlines()[1].endswith(",3,先进事迹:2;看图话服务:1")


def _two_campaigns(svc):
    svc(
        "campaign",
        "new",
        "2024上",
        "--start",
        "2024-03-11",
        "--end",
        "2024-03-24",
        "--min-articles",
        "1",
    )
    svc("campaign", "new", "2024下", "--start", "2024-07-11", "--end", "2024-08-11")
    for code, name, officer in (
        ("ICBC", "工商银行", "王丽"),
        ("ABC", "农业银行", "李强"),
        ("BOC", "中国银行", "张敏"),
        ("CCB", "建设银行", "刘洋"),
    ):
        svc("member", "add", code, name, "--officer", officer)

    def sub(code, at, column="先进事迹", *extra):
        return int(svc("submit", code, "--column", column, "--title", "稿", "--at", at, *extra).out)

    # spring: everyone but CCB meets the minimum of 1
    for code in ("ICBC", "ABC", "BOC"):
        sub(code, "2024-03-12 10:00")
    # summer: ICBC 4 articles, ABC 3 (one doubly adopted), BOC 3, CCB 5
    ids = {}
    for code, n in (("ICBC", 4), ("ABC", 3), ("BOC", 3), ("CCB", 5)):
        ids[code] = [sub(code, f"2024-07-{12 + i} 10:00") for i in range(n)]
    svc("adopt", str(ids["ABC"][0]), "--outlet", "中国银行业协会网站")
    sub("ICBC", "2024-07-15 09:00", "活动扫描")
    svc("grade", "auto", "--campaign", "2024上")
    svc("grade", "auto", "--campaign", "2024下")
    return ids


def test_year_end_ranks_the_eligible_and_leaves_the_short_unranked(svc):
    svc.now = "2024-12-20T10:00:00+08:00"
    _two_campaigns(svc)
    table = svc.json("report", "year-end", "--year", "2024")
    # ICBC: 2 + 4 articles × 2 + a report 2; ABC: 2 + 6 (doubly adopted) + 2 × 2: a tie
    assert [(r["rank"], r["member"], r["points"], r["eligible"]) for r in table] == [
        (1, "ICBC", 2 + 8 + 2, True),
        (1, "ABC", 2 + 6 + 2 + 2, True),
        (3, "BOC", 2 + 6, True),
        (None, "CCB", 10, False),  # more points than BOC, but short of spring's minimum
    ]
    abc = table[1]
    assert abc == {
        "rank": 1,
        "member": "ABC",
        "name": "农业银行",
        "officer": "李强",
        "campaigns": ["2024上", "2024下"],
        "articles": 4,
        "reports_on_time": 0,
        "weeks": 2 + 5,
        "points": 12,
        "adopted": 1,
        "quota_met": True,
        "eligible": True,
    }
    assert table[0]["reports_on_time"] == 1
    assert table[3]["quota_met"] is False


def test_year_end_ties_share_a_rank(svc):
    svc.now = "2024-12-20T10:00:00+08:00"
    svc(
        "campaign",
        "new",
        "2024",
        "--start",
        "2024-07-11",
        "--end",
        "2024-08-11",
        "--min-articles",
        "1",
    )
    for code in ("A", "B", "C"):
        svc("member", "add", code, f"银行{code}")
    for code, n in (("A", 1), ("B", 1), ("C", 2)):
        for i in range(n):
            svc(
                "submit",
                code,
                "--column",
                "学习体会",
                "--title",
                "体会",
                "--at",
                f"2024-07-1{i + 2} 10:00",
            )
    svc("grade", "auto")
    table = svc.json("report", "year-end", "--year", "2024")
    assert [(r["rank"], r["member"]) for r in table] == [(1, "C"), (2, "A"), (2, "B")]


def test_year_end_with_no_campaign_that_year_is_an_error(c2023):
    assert "no campaign starts in 2019" in c2023.fails("report", "year-end", "--year", "2019")


def test_year_end_to_excel_keeps_chinese_and_text(tmp_path, svc):
    svc.now = "2024-12-20T10:00:00+08:00"
    _two_campaigns(svc)
    svc("member", "add", "=CMD", "=cmd|'/c calc'!A1", "--officer", "@evil")
    out = tmp_path / "year-end.xlsx"
    svc("report", "year-end", "--year", "2024", "--format", "xlsx", "--output", str(out))
    ws = openpyxl.load_workbook(out).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "Publicity work assessment table 2024"
    assert values[1][0].startswith("As of 2024-12-20 10:00; rules: at least 1/3 articles")
    assert values[2] == [
        "Rank",
        "Member code",
        "Member name",
        "Publicity officer",
        "Campaigns",
        "Articles",
        "Weeks reported on time",
        "Report weeks",
        "Points",
        "Adopted",
        "Article minimum met",
        "Eligible",
    ]
    assert values[4][:5] == [1, "ABC", "农业银行", "李强", "2024上, 2024下"]
    hostile = next(v for v in values if v[1] == "'=CMD")
    assert hostile[2] == "'=cmd|'/c calc'!A1" and hostile[3] == "'@evil"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    csv_file = tmp_path / "year-end.csv"
    svc("report", "year-end", "--year", "2024", "--format", "csv", "--output", str(csv_file))
    text = csv_file.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and "农业银行".encode() in text


def test_officers_are_ranked_by_the_points_of_what_they_authored(svc):
    svc.now = "2024-12-20T10:00:00+08:00"
    _two_campaigns(svc)
    svc(
        "submit",
        "BOC",
        "--column",
        "感动人物",
        "--title",
        "人物",
        "--at",
        "2024-07-20 10:00",
        "--author",
        "赵记者",
    )
    svc("grade", "auto", "--campaign", "2024下")
    rows = svc.json("report", "officers", "--year", "2024")
    keys = ("rank", "officer", "member", "name", "submissions", "points", "eligible")
    assert [tuple(r.values()) for r in rows] == [
        (1, "王丽", "ICBC", "工商银行", 6, 12, True),
        (1, "李强", "ABC", "农业银行", 4, 12, True),
        (3, "张敏", "BOC", "中国银行", 4, 8, True),
        (4, "赵记者", "BOC", "中国银行", 1, 2, True),
        # CCB missed the spring minimum: not eligible, so neither is its officer (no rank)
        (None, "刘洋", "CCB", "建设银行", 5, 10, False),
    ]
    assert all(tuple(r) == keys for r in rows)


def test_backup_while_the_file_is_held_open_passes_integrity_check(tmp_path, c2023, submit):
    submit("ICBC", "先进事迹", "2023-07-12 10:00")
    holder = sqlite3.connect(c2023.db)
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM submission").fetchone()  # a reader holds a snapshot
    target = tmp_path / "backup.db"
    c2023("backup", str(target))
    holder.rollback()
    holder.close()
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT title FROM submission").fetchall() == [("标题",)]
    copy.close()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "already exists" in c2023.fails("backup", str(target))


def test_slogans_each_once_in_the_plans_order(tmp_path):
    from typer.testing import CliRunner

    from svcmonth.cli.app import app

    result = CliRunner().invoke(app, ["slogans"], env={"SVCMONTH_DB": str(tmp_path / "x.db")})
    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert len(lines) == 20 and len(set(lines)) == 20
    assert lines[0] == "深入扎实有效开展银行业文明优质服务月活动"
    assert lines.count("培育行业服务品牌,树立良好社会形象") == 1
    assert lines[-1] == '认真落实"七不准、四公开",进一步规范经营'
    assert not (tmp_path / "x.db").exists()


def test_demo_builds_grades_and_prints_the_scoreboard(tmp_path, svc):
    db = tmp_path / "demo.db"
    run = svc("demo", "--db", str(db))
    assert "Weekly reports (活动扫描)" in run.out
    assert "Article minimum" in run.out and "Scoreboard" in run.out
    assert "中国工商银行内蒙古分行" in run.out
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    svc.db = db
    board = svc.json("report", "scoreboard")
    assert len(board) == 12 and board[0]["rank"] == 1
    assert any(r["adopted"] for r in board)
    statuses = {r["status"] for r in svc.json("check", "deadlines")}
    assert {"on_time", "late", "missing"} <= statuses


def test_demo_never_touches_an_existing_file(tmp_path, svc):
    before = svc.dump()
    assert "never touches an existing file" in svc.fails("demo", "--db", str(svc.db))
    assert svc.dump() == before


def test_demo_large_mode_is_deterministic(tmp_path, svc):
    dumps = []
    for name in ("a.db", "b.db"):
        db = tmp_path / name
        svc("demo", "--db", str(db), "--members", "30", "--submissions", "500", "--seed", "7")
        conn = sqlite3.connect(db)
        dumps.append(
            conn.execute(
                "SELECT count(*), sum(length(title)), group_concat(submitted_at) FROM submission"
            ).fetchone()
        )
        conn.close()
    assert dumps[0] == dumps[1] and dumps[0][0] == 500


def test_weekly_workbook_without_week_names_its_sheet_after_the_week_it_shows(c2023, tmp_path):
    # at 2023-08-20 the last week that ended is week 5: the sheet said "Week None" before
    out = tmp_path / "weekly.xlsx"
    c2023("report", "weekly", "--format", "xlsx", "--output", str(out))
    assert openpyxl.load_workbook(out).sheetnames == ["Week 5"]
