"""Intake never stalls (SPEC "Mail intake"; tracker issue 18): hostile or broken mail becomes
an ``unreadable`` entry beside the good ones, ``inbox accept`` sets aside what it cannot log
(``needs_review``) and accepts the rest, the first fetch of a folder reads only recent mail,
and the attachment store survives a killed run. Each test is named after the defect it fixes."""

from __future__ import annotations

import io
import itertools
import os
import sqlite3
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Svc
from mailmaker import JPEG, mail, word
from smtp_server import SMTP_VARS
from svcmonth import attachments, storage
from svcmonth.cli import progress
from svcmonth.mail import inbox

CST = timezone(timedelta(hours=8))
ICBC, ABC = "王丽 <wangli@icbc.example.cn>", "liqiang@abc.example.cn"
MON_0940 = "Mon, 24 Jul 2023 09:40:00 +0800"
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_mail_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in SMTP_VARS:
        monkeypatch.delenv(f"SVCMONTH_SMTP_{var}", raising=False)
    monkeypatch.delenv("SVCMONTH_IMAP_USER", raising=False)
    monkeypatch.delenv("SVCMONTH_INBOX_MAX_MB", raising=False)


def eml(folder: Path, *messages: bytes) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for raw in messages:
        path = folder / f"m{next(_ids):04d}.eml"
        path.write_bytes(raw)
        paths.append(path)
    return paths


def good(title: str = "好的", message_id: str | None = None) -> bytes:
    return mail(ICBC, word(f"【先进事迹】{title}"), received=MON_0940, message_id=message_id)


def listed(svc: Svc, *args: str) -> list[dict]:
    return svc.json("inbox", "list", *args)


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- unreadable mail ---------------------------------------------------------------------------


def test_a_message_with_no_header_lines_is_kept_unreadable_and_the_batch_imported(
    c2023: Svc, tmp_path
):
    bad = b"\nhello, no headers at all\n"
    paths = eml(tmp_path / "in", good("甲"), bad, b"", good("乙"))
    run = c2023("inbox", "import", *paths)
    assert "Traceback" not in run.err
    rows = listed(c2023)
    assert [r["status"] for r in rows] == ["ready", "unreadable", "unreadable", "ready"]
    unreadable = rows[1]
    assert unreadable["attachments"] == ["message.eml"]
    assert unreadable["arrival_source"] == "read"
    assert "cannot be read" in unreadable["note"]
    root = tmp_path / "attachments"
    assert (root / "2" / "message.eml").read_bytes() == bad
    assert "kept as unreadable" in run.err
    # unreadable entries are never accepted; everything else is
    assert c2023("inbox", "accept").out.split() == ["1", "2"]
    # only ignore resolves them (or --submission, once the clerk typed it in)
    assert "could not be read" in c2023.fails("inbox", "assign", "2", "--member", "ICBC")
    c2023("inbox", "ignore", "2")


def test_a_utf7_lone_surrogate_in_a_subject_or_body_is_read_not_a_traceback(c2023: Svc, tmp_path):
    subject = mail(ICBC, b"=?utf-7?Q?+2DQ-?= =?utf-8?B?" + b"5YWI6L+b5LqL6L+5?=", received=MON_0940)
    body = mail(ICBC, word("【先进事迹】七位"), received=MON_0940, body="x")
    body = body.replace(b'charset="utf-8"', b'charset="utf-7"')
    body = body.replace(
        b"Content-Transfer-Encoding: 7bit\n\nx", b"Content-Transfer-Encoding: 7bit\n\n+2DQ-"
    )
    run = c2023("inbox", "import", *eml(tmp_path / "in", subject, body))
    assert "Traceback" not in run.err
    rows = listed(c2023)
    assert len(rows) == 2
    assert all("\ud834" not in r["subject"] for r in rows)
    c2023("inbox", "list")  # the table prints too


def test_a_date_with_a_chinese_zone_comment_is_read(c2023: Svc, tmp_path):
    raw = mail(
        ICBC,
        word("【先进事迹】中国标准时间"),
        date="Mon, 24 Jul 2023 09:40:00 +0800 (中国标准时间)",
    )
    c2023("inbox", "import", *eml(tmp_path / "in", raw))
    (row,) = listed(c2023)
    assert (row["status"], row["arrival_source"], row["arrived_at"]) == (
        "ready",
        "date",
        "2023-07-24T09:40:00+08:00",
    )


def test_raw_utf8_in_an_rfc2231_file_name_is_read(c2023: Svc, tmp_path):
    raw = mail(
        ICBC,
        word("【看图话服务】照片"),
        received=MON_0940,
        attachments=[("filename*=UTF-8''照片.jpg".encode(), "image/jpeg", JPEG)],
    )
    c2023("inbox", "import", *eml(tmp_path / "in", raw))
    (row,) = listed(c2023)
    assert row["attachments"] == ["照片.jpg"]


def test_charset_undefined_is_read(c2023: Svc, tmp_path):
    raw = good("未定义字符集").replace(b'charset="utf-8"', b'charset="undefined"')
    assert b"undefined" in raw
    c2023("inbox", "import", *eml(tmp_path / "in", raw))
    (row,) = listed(c2023)
    assert row["status"] == "ready"


@pytest.mark.skipif(sys.platform == "win32", reason="file names are text on Windows")
def test_a_gbk_named_eml_file_unzipped_from_windows_is_imported(c2023: Svc, tmp_path):
    folder = tmp_path / "解压"
    folder.mkdir()
    name = os.fsdecode("工商银行周报.eml".encode("gbk"))  # the bytes Linux keeps from the zip
    (folder / name).write_bytes(good("GBK文件名"))
    c2023("inbox", "import", folder)
    (row,) = listed(c2023)
    assert row["title"] == "GBK文件名"
    conn = sqlite3.connect(c2023.db)
    (origin,) = conn.execute("SELECT origin FROM intake").fetchone()
    conn.close()
    assert origin.endswith("工商银行周报.eml")


class _Folder:
    """An IMAP folder as ``inbox.fetch`` reads it."""

    def __init__(self, messages: list[tuple[int, datetime, bytes]], uidvalidity: int = 7):
        self.messages, self.uidvalidity = messages, uidvalidity
        self.searched: list[object] = []

    def uids_after(self, last_uid: int) -> list[int]:
        self.searched.append(("after", last_uid))
        return [uid for uid, _d, _r in self.messages if uid > last_uid]

    def uids_since(self, day: date) -> list[int]:
        self.searched.append(("since", day))
        return [uid for uid, when, _r in self.messages if when.date() >= day]

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, datetime, bytes]]:
        yield from (m for m in self.messages if m[0] in uids)


def test_an_unreadable_message_at_uid_102_does_not_stall_fetch(c2023: Svc, tmp_path):
    at = datetime(2023, 7, 18, 9, 0, tzinfo=CST)
    folder = _Folder(
        [
            (101, at, mail(ABC, word("【学习体会】第一篇"), message_id="<101@abc>")),
            (102, at, b"\n\n"),  # no header lines
            (103, at, mail(ABC, b"=?utf-7?Q?+2DQ-?=", message_id="<103@abc>")),
            (104, at, mail(ABC, word("【学习体会】第四篇"), message_id="<104@abc>")),
        ]
    )
    conn = storage.connect(c2023.db)
    now = datetime(2023, 7, 18, 10, 0, tzinfo=CST)
    run = inbox.Intake(tmp_path / "attachments", inbox.Settings(), now)
    inbox.fetch(conn, run, folder, "box")
    rows = inbox.listing(conn)
    assert [r["status"] for r in rows] == ["ready", "unreadable", "needs_column", "ready"]
    assert rows[1]["arrival_source"] == "internaldate"
    assert conn.execute("SELECT last_uid FROM imap_state").fetchall() == [(104,)]
    inbox.fetch(conn, run, folder, "box")  # the next cron run: nothing again, no failure
    assert len(inbox.listing(conn)) == 4
    assert folder.searched[-1] == ("after", 104)
    conn.close()


# --- accept what can be accepted ---------------------------------------------------------------


def test_accept_sets_a_duplicate_of_a_typed_submission_aside_and_accepts_the_others(
    c2023: Svc, tmp_path
):
    sid = c2023(
        "submit", "ICBC", "--column", "先进事迹", "--title", "柜员刘洋", "--at", "2023-07-24 09:40"
    ).out.strip()
    pic = mail(
        ICBC,
        word("【先进事迹】柜员刘洋"),
        received=MON_0940,
        attachments=[(b'filename="liu.jpg"', "image/jpeg", JPEG)],
    )
    c2023(
        "inbox",
        "import",
        *eml(tmp_path / "in", pic, mail(ABC, word("【先进事迹】乙"), received=MON_0940)),
    )
    run = c2023("inbox", "accept")
    assert run.out.split() == [str(int(sid) + 1)]  # the other one is accepted
    assert f"entry 1 needs review: the same submission is already logged as id {sid}" in run.err
    first = listed(c2023)[0]
    assert first["status"] == "needs_review"
    assert f"inbox assign 1 --submission {sid}" in first["note"]
    assert [r["id"] for r in listed(c2023, "--status", "needs_review")] == [1]
    # cron again: the entry stays set aside, the run succeeds
    assert c2023("inbox", "accept").err == "accepted 0 submission(s)\n"
    # the mail is that submission: its picture joins it
    assert "accepted as submission" in c2023("inbox", "assign", "1", "--submission", sid).err
    assert listed(c2023)[0]["status"] == "accepted"
    shown = c2023.json("submission", "show", sid)
    shown = shown[0] if isinstance(shown, list) else shown
    assert "liu.jpg" in str(shown)
    err = c2023.fails("inbox", "assign", "2", "--submission", sid)
    assert "already accepted" in err or "already came from inbox entry 1" in err


def test_a_corrected_report_after_the_last_week_needs_review_not_a_failed_cron(
    c2023: Svc, tmp_path
):
    c2023("submit", "ICBC", "--column", "活动扫描", "--at", "2023-08-12 10:00", "--title", "第五周")
    late = mail(
        ICBC,
        word("工商银行活动扫描（更正）"),
        received="Sun, 13 Aug 2023 09:00:00 +0800",
        message_id="<fix@icbc>",
    )
    c2023("inbox", "import", *eml(tmp_path / "in", late, good("乙")))
    run = c2023("inbox", "accept")
    assert len(run.out.split()) == 1
    assert "use --week" not in run.err and "give --week" not in run.err
    assert "inbox assign 1 --week N" in run.err
    assert listed(c2023)[0]["status"] == "needs_review"
    # the clerk places it: logged now in week 4 (a late report of that week)
    assert "accepted as submission" in c2023("inbox", "assign", "1", "--week", "4").err
    row = listed(c2023)[0]
    assert (row["status"], row["week"]) == ("accepted", 4)


def test_accept_of_a_given_id_that_is_not_ready_stays_an_error(c2023: Svc, tmp_path):
    c2023(
        "inbox", "import", *eml(tmp_path / "in", mail("x@nowhere.example", word("【先进事迹】甲")))
    )
    before = c2023.dump()
    assert "is not ready" in c2023.fails("inbox", "accept", "1")
    assert c2023.dump() == before


@pytest.mark.parametrize("command", [["ignore"], ["assign", "--member", "ICBC"], ["accept"]])
def test_inbox_ids_beyond_sqlite_are_one_error_not_overflowerror(c2023: Svc, command):
    head, *rest = command
    err = c2023.fails("inbox", head, "99999999999999999999", *rest)
    assert "out of range" in err and "Overflow" not in err


def test_assign_submission_that_does_not_exist_is_one_error(c2023: Svc, tmp_path):
    c2023("inbox", "import", *eml(tmp_path / "in", good()))
    assert "no submission with id 42" in c2023.fails("inbox", "assign", "1", "--submission", "42")


# --- dedup, the attachment store ----------------------------------------------------------------


def test_the_same_mail_without_message_id_in_crlf_and_in_an_lf_mbox_is_one_entry(
    c2023: Svc, tmp_path
):
    from mailmaker import write_mbox

    lf = good("无编号")
    crlf = lf.replace(b"\n", b"\r\n")
    c2023("inbox", "import", *eml(tmp_path / "in", crlf))
    run = c2023("inbox", "import", write_mbox(tmp_path / "box.mbox", [lf]))
    assert "1 seen before" in run.err
    assert len(listed(c2023)) == 1


def test_a_killed_import_rerun_leaves_no_orphan_folder_and_keeps_entry_1_in_1(
    c2023: Svc, tmp_path, monkeypatch
):
    pic = mail(
        ICBC,
        word("【看图话服务】照片"),
        received=MON_0940,
        message_id="<pic@icbc>",
        attachments=[(b'filename="a.jpg"', "image/jpeg", JPEG)],
    )
    root = tmp_path / "attachments"

    def killed() -> Iterator[tuple[str, bytes]]:
        yield "a.eml", pic
        raise KeyboardInterrupt  # the process dies: nothing of the run's cleanup happens

    monkeypatch.setattr(attachments.Store, "discard", lambda self: None)
    conn = storage.connect(c2023.db)
    run = inbox.Intake(root, inbox.Settings(), datetime(2023, 7, 25, tzinfo=CST))
    with pytest.raises(KeyboardInterrupt):
        inbox.import_files(conn, run, killed())
    conn.close()
    monkeypatch.undo()
    assert conn is not None and not listed(c2023)
    c2023("inbox", "import", *eml(tmp_path / "in", pic))
    assert files_under(root) == ["1/a.jpg"]
    assert [p.name for p in root.iterdir()] == ["1"]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("CON.tar.gz", "_CON.tar.gz"),
        ("nul.备份.jpg", "_nul.备份.jpg"),
        ("com1 .txt", "_com1.txt"),
        ("Aux. .doc", "_Aux.doc"),
        ("lpt9.", "_lpt9"),
        ("console.txt", "console.txt"),
        ("照片. ", "照片"),
    ],
)
def test_windows_reserved_names_are_checked_before_the_first_dot(name, safe):
    assert attachments.safe_name(name, "application/octet-stream", set()) == safe


def test_an_attachment_named_con_tar_gz_is_saved_renamed(c2023: Svc, tmp_path):
    raw = mail(
        ICBC,
        word("【先进事迹】备份"),
        received=MON_0940,
        attachments=[(b'filename="CON.tar.gz"', "application/gzip", b"x")],
    )
    c2023("inbox", "import", *eml(tmp_path / "in", raw))
    assert listed(c2023)[0]["attachments"] == ["_CON.tar.gz"]


# --- listing, since, progress ------------------------------------------------------------------


def test_inbox_list_status_takes_the_chinese_label_and_lists_chinese_values(c2023: Svc, tmp_path):
    c2023(
        "inbox",
        "import",
        *eml(tmp_path / "in", mail("x@nowhere.example", word("【先进事迹】甲"), received=MON_0940)),
    )
    c2023.lang = "zh_CN"
    assert [r["id"] for r in listed(c2023, "--status", "未识别单位")] == [1]
    assert listed(c2023, "--status", "待登记") == []
    err = c2023("inbox", "list", "--status", "nonsense", code=1).err
    assert err.startswith("错误：") and "未识别单位" in err and "unmatched" not in err


def test_inbox_list_status_takes_the_english_label(c2023: Svc, tmp_path):
    c2023(
        "inbox", "import", *eml(tmp_path / "in", mail("x@nowhere.example", word("【先进事迹】甲")))
    )
    assert [r["id"] for r in listed(c2023, "--status", "Unmatched")] == [1]
    assert "needs review" in c2023.fails("inbox", "list", "--status", "bad")


def test_the_first_fetch_reads_only_since_the_default_day(c2023: Svc, tmp_path):
    old = datetime(2023, 6, 1, 9, 0, tzinfo=CST)
    recent = datetime(2023, 8, 1, 9, 0, tzinfo=CST)
    folder = _Folder(
        [
            (1, old, mail(ABC, word("【学习体会】旧"), message_id="<old@abc>")),
            (2, recent, mail(ABC, word("【学习体会】新"), message_id="<new@abc>")),
        ]
    )
    conn = storage.connect(c2023.db)
    now = datetime(2023, 8, 20, 10, 0, tzinfo=CST)
    since = inbox.default_since(conn, now)
    assert since == date(2023, 7, 21)  # 30 days back; no campaign in progress
    run = inbox.Intake(tmp_path / "attachments", inbox.Settings(), now)
    inbox.fetch(conn, run, folder, "box", since)
    assert [r["title"] for r in inbox.listing(conn)] == ["新"]
    # in a campaign that began more than 30 days ago: from its first day
    assert inbox.default_since(conn, datetime(2023, 8, 11, 10, 0, tzinfo=CST)) == date(2023, 7, 11)
    assert inbox.default_since(conn, datetime(2023, 7, 20, 10, 0, tzinfo=CST)) == date(2023, 6, 20)
    conn.close()


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_a_progress_bar_only_on_a_terminal():
    assert progress.wanted(_Stream(True))
    assert not progress.wanted(_Stream(False))
    assert not progress.wanted(_Stream(True), quiet=True)
    with progress.bar("x", stream=_Stream(False)) as tick:
        assert tick is None
    terminal = _Stream(True)
    with progress.bar("读取邮件", stream=terminal) as tick:
        assert tick is not None
        tick(2)
        tick(None)
        tick(None)
    assert list(progress.counted([1, 2], None)) == [1, 2]


def test_import_prints_no_progress_bar_when_stderr_is_not_a_terminal(c2023: Svc, tmp_path):
    run = c2023("inbox", "import", *eml(tmp_path / "in", good()))
    assert run.err == "read 1 new message(s), 0 seen before: 1 ready\n"


# --- the fuzzer ---------------------------------------------------------------------------------

_fuzz = itertools.count(1)
HEADER_NAMES = [b"From", b"Subject", b"Date", b"Received", b"Message-ID", b"Content-Type"]
HEADER_NAMES += [b"Content-Disposition", b"Content-Transfer-Encoding", b"MIME-Version"]


def _fuzz_folder(c2023: Svc, tmp_path: Path, bad: bytes) -> None:
    n = next(_fuzz)
    folder = tmp_path / f"f{n}"
    folder.mkdir()
    (folder / "a-bad.eml").write_bytes(bad)
    (folder / "b-good.eml").write_bytes(good(f"好{n}", message_id=f"<good{n}@icbc>"))
    run = c2023("inbox", "import", folder)  # exit 0 (asserted), an exception fails the test
    assert "Traceback" not in run.err + run.out
    conn = sqlite3.connect(c2023.db)
    try:
        found = conn.execute(
            "SELECT count(*) FROM intake WHERE message_id = ?", (f"<good{n}@icbc>",)
        ).fetchone()
    finally:
        conn.close()
    assert run.code == 0 and found == (1,), run.err


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes_as_eml_never_a_traceback_and_the_good_one_imported(
    c2023: Svc, tmp_path: Path, bad: bytes
):
    _fuzz_folder(c2023, tmp_path, bad)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.sampled_from(HEADER_NAMES), st.binary(max_size=200)), max_size=8),
    st.binary(max_size=500),
    st.sampled_from([b"", b"multipart/mixed; boundary=XX", b"text/plain; charset=utf-7"]),
)
def test_fuzz_arbitrary_header_and_part_content_never_a_traceback(
    c2023: Svc, tmp_path: Path, headers: list[tuple[bytes, bytes]], part: bytes, ctype: bytes
):
    lines = [name + b": " + value.replace(b"\n", b" ") for name, value in headers]
    if ctype:
        lines.append(b"Content-Type: " + ctype)
    body = b"--XX\nContent-Type: application/octet-stream\n" + part + b"\n--XX--\n"
    _fuzz_folder(c2023, tmp_path, b"\n".join(lines) + b"\n\n" + body)


def test_assign_submission_of_another_member_is_refused_and_week_is_for_reports(
    c2023: Svc, tmp_path
):
    sid = c2023(
        "submit", "ABC", "--column", "先进事迹", "--title", "农行", "--at", "2023-07-24 09:40"
    ).out.strip()
    c2023("inbox", "import", *eml(tmp_path / "in", good("工行")))
    before = c2023.dump()
    err = c2023.fails("inbox", "assign", "1", "--submission", sid)
    assert "came from ICBC" in err and "--member ABC" in err
    assert "for reports only" in c2023.fails("inbox", "assign", "1", "--week", "2")
    assert "goes alone" in c2023.fails(
        "inbox", "assign", "1", "--submission", sid, "--member", "ABC"
    )
    assert c2023.dump() == before


def test_log_names_an_intake_entrys_status_in_words_not_its_key(c2023: Svc, tmp_path):
    """No leaks: the audit trail of the intake shows 待处理/已登记, not ``needs_review``."""
    c2023(
        "submit", "ICBC", "--column", "先进事迹", "--title", "柜员刘洋", "--at", "2023-07-24 09:40"
    )
    c2023("inbox", "import", *eml(tmp_path / "in", mail(ICBC, word("【先进事迹】柜员刘洋"))))
    c2023("inbox", "accept")
    c2023.lang = "zh_CN"
    shown = c2023("log").out
    assert "状态 待登记" in shown and "状态 已登记" in shown
    for key in ("needs_review", "ready", "accepted", "arrival_source", "date"):
        assert key not in shown, key


def test_assign_submission_refuses_a_withdrawn_or_rejected_one(c2023: Svc, tmp_path):
    """The mail would vanish into a record that scores nothing: restore it first."""
    sid = c2023(
        "submit", "ICBC", "--column", "先进事迹", "--title", "柜员刘洋", "--at", "2023-07-24 09:40"
    ).out.strip()
    c2023("inbox", "import", *eml(tmp_path / "in", mail(ICBC, word("【先进事迹】柜员刘洋"))))
    c2023("submission", "withdraw", sid)
    before = c2023.dump()
    assert "is withdrawn" in c2023.fails("inbox", "assign", "1", "--submission", sid)
    assert c2023.dump() == before
