"""The one renderer: table, csv, json, md, xlsx; BOMs, encodings and inert cells."""

from __future__ import annotations

import csv
import io

import openpyxl

HOSTILE = '=HYPERLINK("http://evil.example","点我")'


def test_csv_to_a_file_has_a_bom_and_the_json_keys_as_header(tmp_path, c2023):
    out = tmp_path / "members.csv"
    c2023("member", "list", "--format", "csv", "--output", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "code,name,officer,phone,email,category,active"
    assert text.splitlines()[1] == (
        "ICBC,中国工商银行内蒙古分行,王丽,13904710001,wangli@icbc.example.cn,,true"
    )


def test_csv_to_stdout_has_no_bom(c2023):
    run = c2023("member", "list", "--format", "csv")
    assert run.out.startswith("code,name,")


def test_csv_in_gb18030_for_old_excel(tmp_path, c2023):
    out = tmp_path / "members.csv"
    c2023("member", "list", "--format", "csv", "--output", str(out), "--encoding", "gb18030")
    assert out.read_bytes().decode("gb18030").splitlines()[1].startswith("ICBC,中国工商银行")


def test_an_unknown_encoding_is_an_error(tmp_path, c2023):
    err = c2023.fails("member", "list", "--format", "csv", "--encoding", "klingon")
    assert "unknown encoding" in err


def test_hostile_cells_are_inert_in_csv(tmp_path, c2023):
    c2023("member", "add", "EVIL", HOSTILE, "--officer", "+8613900000000", "--category", "@sum")
    rows = list(csv.reader(io.StringIO(c2023("member", "list", "--format", "csv").out)))
    evil = rows[-1]
    assert evil[1] == "'" + HOSTILE
    assert evil[2] == "'+8613900000000"
    assert evil[5] == "'@sum"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_hostile_cells_are_inert_in_xlsx_and_phones_stay_text(tmp_path, c2023):
    c2023("member", "add", "EVIL", HOSTILE, "--phone", "13904710099")
    out = tmp_path / "members.xlsx"
    c2023("member", "list", "--format", "xlsx", "--output", str(out))
    ws = openpyxl.load_workbook(out).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "Members"  # the title row, then the labelled header
    assert values[1] == [
        "Member code",
        "Member name",
        "Publicity officer",
        "Phone",
        "E-mail",
        "Category",
        "Registered",
    ]
    evil = values[-1]
    assert evil[1] == "'" + HOSTILE
    assert evil[3] == "13904710099" and ws.cell(row=len(values), column=4).data_type == "s"
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f"


def test_xlsx_needs_an_output_file(c2023):
    assert "--output" in c2023.fails("member", "list", "--format", "xlsx")


def test_json_is_one_array(c2023):
    out = c2023("member", "list", "--format", "json").json()
    assert isinstance(out, list) and len(out) == 3
    assert c2023("submission", "list", "--format", "json").out == "[]\n"


def test_plain_table_has_no_escape_codes_and_never_cuts_long_names(c2023):
    long_name = "内蒙古自治区呼和浩特市赛罕区某某农村商业银行股份有限公司营业部服务中心"
    c2023("member", "add", "LONG", long_name, "--officer", "阿拉坦其其格")
    out = c2023("member", "list").out
    assert "\x1b[" not in out
    assert long_name in out
    lines = out.splitlines()
    assert lines[0].split("  ")[0] == "Member code"
    assert lines[0].split()[-3:] == ["E-mail", "Category", "Registered"]


def test_plain_table_aligns_chinese_by_display_width(c2023):
    from wcwidth import wcswidth

    lines = c2023("member", "list").out.splitlines()
    column = wcswidth(lines[0][: lines[0].index("Publicity officer")])
    for line, officer in zip(lines[2:], ("王丽", "李强", "张敏"), strict=True):
        # CJK characters are two columns wide: the officer column starts at one place
        assert wcswidth(line[: line.index(officer)]) == column


def test_markdown_for_pasting(c2023):
    out = c2023("member", "list", "--format", "md").out
    assert out.splitlines()[0].startswith("| Member code")
    assert set(out.splitlines()[1]) <= set("|-: ")
    assert "| ICBC" in out


def test_output_to_a_file_says_so_on_stderr(tmp_path, c2023):
    out = tmp_path / "q.json"
    run = c2023("check", "quota", "--format", "json", "--output", str(out))
    assert run.out == ""
    assert f"wrote 3 rows to {out}" in run.err


def test_a_listing_writer_renders_only_what_it_can_and_may_leave_it_to_the_format(capsys):
    from svcmonth.output import render

    seen = []

    @render.register_writer("a test listing", can_render=lambda fmt, target: fmt == "csv")
    def special(rows, fields, target, source):
        seen.append(source)
        if source == "decline":
            return None
        render.write_text("special\n", target.output)
        return 7

    rows = [{"code": "ICBC"}]
    try:
        assert render.render(rows, ["code"], "csv", listing="a test listing", source="go") == 7
        assert capsys.readouterr().out == "special\n"
        assert render.render(rows, ["code"], "csv", listing="a test listing", source="decline") == 1
        assert capsys.readouterr().out == "code\r\nICBC\r\n"  # the csv format's own
        assert render.render(rows, ["code"], "json", listing="a test listing") == 1
        assert capsys.readouterr().out.startswith("[")
        assert render.render(rows, ["code"], "csv", source="another listing's") == 1
        assert capsys.readouterr().out == "code\r\nICBC\r\n"
        assert seen == ["go", "decline"]
        render.register_writer("a test listing", can_render=lambda fmt, t: True, document=True)(
            lambda rows, fields, target, source: 1
        )
        csv = render.render_listing(rows, ["code"], "csv", listing="a test listing", source="go")
        assert csv == render.Rendered(7, document=False)  # the first that can render goes first
        assert capsys.readouterr().out == "special\n"
        md = render.render_listing(rows, ["code"], "md", listing="a test listing")
        assert md == render.Rendered(1, document=True)  # one document: "wrote PATH", not rows
        assert capsys.readouterr().out == ""
    finally:
        del render.WRITERS["a test listing"]
