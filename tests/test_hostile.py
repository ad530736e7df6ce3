"""Hostile text and odd files (issue 11): no lost database, no stuck reminder, no traceback,
no injection. Each test is one defect the red-team pass found, named after the rule."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import Svc
from smtp_server import SMTP_VARS
from svcmonth import text
from svcmonth.cli.app import app

ICBC_MAIL = "wangli@icbc.example.cn"


def _raw_update(svc: Svc, sql: str, *params: object) -> None:
    """Write straight into the file, as an older version or another tool could have."""
    conn = sqlite3.connect(svc.db)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# --- one output writer -------------------------------------------------------------------


def test_output_naming_the_database_is_refused_and_the_database_survives(c2023, submit):
    submit("ICBC", "先进事迹", "2023-07-12 10:00")
    before = c2023.db.read_bytes()
    for target in (str(c2023.db), f"{c2023.db}-wal", f"{c2023.db}-shm"):
        err = c2023.fails("report", "scoreboard", "--format", "csv", "--output", target)
        assert "is the database" in err
    assert c2023.db.read_bytes() == before
    assert c2023.json("submission", "list")[0]["title"] == "标题"


def test_a_hard_link_to_the_database_is_the_database(c2023, tmp_path):
    link = tmp_path / "link.db"
    os.link(c2023.db, link)
    assert "is the database" in c2023.fails("member", "list", "--output", str(link))


def test_output_files_are_owner_only_even_over_an_older_file(c2023, tmp_path):
    out = tmp_path / "members.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)
    c2023("member", "list", "--format", "csv", "--output", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "13904710001" in out.read_text(encoding="utf-8-sig")
    for fmt in ("json", "md", "table", "xlsx"):
        other = tmp_path / f"m.{fmt}"
        c2023("member", "list", "--format", fmt, "--output", str(other))
        assert stat.S_IMODE(other.stat().st_mode) == 0o600
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("fmt", "encoding"),
    [("json", "ascii"), ("csv", "latin-1"), ("md", "ascii"), ("table", "ascii")],
)
def test_an_encoding_that_cannot_hold_the_text_leaves_no_file(c2023, tmp_path, fmt, encoding):
    out = tmp_path / f"members.{fmt}"
    err = c2023.fails(
        "member", "list", "--format", fmt, "--encoding", encoding, "--output", str(out)
    )
    assert f"cannot be written in {encoding}" in err and "nothing was written" in err
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_a_failed_output_leaves_the_older_file_as_it_was(c2023, tmp_path):
    out = tmp_path / "members.json"
    out.write_text("[]\n", encoding="utf-8")
    c2023.fails("member", "list", "--format", "json", "--encoding", "ascii", "--output", str(out))
    assert out.read_text(encoding="utf-8") == "[]\n"


def test_campaign_show_json_goes_through_the_same_writer(c2023, tmp_path):
    assert "is the database" in c2023.fails(
        "campaign", "show", "--format", "json", "--output", str(c2023.db)
    )
    out = tmp_path / "c.json"
    c2023("campaign", "show", "--format", "json", "--output", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == "2023服务月"


# --- one display sanitizer ---------------------------------------------------------------


@pytest.fixture
def legacy(c2023, submit):
    """A database an older version filled with control characters (pasted from Word)."""
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00", "标题")
    _raw_update(c2023, "UPDATE member SET name = '工商\x0b银行\x1b[2J' WHERE code = 'ICBC'")
    _raw_update(
        c2023, "UPDATE submission SET title = '\x1b]0;pwned\x07a|b\u202e' WHERE id = ?", sid
    )
    return c2023


def _no_raw_controls(output: str, allowed: str = "\n") -> None:
    bad = [ch for ch in output if text.display(ch) != ch and ch not in allowed]
    assert bad == [], bad


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json"])
def test_no_control_character_is_ever_printed_raw(legacy, fmt):
    for args in (("submission", "list"), ("member", "list"), ("report", "scoreboard")):
        run = legacy(*args, "--format", fmt)
        _no_raw_controls(run.out, "\n\r" if fmt == "csv" else "\n")
        assert "\\x1b" in run.out or "\\u001b" in run.out


def test_json_keeps_the_value_but_escapes_it(legacy):
    rows = legacy.json("submission", "list")
    assert rows[0]["title"] == "\x1b]0;pwned\x07a|b\u202e"


def test_a_pipe_in_a_title_does_not_break_the_markdown_table(legacy):
    lines = legacy("submission", "list", "--format", "md").out.splitlines()
    widths = {line.replace("\\|", "").count("|") for line in lines if line.startswith("|")}
    assert len(widths) == 1


def test_xlsx_takes_control_characters_and_any_campaign_name(legacy, tmp_path):
    from openpyxl import load_workbook

    legacy("campaign", "new", "2024:[总]?*/\\", "--start", "2024-07-11", "--end", "2024-08-11")
    out = tmp_path / "s.xlsx"
    legacy(
        "report", "scoreboard", "--campaign", "2024:[总]?*/\\", "--format", "xlsx", "-o", str(out)
    )
    for name in load_workbook(out).sheetnames:  # whatever the sheet is named after
        assert name and not set(name) & set(":\\/?*[]") and len(name) <= 31
    out2 = tmp_path / "l.xlsx"
    legacy("submission", "list", "--campaign", "2023服务月", "--format", "xlsx", "-o", str(out2))
    ws = load_workbook(out2).active
    cells = {v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)}
    assert "\\x1b]0;pwned\\x07a|b\\u202e" in cells


def test_weekly_csv_columns_cell_is_inert(c2023):
    c2023("column", "add", "=1+2", "--kind", "article")
    c2023("submit", "ICBC", "--column", "=1+2", "--title", "t", "--at", "2023-07-12 10:00")
    out = c2023("report", "weekly", "--week", "1", "--format", "csv").out
    assert "'=1+2:1" in out and ",=1+2" not in out


# --- one text validator ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["member", "add", "NEW", "工商\x0b银行"],
        ["member", "edit", "ICBC", "--officer", "王\x1b[31m丽"],
        ["campaign", "new", "服务\n月", "--start", "2024-07-11", "--end", "2024-08-11"],
        [
            "submit",
            "ICBC",
            "--column",
            "先进事迹",
            "--title",
            "\x1b[2Jt",
            "--at",
            "2023-07-12 10:00",
        ],
        [
            "submit",
            "ICBC",
            "--column",
            "先进事迹",
            "--title",
            "t",
            "--author",
            "a\x00b",
            "--at",
            "2023-07-12 10:00",
        ],
        ["outlet", "add", "日报\u202e"],
        [
            "submit",
            "ICBC",
            "--column",
            "先进事迹",
            "--title",
            "t\u2066",
            "--at",
            "2023-07-12 10:00",
        ],
    ],
)
def test_control_characters_are_refused_naming_the_field(c2023, args):
    before = c2023.dump()
    err = c2023.fails(*args)
    assert "contains a" in err
    _no_raw_controls(err)
    assert c2023.dump() == before


def test_an_argument_that_is_not_utf8_is_refused_before_any_command_sees_it(c2023):
    before = c2023.dump()
    err = c2023.fails("submit", "ICBC", "--column", "先\udcff", "--title", "t")
    assert "argument 3 ('--column') " not in err and "holds bytes that are not UTF-8" in err
    assert c2023.dump() == before


def test_a_tab_is_allowed_in_text(c2023):
    c2023("member", "add", "TAB", "工商\t银行")
    assert c2023.json("member", "list")[-1]["name"] == "工商\t银行"


def test_check_text_names_the_field():
    with pytest.raises(Exception, match="reason contains a control character"):
        text.check_text("a\x07", "reason")


# --- e-mail addresses --------------------------------------------------------------------


@pytest.mark.parametrize("address", ["a(b@x.cn", "a@x..cn", "a:b@x.cn", "a@localhost", "a b@x.cn"])
def test_bad_addresses_are_refused_when_stored(c2023, address):
    assert "not an e-mail address" in c2023.fails(
        "member", "add", "NEW", "银行", "--email", address
    )
    assert "not an e-mail address" in c2023.fails("member", "edit", "ICBC", "--email", address)


def test_a_good_address_is_stored_normalised(c2023):
    c2023("member", "add", "NEW", "银行", "--email", "Wang.Li@ICBC.Example.CN")
    assert c2023.json("member", "list")[-1]["email"] == "Wang.Li@icbc.example.cn"


# --- reminders ---------------------------------------------------------------------------


def _remind(svc: Svc, *args: str, env: dict[str, str], code: int):
    full: dict[str, str | None] = {f"SVCMONTH_SMTP_{v}": None for v in SMTP_VARS}
    full.update({"SVCMONTH_DB": str(svc.db), "SVCMONTH_NOW": svc.now, "NO_COLOR": "1"})
    full.update(env)
    result = svc.runner.invoke(app, ["remind", *args], env=full, catch_exceptions=False)
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _reminders(svc: Svc) -> list[tuple[str, str]]:
    conn = sqlite3.connect(svc.db)
    try:
        return conn.execute(
            "SELECT m.code, r.status FROM reminder r JOIN member m ON m.id = r.member_id"
            " ORDER BY r.id"
        ).fetchall()
    finally:
        conn.close()


def test_a_vertical_tab_in_a_bank_name_no_longer_stops_the_mail(c2023, smtp):
    _raw_update(c2023, "UPDATE member SET name = '工商\x0b银行' WHERE code = 'ICBC'")
    _raw_update(c2023, "UPDATE campaign SET name = '2023\n服务月'")
    c2023.now = "2023-07-23T20:00:00+08:00"
    server = smtp()
    _remind(c2023, "--send", "--quiet", env=server.env, code=0)
    subjects = [msg["Subject"] for _tos, msg, _raw in server.mailbox.received]
    assert any("工商\\x0b银行" in s for s in subjects)
    assert all(status == "sent" for _code, status in _reminders(c2023))


def test_a_message_that_cannot_be_built_fails_alone_and_is_released(c2023, smtp):
    # an address an older version stored: a header cannot hold it
    _raw_update(c2023, "UPDATE officer SET email = 'x@y.cn\nBcc: all@evil.example'")
    _raw_update(
        c2023,
        "UPDATE officer SET email = ? WHERE member_id = (SELECT id FROM member WHERE code = 'ABC')",
        "liqiang@abc.example.cn",
    )
    c2023.now = "2023-07-23T20:00:00+08:00"
    server = smtp()
    result = _remind(c2023, "--send", "--quiet", env=server.env, code=1)
    assert "not sent: ICBC" in result.stderr and "could not be built" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("Error: ")
    assert {tos[0] for tos, _m, _r in server.mailbox.received} == {"liqiang@abc.example.cn"}
    assert {status for _code, status in _reminders(c2023)} == {"sent"}
    assert {code for code, _s in _reminders(c2023)} == {"ABC"}


def test_a_stuck_claim_is_reported_and_can_be_released(c2023, smtp):
    c2023.now = "2023-07-23T20:00:00+08:00"
    _raw_update(
        c2023,
        "INSERT INTO reminder (campaign_id, member_id, kind, week, key, recipient, subject,"
        " sent_at, status) SELECT 1, id, 'report', 1, 'overdue:1', ?, 's', ?, 'sending'"
        " FROM member WHERE code = 'ICBC'",
        ICBC_MAIL,
        "2023-07-23T11:00:00.000000Z",  # an hour before: the run that claimed it died
    )
    err = c2023.fails("doctor")
    out = c2023("doctor", "--format", "json", code=1).json()
    row = next(r for r in out if r["check"] == "reminders")
    assert row["status"] == "problem" and "svcmonth remind --release-stuck" in row["detail"]
    assert "1 problem(s) found" in err
    preview = _remind(c2023, "--format", "json", env={}, code=0)
    assert "stuck as 'sending'" in preview.stderr and "--release-stuck" in preview.stderr
    statuses = {(r["member"], r["key"]): r["status"] for r in json.loads(preview.stdout)}
    assert statuses[("ICBC", "overdue:1")] == "already_sent"
    released = _remind(c2023, "--release-stuck", env={}, code=0)
    assert "released ICBC overdue:1" in released.stderr
    assert c2023.json("log", "--entity", "reminder")[0]["action"] == "release"
    preview = _remind(c2023, "--format", "json", env={}, code=0)
    statuses = {(r["member"], r["key"]): r["status"] for r in json.loads(preview.stdout)}
    assert statuses[("ICBC", "overdue:1")] == "would_send"
    assert "stuck" not in preview.stderr


def test_a_claim_of_a_run_still_sending_is_not_stuck(c2023):
    c2023.now = "2023-07-23T20:00:00+08:00"
    _raw_update(
        c2023,
        "INSERT INTO reminder (campaign_id, member_id, kind, week, key, recipient, subject,"
        " sent_at, status) SELECT 1, id, 'report', 1, 'overdue:1', ?, 's', ?, 'sending'"
        " FROM member WHERE code = 'ICBC'",
        ICBC_MAIL,
        "2023-07-23T11:59:00.000000Z",
    )
    assert "released 0 stuck" in _remind(c2023, "--release-stuck", env={}, code=0).stderr


# --- duplicates --------------------------------------------------------------------------


def test_submit_refuses_a_duplicate_naming_the_existing_id(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00", "网点服务")
    err = c2023.fails(
        "submit", "ICBC", "--column", "先进事迹", "--title", "网点服务", "--at", "2023-07-12 10:00"
    )
    assert f"already logged as id {sid}" in err
    submit("ICBC", "先进事迹", "2023-07-12 10:01", "网点服务")  # another instant: not one


def test_importing_an_export_back_adds_nothing(c2023, submit, tmp_path):
    for day in ("12", "13"):
        submit("ICBC", "先进事迹", f"2023-07-{day} 10:00")
    submit("ICBC", "活动扫描", "2023-07-17 10:00")
    quota = c2023.json("check", "quota")
    export = tmp_path / "export.csv"
    c2023("submission", "list", "--format", "csv", "--output", str(export))
    run = c2023("submission", "import", str(export))
    assert "imported 0 submission(s)" in run.err and "skipped 3 duplicate(s)" in run.err
    assert c2023.json("check", "quota") == quota
    assert len(c2023.json("submission", "list")) == 3


def test_import_skips_duplicates_of_the_database_and_of_the_file(c2023, submit, tmp_path):
    submit("ICBC", "先进事迹", "2023-07-12 10:00", "甲")
    f = tmp_path / "in.csv"
    f.write_text(
        "member,column,title,submitted_at\n"
        "ICBC,先进事迹,甲,2023-07-12 10:00\n"  # in the database
        "ICBC,先进事迹,乙,2023-07-13 10:00\n"
        "ICBC,先进事迹,乙,2023-07-13 10:00\n"  # twice in the file
        "ABC,先进事迹,甲,2023-07-12 10:00\n",  # another member: not a duplicate
        encoding="utf-8",
    )
    run = c2023("submission", "import", str(f))
    assert "imported 2 submission(s)" in run.err and "skipped 2 duplicate(s)" in run.err


def test_import_skips_rows_whose_id_exists(c2023, submit, tmp_path):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00", "甲")
    f = tmp_path / "in.csv"
    f.write_text(
        f"id,member,column,title,submitted_at\n{sid},ICBC,先进事迹,改过的标题,2023-07-14 10:00\n"
        ",ICBC,先进事迹,新的,2023-07-14 10:00\n",
        encoding="utf-8",
    )
    run = c2023("submission", "import", str(f))
    assert "imported 1 submission(s)" in run.err and "skipped 1 duplicate(s)" in run.err
    assert [r["title"] for r in c2023.json("submission", "list")] == ["甲", "新的"]


# --- instants keep their fraction; skipped times ------------------------------------------


def test_an_extension_keeps_its_fraction(c2023):
    c2023("member", "extend", "ICBC", "--week", "1", "--until", "2023-07-24 12:00:00.900")
    c2023("member", "extend", "ABC", "--week", "1", "--until", "2023-07-24 12:00:00.900")
    for code, at in (("ICBC", "2023-07-24 12:00:00.5"), ("ABC", "2023-07-24 12:00:00.95")):
        c2023("submit", code, "--column", "活动扫描", "--title", "周报", "--at", at, "--week", "1")
    rows = {r["member"]: r for r in c2023.json("check", "deadlines", "--week", "1")}
    assert rows["ICBC"]["status"] == "on_time" and rows["ABC"]["status"] == "late"
    assert rows["ICBC"]["deadline"] == "2023-07-24T12:00:00.900000+08:00"
    assert rows["ICBC"]["submitted_at"] == "2023-07-24T12:00:00.500000+08:00"


def test_a_moved_deadline_keeps_its_fraction(c2023):
    c2023("campaign", "deadline", "--week", "1", "--at", "2023-07-18 12:00:00.25")
    for code, at in (("ICBC", "2023-07-18 12:00:00.2"), ("ABC", "2023-07-18 12:00:00.3")):
        c2023("submit", code, "--column", "活动扫描", "--title", "周报", "--at", at, "--week", "1")
    rows = {r["member"]: r["status"] for r in c2023.json("check", "deadlines", "--week", "1")}
    assert rows["ICBC"] == "on_time" and rows["ABC"] == "late"


def test_a_skipped_time_does_not_exist_and_the_suggestion_is_real(svc):
    svc(
        "campaign",
        "new",
        "柏林",
        "--start",
        "2024-03-20",  # week 1 ends on 03-24: its deadline may move to 03-31 (rule 12)
        "--end",
        "2024-04-20",
        "--tz",
        "Europe/Berlin",
    )
    err = svc.fails("campaign", "deadline", "--week", "1", "--at", "2024-03-31 02:30")
    assert "2024-03-31 02:30 does not exist in Europe/Berlin" in err
    assert "from 02:00 to 03:00" in err and "e.g. 2024-03-31 03:00" in err
    assert "happens twice" not in err
    svc("campaign", "deadline", "--week", "1", "--at", "2024-03-31 03:00")
    assert svc.json("campaign", "show")["weeks"][0]["deadline"] == "2024-03-31T03:00:00+02:00"


# --- odd files as --db -------------------------------------------------------------------


def _odd(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.db"
    if kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("PRAGMA user_version = 3")
        conn.commit()
        conn.close()
    else:  # a file of another program
        path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    return path


def _state(folder: Path) -> dict[str, bytes | None]:
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("folder", "is a folder, not a database file"),
        ("empty", "is empty (0 bytes)"),
        ("foreign", "an SQLite file of another program"),
        ("other", "not an SQLite file"),
    ],
)
@pytest.mark.parametrize(
    "args",
    [
        ["member", "list"],
        ["init"],
        ["submit", "ICBC", "--column", "先进事迹", "--title", "t"],
        ["report", "scoreboard"],
    ],
)
def test_an_odd_file_as_db_is_one_clear_error_and_changes_nothing(
    svc, tmp_path, kind, message, args
):
    folder = tmp_path / "odd"
    folder.mkdir()
    path = _odd(folder, kind)
    before = _state(folder)
    err = svc.fails("--db", str(path), *args)
    assert message in err, err
    assert len(err.splitlines()) == 1
    assert _state(folder) == before
