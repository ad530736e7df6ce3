"""The attachment store: files kept under ``attachments/`` beside the database.

Every file a command keeps (a mail's attachments, an unreadable message's raw bytes, later
``submit --attach`` and bundles) goes through here: a name made safe (no path escape, no
control character, no Windows reserved name, no overwrite, at most ``MAX_NAME_BYTES``), an
owner-only file written once (never over another), and one ``attachment`` row with its size
and SHA-256.

**Transactions.** Files are first written into a *staging* folder named after the database
and the thing stored (``.incoming-<hash>``), then moved to their final folder (``<id>``, or
``<id>-n`` when another database beside this one has a folder of that name) just before the
database transaction commits; if the transaction fails, the staged or moved folders are
removed. A run killed before the commit leaves only a staging folder, which the rerun of the
same message empties and reuses: so a rerun neither leaves orphan folders nor moves the next
entry's files to ``<id>-1``.

Nothing here imports ``svcmonth.mail``: submissions, the website and intake all use it.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import shutil
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svcmonth import storage
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _

MAX_NAME_BYTES = 180  # well under every file system's 255, room for " (12)"
MAX_EXT_CHARS = 16
# names Windows refuses whatever follows the first dot (CON.tar.gz, nul.备份.jpg)
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"{p}{n}" for p in ("com", "lpt") for n in "123456789¹²³"}
)
STAGING_PREFIX = ".incoming-"


def attachments_root(db_path: Path) -> Path:
    """The folder beside the database that holds every saved attachment."""
    return Path(db_path).absolute().parent / "attachments"


def is_reserved(name: str) -> bool:
    """Whether Windows refuses ``name``: its part before the first dot (trailing dots and
    spaces ignored, any case) is a device name."""
    head = name.split(".", 1)[0].rstrip(" .").lower()
    return head in WINDOWS_RESERVED


def safe_name(name: str, content_type: str, used: set[str]) -> str:
    """A file name that cannot escape its folder, hold a control character, be refused by
    Windows, or overwrite a name in ``used`` (compared case-insensitively; the result is added)."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    text = text.replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = re.sub(r'[<>:"|?*]', "_", text)
    text = " ".join(text.split()).strip(". ")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    stem, ext = stem.rstrip(" ."), ext.strip(" .")
    if not ext and content_type not in ("", "application/octet-stream"):
        guessed = mimetypes.guess_extension(content_type or "") or ""
        ext = guessed.lstrip(".")
    if not stem.strip(". "):
        stem = "attachment"
    if is_reserved(stem):
        stem = "_" + stem
    ext = ext[:MAX_EXT_CHARS]

    def fits(s: str) -> str:
        while len((s + "." + ext).encode("utf-8")) > MAX_NAME_BYTES:
            s = s[:-1]
        return s.rstrip(" .") or "attachment"

    stem = fits(stem)
    candidate, n = (f"{stem}.{ext}" if ext else stem), 1
    while candidate.casefold() in used:
        n += 1
        base = fits(f"{stem} ({n})")
        if not base.endswith(f"({n})"):
            base = fits(stem[:-8]) + f" ({n})"
        candidate = f"{base}.{ext}" if ext else base
    used.add(candidate.casefold())
    return candidate


def write_private(path: Path, data: bytes) -> None:
    """Write a new owner-only file; never follows a link, never replaces a file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _database_file(conn: sqlite3.Connection) -> str:
    row = storage.named(conn.execute("PRAGMA database_list")).fetchone()
    return str(row["file"]) if row else ""


@dataclass
class Folder:
    """One owner's files being stored: staged, then moved to ``final`` before the commit."""

    staging: Path
    owner: str
    used: set[str] = field(default_factory=set)
    final: Path | None = None


@dataclass
class Store:
    """The files one database transaction keeps: ``publish()`` just before the commit,
    ``discard()`` when the transaction is rolled back."""

    root: Path
    folders: list[Folder] = field(default_factory=list)
    published: list[Path] = field(default_factory=list)

    def folder(self, conn: sqlite3.Connection, owner: str, key: str) -> Folder:
        """The staging folder of ``owner`` (the final folder's name: an intake entry's id),
        named after the database and ``key`` (what is stored: a message's key), emptied if a
        killed run left it."""
        for f in self.folders:
            if f.owner == owner:
                return f
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        digest = hashlib.sha256(f"{_database_file(conn)}\0{key}".encode()).hexdigest()[:24]
        staging = self.root / (STAGING_PREFIX + digest)
        if staging.is_symlink() or staging.is_file():
            staging.unlink()
        elif staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(mode=0o700)
        found = Folder(staging, owner)
        found.final = _final_folder(conn, self.root, owner)
        self.folders.append(found)
        return found

    def publish(self) -> None:
        """Move every staged folder to its final name (inside the transaction, before COMMIT)."""
        for f in self.folders:
            assert f.final is not None
            f.staging.rename(f.final)
            self.published.append(f.final)
        self.folders.clear()

    def drop(self, keep: int) -> None:
        """Forget (and remove) the folders staged after the first ``keep`` (a savepoint was
        rolled back)."""
        for f in self.folders[keep:]:
            shutil.rmtree(f.staging, ignore_errors=True)
        del self.folders[keep:]

    def done(self) -> None:
        """The transaction committed: nothing to undo."""
        self.folders.clear()
        self.published.clear()

    def discard(self) -> None:
        """The transaction was rolled back: remove what it staged or moved."""
        for f in self.folders:
            shutil.rmtree(f.staging, ignore_errors=True)
        for path in self.published:
            shutil.rmtree(path, ignore_errors=True)
        self.folders.clear()
        self.published.clear()


def _final_folder(conn: sqlite3.Connection, root: Path, owner: str) -> Path:
    """``<owner>``, or ``<owner>-n`` when that folder exists (another database's) or is named
    by a row already."""
    for n in range(0, 1000):
        name = str(owner) if n == 0 else f"{owner}-{n}"
        taken = conn.execute(
            "SELECT 1 FROM attachment WHERE path >= ? AND path < ? LIMIT 1",
            (name + "/", name + "0"),
        ).fetchone()
        if not taken and not (root / name).exists():
            return root / name
    raise SvcmonthError(
        _("cannot make a folder for the attachments under {root}").format(root=root)
    )


@dataclass(frozen=True)
class Record:
    """One stored file, as its ``attachment`` row says."""

    id: int
    file_name: str
    path: str  # relative to attachments/
    content_type: str
    size: int
    sha256: str


def save_file(
    conn: sqlite3.Connection,
    store: Store,
    owner: str,
    key: str,
    name: str,
    data: bytes,
    content_type: str = "application/octet-stream",
    *,
    intake_id: int | None = None,
    submission_id: int | None = None,
) -> Record:
    """Keep ``data`` (inside the caller's transaction) in the folder ``owner`` (``"12"`` for
    intake entry 12; ``key`` names what is stored, so a killed run's rerun reuses its staging
    folder): a safe name, owner-only, its size and SHA-256 recorded in one ``attachment`` row
    linked to ``intake_id`` and/or ``submission_id``. ``store.publish()`` before the commit."""
    folder = store.folder(conn, owner, key)
    assert folder.final is not None
    safe = safe_name(name, content_type, folder.used)
    write_private(folder.staging / safe, data)
    path = f"{folder.final.name}/{safe}"
    digest = hashlib.sha256(data).hexdigest()
    cur = conn.execute(
        "INSERT INTO attachment (intake_id, submission_id, file_name, path, content_type, size,"
        " sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (intake_id, submission_id, safe, path, content_type, len(data), digest),
    )
    assert cur.lastrowid is not None
    return Record(cur.lastrowid, safe, path, content_type, len(data), digest)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a stored file, as its ``attachment`` row records it (read in blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def attachments_of(conn: sqlite3.Connection, submission_id: int) -> list[dict[str, Any]]:
    """A submission's attachments: ``file_name, path`` (under ``attachments/``),
    ``content_type, size, sha256``."""
    return [
        dict(r)
        for r in storage.named(
            conn.execute(
                "SELECT file_name, path, content_type, size, sha256 FROM attachment"
                " WHERE submission_id = ? ORDER BY id",
                (submission_id,),
            )
        )
    ]
