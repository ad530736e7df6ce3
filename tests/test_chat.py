"""Group chats (SPEC Reminders, "Group chats"): ``remind --send --via wecom,dingtalk`` against
loopback HTTP servers playing each robot (``robot_server``): the JSON bodies, the 钉钉
signature verified by the server, once only, failures retried, the credentials never shown.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

import test_remind
from conftest import Svc
from robot_server import DINGTALK_SECRET, DINGTALK_TOKEN, WECOM_KEY, Robot, start, stop
from svcmonth import chat
from test_remind import remind

week2_template, week2 = test_remind.week2_template, test_remind.week2  # the fixtures

MOBILES = ["13904710001", "13904710002", "13904710003"]
BANKS = ["中国工商银行内蒙古分行", "中国农业银行内蒙古分行", "中国银行内蒙古分行"]
CREDENTIALS = (WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET)


@pytest.fixture
def wecom() -> Iterator[Robot]:
    robot = start(Robot("wecom"))
    yield robot
    stop(robot)


@pytest.fixture
def dingtalk() -> Iterator[Robot]:
    robot = start(Robot("dingtalk", DINGTALK_SECRET))
    yield robot
    stop(robot)


def group_recorded(svc: Svc) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(svc.db)
    try:
        return conn.execute(
            "SELECT m.code, r.key, r.recipient FROM reminder r JOIN member m ON m.id = r.member_id"
            " WHERE r.key LIKE 'wecom:%' OR r.key LIKE 'dingtalk:%' ORDER BY r.id"
        ).fetchall()
    finally:
        conn.close()


def no_credentials(svc: Svc, *texts: str) -> None:
    """Neither key nor secret in any output, nor anywhere in the database (the audit trail)."""
    everything = "\n".join([*texts, *svc.dump()])
    for secret in CREDENTIALS:
        assert secret not in everything
        assert secret[:12] not in everything


def test_wecom_gets_one_text_message_per_kind_and_week_mentioning_the_officers(week2, wecom):
    run = remind(week2, "--send", "--via", "wecom", "--format", "json", env=wecom.env())
    assert [p["msgtype"] for p in wecom.posts] == ["text"] * 3
    due, overdue, quota = wecom.posts
    assert due["text"]["content"].startswith("【2023服务月】第2周活动情况请于北京时间2023年7月24日")
    assert all(bank in due["text"]["content"] for bank in BANKS)
    assert "王丽" in due["text"]["content"] and "张敏" in due["text"]["content"]
    assert due["text"]["mentioned_mobile_list"] == MOBILES
    assert overdue["text"]["mentioned_mobile_list"] == MOBILES[1:]
    assert "第1周活动情况已逾期未报" in overdue["text"]["content"]
    assert "已报0篇" in quota["text"]["content"]
    assert BANKS[0] not in quota["text"]["content"]  # ICBC has its three articles
    rows = run.json()
    assert {(r["channel"], r["to"], r["status"]) for r in rows} == {("wecom", "企业微信群", "sent")}
    assert [(r["member"], r["key"]) for r in rows] == [
        ("ICBC", "due:2"),
        ("ABC", "overdue:1"),
        ("ABC", "due:2"),
        ("ABC", "quota:2"),
        ("BOC", "overdue:1"),
        ("BOC", "due:2"),
        ("BOC", "quota:2"),
    ]
    assert ("ICBC", "wecom:due:2", "企业微信群") in group_recorded(week2)
    again = remind(week2, "--send", "--via", "wecom", "--format", "json", env=wecom.env())
    assert len(wecom.posts) == 3  # a second run posts nothing
    assert again.json() == []  # after sending, only what was sent (or has no address)
    no_credentials(week2, run.out, run.err, again.out, again.err)


def test_dingtalk_markdown_with_at_mobiles_and_a_signature_the_robot_verifies(week2, dingtalk):
    run = remind(week2, "--send", "--via", "钉钉", "--format", "json", env=dingtalk.env())
    assert len(dingtalk.posts) == 3  # a wrong signature would have been refused (errcode)
    due = dingtalk.posts[0]
    assert due["msgtype"] == "markdown"
    assert due["at"]["atMobiles"] == MOBILES
    text = due["markdown"]["text"]
    assert all(f"@{m}" in text for m in MOBILES)
    assert all(bank in text for bank in BANKS)
    for query in dingtalk.queries:
        assert set(query) == {"access_token", "timestamp", "sign"}
        # the real clock in milliseconds, never SVCMONTH_NOW (the robot refuses an hour off)
        assert len(query["timestamp"]) == 13 and query["timestamp"] != "1690113600000"
    assert {r["to"] for r in run.json()} == {"钉钉群"}
    no_credentials(week2, run.out, run.err)


def test_a_wrong_secret_is_refused_by_the_robot_and_retried(week2, dingtalk):
    env = dingtalk.env() | {"SVCMONTH_DINGTALK_SECRET": "SECwrong"}
    run = remind(week2, "--send", "--via", "dingtalk", env=env, code=1)
    assert dingtalk.posts == [] and group_recorded(week2) == []
    assert "errcode 310000" in run.err
    no_credentials(week2, run.out, run.err)


def test_an_errcode_reply_is_retried_next_run_with_exit_1_and_the_others_still_sent(week2, wecom):
    wecom.fail = [45009]  # the first post (week 2 due) refused: "send too fast"
    run = remind(week2, "--send", "--via", "wecom", env=wecom.env(), code=1)
    assert len(wecom.posts) == 2  # overdue and quota went
    assert "errcode 45009" in run.err
    assert not [k for _m, k, _to in group_recorded(week2) if k == "wecom:due:2"]
    again = remind(week2, "--send", "--via", "wecom", env=wecom.env())
    assert len(wecom.posts) == 3
    assert all(bank in wecom.texts()[2] for bank in BANKS)
    assert "due:2" in again.out
    assert remind(week2, "--send", "--via", "wecom", env=wecom.env()).out == ""
    assert len(wecom.posts) == 3
    no_credentials(week2, run.out, run.err, again.out, again.err)


def test_an_http_error_is_a_failure_retried_next_run(week2, wecom):
    wecom.fail = ["http:500"]
    run = remind(week2, "--send", "--via", "wecom", env=wecom.env(), code=1)
    assert "HTTP 500" in run.err and len(wecom.posts) == 2
    remind(week2, "--send", "--via", "wecom", env=wecom.env())
    assert len(wecom.posts) == 3
    no_credentials(week2, run.out, run.err)


def test_a_later_run_posts_only_the_members_not_yet_posted(week2, wecom):
    remind(week2, "--send", "--via", "wecom", env=wecom.env())
    week2(
        "member",
        "add",
        "CCB",
        "中国建设银行内蒙古分行",
        "--officer",
        "赵刚",
        "--phone",
        "13904710004",
    )
    remind(week2, "--send", "--via", "wecom", env=wecom.env())
    new = wecom.posts[3:]
    assert [p["text"]["mentioned_mobile_list"] for p in new] == [["13904710004"]] * 3
    assert all("中国建设银行内蒙古分行" in p["text"]["content"] for p in new)
    assert all(BANKS[1] not in p["text"]["content"] for p in new)


def test_mail_and_both_groups_in_one_run(week2, wecom, dingtalk, smtp):
    server = smtp()
    env = server.env | wecom.env() | dingtalk.env()
    run = remind(week2, "--send", "--via", "mail,wecom,dingtalk", "--format", "json", env=env)
    rows = run.json()
    assert {r["channel"] for r in rows} == {"mail", "wecom", "dingtalk"}
    assert len([r for r in rows if r["channel"] == "mail" and r["status"] == "sent"]) == 4
    assert (len(server.mailbox.received), len(wecom.posts), len(dingtalk.posts)) == (2, 3, 3)
    no_credentials(week2, run.out, run.err)


def test_via_text_prints_the_group_messages_and_records_nothing(week2):
    before = week2.dump()
    out = remind(week2, "--via", "text").out
    assert out.startswith("【2023服务月】第2周活动情况请于北京时间2023年7月24日")
    assert "1. 中国工商银行内蒙古分行(王丽)" in out
    assert out.count("【2023服务月】") == 3
    assert week2.dump() == before


def test_an_unconfigured_robot_or_a_bad_url_is_one_clear_error_without_the_key(week2):
    err = week2.fails("remind", "--send", "--via", "wecom")
    assert "SVCMONTH_WECOM_WEBHOOK" in err
    bad = f"ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}"
    run = remind(week2, "--send", "--via", "wecom", env={"SVCMONTH_WECOM_WEBHOOK": bad}, code=1)
    assert run.err.startswith("Error: ") and "https://" in run.err
    no_credentials(week2, run.out, run.err)
    assert "unknown channel" in week2.fails("remind", "--via", "fax")


def test_a_dry_run_lists_group_rows_without_a_robot(week2):
    rows = remind(week2, "--via", "wecom", "--format", "json").json()
    assert {(r["channel"], r["to"], r["status"]) for r in rows} == {
        ("wecom", "企业微信群", "would_send")
    }


# --- the robots' rules, one by one -----------------------------------------------------------


def test_a_message_over_2048_bytes_is_split_between_members():
    lines = [
        chat.Line(f"会员单位{i:03d}(信息宣传员{i:03d}),已报0篇", f"139{i:08d}") for i in range(80)
    ]
    for channel in ("wecom", "dingtalk"):
        posts = chat.split(channel, "【标题】以下单位尚未报送:", lines, list(range(80)))
        assert len(posts) > 1
        assert [p for post in posts for p in post.parts] == list(range(80))
        for post in posts:
            body = json.dumps(chat.payload(post), ensure_ascii=False)
            text = json.loads(body)["text" if channel == "wecom" else "markdown"]
            content = text["content"] if channel == "wecom" else text["text"]
            assert len(content.encode("utf-8")) <= chat.LIMIT
            assert content.startswith("【标题】") or content.startswith("#### 【标题】")


def test_at_most_20_messages_a_minute_to_one_robot(wecom):
    robot = chat.robot_from_env("wecom", wecom.env())
    clock, slept = [1000.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    session = chat.RobotSession(robot, clock=lambda: clock[0], sleep=sleep)
    for i in range(25):
        session.send(chat.Post("wecom", f"第{i}条", [chat.Line("x")], [i]))
    assert len(wecom.posts) == 25
    assert slept == [60.0]  # the 21st waited for the minute of the first to pass


def test_the_dingtalk_signature_is_the_documented_one():
    # 钉钉's documentation: HmacSHA256 over "timestamp\nsecret", base64, then URL-encoded
    robot = chat.Robot("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", "SECx")
    url = chat.signed_url(robot, 1700000000000)
    assert url.startswith(
        "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign="
    )
    import base64
    import hashlib
    import hmac
    import urllib.parse

    digest = hmac.new(b"SECx", b"1700000000000\nSECx", hashlib.sha256).digest()
    assert url.endswith("sign=" + urllib.parse.quote_plus(base64.b64encode(digest).decode()))


def test_mask_hides_the_key_and_the_secret_in_any_form():
    robot = chat.Robot(
        "dingtalk", f"https://x/robot/send?access_token={DINGTALK_TOKEN}", DINGTALK_SECRET
    )
    text = f"{robot.url} {DINGTALK_SECRET} {chat.signed_url(robot, 1)}"
    masked: Any = robot.mask(text)
    assert DINGTALK_TOKEN not in masked and DINGTALK_SECRET not in masked
    assert "SECb7d1e0f2a9c8secret%2B%2F%3D" not in masked


def test_via_text_refuses_the_options_it_would_ignore(week2):
    """--via text only prints: --send, --summary-to or a listing format would do nothing."""
    before = week2.dump()
    assert "--send" in week2.fails("remind", "--via", "text", "--send")
    assert "--summary-to" in week2.fails("remind", "--via", "text", "--summary-to", "a@b.cn")
    assert "--format json" in week2.fails("remind", "--via", "text", "-f", "json")
    assert "--send" in week2.fails("notify", "results", "--via", "text", "--send")
    assert week2.dump() == before
