"""Shared options (declared once), the database path, "now", and opening the database."""

import functools
import inspect
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from svcmonth import campaigns, rules, storage, timeutil
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _, translate
from svcmonth.output import outfile, render

DEFAULT_DB = Path("svcmonth.db")


# The --format choices: every format registered in svcmonth.output.render (a new format registers
# there and appears here). A listing reads ``out.fmt`` (its name); Format.table… name the
# defaults of the commands that declare the options themselves.
if TYPE_CHECKING:  # the names the commands use, for the type checker

    class Format(StrEnum):
        table = "table"
        csv = "csv"
        json = "json"
        md = "md"
        xlsx = "xlsx"
        html = "html"

else:
    Format = StrEnum("Format", {name: name for name in render.FORMATS})


DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help=N_("Database file (else $SVCMONTH_DB, else ./svcmonth.db)."),
        show_default=False,
    ),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help=N_("Output format."), case_sensitive=False)
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help=N_("Write to this file instead of stdout."), show_default=False
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help=N_("Text encoding of the output (default UTF-8; a CSV file gets a BOM)."),
        show_default=False,
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help=N_("Show the state as it was at this instant (default: now)."),
        show_default=False,
    ),
]
CampaignOpt = Annotated[
    str | None,
    typer.Option(
        "--campaign",
        "-c",
        help=N_(
            "Campaign name (default: the one running at the instant in question, else the latest)."
        ),
        show_default=False,
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help=N_("Print nothing unless something goes wrong."))
]
ViaOpt = Annotated[
    str,
    typer.Option(
        "--via",
        metavar="CHANNELS",
        help=N_(
            "Where to send: mail, wecom (企业微信 group robot), dingtalk (钉钉 group robot), "
            "comma-separated; or text: print the group messages to paste into a WeChat group."
        ),
    ),
]
MAX_ID = 2**63 - 1  # SQLite's largest integer
MAX_COUNT = 100_000  # a week number, an article minimum, a multiplier: far above any real one


def bounded(what: str, lo: int, hi: int) -> Callable[[str], int]:
    """A parser for an integer option or argument, declared with it: a text that is not a whole
    number stays a usage error (exit 2); a number outside ``lo..hi`` is one ``Error:`` line
    naming the option and the range (exit 1), before any SQL sees a 20-digit number."""

    def parse(text: str) -> int:
        if isinstance(text, int):  # a default
            value = text
        else:
            stripped = text.strip()
            digits = stripped[1:] if stripped[:1] in "+-" else stripped
            if not digits.isdigit() or not digits.isascii():
                raise ValueError(text)  # click: "… is not a valid integer", exit 2
            if len(digits) > 30:
                value = hi + 1 if stripped[:1] != "-" else lo - 1
            else:
                value = int(stripped)
        if not lo <= value <= hi:
            raise SvcmonthError(
                _("{what} {value} is out of range ({lo} to {hi})").format(
                    what=what, lo=lo, hi=hi, value=text
                )
            )
        return value

    parse.__name__ = "integer"
    return parse


def id_arg(help_text: str = "") -> Any:
    """The ``ID`` argument of a submission."""
    return typer.Argument(
        metavar="ID", help=help_text or _("Submission id."), parser=bounded("ID", 1, MAX_ID)
    )


WeekOpt = Annotated[
    int,
    typer.Option("--week", help=N_("Week number."), parser=bounded("--week", 1, MAX_COUNT)),
]
OptionalWeekOpt = Annotated[
    int | None,
    typer.Option(
        "--week",
        help=N_("Only this week."),
        parser=bounded("--week", 1, MAX_COUNT),
        show_default=False,
    ),
]
YearOpt = Annotated[
    int,
    typer.Option(
        "--year",
        help=N_("Year of the campaigns' first day."),
        parser=bounded("--year", timeutil.MIN_YEAR, timeutil.MAX_YEAR),
    ),
]


def level_parser(option: str) -> Callable[[str], int]:
    """A level option: 1, 2 or 3 (the message the domain gives for a wrong level)."""

    def parse(text: str) -> int:
        stripped = str(text).strip()
        digits = stripped[1:] if stripped[:1] in "+-" else stripped
        if not digits.isascii() or not digits.isdigit():
            raise ValueError(text)  # not a number: a usage error, exit 2
        if stripped.lstrip("+") not in {str(n) for n in rules.MANUAL_LEVELS}:
            raise SvcmonthError(
                _("the level must be 1, 2 or 3, not {text!r}").format(text=str(text))
            )
        return int(stripped)

    parse.__name__ = "level"
    return parse


ExitCodeOpt = Annotated[
    bool, typer.Option("--exit-code", help=N_("Exit 3 when anything falls short."))
]


@dataclass
class Globals:  # one per process: the root callback resets it on every invocation
    """What the root callback received: the global ``--db`` and the hidden ``--now``."""

    db: Path | None = None
    now: str | None = None
    labels: bool = False  # csv --labels (an option every listing gets, see cli/localize.py)


_globals = Globals()


def set_globals(db: Path | None, now_text: str | None) -> None:
    """Called by the root callback at the start of every invocation."""
    _globals.db, _globals.now, _globals.labels = db, now_text, False


def globals_() -> Globals:
    return _globals


def db_path(db: Path | None) -> Path:
    """The database path, decided here only: the command's --db, the global --db,
    ``$SVCMONTH_DB``, else ``./svcmonth.db``."""
    if db is not None:
        return db
    g = globals_()
    if g.db is not None:
        return g.db
    env = os.environ.get("SVCMONTH_DB")
    return Path(env) if env else DEFAULT_DB


def now() -> datetime:
    """The instant a command runs at: the hidden ``--now``/``$SVCMONTH_NOW`` (tests, demos),
    else the wall clock."""
    text = globals_().now or os.environ.get("SVCMONTH_NOW")
    if text:
        return timeutil.parse_instant(text, timeutil.zone("UTC"))
    return timeutil.now_utc()


@contextmanager
def database(
    db: Path | None, *, write: bool = False, snapshot: bool = True
) -> Iterator[sqlite3.Connection]:
    """The open database; a write command runs in one ``BEGIN IMMEDIATE`` transaction, a read
    in one snapshot."""
    path = db_path(db)
    outfile.protect(path)  # no --output of this run may overwrite it
    conn = storage.connect(path)
    try:
        if write:
            with storage.transaction(conn):
                yield conn
        elif not snapshot:
            yield conn
        else:
            with storage.snapshot(conn):
                yield conn
    finally:
        conn.close()


def campaign_at(
    conn: sqlite3.Connection, name: str | None, text: str | None, *, submission: bool = False
) -> tuple[campaigns.Campaign, datetime]:
    """The campaign a command means and the instant in question (``--at``/``--as-of`` or now):
    ``campaigns.campaign_and_instant`` decides, with the clock read here."""
    return campaigns.campaign_and_instant(conn, name, text, now(), submission=submission)


def query_at(
    db: Path | None, campaign: str | None, as_of: str | None, query: Callable[..., Any], **kw: Any
) -> tuple[campaigns.Campaign, datetime, Any]:
    """The body every campaign listing shares: open the database to read, find the campaign at
    the instant in question and run ``query(conn, campaign, instant, **kw)``; the campaign, the
    instant and what the query returned."""
    with database(db) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        return c, instant, query(conn, c, instant, **kw)


@dataclass(frozen=True)
class Output:
    """A listing's output options, declared once: ``--format``, ``--output``, ``--encoding``
    and ``--labels`` (the last added to every command with ``--format`` by cli/localize.py).
    A command takes ``out: Output = Output()`` under ``@output_options`` and hands it to
    ``output_rows``."""

    fmt: str = "table"
    output: Path | None = None
    encoding: str | None = None
    labels: bool = False

    @property
    def human(self) -> bool:
        """Whether the format is for people (labels, value names, local time)."""
        return render.FORMATS[self.fmt].human

    def to_stdout(self, *formats: str) -> bool:
        """Whether the listing goes to stdout in one of ``formats``."""
        return self.output is None and self.fmt in formats


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: the command's ``out: Output`` parameter becomes the shared options
    ``--format/-f``, ``--output/-o`` and ``--encoding`` in its place (Typer reads the
    signature; it has no decorator that adds parameters), gathered into one ``Output``."""
    signature = inspect.signature(func, eval_str=True)
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=alias)
        for name, alias, default in (
            ("fmt", FormatOpt, Format.table),
            ("output", OutputOpt, None),
            ("encoding", EncodingOpt, None),
        )
    ]
    params: list[inspect.Parameter] = []
    for param in signature.parameters.values():
        params += shared if param.name == "out" else [param.replace(kind=param.KEYWORD_ONLY)]

    @functools.wraps(func)
    def command(**kwargs: Any) -> Any:
        fmt = kwargs.pop("fmt")
        out = Output(str(getattr(fmt, "value", fmt)), kwargs.pop("output"), kwargs.pop("encoding"))
        return func(**kwargs, out=replace(out, labels=_globals.labels))

    command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


def output_rows(
    out: Output,
    rows: Any,
    fields: Any,
    title: str | None = None,
    *,
    heading: str | None = None,
    note: str | None = None,
    sheet: str | None = None,
    quiet: bool = False,
    footer: str | None = None,
    listing: str | None = None,
    source: Any = None,
) -> None:
    """Render rows through the one renderer; say where a file went (on stderr).

    ``fields``: the listing's declared columns (or bare keys). ``title`` is shown in every
    format; a document (a workbook) always has one: ``title``, else ``heading``, else the
    command's own help line. ``listing`` names a listing that may have its own writer for
    some formats (``render.register_writer``), which gets ``source`` too."""
    if title is None and out.fmt in DOCUMENT_FORMATS:
        title = heading or command_title()
    written = render.render_listing(
        rows,
        fields,
        out.fmt,
        out.output,
        out.encoding,
        title,
        note=note,
        sheet=sheet,
        labels=out.labels,
        footer=footer,
        listing=listing,
        source=source,
    )
    if out.output is None or quiet:
        return
    if written.document:
        render.message(_("wrote {path}").format(path=out.output))
    else:
        render.message(_("wrote {n} rows to {path}").format(n=written.n, path=out.output))


DOCUMENT_FORMATS = ("xlsx", "html")


def command_title() -> str | None:
    """The running command's help line (translated), as a title for a workbook."""
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    text = ctx.command.help if ctx is not None else None
    if not text:
        return None
    first = (translate(text) or "").strip().splitlines()[0]
    return first.rstrip("。.")


def as_of_note(instant: datetime, zone_: Any) -> str:
    """The line under a workbook's title: as of when."""
    local = instant.astimezone(zone_)
    return _("As of {at}").format(at=local.strftime("%Y-%m-%d %H:%M"))


def output_query(
    out: Output, db: Path | None, query: Callable[[sqlite3.Connection], Any], fields: Any, **kw: Any
) -> None:
    """The listing of a whole-database table (campaigns, surveys, columns…): ``query(conn)``'s
    rows, read in one snapshot, through ``output_rows``."""
    with database(db) as conn:
        rows = query(conn)
    output_rows(out, rows, fields, **kw)
