"""Outlook ``.msg`` files (a message dragged out of Outlook) as the RFC 5322 bytes every other
saved message is, so they go through the one intake path of ``.eml`` files.

A ``.msg`` is an OLE compound file ([MS-OXMSG]), read here with ``olefile`` (BSD; the
``extract-msg`` package is GPL-3.0 and svcmonth is MIT). What is read:

- properties in streams named ``__substg1.0_PPPPTTTT`` (property id, type): ``001F`` is
  UTF-16LE text, ``001E`` 8-bit text in the message's code page (PR_MESSAGE_CODEPAGE
  ``3FFD0003``, else GB18030), ``0102`` binary: subject ``0037``, sender address ``0C1F``
  (else ``5D01``, PR_SENDER_SMTP_ADDRESS), sender name ``0C1A``, plain body ``1000``, the
  Internet Message-ID ``1035``, the transport headers ``007D`` (the original header block,
  with its ``Received:`` lines, when the server's copy was kept);
- fixed-size properties in ``__properties_version1.0``: after a 32-byte header (8 at an
  attachment), 16-byte entries ``tag (uint32: type | id << 16), flags (uint32), value (8
  bytes)``: PR_MESSAGE_DELIVERY_TIME ``0E060040`` (the delivery time, a FILETIME: 100 ns
  since 1601 UTC), PR_CLIENT_SUBMIT_TIME ``00390040`` (the sender's clock);
- attachments in storages ``__attach_version1.0_#0000000N``: long file name ``3707``,
  else ``3704``, data ``37010102``.

The message built says when it arrived the way saved mail does: the transport headers'
own ``Received:`` lines when the file holds them, else a ``Received:`` line dated with the
delivery time; a ``Date:`` from the submit time. A file that is not an OLE compound file
or holds no message properties is a ``SvcmonthError`` (one line; nothing stored).
"""

from __future__ import annotations

import mimetypes
import struct
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import HeaderParser
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EPOCH_1601 = datetime(1601, 1, 1, tzinfo=UTC)
PR_SUBJECT = 0x0037
PR_SENDER_EMAIL = 0x0C1F
PR_SENDER_SMTP = 0x5D01
PR_SENDER_NAME = 0x0C1A
PR_BODY = 0x1000
PR_MESSAGE_ID = 0x1035
PR_TRANSPORT_HEADERS = 0x007D
PR_DISPLAY_TO = 0x0E04
PR_DELIVERY_TIME = 0x0E060040
PR_SUBMIT_TIME = 0x00390040
PR_CODEPAGE = 0x3FFD0003
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_DATA = 0x37010102


def to_rfc822(path: Path, data: bytes) -> bytes:
    """The message in the ``.msg`` file ``path`` (its bytes ``data``) as RFC 5322 bytes."""
    import olefile

    if not data.startswith(OLE_MAGIC):
        raise _not_msg(path)
    try:
        with olefile.OleFileIO(data) as ole:
            return _build(ole, path)
    except SvcmonthError:
        raise
    except Exception:  # olefile raises many kinds for a damaged container
        raise _not_msg(path) from None


def _not_msg(path: Path) -> SvcmonthError:
    return SvcmonthError(
        _("{path} is not an Outlook message (.msg) that can be read").format(path=path)
    )


def _fixed(ole: Any, storage: list[str], header: int) -> dict[int, bytes]:
    """The fixed-size properties of a storage: tag → its 8 value bytes."""
    name = [*storage, "__properties_version1.0"]
    if not ole.exists("/".join(name)):
        return {}
    raw = ole.openstream(name).read()
    out = {}
    for at in range(header, len(raw) - 15, 16):
        tag, _flags = struct.unpack_from("<II", raw, at)
        out[tag] = raw[at + 8 : at + 16]
    return out


def _text(ole: Any, storage: list[str], prop: int, codepage: str) -> str | None:
    for kind, decode in (("001F", "utf-16-le"), ("001E", codepage)):
        name = [*storage, f"__substg1.0_{prop:04X}{kind}"]
        if ole.exists("/".join(name)):
            raw = ole.openstream(name).read()
            text = raw.decode(decode, errors="replace")
            return text.split("\x00", 1)[0]
    return None


def _binary(ole: Any, storage: list[str], tag: int) -> bytes | None:
    name = [*storage, f"__substg1.0_{tag:08X}"]
    if not ole.exists("/".join(name)):
        return None
    return bytes(ole.openstream(name).read())


def _filetime(value: bytes | None) -> datetime | None:
    if value is None:
        return None
    (ticks,) = struct.unpack("<Q", value)
    if not ticks:
        return None
    try:
        return _EPOCH_1601 + timedelta(microseconds=ticks // 10)
    except OverflowError:
        return None


def _codepage(fixed: dict[int, bytes]) -> str:
    value = fixed.get(PR_CODEPAGE)
    if value is not None:
        (page,) = struct.unpack_from("<I", value)
        name = {65001: "utf-8", 936: "gb18030", 54936: "gb18030", 1252: "cp1252"}.get(page)
        if name:
            return name
    return "gb18030"


def _build(ole: Any, path: Path) -> bytes:
    fixed = _fixed(ole, [], 32)
    page = _codepage(fixed)
    subject = _text(ole, [], PR_SUBJECT, page)
    sender = _text(ole, [], PR_SENDER_SMTP, page) or _text(ole, [], PR_SENDER_EMAIL, page)
    if subject is None and sender is None:
        raise _not_msg(path)
    msg = EmailMessage(policy=policy.SMTP)
    headers = _text(ole, [], PR_TRANSPORT_HEADERS, page)
    kept = HeaderParser(policy=policy.compat32).parsestr(headers) if headers else None
    for received in (kept.get_all("Received") or []) if kept else []:
        msg["Received"] = " ".join(str(received).split())
    delivered = _filetime(fixed.get(PR_DELIVERY_TIME))
    if "Received" not in msg and delivered is not None:
        msg["Received"] = "by Outlook (PR_MESSAGE_DELIVERY_TIME); " + format_datetime(delivered)
    name = _text(ole, [], PR_SENDER_NAME, page) or ""
    msg["From"] = formataddr((_one_line(name), _one_line(sender or "")))
    if to := _text(ole, [], PR_DISPLAY_TO, page):
        msg["X-Outlook-To"] = _one_line(to)
    msg["Subject"] = _one_line(subject or "")
    submitted = _filetime(fixed.get(PR_SUBMIT_TIME))
    if submitted is not None:
        msg["Date"] = format_datetime(submitted)
    message_id = _text(ole, [], PR_MESSAGE_ID, page)
    if message_id and message_id.strip():
        msg["Message-ID"] = _one_line(message_id)
    msg.set_content(_text(ole, [], PR_BODY, page) or "", charset="utf-8")
    for storage in sorted({e[0] for e in ole.listdir(streams=True, storages=False) if len(e) > 1}):
        if not storage.startswith("__attach_version1.0_#"):
            continue
        data = _binary(ole, [storage], PR_ATTACH_DATA)
        if data is None:
            continue  # an embedded message or an OLE object: not a file
        filename = _text(ole, [storage], PR_ATTACH_LONG_FILENAME, page) or _text(
            ole, [storage], PR_ATTACH_FILENAME, page
        )
        kind, _encoding = mimetypes.guess_type(filename or "")
        maintype, _slash, subtype = (kind or "application/octet-stream").partition("/")
        msg.add_attachment(
            data, maintype=maintype, subtype=subtype, filename=filename or "attachment"
        )
    return msg.as_bytes()


def _one_line(value: str) -> str:
    return " ".join(value.replace("\x00", "").split())
