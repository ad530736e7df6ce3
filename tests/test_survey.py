"""调查问卷: a survey tool's export imported, tallied and published, through the CLI.

The 12-response export of tests/survey_exports.py fixes the tallies by construction:
Q1 single choice, 11 answered (one 跳过): 国有 5, 股份制 3, 城商行 2, 农村 1;
Q2 multiple choice, 12 answered: 协会网站 8, 微信公众号 6, 营业网点宣传 6, 其他 2 (抖音短视频,
社区宣传栏); Q3 ranking, 10 answered: first places 6/3/1, average ranks 1.5/2.0/2.5;
Q4 free text, 11 distinct answers of 11 (one 空).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import survey_exports as ex
from svcmonth import survey

NAME = "2023服务月满意度调查"
Q1 = "您所在的单位类型是？"
Q2 = "您通过哪些渠道了解到本次服务月活动？"
Q3 = "请对以下服务改进方向按重要性排序"
Q4 = "您对本次活动还有什么意见和建议？"


def _r(number, question, qtype, option, count, percent, respondents, other=False, rank=None):
    return {
        "number": number,
        "question": question,
        "type": qtype,
        "row": None,
        "option": option,
        "count": count,
        "percent": percent,
        "respondents": respondents,
        "other": other,
        "average_rank": rank,
        "mean": None,
        "satisfaction": None,
    }


EXPECTED = [
    _r(1, Q1, "single", "国有大型商业银行", 5, 45.5, 11),
    _r(1, Q1, "single", "股份制商业银行", 3, 27.3, 11),
    _r(1, Q1, "single", "城市商业银行", 2, 18.2, 11),
    _r(1, Q1, "single", "农村金融机构", 1, 9.1, 11),
    _r(2, Q2, "multiple", "协会网站", 8, 66.7, 12),
    _r(2, Q2, "multiple", "微信公众号", 6, 50.0, 12),  # a tie: the option seen first first
    _r(2, Q2, "multiple", "营业网点宣传", 6, 50.0, 12),
    _r(2, Q2, "multiple", "其他", 2, 16.7, 12),
    _r(2, Q2, "multiple", "抖音短视频", 1, 8.3, 12, other=True),
    _r(2, Q2, "multiple", "社区宣传栏", 1, 8.3, 12, other=True),
    _r(3, Q3, "ranking", "服务效率", 6, 60.0, 10, rank=1.5),
    _r(3, Q3, "ranking", "服务态度", 3, 30.0, 10, rank=2.0),
    _r(3, Q3, "ranking", "适老化服务", 1, 10.0, 10, rank=2.5),
] + [
    _r(4, Q4, "text", answer, 1, 9.1, 11)
    for answer in [
        "建议延长活动时间",
        "希望多组织网点开放日",
        "宣传材料可以更通俗",
        "增加老年人专场",
        "评选结果要及时公布",
        "多宣传典型案例",
        "网点排队时间还是长",
        "希望每年都办",
        "可以结合消费者权益保护",
        "活动很好",
        "加强对县域网点的指导",
    ]
]


@pytest.fixture
def small_xlsx(tmp_path: Path) -> Path:
    return ex.write_xlsx(tmp_path / "问卷星导出.xlsx", *ex.small())


def test_the_tallies_of_an_xlsx_export_are_exact(svc, small_xlsx):
    run = svc("survey", "import", small_xlsx, "--name", NAME)
    assert run.err == (f"survey {NAME}: 12 response(s) imported, 0 already there; 4 question(s)\n")
    assert svc.json("survey", "report", NAME) == EXPECTED


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_a_csv_export_in_gb18030_or_utf8_tallies_the_same(svc, tmp_path, encoding):
    path = ex.write_csv(tmp_path / "export.csv", *ex.small(), encoding=encoding)
    svc("survey", "import", path, "--name", NAME)
    assert svc.json("survey", "report", NAME) == EXPECTED


def test_a_legacy_xls_export_tallies_the_same(svc, tmp_path):
    pytest.importorskip("xlwt", reason="xlwt (test extra) writes the .xls export")
    path = ex.write_xls(tmp_path / "问卷星导出.xls", *ex.small())
    assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 (BIFF) file
    svc("survey", "import", path, "--name", NAME)
    assert svc.json("survey", "report", NAME) == EXPECTED


def test_one_question_alone(svc, small_xlsx):
    svc("survey", "import", small_xlsx, "--name", NAME)
    assert svc.json("survey", "report", NAME, "--question", "3") == EXPECTED[10:13]
    err = svc.fails("survey", "report", NAME, "--question", "9")
    assert err == f"Error: the survey {NAME} has no question 9\n"


def test_importing_the_same_file_again_adds_nothing(svc, small_xlsx):
    svc("survey", "import", small_xlsx, "--name", NAME)
    before = svc.dump()
    run = svc("survey", "import", small_xlsx, "--name", NAME)
    assert "0 response(s) imported, 12 already there" in run.err
    assert svc.dump() == before
    assert svc.json("survey", "report", NAME) == EXPECTED


def test_without_a_serial_a_response_is_known_by_its_content(svc, tmp_path):
    header, rows = ex.small(with_serial=False)
    first = ex.write_csv(tmp_path / "first.csv", header, rows[:8], "utf-8-sig")
    whole = ex.write_csv(tmp_path / "whole.csv", header, rows, "gb18030")
    svc("survey", "import", first, "--name", NAME)
    run = svc("survey", "import", whole, "--name", NAME)
    assert "4 response(s) imported, 8 already there" in run.err
    assert svc.json("survey", "report", NAME) == EXPECTED


def test_a_later_export_adds_only_the_new_responses(svc, tmp_path):
    header, rows = ex.small()
    svc("survey", "import", ex.write_xlsx(tmp_path / "a.xlsx", header, rows[:5]), "--name", NAME)
    run = svc("survey", "import", ex.write_xlsx(tmp_path / "b.xlsx", header, rows), "--name", NAME)
    assert "7 response(s) imported, 5 already there" in run.err
    assert svc.json("survey", "report", NAME) == EXPECTED


def test_a_file_that_is_not_a_survey_export_is_refused_and_nothing_written(svc, tmp_path):
    members = tmp_path / "members.csv"
    members.write_text("code,name,officer\nICBC,中国工商银行,王丽\n", encoding="utf-8")
    before = svc.dump()
    err = svc.fails("survey", "import", members, "--name", NAME)
    assert err == (
        f"Error: {members} is not a survey export: no column is headed like a question "
        "(1、题干 or 第1题); its columns are: code, name, officer\n"
    )
    assert svc.dump() == before


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("x.xlsx", b"PK\x03\x04 not really a workbook", "Error: cannot read "),
        ("x.pdf", b"%PDF-1.4", "Error: {path}: a survey export is a .xlsx, .xls or .csv file"),
        ("x.csv", b"\x00\x01\x02", "Error: "),
        ("x.csv", "序号,1、您的性别\n".encode(), "Error: "),
    ],
)
def test_a_broken_file_is_refused_with_one_error(svc, tmp_path, name, content, error):
    path = tmp_path / name
    path.write_bytes(content)
    before = svc.dump()
    err = svc.fails("survey", "import", path, "--name", NAME)
    assert err.startswith(error.format(path=path)) and err.count("\n") == 1, err
    assert svc.dump() == before


def test_the_by_number_layout_is_refused_saying_to_download_by_text(svc, tmp_path):
    header = ["序号", "提交答卷时间", "1、您的身份是？", "第2题(协会网站)", "第2题(微信公众号)"]
    rows = [["1", "2023/7/15 9:02:11", "1", "1", "0"], ["2", "2023/7/15 9:05:00", "2", "0", "1"]]
    path = ex.write_xlsx(tmp_path / "按序号.xlsx", header, rows)
    before = svc.dump()
    err = svc.fails("survey", "import", path, "--name", NAME)
    assert err == (
        f"Error: {path} is 问卷星's 按序号 download (option numbers, not their texts): "
        "download the answers 按文本 (下载答卷数据 → 按文本下载) and import that\n"
    )
    assert svc.dump() == before


def test_a_bad_row_refuses_the_whole_file_naming_its_line(svc, tmp_path):
    header, rows = ex.small()
    rows[3][0] = "四"
    rows[6][1] = "昨天下午"
    path = ex.write_csv(tmp_path / "bad.csv", header, rows, "utf-8-sig")
    before = svc.dump()
    run = svc("survey", "import", path, "--name", NAME, code=1)
    assert run.err.splitlines() == [
        f"Error: {path}: 2 bad row(s); nothing was imported",
        "line 5: 序号 '四' is not a number",
        "line 8: 提交答卷时间: '昨天下午' is not a date and time (expected YYYY-MM-DD HH:MM)",
    ]
    assert svc.dump() == before


def test_another_questionnaire_under_the_same_name_is_refused(svc, small_xlsx, tmp_path):
    svc("survey", "import", small_xlsx, "--name", NAME)
    header, rows = ex.small()
    header[8] = "3、请对以下方面排序"
    other = ex.write_xlsx(tmp_path / "other.xlsx", header, rows)
    before = svc.dump()
    err = svc.fails("survey", "import", other, "--name", NAME)
    assert "its questions differ (question 3)" in err
    assert svc.dump() == before


def test_columns_are_found_by_name_not_position(svc, tmp_path):
    """A quiz export (总分, no 来源详情) with its columns in another order and 第N题 heads."""
    header, rows = ex.small()
    order = [8, 0, 6, 1, 9, 7, 2]  # Q3, 序号, Q1, time, Q4, Q2, 所用时间
    heads = [header[i] for i in order] + ["总分"]
    heads[0] = "第3题：请对以下服务改进方向按重要性排序"
    shuffled = [[row[i] for i in order] + [str(60 + k)] for k, row in enumerate(rows)]
    svc("survey", "import", ex.write_xlsx(tmp_path / "quiz.xlsx", heads, shuffled), "--name", NAME)
    assert svc.json("survey", "report", NAME) == EXPECTED
    conn = sqlite3.connect(svc.db)
    assert conn.execute("SELECT sum(score), count(source_detail) FROM response").fetchone() == (
        sum(range(60, 72)),
        0,
    )


def test_the_tables_can_be_queried(svc, small_xlsx):
    svc("campaign", "new", "2023服务月", "--start", "2023-07-11", "--end", "2023-08-11")
    svc("survey", "import", small_xlsx, "--name", NAME)
    conn = sqlite3.connect(svc.db)
    assert conn.execute(
        "SELECT s.name, c.name FROM survey s JOIN campaign c ON c.id = s.campaign_id"
    ).fetchall() == [(NAME, "2023服务月")]
    # the first response: 2023/7/15 16:15:11 in Shanghai
    assert conn.execute(
        "SELECT serial, submitted_at, duration, ip FROM response ORDER BY serial LIMIT 1"
    ).fetchone() == (1, "2023-07-15T08:15:11.000000Z", "77秒", "10.21.1.199(内蒙古-呼和浩特)")
    assert conn.execute(
        "SELECT option, other FROM answer_choice WHERE other IS NOT NULL ORDER BY response_id"
    ).fetchall() == [("其他", "抖音短视频"), ("其他", "社区宣传栏")]
    assert conn.execute("SELECT count(*) FROM answer WHERE question = 1").fetchone() == (
        11,
    )  # the skipped answer is no row


def test_survey_list(svc, small_xlsx):
    svc("campaign", "new", "2023服务月", "--start", "2023-07-11", "--end", "2023-08-11")
    svc("survey", "import", small_xlsx, "--name", NAME)
    assert svc.json("survey", "list") == [
        {
            "name": NAME,
            "campaign": "2023服务月",
            "questions": 4,
            "responses": 12,
            "first_at": "2023-07-15T16:15:11+08:00",
            "last_at": "2023-07-18T23:38:11+08:00",
        }
    ]


def test_a_survey_named_for_another_campaign_is_refused(svc, small_xlsx):
    svc("campaign", "new", "2023服务月", "--start", "2023-07-11", "--end", "2023-08-11")
    svc("campaign", "new", "2024服务月", "--start", "2024-07-11", "--end", "2024-08-11")
    svc("survey", "import", small_xlsx, "--name", NAME, "--campaign", "2023服务月")
    err = svc.fails("survey", "import", small_xlsx, "--name", NAME, "--campaign", "2024服务月")
    assert err == f"Error: the survey {NAME} belongs to 2023服务月, not to 2024服务月\n"


def test_an_unknown_survey(svc):
    assert svc.fails("survey", "report", "无此问卷") == (
        "Error: no survey named '无此问卷'; see `svcmonth survey list`\n"
    )


def test_csv_report_has_the_json_keys_and_inert_cells(svc, tmp_path):
    header, rows = ex.small()
    rows[0][9] = '=HYPERLINK("http://evil")'
    svc("survey", "import", ex.write_csv(tmp_path / "e.csv", header, rows, "utf-8"), "--name", NAME)
    out = svc("survey", "report", NAME, "--question", "4", "--format", "csv").out
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == [c.key for c in survey.REPORT_COLUMNS]
    assert [
        *("4", Q4, "text", ""),
        *('\'=HYPERLINK("http://evil")', "1", "9.1", "11", "false", "", "", ""),
    ] in table
    target = tmp_path / "r.csv"
    svc("survey", "report", NAME, "--format", "csv", "--output", target)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_markdown_is_ready_to_publish(svc, small_xlsx):
    svc("survey", "import", small_xlsx, "--name", NAME)
    md = svc("survey", "report", NAME, "--format", "md").out
    assert md.startswith(f"## {NAME}\n\n### 1. {Q1}\n\nsingle choice · 11 answered\n\n")
    assert "| 国有大型商业银行 | 5 | 45.5% |" in md
    # the texts typed into "other" are listed under the table, not counted again (issue 20)
    assert "Written in “other”:\n\n- 抖音短视频（1）\n- 社区宣传栏（1）\n" in md
    assert "| “other”" not in md
    assert "| 服务效率 | 6 | 1.5 |" in md
    assert "| 活动很好 | 1 |" in md


def test_markdown_shows_typed_text_as_text(svc, tmp_path):
    header, rows = ex.small()
    rows[0][9] = "<script>alert(1)</script> | **好**"
    svc("survey", "import", ex.write_xlsx(tmp_path / "e.xlsx", header, rows), "--name", NAME)
    md = svc("survey", "report", NAME, "--question", "4", "--format", "md").out
    assert "| \\<script\\>alert(1)\\</script\\> \\| \\*\\*好\\*\\* | 1 |" in md
    assert "<script>" not in md


def test_the_xlsx_has_a_bar_chart_per_choice_question(svc, small_xlsx, tmp_path):
    from openpyxl import load_workbook

    svc("survey", "import", small_xlsx, "--name", NAME)
    out = tmp_path / "结果.xlsx"
    svc("survey", "report", NAME, "--format", "xlsx", "--output", out)
    book = load_workbook(out)
    data, charts = book.worksheets
    assert charts.title == "Charts"
    # openpyxl reads charts back through its reader: the drawing's charts
    found = charts._charts
    assert [c.title.tx.rich.p[0].r[0].t for c in found] == [f"1、{Q1}", f"2、{Q2}"]
    first_row = data.max_row - len(EXPECTED) + 1
    refs = [c.series[0].val.numRef.f for c in found]
    count_col = "E"
    assert refs == [
        f"'{data.title}'!${count_col}${first_row}:${count_col}${first_row + 3}",
        f"'{data.title}'!${count_col}${first_row + 4}:${count_col}${first_row + 7}",
    ]
    assert [data[f"D{first_row + i}"].value for i in range(4)] == [
        "国有大型商业银行",
        "股份制商业银行",
        "城市商业银行",
        "农村金融机构",
    ]


def test_html_is_one_page_with_a_bar_per_option_and_typed_text_escaped(svc, tmp_path):
    import html5lib

    header, rows = ex.small()
    rows[0][9] = "<script>alert(1)</script> & <img src=x onerror=alert(1)>"
    rows[3][7] = "协会网站┋微信公众号┋其他〖<b>抖音</b>〗"
    svc("survey", "import", ex.write_xlsx(tmp_path / "e.xlsx", header, rows), "--name", NAME)
    text = svc("survey", "report", NAME, "--format", "html").out
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    assert text.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "".join(doc.find(".//title").itertext()) == NAME
    svg = "{http://www.w3.org/2000/svg}"
    bars = [r.get("width") for r in doc.iter(svg + "rect") if r.get("class") == "fill"]
    assert bars == ["45.5", "27.3", "18.2", "9.1", "66.7", "50.0", "50.0", "16.7"] + [
        "60.0",
        "30.0",
        "10.0",
    ]
    cells = [
        ["".join(td.itertext()) for td in tr.iter("td") if td.get("class") != "bar"]
        for tr in doc.iter("tr")
        if tr.find("td") is not None
    ]
    assert cells[:2] == [["国有大型商业银行", "5", "45.5%"], ["股份制商业银行", "3", "27.3%"]]
    assert cells[8] == ["服务效率", "6", "1.5"]  # a ranking: first places, average rank
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in text
    assert "<li>&lt;b&gt;抖音&lt;/b&gt;</li>" in text


def test_html_to_a_file_and_one_question(svc, small_xlsx, tmp_path):
    svc("survey", "import", small_xlsx, "--name", NAME)
    target = tmp_path / "结果.html"
    run = svc("survey", "report", NAME, "-q", "1", "--format", "html", "--output", target)
    assert run.err == f"wrote {target}\n" and run.out == ""
    text = target.read_text(encoding="utf-8")
    assert text.count("<h3>") == 1 and f"<h3>1. {Q1}</h3>" in text
    err = svc.fails("survey", "report", NAME, "--format", "html", "--encoding", "gb18030")
    assert err == "Error: --format html is always written in UTF-8\n"


def test_the_survey_import_help_names_the_formats(svc):
    out = svc("survey", "import", "--help").out
    assert ".xls" in out and "按文本" in out


# --- the rules, on their own --------------------------------------------------------------


def test_an_answer_splits_on_its_separator_but_never_inside_other_text():
    assert survey.split_answer("A┋其他〖x→y┋z〗") == ("┋", [("A", None), ("其他", "x→y┋z")])
    assert survey.split_answer("甲→乙→丙") == ("→", [("甲", None), ("乙", None), ("丙", None)])
    assert survey.split_answer("其他〖〗") == (None, [("其他", None)])


def test_the_type_rule_in_order():
    assert survey.question_type(["A┋B", "C→D"]) == "multiple"
    assert survey.question_type(["A→B", "C"]) == "ranking"
    assert survey.question_type([str(i) for i in range(11)]) == "text"  # 11 distinct of 11
    assert survey.question_type([str(i) for i in range(10)]) == "single"  # not more than 10
    assert survey.question_type([str(i) for i in range(11)] + ["0"] * 11) == "single"  # half


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=500))
def test_a_percentage_is_rounded_half_up_to_one_decimal(count, of):
    from decimal import Decimal

    exact = Decimal(count * 1000) / of  # tenths of a percent
    expected = int(exact) + (1 if exact - int(exact) >= Decimal("0.5") else 0)
    assert survey.percent(count, of) == expected / 10


def test_report_and_list_are_a_library_for_the_website(svc, small_xlsx):
    svc("survey", "import", small_xlsx, "--name", NAME)
    from svcmonth import storage

    conn = storage.connect(svc.db)
    try:
        assert survey.report(conn, NAME) == EXPECTED
        assert [s["name"] for s in survey.list_surveys(conn)] == [NAME]
        assert survey.list_surveys(conn, campaign_id=1) == []
    finally:
        conn.close()
    assert json.loads(json.dumps(EXPECTED)) == EXPECTED


def test_times_stored_as_spreadsheet_dates_and_dotted_question_heads(svc, tmp_path):
    """An export whose 提交答卷时间 cells are real dates and whose heads read `1.题干`."""
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "提交答卷时间", "1.您的身份是？"])
    sheet.append([1, datetime(2023, 7, 20, 9, 30, 5), "银行客户"])
    sheet.append([2, datetime(2023, 7, 21, 18, 0, 0), "银行员工"])
    sheet.append([3, datetime(2023, 7, 22, 8, 0, 0), "(跳过)"])
    path = tmp_path / "dates.xlsx"
    book.save(path)
    svc("survey", "import", path, "--name", NAME)
    assert [
        (r["option"], r["count"], r["percent"]) for r in svc.json("survey", "report", NAME)
    ] == [
        ("银行客户", 1, 50.0),
        ("银行员工", 1, 50.0),
    ]
    listed = svc.json("survey", "list")[0]
    assert (listed["first_at"], listed["last_at"]) == (
        "2023-07-20T09:30:05+08:00",
        "2023-07-22T08:00:00+08:00",
    )
