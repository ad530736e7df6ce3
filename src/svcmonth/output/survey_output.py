"""Survey results for people: Markdown to publish, and a bar chart per choice question in
the workbook the renderer wrote (``--format xlsx``). No terminal code here: the website
builder can call these too."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _

CHOICE_TYPES = ("single", "multiple")
_MD_SPECIAL = set("\\`*_[]<>|~&#")


def type_labels() -> dict[str, str]:
    """How a question type reads for people."""
    return {
        "single": _("single choice"),
        "multiple": _("multiple choice"),
        "ranking": _("ranking"),
        "text": _("free text"),
    }


def for_people(rows: list[dict[str, Any]], blank_repeats: bool) -> list[dict[str, Any]]:
    """The report's rows with the type in words (and, for a table on screen, the question
    shown once, on its first row)."""
    types = type_labels()
    out = []
    previous = None
    for row in rows:
        shown = dict(row, type=types.get(row["type"], row["type"]))
        if row["other"]:
            shown["option"] = _("“other”: {text}").format(text=row["option"])
        if blank_repeats and row["number"] == previous:
            shown.update(number=None, question=None, type=None, respondents=None)
        previous = row["number"]
        out.append(shown)
    return out


def _md(text: object) -> str:
    """A cell or heading that Markdown shows as typed: no formatting, no HTML, no table
    breaks."""
    value = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in value)


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
    free text: the answers)."""
    types = type_labels()
    lines = [f"## {_md(title)}", ""]
    for group in _questions(rows):
        first = group[0]
        lines += [f"### {first['number']}. {_md(first['question'])}", ""]
        lines += [
            _("{type} · {n} answered").format(
                type=types.get(first["type"], first["type"]), n=first["respondents"]
            ),
            "",
        ]
        if first["option"] is None:
            lines += [_("(no answers)"), ""]
            continue
        option_, count_ = _("Option"), _("Count")
        if first["type"] == "ranking":
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
                option = _md(r["option"])
                if r["other"]:
                    option = _("“other”: {text}").format(text=option)
                lines.append(f"| {option} | {r['count']} | {_pct(r['percent'])} |")
        lines.append("")
    return "\n".join(lines)


def add_charts(path: Path, rows: list[dict[str, Any]], keys: tuple[str, ...]) -> int:
    """Add a sheet of bar charts, one per choice question, to the workbook the renderer
    wrote at ``path`` (and widen its text columns, percentages to one decimal). Each chart
    reads its options and counts from the renderer's sheet: the report's rows are that
    sheet's last ``len(rows)`` rows (whatever title rows the renderer puts above them), in
    the columns of ``keys``. Returns the number of charts."""
    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList

    book = load_workbook(path)
    data = book.worksheets[0]
    first_row = data.max_row - len(rows) + 1
    option_col = keys.index("option") + 1
    count_col = keys.index("count") + 1
    _readable(data, keys, first_row)
    sheet = book.create_sheet(_("Charts"))
    # printed (or made a PDF) one chart width to a page, not cut down the middle
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    anchor_row = 1
    charts = 0
    offset = 0
    for group in _questions(rows):
        start = first_row + offset
        offset += len(group)
        head = group[0]
        options = [r for r in group if not r["other"] and r["option"] is not None]
        if head["type"] not in CHOICE_TYPES or not options:
            continue
        chart = BarChart()
        chart.type = "bar"  # horizontal bars: long Chinese options stay readable
        chart.style = 10
        chart.title = f"{head['number']}、{head['question']}"
        chart.y_axis.title = _("Count ({n} answered)").format(n=head["respondents"])
        chart.y_axis.majorGridlines = None
        chart.x_axis.scaling.orientation = "maxMin"  # the first option on top
        chart.y_axis.crosses = "max"  # and the counts' axis still at the bottom
        chart.x_axis.delete = False  # openpyxl ≥ 3.1 hides the axes unless told
        chart.y_axis.delete = False
        chart.legend = None
        values = Reference(data, min_col=count_col, min_row=start, max_row=start + len(options) - 1)
        labels = Reference(
            data, min_col=option_col, min_row=start, max_row=start + len(options) - 1
        )
        chart.add_data(values, titles_from_data=False)
        chart.set_categories(labels)
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
        chart.height = max(7.0, 4.0 + 0.9 * len(options))
        sheet.add_chart(chart, f"A{anchor_row}")
        anchor_row += math.ceil(chart.height / 0.5) + 2  # a row is about 0.5 cm
        charts += 1
    try:
        book.save(path)
    except OSError as exc:
        raise SvcmonthError(
            _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None
    return charts


def _readable(sheet: Any, keys: tuple[str, ...], first_row: int) -> None:
    """Question and option columns wide enough to read; percentages as ``45.0``."""
    from openpyxl.utils import get_column_letter

    widths = {"question": 40, "option": 28, "type": 10}
    for key, width in widths.items():
        sheet.column_dimensions[get_column_letter(keys.index(key) + 1)].width = width
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # printed: every column on the page
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    col = keys.index("percent") + 1
    for row in range(first_row, sheet.max_row + 1):
        sheet.cell(row=row, column=col).number_format = "0.0"
