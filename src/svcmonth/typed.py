"""Input as Chinese users type it (README.zh-CN.md): times and phone numbers.

Times are *normalised* here, then read by ``timeutil`` as before: full-width digits and
punctuation (``９：４０``), ``2023年7月17日``, ``9时40分``/``9点40``, ``上午``/``下午``
(``下午2:05`` is 14:05), and a date without a year (``7月17日 9:40``), which takes the year
given by the caller (the campaign in question's, else the current one). A text in none of
these forms is passed on unchanged, so ``timeutil`` reads (or refuses) it exactly as before.

Phone numbers: mobiles (``13904710007``, ``+86 139 0471 0007``), landlines with an area code
and an optional extension (``0471-6900000``, ``(0471)6900000``, ``0471-6900000转8001``),
400/800 service numbers. ``123`` or a ten-digit mobile is refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from svcmonth import timeutil
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _

_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "：": ":",
        "／": "/",
        "－": "-",
        "．": ".",
        "　": " ",
        "＋": "+",
        "（": "(",
        "）": ")",
        "，": ",",
    }
)
_CHINESE_MARKS = set("年月日号时点分秒午早晚凌")
_YEARLESS = re.compile(r"^\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)")
_FORM = re.compile(
    r"^\s*(?:(?P<y>\d{4})\s*(?:年|[-/.])\s*)?"
    r"(?P<m>\d{1,2})\s*(?:月|[-/.])\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*(?:T|\s)?\s*(?P<ampm>上午|下午|早上|中午|晚上|凌晨)?\s*"
    r"(?P<h>\d{1,2})\s*(?:[:时点])\s*(?:(?P<mi>\d{1,2})\s*分?)?"
    r"(?:\s*(?::|分)?\s*(?P<s>\d{1,2})\s*秒?)?)?"
    r"\s*(?P<off>Z|z|[+-]\d{2}:?\d{2})?\s*$"
)


def normalize_time(text: str, year: int | None = None) -> str:
    """``text`` in the form ``timeutil`` reads (``2023-07-17 14:05``), or unchanged."""
    if text and text.isascii() and not _YEARLESS.match(text):
        return text  # 2023-07-17 14:05 as typed: nothing Chinese or full-width to fold
    folded = (text or "").translate(_FULL_WIDTH)
    if not (
        folded != text
        or not _CHINESE_MARKS.isdisjoint(folded)
        or _YEARLESS.match(folded)
        or "上午" in folded
    ):
        return text
    m = _FORM.match(folded)
    if not m:
        return folded
    y = int(m["y"]) if m["y"] else year
    if y is None:
        return folded
    out = f"{y:04d}-{int(m['m']):02d}-{int(m['d']):02d}"
    if m["h"] is not None:
        hour = int(m["h"])
        if m["ampm"] in ("下午", "晚上") and hour < 12:
            hour += 12
        elif m["ampm"] == "中午" and hour < 11:
            hour += 12
        elif m["ampm"] in ("上午", "早上", "凌晨") and hour == 12:
            hour = 0
        out += f" {hour:02d}:{int(m['mi'] or 0):02d}"
        if m["s"]:
            out += f":{int(m['s']):02d}"
    elif m["ampm"]:
        return folded
    return out + (m["off"] or "")


def parse_instant(text: str, tz: ZoneInfo, year: int | None = None) -> datetime:
    """An instant as a Chinese user types it (see the module docstring), in ``tz``."""
    normal = normalize_time(text, year)
    try:
        return timeutil.parse_instant(normal, tz)
    except SvcmonthError:
        if normal == text:
            raise
        raise SvcmonthError(
            _(
                "{text!r} is not a date and time (e.g. 2023-07-17 09:40, 2023年7月17日 9:40, "
                "7月17日 下午2:05)"
            ).format(text=text)
        ) from None


def parse_date(text: str, year: int | None = None) -> date:
    """A day as a Chinese user types it (``2023年7月17日``, ``7月17日``, ``２０２３-０７-１７``)."""
    normal = normalize_time(text, year)
    try:
        return timeutil.parse_date(normal)
    except SvcmonthError:
        if normal == text:
            raise
        raise SvcmonthError(
            _("{text!r} is not a date (e.g. 2023-07-17 or 2023年7月17日)").format(text=text)
        ) from None


_MOBILE = re.compile(r"^(?:\+?86|0086)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(?:(?:\+?86|0086)[1-9]\d{1,2}|0[1-9]\d{1,2})[2-9]\d{6,7}(?:转\d{1,6})?$")
_SERVICE = re.compile(r"^[48]00\d{7}$")
_SEPARATORS = re.compile(r"[\s\-()]")
_EXTENSION = re.compile(r"(?:转|ext\.?|x|分机)\s*(\d{1,6})$", re.IGNORECASE)


def check_phone(text: str) -> str:
    """A phone number as typed (trimmed), or an error saying which forms are accepted."""
    shown = " ".join((text or "").translate(_FULL_WIDTH).split())
    digits = _EXTENSION.sub(r"转\1", shown)
    digits = _SEPARATORS.sub("", digits)
    if _MOBILE.match(digits) or _LANDLINE.match(digits) or _SERVICE.match(digits):
        return shown
    raise SvcmonthError(
        _(
            "{phone!r} is not a phone number (a mobile such as 13904710007, a landline with "
            "its area code such as 0471-6900000 or 0471-6900000转8001, or a 400/800 number)"
        ).format(phone=text)
    )
