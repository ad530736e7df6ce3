"""The export (``submission list --format csv``) streams SQLite's tuples (issue 15): the
same bytes as the dict-per-row renderer on hostile data, and local times computed in SQL
that are exactly ``timeutil.show`` in any zone, across DST changes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from svcmonth import campaigns, storage, submissions, timeutil
from svcmonth.cli.app import app
from svcmonth.output import render

NAME = "2023服务月"
HOSTILE = [
    "=SUM(A1:A9)",
    "+86 139",
    "-1",
    "@cmd",
    "\tTab",
    "'quoted",
    "''twice",
    'say "hi", then, go',
    "多行\n第二行",
    "\r开头",
    "逗号，引号“”",
    " lead space",
    "",
]


def _hostile_rows(db) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO outlet (name, doubling_default, description) VALUES ('=HYPER', 1, 'x')"
        )
        conn.execute("INSERT INTO campaign_doubling_outlet VALUES (1, '=HYPER')")
        for i, text in enumerate(HOSTILE):
            for kind, column, week in (("article", "先进事迹", None), ("report", "活动扫描", 2)):
                cur = conn.execute(
                    "INSERT INTO submission (campaign_id, member_id, column_name, kind, title,"
                    " submitted_at, week, author, url, grade, manual_level, withdrawn_at,"
                    " logged_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " '2023-08-01T00:00:00.000000Z')",
                    (
                        1 + i % 3,
                        column,
                        kind,
                        text or "空",
                        f"2023-07-{11 + i:02d}T0{i % 10}:30:15.{i * 37:06d}Z",
                        week,
                        text,
                        text,
                        ("pending", "rule", "manual", "rejected")[i % 4],
                        2 if i % 4 == 2 else None,
                        "2023-08-02T00:00:00.000000Z" if i % 5 == 0 else None,
                    ),
                )
                if i % 3 == 0:
                    for outlet in ("银行视窗", "=HYPER"):
                        conn.execute(
                            "INSERT INTO adoption (submission_id, outlet, adopted_on,"
                            " recorded_at)"
                            " VALUES (?, ?, '2023-08-01', '2023-08-01T00:00:00.000000Z')",
                            (cur.lastrowid, outlet),
                        )
    conn.close()


def _dict_path(db, path, **filters) -> bytes:
    """The export as the one renderer writes it from ``listing``'s dicts (before issue 15)."""
    conn = storage.connect(db)
    try:
        c = campaigns.load(conn, NAME)
        render.render(submissions.listing(conn, c, **filters), submissions.LIST, "csv", path)
    finally:
        conn.close()
    return path.read_bytes()


def test_the_export_writes_the_same_bytes_as_the_row_renderer_on_hostile_data(c2023, tmp_path):
    c2023("submit", "ICBC", "--column", "先进事迹", "--title", "=1+1", "--at", "2023-07-12 09:00")
    c2023("grade", "auto")
    _hostile_rows(c2023.db)
    for extra, filters in (
        ((), {}),
        (("--member", "ABC"), {"member": "ABC"}),
        (("--week", "2"), {"week": 2}),
        (("--pending",), {"pending": True}),
    ):
        out = tmp_path / "fast.csv"
        c2023("submission", "list", "--format", "csv", "--output", str(out), *extra)
        assert out.read_bytes() == _dict_path(c2023.db, tmp_path / "slow.csv", **filters)
    out = tmp_path / "gbk.csv"
    c2023("submission", "list", "--format", "csv", "--encoding", "gb18030", "--output", str(out))
    conn = storage.connect(c2023.db)
    try:
        c = campaigns.load(conn, NAME)
        render.render(
            submissions.listing(conn, c), submissions.LIST, "csv", tmp_path / "s.csv", "gb18030"
        )
    finally:
        conn.close()
    assert out.read_bytes() == (tmp_path / "s.csv").read_bytes()
    full = _dict_path(c2023.db, tmp_path / "full.csv")
    result = c2023.runner.invoke(
        app,
        ["--db", str(c2023.db), "submission", "list", "--format", "csv"],
        env={"SVCMONTH_NOW": c2023.now, "SVCMONTH_LANG": "en"},
    )
    assert result.stdout_bytes == full.removeprefix(b"\xef\xbb\xbf")  # stdout: no BOM
    assert b"'=HYPER" in full and b"'=SUM(A1:A9)" in full


def test_an_empty_campaign_exports_the_header_alone(c2023, tmp_path):
    out = tmp_path / "e.csv"
    c2023("submission", "list", "--format", "csv", "--output", str(out))
    assert out.read_bytes() == _dict_path(c2023.db, tmp_path / "slow.csv")


ZONES = ("Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC")
starts = st.datetimes(
    min_value=datetime(1890, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=80, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=starts,
    seconds=st.lists(st.integers(0, 400 * 86400), min_size=1, max_size=20),
)
def test_local_times_in_sql_are_show_in_every_zone(zone, start, seconds):
    tz = ZoneInfo(zone)
    texts = [timeutil.to_db(start + timedelta(seconds=s)) for s in seconds]
    expr = timeutil.show_sql("t", tz, min(texts), max(texts))
    if expr is None:  # too many offset changes over the span: the caller shows in Python
        return
    conn = sqlite3.connect(":memory:")
    for text in texts:
        assert conn.execute(f"SELECT {expr} FROM (SELECT ? AS t)", (text,)).fetchone()[0] == (
            timeutil.show(text, tz)
        ), (zone, text)


def test_local_times_in_sql_across_a_dst_change_to_the_second():
    tz = ZoneInfo("America/New_York")
    texts = [
        "2023-03-12T06:59:59.000000Z",
        "2023-03-12T07:00:00.000000Z",
        "2023-11-05T05:59:59.000000Z",
        "2023-11-05T06:00:00.000000Z",
        "2023-11-05T06:00:01.000000Z",
    ]
    expr = timeutil.show_sql("t", tz, min(texts), max(texts))
    assert expr is not None
    conn = sqlite3.connect(":memory:")
    got = [conn.execute(f"SELECT {expr} FROM (SELECT ? AS t)", (t,)).fetchone()[0] for t in texts]
    assert got == [timeutil.show(t, tz) for t in texts]
    assert got[1] == "2023-03-12T03:00:00-04:00" and got[3] == "2023-11-05T01:00:00-05:00"
