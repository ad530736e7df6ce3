"""Building e-mails as Chinese clients send them, for the inbox tests.

The body and the attachments are built with ``email.message.EmailMessage``; the headers that
matter (subject, sender, dates, file names) are written as raw bytes, so a test can send
exactly what Foxmail, Outlook on a Chinese Windows or a phone sends: ``=?gb2312?B?…?=`` words
holding GBK characters, RFC 2231 names in GBK, raw 8-bit GBK names.
"""

from __future__ import annotations

import base64
import mailbox
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote_from_bytes

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"


def word(text: str, charset: str = "gb2312", encoding: str = "gbk") -> bytes:
    """An RFC 2047 encoded word: ``text`` encoded in ``encoding``, labelled ``charset``."""
    payload = base64.b64encode(text.encode(encoding)).decode("ascii")
    return f"=?{charset}?B?{payload}?=".encode("ascii")


def rfc2231(name: str, charset: str = "gbk") -> bytes:
    """``filename*=gbk''%D6%D0…``."""
    return f"filename*={charset}''".encode("ascii") + quote_from_bytes(name.encode(charset)).encode(
        "ascii"
    )


def quoted(name: bytes) -> bytes:
    return b'filename="' + name + b'"'


def mail(
    sender: str,
    subject: bytes | str,
    *,
    received: str | None = None,
    date: str | None = "Mon, 17 Jul 2023 09:00:00 +0800",
    message_id: str | None = None,
    body: str = "附件为本周活动情况,请审阅。",
    body_charset: str = "utf-8",
    attachments: list[tuple[bytes, str, bytes]] = (),  # type: ignore[assignment]
    headers: list[bytes] = (),  # type: ignore[assignment]
) -> bytes:
    """One message's bytes. ``attachments``: ``(filename parameter bytes, type, data)``."""
    msg = EmailMessage()
    msg.set_content(body, charset=body_charset)
    for i, (_param, content_type, data) in enumerate(attachments):
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=f"PLACE{i}.bin")
    raw = msg.as_bytes()
    for i, (param, _ctype, _data) in enumerate(attachments):
        raw = raw.replace(f'filename="PLACE{i}.bin"'.encode(), param)
    if isinstance(subject, str):
        subject = subject.encode("utf-8") if not subject.isascii() else subject.encode()
    top: list[bytes] = []
    if received:
        top.append(
            b"Received: from mx.icbc.example.cn (mx.icbc.example.cn [10.0.0.8])\r\n"
            b"\tby mail.assoc.example.cn (Postfix) with ESMTPS id 4B2C1;\r\n\t" + received.encode()
        )
        top.append(
            b"Received: from [192.168.1.20] by mx.icbc.example.cn; Mon, 17 Jul 2023 08:00:00 +0800"
        )
    top.append(b"From: " + sender.encode("utf-8"))
    top.append(b"To: xcb@assoc.example.cn")
    top.append(b"Subject: " + subject)
    if date:
        top.append(b"Date: " + date.encode())
    if message_id:
        top.append(b"Message-ID: " + message_id.encode())
    top.extend(headers)
    return b"\r\n".join(top).replace(b"\r\n", b"\n") + b"\n" + raw.replace(b"\r\n", b"\n")


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(path, create=True)
    for raw in messages:
        box.add(raw)
    box.close()
    return path


def write_maildir(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for raw in messages:
        box.add(raw)
    return path
