"""Results notices (SPEC Reminders, "Results notices"): ``notify results`` tells each officer,
once, what became of their submissions — by mail (one per officer per run) or in the group
(one message per run), through the send-once record keyed on each fact's current value."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

import test_remind
from conftest import Run, Svc
from robot_server import Robot, start, stop
from smtp_server import SMTP_VARS
from svcmonth.cli.app import app

week2_template, week2 = test_remind.week2_template, test_remind.week2  # the fixtures
ICBC = test_remind.ICBC


def notify(svc: Svc, *args: str, env: dict[str, str] | None = None, code: int = 0) -> Run:
    full: dict[str, str | None] = {f"SVCMONTH_SMTP_{v}": None for v in SMTP_VARS}
    full.update({"SVCMONTH_DB": str(svc.db), "SVCMONTH_NOW": svc.now, "NO_COLOR": "1"})
    full.update(env or {})
    result = svc.runner.invoke(app, ["notify", "results", *args], env=full, catch_exceptions=False)
    run = Run(result.exit_code, result.stdout, result.stderr)
    assert run.code == code, f"exit {run.code} != {code}\nstdout: {run.out}\nstderr: {run.err}"
    assert "Traceback" not in run.err
    return run


def events(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["member"], r["submission"], r["event"], r["status"]) for r in rows]


@pytest.fixture
def wecom() -> Iterator[Robot]:
    robot = start(Robot("wecom"))
    yield robot
    stop(robot)


@pytest.fixture
def results(week2: Svc) -> Svc:
    """ICBC's articles 2-4: #2 graded level 3, #3 rejected, #4 adopted, forwarded, endorsed."""
    week2("grade", "2", "--level", "3")
    week2("grade", "3", "--reject", "--reason", "内容与第2篇重复")
    week2("adopt", "4", "--outlet", "银行业协会网站", "--on", "2023-07-20")
    week2("forward", "4", "--to", "中国银行业协会", "--on", "2023-07-21")
    week2("endorse", "4", "--by", "张副主席", "--on", "2023-07-22")
    return week2


def test_the_dry_run_lists_each_fact_and_changes_nothing(results):
    before = results.dump()
    rows = notify(results, "--format", "json").json()
    assert events(rows) == [
        ("ICBC", 2, "graded", "would_send"),
        ("ICBC", 3, "rejected", "would_send"),
        ("ICBC", 4, "adopted", "would_send"),
        ("ICBC", 4, "forwarded", "would_send"),
        ("ICBC", 4, "endorsed", "would_send"),
    ]
    assert rows[0]["officer"] == "王丽" and rows[0]["channel"] == "mail" and rows[0]["to"] == ICBC
    assert "级" in rows[0]["text"] and "分" in rows[0]["text"]
    assert "内容与第2篇重复" in rows[1]["text"]
    assert "银行业协会网站" in rows[2]["text"] and "中国银行业协会" in rows[3]["text"]
    assert "张副主席" in rows[4]["text"]
    assert results.dump() == before


def test_one_mail_per_officer_once(results, smtp):
    server = smtp()
    run = notify(results, "--send", "--format", "json", env=server.env)
    assert {r["status"] for r in run.json()} == {"sent"}
    assert [to for to, _k in server.mailbox.keys()] == [ICBC]  # all five in one mail
    body = server.mailbox.received[0][1].get_content()
    assert body.startswith("王丽同志:")
    assert "已退稿,原因:内容与第2篇重复" in body and "已被银行业协会网站刊用" in body
    assert notify(results, "--send", "--format", "json", env=server.env).json() == []
    assert len(server.mailbox.received) == 1


def test_a_change_undone_before_the_notice_is_not_announced(results, smtp):
    server = smtp()
    results("adopt", "2", "--outlet", "银行业协会网站", "--on", "2023-07-20")
    results("adopt", "2", "--outlet", "银行业协会网站", "--undo")
    notify(results, "--send", "--quiet", env=server.env)
    body = server.mailbox.received[0][1].get_content()
    assert body.count("刊用") == 1  # #4's adoption only


def test_a_change_after_the_notice_is_announced_again(results, smtp):
    server = smtp()
    notify(results, "--send", "--quiet", env=server.env)
    results("grade", "2", "--level", "1")  # corrected: level 3 -> 1
    run = notify(results, "--send", "--format", "json", env=server.env)
    assert events(run.json()) == [("ICBC", 2, "graded", "sent")]
    assert "1级" in server.mailbox.received[1][1].get_content()
    results("grade", "2", "--level", "3")  # back to 3: told before, not news
    assert notify(results, "--send", "--format", "json", env=server.env).json() == []


def test_the_notice_goes_to_the_officer_in_office_when_sent(results, smtp):
    server = smtp()
    results("member", "edit", "ICBC", "--officer", "刘洋", "--email", "liuyang@icbc.example.cn")
    notify(results, "--send", "--quiet", env=server.env)
    assert [to for to, _k in server.mailbox.keys()] == ["liuyang@icbc.example.cn"]
    assert server.mailbox.received[0][1].get_content().startswith("刘洋同志:")


def test_the_group_gets_one_message_per_run_with_the_officer_mentioned(results, wecom):
    run = notify(results, "--send", "--via", "企业微信", "--format", "json", env=wecom.env())
    assert {(r["channel"], r["to"], r["status"]) for r in run.json()} == {
        ("wecom", "企业微信群", "sent")
    }
    assert len(wecom.posts) == 1
    text = wecom.posts[0]["text"]
    assert text["mentioned_mobile_list"] == ["13904710001"]
    assert text["content"].count("中国工商银行内蒙古分行") == 5
    notify(results, "--send", "--via", "wecom", env=wecom.env())
    assert len(wecom.posts) == 1
    conn = sqlite3.connect(results.db)
    try:
        facts = conn.execute("SELECT fact FROM notice WHERE channel = 'wecom'").fetchall()
    finally:
        conn.close()
    assert ("graded:manual=3",) in facts and ("adopted:银行业协会网站",) in facts


def test_a_refused_group_message_is_retried_with_exit_1(results, wecom):
    wecom.fail = [93000]
    notify(results, "--send", "--via", "wecom", env=wecom.env(), code=1)
    assert wecom.posts == []
    notify(results, "--send", "--via", "wecom", env=wecom.env())
    assert len(wecom.posts) == 1


def test_via_text_prints_the_group_message_and_records_nothing(results):
    before = results.dump()
    out = notify(results, "--via", "text").out
    assert out.startswith("【2023服务月】稿件处理结果")
    assert "1. 中国工商银行内蒙古分行(王丽):《事迹》已评定为3级" in out
    assert results.dump() == before


def test_a_notice_left_sending_by_a_killed_run_is_sent_by_a_later_run(results, smtp):
    conn = sqlite3.connect(results.db)
    try:  # a run killed while sending, 11 minutes before
        conn.execute(
            "INSERT INTO notice (submission_id, event, fact, channel, recipient, status, sent_at)"
            " VALUES (2, 'graded', 'graded:manual=3', 'mail', ?, 'sending',"
            " '2023-07-23T11:49:00.000000Z')",
            (ICBC,),
        )
        conn.commit()
    finally:
        conn.close()
    server = smtp()
    run = notify(results, "--send", "--format", "json", env=server.env)
    assert ("ICBC", 2, "graded", "sent") in events(run.json())
    assert "已评定为3级" in server.mailbox.received[0][1].get_content()
