"""Totals over any period (采用率, 批示): `report totals`, `endorse`, the endorsement points."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

YEAR = ("--from", "2023-01-01", "--to", "2023-12-31")


def _submit(svc, code: str, column: str, at: str, campaign: str, title: str = "标题") -> int:
    run = svc(
        "submit", code, "--column", column, "--title", title, "--at", at, "--campaign", campaign
    )
    return int(run.out.strip())


@pytest.fixture
def year(svc):
    """Two campaigns in 2023 (spring in Shanghai, December in Urumqi, UTC+6), members with
    submissions on the period's edges, rejected and withdrawn ones, a zero-submission member
    and two inactive ones (one with a submission in the period)."""
    svc.now = "2024-01-10T10:00:00+08:00"
    svc("campaign", "new", "2023上", "--start", "2023-03-01", "--end", "2023-03-31")
    svc(
        "campaign", "new", "2023下", "--start", "2023-12-01", "--end", "2023-12-31",
        "--tz", "Asia/Urumqi",
    )  # fmt: skip
    for code, name, officer in (
        ("ICBC", "工商银行", "王丽"),
        ("ABC", "农业银行", "李强"),
        ("BOC", "中国银行", "张敏"),
        ("CCB", "建设银行", "赵刚"),
        ("CMB", "招商银行", "孙红"),
    ):
        svc("member", "add", code, name, "--officer", officer)
    ids = {
        "adopted": _submit(svc, "ICBC", "先进事迹", "2023-03-02 10:00", "2023上"),
        "rejected": _submit(svc, "ICBC", "先进事迹", "2023-03-03 10:00", "2023上"),
        "withdrawn": _submit(svc, "ICBC", "先进事迹", "2023-03-03 11:00", "2023上"),
        "spring": _submit(svc, "ICBC", "感动人物", "2023-03-20 10:00", "2023上"),
        "report_on_time": _submit(svc, "ABC", "活动扫描", "2023-03-06 09:00", "2023上"),
        "report_late": _submit(svc, "ABC", "活动扫描", "2023-03-14 09:00", "2023上"),
        # the --to day's last second, in the campaign's zone (Urumqi): in
        "last_second": _submit(svc, "ICBC", "先进事迹", "2023-12-31 23:59:59", "2023下"),
        # the next day's 00:00 there (still inside the article window): out
        "next_day": _submit(svc, "ICBC", "先进事迹", "2024-01-01 00:00", "2023下"),
        "inactive": _submit(svc, "CCB", "先进事迹", "2023-12-05 10:00", "2023下"),
    }
    svc("grade", str(ids["rejected"]), "--reject", "--reason", "重复")
    svc("submission", "withdraw", str(ids["withdrawn"]), "--reason", "重复报送")
    svc("grade", "auto", "--campaign", "2023上")
    svc("grade", "auto", "--campaign", "2023下")
    svc("adopt", str(ids["adopted"]), "--outlet", "中国银行业协会网站", "--on", "2023-03-10")
    svc("member", "deactivate", "CCB")
    svc("member", "deactivate", "CMB")
    return ids


def _by(rows: list[dict], key: str = "member") -> dict:
    return {r[key]: r for r in rows}


def test_totals_count_a_year_across_two_campaigns_edges_included(svc, year):
    rows = svc.json("report", "totals", *YEAR)
    # every active member, in registration order, and the inactive one with a submission
    assert [r["member"] for r in rows] == ["ICBC", "ABC", "BOC", "CCB"]
    icbc = _by(rows)["ICBC"]
    assert icbc == {
        "member": "ICBC",
        "name": "工商银行",
        # adopted + spring + the last second; not rejected, withdrawn or the next day
        "submissions": 3,
        "reports_on_time": 0,
        "reports_late": 0,
        "adopted": 1,
        "adoption_rate": 33.3,
        "endorsed": 0,
        # adopted by a doubling outlet: level 3 × 2 = 6; the other two on time: 2 + 2
        "points": 10,
    }
    abc = _by(rows)["ABC"]
    assert (abc["submissions"], abc["reports_on_time"], abc["reports_late"]) == (2, 1, 1)
    assert (abc["adopted"], abc["adoption_rate"], abc["points"]) == (0, 0.0, 2 + 1)
    boc = _by(rows)["BOC"]
    assert (boc["submissions"], boc["adoption_rate"], boc["points"]) == (0, None, 0)
    assert _by(rows)["CCB"]["submissions"] == 1


def test_totals_the_to_day_is_read_in_each_campaigns_zone(svc, year):
    # to 2023-12-30: the last second of the 31st is out
    rows = _by(svc.json("report", "totals", "--from", "2023-12-01", "--to", "2023-12-30"))
    assert rows["ICBC"]["submissions"] == 0
    rows = _by(svc.json("report", "totals", "--from", "2024-01-01", "--to", "2024-01-01"))
    assert rows["ICBC"]["submissions"] == 1  # the next day's 00:00
    assert "CCB" not in rows  # inactive, nothing in that period
    # typed the Chinese way
    rows = _by(svc.json("report", "totals", "--from", "2023年12月31日", "--to", "2023年12月31日"))
    assert rows["ICBC"]["submissions"] == 1


def test_totals_by_officer_and_by_column(svc, year):
    officers = svc.json("report", "totals", *YEAR, "--by", "officer")
    assert [(r["officer"], r["member"], r["submissions"]) for r in officers] == [
        ("王丽", "ICBC", 3),
        ("李强", "ABC", 2),
        ("张敏", "BOC", 0),
        ("赵刚", "CCB", 1),
    ]
    assert set(officers[0]) == {
        "officer",
        "member",
        "submissions",
        "reports_on_time",
        "reports_late",
        "adopted",
        "adoption_rate",
        "endorsed",
        "points",
    }
    columns = _by(svc.json("report", "totals", *YEAR, "--by", "column"), "column")
    assert columns["先进事迹"]["submissions"] == 3  # ICBC adopted, last second; CCB
    assert columns["先进事迹"]["adoption_rate"] == 33.3
    assert columns["活动扫描"]["reports_late"] == 1
    assert columns["学习体会"]["submissions"] == 0
    assert columns["学习体会"]["adoption_rate"] is None
    assert "活动部署" not in columns  # the association's own columns are not submitted to


def test_adoption_rate_rounds_to_one_decimal(svc):
    svc.now = "2023-08-20T10:00:00+08:00"
    svc("campaign", "new", "c", "--start", "2023-07-11", "--end", "2023-08-11")
    svc("member", "add", "A", "银行A")
    ids = [_submit(svc, "A", "先进事迹", f"2023-07-{12 + i} 10:00", "c") for i in range(6)]
    svc("adopt", str(ids[0]), "--outlet", "中国银行业协会网站", "--on", "2023-07-20")
    row = svc.json("report", "totals", "--from", "2023-07-01", "--to", "2023-07-31")[0]
    assert row["adoption_rate"] == 16.7  # 1/6 = 16.666…
    svc("adopt", str(ids[1]), "--outlet", "中国银行业协会网站", "--on", "2023-07-20")
    row = svc.json("report", "totals", "--from", "2023-07-01", "--to", "2023-07-31")[0]
    assert row["adoption_rate"] == 33.3


def _points_everywhere(svc, sid: int) -> dict[str, int]:
    """The ICBC points in every report, and submission ``sid``'s."""
    listing = svc.json("submission", "list", "--campaign", "2023上")
    return {
        "submission": {r["id"]: r["points"] for r in listing}[sid],
        "list": sum(r["points"] for r in listing if r["member"] == "ICBC"),
        "scoreboard": _by(svc.json("report", "scoreboard", "--campaign", "2023上"))["ICBC"][
            "points"
        ],
        "year_end": _by(svc.json("report", "year-end", "--year", "2023"))["ICBC"]["points"],
        "officers": _by(svc.json("report", "officers", "--year", "2023"), "officer")["王丽"][
            "points"
        ],
        "totals": _by(svc.json("report", "totals", *YEAR))["ICBC"]["points"],
        "officer_totals": _by(svc.json("report", "totals", *YEAR, "--by", "officer"), "officer")[
            "王丽"
        ]["points"],
    }


def test_endorsement_points_in_every_report_with_and_without_the_setting(svc, year):
    sid = year["spring"]
    before = _points_everywhere(svc, sid)
    assert before["submission"] == 2
    assert before["list"] == before["scoreboard"] == 6 + 2
    # the year's campaigns also hold the next day's submission (2), the period does not
    assert before["year_end"] == before["officers"] == 12
    assert before["totals"] == before["officer_totals"] == 10
    svc("endorse", str(sid), "--by", "王书记", "--level", "省部级", "--on", "2023-03-25")
    svc("endorse", str(sid), "--by", "李主任")
    # without the setting (default 0) the plan's numbers are unchanged
    assert _points_everywhere(svc, sid) == before
    rows = _by(svc.json("report", "totals", *YEAR))
    assert rows["ICBC"]["endorsed"] == 1  # one submission, two leaders
    listing = {r["id"]: r for r in svc.json("submission", "list", "--campaign", "2023上")}
    assert listing[sid]["endorsed_by"] == ["王书记", "李主任"]
    assert listing[year["adopted"]]["endorsed_by"] == []
    # with it: each endorsement (each leader) adds 10, everywhere
    svc("campaign", "rules", "--endorsement-points", "10", "--campaign", "2023上")
    after = _points_everywhere(svc, sid)
    assert after["submission"] == 2 + 20
    assert after["list"] == after["scoreboard"] == 6 + 2 + 20
    assert after["year_end"] == after["officers"] == 12 + 20
    assert after["totals"] == after["officer_totals"] == 10 + 20
    # undo one: one endorsement's points go
    svc("endorse", str(sid), "--by", "李主任", "--undo")
    again = _points_everywhere(svc, sid)
    assert again["submission"] == 2 + 10
    assert (again["totals"], again["year_end"]) == (10 + 10, 12 + 10)
    # back to 0: the plan's numbers
    svc("campaign", "rules", "--endorsement-points", "0", "--campaign", "2023上")
    assert _points_everywhere(svc, sid) == before


def test_endorsement_setting_is_shown_with_the_rules(svc, year):
    assert svc.json("campaign", "show", "--campaign", "2023上")["endorsement_points"] == 0
    out = svc("campaign", "rules", "--endorsement-points", "5", "--campaign", "2023上").out
    assert "Points per endorsement" in out
    assert svc.json("campaign", "show", "--campaign", "2023上")["endorsement_points"] == 5
    svc.fails("campaign", "rules", "--endorsement-points", "-1", "--campaign", "2023上")


def test_the_same_leader_is_recorded_once(svc, year):
    sid = year["spring"]
    svc("endorse", str(sid), "--by", "王书记")
    before = svc.dump()
    err = svc.fails("endorse", str(sid), "--by", " 王书记 ")
    assert "already recorded" in err
    assert svc.dump() == before


def test_endorse_refused_on_a_rejected_or_withdrawn_submission_database_unchanged(svc, year):
    before = svc.dump()
    assert "rejected" in svc.fails("endorse", str(year["rejected"]), "--by", "王书记")
    assert "withdrawn" in svc.fails("endorse", str(year["withdrawn"]), "--by", "王书记")
    assert svc.dump() == before


def test_endorse_undo_is_audited_and_unknown_undo_refused(svc, year):
    sid = year["spring"]
    svc("endorse", str(sid), "--by", "王书记", "--on", "3月25日")
    svc("endorse", str(sid), "--by", "王书记", "--undo")
    shown = svc.json("submission", "show", str(sid))
    actions = [h["action"] for h in shown["history"]]
    assert actions[-2:] == ["endorse", "endorse_undo"]
    before = svc.dump()
    svc.fails("endorse", str(sid), "--by", "王书记", "--undo")
    svc.fails("endorse", str(sid), "--by", "王书记", "--on", "2023-03-01")  # before it arrived
    svc.fails("endorse", str(sid), "--by", "")
    assert svc.dump() == before


def test_endorsed_by_in_the_csv_joined(svc, year):
    sid = year["spring"]
    svc("endorse", str(sid), "--by", "王书记")
    svc("endorse", str(sid), "--by", "李主任")
    out = svc("submission", "list", "--campaign", "2023上", "--format", "csv").out
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows[str(sid)]["endorsed_by"] == "王书记;李主任"


def test_totals_every_format(svc, year, tmp_path: Path):
    for fmt in ("table", "csv", "md"):
        out = svc("report", "totals", *YEAR, "--format", fmt).out
        assert "ICBC" in out and "33.3" in out
    html = tmp_path / "t.html"
    svc("report", "totals", *YEAR, "--format", "html", "--output", str(html))
    assert "33.3" in html.read_text(encoding="utf-8")


def test_totals_xlsx_is_a_document_for_the_leadership(svc, year, tmp_path: Path):
    svc.lang = "zh_CN"
    path = tmp_path / "totals.xlsx"
    svc("report", "totals", *YEAR, "--format", "xlsx", "--output", str(path))
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "2023-01-01至2023-12-31信息宣传工作统计表"
    groups = [ws.cell(row=3, column=i).value for i in range(1, 10)]
    labels = [ws.cell(row=4, column=i).value for i in range(1, 10)]
    assert groups[2] == "报送" and groups[5] == "刊用" and groups[7] == "批示"
    assert labels[6] == "采用率" and labels[7] == "批示篇数"
    assert groups[0] and labels[0] is None  # 单位 spans both header rows
    assert any(str(r) == "C3:E3" for r in ws.merged_cells.ranges)
    assert ws.freeze_panes == "A5"
    icbc = [c.value for c in ws[5]]
    assert icbc[:3] == ["ICBC", "工商银行", 3] and icbc[6] == 33.3


def test_totals_refuses_a_period_that_ends_before_it_begins(svc, year):
    svc.fails("report", "totals", "--from", "2023-12-31", "--to", "2023-01-01")
    svc.fails("report", "totals", "--from", "yesterday", "--to", "2023-01-01")


def test_the_endorsement_term_in_sql_is_its_python_rule(svc, year):
    """``rules.endorsement_sql`` (compiled from ``rules.endorsement_points``) against the
    Python rule, on every submission: counted, rejected, withdrawn, pending, doubled."""
    import sqlite3

    from svcmonth import rules

    for sid in year.values():
        svc.fails("endorse", str(sid), "--by", "甲", "--undo")  # none yet
    svc("campaign", "rules", "--endorsement-points", "7", "--campaign", "2023上")
    for key in ("adopted", "spring", "report_late"):
        svc("endorse", str(year[key]), "--by", "甲")
    svc("endorse", str(year["spring"]), "--by", "乙")
    svc("grade", str(year["report_late"]), "--reject")  # endorsed, then rejected: no term
    conn = sqlite3.connect(svc.db)
    sql = rules.endorsement_sql("s", "c.endorsement_points")
    rows = conn.execute(
        f"SELECT s.grade, s.withdrawn_at IS NULL, c.endorsement_points,"  # noqa: S608
        f" {rules.endorsement_count_sql('s')}, {sql} FROM submission s"
        " JOIN campaign c ON c.id = s.campaign_id"
    ).fetchall()
    assert {r[4] for r in rows} == {0, 7, 14}
    for grade, live, per, n, got in rows:
        assert got == rules.endorsement_points(bool(live), grade, n, per)
    assert ("rejected", 1, 7, 1, 0) in rows
