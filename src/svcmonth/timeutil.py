"""Dates and instants: parsing what people type, storing UTC, showing local time.

Instants are stored as fixed-width UTC text, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, so that SQL
compares them as strings in time order. They keep their fraction (to the microsecond; digits
beyond are dropped, on both sides of every comparison alike): an extension to 12:00:00.900
is that, and a report at 12:00:00.5 is on time for it. A whole-second instant is shown as
before (``…T12:00:00+08:00``), one with a fraction with its microseconds.

Accepted input: ``parse_instant`` and ``parse_date`` are the one parser of every option,
file column and setting that takes a time or a day (SPEC "Input as Chinese users type it"):
- ``2023-07-17 11:59``, ``2023-07-17T11:59:59``, ``2023/7/17 11:59`` (what Excel writes):
  local time in the campaign's zone;
- the same with an offset or ``Z`` (``2023-07-17T11:59:00+08:00``): that instant;
- a date alone (``2023-07-17``): 00:00 local on that day;
- as a Chinese user types it: full-width digits and punctuation (``９：４０``),
  ``2023年7月17日``, ``9时40分``/``9点40``, ``上午``/``下午`` (``下午2:05`` is 14:05), and a
  date without a year (``7月17日 9:40``), which takes the ``year`` the caller gives (the
  campaign in question's, else the current one). These are first *normalised* to the form
  above (``normalize_time``); a text in none of them is read (or refused) as typed.
A local time that a daylight-saving change makes ambiguous or impossible is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.text import FULL_WIDTH

MIN_YEAR, MAX_YEAR = 1900, 2999


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise SvcmonthError(
            _("{text!r} is out of range (years {lo}-{hi})").format(
                text=text, lo=MIN_YEAR, hi=MAX_YEAR
            )
        )


_DATE_RE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")
_INSTANT_RE = re.compile(
    r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})?\s*$"
)
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``, or a clear error."""
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SvcmonthError(
            _("unknown time zone {name!r} (for example Asia/Shanghai)").format(name=name)
        ) from None


def _parse_plain_date(text: str) -> date:
    """A calendar day typed as ``2023-07-11`` or ``2023/7/11``."""
    m = _DATE_RE.match(text or "")
    if not m:
        raise SvcmonthError(_("{text!r} is not a date (expected YYYY-MM-DD)").format(text=text))
    _check_year(int(m[1]), text)
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise SvcmonthError(_("{text!r} is not a real date").format(text=text)) from None


def parse_time_of_day(text: str) -> time:
    """A wall-clock time typed as ``12:00`` or ``12:00:00`` (full-width ``１２：００`` too)."""
    m = _TIME_RE.match((text or "").translate(FULL_WIDTH))
    try:
        if not m:
            raise ValueError
        return time(int(m[1]), int(m[2]), int(m[3] or 0))
    except ValueError:
        raise SvcmonthError(
            _("{text!r} is not a time of day (expected HH:MM)").format(text=text)
        ) from None


def local_to_utc(naive: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in ``tz``; refuses ambiguous or skipped times."""
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    instant = first.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != naive:
        # skipped (clocks go forward): zoneinfo would read it with the old offset, i.e. as a
        # time an hour later; say so, with the times on either side of the jump
        before, after = _gap(naive, tz)
        raise SvcmonthError(
            _(
                "{when} does not exist in {tz}: the clocks jump from {before} to {after}; "
                "give a time outside the jump, e.g. {example}"
            ).format(
                when=naive.isoformat(sep=" ", timespec="minutes" if not naive.second else "auto"),
                tz=tz.key,
                before=before.strftime("%H:%M"),
                after=after.strftime("%H:%M"),
                example=after.isoformat(sep=" ", timespec="minutes"),
            )
        )
    if first.utcoffset() != second.utcoffset():
        raise SvcmonthError(
            _(
                "{when} happens twice in {tz} (clocks go back); give the offset, e.g. {example}"
            ).format(
                when=naive.isoformat(sep=" "),
                tz=tz.key,
                example=first.isoformat(timespec="minutes"),
            )
        )
    return instant


def _gap(naive: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The local wall-clock times just before and after the forward jump that skips ``naive``:
    ``(02:00, 03:00)`` for Berlin's last Sunday of March."""
    early = naive.replace(tzinfo=tz, fold=0).utcoffset() or timedelta(0)
    late = naive.replace(tzinfo=tz, fold=1).utcoffset() or timedelta(0)
    lo = (naive - max(early, late)).replace(tzinfo=UTC)  # before the jump
    hi = (naive - min(early, late)).replace(tzinfo=UTC)  # after it
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
            lo = mid
        else:
            hi = mid
    jump = hi.replace(microsecond=0)  # the first instant with the new offset, to the second
    if jump.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
        jump += timedelta(seconds=1)
    start = (jump + (lo.astimezone(tz).utcoffset() or timedelta(0))).replace(tzinfo=None)
    end = jump.astimezone(tz).replace(tzinfo=None)
    return start, end


def _parse_plain_instant(text: str, tz: ZoneInfo) -> datetime:
    """An instant typed in the plain form: with an offset as given, without one in ``tz``."""
    if text and len(text) in (19, 25) and text[10] in "T ":
        exact = _parse_exact_iso(text, tz)
        if exact is not None:
            return exact
    m = _INSTANT_RE.match(text or "")
    if not m:
        raise SvcmonthError(
            _("{text!r} is not a date and time (expected YYYY-MM-DD HH:MM)").format(text=text)
        )
    year, month, day, hour, minute, second, frac, offset = m.groups()
    _check_year(int(year), text)
    micro = int((frac or "").ljust(6, "0")[:6])
    try:
        naive = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
        )
    except ValueError:
        raise SvcmonthError(_("{text!r} is not a real date and time").format(text=text)) from None
    if offset is None:
        return local_to_utc(naive, tz)
    if offset in ("Z", "z"):
        return naive.replace(tzinfo=UTC)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise SvcmonthError(_("{text!r} has an impossible UTC offset").format(text=text))
    delta = sign * timedelta(hours=hours, minutes=minutes)
    return naive.replace(tzinfo=timezone(delta)).astimezone(UTC)


def _parse_exact_iso(text: str, tz: ZoneInfo) -> datetime | None:
    """The exact ISO forms ``2023-07-17T11:59:00+08:00`` (what ``submission list`` exports) and
    ``2023-07-17 11:59:00``, read by ``datetime.fromisoformat`` (3x faster for an import);
    ``None`` for any other text, which ``_parse_plain_instant`` reads the general way. Only a text
    that is exactly how the parsed value prints takes this path, so both ways agree."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.isoformat(sep=text[10]) != text or not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    if value.tzinfo is None:
        return local_to_utc(value, tz)
    return value.astimezone(UTC)


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
    """``text`` in the plain form (``2023-07-17 14:05``) when typed the Chinese way (see the
    module docstring), else unchanged."""
    if text and text.isascii() and not _YEARLESS.match(text):
        return text  # 2023-07-17 14:05 as typed: nothing Chinese or full-width to fold
    folded = (text or "").translate(FULL_WIDTH)
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
    """An instant as a user types it (see the module docstring): with an offset as given,
    without one in ``tz``; a date without a year takes ``year``."""
    normal = normalize_time(text, year)
    try:
        return _parse_plain_instant(normal, tz)
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
    """A day as a user types it (``2023-07-17``, ``2023/7/17``, ``2023年7月17日``, ``7月17日``
    with ``year``, ``２０２３-０７-１７``)."""
    normal = normalize_time(text, year)
    try:
        return _parse_plain_date(normal)
    except SvcmonthError:
        if normal == text:
            raise
        raise SvcmonthError(
            _("{text!r} is not a date (e.g. 2023-07-17 or 2023年7月17日)").format(text=text)
        ) from None


STORED_WIDTH = 27  # len("2023-07-17T04:00:00.000000Z")
_last_stored: list[Any] = [None, ""]  # the last instant to_db wrote, and its text


def to_db(instant: datetime) -> str:
    """The stored form of an aware instant: fixed-width UTC text with microseconds."""
    last = _last_stored
    if instant is last[0]:  # an import asks for each row's instant two or three times
        return last[1]
    if instant.tzinfo is None:
        raise ValueError("naive datetime given where an instant is required")
    text = instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    last[0], last[1] = instant, text
    return text


def from_db(text: str) -> datetime:
    """An aware UTC instant from its stored form."""
    return datetime.fromisoformat(text)


def show(text: str | None, tz: ZoneInfo) -> str | None:
    """A stored instant shown in the campaign's zone with its offset, e.g. ``…T11:59:00+08:00``."""
    if text is None:
        return None
    local = datetime.fromisoformat(text).astimezone(tz)
    return local.isoformat(timespec="microseconds" if local.microsecond else "seconds")


def zone_label(tz: ZoneInfo) -> str:
    """How a message's reader names the campaign's zone: 北京时间 for Asia/Shanghai (and its
    aliases), else the zone's name (never a bare ``UTC+08:00``)."""
    if tz.key in ("Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"):
        return _("北京时间")
    return f"{tz.key} "  # the zone's name, apart from the date that follows


def shower(tz: ZoneInfo) -> Callable[[str | None], str | None]:
    """``show`` for many stored instants in one zone (a listing of a million rows, 2x faster):
    the zone's offset is looked up once for each UTC hour it does not change in."""
    hours: dict[str, tuple[timedelta, str] | None] = {}
    parse = datetime.fromisoformat

    def show_one(text: str | None) -> str | None:
        if text is None or len(text) != STORED_WIDTH or text[19:] != ".000000Z":
            return show(text, tz)  # a fraction (rare), or an older stored form
        hour = text[:13]
        if hour not in hours:
            first = parse(hour + ":00:00+00:00").astimezone(tz)
            last = parse(hour + ":59:59+00:00").astimezone(tz)
            delta = first.utcoffset()
            hours[hour] = (
                (delta, first.isoformat()[19:])
                if delta is not None and delta == last.utcoffset()
                else None  # the offset changes in this hour: each instant the exact way
            )
        offset = hours[hour]
        if offset is None:
            return show(text, tz)
        return (parse(text[:19]) + offset[0]).isoformat() + offset[1]

    return show_one


def minute(instant: datetime, tz: ZoneInfo) -> str:
    """An instant as people read it in a message: local time to the minute (2023-07-17 09:40),
    to the second when the seconds are not zero (2023-07-17 12:00:30)."""
    local = instant.astimezone(tz)
    if local.microsecond:
        return local.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0")
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``tz`` (the first instant of that day)."""
    naive = datetime.combine(day, time(0))
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).date() != day:  # midnight skipped by a DST change
        first = (naive + timedelta(hours=1)).replace(tzinfo=tz).astimezone(UTC)
    return first


def now_utc() -> datetime:
    """The wall clock; called only by the command layer, never by domain code."""
    return datetime.now(UTC).replace(microsecond=0)


MAX_SHOW_SEGMENTS = 64
MAX_SHOW_SPAN = timedelta(days=800)  # a campaign's instants span weeks, not years


def show_sql(column: str, tz: ZoneInfo, first: str, last: str) -> str | None:
    """``show`` as an SQL expression over the stored instants of ``column`` that lie in
    ``[first, last]`` (stored forms): the zone's offsets over that span as a ``CASE`` of
    constant-offset segments, each instant shifted by its segment's offset with the same
    suffix ``show`` writes (``+08:00``). None when the span is longer than
    ``MAX_SHOW_SPAN`` or has more than ``MAX_SHOW_SEGMENTS`` offsets (the caller then shows
    each instant in Python)."""
    start = from_db(first).replace(minute=0, second=0, microsecond=0)
    end = from_db(last)
    if end - start > MAX_SHOW_SPAN:
        return None

    def offset(at: datetime) -> tuple[int, str]:
        local = at.astimezone(tz)
        delta = local.utcoffset()
        assert delta is not None
        return int(delta.total_seconds()), local.isoformat(timespec="seconds")[19:]

    segments: list[tuple[datetime, tuple[int, str]]] = [(start, offset(start))]
    hour = start
    while hour <= end:
        nxt = hour + timedelta(hours=1)
        if offset(nxt) != segments[-1][1]:
            lo, hi = hour, nxt  # the change lies in (lo, hi]: to the second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if offset(mid) == segments[-1][1]:
                    lo = mid
                else:
                    hi = mid
            segments.append((hi, offset(hi)))
            if len(segments) > MAX_SHOW_SEGMENTS:
                return None
            continue  # the same hour again: it may hold a second change
        hour = nxt

    # the whole seconds are shifted (SQLite would round a fraction to milliseconds); the
    # stored fraction (``.123456``, offsets are whole seconds) is kept as ``show`` keeps it:
    # written when it is not zero
    fraction = (
        f"CASE substr({column}, 20, 7) WHEN '.000000' THEN '' ELSE substr({column}, 20, 7) END"
    )

    def shifted(seconds: int, suffix: str) -> str:
        return (
            f"strftime('%Y-%m-%dT%H:%M:%S', substr({column}, 1, 19), '{seconds:+d} seconds')"
            f" || {fraction} || '{suffix}'"
        )

    if len(segments) == 1:
        return shifted(*segments[0][1])
    arms = [
        f"WHEN {column} < '{to_db(segments[i + 1][0])}' THEN {shifted(*segments[i][1])}"
        for i in range(len(segments) - 1)
    ]
    return f"CASE {' '.join(arms)} ELSE {shifted(*segments[-1][1])} END"


# --- days and instants in messages: the one place they are written ---------------------------


def day_text(day: date | None, *, chinese: bool = False) -> str:
    """A calendar day as the interface language writes it: ``2023年8月20日`` (GB/T 9704: Arabic
    numerals), ``8/20/2023`` in English; "" for none. ``chinese``: in Chinese whatever the
    interface language (the mails and chat messages to the banks, written in Chinese)."""
    if day is None:
        return ""
    if chinese:
        return _("{year}年{month}月{day}日").format(year=day.year, month=day.month, day=day.day)
    return _("{month}/{day}/{year}").format(year=day.year, month=day.month, day=day.day)


def weekday_text(day: date) -> str:
    """``星期一`` … ``星期日``."""
    names = (
        _("星期一"),
        _("星期二"),
        _("星期三"),
        _("星期四"),
        _("星期五"),
        _("星期六"),
        _("星期日"),
    )
    return names[day.weekday()]


def moment_text(
    instant: datetime, tz: ZoneInfo, *, weekday: bool = False, seconds: bool = False
) -> str:
    """An instant in a mail to the banks, in the campaign's zone named as its readers name it
    (``zone_label``): ``北京时间2023年7月24日12:00``, with ``weekday``
    ``北京时间2023年7月24日(星期一)12:00``, with ``seconds`` ``…09:40:00``."""
    local = instant.astimezone(tz)
    fields = {
        "zone": zone_label(tz),
        "day": day_text(local.date(), chinese=True),
        "time": local.strftime("%H:%M:%S" if seconds else "%H:%M"),
    }
    if weekday:
        return _("{zone}{day}({weekday}){time}").format(
            weekday=weekday_text(local.date()), **fields
        )
    return _("{zone}{day}{time}").format(**fields)


def short_moment_text(instant: datetime, tz: ZoneInfo) -> str:
    """An instant in a mail's subject, in the campaign's zone: ``7月24日12:00``."""
    local = instant.astimezone(tz)
    return _("{month}月{day}日{time}").format(
        month=local.month, day=local.day, time=local.strftime("%H:%M")
    )


def local_text(instant: datetime, tz: ZoneInfo) -> str:
    """An instant in a document, in the campaign's zone and the interface language, its day
    written as ``day_text`` writes it: ``2023年8月20日10:00``, ``8/20/2023 10:00``."""
    local = instant.astimezone(tz)
    return _("{day} {time}").format(day=day_text(local.date()), time=local.strftime("%H:%M"))
