"""Backups with SQLite's online backup API: a consistent copy while the file is in use, and
the mail's saved attachments (the ``attachments/`` folder beside the database) beside it."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from svcmonth.errors import SvcmonthError, reason
from svcmonth.i18n import _


@dataclass
class Backup:
    """What ``backup`` wrote: the copy, its size, and the attachments folder copied beside
    it (``None`` when the database has no attachments folder)."""

    path: Path
    size: int
    attachments: Path | None
    files: int


def attachments_copy(target: Path) -> Path:
    """Where the backup ``target`` keeps its attachments: ``FILE.attachments`` beside it."""
    return target.with_name(target.name + ".attachments")


def backup(conn: sqlite3.Connection, target: Path, attachments: Path | None = None) -> Backup:
    """Copy the open database to ``target`` (owner-only, never over an existing file), and
    the folder ``attachments`` (when given and present) to ``FILE.attachments`` beside it.

    The database is copied first (to a temporary file), then the attachments, which every
    row of the copy names, through the one folder writer (owner-only); the copy is renamed
    into place last, so a failed backup leaves neither half-written.
    """
    from svcmonth.output import outfile

    target = Path(target)
    if target.exists():
        raise SvcmonthError(_("{path} already exists; choose a new file").format(path=target))
    folder = attachments_copy(target)
    source = attachments if attachments is not None and attachments.is_dir() else None
    if source is not None and (folder.exists() or folder.is_symlink()):
        raise SvcmonthError(_("{path} already exists; choose a new file").format(path=folder))
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise SvcmonthError(
            _("cannot write {path}: {reason}").format(path=target, reason=reason(exc))
        ) from None
    files = 0
    try:
        dest = sqlite3.connect(partial)
        try:
            conn.backup(dest, pages=1024)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        if source is not None:
            copies = _files(source)
            outfile.write_folder(folder, {}, copies, writer="backup")
            files = len(copies)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Backup(target, target.stat().st_size, folder if source is not None else None, files)


def _files(root: Path) -> dict[str, Path]:
    """Every file under ``root`` by its ``/``-separated relative name (links not followed)."""
    found = {}
    for top, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(top) / name
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(root).as_posix()] = path
    return found
