"""``--format xlsx``: a workbook for people, registered with ``render`` like every format."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from svcmonth import text as text_
from svcmonth.i18n import _
from svcmonth.output import columns as columns_
from svcmonth.output import csvio, outfile
from svcmonth.output.columns import Field
from svcmonth.output.render import Target, display_width, register


@register("xlsx", human=True, file_only=True)
def _xlsx(rows: Iterable[dict[str, Any]], cols: list[Field], target: Target) -> int:
    """A workbook for people, written to ``--output``."""
    assert target.output is not None
    wb, n = build(rows, cols, target)
    _save_workbook(wb, target.output)
    return n


def to_bytes(rows: Iterable[dict[str, Any]], cols: list[Field], target: Target) -> bytes:
    """The same workbook as bytes (a file inside a 报送包: ``svcmonth.bundles``)."""
    import io

    wb, _n = build(rows, cols, target)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build(rows: Iterable[dict[str, Any]], cols: list[Field], target: Target) -> tuple[Any, int]:
    """A workbook for people: title row, the as-of line, a bold header frozen and repeated on
    every printed page, widths that fit the text, numbers as numbers, landscape, one page
    wide. Returns the workbook and the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    rows = list(rows)
    title = target.title or "svcmonth"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = text_.sheet_title(target.sheet or title)
    n_cols = max(1, len(cols))
    heading = ws.cell(row=1, column=1, value=text_.keep_tabs(csvio.cell(title)))
    heading.font = Font(bold=True, size=14)
    heading.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 24
    header_row = 2
    if target.note:
        note = ws.cell(row=2, column=1, value=text_.keep_tabs(csvio.cell(target.note)))
        note.font = Font(size=10, color="555555")
        header_row = 3
    if n_cols > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
        if target.note:
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n_cols)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor="DDE4EE")
    widths = [display_width(c.heading) for c in cols]
    centered = Alignment(horizontal="center")
    first_header = header_row
    if any(c.group for c in cols):  # a two-row header: the groups above their columns
        header_row += 1
        start = 1
        for index, c in enumerate(cols, start=1):
            nxt = cols[index] if index < len(cols) else None
            if nxt is not None and c.group and nxt.group == c.group:
                continue
            cell = ws.cell(row=first_header, column=start, value=_(c.group) if c.group else None)
            if c.group and index > start:
                ws.merge_cells(
                    start_row=first_header,
                    start_column=start,
                    end_row=first_header,
                    end_column=index,
                )
            for col_index in range(start, index + 1):
                ws.cell(row=first_header, column=col_index).border = border
                ws.cell(row=first_header, column=col_index).fill = fill
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center")
            start = index + 1
    for index, c in enumerate(cols, start=1):
        cell = ws.cell(row=header_row, column=index, value=c.heading)
        if header_row != first_header and not c.group:  # one label over both header rows
            ws.cell(row=first_header, column=index).value = None
            ws.merge_cells(
                start_row=first_header, start_column=index, end_row=header_row, end_column=index
            )
            cell = ws.cell(row=first_header, column=index, value=c.heading)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r_index, row in enumerate(rows, start=header_row + 1):
        for c_index, c in enumerate(cols, start=1):
            value = row.get(c.key)
            body: Any = ws.cell(row=r_index, column=c_index)
            body.border = border
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                body.value = value
                shown = str(value)
            else:
                # text stays text: phone numbers and long codes never become numbers in
                # scientific notation, and nothing becomes a formula
                shown = columns_.human(value, c.kind)
                body.value = text_.keep_tabs(csvio.cell(shown))
                body.data_type = TYPE_STRING
                if c.kind in ("bool", "eligible") or c.kind in columns_.VALUES:
                    body.alignment = centered
            widths[c_index - 1] = max(widths[c_index - 1], display_width(shown))
    if target.footer:
        below = ws.cell(
            row=header_row + len(rows) + 2,
            column=1,
            value=text_.keep_tabs(csvio.cell(target.footer)),
        )
        below.font = Font(size=10)
    # page numbers on every printed page (&P of &N: Excel's and WPS's header/footer codes)
    if ws.oddFooter is not None:
        ws.oddFooter.center.text = _("Page &P of &N")
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(60, max(6, width + 2))
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{first_header}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        from openpyxl.worksheet.properties import PageSetupProperties

        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    return wb, len(rows)


def _save_workbook(wb: Any, output: Path) -> None:
    """Write a workbook to ``--output`` (the one place a binary output is written)."""
    with outfile.open_binary(output) as handle:
        wb.save(handle)
