"""``svcmonth doctor``: a healthy file passes; a problem is named and exits 1."""

from __future__ import annotations

import os


def test_a_healthy_database(svc):
    rows = svc.json("doctor")
    assert [r["check"] for r in rows][:5] == [
        "integrity",
        "foreign_keys",
        "schema",
        "sqlite",
        "journal_mode",
    ]
    assert {r["status"] for r in rows} == {"ok"}
    assert rows[4]["detail"] == "wal"


def test_a_file_readable_by_others_is_a_problem(svc):
    os.chmod(svc.db, 0o644)
    run = svc("doctor", "--format", "json", code=1)
    bad = [r for r in run.json() if r["status"] == "problem"]
    # SQLite gives the -wal and -shm files the database file's mode: all three are named
    assert bad == [
        {
            "check": "permissions",
            "status": "problem",
            "detail": f"{name}: 0644 (readable by others: chmod 600)",
        }
        for name in ("svc.db", "svc.db-wal", "svc.db-shm")
    ]
    assert run.err == "Error: 3 problem(s) found\n"


def test_smtp_settings_are_shown_but_never_the_password(svc, monkeypatch):
    monkeypatch.setenv("SVCMONTH_SMTP_HOST", "smtp.qq.com")
    monkeypatch.setenv("SVCMONTH_SMTP_PASSWORD", "授权码-secret-123")
    run = svc("doctor")
    assert "SVCMONTH_SMTP_HOST=smtp.qq.com" in run.out
    assert "SVCMONTH_SMTP_PASSWORD set" in run.out
    assert "secret" not in run.out + run.err
