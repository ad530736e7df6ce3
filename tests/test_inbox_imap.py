"""``inbox fetch`` against a real IMAP server on 127.0.0.1 (pymap, in memory): INTERNALDATE is
the arrival, the mailbox is left exactly as it was, each message is read once, and every
failure (wrong password, missing folder, unreachable server, unverified certificate) is one
error line with nothing written and the password nowhere."""

from __future__ import annotations

import itertools
import sqlite3
import ssl
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import trustme

pytest.importorskip(
    "pymap", reason="the in-memory IMAP server (pip install pymap) is not installed"
)

from conftest import Svc
from imap_server import PASSWORD, ImapServer, TlsFront, free_port, start
from mailmaker import JPEG, mail, rfc2231, word
from smtp_server import SMTP_VARS
from svcmonth import storage
from svcmonth.mail import inbox
from svcmonth.mail.mailparse import parse

CST = timezone(timedelta(hours=8))
ICBC, ABC = "王丽 <wangli@icbc.example.cn>", "liqiang@abc.example.cn"
_folders = itertools.count(1)


@pytest.fixture(scope="session")
def imap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImapServer]:
    server = start(tmp_path_factory.mktemp("imap"))
    yield server
    server.process.terminate()
    server.process.wait()


@pytest.fixture(scope="session")
def imap_tls(tmp_path_factory: pytest.TempPathFactory, ca: trustme.CA) -> Iterator[ImapServer]:
    tmp = tmp_path_factory.mktemp("imaptls")
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(tmp / "cert.pem"))
    for pem in cert.cert_chain_pems[1:]:
        pem.write_to_path(str(tmp / "cert.pem"), append=True)
    cert.private_key_pem.write_to_path(str(tmp / "key.pem"))
    server = start(tmp, (tmp / "cert.pem", tmp / "key.pem"))
    yield server
    server.process.terminate()
    server.process.wait()


@pytest.fixture
def folder(imap: ImapServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new folder of the test server, and the IMAP settings pointing at it."""
    name = f"T{next(_folders)}"
    for key, value in imap.env(name).items():
        monkeypatch.setenv(key, value)
    for var in SMTP_VARS:
        monkeypatch.delenv(f"SVCMONTH_SMTP_{var}", raising=False)
    monkeypatch.delenv("SVCMONTH_INBOX_MAX_MB", raising=False)
    imap.client().create(name)
    return name


def _mailbox(imap: ImapServer, folder: str) -> None:
    """A small realistic week-1 mailbox: a late report (its Date says 11:58, the server took
    it at 12:00:30), a picture, an unmatched sender."""
    imap.append(
        folder,
        mail(
            ICBC,
            word("工商银行第一周活动扫描"),
            received="Mon, 17 Jul 2023 11:59:00 +0800",
            date="Mon, 17 Jul 2023 11:58:00 +0800",
            message_id="<w1@icbc>",
        ),
        datetime(2023, 7, 17, 12, 0, 30, tzinfo=CST),
        create=False,
    )
    imap.append(
        folder,
        mail(
            ABC,
            word("【看图话服务】农行营业厅的爱心座椅"),
            message_id="<pic@abc>",
            attachments=[(rfc2231("爱心座椅.jpg"), "image/jpeg", JPEG)],
        ),
        datetime(2023, 7, 17, 10, 15, tzinfo=CST),
        create=False,
    )
    imap.append(
        folder,
        mail(
            "刘洋 <liuyang@ccb-nm.example.cn>",
            word("【先进事迹】建行柜员刘洋"),
            message_id="<x@ccb>",
        ),
        datetime(2023, 7, 17, 9, 5, tzinfo=CST),
        create=False,
    )


def test_fetch_takes_internaldate_and_leaves_the_mailbox_as_it_was(c2023: Svc, imap, folder):
    _mailbox(imap, folder)
    before = imap.state(folder)
    assert [flags for _uid, flags in before] == ["", "", ""]
    run = c2023("inbox", "fetch", "--since", "2023-07-01")
    assert run.err == "read 3 new message(s), 0 seen before: 2 ready, 1 unmatched\n"
    rows = c2023.json("inbox", "list")
    assert [
        (r["from"], r["member"], r["column"], r["week"], r["arrived_at"], r["arrival_source"])
        for r in rows
    ] == [
        (
            "wangli@icbc.example.cn",
            "ICBC",
            "活动扫描",
            1,
            "2023-07-17T12:00:30+08:00",
            "internaldate",
        ),
        (
            "liqiang@abc.example.cn",
            "ABC",
            "看图话服务",
            None,
            "2023-07-17T10:15:00+08:00",
            "internaldate",
        ),
        (
            "liuyang@ccb-nm.example.cn",
            None,
            "先进事迹",
            None,
            "2023-07-17T09:05:00+08:00",
            "internaldate",
        ),
    ]
    assert rows[1]["attachments"] == ["爱心座椅.jpg"]
    assert imap.state(folder) == before  # same messages, same flags: no \Seen
    # a second run reads nothing; a new message is read alone
    assert c2023("inbox", "fetch").err == "read 0 new message(s), 0 seen before\n"
    imap.append(
        folder,
        mail(ABC, word("【学习体会】心得"), message_id="<new@abc>"),
        datetime(2023, 7, 18, 8, 0, tzinfo=CST),
        create=False,
    )
    assert c2023("inbox", "fetch").err == "read 1 new message(s), 0 seen before: 1 ready\n"
    assert len(c2023.json("inbox", "list")) == 4
    assert imap.state(folder)[:3] == before


def test_fetch_accept_for_cron_logs_the_late_report_late(c2023: Svc, imap, folder):
    _mailbox(imap, folder)
    run = c2023("inbox", "fetch", "--since", "2023-07-01", "--accept", "--quiet")
    assert (run.out, run.err) == ("", "")  # cron mails nothing when all went well
    deadlines = c2023.json("check", "deadlines", "--week", "1")
    assert [(d["member"], d["status"], d["submitted_at"]) for d in deadlines] == [
        ("ICBC", "late", "2023-07-17T12:00:30+08:00"),
        ("ABC", "missing", None),
        ("BOC", "missing", None),
    ]


def test_fetch_accept_ack_sends_each_receipt_once(c2023: Svc, imap, folder, smtp, monkeypatch):
    server = smtp()
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    _mailbox(imap, folder)
    c2023("inbox", "fetch", "--since", "2023-07-01", "--accept", "--ack", "--quiet")
    c2023("inbox", "fetch", "--accept", "--ack", "--quiet")
    subjects = sorted(str(m["Subject"]) for _t, m, _r in server.mailbox.received)
    assert subjects == [
        "【2023服务月】已收到看图话服务稿件《农行营业厅的爱心座椅》，计入稿件指标",
        "【2023服务月】已收到第1周活动扫描《工商银行第一周活动扫描》，迟报",
    ]


def test_a_wrong_password_is_one_error_and_the_password_is_nowhere(
    c2023: Svc, imap, folder, monkeypatch, tmp_path
):
    _mailbox(imap, folder)
    wrong = "Wr0ng-auth-code-Zq"
    monkeypatch.setenv("SVCMONTH_IMAP_PASSWORD", wrong)
    before = c2023.dump()
    run = c2023("inbox", "fetch", code=1)
    assert run.err.startswith("Error: the IMAP server 127.0.0.1:")
    assert "refused the login for xcb@assoc.example.cn" in run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert c2023.dump() == before
    for text in (run.out, run.err, "\n".join(c2023.dump())):
        assert wrong not in text and PASSWORD not in text
    assert not (tmp_path / "attachments").exists()


def test_a_folder_that_does_not_exist_is_one_error(c2023: Svc, imap, folder, monkeypatch):
    monkeypatch.setenv("SVCMONTH_IMAP_FOLDER", "服务月来稿")
    before = c2023.dump()
    err = c2023.fails("inbox", "fetch")
    assert err.startswith("Error: cannot open the folder '服务月来稿' on 127.0.0.1:")
    assert c2023.dump() == before


def test_an_unreachable_server_is_one_error(c2023: Svc, folder, monkeypatch):
    monkeypatch.setenv("SVCMONTH_IMAP_PORT", str(free_port()))
    before = c2023.dump()
    err = c2023.fails("inbox", "fetch")
    assert err.startswith("Error: cannot connect to the IMAP server 127.0.0.1:")
    assert c2023.dump() == before


def test_a_password_is_not_sent_unencrypted_to_another_host(c2023: Svc, folder, monkeypatch):
    monkeypatch.setenv("SVCMONTH_IMAP_HOST", "imap.example.cn")
    err = c2023.fails("inbox", "fetch")
    assert err == (
        "Error: refusing to send the IMAP password unencrypted to imap.example.cn: set "
        "SVCMONTH_IMAP_SECURITY to ssl or starttls\n"
    )


def test_starttls_verifies_the_certificate(c2023: Svc, imap_tls, ca, tmp_path, monkeypatch):
    name = f"T{next(_folders)}"
    for key, value in imap_tls.env(name).items():
        monkeypatch.setenv(key, value)
    imap_tls.append(
        name,
        mail(ABC, word("【学习体会】加密连接"), message_id="<tls@abc>"),
        datetime(2023, 7, 18, 8, 0, tzinfo=CST),
    )
    err = c2023.fails("inbox", "fetch")  # the throwaway CA is not trusted yet
    assert "the TLS certificate of 127.0.0.1 could not be verified" in err
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    monkeypatch.setenv("SVCMONTH_IMAP_CAFILE", str(cafile))
    assert (
        c2023("inbox", "fetch", "--since", "2023-07-01").err
        == "read 1 new message(s), 0 seen before: 1 ready\n"
    )


class _Broken:
    """A folder whose connection breaks after ``after`` messages (a run killed midway)."""

    def __init__(self, messages: list[tuple[int, datetime, bytes]], uidvalidity: int, after: int):
        self.messages, self.uidvalidity, self.after = messages, uidvalidity, after

    def uids_after(self, last_uid: int) -> list[int]:
        return [uid for uid, _d, _r in self.messages if uid > last_uid]

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, datetime, bytes]]:
        for n, message in enumerate(m for m in self.messages if m[0] in uids):
            if n == self.after:
                raise ConnectionResetError("killed")
            yield message


def test_a_run_killed_midway_loses_nothing_and_duplicates_nothing(c2023: Svc, tmp_path):
    at = datetime(2023, 7, 18, 9, 0, tzinfo=CST)
    messages = [
        (uid, at, mail(ABC, word(f"【学习体会】第{uid}篇"), message_id=f"<{uid}@abc>"))
        for uid in (5, 6, 7)
    ]
    conn = storage.connect(c2023.db)
    now = datetime(2023, 7, 18, 10, 0, tzinfo=CST)
    run = inbox.Intake(tmp_path / "attachments", inbox.Settings(), now)
    with pytest.raises(ConnectionResetError):
        inbox.fetch(conn, run, _Broken(messages, 42, after=2), "box")
    assert [r["title"] for r in inbox.listing(conn)] == ["第5篇", "第6篇"]
    assert conn.execute("SELECT last_uid FROM imap_state").fetchall() == [(6,)]
    inbox.fetch(conn, run, _Broken(messages, 42, after=99), "box")
    assert [r["title"] for r in inbox.listing(conn)] == ["第5篇", "第6篇", "第7篇"]
    # the server renumbered the folder (a new UIDVALIDITY): read again, kept once
    inbox.fetch(conn, run, _Broken(messages, 43, after=99), "box")
    assert len(inbox.listing(conn)) == 3
    assert run.skipped == 3
    conn.close()
    assert parse(messages[0][2], at).arrival_source == "internaldate"
    assert sqlite3.connect(c2023.db).execute("SELECT count(*) FROM intake").fetchone() == (3,)


def test_ssl_from_the_first_byte_verifies_the_certificate(
    c2023: Svc, imap, folder, ca, tmp_path, monkeypatch
):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    front = TlsFront(context, imap.port)
    try:
        imap.append(
            folder,
            mail(ABC, word("【学习体会】993端口"), message_id="<ssl@abc>"),
            datetime(2023, 7, 18, 8, 0, tzinfo=CST),
            create=False,
        )
        monkeypatch.setenv("SVCMONTH_IMAP_SECURITY", "ssl")
        monkeypatch.setenv("SVCMONTH_IMAP_PORT", str(front.port))
        before = c2023.dump()
        assert "could not be verified" in c2023.fails("inbox", "fetch")
        assert c2023.dump() == before
        cafile = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(cafile))
        monkeypatch.setenv("SVCMONTH_IMAP_CAFILE", str(cafile))
        assert (
            c2023("inbox", "fetch", "--since", "2023-07-01").err
            == "read 1 new message(s), 0 seen before: 1 ready\n"
        )
    finally:
        front.close()
