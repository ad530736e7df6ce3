"""Storage: the one connection factory, transactions, and schema migration on open.

Every connection is opened the same way: WAL journal, a 15 s busy timeout, foreign keys
on, autocommit mode so that writes are explicit ``BEGIN IMMEDIATE`` transactions (a writer
takes the lock up front and waits for it, instead of failing half-way with "database is
locked"). New database files are created readable and writable by their owner only.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

from svcmonth.errors import DatabaseError, reason
from svcmonth.i18n import _
from svcmonth.storage.migrations import MIGRATIONS

BUSY_TIMEOUT_S = 15.0
SCHEMA_VERSION = len(MIGRATIONS)

# The SQL views, by name in creation order (a view may use the ones before it). Storage holds
# no rule: the domain module that defines them registers them (``svcmonth.rules`` does on
# import), and ``connect`` keeps the file's views equal to them. Until something registers
# views, the file's are left alone.
VIEWS: dict[str, str] = {}


def register_views(views: Mapping[str, str]) -> None:
    """Declare the views every connection keeps the file's views equal to."""
    VIEWS.update(views)


def connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open (or with ``create``, create) the database at ``path`` and migrate it forward."""
    path = Path(path)
    if create:
        if path.exists() or path.is_symlink():
            raise DatabaseError(_("{path} already exists").format(path=path))
        _create_private_file(path)
    else:
        refuse_unusable(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(_("cannot open {path}: {exc}").format(path=path, exc=exc)) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not create and (version == 0 or not _has_svcmonth_tables(conn)):
            raise DatabaseError(
                _(
                    "{path} is not an svcmonth database (an SQLite file of another program); "
                    "nothing was changed"
                ).format(path=path)
            )
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                _(
                    "{path} was written by a newer svcmonth (schema {found}; this program "
                    "knows up to {known}): upgrade svcmonth"
                ).format(path=path, found=version, known=SCHEMA_VERSION)
            )
        if version < SCHEMA_VERSION:
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn, version)
        if VIEWS and not views_current(conn):
            refresh_views(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        reason = describe_sqlite_error(exc)
        if not _writable(path):
            reason = _(
                "the file or its folder is read-only (svcmonth writes the file and its "
                "-wal and -shm files beside it)"
            )
        raise DatabaseError(_("cannot use {path}: {exc}").format(path=path, exc=reason)) from None
    except BaseException:
        conn.close()
        raise
    return conn


SQLITE_MAGIC = b"SQLite format 3\x00"


def named(cursor: sqlite3.Cursor) -> sqlite3.Cursor:
    """The cursor's rows as ``sqlite3.Row``, read by column name (``r["title"]``) so that a
    column added to the SELECT cannot shift them; the connection's rows stay tuples."""
    cursor.row_factory = sqlite3.Row
    return cursor


def refuse_unusable(path: Path) -> None:
    """One clear ``DatabaseError`` for a path that cannot be an svcmonth database, before
    SQLite opens it (SQLite would turn an empty file into a half-made database and report a
    folder or another program's file in its own words): missing, a folder, an empty file, a
    file that is not SQLite at all."""
    if path.is_dir():
        raise DatabaseError(
            _("{path} is a folder, not a database file; give --db a file such as {example}").format(
                path=path, example=path / "svcmonth.db"
            )
        )
    if not path.exists():
        raise DatabaseError(
            _("no database at {path}; create one with `svcmonth init` or give --db").format(
                path=path
            )
        )
    if not path.is_file():
        raise DatabaseError(_("{path} is not a regular file").format(path=path))
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseError(
            _("cannot read {path}: {reason}").format(path=path, reason=reason(exc))
        ) from None
    if not head:
        raise DatabaseError(
            _(
                "{path} is empty (0 bytes), not an svcmonth database; nothing was changed "
                "(move it away, then `svcmonth init` creates a new one)"
            ).format(path=path)
        )
    if head != SQLITE_MAGIC:
        raise DatabaseError(
            _(
                "{path} is not an svcmonth database (not an SQLite file); nothing was changed"
            ).format(path=path)
        )


def refuse_foreign(path: Path) -> None:
    """``refuse_unusable``, then: ``DatabaseError`` unless the file holds svcmonth's tables.
    Read without changing anything (``immutable``: no lock, no -wal or -shm made), for
    ``init``, which must not migrate an existing file by opening it."""
    refuse_unusable(path)
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            ours = _has_svcmonth_tables(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        ours = False
    if not ours:
        raise DatabaseError(
            _(
                "{path} is not an svcmonth database (an SQLite file of another program); "
                "nothing was changed"
            ).format(path=path)
        )


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent or Path("."), os.W_OK)


SVCMONTH_TABLES = ("campaign", "member", "submission", "column_def", "audit_log")


def _has_svcmonth_tables(conn: sqlite3.Connection) -> bool:
    """Whether the file holds the tables of the first migration (a user_version alone is also
    set by other programs)."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return all(t in names for t in SVCMONTH_TABLES)


def _create_private_file(path: Path) -> None:
    """Create an empty file mode 0600 (SQLite gives its -wal/-shm files the same mode)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise DatabaseError(
            _("cannot create {path}: {reason}").format(path=path, reason=reason(exc))
        ) from None
    os.close(fd)


def migrate(conn: sqlite3.Connection, current: int, target: int = SCHEMA_VERSION) -> None:
    """Apply migrations ``current+1 .. target``, each in its own transaction."""
    for number in range(current + 1, target + 1):
        with transaction(conn):
            if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                continue  # another process migrated while we waited for the lock
            MIGRATIONS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")


def _normal(sql: str) -> str:
    return " ".join(sql.split())


def views_current(conn: sqlite3.Connection) -> bool:
    """Whether the file holds exactly the registered views."""
    stored = {
        name: _normal(sql)
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'")
    }
    return stored == {name: _normal(sql) for name, sql in VIEWS.items()}


def refresh_views(conn: sqlite3.Connection) -> None:
    """Drop every view and create the registered ones (one transaction; a no-op when another
    process did it while this one waited for the lock)."""
    with transaction(conn):
        if views_current(conn):
            return
        existing = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")
        ]
        for name in existing:
            conn.execute(f'DROP VIEW "{name}"')
        for sql in VIEWS.values():
            conn.execute(sql)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        # SQLite may already have rolled back (a full disk, an I/O error): ROLLBACK would
        # then fail and hide the real error
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


@contextlib.contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction (a consistent view across queries), unless one is already open."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def describe_sqlite_error(exc: sqlite3.Error) -> str:
    """A sentence for the user from an SQLite error (full disk, read-only, not a database)."""
    text = str(exc)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered:
        return _("the file is not an svcmonth database (or it is damaged)")
    if "readonly" in lowered or "read-only" in lowered:
        return _("the database file is read-only")
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return _("the disk is full; nothing was written")
    if "locked" in lowered or "busy" in lowered:
        return _("the database is busy (another svcmonth is writing); try again")
    if "foreign key constraint" in lowered:  # a domain check missed it: still words
        return _("the record is still used by other records; remove those first")
    if "unique constraint" in lowered:
        return _("the same record is already there; nothing was changed")
    if "constraint" in lowered:  # CHECK, NOT NULL
        return _("a value the database does not accept; nothing was changed")
    return text


# --- bulk loads and the planner's statistics ------------------------------------------------

BULK_CACHE_KIB = 256 * 1024  # the page cache of a bulk load: an index of a million rows fits
STALE_FRACTION = 0.1  # statistics are refreshed when a table's size moved more than this
ANALYSIS_LIMIT = 1000  # rows ANALYZE samples per index: quick, and enough for the planner


def count_rows(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608


@contextlib.contextmanager
def bulk_load(conn: sqlite3.Connection, table: str, incoming: int) -> Iterator[None]:
    """A load (or an update) of about ``incoming`` rows of ``table``, inside the caller's
    transaction: a large page cache while it runs and, when those rows are at least half as
    many as the table holds, the table's indexes dropped first and built again at the end
    (one sort each, instead of a random B-tree change per row and index). The same
    transaction holds it all: a refused load rolls back to the same indexes. The planner's
    statistics are refreshed after (``refresh_statistics``)."""
    old_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    before = count_rows(conn, table)
    indexes: list[tuple[str, str]] = []
    if incoming > 0 and 2 * incoming >= before:
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL ORDER BY name",
            (table,),
        ).fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
    try:
        yield
        for _name, sql in indexes:
            conn.execute(sql)
        refresh_statistics(conn, table)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(old_cache)}")


def refresh_statistics(conn: sqlite3.Connection, table: str) -> bool:
    """``ANALYZE`` ``table`` (sampled) when it has rows and no statistics, or its size moved
    more than ``STALE_FRACTION`` since they were taken: the planner's statistics never go
    stale in a user's file. Returns whether it analysed."""
    now = count_rows(conn, table)
    stat = None
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        # the table's rows: the largest index's first figure (a partial index holds fewer)
        row = conn.execute(
            "SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = ?", (table,)
        ).fetchone()
        stat = row[0]
    if stat is None and now == 0:
        return False
    if stat is not None and abs(now - stat) <= STALE_FRACTION * max(stat, 1):
        return False
    conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
    conn.execute(f'ANALYZE "{table}"')
    return True
