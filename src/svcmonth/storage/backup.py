"""Backups with SQLite's online backup API: a consistent copy while the file is in use."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _


def backup(conn: sqlite3.Connection, target: Path) -> int:
    """Copy the open database to ``target`` (owner-only, never over an existing file).

    Written to a temporary file beside the target and renamed into place, so a failed backup
    leaves nothing half-written. Returns the number of bytes written.
    """
    target = Path(target)
    if target.exists():
        raise SvcmonthError(_("{path} already exists; choose a new file").format(path=target))
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise SvcmonthError(
            _("cannot write {path}: {reason}").format(path=target, reason=exc.strerror)
        ) from None
    try:
        dest = sqlite3.connect(partial)
        try:
            conn.backup(dest, pages=1024)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target.stat().st_size
