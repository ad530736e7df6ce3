"""The contract: every command of SPEC.md answers --help; the message catalog is current."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from svcmonth.cli.app import app

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
    "inbox fetch",
    "inbox import",
    "inbox list",
    "inbox accept",
    "inbox assign",
    "inbox ignore",
]


@pytest.mark.parametrize("command", SPEC_COMMANDS)
def test_every_command_of_the_contract_answers_help(command, tmp_path):
    result = CliRunner().invoke(
        app,
        [*command.split(), "--help"],
        env={"SVCMONTH_DB": str(tmp_path / "none.db"), "SVCMONTH_LANG": "en"},
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


def test_a_translation_changes_messages_not_keys(tmp_path):
    db = tmp_path / "t.db"
    runner = CliRunner()
    env = {"SVCMONTH_DB": str(db), "NO_COLOR": "1", "SVCMONTH_LANG": "zh_CN"}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    runner.invoke(
        app, ["campaign", "new", "c", "--start", "2023-07-11", "--end", "2023-08-11"], env=env
    )
    result = runner.invoke(
        app,
        ["submit", "XX", "--column", "先进事迹", "--title", "t", "--at", "2023-07-12 10:00"],
        env=env,
    )
    assert result.stderr.startswith("错误：未知的会员单位代码 'XX'")
    quota = runner.invoke(app, ["check", "quota", "--format", "csv"], env=env)
    assert quota.stdout.splitlines()[0] == "member,articles,required,shortfall,status,name"
