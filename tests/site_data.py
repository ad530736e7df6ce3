"""Test data for the website pages: pictures made in memory, and mail that brings them in
through the real intake (``inbox import`` of an .eml built with ``EmailMessage``, then
``inbox accept``), so the site reads the intake's own ``attachment`` table and files."""

from __future__ import annotations

import itertools
import struct
import tempfile
import zlib
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from svcmonth import timeutil

_messages = itertools.count(1)


def png(width: int, height: int, seed: int = 0) -> bytes:
    """A real PNG picture (a coloured gradient with a band), made without any library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            band = (y * 5 // height) % 2 == 1
            r = (x * 255 // max(width - 1, 1) + seed * 70) % 256
            g = (y * 255 // max(height - 1, 1)) % 256
            b = 60 if band else 180
            row += bytes((r, g, b))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def picture_mail(
    sender: str,
    subject: str,
    arrived: str,
    files: list[tuple[str, bytes, str]],
    *,
    body: str = "附件为本周网点服务照片，请审阅。",
) -> bytes:
    """An e-mail as an officer sends it: ``files`` are ``(name, data, content type)``;
    ``arrived`` (``2023-07-18 11:00``, Beijing time) is what the association's server wrote
    in its ``Received:`` header, the instant the intake takes as the arrival."""
    beijing = timeutil.zone("Asia/Shanghai")
    when = timeutil.parse_instant(arrived, beijing).astimezone(beijing)
    n = next(_messages)
    msg = EmailMessage()
    msg["Received"] = (
        f"from mx.bank.example.cn by mail.assoc.example.cn with ESMTPS id {n:05X}; "
        + format_datetime(when)
    )
    msg["From"] = sender
    msg["To"] = "xcb@assoc.example.cn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<picture-{n}@bank.example.cn>"
    msg.set_content(body)
    for name, data, content_type in files:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def mail_in(svc: Any, raw: bytes, *assign: str) -> int:
    """Import one message through ``inbox import`` (a saved .eml, removed afterwards: the
    intake keeps what it needs), ``inbox assign ID *assign`` if given, ``inbox accept ID``;
    returns the new submission's id."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "message.eml"
        path.write_bytes(raw)
        svc("inbox", "import", str(path))
    entry = svc.json("inbox", "list")[-1]["id"]
    if assign:
        svc("inbox", "assign", str(entry), *assign)
    return int(svc("inbox", "accept", str(entry)).out.strip())
