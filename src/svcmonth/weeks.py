"""The deadline engine: campaign weeks, their deadlines, and the week a report covers.

Pure functions of dates and instants; no database, no clock. The week rules
(docs/rules.md, "Weeks and deadlines"): calendar weeks Monday–Sunday clipped to the
campaign, week 1 starting on the first day;
each week's report is due on the deadline weekday after the calendar week (default the
Monday after), at the deadline time (default 12:00) in the campaign's zone. Submitted
strictly before the deadline is on time; at or after it is late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from svcmonth.defaults import CAMPAIGN as DEFAULTS
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.timeutil import local_midnight

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Week:
    """One campaign week: its days, the instant it ends, and its default deadline (UTC)."""

    number: int
    first_day: date
    last_day: date
    ends: datetime
    deadline: datetime


def parse_weekday(text: str) -> int:
    """A weekday typed as ``monday``, ``mon``, ``1`` (Monday) … ``7`` (Sunday), or 周一."""
    chinese = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
    t = (text or "").strip().lower()
    if t.isdigit() and 1 <= int(t) <= 7:
        return int(t) - 1
    for i, name in enumerate(WEEKDAYS):
        if len(t) >= 3 and name.startswith(t):
            return i
    for prefix in ("周", "星期", "礼拜"):
        if t.startswith(prefix) and t[len(prefix) :] in chinese:
            return chinese[t[len(prefix) :]]
    raise SvcmonthError(_("{text!r} is not a weekday (e.g. monday)").format(text=text))


def deadline_for(
    last_day: date,
    tz: ZoneInfo,
    weekday: int = DEFAULTS.deadline_weekday,
    at: time = DEFAULTS.deadline_time,
) -> datetime:
    """The default deadline of a week ending ``last_day``: ``weekday`` after its calendar week."""
    sunday = last_day + timedelta(days=6 - last_day.weekday())
    day = sunday + timedelta(days=weekday + 1)
    # zoneinfo's reading of a wall time that a DST change skips or repeats (fold=0):
    # deadlines are defaults the clerk can move, so no error here.
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def campaign_weeks(
    start: date,
    end: date,
    tz: ZoneInfo,
    weekday: int = DEFAULTS.deadline_weekday,
    at: time = DEFAULTS.deadline_time,
) -> list[Week]:
    """The campaign's weeks, clipped to ``start``..``end``, with their default deadlines."""
    if end < start:
        raise SvcmonthError(
            _("the campaign ends ({end}) before it starts ({start})").format(
                end=end.isoformat(), start=start.isoformat()
            )
        )
    weeks: list[Week] = []
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=6 - first.weekday()))
        weeks.append(
            Week(
                number=len(weeks) + 1,
                first_day=first,
                last_day=last,
                ends=local_midnight(last + timedelta(days=1), tz),
                deadline=deadline_for(last, tz, weekday, at),
            )
        )
        first = last + timedelta(days=1)
    return weeks


def last_ended(weeks: list[Week], instant: datetime) -> Week | None:
    """The last week that ended at ``instant`` (None while none has)."""
    ended = [w for w in weeks if w.ends <= instant]
    return ended[-1] if ended else None


def default_report_week(weeks: list[Week], submitted: datetime, already_reported: set[int]) -> int:
    """The week a report covers when the clerk does not say (docs/rules.md).

    The last week that ended before ``submitted``; if the member already has a report for
    it, the week in progress (an early report); week 1 if no week has ended yet.
    """
    last = last_ended(weeks, submitted)
    if last is None:
        return 1
    if last.number not in already_reported:
        return last.number
    following = [w for w in weeks if w.number == last.number + 1]
    if following:
        return following[0].number
    raise SvcmonthError(
        _(
            "this member already has a report for week {week}, the last week; "
            "give --week to log another"
        ).format(week=last.number)
    )
