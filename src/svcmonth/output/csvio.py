"""CSV in and out, for Excel on a Chinese Windows PC.

Reading: UTF-8 with or without a BOM, else GB18030 (a superset of GBK, what Excel saves as
"CSV"); a file that is neither, or holds NUL bytes (a binary file), is refused. The header
row names the columns; rows are returned with their line numbers (the header is line 1).

Writing: cells that a spreadsheet would run as a formula are made inert (OWASP CSV
injection): text starting with ``= + - @``, tab or carriage return gets a leading ``'``.
Text that already starts with ``'`` gets one too, so that ``unescape`` (applied by the
importers) gives back exactly what was exported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from svcmonth import text
from svcmonth.errors import ImportErrors, SvcmonthError, reason
from svcmonth.i18n import _

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
MAX_IMPORT_BYTES = 512 * 1024 * 1024


def inert(value: str) -> str:
    """A cell that no spreadsheet will evaluate."""
    if value.startswith(DANGEROUS_START) or value.startswith("'"):
        return "'" + value
    return value


def unescape(value: str) -> str:
    """The inverse of ``inert``: drop the ``'`` it added, and only that."""
    if value.startswith("'") and value[1:].startswith((*DANGEROUS_START, "'")):
        return value[1:]
    return value


def decode(data: bytes, name: str) -> str:
    """The text of an imported file: UTF-8 (BOM or not), else GB18030/GBK."""
    if b"\x00" in data:
        raise SvcmonthError(
            _("{name} is not a text CSV file (it holds NUL bytes)").format(name=name)
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise SvcmonthError(
            _("{name} is neither UTF-8 nor GB18030/GBK text; save it as CSV UTF-8").format(
                name=name
            )
        ) from None


def read_rows(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str] = (),
    ignored: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    """``(rows, problems)`` of a CSV import: ``(line, row)`` pairs, and ``(line, reason)`` for
    rows with missing or extra fields. A wrong header raises ``ImportErrors`` at once.
    ``aliases`` maps other header names (the Chinese labels) to the keys."""
    rows, problems = iter_rows(path, required, optional, ignored, aliases)
    return list(rows), problems


def iter_rows(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str] = (),
    ignored: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> tuple[Iterator[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    """``read_rows`` one row at a time, for a big import (a million row dicts are never all
    held): the header is checked at once, and ``problems`` fills as the rows go past.

    ``path`` is a CSV file or a workbook (``.xlsx``/``.xlsm``/``.xls``: its first sheet,
    read with bounded memory). The header is the first row holding a recognised column (a
    clerk's list may have a title above it); columns svcmonth does not use are ignored and
    named once in a warning on stderr; a missing required column is named by its label in
    the interface language."""
    table = _table_rows(path)
    first: tuple[int, list[str]] | None = None
    found: tuple[int, list[str]] | None = None
    try:
        for line, header in table:
            if not "".join(header).strip():
                continue
            names = [h.strip().lower() for h in header]
            if aliases:
                names = [aliases.get(h, h) for h in names]
            first = first or (line, names)
            if set(names) & {*required, *optional} or line - first[0] >= HEADER_SCAN_ROWS:
                found = (line, names)
                break
    except csv.Error as exc:
        raise ImportErrors(_("{name}: bad CSV").format(name=path), [(1, str(exc))]) from None
    if first is None:
        raise SvcmonthError(_("{name} is empty").format(name=path))
    header_line, names = found if found and set(found[1]) & {*required, *optional} else first
    known = set(required) | set(optional) | set(ignored)
    problems: list[tuple[int, str]] = []
    unknown = [h for h in names if h not in known and h]
    missing = [h for h in required if h not in names]
    duplicated = sorted({h for h in names if h and h in known and names.count(h) > 1})
    if missing or duplicated:
        parts = []
        if missing:
            parts.append(
                _("missing column(s): {cols}").format(
                    cols=", ".join(_label(k, aliases) for k in missing)
                )
            )
        if duplicated:
            parts.append(
                _("repeated column(s): {cols}").format(
                    cols=", ".join(_label(k, aliases) for k in duplicated)
                )
            )
        expected = ",".join(_label(k, aliases) for k in [*required, *optional])
        problems.append(
            (header_line, "; ".join(parts) + " " + _("(expected {cols})").format(cols=expected))
        )
        raise ImportErrors(_("{name}: wrong header").format(name=path), problems)
    if unknown:
        text.message(
            _("{name}: column(s) not used, ignored: {cols}").format(
                name=path.name, cols=", ".join(unknown)
            )
        )
    kept = [(i, k) for i, k in enumerate(names) if k in known and k not in ignored]
    return _body(table, len(names), kept, problems), problems


HEADER_SCAN_ROWS = 20  # a title and notes above the header, at most
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")
MAX_SHEET_ROWS = 1_048_576  # Excel's own limit: more is a damaged or hostile file
MAX_SHEET_COLUMNS = 2_000
MAX_XLS_CELLS = 4_000_000  # what python-calamine may allocate for a legacy .xls sheet


def _label(key: str, aliases: Mapping[str, str] | None) -> str:
    """A column as the user names it: its Chinese label in the Chinese interface, its key
    (what an English CSV export heads it) otherwise."""
    from svcmonth.i18n import is_chinese

    if aliases and is_chinese():
        for alias, target in aliases.items():
            if target == key and not alias.isascii():
                return alias
    return key


class _Numbered:
    """Rows of a table with the line each began on (``line_num`` as ``csv.reader`` has it)."""

    def __init__(self, rows: Iterator[tuple[int, list[str]]], sheet: bool = False):
        self.rows = rows
        self.line_num = 0
        self.sheet = sheet  # a sheet's rows end at their last filled cell

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        line, row = next(self.rows)
        self.line_num = line
        return line, row


def _table_rows(path: Path) -> _Numbered:
    """``(line, cells)`` of a CSV file or of a workbook's first sheet, read lazily."""
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise SvcmonthError(_("{name} is too large to import").format(name=path))
        if path.suffix.lower() in SPREADSHEET_SUFFIXES:
            return _Numbered(enumerate(sheet_rows(path), start=1), sheet=True)
        data = path.read_bytes()
    except OSError as exc:
        raise SvcmonthError(
            _("cannot read {name}: {reason}").format(name=path, reason=reason(exc))
        ) from None
    if data[:4] == b"PK\x03\x04" or data[:8] == _OLE_MAGIC:
        raise SvcmonthError(
            _("{name} is a workbook: name it .xlsx or .xls (or save it as CSV)").format(name=path)
        )
    reader = csv.reader(io.StringIO(decode(data, str(path)), newline=""))

    def numbered() -> Iterator[tuple[int, list[str]]]:
        for row in reader:
            yield reader.line_num, row

    return _Numbered(numbered())


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sheet_rows(path: Path, max_rows: int = MAX_SHEET_ROWS) -> Iterator[list[str]]:
    """The first sheet of ``.xlsx``/``.xlsm`` (openpyxl, read-only: streamed, never the whole
    grid the sheet claims) or ``.xls`` (python-calamine, after checking the cells' extent in
    the file itself), as text cells with trailing empty cells dropped. A sheet with more than
    ``max_rows`` rows is refused; cells right of ``MAX_SHEET_COLUMNS`` are never read."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        rows: Iterator[list[str]] = _xls_rows(path)
    else:
        rows = _xlsx_rows(path, max_rows)
    return rows


def _unreadable(path: Path, exc: BaseException) -> SvcmonthError:
    return SvcmonthError(
        _("cannot read {name} as a spreadsheet: {reason}").format(
            name=path, reason=str(exc) or type(exc).__name__
        )
    )


def _xlsx_rows(path: Path, max_rows: int) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
        raise _unreadable(path, exc) from None
    try:
        if not book.worksheets:
            raise SvcmonthError(_("{name} is empty").format(name=path))
        sheet = book.worksheets[0]
        # the stated extent is a claim (a 1.5 KB file may claim XFD1048576): read to our
        # caps, never to it; the padding openpyxl adds goes no further than max_col
        claimed = getattr(sheet, "max_column", None) or MAX_SHEET_COLUMNS
        width = max(1, min(int(claimed), MAX_SHEET_COLUMNS))
        empty: object = None  # openpyxl yields one shared tuple for every missing row
        try:
            for index, values in enumerate(
                sheet.iter_rows(max_row=max_rows + 1, max_col=width, values_only=True),
                start=1,
            ):
                row = [] if values is empty else _trimmed(values)
                if not row:
                    empty = values
                if index > max_rows:
                    if row:
                        raise SvcmonthError(
                            _("{name} has more than {n} rows").format(name=path, n=max_rows)
                        )
                    break
                yield row
        except SvcmonthError:
            raise
        except Exception as exc:
            raise _unreadable(path, exc) from None
    finally:
        book.close()


def _trimmed(values: Sequence[Any]) -> list[str]:
    end = len(values)
    while end and values[end - 1] in (None, ""):
        end -= 1
    row = [cell_text(v) for v in values[:end]]
    while row and not row[-1].strip():
        row.pop()
    return row


def _xls_rows(path: Path) -> Iterator[list[str]]:
    rows, cols = xls_extent(path)
    if rows * cols > MAX_XLS_CELLS or cols > MAX_SHEET_COLUMNS:
        raise SvcmonthError(
            _("{name} claims {rows} rows × {cols} columns: too large to read").format(
                name=path, rows=rows, cols=cols
            )
        )
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        values = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own errors for a damaged or foreign file
        raise _unreadable(path, exc) from None
    for row in values:
        yield _trimmed(row)


# BIFF8 cell records (each begins with its row and column, two bytes each) and DIMENSIONS
_XLS_CELLS = frozenset({0x0006, 0x00BD, 0x00BE, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
_XLS_DIMENSIONS = 0x0200


def xls_extent(path: Path) -> tuple[int, int]:
    """``(rows, columns)`` a legacy ``.xls`` workbook's cells span (the largest over its
    sheets), found by walking its BIFF records without building any grid: python-calamine
    allocates the whole rectangle at once, so it is asked only when the rectangle is small.
    The DIMENSIONS record is a claim like the cells: both are counted."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = "Workbook" if ole.exists("Workbook") else "Book"
            data = ole.openstream(stream).read()
    except Exception as exc:  # not an OLE file, or a damaged one
        raise _unreadable(path, exc) from None
    rows = cols = 0
    at = 0
    end = len(data)
    while at + 4 <= end:
        kind = int.from_bytes(data[at : at + 2], "little")
        size = int.from_bytes(data[at + 2 : at + 4], "little")
        body = data[at + 4 : at + 4 + size]
        if kind in _XLS_CELLS and len(body) >= 4:
            rows = max(rows, int.from_bytes(body[0:2], "little") + 1)
            last_col = int.from_bytes(body[2:4], "little")
            if kind in (0x00BD, 0x00BE) and len(body) >= 6:  # MULRK/MULBLANK: last column
                last_col = int.from_bytes(body[-2:], "little")
            cols = max(cols, last_col + 1)
        elif kind == _XLS_DIMENSIONS and len(body) >= 12:
            rows = max(rows, int.from_bytes(body[4:8], "little"))
            cols = max(cols, int.from_bytes(body[10:12], "little"))
        at += 4 + size
    return rows, cols


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a user sees in it."""
    from datetime import date, datetime, time, timedelta

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds())}秒"
    return str(value)


def _body(
    reader: Any, width: int, kept: list[tuple[int, str]], problems: list[tuple[int, str]]
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        for line, fields in reader:
            if not "".join(fields).strip():
                continue  # blank lines, as Excel leaves at the end
            if len(fields) < width and getattr(reader, "sheet", False):
                fields = fields + [""] * (width - len(fields))  # a sheet drops empty cells
            if len(fields) != width:
                problems.append(
                    (line, _("{n} fields where the header has {m}").format(n=len(fields), m=width))
                )
                continue
            # unescape changes only a cell that starts with ' (the test saves a call per cell)
            yield (
                line,
                {k: unescape(fields[i]) if fields[i][:1] == "'" else fields[i] for i, k in kept},
            )
    except csv.Error as exc:
        problems.append((reader.line_num, str(exc)))


def count_lines(path: Path) -> int:
    """How many lines ``path`` holds (at least its rows: a quoted cell may hold a line break),
    read in blocks; 0 when it cannot be read (the import then says why)."""
    n = 0
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                n += block.count(b"\n")
    except OSError:
        return 0
    return n


def refuse(path: Path, problems: list[tuple[int, str]]) -> None:
    """Raise the import's one error, listing every bad line in order, when there is any."""
    if problems:
        raise ImportErrors(
            _("{file}: {n} bad row(s); nothing was imported").format(file=path, n=len(problems)),
            sorted(problems),
        )


def cell(value: object) -> str:
    """The CSV text of one value: lists joined with ``;``, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(cell(v) for v in value)
    if isinstance(value, dict):
        # the joined text is one cell: it is made inert as a whole (a column named "=1+2")
        return inert(";".join(f"{k}:{v}" for k, v in value.items()))
    if isinstance(value, str):
        return inert(value)
    return str(value)


_INERT_FIRST = frozenset((*DANGEROUS_START, "'"))


def _cells(row: dict[str, object], keys: Sequence[str]) -> list[object]:
    """``[cell(row.get(k)) for k in keys]``, the common types decided inline (an export of a
    million rows makes 14 million cells): text as ``inert`` makes it, integers and ``None`` as
    the csv module writes them (``str(n)``, empty), booleans as ``cell`` does, the rest
    through ``cell``."""
    return [
        ("'" + v if v[:1] in _INERT_FIRST else v)
        if isinstance(v, str)
        else v
        if v is None or type(v) is int
        else ("true" if v else "false")
        if type(v) is bool
        else cell(v)
        for v in map(row.get, keys)
    ]


def write(
    out: IO[str],
    keys: Sequence[str],
    rows: Iterable[dict[str, object]],
    header: Sequence[str] | None = None,
) -> None:
    """Write a header (``keys``, or the given labels) and the rows, every cell inert."""
    writer = safe_writer(out)
    writer.writerow([inert(h) for h in header] if header is not None else keys)
    writer.writerows(_cells(row, keys) for row in rows)


def safe_writer(out: IO[str]) -> Any:
    """A ``csv.writer`` on ``out`` whose rows never carry a raw control character."""
    return csv.writer(_Displayable(out), lineterminator="\r\n")


class _Displayable:
    """The file a CSV is written to, each row passed through ``text.csv_safe`` (a control
    character an older version let into the database is written as a visible escape)."""

    def __init__(self, out: IO[str]):
        self.out = out

    def write(self, chunk: str) -> int:
        return self.out.write(text.csv_safe(chunk))
