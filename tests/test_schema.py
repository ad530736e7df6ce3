"""Schema upgrades: a file the first release wrote (schema version 1), with data, upgrades intact.

The file is rebuilt from ``tests/data/schema_v1.sql``, a dump the first release's own code
made; building it with today's code would only prove that today's code reads today's data.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from svcmonth import storage
from svcmonth.migrations import MIGRATIONS

V1_DUMP = Path(__file__).parent / "data" / "schema_v1.sql"


def _tables(conn: sqlite3.Connection, names: list[str]) -> dict[str, list[tuple]]:
    return {n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}


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
        assert [
            row[: len(before[name][0])] if before[name] else row for row in after[name]
        ] == before[name], name

    svc.db = path
    rows = svc.json("submission", "list")
    assert [(r["title"], r["author"], r["points"], r["on_time"]) for r in rows] == [
        ("网点服务", "王丽", 6, True),
        ("第一周", "王丽", 2, True),
    ]
