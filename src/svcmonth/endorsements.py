"""批示: a leader's endorsement of a submission (issue 24).

Only the decision is stored (who endorsed it, at what level, on which day); what it adds to
the points is the rule ``rules.endorsement_points`` (the campaign's ``endorsement_points``
per endorsement), applied on every read like every other figure.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any

from svcmonth import storage, timeutil
from svcmonth.campaigns import zone_of
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import _
from svcmonth.storage.audit import record
from svcmonth.submissions import get_row, local_day
from svcmonth.text import check_text

DEFAULT_LEVEL = "批示"


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {"status": row["status"], "level": row["level"], "points": row["points"]}


def endorse(
    conn: sqlite3.Connection,
    submission_id: int,
    by: str,
    level: str,
    on: date | None,
    now: datetime,
) -> dict[str, Any]:
    """Record that the leader ``by`` endorsed the submission (once per leader; audited).

    ``on`` defaults to today in the submission's campaign zone. A rejected or withdrawn
    submission cannot be endorsed."""
    row = get_row(conn, submission_id)
    by = check_text((by or "").strip(), "--by")
    level = check_text((level or "").strip(), "--level") or DEFAULT_LEVEL
    if not by:
        raise SvcmonthError(_("give the leader who endorsed it with --by NAME"))
    if row["withdrawn_at"] is not None:
        raise SvcmonthError(
            _("submission {id} is withdrawn and cannot be endorsed").format(id=submission_id)
        )
    if row["grade"] == "rejected":
        raise SvcmonthError(
            _("submission {id} was rejected and cannot be endorsed").format(id=submission_id)
        )
    if conn.execute(
        "SELECT 1 FROM endorsements WHERE submission_id = ? AND by = ?", (submission_id, by)
    ).fetchone():
        raise SvcmonthError(
            _("the endorsement of {id} by {by} is already recorded").format(id=submission_id, by=by)
        )
    arrived = local_day(conn, row)
    if on is None:
        on = now.astimezone(zone_of(conn, row["campaign_id"])).date()
    if on < arrived:
        raise SvcmonthError(
            _(
                "an endorsement on {on} cannot precede the submission, which arrived on {day}"
            ).format(on=on.isoformat(), day=arrived.isoformat())
        )
    conn.execute(
        "INSERT INTO endorsements (submission_id, by, level, endorsed_on, recorded_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (submission_id, by, level, on.isoformat(), timeutil.to_db(now)),
    )
    after = get_row(conn, submission_id)
    record(
        conn,
        timeutil.to_db(now),
        "endorse",
        "submission",
        submission_id,
        {**_shown(row), "endorsed_by": None},
        {**_shown(after), "endorsed_by": by, "endorsement_level": level, "on": on.isoformat()},
    )
    return after


def undo(conn: sqlite3.Connection, submission_id: int, by: str, now: datetime) -> dict[str, Any]:
    """Remove the endorsement by ``by`` recorded by mistake (audited)."""
    row = get_row(conn, submission_id)
    by = (by or "").strip()
    found = storage.named(
        conn.execute(
            "SELECT id, level, endorsed_on FROM endorsements WHERE submission_id = ? AND by = ?",
            (submission_id, by),
        )
    ).fetchone()
    if found is None:
        raise NotFound(
            _("submission {id} has no endorsement by {by!r}").format(id=submission_id, by=by)
        )
    conn.execute("DELETE FROM endorsements WHERE id = ?", (found["id"],))
    after = get_row(conn, submission_id)
    record(
        conn,
        timeutil.to_db(now),
        "endorse_undo",
        "submission",
        submission_id,
        {
            **_shown(row),
            "endorsed_by": by,
            "endorsement_level": found["level"],
            "on": found["endorsed_on"],
        },
        {**_shown(after), "endorsed_by": None},
    )
    return after
