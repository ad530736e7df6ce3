"""The clerk's PC: every Windows branch, tested on Linux by simulating the condition (an
``os.name`` switched in ``svcmonth.platform``, a rename refused as a workbook open in WPS/Excel
refuses it, a console whose code page cannot hold Chinese), and the IMAP ``ID`` exchange
163/网易 mail require before ``SELECT``."""

from __future__ import annotations

import io
import itertools
import locale
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from svcmonth import platform
from svcmonth.output import outfile

SRC = Path(__file__).resolve().parents[1] / "src" / "svcmonth"


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The clerk's PC, simulated: ``os.name`` is "nt" for svcmonth; the pauses between
    attempts are recorded instead of waited."""
    monkeypatch.setattr(platform, "NAME", "nt")
    pauses: list[float] = []
    monkeypatch.setattr(platform, "SLEEP", pauses.append)
    return pauses


def refuse_replace(monkeypatch: pytest.MonkeyPatch, times: int | None) -> list[str]:
    """``os.replace`` refused ``times`` times (None: always), as Windows refuses to rename over
    a file WPS/Excel holds open; returns the targets it was asked for."""
    real = os.replace
    asked: list[str] = []

    def replace(source, target):  # type: ignore[no-untyped-def]
        asked.append(os.fspath(target))
        if times is None or len(asked) <= times:
            raise PermissionError(13, "拒绝访问。", os.fspath(target))
        real(source, target)

    monkeypatch.setattr(os, "replace", replace)
    return asked


def test_a_locked_output_file_is_retried_briefly_then_written(
    c2023, windows, monkeypatch, tmp_path
):
    target = tmp_path / "成员.csv"
    target.write_text("old\n", encoding="utf-8")
    asked = refuse_replace(monkeypatch, 3)
    c2023("member", "list", "--format", "csv", "--output", target)
    assert len(asked) == 4 and windows == [platform.REPLACE_PAUSE] * 3
    assert target.read_text(encoding="utf-8-sig").startswith("code,name")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_a_workbook_left_open_in_wps_is_one_clear_error(c2023, windows, monkeypatch, tmp_path):
    target = tmp_path / "年度考核表.csv"
    target.write_text("old\n", encoding="utf-8")
    asked = refuse_replace(monkeypatch, None)
    c2023.lang = "zh_CN"
    run = c2023("member", "list", "--format", "csv", "--output", target, code=1)
    assert run.err == (
        f"错误：无法写入 {target}：文件可能正在 WPS/Excel 中打开，请关闭 WPS/Excel 中打开的 "
        f"{target} 后重试\n"
    )
    assert "拒绝访问" not in run.err and "Traceback" not in run.err
    # about two seconds of patience, not more: 8 attempts, 7 pauses
    assert len(asked) == platform.REPLACE_ATTEMPTS
    assert sum(windows) == pytest.approx((platform.REPLACE_ATTEMPTS - 1) * 0.25)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["svc.db", "年度考核表.csv"]


def test_off_windows_a_refused_rename_is_reported_at_once(c2023, monkeypatch, tmp_path):
    monkeypatch.setattr(platform, "NAME", "posix")
    monkeypatch.setattr(platform, "SLEEP", lambda _s: pytest.fail("no pause off Windows"))
    refuse_replace(monkeypatch, None)
    target = tmp_path / "out.csv"
    err = c2023.fails("member", "list", "--format", "csv", "--output", target)
    assert err == f"Error: cannot write {target}: permission denied\n"
    assert not target.exists()


def test_the_platform_replace_takes_its_pause_as_a_parameter(tmp_path, monkeypatch):
    monkeypatch.setattr(platform, "NAME", "nt")
    refuse_replace(monkeypatch, 2)
    source, target = tmp_path / "a", tmp_path / "b"
    source.write_text("x", encoding="utf-8")
    pauses: list[float] = []
    platform.replace(source, target, sleep=pauses.append, attempts=3, pause=0.5)
    assert pauses == [0.5, 0.5] and target.read_text(encoding="utf-8") == "x"


def test_doctor_does_not_claim_owner_only_on_windows(svc, windows):
    os.chmod(svc.db, 0o644)  # what a shared drive amounts to: the bits say nothing there
    rows = [r for r in svc.json("doctor") if r["check"] == "permissions"]
    assert rows and {r["status"] for r in rows} == {"ok"}
    assert rows[0]["detail"] == (
        "svc.db: not checked (on Windows the folder's sharing and security settings decide "
        "who can read it)"
    )
    svc.lang = "zh_CN"
    assert "svc.db：未检查" in svc("doctor").out


def test_doctor_still_checks_the_bits_where_the_system_enforces_them(svc, monkeypatch):
    monkeypatch.setattr(platform, "NAME", "posix")
    os.chmod(svc.db, 0o644)
    rows = [r for r in svc("doctor", "--format", "json", code=1).json()]
    assert {r["status"] for r in rows if r["check"] == "permissions"} == {"problem"}


def test_output_is_utf8_with_a_bom_whatever_the_code_page(c2023, monkeypatch, tmp_path):
    # a Chinese Windows: the ANSI code page is 936; nothing on the --output path may ask it
    monkeypatch.setattr(locale, "getpreferredencoding", lambda *_a: "cp936")
    monkeypatch.setattr(locale, "getencoding", lambda: "cp936")
    target = tmp_path / "members.csv"
    c2023("member", "list", "--format", "csv", "--output", target)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "中国工商银行内蒙古分行" in data.decode("utf-8")
    md = tmp_path / "members.md"
    c2023("member", "list", "--format", "md", "--output", md)
    assert "中国农业银行内蒙古分行" in md.read_bytes().decode("utf-8")
    c2023("member", "list", "--format", "csv", "--output", target, "--encoding", "gb18030")
    assert "中国银行内蒙古分行" in target.read_bytes().decode("gb18030")


class _Console(io.TextIOWrapper):
    """A console stream in a legacy code page that cannot hold Chinese."""

    def isatty(self) -> bool:
        return True


def test_a_windows_console_with_a_legacy_code_page_prints_chinese(windows):
    raw = io.BytesIO()
    console = _Console(raw, encoding="cp1252", errors="strict")
    with pytest.raises(UnicodeEncodeError):
        console.write("错误：无法写入")
    platform.prepare_console(console)
    console.write("错误：无法写入 ✓\n")
    console.flush()
    assert raw.getvalue().decode("utf-8").endswith("错误：无法写入 ✓\n")


def test_a_console_is_left_alone_off_windows_and_a_redirected_stream_everywhere(monkeypatch):
    monkeypatch.setattr(platform, "NAME", "posix")
    console = _Console(io.BytesIO(), encoding="cp1252")
    platform.prepare_console(console)
    assert console.encoding == "cp1252"
    monkeypatch.setattr(platform, "NAME", "nt")
    redirected = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    platform.prepare_console(redirected)
    assert redirected.encoding == "cp1252"
    platform.prepare_console(object())  # no isatty at all: nothing to do, no error


def test_os_name_is_decided_in_the_platform_module_only():
    found = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if re.search(r"\bos\.name\b|sys\.platform\b", path.read_text(encoding="utf-8"))
    ]
    assert found == ["platform.py"]


def test_no_posix_only_module_on_a_command_path():
    posix_only = re.compile(r"^\s*(import|from)\s+(fcntl|pwd|grp|termios|resource)\b", re.M)
    calls = re.compile(r"\bos\.(getuid|geteuid|getgid|fork|setsid|killpg|getpgid)\b")
    offenders = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if posix_only.search(path.read_text(encoding="utf-8"))
        or calls.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_outfile_writes_through_the_platform_replace(tmp_path, windows, monkeypatch):
    asked = refuse_replace(monkeypatch, 1)
    outfile.write_text(tmp_path / "a.md", "# 通报\n")
    assert len(asked) == 2 and (tmp_path / "a.md").read_text(encoding="utf-8") == "# 通报\n"


# --- the IMAP ID exchange ---------------------------------------------------------------

_folders = itertools.count(1)


@pytest.fixture(scope="module")
def imap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    pytest.importorskip(
        "pymap", reason="the in-memory IMAP server (pip install pymap) is not installed"
    )
    from imap_server import start

    server = start(tmp_path_factory.mktemp("imapid"))
    yield server
    server.process.terminate()
    server.process.wait()


def _fetch_through(c2023, imap, monkeypatch, hide_id: bool) -> list[str]:
    from imap_server import RecordingFront

    front = RecordingFront(imap.port, hide_id=hide_id)
    folder = f"ID{next(_folders)}"
    imap.client().create(folder)
    for key, value in front.env(imap, folder).items():
        monkeypatch.setenv(key, value)
    try:
        c2023("inbox", "fetch")
    finally:
        front.close()
    return front.commands


def test_the_id_command_is_sent_before_the_folder_is_opened(c2023, imap, monkeypatch):
    commands = _fetch_through(c2023, imap, monkeypatch, hide_id=False)
    assert "ID" in commands and "EXAMINE" in commands, commands
    assert commands.index("LOGIN") < commands.index("ID") < commands.index("EXAMINE")
    assert "SELECT" not in commands  # read-only: EXAMINE, never SELECT


def test_no_id_command_to_a_server_that_does_not_advertise_it(c2023, imap, monkeypatch):
    commands = _fetch_through(c2023, imap, monkeypatch, hide_id=True)
    assert "EXAMINE" in commands and "ID" not in commands, commands


def test_a_year_end_workbook_open_in_excel_gets_the_same_error(
    c2023, windows, monkeypatch, tmp_path
):
    target = tmp_path / "年度考核表.xlsx"
    refuse_replace(monkeypatch, None)
    err = c2023.fails("report", "year-end", "--year", "2023", "--format", "xlsx", "-o", target)
    assert err == (
        f"Error: cannot write {target}: the file may be open in WPS/Excel; close {target} in "
        "WPS/Excel and try again\n"
    )
    assert not target.exists()
