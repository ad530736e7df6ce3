"""The rest of the commands: init, log, backup, demo, slogans, reference lists."""

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from svcmonth import audit, campaigns, checks, refdata, render, reports, storage
from svcmonth import backup as backups
from svcmonth.cli.common import (
    MAX_ID,
    DbOpt,
    EncodingOpt,
    Format,
    FormatOpt,
    OutputOpt,
    bounded,
    database,
    db_path,
    globals_,
    now,
    show,
)
from svcmonth.columns import Column, minute
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.render import message
from svcmonth.timeutil import show as show_time
from svcmonth.timeutil import to_db


def init(db: DbOpt = None) -> None:
    """Create the database (owner-only); on an existing one, change nothing and say so."""
    path = db_path(db)
    if path.exists() or path.is_dir():  # not opened: opening would migrate an older file
        storage.refuse_foreign(path)  # a folder, an empty or a foreign file: say so
        message(_("{path} already exists; nothing changed").format(path=path))
        return
    conn = storage.connect(path, create=True)
    try:
        with storage.transaction(conn):
            refdata.seed(conn, to_db(now()))
    finally:
        conn.close()
    message(_("created {path}").format(path=path))


def log(
    entity: Annotated[str | None, typer.Option("--entity", help=_("submission, member…"))] = None,
    entity_id: Annotated[str | None, typer.Option("--id", help=_("Only this id or code."))] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """The audit trail: every change to grades, adoptions, withdrawals and members."""
    with database(db) as conn:
        tz = campaigns.zone_for_display(conn)
        rows = audit.entries(conn, entity, entity_id)
    for r in rows:
        r["at"] = show_time(r["at"], tz)
    show(rows, LOG, fmt, output, encoding, heading=_("Audit trail"))


LOG = (
    Column("at", N_("At"), "instant"),
    Column("action", N_("Action"), "audit_action"),
    Column("entity", N_("Entity"), "entity"),
    Column("entity_id", N_("Entity ID")),
    Column("before", N_("Before"), "fields"),
    Column("after", N_("After"), "fields"),
)
DOCTOR = (
    Column("check", N_("Check"), "doctor_check"),
    Column("status", N_("Status"), "check_status"),
    Column("detail", N_("Detail")),
)


def backup(
    file: Annotated[Path, typer.Argument(help=_("The new backup file."))],
    db: DbOpt = None,
) -> None:
    """Make a consistent copy of the database, safe while it is in use."""
    with database(db, snapshot=False) as conn:  # the backup API takes its own snapshots
        size = backups.backup(conn, file)
    message(_("backed up to {path} ({size} bytes)").format(path=file, size=size))


def demo(
    db: DbOpt = None,
    members: Annotated[
        int | None,
        typer.Option(
            "--members",
            help=_("Large mode: this many members."),
            show_default=False,
            parser=bounded("--members", 1, 1_000_000),
        ),
    ] = None,
    submissions: Annotated[
        int | None,
        typer.Option(
            "--submissions",
            help=_("Large mode: this many submissions."),
            show_default=False,
            parser=bounded("--submissions", 0, 100_000_000),
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help=_("Random seed."), parser=bounded("--seed", 0, MAX_ID))
    ] = 2023,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=_("Build only."))] = False,
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
            if members < 1 or submissions < 0:
                raise SvcmonthError(_("--members must be at least 1"))
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
    show(
        checks.matrix(deadline_rows),
        checks.matrix_columns([w.number for w in c.weeks]),
        Format.table,
        None,
        None,
        title=_("Weekly reports (活动扫描), as of {at}").format(
            at=minute(c.show(to_db(as_of)) or "")
        ),
    )
    print()
    show(
        quota_rows,
        checks.QUOTA,
        Format.table,
        None,
        None,
        title=_("Article minimum (稿件指标)"),
    )
    print()
    show(board, reports.SCOREBOARD, Format.table, None, None, title=_("Scoreboard"))
    message(_("explore it: svcmonth --db {path} report year-end --year 2023").format(path=path))


def doctor(
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """Check the database: integrity, schema, SQLite, journal mode, permissions, SMTP settings."""
    import os

    from svcmonth import doctor as doctors

    path = db_path(db)
    with database(db, snapshot=False) as conn:
        rows = doctors.diagnose(conn, path, os.environ, now())
    show(rows, DOCTOR, fmt, output, encoding, heading=_("Database check"))
    n = doctors.problems(rows)
    if n:
        raise SvcmonthError(_("{n} problem(s) found").format(n=n))


def slogans(
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """The plan's publicity slogans (附件), each once, for LED screens and roadshows."""
    lines = refdata.slogans()
    if fmt is Format.table and output is None:
        render.write_lines(lines, encoding)  # one slogan a line, for the LED screen
        return
    show([{"slogan": s} for s in lines], SLOGAN, fmt, output, encoding)


SLOGAN = (Column("slogan", N_("Slogan")),)


def _reference_app(kind: str, table: str, keys: tuple[str, ...], help_text: str) -> typer.Typer:
    sub = typer.Typer(help=help_text, no_args_is_help=True)

    @sub.command("list")
    def list_(
        fmt: FormatOpt = Format.table,
        output: OutputOpt = None,
        encoding: EncodingOpt = None,
        db: DbOpt = None,
    ) -> None:
        """List them."""
        with database(db) as conn:
            rows = refdata.listing(conn, table)
        show(rows, _reference_columns(keys), fmt, output, encoding)

    @sub.command("add")
    def add(
        name: Annotated[str, typer.Argument(help=_("Name."))],
        kind_: Annotated[
            str, typer.Option("--kind", help=_("Columns: report, article or association."))
        ] = "article",
        doubling: Annotated[
            bool, typer.Option("--doubling", help=_("Outlets: adoption doubles the points."))
        ] = False,
        db: DbOpt = None,
    ) -> None:
        """Add one."""
        fields: dict[str, object] = {}
        if table == "column_def":
            if kind_ not in ("report", "article", "association"):
                raise SvcmonthError(_("--kind must be report, article or association"))
            fields["kind"] = kind_
        elif table == "outlet":
            fields["doubling_default"] = int(doubling)
        with database(db, write=True) as conn:
            refdata.reference_add(conn, table, name, now(), **fields)
        message(_("added {kind} {name}").format(kind=kind, name=name))

    return sub


def _reference_columns(keys: tuple[str, ...]) -> list[Column]:
    known = {
        "name": Column("name", N_("Name")),
        "kind": Column("kind", N_("Kind"), "column_kind"),
        "description": Column("description", N_("Description")),
        "doubling_default": Column("doubling_default", N_("Doubles points"), "bool"),
    }
    return [known[k] for k in keys]


def register(root: typer.Typer) -> None:
    root.command("init")(init)
    root.command("log")(log)
    root.command("backup")(backup)
    root.command("demo")(demo)
    root.command("slogans")(slogans)
    root.command("doctor")(doctor)
    root.add_typer(
        _reference_app(
            "column",
            "column_def",
            ("name", "kind", "description"),
            _("Website columns (栏目) members submit to."),
        ),
        name="column",
    )
    root.add_typer(
        _reference_app(
            "outlet",
            "outlet",
            ("name", "doubling_default", "description"),
            _("Outlets that adopt (刊用) submissions."),
        ),
        name="outlet",
    )
    root.add_typer(
        _reference_app("body", "body", ("name",), _("Bodies the association forwards (报送) to.")),
        name="body",
    )
