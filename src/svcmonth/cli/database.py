"""``svcmonth init``, ``backup`` and ``doctor``: the database file itself."""

from pathlib import Path
from typing import Annotated

import typer

from svcmonth import refdata, storage
from svcmonth.attachments import attachments_root
from svcmonth.cli.common import DbOpt, Output, database, db_path, now, output_options, output_rows
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output.columns import Field
from svcmonth.output.render import message
from svcmonth.storage import backup as backups
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


def backup(
    file: Annotated[Path, typer.Argument(help=N_("The new backup file."))],
    db: DbOpt = None,
) -> None:
    """Make a consistent copy of the database, safe while it is in use, and of the mail's
    attachments (FILE.attachments beside it)."""
    with database(db, snapshot=False) as conn:  # the backup API takes its own snapshots
        done = backups.backup(conn, file, attachments_root(db_path(db)))
    message(_("backed up to {path} ({size} bytes)").format(path=file, size=done.size))
    if done.attachments is not None:
        message(
            _("attachments: {n} file(s) copied to {path}").format(
                n=done.files, path=done.attachments
            )
        )


@output_options
def doctor(
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """Check the database: integrity, schema, SQLite, journal mode, permissions, SMTP settings."""
    import os

    from svcmonth import doctor as doctors

    path = db_path(db)
    with database(db, snapshot=False) as conn:
        rows = doctors.diagnose(conn, path, os.environ, now())
    output_rows(out, rows, DOCTOR, heading=_("Database check"))
    n = doctors.problems(rows)
    if n:
        raise SvcmonthError(_("{n} problem(s) found").format(n=n))


def register(root: typer.Typer) -> None:
    root.command("init")(init)
    root.command("backup")(backup)
    root.command("doctor")(doctor)


DOCTOR = (
    Field("check", N_("Check"), "doctor_check"),
    Field("status", N_("Status"), "check_status"),
    Field("detail", N_("Detail")),
)
