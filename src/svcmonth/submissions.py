"""Submissions: logging reports and articles, importing them, listing and withdrawing.

A submission to the report column (活动扫描) is a report and covers one campaign week; one
to another member column is an article. Columns run by the association itself take no
submissions. Nothing here computes a level or points: ``submission_eval`` does, on read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from svcmonth import columns as col
from svcmonth import members, timeutil, typed
from svcmonth.audit import record
from svcmonth.campaigns import Campaign
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.text import check_text
from svcmonth.weeks import default_report_week

MAX_TITLE, MAX_URL = 500, 2000


class Duplicate(SvcmonthError):
    """A submission with the same member, column, title and instant is already logged
    (SPEC.md, "CSV imports"): ``submit`` refuses it, an import skips it."""

    def __init__(self, existing_id: int | None):
        super().__init__(
            _(
                "the same submission (member, column, title and time) is already logged as "
                "id {id}; nothing was added"
            ).format(id=existing_id)
        )
        self.existing_id = existing_id


_DUPLICATE_SQL = (
    "SELECT id FROM submission WHERE campaign_id = ? AND member_id = ? AND column_name = ?"
    " AND title = ? AND submitted_at = ? ORDER BY id LIMIT 1"
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str


def column(conn: sqlite3.Connection, name: str) -> Column:
    """A column members submit to, or a clear error naming the ones they can."""
    name = (name or "").strip()
    row = conn.execute("SELECT name, kind FROM column_def WHERE name = ?", (name,)).fetchone()
    if row is None or row[1] == "association":
        open_columns = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM column_def WHERE kind <> 'association' ORDER BY sort, name"
            )
        ]
        reason = (
            _("column {name!r} is run by the association itself")
            if row
            else _("unknown column {name!r}")
        )
        raise NotFound(
            reason.format(name=name)
            + "; "
            + _("members submit to: {cols}").format(cols=", ".join(open_columns))
        )
    return Column(row[0], row[1])


def clean_title(title: str | None) -> str:
    """A title: not empty, one line, at most 500 characters."""
    text = check_text(title, "title")
    if not text:
        raise SvcmonthError(_("the title is empty"))
    if len(text) > MAX_TITLE:
        raise SvcmonthError(
            _("the title is too long ({n} characters, at most {limit})").format(
                n=len(text), limit=MAX_TITLE
            )
        )
    return text


def clean_url(url: str | None) -> str:
    text = check_text(url, "url")
    if len(text) > MAX_URL or any(ch.isspace() for ch in text):
        raise SvcmonthError(_("{url!r} is not a usable URL").format(url=text[:80]))
    return text


def reported_weeks(conn: sqlite3.Connection, campaign_id: int, member_id: int) -> set[int]:
    """Weeks for which the member has a report that counts (not rejected, not withdrawn)."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT week FROM submission WHERE campaign_id = ? AND member_id = ?"
            " AND kind = 'report' AND grade <> 'rejected' AND withdrawn_at IS NULL",
            (campaign_id, member_id),
        )
    }


class _Lookup:
    """Where ``submit`` reads members, columns, reported weeks and officers: the database."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def member(self, code: str) -> members.Member:
        return members.get_active(self.conn, code)

    def column(self, name: str) -> Column:
        return column(self.conn, name)

    def reported(self, campaign_id: int, member_id: int) -> set[int]:
        return reported_weeks(self.conn, campaign_id, member_id)

    def officer(self, member_id: int, at: str) -> str:
        return members.current_officer(self.conn, member_id, at)

    def logged_report(self, campaign_id: int, member_id: int, week: int) -> None:
        """A report was logged (the database has it once it is inserted)."""

    def refuse_duplicate(
        self, campaign_id: int, member_id: int, col: str, title: str, at: str
    ) -> None:
        """``Duplicate`` when the database already holds this submission."""
        row = self.conn.execute(_DUPLICATE_SQL, (campaign_id, member_id, col, title, at)).fetchone()
        if row is not None:
            raise Duplicate(row[0])


class _ImportLookup(_Lookup):
    """The same answers for an import, each read from the database once (nothing else writes
    while the import holds the write lock): reported weeks also count the rows before."""

    def __init__(self, conn: sqlite3.Connection):
        super().__init__(conn)
        self.members: dict[str, members.Member] = {}
        self.columns: dict[str, Column] = {}
        self.weeks: dict[tuple[int, int], set[int]] = {}
        self.officers: dict[tuple[int, str], str] = {}
        # per (campaign, member): hashes of (column, title, instant) logged or read so far; a
        # hit is confirmed exactly (a hash is 8 bytes where the key is ~150: a 1M-row import)
        self.keys: dict[tuple[int, int], set[int]] = {}
        self.pending: list[tuple[Any, ...]] = []  # the batch not yet inserted

    def member(self, code: str) -> members.Member:
        key = (code or "").strip()
        found = self.members.get(key)
        if found is None:
            found = self.members[key] = super().member(code)  # the usual errors when not
        return found

    def column(self, name: str) -> Column:
        key = (name or "").strip()
        found = self.columns.get(key)
        if found is None:
            found = self.columns[key] = super().column(name)
        return found

    def reported(self, campaign_id: int, member_id: int) -> set[int]:
        found = self.weeks.get((campaign_id, member_id))
        if found is None:
            found = self.weeks[(campaign_id, member_id)] = super().reported(campaign_id, member_id)
        return found

    def officer(self, member_id: int, at: str) -> str:
        found = self.officers.get((member_id, at))
        if found is None:
            found = self.officers[(member_id, at)] = super().officer(member_id, at)
        return found

    def logged_report(self, campaign_id: int, member_id: int, week: int) -> None:
        self.reported(campaign_id, member_id).add(week)

    def refuse_duplicate(
        self, campaign_id: int, member_id: int, col: str, title: str, at: str
    ) -> None:
        keys = self.keys.get((campaign_id, member_id))
        if keys is None:
            keys = self.keys[(campaign_id, member_id)] = {
                hash(tuple(r))
                for r in self.conn.execute(
                    "SELECT column_name, title, submitted_at FROM submission"
                    " WHERE campaign_id = ? AND member_id = ?",
                    (campaign_id, member_id),
                )
            }
        key = hash((col, title, at))
        if key in keys:
            if any(
                p[0] == campaign_id
                and p[1] == member_id
                and p[2] == col
                and p[4] == title
                and p[5] == at
                for p in self.pending
            ):
                raise Duplicate(None)
            super().refuse_duplicate(campaign_id, member_id, col, title, at)
        keys.add(key)


_INSERT = (
    "INSERT INTO submission (campaign_id, member_id, column_name, kind, title, submitted_at,"
    " week, author, url, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _checked_row(
    lookup: _Lookup,
    campaign: Campaign,
    code: str,
    column_name: str,
    title: str,
    submitted: datetime,
    logged_at: str,
    week: int | None,
    author: str | None,
    url: str | None,
) -> tuple[Any, ...]:
    """One submission checked against every rule, as the row ``_INSERT`` writes."""
    member = lookup.member(code)
    col = lookup.column(column_name)
    clean = clean_title(title)
    link = clean_url(url)
    at = timeutil.to_db(submitted)
    lookup.refuse_duplicate(campaign.id, member.id, col.name, clean, at)
    if col.kind == "report":
        if week is None:
            week = default_report_week(
                campaign.weeks, submitted, lookup.reported(campaign.id, member.id)
            )
        else:
            campaign.week(week)
    elif week is not None:
        raise SvcmonthError(
            _("--week is for reports only ({column} takes articles)").format(column=col.name)
        )
    writer = check_text(author, "author")
    if len(writer) > members.MAX_TEXT:
        raise SvcmonthError(_("the author name is too long"))
    if not writer:
        writer = lookup.officer(member.id, logged_at)
    if week is not None:
        lookup.logged_report(campaign.id, member.id, week)
    return (campaign.id, member.id, col.name, col.kind, clean, at, week, writer, link, logged_at)


def submit(
    conn: sqlite3.Connection,
    campaign: Campaign,
    code: str,
    column_name: str,
    title: str,
    submitted: datetime,
    now: datetime,
    *,
    week: int | None = None,
    author: str | None = None,
    url: str | None = None,
) -> int:
    """Log one submission (inside the caller's transaction); returns its id."""
    row = _checked_row(
        _Lookup(conn),
        campaign,
        code,
        column_name,
        title,
        submitted,
        timeutil.to_db(now),
        week,
        author,
        url,
    )
    cur = conn.execute(_INSERT, row)
    assert cur.lastrowid is not None
    return cur.lastrowid


IMPORT_REQUIRED = ("member", "column", "title", "submitted_at")
IMPORT_OPTIONAL = ("week", "author", "url", "id")
# written by `submission list`: derived or managed by other commands, skipped on import (its
# ``id``: a row whose id is already in the database is skipped as a duplicate)
IMPORT_IGNORED = ("kind", "on_time", "level", "status", "adopted_by", "points")
IMPORT_BATCH = 5000


@dataclass
class ImportResult:
    """What an import did: the bad rows (then nothing is kept), rows written, duplicates
    skipped (already logged, earlier in the file, or an ``id`` already in the database)."""

    problems: list[tuple[int, str]]
    written: int
    skipped: int


def import_rows(
    conn: sqlite3.Connection,
    campaign_for: Any,
    rows: Iterable[tuple[int, dict[str, str]]],
    now: datetime,
    tz_name: str,
    year: int | None = None,
) -> tuple[list[tuple[int, str]], int]:
    """``import_submissions`` as ``(problems, rows written)``."""
    result = import_submissions(conn, campaign_for, rows, now, tz_name, year)
    return result.problems, result.written


def import_submissions(
    conn: sqlite3.Connection,
    campaign_for: Any,
    rows: Iterable[tuple[int, dict[str, str]]],
    now: datetime,
    tz_name: str,
    year: int | None = None,
) -> ImportResult:
    """Log submissions from ``(line, row)`` pairs inside the caller's transaction.

    ``campaign_for(instant)`` gives the campaign of each row. Every row is checked as
    ``submit`` checks one; they are written in batches (``executemany``) until a row has a
    problem. A duplicate (SPEC.md "CSV imports") is skipped and counted. With any problem the
    caller rolls the whole import back. ``year``: the year of a date typed without one.
    """
    problems: list[tuple[int, str]] = []
    written = skipped = 0
    batch: list[tuple[Any, ...]] = []
    lookup = _ImportLookup(conn)
    lookup.pending = batch
    logged_at = timeutil.to_db(now)
    tz = timeutil.zone(tz_name)
    for line, row in rows:
        try:
            id_text = (row.get("id") or "").strip()
            if id_text:
                if not id_text.isascii() or not id_text.isdigit() or len(id_text) > 18:
                    raise SvcmonthError(_("id {id!r} is not a submission id").format(id=id_text))
                if conn.execute(
                    "SELECT 1 FROM submission WHERE id = ?", (int(id_text),)
                ).fetchone():
                    skipped += 1
                    continue
            instant = typed.parse_instant(row.get("submitted_at", ""), tz, year)
            campaign = campaign_for(instant)
            if campaign.tz.key != tz.key:
                instant = typed.parse_instant(row["submitted_at"], campaign.tz, year)
            week_text = (row.get("week") or "").strip()
            week: int | None = None
            if week_text:
                if not week_text.isdigit():
                    raise SvcmonthError(_("week {w!r} is not a number").format(w=week_text))
                week = int(week_text)
            batch.append(
                _checked_row(
                    lookup,
                    campaign,
                    row.get("member", ""),
                    row.get("column", ""),
                    row.get("title", ""),
                    instant,
                    logged_at,
                    week,
                    row.get("author"),
                    row.get("url"),
                )
            )
        except Duplicate:
            skipped += 1
        except SvcmonthError as exc:
            problems.append((line, str(exc)))
        if len(batch) >= IMPORT_BATCH or problems:
            if not problems:
                conn.executemany(_INSERT, batch)
                written += len(batch)
            batch.clear()  # with a problem nothing is kept: only the checks go on
    if batch and not problems:
        conn.executemany(_INSERT, batch)
        written += len(batch)
    return ImportResult(problems, written, skipped)


def get_row(conn: sqlite3.Connection, submission_id: int) -> dict[str, Any]:
    """One submission's stored and derived fields, or a clear error."""
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(
            "SELECT e.*, m.code AS member FROM submission_eval e"
            " JOIN member m ON m.id = e.member_id WHERE e.id = ?",
            (submission_id,),
        ).fetchone()
    finally:
        conn.row_factory = None
    if row is None:
        raise NotFound(_("no submission with id {id}").format(id=submission_id))
    return dict(row)


def withdraw(conn: sqlite3.Connection, submission_id: int, now: datetime) -> None:
    """Withdraw a submission: kept, shown, scores nothing."""
    row = get_row(conn, submission_id)
    if row["withdrawn_at"] is not None:
        raise SvcmonthError(_("submission {id} is already withdrawn").format(id=submission_id))
    at = timeutil.to_db(now)
    conn.execute("UPDATE submission SET withdrawn_at = ? WHERE id = ?", (at, submission_id))
    record(
        conn,
        at,
        "withdraw",
        "submission",
        submission_id,
        {"status": row["status"], "points": row["points"]},
        {"status": "withdrawn", "points": 0},
    )


LIST = (
    col.Column("id", N_("ID"), "int"),
    col.MEMBER,
    col.COLUMN,
    col.KIND,
    col.TITLE,
    col.AUTHOR,
    col.SUBMITTED_AT,
    col.WEEK,
    col.Column("on_time", N_("On time"), "bool"),
    col.LEVEL,
    col.Column("status", N_("Status"), "grade_status"),
    col.ADOPTED_BY,
    col.POINTS,
    col.Column("url", N_("Link")),
)
LIST_KEYS = (
    "id",
    "member",
    "column",
    "kind",
    "title",
    "author",
    "submitted_at",
    "week",
    "on_time",
    "level",
    "status",
    "adopted_by",
    "points",
    "url",
)


def listing(
    conn: sqlite3.Connection,
    campaign: Campaign,
    *,
    member: str | None = None,
    week: int | None = None,
    column_name: str | None = None,
    pending: bool = False,
    as_of: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """The campaign's submissions (deactivated members' included), streamed in id order."""
    where = ["e.campaign_id = ?"]
    params: list[Any] = [campaign.id]
    if member:
        where.append("e.member_id = ?")
        params.append(members.get(conn, member).id)
    if column_name:
        where.append("e.column_name = ?")
        params.append(column(conn, column_name).name)
    if week is not None:
        w = campaign.week(week)
        where.append(
            "((e.kind = 'report' AND e.week = ?)"
            " OR (e.kind = 'article' AND e.submitted_at >= ? AND e.submitted_at < ?))"
        )
        params += [
            week,
            timeutil.to_db(timeutil.local_midnight(w.first_day, campaign.tz)),
            timeutil.to_db(w.ends),
        ]
    if pending:
        where.append("e.status = 'pending'")
    if as_of is not None:
        where.append("e.submitted_at <= ?")
        params.append(timeutil.to_db(as_of))
    sql = (
        "SELECT e.id, m.code, e.column_name, e.kind, e.title, e.author, e.submitted_at,"  # noqa: S608 (fixed fragments; values bound)
        " e.week, e.on_time, e.level, e.status,"
        " (SELECT group_concat(a.outlet, ';') FROM (SELECT outlet FROM adoption"
        "   WHERE submission_id = e.id ORDER BY id) a),"
        " e.points, e.url"
        " FROM submission_eval e JOIN member m ON m.id = e.member_id"
        " WHERE " + " AND ".join(where) + " ORDER BY e.id"
    )
    show = timeutil.shower(campaign.tz)
    for r in conn.execute(sql, params):
        yield {
            "id": r[0],
            "member": r[1],
            "column": r[2],
            "kind": r[3],
            "title": r[4],
            "author": r[5],
            "submitted_at": show(r[6]) or "",
            "week": r[7],
            "on_time": bool(r[8]),
            "level": r[9],
            "status": r[10],
            "adopted_by": r[11].split(";") if r[11] else [],
            "points": r[12],
            "url": r[13],
        }
