"""The one renderer for every listing: table, csv, json, md (and xlsx for files).

- ``table``: rich on a terminal (coloured unless ``NO_COLOR``); elsewhere plain text drawn by
  tabulate in wide-character mode, so Chinese columns line up and no cell is ever cut.
- ``csv``: the JSON keys as header; cells made inert against formula injection; to a file
  UTF-8 with a BOM (Excel) unless ``--encoding`` says otherwise, to stdout without a BOM.
- ``json``: one array of objects, streamed row by row.
- ``md``: a GitHub-flavoured Markdown table, for pasting into the website or a message.
- ``xlsx``: an Excel workbook (``--output`` only), every text cell stored as text.
Heavy modules (rich, tabulate, openpyxl) are imported only when their format is used.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from svcmonth import csvio, outfile
from svcmonth import text as text_
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _

FORMATS = ("table", "csv", "json", "md", "xlsx")

STATUS_STYLE = {
    "on_time": "green",
    "met": "green",
    "graded": "green",
    "sent": "green",
    "late": "yellow",
    "at_risk": "yellow",
    "would_send": "cyan",
    "missing": "red",
    "failed": "red",
    "rejected": "red",
    "no_address": "red",
    "pending": "dim",
    "withdrawn": "dim",
    "already_sent": "dim",
}


def labels() -> dict[str, str]:
    """Column headings for people (translated); JSON keys and CSV headers stay as keys."""
    return {
        "code": _("Code"),
        "name": _("Name"),
        "officer": _("Officer"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "category": _("Category"),
        "active": _("Active"),
        "id": _("ID"),
        "member": _("Member"),
        "column": _("Column"),
        "kind": _("Kind"),
        "title": _("Title"),
        "author": _("Author"),
        "submitted_at": _("Submitted"),
        "week": _("Week"),
        "on_time": _("On time"),
        "level": _("Level"),
        "status": _("Status"),
        "adopted_by": _("Adopted by"),
        "points": _("Points"),
        "url": _("URL"),
        "deadline": _("Deadline"),
        "submission": _("Submission"),
        "articles": _("Articles"),
        "required": _("Required"),
        "shortfall": _("Shortfall"),
        "rank": _("Rank"),
        "reports_on_time": _("Reports on time"),
        "reports_late": _("Reports late"),
        "reports_missing": _("Reports missing"),
        "adopted": _("Adopted"),
        "quota_met": _("Minimum met"),
        "campaigns": _("Campaigns"),
        "weeks": _("Weeks"),
        "eligible": _("Eligible"),
        "submissions": _("Submissions"),
        "key": _("Key"),
        "to": _("To"),
        "subject": _("Subject"),
        "at": _("At"),
        "action": _("Action"),
        "entity": _("Entity"),
        "entity_id": _("Entity ID"),
        "before": _("Before"),
        "after": _("After"),
        "first_day": _("First day"),
        "last_day": _("Last day"),
        "columns": _("By column"),
        "start": _("Start"),
        "end": _("End"),
        "tz": _("Time zone"),
        "min_articles": _("Minimum"),
        "since": _("Since"),
        "until": _("Until"),
        "slogan": _("Slogan"),
        "setting": _("Setting"),
        "value": _("Value"),
        "check": _("Check"),
        "detail": _("Detail"),
        "body": _("Body"),
        "forwarded_on": _("Forwarded on"),
        "description": _("Description"),
        "doubling_default": _("Doubles"),
        "sort": _("Order"),
    }


def status_labels() -> dict[str, str]:
    """How a status value reads in a table for people."""
    return {
        "on_time": _("on time"),
        "late": _("late"),
        "missing": _("missing"),
        "pending": _("pending"),
        "met": _("met"),
        "at_risk": _("at risk"),
        "failed": _("failed"),
        "graded": _("graded"),
        "rejected": _("rejected"),
        "withdrawn": _("withdrawn"),
        "would_send": _("would send"),
        "sent": _("sent"),
        "already_sent": _("already sent"),
        "no_address": _("no address"),
        "ok": _("ok"),
        "problem": _("PROBLEM"),
    }


def _text(value: Any, key: str = "") -> str:
    """A value as people read it in a table."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items())
    if key == "status" or key.isdigit():  # a status, or a week column of the matrix
        return text_.display(status_labels().get(str(value), str(value)))
    return text_.display(str(value))


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def color_allowed() -> bool:
    """Colour only on a terminal and only without ``NO_COLOR`` (https://no-color.org)."""
    return stdout_is_terminal() and not os.environ.get("NO_COLOR")


@contextmanager
def _open_text(output: Path | None, encoding: str | None, file_default: str) -> Iterator[IO[str]]:
    if output is None:
        sys.stdout.flush()  # keep order with anything printed before
        stream = io.TextIOWrapper(
            sys.stdout.buffer,
            encoding=encoding or "utf-8",
            errors="strict",
            newline="",
            line_buffering=False,
            write_through=False,
        )
        try:
            yield stream
        finally:
            stream.flush()
            stream.detach()
        return
    with outfile.open_text(output, encoding or file_default) as handle:
        yield handle


def check_encoding(encoding: str | None) -> None:
    """Refuse an encoding Python does not know, before anything is written."""
    outfile.check_encoding(encoding)


def render(
    rows: Iterable[dict[str, Any]],
    keys: Sequence[str],
    fmt: str = "table",
    output: Path | None = None,
    encoding: str | None = None,
    title: str | None = None,
) -> int:
    """Show ``rows`` (only ``keys``, in that order) in ``fmt``; returns the number of rows."""
    check_encoding(encoding)
    if output is not None:
        outfile.refuse_protected(output)
    try:
        return _render(rows, keys, fmt, output, encoding, title)
    except UnicodeEncodeError as exc:  # to stdout; a file is never left half-written
        raise outfile.unencodable(encoding, exc) from None


def _render(
    rows: Iterable[dict[str, Any]],
    keys: Sequence[str],
    fmt: str,
    output: Path | None,
    encoding: str | None,
    title: str | None,
) -> int:
    if fmt == "xlsx":
        if output is None:
            raise SvcmonthError(_("--format xlsx needs --output FILE.xlsx"))
        return _xlsx(list(rows), keys, output, title)
    if fmt == "json":
        return _json(rows, keys, output, encoding)
    if fmt == "csv":
        return _csv(rows, keys, output, encoding)
    rows = list(rows)
    if fmt == "md":
        table = _plain(rows, keys, "github")
    elif output is None and color_allowed():
        _rich(rows, keys, title)
        return len(rows)
    else:
        table = _plain(rows, keys, "simple")
    with _open_text(output, encoding, "utf-8") as out:
        if title and fmt != "md":
            out.write(text_.display(title) + "\n\n")
        elif title:
            out.write(f"### {text_.display(title)}\n\n")
        out.write(table + "\n")
    return len(rows)


def _json(
    rows: Iterable[dict[str, Any]], keys: Sequence[str], output: Path | None, encoding: str | None
) -> int:
    n = 0
    with _open_text(output, encoding, "utf-8") as out:
        out.write("[")
        for row in rows:
            out.write(",\n" if n else "\n")
            out.write(json_text({k: row.get(k) for k in keys}))
            n += 1
        out.write("\n]\n" if n else "]\n")
    return n


def _csv(
    rows: Iterable[dict[str, Any]], keys: Sequence[str], output: Path | None, encoding: str | None
) -> int:
    counted = _Counter(rows)
    with _open_text(output, encoding, "utf-8-sig") as out:
        csvio.write(out, keys, counted)
    return counted.n


def json_text(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` (UTF-8 text kept) with every character ``text.display`` would escape
    written as a JSON ``\\uXXXX`` escape instead: the same value for a program, nothing raw."""
    dumped = json.dumps(value, ensure_ascii=False, **kwargs)
    return text_.JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


class _Counter:
    """Counts rows as they stream past."""

    def __init__(self, rows: Iterable[dict[str, Any]]):
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.n += 1
            yield row


def _plain(rows: list[dict[str, Any]], keys: Sequence[str], tablefmt: str) -> str:
    import tabulate

    tabulate.WIDE_CHARS_MODE = True  # needs wcwidth: CJK characters are two columns wide
    heads = labels()
    if not rows:
        return _("(none)")
    cell = text_.markdown_cell if tablefmt == "github" else str
    return tabulate.tabulate(
        [[cell(_text(r.get(k), k)) for k in keys] for r in rows],
        headers=[heads.get(k, k) for k in keys],
        tablefmt=tablefmt,
        disable_numparse=True,
    )


def _rich(rows: list[dict[str, Any]], keys: Sequence[str], title: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    heads = labels()
    table = Table(
        title=text_.display(title) if title else None, header_style="bold", show_lines=False
    )
    for k in keys:
        table.add_column(heads.get(k, k), overflow="fold")
    for r in rows:
        cells = []
        for k in keys:
            text = _text(r.get(k), k)
            style = STATUS_STYLE.get(str(r.get(k))) if k == "status" or k.isdigit() else None
            cells.append(f"[{style}]{_escape(text)}[/]" if style else _escape(text))
        table.add_row(*cells)
    console = Console()
    if not rows:
        console.print(_("(none)"))
    else:
        console.print(table)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _xlsx(rows: list[dict[str, Any]], keys: Sequence[str], output: Path, title: str | None) -> int:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = text_.sheet_title(title)
    ws.append(list(keys))
    for r_index, row in enumerate(rows, start=2):
        for c_index, key in enumerate(keys, start=1):
            value = row.get(key)
            cell = ws.cell(row=r_index, column=c_index)
            if isinstance(value, bool) or isinstance(value, (int, float)):
                cell.value = value
            elif value is None:
                continue
            else:
                # text stays text: phone numbers and long codes never become numbers in
                # scientific notation, and nothing becomes a formula
                cell.value = text_.keep_tabs(csvio.cell(value))
                cell.data_type = TYPE_STRING
    ws.freeze_panes = "A2"
    with outfile.open_binary(output) as handle:
        wb.save(handle)
    return len(rows)


def message(text: str) -> None:
    """A message for people, on stderr (stdout carries only data)."""
    print("\n".join(text_.display(line) for line in text.split("\n")), file=sys.stderr)
