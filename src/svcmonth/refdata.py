"""Reference data shipped in ``data/``: columns, outlets, forwarding bodies, slogans.

Read once at ``init`` (and by ``demo``) into the database, where the clerk can extend them
(``column add``, ``outlet add``, ``body add``); the database is then the only source.
"""

from __future__ import annotations

import csv
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from svcmonth import storage, timeutil
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.storage.audit import record
from svcmonth.text import check_text


def data_dir() -> Path:
    """The ``data/`` folder: inside the installed package, else beside ``src/`` (a checkout)."""
    packaged = Path(__file__).parent / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a shipped CSV file."""
    with open(data_dir() / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def slogans() -> list[str]:
    """The plan's publicity slogans (附件), each once, in the plan's order."""
    lines = (data_dir() / "slogans.txt").read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(line.strip() for line in lines if line.strip()))


def seed(conn: sqlite3.Connection, at: str) -> None:
    """Load the shipped columns, outlets and bodies into a new database (in a transaction)."""
    for i, row in enumerate(read_csv("columns.csv")):
        conn.execute(
            "INSERT INTO column_def (name, kind, description, sort) VALUES (?, ?, ?, ?)",
            (row["name"], row["kind"], row.get("description", ""), i),
        )
    for row in read_csv("outlets.csv"):
        conn.execute(
            "INSERT INTO outlet (name, doubling_default, description) VALUES (?, ?, ?)",
            (row["name"], int(row["doubling"]), row.get("description", "")),
        )
    for row in read_csv("bodies.csv"):
        conn.execute("INSERT INTO body (name) VALUES (?)", (row["name"],))
    record(conn, at, "seed", "database", "", None, {"source": "data/"})


TABLES = {"column": "column_def", "outlet": "outlet", "body": "body"}


def _check_table(table: str) -> None:
    """Table names are put into SQL text: only the three reference tables may be."""
    if table not in TABLES.values():
        raise ValueError(f"not a reference table: {table!r}")


def reference_add(
    conn: sqlite3.Connection, table: str, name: str, now: datetime, **fields: Any
) -> None:
    """Add a column, outlet or forwarding body to the database's reference lists."""
    name = check_text(name, "name")
    if not name or len(name) > 100:
        raise SvcmonthError(_("the name must be 1-100 characters"))
    _check_table(table)
    if conn.execute(
        f"SELECT 1 FROM {table} WHERE name = ?",  # noqa: S608 (table checked above)
        (name,),
    ).fetchone():
        raise SvcmonthError(_("{name!r} is already there").format(name=name))
    cols = ["name", *fields]
    conn.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",  # noqa: S608
        (name, *fields.values()),
    )
    record(conn, timeutil.to_db(now), "create", table, name, None, {"name": name, **fields})


def listing(conn: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    """The rows of a reference list, in the order they were added."""
    _check_table(table)
    rows = storage.named(conn.execute(f"SELECT * FROM {table} ORDER BY rowid"))  # noqa: S608
    return [dict(r) for r in rows]
