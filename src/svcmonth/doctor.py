"""``svcmonth doctor``: is this database file healthy, private and current?

Checks integrity, foreign keys, the schema version, the SQLite version, the journal mode,
the file permissions (owner-only, the file holds officers' phone numbers), every attachment
the mail brought (there, with its recorded size and SHA-256) and which SMTP
settings are present. The SMTP password is reported as set or not, never shown.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from svcmonth import platform, reminders
from svcmonth.attachments import attachments_root, file_sha256
from svcmonth.i18n import _
from svcmonth.mail import receipts
from svcmonth.storage import SCHEMA_VERSION

SMTP_VARS = ("HOST", "PORT", "SECURITY", "USER", "FROM", "CAFILE", "TIMEOUT")


def _row(check: str, ok: bool, detail: str) -> dict[str, Any]:
    return {"check": check, "status": "ok" if ok else "problem", "detail": detail}


def diagnose(
    conn: sqlite3.Connection,
    path: Path,
    environ: Mapping[str, str],
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """One row per check: ``check, status`` (ok|problem), ``detail``; with ``now``, also the
    reminders a killed run left ``sending``."""
    rows = []
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    rows.append(
        _row(
            "integrity",
            integrity == ["ok"],
            _("ok") if integrity == ["ok"] else "; ".join(integrity[:5]),
        )
    )
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    rows.append(
        _row(
            "foreign_keys",
            not broken,
            _("{n} broken reference(s)").format(n=len(broken)) if broken else _("ok"),
        )
    )
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    rows.append(
        _row(
            "schema",
            version == SCHEMA_VERSION,
            _("version {v} (this program: {known})").format(v=version, known=SCHEMA_VERSION),
        )
    )
    lib = sqlite3.sqlite_version_info
    rows.append(
        _row(
            "sqlite",
            lib >= (3, 35, 0),
            _("SQLite {v} (needs 3.35 or newer)").format(v=sqlite3.sqlite_version),
        )
    )
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    rows.append(_row("journal_mode", mode == "wal", str(mode)))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if not file.exists():
            continue
        if not platform.permissions_enforced():  # Windows: the ACL decides, not the bits
            detail = _(
                "{name}: not checked (on Windows the folder's sharing and security settings "
                "decide who can read it)"
            ).format(name=file.name)
            rows.append(_row("permissions", True, detail))
            continue
        bits = stat.S_IMODE(file.stat().st_mode)
        private = bits & 0o077 == 0
        detail = f"{file.name}: {bits:04o}"
        if not private:
            detail += " " + _("(readable by others: chmod 600)")
        rows.append(_row("permissions", private, detail))
    if now is not None:  # claims a killed run left `sending` (sendonce)
        claims = reminders.stuck_claims(conn, now)
        rows.append(
            _row("reminders", not claims, reminders.describe_stuck(claims) if claims else _("none"))
        )
        stuck = receipts.stuck_receipts(conn, now)
        rows.append(
            _row("receipts", not stuck, receipts.describe_stuck(stuck) if stuck else _("none"))
        )
    rows.append(attachments_row(conn, path))
    present = [
        f"SVCMONTH_SMTP_{name}" for name in SMTP_VARS if environ.get(f"SVCMONTH_SMTP_{name}")
    ]
    password = _("set") if environ.get("SVCMONTH_SMTP_PASSWORD") else _("not set")
    detail = ", ".join(f"{v}={environ[v]}" for v in present) or _("no SMTP settings")
    rows.append(_row("smtp", True, f"{detail}; SVCMONTH_SMTP_PASSWORD {password}"))
    return rows


def attachments_row(conn: sqlite3.Connection, path: Path) -> dict[str, Any]:
    """Every attachment the mail intake recorded is in the ``attachments/`` folder beside the
    database with its recorded size and SHA-256; the missing and altered ones are named."""
    root = attachments_root(path)
    missing, altered, n = [], [], 0
    for rel, size, digest in conn.execute("SELECT path, size, sha256 FROM attachment ORDER BY id"):
        n += 1
        file = root / rel
        if not file.is_file():
            missing.append(rel)
        elif file.stat().st_size != size or _sha256(file) != digest:
            altered.append(rel)
    if not missing and not altered:
        return _row("attachments", True, _("{n} file(s) ok").format(n=n))
    parts = []
    if missing:
        parts.append(_("missing: {names}").format(names=_names(missing)))
    if altered:
        parts.append(_("changed since saved: {names}").format(names=_names(altered)))
    return _row("attachments", False, _("in {path}: ").format(path=root) + "; ".join(parts))


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += " " + _("(and {n} more)").format(n=len(names) - limit)
    return shown


def _sha256(file: Path) -> str:
    try:
        return file_sha256(file)
    except OSError:
        return ""


def problems(rows: list[dict[str, Any]]) -> int:
    return sum(r["status"] != "ok" for r in rows)
