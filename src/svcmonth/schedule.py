"""``svcmonth schedule``: the ready-to-paste entries that run svcmonth unattended.

Three jobs: ``remind --send`` every day at 09:00 and on Mondays at 14:00 (the overdue notices
after the noon deadline), ``inbox fetch --accept`` every 10 minutes from 08:00 to 18:59, and
``notify results --send`` every day at 17:00 (the day's grades, adoptions, … told to the
officers). ``via`` (``remind --via``: ``mail,wecom,dingtalk``) is passed to the reminders and
the notices, whose group robots read ``SVCMONTH_WECOM_WEBHOOK``, ``SVCMONTH_DINGTALK_WEBHOOK``
and ``SVCMONTH_DINGTALK_SECRET`` from the same place as the passwords.
Each entry names the svcmonth executable and the database by their absolute paths and runs in
the database's folder: a scheduler has neither the clerk's ``PATH`` nor her working folder.
No password is ever written into an entry: they come from the environment (Windows: user
environment variables; cron: a file next to the database only its owner can read).

- ``linux`` and ``mac``: crontab lines (``crontab -e``), paths quoted for ``sh``;
- ``windows``: PowerShell ``Register-ScheduledTask`` commands. Their settings start a run
  missed while the PC slept or was off, run on battery and never start a second instance
  (``schtasks /Create`` has no switches for those); the tasks run "whether the user is logged
  on or not" without a stored password (``-LogonType S4U``), so no console window ever flashes
  at the clerk.
"""

from __future__ import annotations

import ntpath
import posixpath
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace

from svcmonth.defaults import CAMPAIGN as DEFAULTS
from svcmonth.i18n import N_, _

PLATFORMS = ("linux", "windows", "mac")
ENV_FILE = "svcmonth.env"  # cron: the settings file beside the database
SETTINGS = (
    "New-ScheduledTaskSettingsSet -StartWhenAvailable -AllowStartIfOnBatteries "
    "-DontStopIfGoingOnBatteries -MultipleInstances IgnoreNew"
)
PRINCIPAL = 'New-ScheduledTaskPrincipal -UserId "$env:USERDOMAIN\\$env:USERNAME" -LogonType S4U'


@dataclass(frozen=True)
class Job:
    """One scheduled job: the task's name, what it runs, when (said for people)."""

    name: str
    args: tuple[str, ...]
    when: str  # N_() message id


REMIND = Job(
    "svcmonth remind",
    ("remind", "--send", "--quiet"),
    N_("every day at 09:00, and Mondays at 14:00 for the overdue notices after the noon deadline"),
)
INBOX = Job(
    "svcmonth inbox fetch",
    ("inbox", "fetch", "--accept", "--quiet"),
    N_("every 10 minutes from 08:00 to 18:59, every day"),
)


NOTIFY = Job(
    "svcmonth notify results",
    ("notify", "results", "--send", "--quiet"),
    N_("every day at 17:00: the day's results told to the officers"),
)


def _via(job: Job, via: Sequence[str]) -> Job:
    """``job`` sending through the channels ``via`` (nothing added for mail alone)."""
    if list(via) in ([], ["mail"]):
        return job
    return replace(job, args=(*job.args[:-1], "--via", ",".join(via), job.args[-1]))


def group_settings(via: Sequence[str]) -> str:
    """The settings the group robots of ``via`` read (for the entries' comment)."""
    names = []
    if "wecom" in via:
        names.append("SVCMONTH_WECOM_WEBHOOK")
    if "dingtalk" in via:
        names += ["SVCMONTH_DINGTALK_WEBHOOK", "SVCMONTH_DINGTALK_SECRET"]
    return ", ".join(names)


def entries(
    platform: str, command: Sequence[str], database: str, via: Sequence[str] = ("mail",)
) -> list[str]:
    """The lines to paste for ``platform``, starting ``command`` (absolute: the executable,
    or the interpreter and ``-m svcmonth``) on the absolute ``database``; the reminders and
    the notices go through the channels ``via``."""
    if platform == "windows":
        return _windows(command, database, via)
    return _cron(platform, command, database, via)


def _cron(
    platform: str, command: Sequence[str], database: str, via: Sequence[str] = ("mail",)
) -> list[str]:
    folder = posixpath.dirname(database) or "/"
    env_file = posixpath.join(folder, ENV_FILE)
    run = " ".join(shlex.quote(part) for part in (*command, "--db", database))
    prefix = f"cd {shlex.quote(folder)} && . ./{ENV_FILE} && {run}"

    def line(when: str, job: Job) -> str:
        # cron turns an unescaped % into a new line
        return f"{when} {prefix} {' '.join(job.args)}".replace("%", "\\%")

    remind, notify = _via(REMIND, via), _via(NOTIFY, via)
    groups = group_settings(via)
    return [
        "# "
        + _("svcmonth schedule for {system}: run crontab -e and paste these lines").format(
            system=platform
        ),
        "# "
        + _(
            "no password is written here: each run reads the SVCMONTH_SMTP_* and "
            "SVCMONTH_IMAP_* settings from {file} (readable by you only: chmod 600)"
        ).format(file=env_file),
        *(
            [
                "# "
                + _("the group robots read {names} from {file} too").format(
                    names=groups, file=env_file
                )
            ]
            if groups
            else []
        ),
        "# "
        + _(
            "the times below are {zone}: CRON_TZ makes cronie and systemd-cron read them so; "
            "where cron ignores it, set the server's zone (timedatectl set-timezone {zone})"
        ).format(zone=DEFAULTS.tz),
        f"CRON_TZ={DEFAULTS.tz}",
        "# remind --send: " + _(REMIND.when),
        line("0 9 * * *", remind),
        line("0 14 * * 1", remind),
        "# inbox fetch --accept: " + _(INBOX.when),
        line("*/10 8-18 * * *", INBOX),
        "# notify results --send: " + _(NOTIFY.when),
        line("0 17 * * *", notify),
    ]


def ps_quote(text: str) -> str:
    """``text`` as a PowerShell single-quoted string (nothing inside is expanded)."""
    return "'" + text.replace("'", "''") + "'"


def _windows(command: Sequence[str], database: str, via: Sequence[str] = ("mail",)) -> list[str]:
    folder = ntpath.dirname(database) or "."
    program, *before = command
    # the argument line is parsed by the program (CRT rules): double quotes around each path;
    # a Windows path cannot contain a double quote
    arguments = [*before, "--db", f'"{database}"']

    def action(job: Job) -> str:
        return (
            f"$action = New-ScheduledTaskAction -Execute {ps_quote(chr(34) + program + chr(34))}"
            f" -Argument {ps_quote(' '.join([*arguments, *job.args]))}"
            f" -WorkingDirectory {ps_quote(folder)}"
        )

    def register(job: Job, trigger: str) -> str:
        return (
            f"Register-ScheduledTask -TaskName {ps_quote(job.name)} -Action $action"
            f" -Trigger {trigger} -Settings $settings -Principal $principal -Force"
        )

    remind, notify = _via(REMIND, via), _via(NOTIFY, via)
    groups = group_settings(via)
    return [
        "# "
        + _(
            "svcmonth schedule for windows: paste these lines into Windows PowerShell "
            "(as yourself; no administrator needed)"
        ),
        "# "
        + _(
            "no password is written here: the tasks read SVCMONTH_SMTP_* and SVCMONTH_IMAP_* "
            "from your user environment variables, set once with "
            "[Environment]::SetEnvironmentVariable('SVCMONTH_SMTP_PASSWORD', '…', 'User')"
        ),
        "# "
        + _(
            "the tasks run whether you are logged on or not (S4U, no password stored), so no "
            "window ever opens; keep the database on this PC's disk (S4U cannot reach network "
            "drives)"
        ),
        *(
            [
                "# "
                + _(
                    "the group robots read {names} from your user environment variables too"
                ).format(names=groups)
            ]
            if groups
            else []
        ),
        f"$settings = {SETTINGS}",
        f"$principal = {PRINCIPAL}",
        "# remind --send: " + _(REMIND.when),
        action(remind),
        "$triggers = @((New-ScheduledTaskTrigger -Daily -At 09:00), "
        "(New-ScheduledTaskTrigger -Weekly -DaysOfWeek Monday -At 14:00))",
        register(remind, "$triggers"),
        "# inbox fetch --accept: " + _(INBOX.when),
        action(INBOX),
        "$trigger = New-ScheduledTaskTrigger -Daily -At 08:00",
        "$trigger.Repetition = (New-ScheduledTaskTrigger -Once -At 08:00 -RepetitionInterval "
        "(New-TimeSpan -Minutes 10) -RepetitionDuration (New-TimeSpan -Hours 11)).Repetition",
        register(INBOX, "$trigger"),
        "# notify results --send: " + _(NOTIFY.when),
        action(notify),
        "$trigger = New-ScheduledTaskTrigger -Daily -At 17:00",
        register(notify, "$trigger"),
    ]
