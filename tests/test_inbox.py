"""Mail intake from saved mail: decoding Chinese mail, arrival time, matching, attachments,
accepting, receipts. Every message is built here (tests/mailmaker.py) as Chinese clients send
it, saved as .eml, mbox or Maildir, and read through ``svcmonth inbox import``."""

from __future__ import annotations

import itertools
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Svc
from mailmaker import JPEG, mail, quoted, rfc2231, word, write_maildir, write_mbox
from smtp_server import SMTP_VARS
from svcmonth import attachments
from svcmonth.mail import mailparse

ICBC, ABC = "王丽 <WangLi@ICBC.example.cn>", "liqiang@abc.example.cn"
# Monday of week 2 (the 2023 campaign), 09:40 at the association's server
MON_0940 = "Mon, 24 Jul 2023 09:40:00 +0800"
_ids = itertools.count(1)


def eml(tmp_path: Path, *messages: bytes) -> list[Path]:
    """Each message saved as its own .eml file."""
    paths = []
    for raw in messages:
        path = tmp_path / f"m{next(_ids)}.eml"
        path.write_bytes(raw)
        paths.append(path)
    return paths


def listed(svc: Svc, *args: str) -> list[dict]:
    return svc.json("inbox", "list", *args)


def one(svc: Svc) -> dict:
    rows = listed(svc)
    assert len(rows) == 1
    return rows[0]


@pytest.fixture(autouse=True)
def _no_mail_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in SMTP_VARS:
        monkeypatch.delenv(f"SVCMONTH_SMTP_{var}", raising=False)
    monkeypatch.delenv("SVCMONTH_IMAP_USER", raising=False)
    monkeypatch.delenv("SVCMONTH_INBOX_MAX_MB", raising=False)


def test_gbk_subject_labelled_gb2312_and_gbk_file_names_are_decoded(c2023: Svc, tmp_path):
    # 镕 is in GBK but not in GB2312: a strict gb2312 codec would lose it
    raw = mail(
        ICBC,
        word("【看图话服务】朱镕基路网点的微笑服务"),
        received=MON_0940,
        attachments=[
            (rfc2231("网点照片镕.jpg"), "image/jpeg", JPEG),
            (quoted("营业厅.jpg".encode("gbk")), "image/jpeg", JPEG),  # raw 8-bit GBK
            (b'filename="' + word("大堂经理.png", "gbk") + b'"', "image/png", JPEG),
        ],
        body="本周网点服务照片三张,镕。",
        body_charset="gbk",
    )
    c2023("inbox", "import", *eml(tmp_path, raw))
    row = one(c2023)
    assert {k: row[k] for k in ("from", "subject", "member", "column", "kind", "title")} == {
        "from": "wangli@icbc.example.cn",
        "subject": "【看图话服务】朱镕基路网点的微笑服务",
        "member": "ICBC",
        "column": "看图话服务",
        "kind": "article",
        "title": "朱镕基路网点的微笑服务",
    }
    assert row["attachments"] == ["网点照片镕.jpg", "营业厅.jpg", "大堂经理.png"]
    assert (row["arrived_at"], row["arrival_source"], row["status"], row["week"]) == (
        "2023-07-24T09:40:00+08:00",
        "received",
        "ready",
        None,
    )
    assert mailparse.parse(raw).body == "本周网点服务照片三张,镕。"


def test_utf8_and_gb18030_words_and_a_folded_subject(c2023: Svc, tmp_path):
    subject = (
        word("【先进事迹】", "utf-8", "utf-8") + b"\r\n " + word("记𠀀行长", "gb18030", "gb18030")
    )
    c2023("inbox", "import", *eml(tmp_path, mail(ICBC, subject, received=MON_0940)))
    assert (one(c2023)["subject"], one(c2023)["title"]) == ("【先进事迹】记𠀀行长", "记𠀀行长")


def test_received_at_1200_30_is_late_though_the_senders_date_says_1158(c2023: Svc, tmp_path):
    raw = mail(
        ICBC,
        word("工商银行第一周活动情况"),
        received="Mon, 17 Jul 2023 12:00:30 +0800",
        date="Mon, 17 Jul 2023 11:58:00 +0800",
    )
    c2023("inbox", "import", *eml(tmp_path, raw))
    row = one(c2023)
    assert (row["column"], row["week"], row["arrived_at"], row["arrival_source"]) == (
        "活动扫描",
        1,
        "2023-07-17T12:00:30+08:00",
        "received",
    )
    # the table shows the second that decides (a whole minute shows as the minute)
    table = c2023("inbox", "list").out.splitlines()
    assert table[2].split()[2:5] == ["2023-07-17", "12:00:30", "Received"]
    sid = int(c2023("inbox", "accept").out)
    (sub,) = c2023.json("submission", "list")
    assert (sub["id"], sub["submitted_at"], sub["week"], sub["on_time"]) == (
        sid,
        "2023-07-17T12:00:30+08:00",
        1,
        False,
    )
    deadlines = c2023.json("check", "deadlines", "--week", "1")
    assert [(d["member"], d["status"]) for d in deadlines] == [
        ("ICBC", "late"),
        ("ABC", "missing"),
        ("BOC", "missing"),
    ]


def test_without_received_the_date_header_is_the_arrival(c2023: Svc, tmp_path):
    raw = mail(ABC, word("【学习体会】学习心得"), date="Tue, 18 Jul 2023 08:05:00 +0800")
    c2023("inbox", "import", *eml(tmp_path, raw))
    row = one(c2023)
    assert (row["arrived_at"], row["arrival_source"], row["member"]) == (
        "2023-07-18T08:05:00+08:00",
        "date",
        "ABC",
    )


def test_week_from_the_subject_in_chinese_numerals_else_rule_4(c2023: Svc, tmp_path):
    c2023(
        "inbox",
        "import",
        *eml(
            tmp_path,
            mail(ICBC, word("[活动扫描]第一周补报"), received=MON_0940, message_id="<a@icbc>"),
            mail(ABC, "ABC weekly 周报".encode(), received=MON_0940, message_id="<b@abc>"),
        ),
    )
    assert [(r["member"], r["column"], r["week"]) for r in listed(c2023)] == [
        ("ICBC", "活动扫描", 1),
        ("ABC", "活动扫描", 2),  # the last week that ended before it arrived (rule 4)
    ]
    assert c2023("inbox", "accept").out.split() == ["1", "2"]
    assert [(s["member"], s["week"], s["on_time"]) for s in c2023.json("submission", "list")] == [
        ("ICBC", 1, False),
        ("ABC", 2, True),
    ]


def test_forward_and_reply_prefixes_leave_the_title(c2023: Svc, tmp_path):
    c2023(
        "inbox",
        "import",
        *eml(
            tmp_path,
            mail(
                ICBC, word("转发：【学习体会】学习先进心得"), received=MON_0940, message_id="<1@x>"
            ),
            mail(
                ICBC,
                b"Fwd: RE: " + word("先进事迹：大堂经理李梅"),
                received=MON_0940,
                message_id="<2@x>",
            ),
            mail(ICBC, "回复: 感动人物—退休职工".encode(), received=MON_0940, message_id="<3@x>"),
        ),
    )
    assert [(r["column"], r["title"], r["status"]) for r in listed(c2023)] == [
        ("学习体会", "学习先进心得", "ready"),
        ("先进事迹", "大堂经理李梅", "ready"),
        ("感动人物", "退休职工", "ready"),
    ]


def test_an_empty_subject_takes_the_first_attachments_name(c2023: Svc, tmp_path):
    raw = mail(
        ICBC,
        b"",
        received=MON_0940,
        attachments=[(rfc2231("看图话服务-微笑.jpg"), "image/jpeg", JPEG)],
    )
    c2023("inbox", "import", *eml(tmp_path, raw))
    assert (one(c2023)["title"], one(c2023)["status"]) == ("看图话服务-微笑", "needs_column")


def test_auto_replies_bounces_and_our_own_address_are_ignored(c2023: Svc, tmp_path, monkeypatch):
    monkeypatch.setenv("SVCMONTH_SMTP_FROM", "协会秘书处 <xcb@assoc.example.cn>")
    c2023(
        "inbox",
        "import",
        *eml(
            tmp_path,
            mail(ICBC, word("自动回复: 您的邮件已收到"), received=MON_0940, message_id="<1@x>"),
            mail(
                ICBC,
                b"[activity] week 2",
                received=MON_0940,
                message_id="<2@x>",
                headers=[b"Auto-Submitted: auto-replied"],
            ),
            mail(
                ICBC,
                b"Out of office",
                received=MON_0940,
                message_id="<3@x>",
                headers=[b"X-Autoreply: yes"],
            ),
            mail(
                "MAILER-DAEMON@mx.example.cn",
                b"Undelivered Mail Returned to Sender",
                received=MON_0940,
                message_id="<4@x>",
            ),
            mail(
                "xcb@assoc.example.cn",
                word("【先进事迹】协会自己的稿件"),
                received=MON_0940,
                message_id="<5@x>",
            ),
        ),
    )
    rows = listed(c2023)
    assert [r["status"] for r in rows] == ["ignored"] * 5
    assert [r["note"] for r in rows] == [
        "ignored: automatic reply (by its subject)",
        "ignored: automatic reply",
        "ignored: automatic reply",
        "ignored: bounced mail",
        "ignored: our own address",
    ]
    assert c2023("inbox", "accept").out == ""
    assert listed(c2023, "--status", "ready") == []


def test_unmatched_sender_assigned_and_remembered(c2023: Svc, tmp_path):
    stranger = "张科长 <zhangke@gmail.example.com>"
    c2023(
        "inbox",
        "import",
        *eml(tmp_path, mail(stranger, word("【先进事迹】张科长的故事"), received=MON_0940)),
    )
    row = one(c2023)
    assert (row["from"], row["member"], row["status"]) == (
        "zhangke@gmail.example.com",
        None,
        "unmatched",
    )
    c2023("inbox", "assign", "1", "--member", "ABC", "--remember")
    assert (one(c2023)["member"], one(c2023)["status"]) == ("ABC", "ready")
    # the next message from that address is matched by itself
    c2023(
        "inbox",
        "import",
        *eml(
            tmp_path,
            mail(stranger, word("[学习体会]第二篇"), received=MON_0940, message_id="<n@x>"),
        ),
    )
    assert [(r["member"], r["status"]) for r in listed(c2023)] == [
        ("ABC", "ready"),
        ("ABC", "ready"),
    ]
    actions = [(e["action"], e["entity"]) for e in c2023.json("log")]
    assert ("remember", "inbox_sender") in actions and ("assign", "intake") in actions


def test_needs_column_until_assigned(c2023: Svc, tmp_path):
    c2023(
        "inbox", "import", *eml(tmp_path, mail(ICBC, word("一封没有栏目的来信"), received=MON_0940))
    )
    assert one(c2023)["status"] == "needs_column"
    err = c2023.fails("inbox", "accept", "1")
    assert err == "Error: inbox entry 1 is not ready (status needs column)\n"
    c2023("inbox", "assign", "1", "--column", "感动人物")
    assert (one(c2023)["column"], one(c2023)["status"]) == ("感动人物", "ready")


def test_a_given_id_that_is_not_ready_accepts_nothing(c2023: Svc, tmp_path):
    c2023(
        "inbox",
        "import",
        *eml(
            tmp_path,
            mail(ICBC, word("【先进事迹】甲"), received=MON_0940, message_id="<1@x>"),
            mail(
                "who@nowhere.example", word("【先进事迹】乙"), received=MON_0940, message_id="<2@x>"
            ),
        ),
    )
    before = c2023.dump()
    assert "not ready (status unmatched)" in c2023.fails("inbox", "accept", "1", "2")
    assert c2023.dump() == before
    assert "no inbox entry with id 9" in c2023.fails("inbox", "accept", "9")


def test_mail_after_every_campaign_is_not_ready_and_logged_only_with_campaign(c2023: Svc, tmp_path):
    late = mail(ICBC, word("【先进事迹】九月补报"), received="Fri, 01 Sep 2023 10:00:00 +0800")
    c2023("inbox", "import", *eml(tmp_path, late))
    assert one(c2023)["status"] == "no_campaign"
    assert c2023("inbox", "accept").out == ""  # not among the ready ones
    err = c2023.fails("inbox", "accept", "1")
    assert "in no campaign's span; give --campaign NAME" in err
    sid = c2023("inbox", "accept", "1", "--campaign", "2023服务月").out.strip()
    (sub,) = c2023.json("submission", "list")
    assert (str(sub["id"]), sub["submitted_at"], sub["on_time"]) == (
        sid,
        "2023-09-01T10:00:00+08:00",
        False,
    )


def test_hostile_file_names_stay_in_their_own_folder_owner_only(c2023: Svc, tmp_path):
    raw = mail(
        ICBC,
        word("【看图话服务】照片"),
        received=MON_0940,
        attachments=[
            (quoted(b"../../x"), "application/octet-stream", b"one"),
            (quoted(b"..\\\\..\\\\evil.jpg"), "image/jpeg", b"two"),
            (rfc2231("a\x1b[31mb\x07.txt", "utf-8"), "text/plain", b"three"),
            (quoted(b"x"), "application/octet-stream", b"four"),  # the same name again
            (quoted(b".."), "image/png", b"five"),
        ],
    )
    c2023("inbox", "import", *eml(tmp_path, raw))
    names = one(c2023)["attachments"]
    assert names == ["x", "evil.jpg", "a[31mb.txt", "x (2)", "attachment.png"]
    root = tmp_path / "attachments"
    assert sorted(p.name for p in (root / "1").iterdir()) == sorted(names)
    assert not (tmp_path.parent / "x").exists() and not (tmp_path / "x").exists()
    assert stat.S_IMODE((root / "1").stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in (root / "1").iterdir()} == {0o600}
    assert (root / "1" / "x (2)").read_bytes() == b"four"


def test_attachments_are_linked_to_the_submission_on_accept(c2023: Svc, tmp_path):
    raw = mail(
        ICBC,
        word("【看图话服务】网点一角"),
        received=MON_0940,
        attachments=[(rfc2231("网点.jpg"), "image/jpeg", JPEG)],
    )
    c2023("inbox", "import", *eml(tmp_path, raw))
    sid = int(c2023("inbox", "accept").out)
    conn = sqlite3.connect(c2023.db)
    try:
        assert attachments.attachments_of(conn, sid) == [
            {
                "file_name": "网点.jpg",
                "path": "1/网点.jpg",
                "content_type": "image/jpeg",
                "size": len(JPEG),
                "sha256": __import__("hashlib").sha256(JPEG).hexdigest(),
            }
        ]
    finally:
        conn.close()
    assert attachments.attachments_root(c2023.db) == tmp_path / "attachments"
    assert one(c2023)["status"] == "accepted"
    assert "already accepted (submission 1)" in c2023.fails("inbox", "ignore", "1")


def test_an_attachment_over_the_limit_is_left_out_and_said(c2023: Svc, tmp_path, monkeypatch):
    monkeypatch.setenv("SVCMONTH_INBOX_MAX_MB", "0.001")  # 1048 bytes
    raw = mail(
        ICBC,
        word("【看图话服务】两张照片"),
        received=MON_0940,
        attachments=[
            (rfc2231("大图.jpg"), "image/jpeg", b"\xff" * 5000),
            (rfc2231("小图.jpg"), "image/jpeg", b"\xff" * 500),
        ],
    )
    run = c2023("inbox", "import", *eml(tmp_path, raw))
    assert "warning: entry 1: 大图.jpg left out: 0.0 MiB, over the 0.001 MiB limit" in run.err
    row = one(c2023)
    assert (row["attachments"], row["status"]) == (["小图.jpg"], "ready")
    assert row["note"] == "大图.jpg left out: 0.0 MiB, over the 0.001 MiB limit"


def test_an_mbox_of_several_messages_and_again_adds_nothing(c2023: Svc, tmp_path):
    box = write_mbox(
        tmp_path / "inbox.mbox",
        [
            mail(ICBC, word("【先进事迹】一"), received=MON_0940, message_id="<1@icbc>"),
            mail(ABC, word("【学习体会】二"), received=MON_0940, message_id="<2@abc>"),
            mail(ABC, word("From the start: 第二周周报"), received=MON_0940, message_id="<3@abc>"),
        ],
    )
    run = c2023("inbox", "import", box)
    assert run.err == "read 3 new message(s), 0 seen before: 3 ready\n"
    assert [r["title"] for r in listed(c2023)] == ["一", "二", "From the start: 第二周周报"]
    before = c2023.dump()
    assert c2023("inbox", "import", box).err == "read 0 new message(s), 3 seen before\n"
    assert c2023.dump() == before


def test_a_maildir_is_read_and_left_as_it_was(c2023: Svc, tmp_path):
    folder = write_maildir(
        tmp_path / "Maildir",
        [
            mail(ICBC, word("【先进事迹】甲"), received=MON_0940, message_id="<1@x>"),
            mail(ABC, word("【先进事迹】乙"), received=MON_0940, message_id="<2@x>"),
        ],
    )
    files = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    c2023("inbox", "import", folder)
    assert sorted(r["title"] for r in listed(c2023)) == ["乙", "甲"]
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == files


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"id,name\n1,2\n", "members.csv", "is not an mbox file"),
    ],
)
def test_bad_saved_mail_is_one_error_and_nothing_written(
    c2023: Svc, tmp_path, content, name, reason
):
    good = eml(
        tmp_path,
        mail(
            ICBC,
            word("【看图话服务】好的"),
            received=MON_0940,
            attachments=[(rfc2231("图.jpg"), "image/jpeg", JPEG)],
        ),
    )
    bad = tmp_path / name
    bad.write_bytes(content)
    before = c2023.dump()
    err = c2023.fails("inbox", "import", *good, bad)
    assert reason in err and err.count("\n") == 1
    assert c2023.dump() == before
    assert not any((tmp_path / "attachments").rglob("*.jpg"))


def test_a_missing_path_is_one_error(c2023: Svc, tmp_path):
    before = c2023.dump()
    assert c2023.fails("inbox", "import", tmp_path / "nope.mbox").startswith(
        "Error: no file or folder "
    )
    (tmp_path / "empty").mkdir()
    assert "neither a Maildir folder nor a folder of .eml files" in c2023.fails(
        "inbox", "import", tmp_path / "empty"
    )
    assert c2023.dump() == before


def test_ignore_sets_an_entry_aside_and_assign_brings_it_back(c2023: Svc, tmp_path):
    c2023("inbox", "import", *eml(tmp_path, mail(ICBC, word("【先进事迹】甲"), received=MON_0940)))
    c2023("inbox", "ignore", "1")
    assert (one(c2023)["status"], one(c2023)["note"]) == ("ignored", "ignored by hand")
    assert c2023("inbox", "accept").out == ""
    c2023("inbox", "assign", "1", "--member", "ICBC")
    assert one(c2023)["status"] == "ready"


def test_receipt_sent_once_in_chinese(c2023: Svc, tmp_path, smtp, monkeypatch):
    server = smtp()
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    c2023(
        "inbox",
        "import",
        *eml(
            tmp_path,
            mail(
                ICBC,
                word("工商银行第2周周报"),
                received=MON_0940,
                message_id="<w2@icbc>",
                attachments=[(rfc2231("周报.docx"), "application/octet-stream", b"doc")],
            ),
        ),
    )
    run = c2023("inbox", "accept", "--ack")
    assert run.out == "1\n"
    assert run.err == "accepted 1 submission(s)\nsent 1 receipt(s)\n"
    ((to, msg, _raw),) = server.mailbox.received
    assert to == ["wangli@icbc.example.cn"]
    assert str(msg["Subject"]) == "【2023服务月】已收到第2周活动扫描《工商银行第2周周报》，按时"
    assert msg["In-Reply-To"] == "<w2@icbc>" and msg["X-Svcmonth-Receipt"] == "1"
    body = msg.get_content()
    assert body == (
        "王丽同志：\n\n"
        "您好！协会秘书处已于北京时间2023年7月24日09:40:00收到中国工商银行内蒙古分行报送的"
        "第2周活动扫描《工商银行第2周周报》，登记编号1。"
        "第2周截止时间为北京时间2023年7月24日12:00，按时报送。\n\n"
        "随附附件1个：周报.docx\n\n"
        "本邮件由系统自动发送，请勿直接回复。\n\n"
        "协会秘书处\n"
        "2023年8月20日\n"
    )
    # never twice: another accept --ack (nothing new) sends nothing
    again = c2023("inbox", "accept", "--ack")
    assert again.err == "accepted 0 submission(s)\nsent 0 receipt(s)\n"
    assert len(server.mailbox.received) == 1
    assert ("receipt", "submission") in [(e["action"], e["entity"]) for e in c2023.json("log")]


def test_a_refused_receipt_is_retried_by_the_next_run(c2023: Svc, tmp_path, smtp, monkeypatch):
    server = smtp()
    server.mailbox.refuse.add("liqiang@abc.example.cn")
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    c2023("inbox", "import", *eml(tmp_path, mail(ABC, word("【先进事迹】甲"), received=MON_0940)))
    err = c2023("inbox", "accept", "--ack", code=1).err
    assert err.endswith(
        "Error: 1 receipt(s) could not be sent; the next run with --ack retries them\n"
    )
    assert one(c2023)["status"] == "accepted"  # the acceptance stands
    server.mailbox.refuse.clear()
    c2023("inbox", "accept", "--ack")
    assert [tos for tos, _m, _r in server.mailbox.received] == [["liqiang@abc.example.cn"]]


@given(st.text(max_size=300), st.sampled_from(["image/jpeg", "application/pdf", "", "x/y"]))
def test_a_safe_name_never_escapes_or_hides_a_control_character(name, content_type):
    used: set[str] = set()
    first = attachments.safe_name(name, content_type, used)
    second = attachments.safe_name(name, content_type, used)
    for safe in (first, second):
        assert safe and "/" not in safe and "\\" not in safe
        assert safe not in (".", "..") and not safe.startswith(".")
        assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in safe)
        assert len(safe.encode("utf-8")) <= attachments.MAX_NAME_BYTES
    assert first.casefold() != second.casefold()


@pytest.mark.parametrize(
    ("text", "number"),
    [("2", 2), ("１２", 12), ("二", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23)],
)
def test_week_numbers_in_digits_or_chinese_numerals(text, number):
    assert mailparse.subject_week(f"第{text}周") == number


@given(st.integers(min_value=1, max_value=99))
def test_any_week_number_written_in_chinese_numerals_is_read(n):
    digits = "零一二三四五六七八九"
    tens, units = divmod(n, 10)
    text = (
        (digits[tens] if tens > 1 else "")
        + ("十" if tens else "")
        + (digits[units] if units else "")
    )
    assert mailparse.subject_week(f"【活动扫描】第{text}周") == n


def test_an_officers_address_added_later_makes_the_entry_ready(c2023: Svc, tmp_path):
    c2023(
        "inbox",
        "import",
        *eml(
            tmp_path, mail("zhangmin@boc.example.cn", word("【先进事迹】中行"), received=MON_0940)
        ),
    )
    assert one(c2023)["status"] == "unmatched"
    c2023("member", "edit", "BOC", "--email", "zhangmin@boc.example.cn")
    sid = c2023("inbox", "accept").out.strip()
    assert (sid, one(c2023)["member"], one(c2023)["status"]) == ("1", "BOC", "accepted")


def test_import_accept_in_one_step_and_the_csv_listing(c2023: Svc, tmp_path):
    raw = mail(
        ICBC,
        word("【看图话服务】两张"),
        received=MON_0940,
        attachments=[
            (rfc2231("一.jpg"), "image/jpeg", JPEG),
            (rfc2231("二.jpg"), "image/jpeg", JPEG),
        ],
    )
    run = c2023("inbox", "import", "--accept", *eml(tmp_path, raw))
    assert run.out == "1\n"
    csv = c2023("inbox", "list", "--format", "csv").out.splitlines()
    assert csv[0] == (
        "id,message_id,from,subject,arrived_at,arrival_source,member,column,kind,week,title,"
        "attachments,status,note"
    )
    assert csv[1].endswith(
        ",wangli@icbc.example.cn,【看图话服务】两张,2023-07-24T09:40:00+08:00,"
        "received,ICBC,看图话服务,article,,两张,一.jpg;二.jpg,accepted,"
    )
    assert "unknown status 'done'" in c2023.fails("inbox", "list", "--status", "done")


def test_control_characters_from_mail_are_dropped(c2023: Svc, tmp_path):
    raw = mail(
        "\x1b[31m王丽\u202e <wangli@icbc.example.cn>",
        b"=?utf-8?Q?=E3=80=90=E5=85=88=E8=BF=9B=E4=BA=8B=E8=BF=B9=E3=80=91=1B[2J=E6=A0=87=E9=A2=98=07?=",
        received=MON_0940,
    )
    c2023("inbox", "import", *eml(tmp_path, raw))
    assert (one(c2023)["subject"], one(c2023)["title"]) == ("【先进事迹】[2J标题", "[2J标题")
    parsed = mailparse.parse(raw)
    assert (parsed.sender, parsed.sender_name) == ("wangli@icbc.example.cn", "31m王丽")


def _receipt_claim(svc: Svc, at: str) -> None:
    """Leave the receipt as a run killed after its claim leaves it: ``sending`` since ``at``."""
    conn = sqlite3.connect(svc.db)
    conn.execute("UPDATE receipt SET status = 'sending', sent_at = ?", (at,))
    conn.commit()
    conn.close()


def test_a_receipt_left_sending_by_a_killed_run_is_reported_then_sent_by_the_next_run(
    c2023: Svc, tmp_path, smtp, monkeypatch
):
    server = smtp()
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    c2023(
        "inbox", "import", *eml(tmp_path, mail(ICBC, word("工商银行第2周周报"), received=MON_0940))
    )
    c2023("inbox", "accept", "--ack")
    assert len(server.mailbox.received) == 1
    # killed 30 minutes ago (NOW is 2023-08-20 10:00 +08:00) between its claim and its record
    _receipt_claim(c2023, "2023-08-20T01:30:00.000000Z")
    run = c2023("doctor", "--format", "json", code=1)
    rows = {r["check"]: r for r in json.loads(run.out)}
    assert rows["receipts"]["status"] == "problem"
    assert rows["receipts"]["detail"].startswith("1 receipt(s) stuck as 'sending'")
    again = c2023("inbox", "accept", "--ack")
    assert again.err == "accepted 0 submission(s)\nsent 1 receipt(s)\n"
    assert len(server.mailbox.received) == 2
    assert {r["check"]: r["status"] for r in c2023.json("doctor")}["receipts"] == "ok"
    assert ("retry", "receipt") in [(e["action"], e["entity"]) for e in c2023.json("log")]
    assert c2023("inbox", "accept", "--ack").err.endswith("sent 0 receipt(s)\n")  # once


def test_a_receipt_claim_of_a_run_still_sending_is_left_alone(
    c2023: Svc, tmp_path, smtp, monkeypatch
):
    server = smtp()
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    c2023(
        "inbox", "import", *eml(tmp_path, mail(ICBC, word("工商银行第2周周报"), received=MON_0940))
    )
    c2023("inbox", "accept", "--ack")
    _receipt_claim(c2023, "2023-08-20T01:55:00.000000Z")  # 5 minutes ago: still in flight
    assert c2023("inbox", "accept", "--ack").err.endswith("sent 0 receipt(s)\n")
    assert len(server.mailbox.received) == 1
    assert {r["check"]: r["status"] for r in c2023.json("doctor")}["receipts"] == "ok"
