"""Storage: creating, opening, migrating and refusing database files."""

from __future__ import annotations

import sqlite3
import stat

import sqlite_utils

from svcmonth import storage
from svcmonth.storage.migrations import MIGRATIONS


def test_init_creates_an_owner_only_file_and_init_again_changes_nothing(svc):
    mode = stat.S_IMODE(svc.db.stat().st_mode)
    assert mode == 0o600
    before = svc.dump()
    run = svc("init")
    assert "already exists; nothing changed" in run.err
    assert svc.dump() == before


def test_commands_refuse_a_missing_database_and_create_nothing(tmp_path, svc):
    missing = tmp_path / "nowhere.db"
    err = svc.fails("--db", str(missing), "member", "list")
    assert "no database at" in err and "svcmonth init" in err
    assert not missing.exists()
    err = svc.fails("member", "list", "--db", str(missing))
    assert not missing.exists()


def test_the_connection_is_wal_with_foreign_keys_and_a_busy_timeout(svc):
    conn = storage.connect(svc.db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10000
    conn.close()


def test_a_blank_database_migrates_to_the_current_schema(tmp_path):
    conn = storage.connect(tmp_path / "blank.db", create=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    db = sqlite_utils.Database(conn)
    assert set(db.table_names()) >= {
        "campaign",
        "campaign_points",
        "campaign_week",
        "column_def",
        "outlet",
        "campaign_doubling_outlet",
        "body",
        "member",
        "officer",
        "submission",
        "deadline_extension",
        "adoption",
        "forwarding",
        "reminder",
        "audit_log",
    }
    assert db["submission"].columns_dict == {
        "id": int,
        "campaign_id": int,
        "member_id": int,
        "column_name": str,
        "kind": str,
        "title": str,
        "submitted_at": str,
        "week": int,
        "author": str,
        "url": str,
        "grade": str,
        "manual_level": int,
        "reject_reason": str,
        "withdrawn_at": str,
        "logged_at": str,
        "withdraw_reason": str,
    }
    assert set(db.view_names()) == {"campaign_span", "officer_in_office", "submission_eval"}
    conn.close()


def test_a_file_from_a_newer_svcmonth_is_refused(svc):
    conn = sqlite3.connect(svc.db)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    err = svc.fails("member", "list")
    assert "newer svcmonth" in err


def test_a_file_that_is_not_a_database_is_refused(tmp_path, svc):
    bogus = tmp_path / "notes.db"
    bogus.write_text("这不是数据库\n" * 200, encoding="utf-8")
    err = svc.fails("--db", str(bogus), "member", "list")
    assert "not an svcmonth database" in err


def test_a_foreign_sqlite_database_is_refused(tmp_path, svc):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    err = svc.fails("--db", str(other), "member", "list")
    assert "not an svcmonth database" in err


def test_submissions_and_members_are_never_deleted(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    conn = storage.connect(c2023.db)
    for sql in (f"DELETE FROM submission WHERE id = {sid}", "DELETE FROM member"):
        try:
            conn.execute(sql)
        except sqlite3.IntegrityError as exc:
            assert "never deleted" in str(exc)
        else:
            raise AssertionError(sql)
    conn.close()
