"""Imports and grading at bulk speed (issue 15): a large load drops the table's indexes and
builds them again in the same transaction, and the planner's statistics follow every load
or grading pass that changes a table's size by more than a tenth."""

from __future__ import annotations

import sqlite3

from svcmonth import storage


def _csv(path, n: int, bad_last: bool = False, tag: str = "") -> None:
    lines = ["member,column,title,submitted_at,week"]
    for i in range(n):
        week = "" if i % 3 else str(1 + i % 5)
        column = "先进事迹" if i % 3 else "活动扫描"
        member = ("ICBC", "ABC", "BOC")[i % 3]
        lines.append(f"{member},{column},标题{tag}{i},2023-07-{12 + i % 20} 09:00,{week}")
    if bad_last:
        lines.append("NOPE,先进事迹,标题,2023-07-12 09:00,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _indexes(db) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def _stat_rows(db, table: str) -> int | None:
    conn = sqlite3.connect(db)
    try:
        # the table's rows: the largest index's first figure (a partial index holds fewer)
        row = conn.execute(
            "SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = ?", (table,)
        ).fetchone()
        return row[0]
    finally:
        conn.close()


def test_a_refused_large_import_leaves_the_indexes_and_the_database_unchanged(c2023, tmp_path):
    f = tmp_path / "s.csv"
    _csv(f, 300, bad_last=True)
    before, indexes = c2023.dump(), _indexes(c2023.db)
    err = c2023.fails("submission", "import", str(f))
    assert "1 bad row(s); nothing was imported" in err
    assert c2023.dump() == before
    assert _indexes(c2023.db) == indexes


def test_a_large_import_builds_the_same_indexes_again_and_fresh_statistics(c2023, tmp_path):
    indexes = _indexes(c2023.db)
    f = tmp_path / "s.csv"
    _csv(f, 300)
    c2023("submission", "import", str(f))
    assert _indexes(c2023.db) == indexes
    assert _stat_rows(c2023.db, "submission") == 300
    # a load small beside the table keeps its indexes, and its statistics when the size
    # moved less than a tenth
    _csv(f, 20, tag="b")  # titles of their own: a row logged already would be skipped
    c2023("submission", "import", str(f))
    assert _stat_rows(c2023.db, "submission") == 300
    _csv(f, 40, tag="c")
    c2023("submission", "import", str(f))
    assert _stat_rows(c2023.db, "submission") == 360
    conn = storage.connect(c2023.db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_grade_auto_is_one_pass_and_refreshes_the_audit_trails_statistics(c2023, tmp_path):
    f = tmp_path / "s.csv"
    _csv(f, 300)
    c2023("submission", "import", str(f))
    c2023("grade", "auto")
    conn = sqlite3.connect(c2023.db)
    total = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    conn.close()
    assert _stat_rows(c2023.db, "audit_log") == total > 300
    rows = c2023.json("submission", "list")
    assert {r["status"] for r in rows} == {"graded"}
    conn = sqlite3.connect(c2023.db)
    try:
        assert conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'grade_auto'"
        ).fetchone() == (300,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
