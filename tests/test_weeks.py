"""The deadline engine (SPEC.md rule 4): weeks, Monday-noon deadlines, the default week."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svcmonth import timeutil
from svcmonth.errors import SvcmonthError
from svcmonth.weeks import campaign_weeks, default_report_week, parse_weekday

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_2023_week_table_of_the_spec(c2023):
    weeks = c2023.json("campaign", "show")["weeks"]
    assert weeks == [
        {
            "week": 1,
            "first_day": "2023-07-11",
            "last_day": "2023-07-16",
            "deadline": "2023-07-17T12:00:00+08:00",
        },
        {
            "week": 2,
            "first_day": "2023-07-17",
            "last_day": "2023-07-23",
            "deadline": "2023-07-24T12:00:00+08:00",
        },
        {
            "week": 3,
            "first_day": "2023-07-24",
            "last_day": "2023-07-30",
            "deadline": "2023-07-31T12:00:00+08:00",
        },
        {
            "week": 4,
            "first_day": "2023-07-31",
            "last_day": "2023-08-06",
            "deadline": "2023-08-07T12:00:00+08:00",
        },
        {
            "week": 5,
            "first_day": "2023-08-07",
            "last_day": "2023-08-11",
            "deadline": "2023-08-14T12:00:00+08:00",
        },
    ]


def test_one_second_before_noon_is_on_time_and_noon_is_late(c2023, submit):
    submit("ICBC", "活动扫描", "2023-07-17 11:59:59", "第一周")
    submit("ABC", "活动扫描", "2023-07-17 12:00:00", "第一周")
    rows = c2023.json("check", "deadlines", "--week", "1")
    assert [(r["member"], r["status"], r["submitted_at"]) for r in rows] == [
        ("ICBC", "on_time", "2023-07-17T11:59:59+08:00"),
        ("ABC", "late", "2023-07-17T12:00:00+08:00"),
        ("BOC", "missing", None),
    ]


def test_an_offset_names_the_instant_whatever_the_zone(c2023, submit):
    # 03:59:59Z is 11:59:59 in Shanghai: on time; 04:00Z is noon: late
    submit("ICBC", "活动扫描", "2023-07-17T03:59:59Z")
    submit("ABC", "活动扫描", "2023-07-17T12:00:00+08:00")
    rows = c2023.json("check", "deadlines", "--week", "1")
    assert [r["status"] for r in rows] == ["on_time", "late", "missing"]


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    length=st.integers(min_value=0, max_value=120),
    tz=st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"]),
)
def test_weeks_tile_the_campaign_monday_to_sunday(start, length, tz):
    zone = ZoneInfo(tz)
    end = start + timedelta(days=length)
    weeks = campaign_weeks(start, end, zone)
    assert weeks[0].first_day == start and weeks[-1].last_day == end
    for i, w in enumerate(weeks):
        assert w.number == i + 1
        assert w.first_day <= w.last_day
        assert w.first_day.weekday() == 0 or w.number == 1
        assert w.last_day.weekday() == 6 or w.number == len(weeks)
        assert (w.last_day - w.first_day).days <= 6
        if i:
            assert weeks[i - 1].last_day + timedelta(days=1) == w.first_day
        local = w.deadline.astimezone(zone)
        # the Monday after the calendar week, at noon local time
        assert local.weekday() == 0 and local.time() == time(12, 0)
        assert 0 < (local.date() - w.last_day).days <= 7
        assert w.ends <= w.deadline


@given(
    offset=st.integers(min_value=-3 * 86400, max_value=3 * 86400),
)
def test_the_deadline_is_a_strict_boundary_in_the_stored_form(offset):
    # the views compare stored instants as text: the stored form must keep their order
    weeks = campaign_weeks(date(2023, 7, 11), date(2023, 8, 11), SHANGHAI)
    deadline = weeks[0].deadline
    submitted = deadline + timedelta(seconds=offset)
    conn = sqlite3.connect(":memory:")
    (on_time,) = conn.execute(
        "SELECT ? < ?", (timeutil.to_db(submitted), timeutil.to_db(deadline))
    ).fetchone()
    assert bool(on_time) == (offset < 0)


def test_default_week_is_the_last_week_that_ended():
    weeks = campaign_weeks(date(2023, 7, 11), date(2023, 8, 11), SHANGHAI)

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(UTC)

    assert default_report_week(weeks, at("2023-07-12T10:00+08:00"), set()) == 1
    assert default_report_week(weeks, at("2023-07-16T23:59+08:00"), set()) == 1
    assert default_report_week(weeks, at("2023-07-17T00:00+08:00"), set()) == 1
    assert default_report_week(weeks, at("2023-07-24T09:00+08:00"), set()) == 2
    # week 2 already reported: an early report for the week in progress
    assert default_report_week(weeks, at("2023-07-24T09:00+08:00"), {2}) == 3
    assert default_report_week(weeks, at("2023-08-20T09:00+08:00"), set()) == 5
    with pytest.raises(SvcmonthError, match="give --week"):
        default_report_week(weeks, at("2023-08-20T09:00+08:00"), {5})


def test_weekday_names():
    assert parse_weekday("monday") == 0
    assert parse_weekday("Tue") == 1
    assert parse_weekday("7") == 6
    assert parse_weekday("周五") == 4
    with pytest.raises(SvcmonthError):
        parse_weekday("someday")


def test_a_tuesday_deadline_is_the_tuesday_after_the_week(svc):
    svc(
        "campaign",
        "new",
        "t",
        "--start",
        "2023-07-11",
        "--end",
        "2023-07-23",
        "--deadline-day",
        "tuesday",
        "--deadline-time",
        "09:30",
    )
    weeks = svc.json("campaign", "show")["weeks"]
    assert [w["deadline"] for w in weeks] == [
        "2023-07-18T09:30:00+08:00",
        "2023-07-25T09:30:00+08:00",
    ]
