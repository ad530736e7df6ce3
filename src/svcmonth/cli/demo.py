"""``svcmonth demo``: a realistic demo database and its reports."""

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from svcmonth import checks, reports, storage
from svcmonth.cli.common import MAX_ID, DbOpt, Output, bounded, globals_, output_rows
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output.columns import minute
from svcmonth.output.render import message
from svcmonth.timeutil import to_db


def demo(
    db: DbOpt = None,
    members: Annotated[
        int | None,
        typer.Option(
            "--members",
            help=N_("Large mode: this many members."),
            show_default=False,
            parser=bounded("--members", 1, 1_000_000),
        ),
    ] = None,
    submissions: Annotated[
        int | None,
        typer.Option(
            "--submissions",
            help=N_("Large mode: this many submissions."),
            show_default=False,
            parser=bounded("--submissions", 0, 100_000_000),
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help=N_("Random seed."), parser=bounded("--seed", 0, MAX_ID))
    ] = 2023,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=N_("Build only."))] = False,
) -> None:
    """Build a realistic demo database (never over an existing file) and print its reports."""
    from svcmonth import demo as demos

    path = db or globals_().db
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="svcmonth-demo-")) / "demo.db"
    if path.exists():
        raise SvcmonthError(
            _("{path} exists: the demo never touches an existing file").format(path=path)
        )
    if (members is None) != (submissions is None):
        raise SvcmonthError(_("large mode needs both --members and --submissions"))
    conn = storage.connect(path, create=True)
    try:
        if members is not None and submissions is not None:
            c = demos.build_large(conn, members, submissions, seed)
            quiet = True
        else:
            c = demos.build_demo(conn, seed)
        message(_("demo database: {path}").format(path=path))
        if quiet:
            return
        as_of = demos.DEMO_AS_OF
        with storage.snapshot(conn):
            deadline_rows = checks.deadline_rows(conn, c, as_of)
            quota_rows = checks.quota_rows(conn, c, as_of)
            board = reports.scoreboard(conn, c, as_of)
    finally:
        conn.close()
    output_rows(
        Output(),
        checks.matrix(deadline_rows),
        checks.matrix_columns([w.number for w in c.weeks]),
        title=_("Weekly reports (活动扫描), as of {at}").format(
            at=minute(c.show(to_db(as_of)) or "")
        ),
    )
    print()
    output_rows(
        Output(),
        quota_rows,
        checks.QUOTA,
        title=_("Article minimum (稿件指标)"),
    )
    print()
    output_rows(Output(), board, reports.SCOREBOARD, title=_("Scoreboard"))
    message(_("explore it: svcmonth --db {path} report year-end --year 2023").format(path=path))


def register(root: typer.Typer) -> None:
    root.command("demo")(demo)
