"""A loopback HTTP server playing a 企业微信 or 钉钉 group robot, for the tests.

It keeps every JSON body it is posted, checks the webhook key, and for 钉钉 with a secret
recomputes the 加签 signature from the ``timestamp`` it is given (as 钉钉 does) and refuses a
wrong one with its own errcode. ``fail`` makes the next posts fail: an ``errcode`` reply, or
an HTTP status.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WECOM_KEY = "wk-5f3c9a1e-7777-4b2d-9d0e-key"
DINGTALK_TOKEN = "dt0123456789abcdeftoken"
DINGTALK_SECRET = "SECb7d1e0f2a9c8secret+/="


@dataclass
class Robot:
    channel: str  # wecom | dingtalk
    secret: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    queries: list[dict[str, str]] = field(default_factory=list)
    fail: list[int | str] = field(default_factory=list)  # per post: an errcode or "http:500"
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.server_address[1]
        if self.channel == "wecom":
            return f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key={WECOM_KEY}"
        return f"http://127.0.0.1:{port}/robot/send?access_token={DINGTALK_TOKEN}"

    def env(self) -> dict[str, str]:
        if self.channel == "wecom":
            return {"SVCMONTH_WECOM_WEBHOOK": self.url}
        out = {"SVCMONTH_DINGTALK_WEBHOOK": self.url}
        if self.secret:
            out["SVCMONTH_DINGTALK_SECRET"] = self.secret
        return out

    def texts(self) -> list[str]:
        if self.channel == "wecom":
            return [p["text"]["content"] for p in self.posts]
        return [p["markdown"]["text"] for p in self.posts]

    def reply(self, query: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.channel == "wecom" and query.get("key") != WECOM_KEY:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        if self.channel == "dingtalk":
            if query.get("access_token") != DINGTALK_TOKEN:
                return 200, {"errcode": 300001, "errmsg": "token is not exist"}
            if self.secret:
                expected = base64.b64encode(
                    hmac.new(
                        self.secret.encode(),
                        f"{query.get('timestamp')}\n{self.secret}".encode(),
                        hashlib.sha256,
                    ).digest()
                ).decode()
                if query.get("sign") != expected:
                    return 200, {"errcode": 310000, "errmsg": "sign not match"}
        if self.fail:
            failure = self.fail.pop(0)
            if isinstance(failure, str):
                return int(failure.split(":")[1]), {"error": "server"}
            return 200, {"errcode": failure, "errmsg": "send too fast"}
        self.posts.append(body)
        return 200, {"errcode": 0, "errmsg": "ok"}


def start(robot: Robot) -> Robot:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            robot.queries.append(query)
            status, answer = robot.reply(query, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    robot.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=robot.server.serve_forever, daemon=True).start()
    return robot


def stop(robot: Robot) -> None:
    if robot.server is not None:
        robot.server.shutdown()
        robot.server.server_close()
