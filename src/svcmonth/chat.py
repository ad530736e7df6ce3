"""Group chats: the 企业微信 and 钉钉 group robots (webhooks), where offices chase deadlines.

A robot is a webhook URL (and, on 钉钉, the 加签 secret) from the environment:
``SVCMONTH_WECOM_WEBHOOK``, ``SVCMONTH_DINGTALK_WEBHOOK``, ``SVCMONTH_DINGTALK_SECRET``. A
``Post`` is one group message: a title and one line per member (with the officer's mobile
to @-mention); ``split`` keeps each under the robots' 2,048 bytes (UTF-8) at line
boundaries. ``RobotSession`` posts them with the standard library (TLS verified by the
default context, a timeout), at most ``PER_MINUTE`` a minute (the robots' limit; the clock
and the sleep are injectable), and turns an HTTP error or a reply whose ``errcode`` is not 0
into ``MessageFailed``. Posting goes through ``sendonce`` like every message.

- 企业微信: a ``text`` message, ``mentioned_mobile_list`` (its Markdown cannot mention by mobile);
- 钉钉: a ``markdown`` message, ``at.atMobiles`` and each ``@139…`` in the text; 加签 adds
  ``timestamp`` (the real clock in milliseconds: the robot refuses one an hour off, so never
  ``SVCMONTH_NOW``) and ``sign`` = URL-encoded base64 of HMAC-SHA256 keyed with the secret
  over ``"{timestamp}\\n{secret}"``.

The webhook's key (``key=``/``access_token=``) and the secret are credentials: ``Robot.mask``
is the one place that hides them, and every error text passes through it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from svcmonth.errors import SvcmonthError, reason
from svcmonth.i18n import N_, _
from svcmonth.mail.mailer import MessageFailed

GROUPS = ("wecom", "dingtalk")
TEXT = "text"  # --via text: print the group messages, to paste into an ordinary 微信群
# what --via accepts, the Chinese names too
VIA_NAMES = {
    "mail": "mail",
    "email": "mail",
    "邮件": "mail",
    "wecom": "wecom",
    "企业微信": "wecom",
    "dingtalk": "dingtalk",
    "钉钉": "dingtalk",
    "text": TEXT,
    "文本": TEXT,
}
# the ``to`` of a group row: a fixed value of the JSON contract, like an address
GROUP_NAMES = {"wecom": "企业微信群", "dingtalk": "钉钉群"}
ROBOT_NAMES = {"wecom": N_("the WeCom group robot"), "dingtalk": N_("the DingTalk group robot")}
ENV = {"wecom": "SVCMONTH_WECOM_WEBHOOK", "dingtalk": "SVCMONTH_DINGTALK_WEBHOOK"}
SECRET_ENV = "SVCMONTH_DINGTALK_SECRET"
LIMIT = 2048  # bytes of a message's text (UTF-8), both robots
PER_MINUTE = 20  # messages a minute to one robot, both robots
TIMEOUT = 15.0  # seconds
MASK = "***"
MOBILE = re.compile(r"1[3-9]\d{9}")  # a mainland mobile number: what a robot can @-mention


def parse_via(text: str) -> list[str]:
    """``mail,wecom,dingtalk`` (or 邮件,企业微信,钉钉; or ``text`` alone): the channels, in
    this order, each once."""
    names = [t.strip().lower() for t in text.replace("，", ",").split(",") if t.strip()]
    out: list[str] = []
    for name in names:
        if name not in VIA_NAMES:
            raise SvcmonthError(
                _("unknown channel {name!r}: give mail, wecom, dingtalk or text").format(name=name)
            )
        if VIA_NAMES[name] not in out:
            out.append(VIA_NAMES[name])
    if not out:
        raise SvcmonthError(_("--via needs a channel: mail, wecom, dingtalk or text"))
    if TEXT in out and len(out) > 1:
        raise SvcmonthError(_("--via text prints the group messages; give it alone"))
    return out


@dataclass(frozen=True)
class Robot:
    """One group robot: its channel, webhook URL and (钉钉 加签) secret."""

    channel: str  # wecom | dingtalk
    url: str = field(repr=False)
    secret: str = field(default="", repr=False)

    @property
    def name(self) -> str:
        return _(ROBOT_NAMES[self.channel])

    def mask(self, text: str) -> str:
        """``text`` with the webhook's key and the secret hidden: the one place that does."""
        hidden = [self.secret] if self.secret else []
        query = urllib.parse.urlsplit(self.url).query
        hidden += [v for _k, v in urllib.parse.parse_qsl(query) if v]
        for value in sorted(set(hidden), key=len, reverse=True):
            for form in (value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)):
                text = text.replace(form, MASK)
        return text


def robot_from_env(channel: str, env: Mapping[str, str]) -> Robot:
    """The robot of ``channel`` as the environment configures it, or a clear error."""
    url = (env.get(ENV[channel]) or "").strip()
    if not url:
        raise SvcmonthError(
            _("{robot} is not configured: set {variable} to its webhook URL").format(
                robot=_(ROBOT_NAMES[channel]), variable=ENV[channel]
            )
        )
    secret = (env.get(SECRET_ENV) or "").strip() if channel == "dingtalk" else ""
    robot = Robot(channel, url, secret)
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname or not (
        parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname))
    ):
        raise SvcmonthError(
            _("{variable} must be the robot's https:// webhook URL, not {url}").format(
                variable=ENV[channel], url=robot.mask(url)
            )
        )
    return robot


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: base64 of HMAC-SHA256 keyed with the secret over ``"{timestamp}\\n{secret}"``
    (not yet URL-encoded)."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(robot: Robot, timestamp_ms: int) -> str:
    """The URL to post to: 钉钉 with a secret adds ``timestamp`` and ``sign``."""
    if robot.channel != "dingtalk" or not robot.secret:
        return robot.url
    joiner = "&" if urllib.parse.urlsplit(robot.url).query else "?"
    query = urllib.parse.urlencode(
        {"timestamp": str(timestamp_ms), "sign": sign(robot.secret, timestamp_ms)}
    )
    return f"{robot.url}{joiner}{query}"


@dataclass
class Line:
    """One member's line of a group message, and the mobile to @-mention (or "")."""

    text: str
    mobile: str = ""


@dataclass
class Post:
    """One group message: ``title`` and ``lines``; ``parts`` are what each line stands for
    (a reminder, a notice), in the same order. Its fate as in ``sendonce``."""

    channel: str  # wecom | dingtalk | text
    title: str
    lines: list[Line]
    parts: list[Any]
    status: str = "would_send"
    reason: str = ""
    claim_id: int | None = None

    def keep(self, claimed: list[bool]) -> None:
        """Only the lines this run claimed (``sendonce``: an overlapping run has the rest)."""
        self.lines = [line for line, k in zip(self.lines, claimed, strict=True) if k]
        self.parts = [part for part, k in zip(self.parts, claimed, strict=True) if k]


def content(channel: str, title: str, lines: Sequence[Line]) -> str:
    """The message's text: 钉钉 Markdown names each ``@mobile`` (that is how it mentions);
    企业微信 and a pasted 微信群 message list the lines."""
    if channel == "dingtalk":
        body = [f"- {line.text}" + (f" @{line.mobile}" if line.mobile else "") for line in lines]
        return f"#### {title}\n\n" + "\n".join(body)
    return title + "\n" + "\n".join(f"{i}. {line.text}" for i, line in enumerate(lines, 1))


def mobiles(lines: Sequence[Line]) -> list[str]:
    return list(dict.fromkeys(line.mobile for line in lines if line.mobile))


def payload(post: Post) -> dict[str, Any]:
    """The JSON body the robot takes."""
    text = content(post.channel, post.title, post.lines)
    if post.channel == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": post.title[:64], "text": text},
            "at": {"atMobiles": mobiles(post.lines), "isAtAll": False},
        }
    return {
        "msgtype": "text",
        "text": {"content": text, "mentioned_mobile_list": mobiles(post.lines)},
    }


def split(channel: str, title: str, lines: list[Line], parts: list[Any]) -> list[Post]:
    """``lines`` as posts of at most ``LIMIT`` bytes of text each, cut between lines (a
    single line longer than that goes alone)."""
    posts: list[Post] = []
    chunk: list[int] = []
    for i in range(len(lines)):
        trial = [lines[j] for j in [*chunk, i]]
        if chunk and len(content(channel, title, trial).encode("utf-8")) > LIMIT:
            posts.append(Post(channel, title, [lines[j] for j in chunk], [parts[j] for j in chunk]))
            chunk = []
        chunk.append(i)
    if chunk:
        posts.append(Post(channel, title, [lines[j] for j in chunk], [parts[j] for j in chunk]))
    return posts


class RobotSession:
    """Posting to one robot: paced (at most ``PER_MINUTE`` in any 60 s of ``clock``), each
    post one HTTPS request with a timeout; a failure is ``MessageFailed`` with the
    credentials masked."""

    def __init__(
        self,
        robot: Robot,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = TIMEOUT,
    ):
        self.robot, self.clock, self.sleep, self.timeout = robot, clock, sleep, timeout
        self.posted: deque[float] = deque()

    def close(self) -> None:
        """Nothing stays open between posts."""

    def _pace(self) -> None:
        while len(self.posted) >= PER_MINUTE:
            wait = self.posted[0] + 60.0 - self.clock()
            if wait > 0:
                self.sleep(wait)
            self.posted.popleft()

    def send(self, post: Post) -> None:
        self._pace()
        body = json.dumps(payload(post), ensure_ascii=False).encode("utf-8")
        url = signed_url(self.robot, int(self.clock() * 1000))
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked: https, or loopback http)
            url,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        context = ssl.create_default_context() if url.startswith("https:") else None
        self.posted.append(self.clock())
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=self.timeout, context=context
            ) as response:
                reply = response.read()
        except urllib.error.HTTPError as exc:
            raise MessageFailed(
                self.robot.mask(
                    _("{robot} answered HTTP {code}").format(robot=self.robot.name, code=exc.code)
                )
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            cause = getattr(exc, "reason", exc)  # URLError wraps the socket's error
            raise MessageFailed(
                self.robot.mask(
                    _("{robot} could not be reached: {reason}").format(
                        robot=self.robot.name,
                        reason=reason(cause) if isinstance(cause, BaseException) else cause,
                    )
                )
            ) from None
        try:
            answer = json.loads(reply.decode("utf-8"))
            code, message = answer.get("errcode"), answer.get("errmsg", "")
        except (ValueError, AttributeError):
            code, message = None, reply[:200].decode("utf-8", "replace")
        if code != 0:
            raise MessageFailed(
                self.robot.mask(
                    _("{robot} refused the message: errcode {code} {message}").format(
                        robot=self.robot.name, code=code, message=message
                    )
                )
            )
