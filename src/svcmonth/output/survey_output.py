"""Survey results for people: the rows as a table or workbook shows them, Markdown to
publish, the page's rows, and a bar chart per choice question added to the workbook before
its one write (``--format xlsx``). No terminal code here: the website builder can call
these too.

Every human format shows the texts typed into an "other" option as a list under the
question, never as counted options (a single choice's percentages add up to 100); a matrix
is a grouped table (its rows × the options) and a grouped chart; a scale shows its 满意率
and mean score."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from svcmonth import text as text_
from svcmonth.i18n import _

CHOICE_TYPES = ("single", "multiple", "scale")
_MD_SPECIAL = set("\\`*_[]<>|~&#")
# the columns a human format leaves out when no row of the report fills them
OPTIONAL_KEYS = ("row", "mean", "satisfaction")


def type_labels() -> dict[str, str]:
    """How a question type reads for people."""
    return {
        "single": _("single choice"),
        "multiple": _("multiple choice"),
        "ranking": _("ranking"),
        "text": _("free text"),
        "scale": _("rating scale"),
        "matrix": _("matrix"),
    }


def used_keys(rows: list[dict[str, Any]], keys: tuple[Any, ...]) -> tuple[Any, ...]:
    """The report's columns without those of ``OPTIONAL_KEYS`` no row fills (a survey with
    no matrix has no matrix-row column on paper)."""
    return tuple(
        c
        for c in keys
        if getattr(c, "key", c) not in OPTIONAL_KEYS
        or any(r.get(getattr(c, "key", c)) is not None for r in rows)
    )


def other_label(text: object, count: int) -> str:
    """An "other" text as it is listed under its question: ``“其他”填写：退休教师（4）``."""
    return _("“other” written in: {text} ({n})").format(text=text, n=count)


def for_people(rows: list[dict[str, Any]], blank_repeats: bool) -> list[dict[str, Any]]:
    """The report's rows with the type in words; a text typed into "other" is a listed
    note without count or share (it is counted once, in its option); for a table on
    screen, the question shown once, on its first row."""
    types = type_labels()
    out = []
    previous = None
    for row in rows:
        shown = dict(row, type=types.get(row["type"], row["type"]))
        if row["other"]:
            shown.update(option=other_label(row["option"], row["count"]), count=None, percent=None)
        if blank_repeats and row["number"] == previous:
            shown.update(
                number=None,
                question=None,
                type=None,
                respondents=None,
                mean=None,
                satisfaction=None,
            )
        previous = row["number"]
        out.append(shown)
    return out


def for_page(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows the website's survey section draws: a matrix's bars grouped by its rows
    (``服务态度 · 满意``), a scale's 满意率 and mean beside its question."""
    out = []
    for row in rows:
        shown = dict(row)
        if row.get("row") is not None and row["option"] is not None:
            shown["option"] = f"{row['row']} · {row['option']}"
        elif row.get("row") is not None:
            shown["option"] = None
        if row["type"] == "scale" and row.get("satisfaction") is not None:
            shown["question"] = f"{row['question']}（{_scale_note(row)}）"
        out.append(shown)
    return out


def _scale_note(row: dict[str, Any]) -> str:
    return _("satisfaction {pct}, mean {mean}").format(
        pct=_pct(row.get("satisfaction")),
        mean="" if row.get("mean") is None else f"{row['mean']:.1f}",
    )


def _md(value: object) -> str:
    """A cell or heading that Markdown shows as typed: no formatting, no HTML, no table
    breaks, no control character (an escape or a bell from the export shown as ``\\x1b``)."""
    shown = text_.display(" ".join(str(value).split()))
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in shown)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%"


def _questions(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    group: list[dict[str, Any]] = []
    for row in rows:
        if group and group[0]["number"] != row["number"]:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def markdown(rows: list[dict[str, Any]], title: str) -> str:
    """The results as Markdown to paste into the website: a heading per question, how many
    answered it, and a table of its options (ranking: first places and average rank;
    free text: the answers; a matrix: its rows × options; a scale: its 满意率 and mean),
    the texts typed into "other" listed under the table."""
    types = type_labels()
    lines = [f"## {_md(title)}", ""]
    for group in _questions(rows):
        first = group[0]
        lines += [f"### {first['number']}. {_md(first['question'])}", ""]
        lines += [
            _("{type} · {n} answered").format(
                type=types.get(first["type"], first["type"]),
                n=max(r["respondents"] for r in group),
            ),
            "",
        ]
        if all(r["option"] is None for r in group):
            lines += [_("(no answers)"), ""]
            continue
        option_, count_ = _("Option"), _("Count")
        if first["type"] == "matrix":
            lines += _matrix_md(group)
        elif first["type"] == "ranking":
            firsts, average = _("First places"), _("Average rank")
            lines += [f"| {option_} | {firsts} | {average} |", "|:---|---:|---:|"]
            lines += [
                f"| {_md(r['option'])} | {r['count']} | {r['average_rank']:.1f} |" for r in group
            ]
        elif first["type"] == "text":
            answer = _("Answer")
            lines += [f"| {answer} | {count_} |", "|:---|---:|"]
            lines += [f"| {_md(r['option'])} | {r['count']} |" for r in group]
        else:
            share = _("Share")
            lines += [f"| {option_} | {count_} | {share} |", "|:---|---:|---:|"]
            for r in group:
                if not r["other"]:
                    lines.append(f"| {_md(r['option'])} | {r['count']} | {_pct(r['percent'])} |")
            if first["type"] == "scale" and first.get("satisfaction") is not None:
                lines += ["", _md(_scale_note(first))]
            others = [r for r in group if r["other"]]
            if others:
                lines += ["", _("Written in “other”:"), ""]
                lines += [f"- {_md(r['option'])}（{r['count']}）" for r in others]
        lines.append("")
    return "\n".join(lines)


def _matrix_md(group: list[dict[str, Any]]) -> list[str]:
    """A matrix as one table: a line per matrix row, a column per option (``n（p%）``),
    then who answered that row (and its 满意率 and mean on a scale)."""
    options = list(dict.fromkeys(r["option"] for r in group if r["option"] is not None))
    scale = any(r.get("satisfaction") is not None for r in group)
    head = [_("Row"), *(_md(o) for o in options), _("Answered")]
    if scale:
        head += [_("Satisfaction %"), _("Mean score")]
    lines = ["| " + " | ".join(head) + " |", "|:---|" + "---:|" * (len(head) - 1)]
    for label, cells in _by_matrix_row(group).items():
        counts = {r["option"]: r for r in cells if r["option"] is not None}
        line = [_md(label)]
        for o in options:
            r = counts.get(o)
            line.append(f"{r['count']}（{_pct(r['percent'])}）" if r else "")
        line.append(str(cells[0]["respondents"]))
        if scale:
            mean = cells[0].get("mean")
            line += [_pct(cells[0].get("satisfaction")), "" if mean is None else f"{mean:.1f}"]
        lines.append("| " + " | ".join(line) + " |")
    return lines


def _by_matrix_row(group: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for r in group:
        rows.setdefault(str(r["row"]), []).append(r)
    return rows


def add_charts(book: Any, rows: list[dict[str, Any]], keys: tuple[str, ...]) -> int:
    """Add a sheet of bar charts to ``book`` (the workbook the renderer made, before it is
    written): one per choice or scale question, read from the renderer's sheet (the report's
    rows are that sheet's last ``len(rows)`` rows, in the columns of ``keys``), and one
    grouped chart per matrix (drawn from a small table of its rows × options on the chart
    sheet). Widens the text columns, percentages to one decimal. Returns the number of
    charts."""
    from openpyxl.chart import Reference

    data = book.worksheets[0]
    first_row = data.max_row - len(rows) + 1
    option_col = keys.index("option") + 1
    count_col = keys.index("count") + 1
    _readable(data, keys, first_row)
    sheet = book.create_sheet(text_.sheet_title(_("Charts")))
    # printed (or made a PDF) one chart width to a page, not cut down the middle
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    anchor_row = 1
    table_col = 14  # the matrices' tables, right of the charts
    table_row = 1
    charts = 0
    offset = 0
    for group in _questions(rows):
        start = first_row + offset
        offset += len(group)
        head = group[0]
        title = text_.display(f"{head['number']}、{head['question']}")
        if head["type"] == "matrix":
            chart, height = _matrix_chart(sheet, group, title, table_row, table_col)
            if chart is None:
                continue
            table_row += height + 2
        else:
            options = [r for r in group if not r["other"] and r["option"] is not None]
            if head["type"] not in CHOICE_TYPES or not options:
                continue
            chart = _bar_chart(title, len(options))
            if head["type"] == "scale" and head.get("satisfaction") is not None:
                chart.title = f"{title}（{_scale_note(head)}）"
            chart.y_axis.title = _("Count ({n} answered)").format(n=head["respondents"])
            end = start + len(options) - 1
            chart.add_data(
                Reference(data, min_col=count_col, min_row=start, max_row=end),
                titles_from_data=False,
            )
            chart.set_categories(Reference(data, min_col=option_col, min_row=start, max_row=end))
            chart.legend = None
        sheet.add_chart(chart, f"A{anchor_row}")
        anchor_row += math.ceil(chart.height / 0.5) + 2  # a row is about 0.5 cm
        charts += 1
    return charts


def _bar_chart(title: str, bars: int) -> Any:
    from openpyxl.chart import BarChart
    from openpyxl.chart.label import DataLabelList

    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long Chinese options stay readable
    chart.style = 10
    chart.title = title
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # the first option on top
    chart.y_axis.crosses = "max"  # and the counts' axis still at the bottom
    chart.x_axis.delete = False  # openpyxl ≥ 3.1 hides the axes unless told
    chart.y_axis.delete = False
    # every flag said: LibreOffice shows the series name and category where one is unset
    chart.dataLabels = DataLabelList(
        showVal=True,
        showSerName=False,
        showCatName=False,
        showLegendKey=False,
        showPercent=False,
        showLeaderLines=False,
    )
    chart.width = 18
    chart.x_axis.tickLblSkip = 1  # every option named, even when the bars are close
    chart.height = max(7.0, 4.0 + 0.9 * bars)
    return chart


def _matrix_chart(
    sheet: Any, group: list[dict[str, Any]], title: str, top: int, left: int
) -> tuple[Any, int]:
    """A matrix's grouped bars: its rows as categories, one series per option (the share
    of that row's respondents), from a table written at ``top``/``left`` of ``sheet``."""
    from openpyxl.chart import Reference

    from svcmonth.output import csvio

    options = list(dict.fromkeys(r["option"] for r in group if r["option"] is not None))
    matrix = _by_matrix_row(group)
    if not options:
        return None, 0
    sheet.cell(row=top, column=left, value=text_.keep_tabs(csvio.cell(title)))
    for j, option in enumerate(options, start=1):
        sheet.cell(row=top, column=left + j, value=text_.keep_tabs(csvio.cell(str(option))))
    for i, (label, cells) in enumerate(matrix.items(), start=1):
        sheet.cell(row=top + i, column=left, value=text_.keep_tabs(csvio.cell(label)))
        share = {r["option"]: r["percent"] for r in cells}
        for j, option in enumerate(options, start=1):
            cell = sheet.cell(row=top + i, column=left + j, value=share.get(option) or 0)
            cell.number_format = "0.0"
    chart = _bar_chart(title, len(matrix) * max(1, len(options) // 2))
    chart.type = "col"
    chart.x_axis.scaling.orientation = "minMax"
    chart.y_axis.crosses = "autoZero"
    chart.y_axis.title = _("Share of the row's answers (%)")
    chart.dataLabels = None
    chart.add_data(
        Reference(
            sheet,
            min_col=left + 1,
            max_col=left + len(options),
            min_row=top,
            max_row=top + len(matrix),
        ),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=left, min_row=top + 1, max_row=top + len(matrix)))
    chart.height = 9.0
    return chart, len(matrix) + 1


def _readable(sheet: Any, keys: tuple[str, ...], first_row: int) -> None:
    """Question and option columns wide enough to read; percentages as ``45.0``."""
    from openpyxl.utils import get_column_letter

    widths = {"question": 40, "option": 28, "type": 10}
    for key, width in widths.items():
        if key in keys:
            sheet.column_dimensions[get_column_letter(keys.index(key) + 1)].width = width
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # printed: every column on the page
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    for key in ("percent", "satisfaction", "mean"):
        if key in keys:
            col = keys.index(key) + 1
            for row in range(first_row, sheet.max_row + 1):
                sheet.cell(row=row, column=col).number_format = "0.0"
