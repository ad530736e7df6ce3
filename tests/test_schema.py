"""Schema upgrades: a file the first release wrote (schema version 1), with data, upgrades intact.

The file is rebuilt from ``tests/data/schema_v1.sql``, a dump the first release's own code
made; building it with today's code would only prove that today's code reads today's data.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from svcmonth import storage, timeutil
from svcmonth.storage.migrations import MIGRATIONS

T0 = datetime(2023, 7, 5, 1, 0, tzinfo=UTC)
V1_DUMP = Path(__file__).parent / "data" / "schema_v1.sql"


def _tables(conn: sqlite3.Connection, names: list[str]) -> dict[str, list[tuple]]:
    return {n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}


def _as_now_stored(row: tuple) -> tuple:
    """A row as m007 leaves it: every whole-second instant with ``.000000``."""
    return tuple(
        v[:19] + ".000000Z"
        if isinstance(v, str) and len(v) == 20 and v[10] == "T" and v.endswith("Z")
        else v
        for v in row
    )


def test_a_version_1_database_with_data_upgrades_without_loss(tmp_path, svc):
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript(V1_DUMP.read_text(encoding="utf-8"))
    conn.execute("PRAGMA user_version = 1")
    v1_tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    before = _tables(conn, v1_tables)
    assert before["submission"] and before["adoption"]
    conn.close()

    upgraded = storage.connect(path)  # migrates forward on open
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    after = _tables(upgraded, v1_tables)
    upgraded.close()
    for name in v1_tables:
        # every row is still there; a migration may only add columns at the end
        # and every instant keeps its value, now with its fraction (m007)
        assert [
            row[: len(before[name][0])] if before[name] else row for row in after[name]
        ] == sorted((_as_now_stored(r) for r in before[name]), key=repr), name

    svc.db = path
    rows = svc.json("submission", "list")
    assert [(r["title"], r["author"], r["points"], r["on_time"]) for r in rows] == [
        ("网点服务", "王丽", 6, True),
        ("第一周", "王丽", 2, True),
    ]


def test_m007_widens_every_stored_instant_and_its_width_check_whatever_the_table(tmp_path):
    """Tables of other migrations (mail intake, survey) check the old width too: m007 finds
    them by shape, so every instant in the file has the new width and the checks follow."""
    from svcmonth.storage.migrations import m007_instant_fractions

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
        m007_instant_fractions(conn)
    assert conn.execute("SELECT * FROM intake").fetchall() == [
        (1, "2023-07-17T04:00:00.000000Z", "2023-07-17T04:00:00")  # not an instant: as it was
    ]
    assert conn.execute("SELECT * FROM answer").fetchone() == ("2023-07-17T04:00:00.000000Z",)
    conn.execute("INSERT INTO intake VALUES (2, ?, '')", (timeutil.to_db(T0),))
    conn.execute("INSERT INTO answer VALUES (?)", (timeutil.to_db(T0),))
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
