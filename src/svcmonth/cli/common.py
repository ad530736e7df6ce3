"""Shared options (declared once), the database path, "now", and opening the database."""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from svcmonth import campaigns, outfile, render, storage, timeutil
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _

DEFAULT_DB = Path("svcmonth.db")


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"
    xlsx = "xlsx"


DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db", help=_("Database file (else $SVCMONTH_DB, else ./svcmonth.db)."), show_default=False
    ),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help=_("Output format."), case_sensitive=False)
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help=_("Write to this file instead of stdout."), show_default=False
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help=_("Text encoding of the output (default UTF-8; a CSV file gets a BOM)."),
        show_default=False,
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help=_("Show the state as it was at this instant (default: now)."),
        show_default=False,
    ),
]
CampaignOpt = Annotated[
    str | None,
    typer.Option(
        "--campaign",
        "-c",
        help=_(
            "Campaign name (default: the one running at the instant in question, else the latest)."
        ),
        show_default=False,
    ),
]
ExitCodeOpt = Annotated[
    bool, typer.Option("--exit-code", help=_("Exit 3 when anything falls short."))
]


@dataclass
class Globals:  # one per process: the root callback resets it on every invocation
    """What the root callback received: the global ``--db`` and the hidden ``--now``."""

    db: Path | None = None
    now: str | None = None


_globals = Globals()


def set_globals(db: Path | None, now_text: str | None) -> None:
    """Called by the root callback at the start of every invocation."""
    _globals.db, _globals.now = db, now_text


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
    conn: sqlite3.Connection, name: str | None, text: str | None
) -> tuple[campaigns.Campaign, datetime]:
    """The campaign a command means and the instant in question (``--at``/``--as-of`` or now).

    A typed time without an offset is read in the campaign's zone; when no campaign is named,
    it is first read in the latest campaign's zone to find the campaign.
    """
    if text is None:
        instant = now()
        return campaigns.resolve(conn, name, instant), instant
    zone = campaigns.load(conn, name).tz if name else campaigns.zone_for_display(conn)
    instant = timeutil.parse_instant(text, zone)
    campaign = campaigns.resolve(conn, name, instant)
    if campaign.tz.key != zone.key:
        instant = timeutil.parse_instant(text, campaign.tz)
    return campaign, instant


def show(
    rows: Any,
    keys: Any,
    fmt: Format,
    output: Path | None,
    encoding: str | None,
    title: str | None = None,
) -> None:
    """Render rows through the one renderer; say where a file went (on stderr)."""
    n = render.render(rows, keys, fmt.value, output, encoding, title)
    if output is not None:
        render.message(_("wrote {n} rows to {path}").format(n=n, path=output))


def parse_level(text: str) -> int:
    if text not in ("1", "2", "3"):
        raise SvcmonthError(_("the level must be 1, 2 or 3, not {text!r}").format(text=text))
    return int(text)
