"""Schema upgrades: a file made at the first schema version, with data, upgrades intact."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

from svcmonth import campaigns, grading, members, refdata, storage, submissions, timeutil
from svcmonth.migrations import MIGRATIONS

T0 = datetime(2023, 7, 5, 1, 0, tzinfo=UTC)


def _tables(conn: sqlite3.Connection, names: list[str]) -> dict[str, list[tuple]]:
    return {n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}


def _legacy_to_db(instant: datetime) -> str:
    """Instants as the first releases stored them: whole seconds, 20 characters."""
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _as_now_stored(row: tuple) -> tuple:
    """A row as m006 leaves it: every whole-second instant with ``.000000``."""
    return tuple(
        v[:19] + ".000000Z"
        if isinstance(v, str) and len(v) == 20 and v[10] == "T" and v.endswith("Z")
        else v
        for v in row
    )


def test_a_version_1_database_with_data_upgrades_without_loss(tmp_path, svc, monkeypatch):
    path = tmp_path / "v1.db"
    monkeypatch.setattr(timeutil, "to_db", _legacy_to_db)
    storage._create_private_file(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    storage.migrate(conn, 0, target=1)  # the schema as the first release shipped it
    with storage.transaction(conn):
        refdata.seed(conn, "2023-07-05T01:00:00Z")
        c = campaigns.create(conn, "2023服务月", date(2023, 7, 11), date(2023, 8, 11), T0)
        members.add(
            conn,
            "ICBC",
            {
                "name": "中国工商银行内蒙古分行",
                "officer": "王丽",
                "email": "wangli@icbc.example.cn",
            },
            T0,
        )
        a = submissions.submit(
            conn, c, "ICBC", "先进事迹", "网点服务", datetime(2023, 7, 12, 2, tzinfo=UTC), T0
        )
        submissions.submit(
            conn, c, "ICBC", "活动扫描", "第一周", datetime(2023, 7, 17, 3, 59, 59, tzinfo=UTC), T0
        )
        grading.adopt(conn, a, "中国银行业协会网站", date(2023, 7, 20), T0)
        grading.auto(conn, c, T0)
    v1_tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    before = _tables(conn, v1_tables)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    monkeypatch.undo()

    upgraded = storage.connect(path)  # migrates forward on open
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    after = _tables(upgraded, v1_tables)
    upgraded.close()
    for name in v1_tables:
        # every row is still there; a migration may only add columns at the end
        # and every instant keeps its value, now with its fraction (m006)
        assert [
            row[: len(before[name][0])] if before[name] else row for row in after[name]
        ] == sorted((_as_now_stored(r) for r in before[name]), key=repr), name

    svc.db = path
    rows = svc.json("submission", "list")
    assert [(r["title"], r["points"], r["on_time"]) for r in rows] == [
        ("网点服务", 6, True),
        ("第一周", 2, True),
    ]


def test_m006_widens_every_stored_instant_and_its_width_check_whatever_the_table(tmp_path):
    """Tables of other migrations (mail intake, survey) check the old width too: m006 finds
    them by shape, so every instant in the file has the new width and the checks follow."""
    from svcmonth.migrations import m006_instant_fractions

    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    conn.execute(
        "CREATE TABLE intake (id INTEGER PRIMARY KEY,"
        " arrived_at TEXT NOT NULL CHECK (length(arrived_at) = 20), note TEXT)"
    )
    conn.execute(
        "CREATE TABLE answer (submitted_at TEXT"
        " CHECK (submitted_at IS NULL OR submitted_at LIKE '____-__-__T__:__:__Z'))"
    )
    conn.execute("INSERT INTO intake VALUES (1, '2023-07-17T04:00:00Z', '2023-07-17T04:00:00')")
    conn.execute("INSERT INTO answer VALUES ('2023-07-17T04:00:00Z')")
    with storage.transaction(conn):
        m006_instant_fractions(conn)
    assert conn.execute("SELECT * FROM intake").fetchall() == [
        (1, "2023-07-17T04:00:00.000000Z", "2023-07-17T04:00:00")  # not an instant: as it was
    ]
    assert conn.execute("SELECT * FROM answer").fetchone() == ("2023-07-17T04:00:00.000000Z",)
    conn.execute("INSERT INTO intake VALUES (2, ?, '')", (timeutil.to_db(T0),))
    conn.execute("INSERT INTO answer VALUES (?)", (timeutil.to_db(T0),))
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
