"""Grades, adoption and forwarding: what the clerk decides about a submission.

Only decisions are stored (a manual level, "graded by the rule", a rejection, an adoption);
the level and points a submission shows are derived on every read by ``submission_eval``.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any

from svcmonth import rules, storage, timeutil
from svcmonth.campaigns import Campaign
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import _
from svcmonth.output import columns as col
from svcmonth.storage.audit import record
from svcmonth.submissions import get_row, local_day, refuse_adopted, refuse_adoption_before
from svcmonth.text import check_text

_SHOWN = ("status", "level", "points")


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in _SHOWN}


def _refuse_withdrawn(row: dict[str, Any]) -> None:
    if row["withdrawn_at"] is not None:
        raise SvcmonthError(_("submission {id} is withdrawn").format(id=row["id"]))


def set_level(conn: sqlite3.Connection, submission_id: int, level: int, now: datetime) -> None:
    """Grade by hand: level 1, 2 or 3 (``grade auto`` never overrides it)."""
    if level not in rules.MANUAL_LEVELS:
        raise SvcmonthError(_("the level must be 1, 2 or 3"))
    row = get_row(conn, submission_id)
    _refuse_withdrawn(row)
    conn.execute(
        "UPDATE submission SET grade = 'manual', manual_level = ?, reject_reason = NULL"
        " WHERE id = ?",
        (level, submission_id),
    )
    _audit(conn, "grade", row, now)


def reject(conn: sqlite3.Connection, submission_id: int, reason: str, now: datetime) -> None:
    """Reject a submission: kept, scores nothing, cannot be adopted. Rejecting a rejected
    submission again without a reason keeps the reason it was given."""
    reason = check_text(reason, "reason")
    row = get_row(conn, submission_id)
    _refuse_withdrawn(row)
    refuse_adopted(conn, submission_id, "reject")
    why = (reason or "").strip()
    if not why and row["grade"] == "rejected":
        why = row["reject_reason"] or ""
    conn.execute(
        "UPDATE submission SET grade = 'rejected', manual_level = NULL, reject_reason = ?"
        " WHERE id = ?",
        (why, submission_id),
    )
    _audit(conn, "reject", row, now, reason=why)


def clear(conn: sqlite3.Connection, submission_id: int, now: datetime) -> None:
    """Undo a grade or a rejection: the submission is pending again (audited)."""
    row = get_row(conn, submission_id)
    _refuse_withdrawn(row)
    if row["grade"] == "pending":
        raise SvcmonthError(_("submission {id} is not graded").format(id=submission_id))
    conn.execute(
        "UPDATE submission SET grade = 'pending', manual_level = NULL, reject_reason = NULL"
        " WHERE id = ?",
        (submission_id,),
    )
    _audit(conn, "grade_clear", row, now)


def _audit(
    conn: sqlite3.Connection, action: str, before: dict[str, Any], now: datetime, **extra: Any
) -> None:
    after = get_row(conn, before["id"])
    record(
        conn,
        timeutil.to_db(now),
        action,
        "submission",
        before["id"],
        {**_view(before), "grade": before["grade"], **{k: before.get(k) for k in extra}},
        {**_view(after), "grade": after["grade"], **extra},
    )


def auto(conn: sqlite3.Connection, campaign: Campaign, now: datetime) -> int:
    """Mark the campaign's pending submissions as graded by the rule; returns how many.

    Their level follows the rule on every read (on time → the on-time level, late → the
    late level), so a moved deadline moves it too. Manual grades and rejections are untouched.
    """
    at = timeutil.to_db(now)
    pending = conn.execute(
        "SELECT count(*) FROM submission WHERE campaign_id = ? AND grade = 'pending'"
        " AND withdrawn_at IS NULL",
        (campaign.id,),
    ).fetchone()[0]
    with (
        storage.bulk_load(conn, "audit_log", pending),
        storage.bulk_load(conn, "submission", pending),
    ):
        return _auto(conn, campaign, at)


def _auto(conn: sqlite3.Connection, campaign: Campaign, at: str) -> int:
    conn.execute(
        "INSERT INTO audit_log (at, action, entity, entity_id, before, after)"
        " SELECT ?, 'grade_auto', 'submission', e.id,"
        "  json_object('status', 'pending', 'level', NULL, 'points', 0, 'grade', 'pending'),"
        "  json_object('status', 'graded', 'grade', 'rule', 'level', e.rule_level)"
        " FROM submission_eval e WHERE e.campaign_id = ? AND e.grade = 'pending'"
        " AND e.withdrawn_at IS NULL",
        (at, campaign.id),
    )
    cur = conn.execute(
        "UPDATE submission SET grade = 'rule' WHERE campaign_id = ? AND grade = 'pending'"
        " AND withdrawn_at IS NULL",
        (campaign.id,),
    )
    return cur.rowcount


def _known(conn: sqlite3.Connection, table: str, name: str, listing: str) -> str:
    name = (name or "").strip()
    if not conn.execute(
        f"SELECT 1 FROM {table} WHERE name = ?",  # noqa: S608 (table is one of two names)
        (name,),
    ).fetchone():
        known = ", ".join(
            r[0]
            for r in conn.execute(f"SELECT name FROM {table} ORDER BY rowid")  # noqa: S608
        )
        raise NotFound(
            _(
                "unknown {what} {name!r} (known: {known}; add one with `svcmonth {command} add`)"
            ).format(
                what=col.value_name("entity", listing), command=listing, name=name, known=known
            )
        )
    return name


def adopt(
    conn: sqlite3.Connection, submission_id: int, outlet: str, on: date, now: datetime
) -> dict[str, Any]:
    """Record that ``outlet`` published the submission (刊用)."""
    row = get_row(conn, submission_id)
    outlet = _known(conn, "outlet", outlet, "outlet")
    _refuse_withdrawn(row)
    if row["grade"] == "rejected":
        raise SvcmonthError(
            _("submission {id} was rejected and cannot be adopted").format(id=submission_id)
        )
    if conn.execute(
        "SELECT 1 FROM adoption WHERE submission_id = ? AND outlet = ?", (submission_id, outlet)
    ).fetchone():
        raise SvcmonthError(
            _("the adoption of {id} by {outlet} is already recorded").format(
                id=submission_id, outlet=outlet
            )
        )
    refuse_adoption_before(conn, submission_id, local_day(conn, row), on)  # rule 13
    conn.execute(
        "INSERT INTO adoption (submission_id, outlet, adopted_on, recorded_at) VALUES (?, ?, ?, ?)",
        (submission_id, outlet, on.isoformat(), timeutil.to_db(now)),
    )
    _audit(conn, "adopt", row, now, outlet=outlet, adopted_on=on.isoformat())
    return get_row(conn, submission_id)


def undo_adoption(
    conn: sqlite3.Connection, submission_id: int, outlet: str, now: datetime
) -> dict[str, Any]:
    """Undo an adoption recorded by mistake (audited); every figure follows."""
    row = get_row(conn, submission_id)
    outlet = (outlet or "").strip()
    found = storage.named(
        conn.execute(
            "SELECT id, adopted_on FROM adoption WHERE submission_id = ? AND outlet = ?",
            (submission_id, outlet),
        )
    ).fetchone()
    if found is None:
        raise NotFound(
            _("submission {id} has no adoption by {outlet!r}").format(
                id=submission_id, outlet=outlet
            )
        )
    conn.execute("DELETE FROM adoption WHERE id = ?", (found["id"],))
    _audit(
        conn,
        "adopt_undo",
        {**row, "outlet": outlet, "adopted_on": found["adopted_on"]},
        now,
        outlet=None,
        adopted_on=None,
    )
    return get_row(conn, submission_id)


def forward(
    conn: sqlite3.Connection, submission_id: int, body: str, on: date, now: datetime
) -> None:
    """Record that the association forwarded the submission to a higher body (报送)."""
    row = get_row(conn, submission_id)
    body = _known(conn, "body", body, "body")
    _refuse_withdrawn(row)
    if conn.execute(
        "SELECT 1 FROM forwarding WHERE submission_id = ? AND body = ?", (submission_id, body)
    ).fetchone():
        raise SvcmonthError(
            _("the forwarding of {id} to {body} is already recorded").format(
                id=submission_id, body=body
            )
        )
    conn.execute(
        "INSERT INTO forwarding (submission_id, body, forwarded_on, recorded_at)"
        " VALUES (?, ?, ?, ?)",
        (submission_id, body, on.isoformat(), timeutil.to_db(now)),
    )
    record(
        conn,
        timeutil.to_db(now),
        "forward",
        "submission",
        submission_id,
        None,
        {"body": body, "forwarded_on": on.isoformat()},
    )


def forwardings(conn: sqlite3.Connection, campaign: Campaign) -> list[dict[str, Any]]:
    """The campaign's forwardings: ``submission, member, title, body, forwarded_on``."""
    return [
        dict(r)
        for r in storage.named(
            conn.execute(
                "SELECT s.id AS submission, m.code AS member, s.title, f.body, f.forwarded_on"
                " FROM forwarding f"
                " JOIN submission s ON s.id = f.submission_id JOIN member m ON m.id = s.member_id"
                " WHERE s.campaign_id = ? ORDER BY f.id",
                (campaign.id,),
            )
        )
    ]
