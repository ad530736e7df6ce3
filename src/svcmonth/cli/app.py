"""The root of the command line: wires the command groups together and handles errors once."""

import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from svcmonth import __version__
from svcmonth.cli import common
from svcmonth.errors import ImportErrors, SvcmonthError
from svcmonth.i18n import _


class SvcmonthGroup(TyperGroup):
    """Turns every user mistake into one ``Error: …`` line on stderr and exit 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ImportErrors as exc:
            _error(str(exc))
            for line, reason in exc.problems:
                print(_("line {line}: {reason}").format(line=line, reason=reason), file=sys.stderr)
            raise typer.Exit(1) from None
        except SvcmonthError as exc:
            _error(str(exc))
            raise typer.Exit(1) from None
        except sqlite3.Error as exc:
            from svcmonth.storage import describe_sqlite_error

            _error(_("database: {reason}").format(reason=describe_sqlite_error(exc)))
            raise typer.Exit(1) from None
        except OSError as exc:
            if exc.errno == 32:  # EPIPE: output piped into `head`
                raise typer.Exit(0) from None
            _error(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
            raise typer.Exit(1) from None


def _error(text: str) -> None:
    one_line = " ".join(text.split("\n"))
    print(f"Error: {one_line}", file=sys.stderr)


app = typer.Typer(
    cls=SvcmonthGroup,
    name="svcmonth",
    help=_(
        "The paperwork of the 文明优质服务月 publicity campaign: members, submissions, "
        "Monday-noon deadlines, the article minimum, grades, reminders and the year-end table."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"svcmonth {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="SVCMONTH_DB",
            show_default=False,
            help=_("Database file (else $SVCMONTH_DB, else ./svcmonth.db)."),
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            envvar="SVCMONTH_NOW",
            hidden=True,
            help="Pretend the wall clock reads this instant (tests, demos).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=_("Show the version and exit.")
        ),
    ] = False,
) -> None:
    common.set_globals(db, now)


def _register() -> None:
    from svcmonth.cli import (
        campaign,
        check,
        grade,
        member,
        misc,
        remind,
        report,
        submission,
    )

    app.add_typer(campaign.app, name="campaign")
    app.add_typer(member.app, name="member")
    app.add_typer(submission.app, name="submission")
    app.add_typer(check.app, name="check")
    app.add_typer(report.app, name="report")
    submission.register(app)
    grade.register(app)
    remind.register(app)
    misc.register(app)


_register()


def main() -> None:
    """The console script."""
    app()
