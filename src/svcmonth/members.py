"""Members (会员单位) and their publicity officers (信息宣传员), with officer history.

A member's current officer is its open ``officer`` row. Changing the officer's name closes
that row and opens a new one (the history); changing only the phone or e-mail corrects the
current row in place. Both are in the audit trail.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from svcmonth import rules, storage, timeutil, typed
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import _
from svcmonth.output import columns
from svcmonth.storage.audit import record
from svcmonth.text import check_email, check_text

MAX_CODE, MAX_TEXT = 64, 200
FIELDS = ("name", "officer", "phone", "email", "category")
# the officer's fields of a member's row, named as in FIELDS (``o``: the officer joined)
_OFFICER_FIELDS = (
    " coalesce(o.name, '') AS officer, coalesce(o.phone, '') AS phone,"
    " coalesce(o.email, '') AS email"
)


@dataclass(frozen=True)
class Member:
    id: int
    code: str
    name: str
    active: bool


def _clean(value: str | None, key: str, limit: int = MAX_TEXT) -> str:
    what = columns.resolve(["code" if key == "code" else key])[0].heading  # the field's label
    text = (value or "").strip()
    if len(text) > limit:
        raise SvcmonthError(
            _("{what} is too long ({n} characters, at most {limit})").format(
                what=what, n=len(text), limit=limit
            )
        )
    return check_text(text, what)


def validate(fields: dict[str, str | None]) -> dict[str, str]:
    """Cleaned member fields (only those given), or a clear error for the first bad one."""
    out: dict[str, str] = {}
    for key, value in fields.items():
        if value is None:
            continue
        text = _clean(value, key)
        if key == "name" and not text:
            raise SvcmonthError(_("the member name is empty"))
        if key == "email":
            text = check_email(text, key)
        if key == "phone" and text:
            text = typed.check_phone(text)
        out[key] = text
    return out


def check_code(code: str | None) -> str:
    """A member code: non-empty, no spaces, at most 64 characters."""
    text = _clean(code, "code", MAX_CODE)
    if not text or any(ch.isspace() for ch in text):
        raise SvcmonthError(
            _("member code {code!r} must be non-empty, without spaces").format(code=code or "")
        )
    return text


def get(conn: sqlite3.Connection, code: str) -> Member:
    """The member with ``code``."""
    text = (code or "").strip()
    row = storage.named(
        conn.execute("SELECT id, code, name, active FROM member WHERE code = ?", (text,))
    ).fetchone()
    if row is None:  # codes match regardless of case: icbc is ICBC
        row = storage.named(
            conn.execute(
                "SELECT id, code, name, active FROM member WHERE code = ? COLLATE NOCASE"
                " ORDER BY id LIMIT 1",
                (text,),
            )
        ).fetchone()
    if row is None:
        near = suggest(conn, text)
        if near:
            raise NotFound(
                _("unknown member {code!r}; did you mean {codes}?").format(
                    code=code, codes=_(" or ").join(near)
                )
            )
        raise NotFound(_("unknown member {code!r}; see `svcmonth member list`").format(code=code))
    return Member(row["id"], row["code"], row["name"], bool(row["active"]))


def suggest(conn: sqlite3.Connection, code: str, n: int = 3) -> list[str]:
    """The registered codes nearest to ``code`` (a typo, a transposition)."""
    import difflib

    codes = {r[0].upper(): r[0] for r in conn.execute("SELECT code FROM member")}
    near = difflib.get_close_matches(code.upper(), list(codes), n=n, cutoff=0.6)
    return [codes[c] for c in near]


def get_active(conn: sqlite3.Connection, code: str) -> Member:
    """The member with ``code``, refusing one that has left."""
    member = get(conn, code)
    if not member.active:
        raise SvcmonthError(_("member {code} is deactivated").format(code=member.code))
    return member


def snapshot(conn: sqlite3.Connection, member_id: int) -> dict[str, Any]:
    """The member's fields as shown by ``member list``."""
    row = storage.named(
        conn.execute(
            "SELECT m.code, m.name," + _OFFICER_FIELDS + ", m.category, m.active FROM member m"  # noqa: S608 (fixed fragments)
            " LEFT JOIN officer_in_office o ON o.member_id = m.id WHERE m.id = ?",
            (member_id,),
        )
    ).fetchone()
    return {**row, "active": bool(row["active"])}


def add(conn: sqlite3.Connection, code: str, fields: dict[str, str | None], now: datetime) -> str:
    """Register a member and its officer."""
    code = check_code(code)
    clean = validate(fields)
    if "name" not in clean:
        raise SvcmonthError(_("the member name is empty"))
    if conn.execute("SELECT 1 FROM member WHERE code = ? COLLATE NOCASE", (code,)).fetchone():
        raise SvcmonthError(_("member code {code!r} is already registered").format(code=code))
    at = timeutil.to_db(now)
    cur = conn.execute(
        "INSERT INTO member (code, name, category, created_at) VALUES (?, ?, ?, ?)",
        (code, clean["name"], clean.get("category", ""), at),
    )
    member_id = cur.lastrowid
    assert member_id is not None
    conn.execute(
        "INSERT INTO officer (member_id, name, phone, email, since) VALUES (?, ?, ?, ?, ?)",
        (member_id, clean.get("officer", ""), clean.get("phone", ""), clean.get("email", ""), at),
    )
    record(conn, at, "create", "member", code, None, snapshot(conn, member_id))
    return code


def edit(
    conn: sqlite3.Connection,
    code: str,
    fields: dict[str, str | None],
    now: datetime,
    since: datetime | None = None,
) -> dict[str, Any]:
    """Change a member; a new officer name opens a new officer in the history, in office from
    ``since`` (default ``now``). A past ``since`` re-attributes the member's submissions from
    that instant on that named no author (their author is derived on read, rule 9)."""
    member = get(conn, code)
    clean = validate(fields)
    before = snapshot(conn, member.id)
    at = timeutil.to_db(now)
    officer_changes = "officer" in clean and clean["officer"] != before["officer"]
    if since is not None and not officer_changes:
        raise SvcmonthError(_("--since goes with --officer naming a new officer"))
    effective = timeutil.to_db(since) if since is not None else at
    if "name" in clean or "category" in clean:
        conn.execute(
            "UPDATE member SET name = ?, category = ? WHERE id = ?",
            (
                clean.get("name", before["name"]),
                clean.get("category", before["category"]),
                member.id,
            ),
        )
    officer = {k: clean.get(k, before[k]) for k in ("officer", "phone", "email")}
    reattributed = None
    if officer_changes:
        reattributed = _change_officer(conn, member, officer, effective)
    elif officer != {k: before[k] for k in officer}:
        conn.execute(
            "UPDATE officer SET phone = ?, email = ? WHERE member_id = ? AND until IS NULL",
            (officer["phone"], officer["email"], member.id),
        )
    after = snapshot(conn, member.id)
    if after != before:
        if reattributed is not None:
            before = {**before, "since": None, "reattributed": None}
            after = {**after, "since": effective, "reattributed": reattributed}
        record(conn, at, "edit", "member", member.code, before, after)
    return after


def _change_officer(
    conn: sqlite3.Connection, member: Member, officer: dict[str, str], effective: str
) -> int:
    """Close the current officer at ``effective`` and open the new one; returns how many
    submissions that named no author change hands."""
    rows = storage.named(
        conn.execute("SELECT id, since FROM officer WHERE member_id = ? ORDER BY id", (member.id,))
    ).fetchall()
    if len(rows) > 1 and effective <= rows[-1]["since"]:
        raise SvcmonthError(
            _("the new officer's start must be later than the current officer's ({since})").format(
                since=rows[-1]["since"]
            )
        )
    before = conn.execute(
        "SELECT count(*) FROM submission s WHERE s.member_id = ? AND s.author = ''"  # noqa: S608 (a fixed fragment)
        " AND s.submitted_at >= ? AND "
        + rules.officer_at_sql("s.member_id", "s.submitted_at")
        + " <> ?",
        (member.id, effective, officer["officer"]),
    ).fetchone()[0]
    conn.execute(
        "UPDATE officer SET until = max(since, ?) WHERE member_id = ? AND until IS NULL",
        (effective, member.id),
    )
    conn.execute(
        "INSERT INTO officer (member_id, name, phone, email, since) VALUES (?, ?, ?, ?, ?)",
        (member.id, officer["officer"], officer["phone"], officer["email"], effective),
    )
    return int(before)


def set_active(conn: sqlite3.Connection, code: str, active: bool, now: datetime) -> None:
    """Deactivate (a member leaves, its history stays) or reactivate a member."""
    member = get(conn, code)
    if member.active == active:
        state = _("active") if active else _("deactivated")
        raise SvcmonthError(_("member {code} is already {state}").format(code=code, state=state))
    conn.execute("UPDATE member SET active = ? WHERE id = ?", (int(active), member.id))
    record(
        conn,
        timeutil.to_db(now),
        "activate" if active else "deactivate",
        "member",
        member.code,
        {"active": member.active},
        {"active": active},
    )


def in_office_sql(member_id: str, instant: str) -> str:
    """SQL that joins ``o``, the ``officer`` row (name, phone, e-mail) of the officer in office
    at ``instant`` (rule 9, ``rules.officer_at_sql``): the one answer to "who is the officer"
    for ``member list``, the reminders, the reports and a submission's author. A change
    recorded ahead (``--since`` a later day) is not in office before its day."""
    return f" LEFT JOIN officer o ON o.id = {rules.officer_at_sql(member_id, instant, 'id')}"


def listing(
    conn: sqlite3.Connection, as_of: datetime, include_inactive: bool = True
) -> list[dict[str, Any]]:
    """Members with their officer in office at ``as_of``: ``code, name, officer, phone,
    email, category, active``."""
    sql = (
        "SELECT m.code, m.name," + _OFFICER_FIELDS + ", m.category, m.active"  # noqa: S608 (fixed fragments)
        " FROM member m" + in_office_sql("m.id", ":at")
    )
    if not include_inactive:
        sql += " WHERE m.active = 1"
    rows = storage.named(conn.execute(sql + " ORDER BY m.id", {"at": timeutil.to_db(as_of)}))
    return [{**r, "active": bool(r["active"])} for r in rows]


def officer_history(conn: sqlite3.Connection, code: str) -> list[dict[str, Any]]:
    """Every officer a member has had: ``officer, phone, email, since, until`` (the first is in
    office from the beginning: ``since`` None; each until the next one's ``since``)."""
    member = get(conn, code)
    rows = storage.named(
        conn.execute(
            "SELECT name, phone, email, since FROM officer WHERE member_id = ? ORDER BY id",
            (member.id,),
        )
    ).fetchall()
    return [
        {
            "officer": r["name"],
            "phone": r["phone"],
            "email": r["email"],
            "since": r["since"] if i else None,
            "until": rows[i + 1]["since"] if i + 1 < len(rows) else None,
        }
        for i, r in enumerate(rows)
    ]


def extend(
    conn: sqlite3.Connection, campaign: Any, code: str, week: int, until: datetime, now: datetime
) -> dict[str, Any]:
    """Give one member until ``until`` for week ``week`` (the later of this and the week's
    deadline applies)."""
    member = get_active(conn, code)
    deadline = campaign.week(week).deadline  # the week's, moved or not, for everyone
    if until <= deadline:
        raise SvcmonthError(
            _(
                "{until} is not after week {week}'s deadline ({deadline}): an extension must "
                "give more time"
            ).format(
                until=timeutil.minute(until, campaign.tz),
                week=week,
                deadline=timeutil.minute(deadline, campaign.tz),
            )
        )
    at = timeutil.to_db(until)
    old = conn.execute(
        "SELECT until FROM deadline_extension WHERE campaign_id = ? AND member_id = ? AND week = ?",
        (campaign.id, member.id, week),
    ).fetchone()
    conn.execute(
        "INSERT INTO deadline_extension (campaign_id, member_id, week, until) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (campaign_id, member_id, week) DO UPDATE SET until = excluded.until",
        (campaign.id, member.id, week, at),
    )
    record(
        conn,
        timeutil.to_db(now),
        "extend",
        "member",
        member.code,
        None if old is None else {"week": week, "until": old[0]},
        {"week": week, "until": at, "campaign": campaign.name},
    )
    return {"member": member.code, "week": week, "until": campaign.show(at)}


IMPORT_IGNORED = ("active",)  # written by `member list`, so its CSV can be imported back


def import_rows(
    conn: sqlite3.Connection,
    rows: list[tuple[int, dict[str, str]]],
    now: datetime,
    update: bool = False,
) -> tuple[list[tuple[int, str]], int, int]:
    """Import members from ``(line, row)`` pairs; returns ``(problems, added, updated)``.

    Checks every row first; the caller writes nothing when there is any problem.
    """
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    plan: list[tuple[str, str, dict[str, str | None]]] = []
    existing = {r[0].upper() for r in conn.execute("SELECT code FROM member")}
    for line, row in rows:
        try:
            code = check_code(row.get("code"))
            fields: dict[str, str | None] = {k: row.get(k) for k in FIELDS if k in row}
            validate(fields)
            if code.upper() in seen:
                raise SvcmonthError(
                    _("code {code} appears again (first on line {line})").format(
                        code=code, line=seen[code.upper()]
                    )
                )
            seen[code.upper()] = line
            if code.upper() in existing:
                if not update:
                    raise SvcmonthError(
                        _("member {code} is already registered (use --update)").format(code=code)
                    )
                plan.append(("edit", code, fields))
            else:
                if not (fields.get("name") or "").strip():
                    raise SvcmonthError(_("the member name is empty"))
                plan.append(("add", code, fields))
        except SvcmonthError as exc:
            problems.append((line, str(exc)))
    if problems:
        return problems, 0, 0
    for action, code, fields in plan:
        if action == "add":
            add(conn, code, fields, now)
        else:
            edit(conn, code, fields, now)
    added = sum(1 for p in plan if p[0] == "add")
    return [], added, len(plan) - added
