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
from svcmonth.errors import ImportErrors, SvcmonthError
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
    held): the header is checked at once, and ``problems`` fills as the rows go past."""
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise SvcmonthError(_("{name} is too large to import").format(name=path))
        data = path.read_bytes()
    except OSError as exc:
        raise SvcmonthError(
            _("cannot read {name}: {reason}").format(name=path, reason=exc.strerror)
        ) from None
    text = decode(data, str(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise SvcmonthError(_("{name} is empty").format(name=path)) from None
    except csv.Error as exc:
        raise ImportErrors(_("{name}: bad CSV").format(name=path), [(1, str(exc))]) from None
    names = [h.strip().lower() for h in header]
    if aliases:
        names = [aliases.get(h, h) for h in names]
    known = set(required) | set(optional) | set(ignored)
    problems: list[tuple[int, str]] = []
    unknown = [h for h in names if h not in known]
    missing = [h for h in required if h not in names]
    duplicated = sorted({h for h in names if names.count(h) > 1})
    if unknown or missing or duplicated:
        parts = []
        if missing:
            parts.append(_("missing column(s): {cols}").format(cols=", ".join(missing)))
        if unknown:
            parts.append(_("unknown column(s): {cols}").format(cols=", ".join(unknown)))
        if duplicated:
            parts.append(_("repeated column(s): {cols}").format(cols=", ".join(duplicated)))
        expected = ",".join([*required, *optional])
        problems.append((1, "; ".join(parts) + " " + _("(expected {cols})").format(cols=expected)))
        raise ImportErrors(_("{name}: wrong header").format(name=path), problems)
    kept = [(i, k) for i, k in enumerate(names) if k not in ignored]
    return _body(reader, len(names), kept, problems), problems


def _body(
    reader: Any, width: int, kept: list[tuple[int, str]], problems: list[tuple[int, str]]
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        for fields in reader:
            line = reader.line_num
            if not "".join(fields).strip():
                continue  # blank lines, as Excel leaves at the end
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
