"""The one renderer for every listing: a registry of output formats (``--format``).

Each format registers one renderer (``@register("name", human=…)``) from the module that
writes it; the ``--format`` choices are built from the registry, and this module names no
writer of another module (``svcmonth.output`` imports them all, in the order ``--format``
lists them). Each listing declares its columns (``columns.Field``: key, label, kind): human
formats show the labels and value names in the interface language and instants to the
minute; machine formats keep the stable keys of docs/commands.md.

Here:
- ``table``: rich on a terminal (coloured unless ``NO_COLOR``); elsewhere plain text drawn by
  tabulate in wide-character mode, so Chinese columns line up and no cell is ever cut.
- ``csv``: the JSON keys as header (``--labels``: the labels and human values); cells made
  inert against formula injection; to a file UTF-8 with a BOM (Excel) unless ``--encoding``
  says otherwise, to stdout without a BOM.
- ``json``: one array of objects, streamed row by row.
- ``md``: a GitHub-flavoured Markdown table, for pasting into the website or a message.
Elsewhere: ``html`` (``output/pages.py``), ``xlsx`` (``output/xlsx.py``).
Heavy modules (rich, tabulate, openpyxl) are imported only when their format is used.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from svcmonth import text as text_
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.output import columns as columns_
from svcmonth.output import csvio, outfile
from svcmonth.output.columns import Field

STATUS_STYLE = {
    "on_time": "green",
    "met": "green",
    "graded": "green",
    "sent": "green",
    "ok": "green",
    "late": "yellow",
    "at_risk": "yellow",
    "would_send": "cyan",
    "missing": "red",
    "failed": "red",
    "rejected": "red",
    "no_address": "red",
    "problem": "red",
    "pending": "dim",
    "withdrawn": "dim",
    "already_sent": "dim",
}


@dataclass
class Target:
    """Where and how one listing is rendered: the file (None: stdout), its encoding, the
    title (and the line under it in a workbook: as of when, by which rules), the sheet name,
    and ``labels`` (``csv --labels``: the header and values as people read them)."""

    output: Path | None = None
    encoding: str | None = None
    title: str | None = None
    note: str | None = None
    sheet: str | None = None
    labels: bool = False
    footer: str | None = None  # the line under a workbook's table (制表单位, date)


Renderer = Callable[[Iterable[dict[str, Any]], list[Field], Target], int]


@dataclass(frozen=True)
class OutputFormat:
    """A registered output format: its renderer, and whether it is for people (labels,
    value names, local time) or for machines (the keys and values of docs/commands.md)."""

    name: str
    render: Renderer
    human: bool
    file_only: bool = False


FORMATS: dict[str, OutputFormat] = {}


def register(name: str, *, human: bool, file_only: bool = False) -> Callable[[Renderer], Renderer]:
    """Register ``name`` as an output format (``--format`` offers every registered one)."""

    def add(func: Renderer) -> Renderer:
        FORMATS[name] = OutputFormat(name, func, human, file_only)
        return func

    return add


ListingWriter = Callable[[Any, list[Field], Target, Any], "int | None"]


@dataclass(frozen=True)
class Writer:
    """A listing's own writer for the formats ``can_render`` accepts (datasette's
    ``register_output_renderer``): a listing with a special shape registers one here instead
    of branching on ``--format`` in its command."""

    can_render: Callable[[str, Target], bool]
    write: ListingWriter
    document: bool = False  # writes one document, not rows: "wrote PATH", not "wrote N rows"


@dataclass(frozen=True)
class Rendered:
    """What ``render_listing`` wrote: ``n`` rows, or one document (a listing's writer)."""

    n: int
    document: bool = False


WRITERS: dict[str, list[Writer]] = {}


def register_writer(
    listing: str, *, can_render: Callable[[str, Target], bool], document: bool = False
) -> Callable[[ListingWriter], ListingWriter]:
    """Register a writer for ``listing`` (e.g. ``"submission list"``): called as
    ``write(rows, fields, target, source)`` when ``can_render(format, target)``; it returns
    the number of rows written, or None to leave the listing to the format's renderer.
    ``document``: it writes one document shaped its own way (not a table of the rows)."""

    def add(func: ListingWriter) -> ListingWriter:
        WRITERS.setdefault(listing, []).append(Writer(can_render, func, document))
        return func

    return add


def labels() -> dict[str, str]:
    """The shared column headings for people (translated), by key."""
    return {c.key: c.heading for c in columns_.resolve(list(columns_._SHARED))}


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


def _human(value: Any, kind: str = "text") -> str:
    """``columns.human`` made displayable: no control character is ever shown raw."""
    return text_.display(columns_.human(value, kind))


def render(
    rows: Iterable[dict[str, Any]], keys: Sequence[Field | str], *args: Any, **kw: Any
) -> int:
    """Show ``rows`` (only the given columns, in that order) in a format (``render_listing``'s
    arguments); returns the number of rows. ``keys``: declared columns, or shared keys."""
    return render_listing(rows, keys, *args, **kw).n


def render_listing(
    rows: Iterable[dict[str, Any]],
    keys: Sequence[Field | str],
    fmt: str = "table",
    output: Path | None = None,
    encoding: str | None = None,
    title: str | None = None,
    *,
    note: str | None = None,
    sheet: str | None = None,
    labels: bool = False,
    footer: str | None = None,
    listing: str | None = None,
    source: Any = None,
) -> Rendered:
    """``render``, saying what was written. A writer registered for ``listing`` that can
    render ``fmt`` goes first (it gets ``source``)."""
    check_encoding(encoding)
    found = FORMATS.get(fmt)
    if found is None:
        raise SvcmonthError(
            _("unknown format {fmt!r} (one of {names})").format(fmt=fmt, names=", ".join(FORMATS))
        )
    if found.file_only and output is None:
        raise SvcmonthError(_("--format {fmt} needs --output FILE.{fmt}").format(fmt=fmt))
    if output is not None:
        outfile.refuse_protected(output)
    target = Target(output, encoding, title, note, sheet, labels, footer)
    cols = columns_.resolve(keys)
    try:
        for writer in WRITERS.get(listing or "", []):
            if writer.can_render(fmt, target):
                n = writer.write(rows, cols, target, source)
                if n is not None:
                    return Rendered(n, writer.document)
        return Rendered(found.render(rows, cols, target))
    except UnicodeEncodeError as exc:  # to stdout; a file is never left half-written
        raise outfile.unencodable(encoding, exc) from None


def _write_text(target: Target, text: str, file_default: str = "utf-8") -> None:
    write_text(text, target.output, target.encoding, file_default)


def write_text(
    text: str, output: Path | None, encoding: str | None = None, file_default: str = "utf-8"
) -> None:
    """Write rendered text to ``--output`` (through ``outfile``: whole or not at all,
    owner-only, never the database) or to stdout: the one place output is written."""
    try:
        with _open_text(output, encoding, file_default) as out:
            out.write(text)
    except UnicodeEncodeError as exc:
        raise outfile.unencodable(encoding, exc) from None


@register("table", human=True)
def _table(rows: Iterable[dict[str, Any]], cols: list[Field], target: Target) -> int:
    rows = list(rows)
    if target.output is None and color_allowed():
        _rich(rows, cols, target.title)
        return len(rows)
    text = _plain(rows, cols, "simple")
    title = text_.display(target.title) if target.title else ""
    _write_text(target, (title + "\n\n" if title else "") + text + "\n")
    return len(rows)


@register("csv", human=False)
def _csv_format(rows: Iterable[dict[str, Any]], cols: list[Field], target: Target) -> int:
    if target.labels:
        header = [c.heading for c in cols]
        rows = ({c.key: _human(r.get(c.key), c.kind) for c in cols} for r in rows)
        return _csv(rows, [c.key for c in cols], target.output, target.encoding, header)
    return _csv(rows, [c.key for c in cols], target.output, target.encoding)


@register("json", human=False)
def _json_format(rows: Iterable[dict[str, Any]], cols: list[Field], target: Target) -> int:
    return _json(rows, [c.key for c in cols], target.output, target.encoding)


@register("md", human=True)
def _md(rows: Iterable[dict[str, Any]], cols: list[Field], target: Target) -> int:
    rows = list(rows)
    text = _plain(rows, cols, "github")
    title = text_.display(target.title) if target.title else ""
    _write_text(target, (f"### {title}\n\n" if title else "") + text + "\n")
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
    rows: Iterable[dict[str, Any]],
    keys: Sequence[str],
    output: Path | None,
    encoding: str | None,
    header: Sequence[str] | None = None,
) -> int:
    counted = _Counter(rows)
    with _open_text(output, encoding, "utf-8-sig") as out:
        csvio.write(out, keys, counted, header)
    return counted.n


def json_text(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` (UTF-8 text kept) with every character ``text.display`` would escape
    written as a JSON ``\\uXXXX`` escape instead: the same value for a program, nothing raw."""
    dumped = json.dumps(value, ensure_ascii=False, **kwargs)  # the one place JSON is made
    return text_.JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def csv_cells(
    rows: Iterable[Sequence[Any]],
    header: Sequence[str],
    output: Path | None,
    encoding: str | None,
) -> int:
    """Write rows whose cells are already what ``csvio.write`` makes of them (a listing's
    SQL did it, e.g. ``submissions.export_rows``) as the ``csv`` format does: the same
    header, file encoding and bytes, but no Python work per row."""
    check_encoding(encoding)
    n = 0
    fetch = getattr(rows, "fetchmany", None)
    try:
        with _open_text(output, encoding, "utf-8-sig") as out:
            writer = csvio.safe_writer(out)
            writer.writerow(header)
            if fetch is None:
                for row in rows:
                    writer.writerow(row)
                    n += 1
            else:
                while chunk := fetch(10_000):
                    writer.writerows(chunk)
                    n += len(chunk)
    except UnicodeEncodeError as exc:
        raise SvcmonthError(
            _("some text cannot be written in {enc}: {reason}").format(enc=encoding, reason=exc)
        ) from None
    return n


class _Counter:
    """Counts rows as they stream past."""

    def __init__(self, rows: Iterable[dict[str, Any]]):
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.n += 1
            yield row


def _plain(rows: list[dict[str, Any]], cols: list[Field], tablefmt: str) -> str:
    import tabulate

    tabulate.WIDE_CHARS_MODE = True  # needs wcwidth: CJK characters are two columns wide
    if not rows:
        return _("(none)")
    cell = text_.markdown_cell if tablefmt == "github" else str
    return tabulate.tabulate(
        [[cell(_human(r.get(c.key), c.kind)) for c in cols] for r in rows],
        headers=[c.heading for c in cols],
        tablefmt=tablefmt,
        disable_numparse=True,
    )


def _rich(rows: list[dict[str, Any]], cols: list[Field], title: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=text_.display(title) if title else None, header_style="bold", show_lines=False
    )
    for c in cols:
        table.add_column(c.heading, overflow="fold")
    for r in rows:
        cells = []
        for c in cols:
            value = r.get(c.key)
            text = _human(value, c.kind)
            style = STATUS_STYLE.get(str(value)) if c.kind in columns_.VALUES else None
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


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen or in a sheet: a CJK character counts double."""
    from wcwidth import wcswidth

    width = wcswidth(text)
    return width if width >= 0 else len(text)


def write_lines(lines: Iterable[str], encoding: str | None = None) -> None:
    """Plain lines to stdout (the slogans for an LED screen), through the one writer."""
    _write_text(Target(None, encoding), "".join(f"{line}\n" for line in lines))


def write_object(obj: Any, output: Path | None, encoding: str | None = None) -> None:
    """One JSON object (``campaign show``, ``submission show --format json``) to ``--output``
    or stdout, through ``json_text`` like every JSON this program prints."""
    check_encoding(encoding)
    if output is not None:
        outfile.refuse_protected(output)
    _write_text(Target(output, encoding), json_text(obj, indent=2) + "\n")


message = text_.message  # a message for people, on stderr (its home is svcmonth.text)
