"""Reminders: what is due, and sending each exactly once through a real SMTP server on loopback.

Every server here is aiosmtpd on 127.0.0.1 with a free port, stopped when its test ends; the
TLS ones use a throwaway CA from trustme, trusted through ``SVCMONTH_SMTP_CAFILE``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import MEMBERS, Run, Svc
from smtp_server import PASSWORD, SMTP_VARS, USER, Mailbox, Server, free_port
from svcmonth import storage
from svcmonth.cli.app import app
from svcmonth.mail import mailer
from svcmonth.storage.migrations import MIGRATIONS

# Sunday evening of week 2: week 1's deadline has passed, week 2 ends within a day
T1 = "2023-07-23T20:00:00+08:00"
# a week later
T2 = "2023-07-30T20:00:00+08:00"

ICBC, ABC = "wangli@icbc.example.cn", "liqiang@abc.example.cn"
SUBJECT_ICBC = "【2023服务月】请于7月24日12:00前报送第2周活动情况(中国工商银行内蒙古分行)"


def remind(svc: Svc, *args: str, env: dict[str, str] | None = None, code: int = 0) -> Run:
    """``svcmonth remind …`` through the CLI, with exactly the SMTP variables given."""
    full: dict[str, str | None] = {f"SVCMONTH_SMTP_{v}": None for v in SMTP_VARS}
    full.update({"SVCMONTH_DB": str(svc.db), "SVCMONTH_NOW": svc.now, "NO_COLOR": "1"})
    full.update(env or {})
    result = svc.runner.invoke(app, ["remind", *args], env=full, catch_exceptions=False)
    run = Run(result.exit_code, result.stdout, result.stderr)
    assert run.code == code, f"exit {run.code} != {code}\nstdout: {run.out}\nstderr: {run.err}"
    assert "Traceback" not in run.err
    return run


def recorded(svc: Svc) -> list[tuple[str, str, str, str]]:
    """The reminder table: ``(member, key, recipient, status)``."""
    conn = sqlite3.connect(svc.db)
    try:
        return conn.execute(
            "SELECT m.code, r.key, r.recipient, r.status FROM reminder r"
            " JOIN member m ON m.id = r.member_id ORDER BY r.id"
        ).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="session")
def week2_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: the 2023 campaign, conftest's three members; ICBC reported week 1 on time
    and has its three articles, ABC has nothing, BOC has no e-mail address."""
    svc = Svc(tmp_path_factory.mktemp("template") / "svc.db", CliRunner())
    svc("init")
    svc("campaign", "new", "2023服务月", "--start", "2023-07-11", "--end", "2023-08-11")
    for code, name, officer, phone, address in MEMBERS:
        args = ["member", "add", code, name, "--officer", officer, "--phone", phone]
        svc(*args, *(["--email", address] if address else []))

    def submit(column: str, title: str, at: str) -> None:
        svc("submit", "ICBC", "--column", column, "--title", title, "--at", at)

    submit("活动扫描", "第一周周报", "2023-07-17 09:00")
    for day in ("12", "13", "14"):
        submit("先进事迹", "事迹", f"2023-07-{day} 10:00")
    return svc.db


@pytest.fixture
def week2(tmp_path: Path, week2_template: Path) -> Svc:
    """A copy of the template, at T1 (Sunday evening of week 2)."""
    db = tmp_path / "svc.db"
    source, copy = sqlite3.connect(week2_template), sqlite3.connect(db)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    svc = Svc(db, CliRunner())
    svc.now = T1
    return svc


DUE_AT_T1 = [
    ("ICBC", "report", 2, ICBC, "due:2", "would_send"),
    ("ABC", "report", 1, ABC, "overdue:1", "would_send"),
    ("ABC", "report", 2, ABC, "due:2", "would_send"),
    ("ABC", "quota", None, ABC, "quota:2", "would_send"),
    ("BOC", "report", 1, None, "overdue:1", "no_address"),
    ("BOC", "report", 2, None, "due:2", "no_address"),
    ("BOC", "quota", None, None, "quota:2", "no_address"),
]
SENT_AT_T1 = [  # (recipient, X-Svcmonth-Reminder header) of each message, in order
    (ICBC, "ICBC due:2"),
    (ABC, "ABC overdue:1, ABC due:2, ABC quota:2"),  # one mail holding ABC's three
]


def brief(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["member"], r["kind"], r["week"], r["to"], r["key"], r["status"]) for r in rows]


# --- what is due -----------------------------------------------------------------------------


def test_the_dry_run_lists_what_is_due_and_changes_nothing(week2):
    before = week2.dump()
    rows = remind(week2, "--format", "json").json()
    assert brief(rows) == DUE_AT_T1
    body = rows[0].pop("body")
    assert rows[0] == {
        "member": "ICBC",
        "kind": "report",
        "week": 2,
        "channel": "mail",
        "to": ICBC,
        "subject": SUBJECT_ICBC,
        "status": "would_send",
        "key": "due:2",
    }
    assert body.startswith("王丽同志:\n\n您好!中国工商银行内蒙古分行2023服务月第2周")
    assert rows[1]["subject"] == (
        "【2023服务月】第1周活动情况已逾期未报,请尽快补报(中国农业银行内蒙古分行)"
    )
    assert rows[3]["subject"] == "【2023服务月】已报稿件0篇,未达3篇最低要求(中国农业银行内蒙古分行)"
    assert week2.dump() == before
    csv = remind(week2, "--format", "csv").out
    assert csv.splitlines()[0] == "member,kind,week,channel,to,subject,status,body,key"
    assert csv.splitlines()[1].startswith(
        "ICBC,report,2,mail,wangli@icbc.example.cn,【2023服务月】"
    )


def test_a_week_ending_within_a_day_is_due(c2023):
    early = remind(c2023, "--as-of", "2023-07-15 23:59:59", "--format", "json").json()
    on_day = remind(c2023, "--as-of", "2023-07-16 00:00", "--format", "json").json()
    assert {r["key"] for r in early} == set()  # the first week: no quota reminder yet
    assert [r["key"] for r in on_day if r["member"] == "ICBC"] == ["due:1"]


def test_a_report_in_hand_or_a_later_extension_means_no_due_reminder(c2023, submit):
    submit("ICBC", "活动扫描", "2023-07-16 09:00", "周报", "--week", "1")
    c2023("member", "extend", "ABC", "--week", "1", "--until", "2023-07-19 12:00")
    rows = remind(c2023, "--as-of", "2023-07-17 10:00", "--format", "json").json()
    reports = [(r["member"], r["key"]) for r in rows if r["kind"] == "report"]
    assert reports == [("ABC", "due:1"), ("BOC", "due:1")]
    after = remind(c2023, "--as-of", "2023-07-18 10:00", "--format", "json").json()
    # BOC's deadline passed (overdue); ABC's extension runs until 07-19: still due
    reports = [(r["member"], r["key"]) for r in after if r["kind"] == "report"]
    assert reports == [("ABC", "due:1"), ("BOC", "overdue:1")]


def test_no_quota_reminder_once_the_window_closes_or_the_minimum_is_met(week2):
    rows = remind(week2, "--as-of", "2023-08-14 12:00", "--format", "json").json()
    assert [r for r in rows if r["kind"] == "quota"] == []
    open_rows = remind(week2, "--as-of", "2023-08-14 11:59", "--format", "json").json()
    assert [r["member"] for r in open_rows if r["kind"] == "quota"] == ["ABC", "BOC"]


def test_a_deactivated_member_gets_no_reminders(week2):
    week2("member", "deactivate", "ABC")
    rows = remind(week2, "--format", "json").json()
    assert {r["member"] for r in rows} == {"ICBC", "BOC"}


# --- sending, exactly once -------------------------------------------------------------------


def test_send_then_a_second_run_sends_nothing(week2, smtp):
    server = smtp()
    run = remind(week2, "--send", "--format", "json", env=server.env)
    assert server.mailbox.keys() == SENT_AT_T1
    sent = [(r["member"], r["key"], r["status"]) for r in run.json()]
    assert sent == [
        ("ICBC", "due:2", "sent"),
        ("ABC", "overdue:1", "sent"),
        ("ABC", "due:2", "sent"),
        ("ABC", "quota:2", "sent"),
        ("BOC", "overdue:1", "no_address"),
        ("BOC", "due:2", "no_address"),
        ("BOC", "quota:2", "no_address"),
    ]
    assert run.err == ""
    assert recorded(week2) == [
        ("ICBC", "due:2", ICBC, "sent"),
        ("ABC", "overdue:1", ABC, "sent"),
        ("ABC", "due:2", ABC, "sent"),
        ("ABC", "quota:2", ABC, "sent"),
    ]
    again = remind(week2, "--send", "--format", "json", env=server.env)
    assert len(server.mailbox.received) == 2
    assert [r["status"] for r in again.json()] == ["no_address"] * 3
    statuses = [r["status"] for r in remind(week2, "--format", "json").json()]
    assert statuses == ["already_sent"] * 4 + ["no_address"] * 3


def test_the_message_is_proper_mime_with_chinese_intact(week2, smtp):
    server = smtp()
    remind(week2, "--send", "--quiet", env=server.env)
    tos, msg, raw = server.mailbox.received[0]
    assert tos == [ICBC]
    assert raw.isascii()  # every Chinese header and body encoded for any server
    assert msg["Subject"] == SUBJECT_ICBC
    assert msg["From"].addresses[0].display_name == "协会秘书处"
    assert msg["From"].addresses[0].addr_spec == USER
    assert msg["To"] == ICBC
    assert msg["Date"] == "Sun, 23 Jul 2023 20:00:00 +0800"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg.get_content() == (
        "王丽同志:\n"
        "\n"
        "您好!中国工商银行内蒙古分行2023服务月第2周(2023年7月17日至2023年7月23日)的活动情况"
        "尚未报送,请于北京时间2023年7月24日(星期一)12:00前在“活动扫描”栏目报送。\n"
        "\n"
        "报送截止时间:北京时间2023年7月24日(星期一)12:00\n"
        "按时报送的稿件按2级核算分值,逾期报送的按1级核算。如已报送,请忽略本提醒。\n"
        "\n"
        "协会秘书处\n"
        "2023年7月23日\n"
    )
    quota = server.mailbox.received[1][1].get_content()
    assert "截至北京时间2023年7月23日(星期日)20:00,中国农业银行内蒙古分行" in quota
    assert "稿件为0篇" in quota and "尚差3篇" in quota
    assert "稿件截止时间:北京时间2023年8月14日(星期一)12:00" in quota
    assert "“先进事迹”、“感动人物”、“学习体会”、“看图话服务”" in quota


def test_the_overdue_notice_is_sent_once(week2, smtp):
    server = smtp()
    remind(week2, "--send", "--quiet", env=server.env)
    week2.now = T2
    remind(week2, "--send", "--quiet", env=server.env)
    second = server.mailbox.keys()[2:]
    assert second == [
        (ICBC, "ICBC overdue:2, ICBC due:3"),
        (ABC, "ABC overdue:2, ABC due:3, ABC quota:3"),
    ]
    remind(week2, "--send", "--quiet", "--as-of", "2023-07-30 23:00", env=server.env)
    assert len(server.mailbox.received) == 4
    overdue = [k for _to, k in server.mailbox.keys() if "overdue" in k]
    assert overdue == ["ABC overdue:1, ABC due:2, ABC quota:2", *second_keys(second)]


# --- timing and wording at the edges (issue 21: SPEC "Timing and wording") -------------------


def quota_members(rows: list[dict[str, Any]]) -> list[str]:
    return [r["member"] for r in rows if r["kind"] == "quota"]


def test_no_quota_reminder_in_the_campaigns_first_week(c2023):
    first_morning = remind(c2023, "--as-of", "2023-07-11 09:00", "--format", "json").json()
    last_minute = remind(c2023, "--as-of", "2023-07-16 23:59", "--format", "json").json()
    second_week = remind(c2023, "--as-of", "2023-07-17 00:00", "--format", "json").json()
    assert quota_members(first_morning) == quota_members(last_minute) == []
    assert quota_members(second_week) == ["ICBC", "ABC", "BOC"]
    assert {r["key"] for r in second_week if r["kind"] == "quota"} == {"quota:2"}


def quota_mails(server: Server) -> list[str]:
    return [k for _to, k in server.mailbox.keys() if "quota" in k]


def test_a_quota_reminder_goes_at_most_once_in_any_7_days(week2, smtp):
    server = smtp()
    remind(week2, "--send", "--quiet", env=server.env)  # Sunday 7/23 20:00, campaign week 2
    assert quota_mails(server) == ["ABC overdue:1, ABC due:2, ABC quota:2"]
    # the same campaign week: already sent
    later = remind(week2, "--format", "json", "--as-of", "2023-07-23 23:00").json()
    assert [r["status"] for r in later if r["kind"] == "quota"] == ["already_sent", "no_address"]
    # Monday: a new campaign week, but one day later: none (and none listed)
    for at in ("2023-07-24 09:00", "2023-07-30 19:59"):
        week2.now = at.replace(" ", "T") + ":00+08:00"
        assert quota_members(remind(week2, "--format", "json").json()) == ["BOC"]
        remind(week2, "--send", "--quiet", env=server.env)
    assert quota_mails(server) == ["ABC overdue:1, ABC due:2, ABC quota:2"]
    # 7 days after the last one: the next
    week2.now = "2023-07-30T20:00:00+08:00"
    remind(week2, "--send", "--quiet", env=server.env)
    assert quota_mails(server)[1:] == ["ABC quota:3"]


def test_reminder_times_say_beijing_time_or_the_zones_name(week2, tmp_path):
    body = remind(week2, "--format", "json").json()[0]["body"]
    assert "北京时间2023年7月24日(星期一)12:00" in body and "UTC" not in body
    svc = Svc(tmp_path / "tokyo.db", CliRunner())
    svc("init")
    svc(
        "campaign",
        "new",
        "东京",
        "--start",
        "2024-07-09",
        "--end",
        "2024-08-09",
        "--tz",
        "Asia/Tokyo",
    )
    svc("member", "add", "ICBC", "工行", "--officer", "王丽", "--email", ICBC)
    svc.now = "2024-07-21T20:00:00+09:00"
    body = remind(svc, "--format", "json").json()[0]["body"]
    assert "应于Asia/Tokyo 2024年7月15日(星期一)12:00前" in body and "北京时间" not in body


def test_an_officer_due_for_several_reminders_gets_one_mail_holding_them_all(week2, smtp):
    server = smtp()
    run = remind(week2, "--send", "--format", "json", env=server.env)
    abc = [r for r in run.json() if r["member"] == "ABC"]
    assert [r["key"] for r in abc] == ["overdue:1", "due:2", "quota:2"]  # rows stay per reminder
    mails = [m for to, m, _raw in server.mailbox.received if to == [ABC]]
    assert len(mails) == 1
    assert mails[0]["Subject"] == "【2023服务月】3项报送提醒(中国农业银行内蒙古分行)"
    body = mails[0].get_content()
    assert body.startswith("李强同志:\n\n本次共有3项提醒")
    assert "1. 您好!中国农业银行内蒙古分行2023服务月第1周" in body
    assert "2. 您好!中国农业银行内蒙古分行2023服务月第2周" in body
    assert "3. 您好!截至北京时间2023年7月23日" in body
    assert body.count("协会秘书处") == 1


def second_keys(sent: list[tuple[str, str]]) -> list[str]:
    return [k for _to, k in sent]


def test_a_refused_address_is_retried_next_run_and_nobody_is_mailed_twice(week2, smtp):
    server = smtp(mailbox=Mailbox(refuse={ABC}))
    run = remind(week2, "--send", env=server.env, code=1)
    assert server.mailbox.keys() == [(ICBC, "ICBC due:2")]
    err = run.err.splitlines()
    # each failure named by its reminder's subject (not a key like overdue:1)
    assert [line.split(" 【2023服务月】")[0] for line in err[:3]] == ["not sent: ABC"] * 3
    assert all(
        line.endswith(f" to {ABC}: 550 5.1.1 <{ABC}>: mailbox unavailable") for line in err[:3]
    )
    assert "第1周活动情况已逾期未报" in err[0] and "第2周" in err[1] and "稿件" in err[2]
    assert err[3] == (
        "Error: 3 of 4 reminders could not be sent; they were not recorded and will be "
        "retried on the next run"
    )
    assert len(err) == 4
    assert "ICBC" in run.out and "ABC" not in run.out  # stdout: what was sent (and BOC)
    assert recorded(week2) == [("ICBC", "due:2", ICBC, "sent")]
    server.mailbox.refuse.clear()
    remind(week2, "--send", "--quiet", env=server.env)
    assert sorted(server.mailbox.keys()) == sorted(SENT_AT_T1)  # each exactly once
    assert len(recorded(week2)) == 4


def test_a_dropped_connection_fails_one_message_and_the_rest_go_on_a_new_one(week2, smtp):
    class DropOnce(Mailbox):
        dropped = False

        async def handle_DATA(self, server, session, envelope):
            if envelope.rcpt_tos == [ABC] and not self.dropped:
                self.dropped = True
                return "421 4.3.2 service shutting down"
            return await super().handle_DATA(server, session, envelope)

    server = smtp(mailbox=DropOnce())
    run = remind(week2, "--send", "--quiet", env=server.env, code=1)
    assert run.out == ""
    assert server.mailbox.keys() == [SENT_AT_T1[0], *SENT_AT_T1[2:]]
    first = run.err.splitlines()[0]
    assert first.startswith("not sent: ABC 【2023服务月】第1周活动情况已逾期未报")
    assert first.endswith(f" to {ABC}: 421 4.3.2 service shutting down")
    remind(week2, "--send", "--quiet", env=server.env, code=0)
    assert sorted(server.mailbox.keys()) == sorted(SENT_AT_T1)


def test_a_claim_left_by_a_killed_run_counts_as_sent(week2, smtp):
    # a run that claimed ICBC's reminder and died before it could mark it sent
    conn = storage.connect(week2.db)
    conn.execute(
        "INSERT INTO reminder (campaign_id, member_id, kind, week, key, recipient, subject,"
        " sent_at, status) SELECT 1, id, 'report', 2, 'due:2', ?, 's', ?, 'sending'"
        " FROM member WHERE code = 'ICBC'",
        (ICBC, "2023-07-23T11:59:00Z"),
    )
    conn.close()
    assert remind(week2, "--format", "json").json()[0]["status"] == "already_sent"
    server = smtp()
    remind(week2, "--send", "--quiet", env=server.env)
    assert server.mailbox.keys() == SENT_AT_T1[1:]


def test_a_summary_goes_to_the_secretariat(week2, smtp):
    server = smtp()
    remind(week2, "--send", "--quiet", "--summary-to", "xcb@assoc.example.cn", env=server.env)
    tos, msg, _raw = server.mailbox.received[-1]
    assert tos == ["xcb@assoc.example.cn"]
    assert msg["X-Svcmonth-Reminder"] == "summary"
    assert msg["Subject"] == "【2023服务月】提醒发送情况:已发送4条,失败0条,无邮箱3家"
    body = msg.get_content().splitlines()
    assert body[0] == "2023服务月提醒发送情况(截至北京时间2023年7月23日(星期日)20:00):"
    assert body[2].split() == ["代码", "会员单位", "提醒", "周次", "收件人", "结果"]
    assert body[4].split() == ["ICBC", "中国工商银行内蒙古分行", "周报待报", "2", ICBC, "已发送"]
    assert body[10].split() == ["BOC", "中国银行内蒙古分行", "稿件不足", "无邮箱"]
    assert len(server.mailbox.received) == 3  # ICBC's mail, ABC's one mail, the summary
    remind(week2, "--send", "--quiet", "--summary-to", "xcb@assoc.example.cn", env=server.env)
    assert len(server.mailbox.received) == 3  # nothing sent, no summary


# --- the SMTP server: TLS, login, failures ---------------------------------------------------


def test_ssl_on_connect_with_login_like_port_465(week2, smtp):
    server = smtp("ssl")
    run = remind(week2, "--send", env=server.env)
    assert server.mailbox.keys() == SENT_AT_T1
    assert PASSWORD not in run.out + run.err
    assert PASSWORD.encode() not in week2.db.read_bytes()  # never stored


def test_starttls_with_login(week2, smtp):
    server = smtp("starttls")
    remind(week2, "--send", "--quiet", env=server.env)
    assert server.mailbox.keys() == SENT_AT_T1


def test_a_wrong_password_is_one_clear_error_and_never_printed(week2, smtp):
    server = smtp("starttls")
    before = week2.dump()
    wrong = "wrong-code-x9z"
    run = remind(week2, "--send", env={**server.env, "SVCMONTH_SMTP_PASSWORD": wrong}, code=1)
    assert run.out == ""
    assert run.err == (
        f"Error: the SMTP server 127.0.0.1:{server.port} refused the login for {USER} "
        "(535 5.7.8 Authentication credentials invalid); check SVCMONTH_SMTP_USER and "
        "SVCMONTH_SMTP_PASSWORD (QQ, 163: the authorization code, not the web password)\n"
    )
    assert wrong not in run.err and server.mailbox.received == []
    assert week2.dump() == before


def test_an_unreachable_server_is_one_clear_error(week2):
    port = free_port()
    env = {"SVCMONTH_SMTP_HOST": "127.0.0.1", "SVCMONTH_SMTP_PORT": str(port)}
    env |= {"SVCMONTH_SMTP_SECURITY": "none", "SVCMONTH_SMTP_FROM": USER}
    before = week2.dump()
    run = remind(week2, "--send", env=env, code=1)
    assert run.err == (
        f"Error: cannot connect to the SMTP server 127.0.0.1:{port}: "
        "connection refused (is the server running on that port?)\n"
    )
    assert run.out == "" and week2.dump() == before


def test_an_smtp_failure_is_in_chinese_words_not_connection_refused(week2):
    port = free_port()
    env = {"SVCMONTH_SMTP_HOST": "127.0.0.1", "SVCMONTH_SMTP_PORT": str(port)}
    env |= {"SVCMONTH_SMTP_SECURITY": "none", "SVCMONTH_SMTP_FROM": USER}
    run = remind(week2, "--send", env={**env, "SVCMONTH_LANG": "zh_CN"}, code=1)
    assert run.err == (
        f"错误：无法连接 SMTP 服务器 127.0.0.1:{port}：连接被拒绝（服务器没有运行或端口不对？）\n"
    )


def test_an_untrusted_certificate_is_refused(week2, smtp):
    server = smtp("ssl")
    env = {**server.env, "SVCMONTH_SMTP_CAFILE": None}
    run = remind(week2, "--send", env=env, code=1)  # type: ignore[arg-type]
    assert run.err.startswith("Error: the TLS certificate of 127.0.0.1 could not be verified")
    assert "SVCMONTH_SMTP_CAFILE" in run.err and len(run.err.splitlines()) == 1
    assert server.mailbox.received == []


def test_nothing_due_needs_no_server(week2, smtp):
    server = smtp()
    remind(week2, "--send", "--quiet", env=server.env)
    port = free_port()  # nothing listens there: not contacted when nothing is due
    env = {**server.env, "SVCMONTH_SMTP_PORT": str(port)}
    run = remind(week2, "--send", env=env)
    assert run.err == "" and "no address" in run.out


def test_smtp_settings_and_their_defaults():
    def config(**env: str) -> mailer.SmtpConfig:
        full = {"SVCMONTH_SMTP_HOST": "smtp.qq.com", "SVCMONTH_SMTP_FROM": USER}
        return mailer.config_from_env(full | {f"SVCMONTH_SMTP_{k}": v for k, v in env.items()})

    assert (config().security, config().port) == ("ssl", 465)
    assert (config(PORT="465").security, config(PORT="587").security) == ("ssl", "starttls")
    assert config(SECURITY="starttls").port == 587
    assert config(SECURITY="none").port == 25
    c = config(USER=USER, PASSWORD=PASSWORD, FROM="")
    assert c.sender.addr_spec == USER and PASSWORD not in repr(c)
    problems = {
        "PORT": ("x", "is not a port number"),
        "SECURITY": ("tls", "expected ssl, starttls or none"),
        "FROM": ("nobody", "is not an e-mail address"),
        "TIMEOUT": ("-1", "is not a number of seconds"),
    }
    for key, (value, text) in problems.items():
        with pytest.raises(mailer.SvcmonthError, match=text):
            config(**{key: value})
    with pytest.raises(mailer.SvcmonthError, match="refusing to send the SMTP password"):
        config(SECURITY="none", USER=USER, PASSWORD=PASSWORD)
    with pytest.raises(mailer.SvcmonthError, match="SVCMONTH_SMTP_HOST is not set"):
        mailer.config_from_env({})


def test_send_without_smtp_settings_is_a_clear_error(week2):
    run = remind(week2, "--send", code=1)
    assert run.err == (
        "Error: SVCMONTH_SMTP_HOST is not set: give the SMTP server (e.g. smtp.qq.com) "
        "to send mail\n"
    )


# --- cron: no TTY, no LANG, a bare PATH; two runs at once -------------------------------------


def cron_run(
    svc: Svc, server: Server, *args: str, lang: str | None = None
) -> subprocess.Popen[bytes]:
    env = {"PATH": "/usr/bin:/bin", "SVCMONTH_DB": str(svc.db), "SVCMONTH_NOW": svc.now}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")  # this checkout's code
    if lang:
        env["SVCMONTH_LANG"] = lang
    env |= server.env
    return subprocess.Popen(
        [sys.executable, "-m", "svcmonth", "remind", "--send", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=svc.db.parent,
    )


def test_under_cron_with_an_empty_environment(week2, smtp):
    server = smtp("ssl")
    proc = cron_run(week2, server)
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, err) == (0, b"")
    lines = [line.split() for line in out.decode("utf-8").splitlines()]
    # no SVCMONTH_LANG: the cron mail the secretariat reads is in Chinese
    assert lines[0] == [
        "单位代码",
        "提醒类型",
        "周次",
        "渠道",
        "收件人",
        "主题",
        "状态",
        "邮件正文",
        "提醒标识",
    ]
    subject = "【2023服务月】请于7月24日12:00前报送第2周活动情况（中国工商银行内蒙古分行）"
    assert lines[2][:7] == ["ICBC", "活动扫描", "2", "邮件", ICBC, subject, "已发送"]
    assert lines[2][7].startswith("您好！中国工商银行内蒙古分行2023服务月第2周")
    assert lines[2][8] == "due:2"
    assert [line[0] for line in lines[2:]] == ["ICBC", "ABC", "ABC", "ABC", "BOC", "BOC", "BOC"]
    assert "无邮箱" in lines[-1] and lines[-1][-1] == "quota:2"
    assert b"\x1b" not in out  # no colour without a terminal
    assert server.mailbox.keys() == SENT_AT_T1
    msg = server.mailbox.received[0][1]
    assert msg["Subject"] == subject
    assert msg["From"].addresses[0].display_name == "协会秘书处"  # from the environment
    assert msg.get_content().startswith("王丽同志：\n\n您好！中国工商银行内蒙古分行2023服务月第2周")
    quiet = cron_run(week2, server, "--quiet")
    assert quiet.communicate(timeout=30) == (b"", b"")
    assert quiet.returncode == 0


def test_two_runs_at_once_send_each_reminder_once(week2, smtp):
    server = smtp(mailbox=Mailbox(delay=0.05))
    first, second = cron_run(week2, server, lang="en"), cron_run(week2, server, lang="en")
    results = [p.communicate(timeout=30) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0]
    assert [err for _out, err in results] == [b"", b""]
    assert sorted(server.mailbox.keys()) == sorted(SENT_AT_T1)
    printed = [
        line.split()[0] + " " + line.split()[-1]
        for out, _err in results
        for line in out.decode("utf-8").splitlines()[2:]
        if "no address" not in line
    ]
    assert sorted(printed) == sorted(["ICBC due:2", "ABC overdue:1", "ABC due:2", "ABC quota:2"])


def test_a_run_that_starts_while_another_is_sending_takes_the_rest(week2, smtp):
    server = smtp(mailbox=Mailbox(hold={ICBC}))
    first = cron_run(week2, server, lang="en")
    try:
        # the first run has claimed ICBC's reminder and the server holds it mid-DATA
        assert server.mailbox.held.wait(10)
        second = cron_run(week2, server, lang="en")
        out2, err2 = second.communicate(timeout=30)
    finally:
        server.mailbox.release.set()
    out1, err1 = first.communicate(timeout=30)
    assert (first.returncode, second.returncode, err1, err2) == (0, 0, b"", b"")
    sent1 = [line.split()[-1] for line in out1.decode().splitlines()[2:] if "sent" in line]
    sent2 = [line.split()[-1] for line in out2.decode().splitlines()[2:] if "sent" in line]
    # the second saw ICBC's claim; the first then lost the claims for ABC's to the second
    assert (sent1, sent2) == (["due:2"], ["overdue:1", "due:2", "quota:2"])
    assert sorted(server.mailbox.keys()) == sorted(SENT_AT_T1)
    assert [r[3] for r in recorded(week2)] == ["sent"] * 4


# --- the schema ----------------------------------------------------------------------------


def test_the_reminder_table_has_a_claim_status_and_older_files_migrate(tmp_path):
    old = tmp_path / "old.db"
    conn = storage.connect(old, create=True)
    conn.close()
    conn = sqlite3.connect(old, isolation_level=None)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(reminder)")]
    assert columns[-1] == "status" and len(MIGRATIONS) >= 2
    conn.close()
    # a file written before m002: its reminders were sent
    legacy = tmp_path / "legacy.db"
    conn = sqlite3.connect(legacy, isolation_level=None)
    storage.migrate(conn, 0, 1)
    conn.execute(
        "INSERT INTO campaign (name, start_date, end_date, tz, start_utc, created_at)"
        " VALUES ('c', '2023-07-11', '2023-08-11', 'Asia/Shanghai', 'x', 'x')"
    )
    conn.execute("INSERT INTO member (code, name, created_at) VALUES ('M', 'm', 'x')")
    conn.execute(
        "INSERT INTO reminder (campaign_id, member_id, kind, key, recipient, subject, sent_at)"
        " VALUES (1, 1, 'quota', 'quota:2', 'a@b.cn', 's', 'x')"
    )
    conn.close()
    conn = storage.connect(legacy)
    assert conn.execute("SELECT status FROM reminder").fetchall() == [("sent",)]
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE reminder SET status = 'maybe'")
    conn.close()
