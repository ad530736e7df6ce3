"""Real files from real offices (issue 20): the survey tools' true exports, the clerk's Excel
member list, Outlook .msg mail — each through the CLI, on fixtures shaped as the tools write
them (tests/survey_exports.py says where each shape comes from; tests/msgfile.py writes a
real OLE compound file)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import survey_exports as ex
from msgfile import msg_file

NAME = "2023服务月客户满意度调查"


def _import(svc, path: Path, *extra: str):
    return svc("survey", "import", path, "--name", NAME, *extra)


def _wjx(tmp_path: Path) -> Path:
    header, rows = ex.wjx_by_text()
    # 问卷星 names its 按文本 download <问卷ID>_<序号>_0
    return ex.write_xlsx(tmp_path / "225860123_3_0.xlsx", header, rows)


def _question(rows: list[dict], n: int) -> list[dict]:
    return [r for r in rows if r["number"] == n]


def test_wjx_matrix_gives_a_row_per_matrix_row_and_option_adding_to_100(svc, tmp_path):
    run = _import(svc, _wjx(tmp_path))
    assert "20 response(s) imported" in run.err and "5 question(s)" in run.err
    matrix = _question(svc.json("survey", "report", NAME), 2)
    assert {r["type"] for r in matrix} == {"matrix"}
    by_row: dict[str, list[dict]] = {}
    for r in matrix:
        by_row.setdefault(r["row"], []).append(r)
    assert list(by_row) == ["服务态度", "等候时间", "环境设施"]
    for cells in by_row.values():
        # every option of the scale, best first, unchosen ones with 0
        assert [c["option"] for c in cells] == ["非常满意", "满意", "一般", "不满意", "非常不满意"]
        assert sum(c["percent"] for c in cells) == pytest.approx(100.0)
    waiting = {c["option"]: (c["count"], c["percent"]) for c in by_row["等候时间"]}
    assert by_row["等候时间"][0]["respondents"] == 16  # the four -3 (not shown) are no answers
    assert waiting == {
        "非常满意": (4, 25.0),
        "满意": (6, 37.5),
        "一般": (4, 25.0),
        "不满意": (2, 12.5),
        "非常不满意": (0, 0.0),
    }
    assert [c["count"] for c in by_row["服务态度"]] == [10, 6, 4, 0, 0]


def test_wjx_scale_lists_options_best_first_with_mean_and_satisfaction(svc, tmp_path):
    _import(svc, _wjx(tmp_path))
    scale = _question(svc.json("survey", "report", NAME), 3)
    assert [(r["option"], r["count"], r["percent"]) for r in scale] == [
        ("非常满意", 8, 40.0),
        ("满意", 6, 30.0),
        ("一般", 4, 20.0),
        ("不满意", 2, 10.0),
        ("非常不满意", 0, 0.0),
    ]
    # mean on the five-point scale: (8×5 + 6×4 + 4×3 + 2×2) / 20 = 4.0; 满意率 (8+6)/20
    assert {(r["type"], r["mean"], r["satisfaction"]) for r in scale} == {("scale", 4.0, 70.0)}


def test_other_texts_are_never_counted_twice_in_any_human_format(svc, tmp_path):
    _import(svc, _wjx(tmp_path))
    rows = _question(svc.json("survey", "report", NAME), 1)
    assert sum(r["percent"] for r in rows if not r["other"]) == pytest.approx(100.0)
    md = svc("survey", "report", NAME, "--question", "1", "--format", "md").out
    assert "| 其他 | 3 | 15.0% |" in md
    assert "- 退休教师（2）" in md and "- 学生（1）" in md
    shares = [float(p) for p in __import__("re").findall(r"\| (\d+\.\d)% \|", md)]
    assert sum(shares) == pytest.approx(100.0)
    table = svc("survey", "report", NAME, "--question", "1").out
    assert "退休教师 (2)" in table
    assert table.count("%") == 0 and "10.0" not in table  # the note has no share of its own
    html = svc("survey", "report", NAME, "--question", "1", "--format", "html").out
    assert "退休教师" in html


def test_the_matrix_and_scale_in_md_html_and_xlsx(svc, tmp_path):
    from openpyxl import load_workbook

    _import(svc, _wjx(tmp_path))
    md = svc("survey", "report", NAME, "--format", "md").out
    assert "| 等候时间 | 4（25.0%） | 6（37.5%） | 4（25.0%） | 2（12.5%） | 0（0.0%） | 16 |" in md
    assert "satisfaction 70.0%, mean 4.0" in md
    html = svc("survey", "report", NAME, "--format", "html").out
    assert "等候时间 · 满意" in html and "satisfaction 70.0%, mean 4.0" in html
    out = tmp_path / "结果.xlsx"
    svc("survey", "report", NAME, "--format", "xlsx", "--output", out)
    book = load_workbook(out)
    charts = book.worksheets[1]._charts
    titles = [c.title.tx.rich.p[0].r[0].t for c in charts]
    assert titles[:2] == ["1、您的身份是？", "2、question 2"]
    assert any("满意度（satisfaction 70.0%" in t for t in titles)
    assert len(charts[1].series) == 5  # the matrix: one series per option, grouped by row


def test_wjx_by_number_download_is_refused_asking_for_by_text(svc, tmp_path):
    header, rows = ex.wjx_by_number()
    path = ex.write_xlsx(tmp_path / "225860123_3_2.xlsx", header, rows)
    before = svc.dump()
    err = svc.fails("survey", "import", path, "--name", NAME)
    assert "按序号" in err and "按文本下载" in err and len(err.splitlines()) == 1
    assert svc.dump() == before


def test_wjx_by_number_of_single_choices_only_is_refused(svc, tmp_path):
    header, rows = ex.wjx_by_number()
    keep = [j for j, h in enumerate(header) if not h.startswith(("第4题", "5、"))]
    path = ex.write_csv(
        tmp_path / "按序号.csv",
        [header[j] for j in keep],
        [[r[j] for j in keep] for r in rows],
        "gb18030",
    )
    assert "按文本下载" in svc.fails("survey", "import", path, "--name", NAME)


def test_wjx_skipped_and_not_shown_are_not_answers(svc, tmp_path):
    header, rows = ex.wjx_skips()
    path = ex.write_xls(tmp_path / "225860124_1_0.xls", header, rows)
    _import(svc, path)
    report = svc.json("survey", "report", NAME)
    assert {r["number"]: r["respondents"] for r in report} == {1: 8, 2: 5, 3: 5}
    assert {r["option"] for r in _question(report, 3)} == {"顺利", "不顺利"}


def test_type_override_makes_a_mostly_none_question_free_text(svc, tmp_path):
    path = _wjx(tmp_path)
    _import(svc, path)
    assert {r["type"] for r in _question(svc.json("survey", "report", NAME), 5)} == {"single"}
    svc("survey", "import", path, "--name", NAME, "--type", "5=text")
    q5 = _question(svc.json("survey", "report", NAME), 5)
    assert {r["type"] for r in q5} == {"text"} and q5[0] == q5[0] | {"option": "无", "count": 12}
    err = svc.fails("survey", "import", path, "--name", NAME, "--type", "2=text")
    assert "fixed" in err
    assert "N=TYPE" in svc.fails("survey", "import", path, "--name", NAME, "--type", "5=essay")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_tencent_exports(svc, tmp_path, kind):
    if kind == "xlsx":
        header, rows = ex.tencent()
        path = ex.write_xlsx(tmp_path / "腾讯问卷_服务满意度.xlsx", header, rows)
    else:
        header, rows = ex.tencent(bare=True, colon="：")
        path = ex.write_csv(tmp_path / "腾讯问卷_服务满意度.csv", header, rows, "utf-8-sig")
    run = _import(svc, path)
    assert "10 response(s) imported" in run.err and "3 question(s)" in run.err
    assert "not read" not in run.err  # every metadata column is known
    report = svc.json("survey", "report", NAME)
    channels = _question(report, 2)
    assert channels[0]["question"] == "您了解本次活动的渠道"
    assert [(r["option"], r["count"], r["other"]) for r in channels] == [
        ("协会网站", 7, False),
        ("微信公众号", 5, False),
        ("其他", 1, False),
        ("抖音", 1, True),
    ]
    assert {(r["type"], r["respondents"]) for r in channels} == {("multiple", 9)}
    scale = _question(report, 3)
    assert [r["option"] for r in scale] == ["很满意", "满意", "一般", "不满意", "很不满意"]
    assert {(r["mean"], r["satisfaction"]) for r in scale} == {(4.1, 80.0)}
    assert "0 response(s) imported, 10 already there" in _import(svc, path).err  # by 编号


def test_a_sheet_claiming_xfd1048576_is_read_with_bounded_memory(svc, tmp_path):
    """Issue 16's 512 GB abort: one far cell made python-calamine allocate the whole grid.
    The sheet is streamed to the caps (200 000 rows, 2 000 columns): the far cell is past
    them, the answers are read."""
    from openpyxl import load_workbook

    header, rows = ex.small()
    path = ex.write_xlsx(tmp_path / "far.xlsx", header, rows)
    book = load_workbook(path)
    book.active["XFD1048576"] = "x"
    book.save(path)
    assert path.stat().st_size < 20_000
    assert "12 response(s) imported" in _import(svc, path).err


def test_a_far_cell_within_the_caps_is_one_bad_line(svc, tmp_path):
    from openpyxl import load_workbook

    header, rows = ex.small()
    path = ex.write_xlsx(tmp_path / "far.xlsx", header, rows)
    book = load_workbook(path)
    book.active["ZZ200000"] = "x"
    book.save(path)
    before = svc.dump()
    run = svc("survey", "import", path, "--name", NAME, code=1)
    assert "line 200000: 702 fields where the header has 10" in run.err
    assert svc.dump() == before


def test_a_member_sheet_claiming_xfd1048576_is_read_with_bounded_memory(svc, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["单位代码", "单位名称"])
    book.active.append(["ICBC", "工行"])
    book.active["XFD1048576"] = "x"
    path = tmp_path / "会员.xlsx"
    book.save(path)
    svc("member", "import", path)
    assert [m["code"] for m in svc.json("member", "list")] == ["ICBC"]


def test_survey_markdown_escapes_control_characters_from_the_export(svc, tmp_path):
    header, rows = ex.small()
    rows[0][9] = "好\x1b[31m红\x07"
    _import(svc, ex.write_csv(tmp_path / "e.csv", header, rows, "utf-8"))
    md = svc("survey", "report", NAME, "--format", "md").out
    assert "\x1b" not in md and "\x07" not in md
    assert "\\\\x1b" in md or "\\x1b" in md


def test_survey_xlsx_charts_are_added_before_the_one_write(svc, tmp_path, monkeypatch):
    """A full disk while the charts were saved left a truncated file in place of an earlier
    good one: the workbook was re-saved over ``--output`` after the renderer wrote it."""
    from openpyxl import load_workbook
    from openpyxl.workbook.workbook import Workbook

    _import(svc, _wjx(tmp_path))
    out = tmp_path / "结果.xlsx"
    out.write_bytes(b"an earlier good file")
    real_save = Workbook.save

    def full_disk(self, target):  # a save straight to a path on a full disk: half a file
        if isinstance(target, (str, Path)) and Path(target) == out:
            Path(target).write_bytes(b"PK\x03\x04 truncated")
            raise OSError(28, "No space left on device")
        return real_save(self, target)

    monkeypatch.setattr(Workbook, "save", full_disk)
    svc("survey", "report", NAME, "--format", "xlsx", "--output", out)
    assert len(load_workbook(out).worksheets[1]._charts) >= 3


# --- member and submission lists from Excel ------------------------------------------------


def _members_xlsx(path: Path, header: list[str], rows: list[list[object]], title: bool) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "会员单位"
    if title:
        sheet.append(["2023年会员单位及宣传联络员名单"])  # the clerk's title row
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_member_import_reads_the_clerks_xlsx_ignoring_unused_columns(svc, tmp_path):
    path = _members_xlsx(
        tmp_path / "会员.xlsx",
        ["序号", "单位代码", "单位名称", "信息宣传员", "联系电话", "备注"],
        [[1, "ICBC", "工行内蒙古分行", "王丽", 13904710001, "新会员"], [2, "CCB", "建行", "刘洋"]],
        title=True,
    )
    run = svc("member", "import", path)
    assert run.err.count("序号, 备注") == 1 and "ignored" in run.err
    listed = {m["code"]: m for m in svc.json("member", "list")}
    assert listed["ICBC"]["officer"] == "王丽" and listed["ICBC"]["phone"] == "13904710001"
    assert listed["CCB"]["name"] == "建行"


def test_member_import_reads_a_legacy_xls(svc, tmp_path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for j, head in enumerate(["单位代码", "单位名称", "备注"]):
        sheet.write(0, j, head)
    sheet.write(1, 0, "BOC")
    sheet.write(1, 1, "中行")
    path = tmp_path / "会员.xls"
    book.save(str(path))
    svc("member", "import", path)
    assert [m["code"] for m in svc.json("member", "list")] == ["BOC"]


def test_a_missing_column_is_named_by_its_label_in_the_interface_language(svc, tmp_path):
    path = _members_xlsx(tmp_path / "会员.xlsx", ["序号", "单位名称"], [[1, "工行"]], title=False)
    before = svc.dump()
    assert "missing column(s): code" in svc.fails("member", "import", path)
    svc.lang = "zh_CN"
    err = svc("member", "import", path, code=1).err
    assert err.startswith("错误：") and "缺少列：单位代码" in err
    assert svc.dump() == before


def test_submission_import_reads_xlsx(svc, tmp_path):
    from openpyxl import Workbook

    svc("campaign", "new", "2023服务月", "--start", "2023-07-10", "--end", "2023-08-06")
    svc("member", "add", "ICBC", "工行")
    book = Workbook()
    book.active.append(["序号", "member", "column", "title", "submitted_at"])
    book.active.append([1, "ICBC", "先进事迹", "网点暖心服务", "2023-07-12 10:00"])
    path = tmp_path / "稿件.xlsx"
    book.save(path)
    run = svc("submission", "import", path)
    assert "imported 1 submission(s)" in run.err
    assert [s["title"] for s in svc.json("submission", "list")] == ["网点暖心服务"]


# --- Outlook .msg --------------------------------------------------------------------------


def test_inbox_import_reads_an_outlook_msg(svc, tmp_path):
    svc("campaign", "new", "2023服务月", "--start", "2023-07-10", "--end", "2023-08-06")
    svc("member", "add", "ICBC", "工行", "--email", "icbc@example.com")
    path = tmp_path / "【先进事迹】工行网点暖心服务.msg"
    path.write_bytes(
        msg_file(
            subject="【先进事迹】工行网点暖心服务",
            sender="ICBC@example.com",
            sender_name="王丽",
            body="附件是稿件。",
            delivered=datetime(2023, 7, 17, 3, 55, 30, tzinfo=UTC),
            submitted=datetime(2023, 7, 17, 3, 50, tzinfo=UTC),
            message_id="<20230717035000.1@icbc.example.com>",
            attachments=[("暖心服务.docx", b"PK\x03\x04" + b"d" * 5000), ("照片.jpg", b"\xff\xd8")],
        )
    )
    svc("inbox", "import", path)
    (entry,) = svc.json("inbox", "list")
    assert entry["from"] == "icbc@example.com" or entry["from"].lower().endswith("icbc@example.com")
    assert entry["member"] == "ICBC" and entry["column"] == "先进事迹"
    assert entry["title"] == "工行网点暖心服务"
    assert entry["arrival_source"] == "received"  # PR_MESSAGE_DELIVERY_TIME, not the sender's
    assert "2023-07-17" in entry["arrived_at"] and "11:55:30" in entry["arrived_at"]
    names = entry["attachments"]
    assert "暖心服务.docx" in json.dumps(names, ensure_ascii=False)
    assert "照片.jpg" in json.dumps(names, ensure_ascii=False)
    svc("inbox", "import", path)  # the same message again: its Message-ID is known
    assert len(svc.json("inbox", "list")) == 1


def test_a_file_that_is_no_mail_is_refused_in_one_line(svc, tmp_path):
    bad = tmp_path / "x.msg"
    bad.write_bytes(b"not an OLE file")
    before = svc.dump()
    err = svc.fails("inbox", "import", bad)
    assert "not an Outlook message" in err and len(err.splitlines()) == 1
    assert svc.dump() == before


def test_a_type_override_that_cannot_hold_is_refused_with_nothing_stored(svc, tmp_path):
    """``--type 5=scale`` on free-text answers would publish a 量表题 without a mean or a
    满意率; the same question typed twice would let the last silently win."""
    path = _wjx(tmp_path)
    before = svc.dump()
    assert "not the options of a known scale" in svc.fails(
        "survey", "import", path, "--name", NAME, "--type", "5=scale"
    )
    err = svc.fails(
        "survey", "import", path, "--name", NAME, "--type", "5=text", "--type", "5=single"
    )
    assert "given twice" in err
    assert svc.dump() == before
