"""The root of the command line: wires the command groups together and handles errors once."""

import importlib
import sqlite3
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperGroup

from svcmonth import __version__
from svcmonth.cli import common, localize
from svcmonth.errors import ImportErrors, SvcmonthError, reason
from svcmonth.i18n import N_, _
from svcmonth.storage import describe_sqlite_error
from svcmonth.text import one_line

# Every command and group under the root, in the order `--help` lists them, and the module
# (svcmonth.cli.<module>) that declares it. A module is imported and its commands are built
# only when one of them runs (or `--help` lists them all): importing every command module and
# building all the commands took ~55 ms of every run, a fifth of `svcmonth member list`.
# tests/test_cli_lazy.py checks this table against what the modules declare.
COMMAND_MODULES = {
    "submit": "submission",
    "grade": "grade",
    "adopt": "grade",
    "forward": "grade",
    "endorse": "grade",
    "remind": "remind",
    "init": "database",
    "log": "log",
    "backup": "database",
    "demo": "demo",
    "slogans": "slogans",
    "doctor": "database",
    "campaign": "campaign",
    "member": "member",
    "submission": "submission",
    "check": "check",
    "report": "report",
    "inbox": "inbox",
    "survey": "survey",
    "site": "site",
    "column": "reference",
    "outlet": "reference",
    "body": "reference",
    "schedule": "schedule",
    "settings": "settings",
    "notify": "notify",
    "archive": "archive",
    "bundle": "bundle",
}
GROUP_MODULES = (
    "campaign",
    "member",
    "submission",
    "check",
    "report",
    "inbox",
    "survey",
    "site",
    "notify",
    "archive",
    "bundle",
)  # their `app` is a group


def declare(root: typer.Typer, module_name: str) -> None:
    """Add the commands that ``svcmonth.cli.<module_name>`` declares to ``root``."""
    module = importlib.import_module(f"svcmonth.cli.{module_name}")
    if module_name in GROUP_MODULES:
        root.add_typer(module.app, name=module_name)
    if hasattr(module, "register"):
        module.register(root)


class _LazyCommands(MutableMapping[str, Any]):
    """The root's commands by name; a module's commands are built the first time one of its
    names is looked up. Listing the names builds nothing."""

    def __init__(self, built: MutableMapping[str, Any]):
        self.built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self.built and name in COMMAND_MODULES:
            holder = typer.Typer()
            holder.callback()(_holder)
            declare(holder, COMMAND_MODULES[name])
            for built_name, command in typer.main.get_command(holder).commands.items():  # type: ignore[attr-defined]
                if built_name not in self.built:
                    localize.localize(command)  # help texts in this invocation's language
                    self.built[built_name] = command
        return self.built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMAND_MODULES
        yield from (name for name in self.built if name not in COMMAND_MODULES)

    def __len__(self) -> int:
        return len(set(COMMAND_MODULES) | set(self.built))

    def __setitem__(self, name: str, command: Any) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]


def _holder() -> None:
    """Only there to make Typer build a group of the module's commands."""


class SvcmonthGroup(TyperGroup):
    """Turns every user mistake into one ``错误：…`` (``Error: …``) line on stderr and exit 1;
    translates the framework's words and every help text for each invocation."""

    context_class = localize.SvcmonthContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self.commands)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        localize.localize(self)
        return super().main(*args, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except Exception as exc:
            raise _shown(exc) from None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names, without building the commands

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # an argument with bytes that are not UTF-8 reaches Python as lone surrogates
        # (surrogateescape): refused here, once, before any command or SQL sees it
        for position, arg in enumerate(args, start=1):
            if isinstance(arg, str) and any("\ud800" <= ch <= "\udfff" for ch in arg):
                _error(
                    _(
                        "argument {n} ({arg}) holds bytes that are not UTF-8 text; type it again"
                    ).format(n=position, arg=ascii(arg))
                )
                raise typer.Exit(1)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Abort, EOFError):
            _error(_("Aborted!"), prefix=False)
            raise typer.Exit(1) from None
        except ImportErrors as exc:
            _error(str(exc))
            for line, problem in exc.problems:
                print(_("line {line}: {reason}").format(line=line, reason=problem), file=sys.stderr)
            raise typer.Exit(1) from None
        except SvcmonthError as exc:
            _error(str(exc))
            raise typer.Exit(1) from None
        except sqlite3.Error as exc:
            _error(_("database: {reason}").format(reason=describe_sqlite_error(exc)))
            raise typer.Exit(1) from None
        except OSError as exc:
            if exc.errno == 32:  # EPIPE: output piped into `head`
                raise typer.Exit(0) from None
            _error(reason(exc) + (f"：{exc.filename}" if exc.filename else ""))
            raise typer.Exit(1) from None
        except Exception as exc:
            raise _shown(exc) from None


def _shown(exc: Exception) -> Exception:
    """A framework error (usage, bad value, missing option…) shown in the interface language:
    the ``typer.Exit`` to raise in its place. Any other exception is returned as is."""
    if not localize.is_framework_error(exc) or localize.shows_help(exc):
        return exc
    localize.show_error(exc)
    return typer.Exit(getattr(exc, "exit_code", 1))


def _error(message: str, prefix: bool = True) -> None:
    print((_("Error: ") if prefix else "") + one_line(message), file=sys.stderr)


app = typer.Typer(
    cls=SvcmonthGroup,
    name="svcmonth",
    help=N_(
        "The paperwork of the 文明优质服务月 publicity campaign: members, submissions, "
        "Monday-noon deadlines, the article minimum, grades, reminders and the year-end table."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help, in the interface language (cli/localize.py)
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
            help=N_("Database file (else $SVCMONTH_DB, else ./svcmonth.db)."),
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
            "--version", callback=_version, is_eager=True, help=N_("Show the version and exit.")
        ),
    ] = False,
) -> None:
    common.set_globals(db, now)


def main() -> None:
    """The console script."""
    from svcmonth import platform

    platform.prepare_console(sys.stdout)  # a Windows console's code page: Chinese, no traceback
    platform.prepare_console(sys.stderr)
    app()
