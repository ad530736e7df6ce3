"""The contract: every command of SPEC.md answers --help; the message catalog is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svcmonth.cli.app import app
from svcmonth.i18n import DOMAIN, LOCALE_DIR, extract

SPEC_COMMANDS = [
    "init",
    "campaign new",
    "campaign show",
    "campaign deadline",
    "member add",
    "member import",
    "member edit",
    "member deactivate",
    "member extend",
    "member list",
    "submit",
    "submission import",
    "submission list",
    "submission withdraw",
    "grade",
    "adopt",
    "forward",
    "check deadlines",
    "check quota",
    "report scoreboard",
    "report weekly",
    "report year-end",
    "report officers",
    "remind",
    "log",
    "backup",
    "demo",
    "slogans",
]


@pytest.mark.parametrize("command", SPEC_COMMANDS)
def test_every_command_of_the_contract_answers_help(command, tmp_path):
    result = CliRunner().invoke(
        app, [*command.split(), "--help"], env={"SVCMONTH_DB": str(tmp_path / "none.db")}
    )
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert not (tmp_path / "none.db").exists()


def test_python_dash_m_runs_the_program():
    run = subprocess.run(
        [sys.executable, "-m", "svcmonth", "--version"], capture_output=True, text=True, check=True
    )
    assert run.stdout.startswith("svcmonth ")


def test_a_usage_error_exits_2(tmp_path):
    result = CliRunner().invoke(
        app, ["member", "list", "--format", "pdf"], env={"SVCMONTH_DB": str(tmp_path / "x.db")}
    )
    assert result.exit_code == 2


def test_the_message_catalog_template_is_current():
    """Every ``_()`` string is in svcmonth.pot; regenerate with ``python -m svcmonth.i18n``."""
    pot = Path(LOCALE_DIR) / f"{DOMAIN}.pot"
    assert pot.read_text(encoding="utf-8") == extract(), "run: python -m svcmonth.i18n"


def test_a_translation_changes_messages_not_keys(tmp_path, monkeypatch):
    import gettext

    from svcmonth import i18n

    class Zh(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return {
                "Member": "会员单位",
                "unknown member {code!r}; see `svcmonth member list`": "未知会员单位 {code!r}",
            }.get(message, message)

    monkeypatch.setattr(i18n, "_catalog", Zh())
    db = tmp_path / "t.db"
    runner = CliRunner()
    env = {"SVCMONTH_DB": str(db), "NO_COLOR": "1"}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    runner.invoke(
        app, ["campaign", "new", "c", "--start", "2023-07-11", "--end", "2023-08-11"], env=env
    )
    result = runner.invoke(
        app,
        ["submit", "XX", "--column", "先进事迹", "--title", "t", "--at", "2023-07-12 10:00"],
        env=env,
    )
    assert result.stderr == "Error: 未知会员单位 'XX'\n"
    quota = runner.invoke(app, ["check", "quota", "--format", "csv"], env=env)
    assert quota.stdout.splitlines()[0] == "member,articles,required,shortfall,status,name"
