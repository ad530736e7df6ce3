"""The audit trail: every change to a grade, adoption, withdrawal or member, before and after."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def record(
    conn: sqlite3.Connection,
    at: str,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Append one entry, inside the caller's transaction. Only the changed fields are kept."""
    if before is not None and after is not None:
        changed = [k for k in after if before.get(k) != after.get(k)]
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    conn.execute(
        "INSERT INTO audit_log (at, action, entity, entity_id, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            at,
            action,
            entity,
            str(entity_id),
            None if before is None else json.dumps(before, ensure_ascii=False),
            None if after is None else json.dumps(after, ensure_ascii=False),
        ),
    )


def entries(
    conn: sqlite3.Connection, entity: str | None = None, entity_id: str | None = None
) -> list[dict[str, Any]]:
    """The trail, oldest first, optionally for one entity (``submission``, ``member``…)."""
    sql = "SELECT at, action, entity, entity_id, before, after FROM audit_log"
    where, params = [], []
    if entity:
        where.append("entity = ?")
        params.append(entity)
    if entity_id:
        where.append("entity_id = ?")
        params.append(entity_id)
    if where:
        sql += " WHERE " + " AND ".join(where)  # noqa: S608 (fixed fragments, values bound)
    rows = conn.execute(sql + " ORDER BY id", params).fetchall()
    return [
        {
            "at": at,
            "action": action,
            "entity": entity_,
            "entity_id": entity_id_,
            "before": None if before is None else json.loads(before),
            "after": None if after is None else json.loads(after),
        }
        for at, action, entity_, entity_id_, before, after in rows  # the SELECT's order
    ]
