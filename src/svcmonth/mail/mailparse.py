"""Reading one e-mail as Chinese mail really comes: headers, bodies, attachments, arrival time.

Nothing here touches the database. Decoding:

- **RFC 2047** encoded words (``=?gb2312?B?…?=``) in subjects, names and file names, in any
  charset; ``gb2312``/``gbk``/``cp936``/``euc-cn`` are decoded as **GB18030** (a superset:
  Chinese clients label GBK text ``gb2312`` and the strict codec would lose characters);
- **RFC 2231** parameters (``filename*=gbk''%C4%FA``), and **raw 8-bit** header bytes (some
  clients send GBK file names unencoded): UTF-8 when they are valid UTF-8, else GB18030;
- bodies in their declared charset (mapped the same way), else UTF-8, else GB18030.

**Arrival time**: the IMAP server's INTERNALDATE when given; else the topmost ``Received:``
header's date (added by the association's own server, the last hop); else ``Date:`` (the
sender's clock). ``arrival_source`` says which.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import email.utils
import hashlib
import quopri
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _

GB_ALIASES = {"gb2312", "gbk", "cp936", "euc-cn", "euccn", "x-gbk", "gb_2312-80", "x-euc-cn"}
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")
AUTO_SUBJECT = re.compile(
    r"^\s*(自动回复|自动答复|自动应答|auto(matic)?[ -]?repl(y|ied)|out of (the )?office|"
    r"undeliverable|undelivered mail|delivery status notification|退信|系统退信)",
    re.IGNORECASE,
)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")


class MailError(SvcmonthError):
    """A message that cannot be read as one (no headers, no time)."""


@dataclass
class Attachment:
    """One attached file as the message carries it (the name decoded, not yet made safe)."""

    name: str
    content_type: str
    data: bytes


@dataclass
class Parsed:
    """What svcmonth needs of one message."""

    key: str  # the Message-ID, else ``sha256:<hex>`` of the raw message
    message_id: str
    sender: str  # the address, lower case ("" when there is none)
    sender_name: str
    subject: str
    arrived_at: datetime  # aware, UTC
    arrival_source: str  # internaldate | received | date
    sent_at: datetime | None  # the Date: header (the sender's clock)
    body: str
    attachments: list[Attachment] = field(default_factory=list)
    auto: str = ""  # why it is an auto-reply or a bounce ("" when it is neither)
    seen_as: tuple[str, ...] = ()  # other keys the message may have been stored under


def charset_codec(charset: str | None) -> str | None:
    """The codec to decode a declared charset with (GB2312 and GBK as GB18030)."""
    if not charset:
        return None
    name = charset.strip().strip('"').lower().split("*")[0]
    if name in GB_ALIASES:
        return "gb18030"
    return name


_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def clean_text(text: str, keep_lines: bool = False) -> str:
    """Text that mail brought, without control characters (terminal escapes, NUL, bidi
    overrides); with ``keep_lines`` line breaks stay (a body), else all whitespace is one
    space (a subject, a name)."""
    kept = "\n" if keep_lines else ""
    out = "".join(
        ch
        if ch in kept or (unicodedata.category(ch) != "Cc" and ch not in _BIDI)
        else (" " if ch in "\t\r\n" else "")
        for ch in text
    )
    return out if keep_lines else " ".join(out.split())


_SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """``text`` without lone surrogates (UTF-7 ``+2DQ-`` decodes to one; nothing can store
    or print it): each becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in ``charset``; undeclared or wrong: UTF-8, else GB18030. Never a lone
    surrogate, never an error (``charset=undefined``, a codec that is not a text codec)."""
    codec = charset_codec(charset)
    if codec:
        try:
            text = data.decode(codec)
            if isinstance(text, str):
                return no_surrogates(text)
        except (LookupError, UnicodeError, ValueError, TypeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _raw(text: str) -> str:
    """A header value parsed from bytes: 8-bit bytes (kept as surrogates) decoded."""
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        return decode_bytes(text.encode("ascii", "surrogateescape"))
    return no_surrogates(text)


def _word(charset: str, encoding: str, payload: str) -> str:
    try:
        if encoding.lower() == "b":
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            data = quopri.decodestring(payload.replace("_", " ").encode("ascii"), header=False)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return payload
    return decode_bytes(data, charset)


def decode_header(value: object) -> str:
    """A header's text: encoded words decoded (GB2312 as GB18030), folding undone."""
    if value is None:
        return ""
    text = _raw(str(value))
    text = re.sub(r"\r?\n[ \t]+", " ", text)
    text = _BETWEEN_WORDS.sub(r"\1\2", text)  # whitespace between encoded words is dropped
    return _ENCODED_WORD.sub(lambda m: _word(m.group(1), m.group(2), m.group(3)), text).strip()


def raw_header(msg: Message, name: str) -> str | None:
    """A header's value as it came (8-bit bytes kept as surrogates), or None."""
    lowered = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lowered:
            return str(value)
    return None


def _param_name(part: Message) -> str:
    """An attachment's file name: RFC 2231, RFC 2047 or raw 8-bit, in ``filename`` or ``name``."""
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        raw = raw_header(part, header)
        if raw is None:
            continue
        holder = Message()  # the header with its 8-bit bytes decoded, parsed by the stdlib
        holder[header] = _raw(raw)
        value = holder.get_param(param, header=header)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text)
            charset, _lang, text = value
            try:
                data = str(text).encode("latin-1", "surrogateescape")
            except UnicodeEncodeError:  # raw UTF-8 in the name (filename*=UTF-8''照片.jpg)
                return no_surrogates(str(text)).strip()
            return decode_bytes(data, charset or None).strip()
        return decode_header(email.utils.unquote(str(value)))
    return ""


def _time(value: object) -> datetime | None:
    """A header's date (``value`` may be a ``Header`` when it held 8-bit bytes:
    ``+0800 (中国标准时间)``), or None."""
    if not value:
        return None
    text = _raw(str(value))
    text = re.sub(r"\([^()]*\)", " ", text)  # comments: (中国标准时间), (CST)
    try:
        when = parsedate_to_datetime(" ".join(text.split()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000": the zone is unknown; RFC 5322 says UTC
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _received_time(msg: Message) -> datetime | None:
    """The date of the topmost ``Received:`` header (after its last ``;``)."""
    top = " ".join((raw_header(msg, "Received") or "").split())
    if ";" not in top:
        return None
    return _time(top.rsplit(";", 1)[1])


def _auto(msg: Message, sender: str, subject: str) -> str:
    """Why the message is an auto-reply or a bounce (a message id, translated where it is
    shown), or ""."""
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return N_("automatic reply")
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Reply"):
        if msg.get(name) is not None:
            return N_("automatic reply")
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence == "auto_reply":
        return N_("automatic reply")
    if precedence in ("bulk", "junk"):
        return N_("bulk mail")
    if msg.get_content_type() == "multipart/report":
        return N_("delivery report")
    local = sender.split("@")[0]
    if local in BOUNCE_SENDERS or str(msg.get("Return-Path", "")).strip() == "<>":
        return N_("bounced mail")
    if AUTO_SUBJECT.match(subject):
        return N_("automatic reply (by its subject)")
    return ""


def _is_attachment(part: Message) -> bool:
    if part.is_multipart() or part.get_content_type() == "message/rfc822":
        return False
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    return bool(_param_name(part)) and not part.get_content_type().startswith("text/")


def content_hash(raw: bytes) -> str:
    """``sha256:<hex>`` of a message with its line endings made LF (the same mail saved with
    CRLF as .eml and with LF in an mbox is one message), trailing blank lines dropped."""
    normal = raw.replace(b"\r\n", b"\n").rstrip(b"\n")
    return "sha256:" + hashlib.sha256(normal).hexdigest()


def content_keys(raw: bytes) -> tuple[str, str]:
    """The content hash, and the hash of the exact bytes (what was stored before line endings
    were normalised: a message read then is still seen as read)."""
    return content_hash(raw), "sha256:" + hashlib.sha256(raw).hexdigest()


def parse(raw: bytes, internaldate: datetime | None = None) -> Parsed:
    """One message from its bytes; ``internaldate`` is the IMAP server's arrival time.

    A message that cannot be read is a ``MailError`` whatever went wrong inside (hostile mail
    finds paths no test did): the caller keeps it as an ``unreadable`` entry."""
    try:
        return _parse(raw, internaldate)
    except MailError:
        raise
    except (RecursionError, MemoryError):
        raise MailError(_("the message is too deeply nested or too large to read")) from None
    except Exception as exc:  # noqa: BLE001 (any defect of the message makes it unreadable)
        raise MailError(
            _("the message cannot be read ({reason})").format(
                reason=no_surrogates(f"{type(exc).__name__}: {exc}")[:200]
            )
        ) from None


def _parse(raw: bytes, internaldate: datetime | None) -> Parsed:
    if not raw.strip():
        raise MailError(_("the message is empty"))
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not msg.keys() or (internaldate is None and not (msg.get("From") or msg.get("Subject"))):
        raise MailError(_("not an e-mail message (no From or Subject header)"))
    name, address = "", ""
    pairs = getaddresses([clean_text(decode_header(raw_header(msg, "From")))])
    found = [pair for pair in pairs if "@" in pair[1]] or pairs
    if found:
        name, address = found[0]
    address = address.strip().lower()
    if "@" not in address:
        address = ""
    subject = " ".join(decode_header(raw_header(msg, "Subject")).split())
    sent_at = _time(raw_header(msg, "Date"))
    if internaldate is not None:
        arrived, source = internaldate.astimezone(UTC), "internaldate"
    elif (received := _received_time(msg)) is not None:
        arrived, source = received, "received"
    elif sent_at is not None:
        arrived, source = sent_at, "date"
    else:
        raise MailError(_("the message says nowhere when it arrived (no Received or Date header)"))
    message_id = " ".join(decode_header(raw_header(msg, "Message-ID")).split())[:500]
    key = message_id or content_hash(raw)
    seen_as = () if message_id else content_keys(raw)[1:]
    body_parts: list[str] = []
    attachments: list[Attachment] = []
    for part in msg.walk():
        if _is_attachment(part):
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            attachments.append(Attachment(_param_name(part), part.get_content_type(), data))
        elif part.get_content_type() in ("text/plain", "text/html") and not body_parts:
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                text = decode_bytes(payload, part.get_content_charset())
                if part.get_content_type() == "text/html":
                    text = re.sub(r"<[^>]*>", " ", text)
                body_parts.append(text)
    return Parsed(
        key=key,
        message_id=message_id,
        sender=address,
        sender_name=clean_text(name),
        subject=clean_text(subject),
        arrived_at=arrived.replace(microsecond=0),
        arrival_source=source,
        sent_at=sent_at,
        body=clean_text("\n".join(body_parts), keep_lines=True).strip()[:20000],
        attachments=attachments,
        auto=_auto(msg, address, subject),
        seen_as=seen_as,
    )


# --- the subject: column, week, title ------------------------------------------------------

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_CN_DIGITS.update({"八": 8, "九": 9})
_WEEK = re.compile(r"第\s*([0-9０-９]+|[零一二两三四五六七八九十]+)\s*周")
_PREFIX = re.compile(r"^\s*(转发|转|fwd?|回复|答复|re|aw|sv)\s*[:：]\s*", re.IGNORECASE)
_TAG = re.compile(r"[【\[［]\s*([^】\]］]*?)\s*[】\]］]")


def chinese_number(text: str) -> int | None:
    """``12``, ``１２``, ``二``, ``十二``, ``二十``: the number, or None."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _sep, units = text.partition("十")
        t = _CN_DIGITS.get(tens, -1) if tens else 1
        u = _CN_DIGITS.get(units, -1) if units else 0
        return None if t < 0 or u < 0 else t * 10 + u
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


def subject_week(subject: str) -> int | None:
    """The week a subject names (``第2周``, ``第二周``), or None."""
    match = _WEEK.search(subject)
    return chinese_number(match.group(1)) if match else None


def strip_prefixes(subject: str) -> str:
    """The subject without ``转发:``/``Fwd:``/``回复:``/``Re:`` prefixes (ASCII or full-width)."""
    text = subject.strip()
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def subject_column(subject: str, columns: list[str], report_column: str | None) -> str | None:
    """The column a subject names: a tag (``【先进事迹】``, ``[活动扫描]``), a leading
    ``先进事迹：``, ``周报``/``第N周`` (the report column), or the one column name it holds."""
    text = strip_prefixes(subject)
    for tag in _TAG.findall(text):
        if tag in columns:
            return str(tag)
    for name in columns:
        if re.match(re.escape(name) + r"\s*[:：\-—]", text):
            return name
    if report_column and ("周报" in text or _WEEK.search(text)):
        return report_column
    inside = [name for name in columns if name in text]
    return inside[0] if len(inside) == 1 else None


def subject_title(subject: str, columns: list[str]) -> str:
    """The title: the subject without prefixes, tags and a leading ``栏目：``."""
    text = strip_prefixes(subject)
    text = _TAG.sub("", text).strip()
    text = strip_prefixes(text)
    for name in columns:
        text = re.sub("^" + re.escape(name) + r"\s*[:：\-—]\s*", "", text)
    return " ".join(text.split())
