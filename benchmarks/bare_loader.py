"""The anchor of the import benchmark: the least a Python program can do with the same CSV.

``python benchmarks/bare_loader.py DB CSV`` loads the benchmark's submissions CSV
(``member,column,title,submitted_at,week,author,url``) into an svcmonth database that already
holds the members and the campaign: ``csv.reader``, one dict look-up for the member and the
column, ``datetime.fromisoformat`` for the time, every row in a list, then one
``executemany`` in one transaction. No checks: a bad row fails the whole load with a
traceback, or worse, slips in. Foreign keys stay off (SQLite's default).

``--plain`` loads into a plain table instead (``plain_submission``: the same columns, no
constraint, no index), the floor of any load: what the rows cost without a schema.
"""

from __future__ import annotations

import csv
import sqlite3
import sys
from datetime import UTC, datetime

PLAIN = """
CREATE TABLE IF NOT EXISTS plain_submission (
    campaign_id, member_id, column_name, kind, title, submitted_at, week, author, url,
    logged_at
)
"""


def load(db: str, path: str, plain: bool = False) -> int:
    conn = sqlite3.connect(db, isolation_level=None)
    table = "plain_submission" if plain else "submission"
    if plain:
        conn.execute(PLAIN)
    conn.execute("PRAGMA synchronous = NORMAL")  # what svcmonth uses: same durability
    members = dict(conn.execute("SELECT code, id FROM member"))
    kinds = dict(conn.execute("SELECT name, kind FROM column_def"))
    campaign = conn.execute("SELECT max(id) FROM campaign").fetchone()[0]
    logged = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [
            (
                campaign,
                members[member],
                column,
                kinds[column],
                title,
                datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                int(week) if week else None,
                author,
                url,
                logged,
            )
            for member, column, title, at, week, author, url in reader
        ]  # a list: executemany over a parsing generator is 2-3x slower (malloc churn)
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.executemany(
            f"INSERT INTO {table} (campaign_id, member_id, column_name, kind, title,"  # noqa: S608
            " submitted_at, week, author, url, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
    conn.close()
    return cur.rowcount


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--plain"]
    n = load(args[0], args[1], plain="--plain" in sys.argv[1:])
    print(f"loaded {n} rows", file=sys.stderr)
