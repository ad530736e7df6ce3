"""``svcmonth schedule``: the cron or Task Scheduler entries for ``remind`` and ``inbox fetch``."""

import os
from enum import StrEnum
from typing import Annotated

import typer

from svcmonth import chat
from svcmonth import platform as platform_
from svcmonth import schedule as schedule_
from svcmonth.cli.common import DbOpt, db_path
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output import render

Platform = StrEnum("Platform", {name: name for name in schedule_.PLATFORMS})  # type: ignore[misc]


def schedule(
    system: Annotated[
        Platform | None,
        typer.Option(
            "--platform",
            help=N_("linux, windows or mac (default: this computer's)."),
            show_default=False,
        ),
    ] = None,
    via: Annotated[
        str,
        typer.Option(
            "--via",
            metavar="CHANNELS",
            help=N_(
                "Send reminders and results notices through these: mail, wecom, dingtalk "
                "(comma-separated)."
            ),
        ),
    ] = "mail",
    db: DbOpt = None,
) -> None:
    """Print the entries that run reminders and mail intake unattended, ready to paste.

    Example: svcmonth --db D:\\服务月\\svcmonth.db schedule --platform windows
    """
    channels = chat.parse_via(via)
    if chat.TEXT in channels:
        raise SvcmonthError(_("--via text prints messages to paste; a schedule cannot use it"))
    path = db_path(db)
    if not path.is_file():
        raise SvcmonthError(
            _("{path} is not a database file: give the database with --db").format(path=path)
        )
    name = system.value if system is not None else platform_.system()
    lines = schedule_.entries(name, platform_.command(), os.path.abspath(path), channels)
    render.write_text("\n".join(lines) + "\n", None)


def register(root: typer.Typer) -> None:
    root.command("schedule")(schedule)
