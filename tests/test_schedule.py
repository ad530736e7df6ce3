"""``svcmonth schedule``: ready-to-paste crontab lines or Task Scheduler commands that run
``remind --send`` and ``inbox fetch --accept`` with the absolute paths of the running svcmonth
and of the database, quoted for paths with spaces, Chinese and apostrophes, and no secret."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from svcmonth import platform, schedule

WIN_EXE = r"C:\Users\王丽\AppData\Roaming\Python\Python311\Scripts\svcmonth.exe"
WIN_DB = r"D:\服务月 O'Neil 数据\svcmonth.db"


def test_crontab_lines_for_linux_quote_paths_with_spaces_and_chinese():
    lines = schedule.entries("linux", ["/opt/服务月 工具/bin/svcmonth"], "/srv/服务 月/svcmonth.db")
    cd = "cd '/srv/服务 月' && . ./svcmonth.env && '/opt/服务月 工具/bin/svcmonth' --db"
    run = f"{cd} '/srv/服务 月/svcmonth.db'"
    assert lines == [
        "# svcmonth schedule for linux: run crontab -e and paste these lines",
        "# no password is written here: each run reads the SVCMONTH_SMTP_* and SVCMONTH_IMAP_* "
        "settings from /srv/服务 月/svcmonth.env (readable by you only: chmod 600)",
        "# the times below are Asia/Shanghai: CRON_TZ makes cronie and systemd-cron read them so; "
        "where cron ignores it, set the server's zone (timedatectl set-timezone Asia/Shanghai)",
        "CRON_TZ=Asia/Shanghai",  # a UTC server would otherwise remind at 17:00 Beijing time
        "# remind --send: every day at 09:00, and Mondays at 14:00 for the overdue notices "
        "after the noon deadline",
        f"0 9 * * * {run} remind --send --quiet",
        f"0 14 * * 1 {run} remind --send --quiet",
        "# inbox fetch --accept: every 10 minutes from 08:00 to 18:59, every day",
        f"*/10 8-18 * * * {run} inbox fetch --accept --quiet",
        "# notify results --send: every day at 17:00: the day's results told to the officers",
        f"0 17 * * * {run} notify results --send --quiet",
    ]


def test_mac_gets_crontab_lines_too():
    lines = schedule.entries("mac", ["/usr/local/bin/svcmonth"], "/Users/wl/svcmonth.db")
    assert lines[0] == "# svcmonth schedule for mac: run crontab -e and paste these lines"
    assert lines[5] == (
        "0 9 * * * cd /Users/wl && . ./svcmonth.env && /usr/local/bin/svcmonth --db "
        "/Users/wl/svcmonth.db remind --send --quiet"
    )


def test_a_percent_sign_in_a_path_is_escaped_for_cron():
    # cron turns an unescaped % into a new line (the rest becomes the command's input)
    lines = schedule.entries("linux", ["/opt/svcmonth"], "/srv/100%/svcmonth.db")
    assert "--db /srv/100\\%/svcmonth.db remind" in lines[5]
    assert "%" not in lines[5].replace("\\%", "")


def test_task_scheduler_commands_for_windows():
    lines = schedule.entries("windows", [WIN_EXE], WIN_DB)
    execute = f"-Execute '\"{WIN_EXE}\"'"
    argument = "-Argument '--db \"D:\\服务月 O''Neil 数据\\svcmonth.db\""
    folder = "-WorkingDirectory 'D:\\服务月 O''Neil 数据'"
    common = "-Settings $settings -Principal $principal -Force"
    assert lines[3:] == [
        "$settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -AllowStartIfOnBatteries "
        "-DontStopIfGoingOnBatteries -MultipleInstances IgnoreNew",
        '$principal = New-ScheduledTaskPrincipal -UserId "$env:USERDOMAIN\\$env:USERNAME" '
        "-LogonType S4U",
        "# remind --send: every day at 09:00, and Mondays at 14:00 for the overdue notices "
        "after the noon deadline",
        f"$action = New-ScheduledTaskAction {execute} {argument} remind --send --quiet' {folder}",
        "$triggers = @((New-ScheduledTaskTrigger -Daily -At 09:00), "
        "(New-ScheduledTaskTrigger -Weekly -DaysOfWeek Monday -At 14:00))",
        f"Register-ScheduledTask -TaskName 'svcmonth remind' -Action $action -Trigger $triggers "
        f"{common}",
        "# inbox fetch --accept: every 10 minutes from 08:00 to 18:59, every day",
        f"$action = New-ScheduledTaskAction {execute} {argument} inbox fetch --accept --quiet' "
        f"{folder}",
        "$trigger = New-ScheduledTaskTrigger -Daily -At 08:00",
        "$trigger.Repetition = (New-ScheduledTaskTrigger -Once -At 08:00 -RepetitionInterval "
        "(New-TimeSpan -Minutes 10) -RepetitionDuration (New-TimeSpan -Hours 11)).Repetition",
        f"Register-ScheduledTask -TaskName 'svcmonth inbox fetch' -Action $action -Trigger "
        f"$trigger {common}",
        "# notify results --send: every day at 17:00: the day's results told to the officers",
        f"$action = New-ScheduledTaskAction {execute} {argument} notify results --send --quiet' "
        f"{folder}",
        "$trigger = New-ScheduledTaskTrigger -Daily -At 17:00",
        f"Register-ScheduledTask -TaskName 'svcmonth notify results' -Action $action -Trigger "
        f"$trigger {common}",
    ]
    assert all(line.startswith("# ") for line in lines[:3])
    assert "SetEnvironmentVariable('SVCMONTH_SMTP_PASSWORD', '…', 'User')" in lines[1]


def test_windows_without_the_exe_runs_the_interpreter_with_dash_m():
    python = r"C:\Program Files\Python311\python.exe"
    lines = schedule.entries("windows", [python, "-m", "svcmonth"], r"C:\data\svcmonth.db")
    action = next(line for line in lines if line.startswith("$action"))
    assert action == (
        "$action = New-ScheduledTaskAction -Execute '\"C:\\Program Files\\Python311\\python.exe\"'"
        " -Argument '-m svcmonth --db \"C:\\data\\svcmonth.db\" remind --send --quiet'"
        " -WorkingDirectory 'C:\\data'"
    )


def test_powershell_single_quotes_are_doubled():
    assert schedule.ps_quote("D:\\O'Neil's 服务月") == "'D:\\O''Neil''s 服务月'"


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A svcmonth script in a folder with Chinese and a space, as the running program."""
    script = tmp_path / "服务月 工具" / "bin" / "svcmonth"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", [str(script), "schedule"])
    return script


def test_schedule_names_the_running_svcmonth_and_the_absolute_database(
    svc, installed, tmp_path, monkeypatch
):
    folder = tmp_path / "协会 数据"
    folder.mkdir()
    db = folder / "svcmonth.db"
    db.write_bytes(svc.db.read_bytes())
    monkeypatch.chdir(folder)
    monkeypatch.setenv("SVCMONTH_SMTP_PASSWORD", "授权码-secret-8Kq")
    monkeypatch.setenv("SVCMONTH_IMAP_PASSWORD", "imap-secret-7Zx")
    svc.db = Path("svcmonth.db")  # relative, as a clerk types it: the entries get it absolute
    out = svc("schedule", "--platform", "linux").out
    assert f"cd '{folder}' && . ./svcmonth.env && '{installed}' --db '{db}' remind" in out
    assert "secret" not in out
    win = svc("schedule", "--platform", "windows").out
    assert "New-ScheduledTaskSettingsSet -StartWhenAvailable -AllowStartIfOnBatteries" in win
    assert f"-Execute '\"{installed}\"'" in win and "secret" not in win


def test_the_default_platform_is_this_computers(svc, installed, monkeypatch):
    monkeypatch.setattr(platform, "NAME", "nt")
    assert "Register-ScheduledTask" in svc("schedule").out
    monkeypatch.setattr(platform, "NAME", "posix")
    monkeypatch.setattr(platform, "SYS_PLATFORM", "darwin")
    assert svc("schedule").out.startswith("# svcmonth schedule for mac")
    monkeypatch.setattr(platform, "SYS_PLATFORM", "linux")
    assert svc("schedule").out.startswith("# svcmonth schedule for linux")


def test_schedule_refuses_a_database_that_is_not_there(svc, installed, tmp_path):
    svc.db = tmp_path / "missing.db"
    err = svc.fails("schedule", "--platform", "linux")
    assert err == f"Error: {svc.db} is not a database file: give the database with --db\n"


def test_schedule_speaks_chinese(svc, installed):
    svc.lang = "zh_CN"
    out = svc("schedule", "--platform", "windows").out
    assert out.startswith("# svcmonth 定时任务（windows）：把以下各行粘贴到 Windows PowerShell")
    assert "# remind --send: 每天 09:00；另在每周一 14:00（中午截止后发送逾期未报提醒）" in out


def test_the_command_is_the_running_script(tmp_path):
    script = tmp_path / "服务 月" / "svcmonth"
    script.parent.mkdir()
    script.write_text("", encoding="utf-8")
    assert platform.command(str(script), which=lambda _n: None) == [str(script)]


def test_on_windows_the_command_is_scripts_svcmonth_exe(tmp_path, monkeypatch):
    monkeypatch.setattr(platform, "NAME", "nt")
    exe = tmp_path / "Scripts" / "svcmonth.exe"
    exe.parent.mkdir()
    exe.write_text("", encoding="utf-8")
    # the launcher may report itself without the suffix
    launched = str(tmp_path / "Scripts" / "svcmonth")
    assert platform.command(launched, which=lambda _n: None) == [str(exe)]


def test_python_dash_m_svcmonth_is_scheduled_the_same_way():
    main = os.path.join("site-packages", "svcmonth", "__main__.py")
    found = platform.command(main, which=lambda _n: "/elsewhere/svcmonth", executable="/v/python")
    assert found == ["/v/python", "-m", "svcmonth"]


def test_another_program_falls_back_to_the_svcmonth_on_path_then_to_dash_m():
    assert platform.command("pytest", which=lambda _n: "/usr/bin/svcmonth") == ["/usr/bin/svcmonth"]
    assert platform.command("pytest", which=lambda _n: None, executable="/v/python") == [
        "/v/python",
        "-m",
        "svcmonth",
    ]


def test_group_chats_are_passed_to_the_reminders_and_the_notices():
    lines = schedule.entries("linux", ["/opt/svcmonth"], "/srv/svcmonth.db", ["mail", "wecom"])
    assert "SVCMONTH_WECOM_WEBHOOK from /srv/svcmonth.env" in lines[2]
    sends = [line for line in lines if "--send" in line and not line.startswith("#")]
    assert [line.split("svcmonth.db ")[1] for line in sends] == [
        "remind --send --via mail,wecom --quiet",
        "remind --send --via mail,wecom --quiet",
        "notify results --send --via mail,wecom --quiet",
    ]
    windows = schedule.entries("windows", [WIN_EXE], WIN_DB, ["dingtalk"])
    assert any("SVCMONTH_DINGTALK_SECRET" in line for line in windows if line.startswith("#"))
    assert sum("--send --via dingtalk --quiet" in line for line in windows) == 2


def test_schedule_via_takes_the_chinese_names_and_refuses_text(svc, installed):
    svc("init")
    out = svc("schedule", "--platform", "linux", "--via", "邮件,企业微信").out
    assert "remind --send --via mail,wecom --quiet" in out
    assert "text" in svc.fails("schedule", "--platform", "linux", "--via", "text")
