"""Fixtures: every test gets its own database file and a fixed "now"; none reads the clock."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import ssl
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from smtp_server import PASSWORD, SENDER, USER, Mailbox, Server, _check_login, free_port
from svcmonth.cli.app import app

# the "now" of every test: after the 2023 campaign has ended (all deadlines passed)
NOW = "2023-08-20T10:00:00+08:00"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Svc:
    """Runs ``svcmonth`` as a user types it, against this test's database."""

    def __init__(self, db: Path, runner: CliRunner):
        self.db = db
        self.runner = runner
        self.now = NOW
        self.lang = "en"  # the tests assert English ("Error: "); "zh_CN" for the Chinese tests

    def __call__(self, *args: str, code: int = 0, input: str | None = None) -> Run:
        result = self.runner.invoke(
            app,
            [str(a) for a in args],
            input=input,
            env={
                "SVCMONTH_DB": str(self.db),
                "SVCMONTH_NOW": self.now,
                "NO_COLOR": "1",
                "SVCMONTH_LANG": self.lang,
            },
            catch_exceptions=False,
        )
        run = Run(result.exit_code, result.stdout, result.stderr)
        assert run.code == code, f"exit {run.code} != {code}\nstdout: {run.out}\nstderr: {run.err}"
        return run

    def json(self, *args: str) -> Any:
        return self(*args, "--format", "json").json()

    def fails(self, *args: str, code: int = 1) -> str:
        """Run a command that must fail cleanly: one ``Error:`` line, no traceback."""
        run = self(*args, code=code)
        assert "Traceback" not in run.err + run.out
        if code == 1:
            assert run.err.startswith("Error: "), run.err
        return run.err

    def dump(self) -> list[str]:
        """The database's whole content, to compare before and after a failed command."""
        conn = sqlite3.connect(self.db)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run in English (they assert ``Error: ``); a Chinese test sets ``svc.lang`` or
    ``SVCMONTH_LANG`` itself. A subprocess given its own environment gets the default."""
    monkeypatch.setenv("SVCMONTH_LANG", "en")


def _copy(template: Path, target: Path) -> None:
    """A template database as this test's own file (owner-only, like every database)."""
    shutil.copyfile(template, target)
    os.chmod(target, 0o600)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The databases every test starts from, built once per session through the CLI and
    copied per test: ``blank`` (after ``init``) and ``c2023`` (the 2023 campaign, 3 members)."""
    base = tmp_path_factory.mktemp("templates")
    blank = Svc(base / "blank.db", CliRunner())
    blank("init")
    campaign = Svc(base / "c2023.db", CliRunner())
    campaign("init")
    campaign("campaign", "new", "2023服务月", "--start", "2023-07-11", "--end", "2023-08-11")
    for code, name, officer, phone, email in MEMBERS:
        args = ["member", "add", code, name, "--officer", officer, "--phone", phone]
        if email:
            args += ["--email", email]
        campaign(*args)
    for s in (blank, campaign):  # closed cleanly: the file alone holds everything
        assert not Path(f"{s.db}-wal").exists()
    return {"blank": blank.db, "c2023": campaign.db}


@pytest.fixture
def svc(tmp_path: Path, templates: dict[str, Path]) -> Svc:
    """A fresh, initialised database and a runner for it."""
    s = Svc(tmp_path / "svc.db", CliRunner())
    _copy(templates["blank"], s.db)
    return s


MEMBERS = [
    ("ICBC", "中国工商银行内蒙古分行", "王丽", "13904710001", "wangli@icbc.example.cn"),
    ("ABC", "中国农业银行内蒙古分行", "李强", "13904710002", "liqiang@abc.example.cn"),
    ("BOC", "中国银行内蒙古分行", "张敏", "13904710003", ""),
]


@pytest.fixture
def c2023(svc: Svc, templates: dict[str, Path]) -> Svc:
    """The plan's 2023 campaign (07-11 to 08-11, Asia/Shanghai) with three members."""
    _copy(templates["c2023"], svc.db)
    return svc


@pytest.fixture
def submit(c2023: Svc) -> Callable[..., int]:
    """Log a submission through the CLI and return its id."""

    def _submit(code: str, column: str, at: str, title: str = "标题", *extra: str) -> int:
        run = c2023("submit", code, "--column", column, "--title", title, "--at", at, *extra)
        return int(run.out.strip())

    return _submit


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def smtp(tmp_path: Path, ca: trustme.CA) -> Iterator[Callable[..., Server]]:
    """Start SMTP servers: ``smtp()`` plain, ``smtp("ssl")`` TLS on connect (the port-465
    style of QQ and 163), ``smtp("starttls")``; the TLS ones require a login."""
    with ExitStack() as stack:

        def start(security: str = "none", mailbox: Mailbox | None = None) -> Server:
            box = mailbox or Mailbox()
            port = free_port()
            kwargs: dict[str, Any] = {"server_hostname": "localhost"}
            if security != "none":
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                ca.issue_cert("127.0.0.1").configure_cert(context)
                kwargs["authenticator"] = _check_login
                if security == "ssl":
                    kwargs.update(ssl_context=context, auth_require_tls=False)
                else:
                    kwargs.update(tls_context=context, require_starttls=True)
            controller = Controller(box, hostname="127.0.0.1", port=port, **kwargs)
            controller.start()
            stack.callback(controller.stop)
            env = {"SVCMONTH_SMTP_HOST": "127.0.0.1", "SVCMONTH_SMTP_PORT": str(port)}
            env["SVCMONTH_SMTP_SECURITY"] = security
            env["SVCMONTH_SMTP_FROM"] = SENDER
            if security != "none":
                cafile = tmp_path / "ca.pem"
                ca.cert_pem.write_to_path(str(cafile))
                env["SVCMONTH_SMTP_CAFILE"] = str(cafile)
                env["SVCMONTH_SMTP_USER"] = USER
                env["SVCMONTH_SMTP_PASSWORD"] = PASSWORD
            return Server(port, box, env)

        yield start
