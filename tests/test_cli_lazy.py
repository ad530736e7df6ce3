"""Commands are built lazily (a fifth of the start-up): the table in cli/app.py names every
command the modules declare, and running one imports only the module that declares it."""

from __future__ import annotations

import subprocess
import sys

import typer
import typer.main
from typer.testing import CliRunner

from svcmonth.cli.app import COMMAND_MODULES, app, declare


def _declared_by(module_name: str) -> list[str]:
    holder = typer.Typer()
    holder.callback()(lambda: None)
    declare(holder, module_name)
    return list(typer.main.get_command(holder).commands)  # type: ignore[attr-defined]


def test_the_table_names_every_command_the_modules_declare_and_no_other():
    declared = {
        name: module for module in set(COMMAND_MODULES.values()) for name in _declared_by(module)
    }
    assert declared == COMMAND_MODULES


def test_help_lists_every_command_in_the_table_order():
    out = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200", "NO_COLOR": "1"}).stdout
    listed = [
        line.split()[0]
        for line in out.splitlines()
        if line.startswith("  ") and line.split() and line.split()[0] in COMMAND_MODULES
    ]
    assert listed == list(COMMAND_MODULES)


def _modules_loaded_by(*args: str) -> set[str]:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from svcmonth.cli.app import app\n"
        f"CliRunner().invoke(app, {list(args)!r})\n"
        "print(' '.join(m for m in sys.modules if m.startswith('svcmonth.cli.')))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_a_command_imports_only_the_module_that_declares_it():
    assert _modules_loaded_by("--version") == {
        "svcmonth.cli.app",
        "svcmonth.cli.common",
        "svcmonth.cli.localize",
    }
    assert _modules_loaded_by("member", "list", "--help") == {
        "svcmonth.cli.app",
        "svcmonth.cli.common",
        "svcmonth.cli.localize",
        "svcmonth.cli.member",
    }
    assert _modules_loaded_by("inbox", "list", "--help") == {
        "svcmonth.cli.app",
        "svcmonth.cli.common",
        "svcmonth.cli.localize",
        "svcmonth.cli.inbox",
    }
    assert _modules_loaded_by("site", "build", "--help") == {
        "svcmonth.cli.app",
        "svcmonth.cli.common",
        "svcmonth.cli.localize",
        "svcmonth.cli.site",
    }


def test_the_survey_commands_import_only_their_module():
    assert _modules_loaded_by("survey", "report", "--help") == {
        "svcmonth.cli.app",
        "svcmonth.cli.common",
        "svcmonth.cli.localize",
        "svcmonth.cli.survey",
    }
