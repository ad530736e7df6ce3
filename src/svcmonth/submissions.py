"""Submissions: logging reports and articles, importing them, listing and withdrawing.

A submission to the report column (活动扫描) is a report and covers one campaign week; one
to another member column is an article. Columns run by the association itself take no
submissions. Nothing here computes a level or points: ``submission_eval`` does, on read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from svcmonth import members, rules, storage, timeutil
from svcmonth.attachments import attachments_of
from svcmonth.campaigns import Campaign, zone_of
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output import columns as cols_
from svcmonth.output import csvio
from svcmonth.storage.audit import record
from svcmonth.text import check_text
from svcmonth.weeks import default_report_week

MAX_TITLE, MAX_URL = 500, 2000


class Duplicate(SvcmonthError):
    """A submission with the same member, column, title and instant is already logged
    (README, "Reliability and security review"): ``submit`` and ``submission edit`` refuse it,
    an import skips it. Decided by ``duplicate_of`` (the import's fast path compares
    ``duplicate_key``s and confirms by it)."""

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
    " AND title = ? AND submitted_at = ? AND id IS NOT ? ORDER BY id LIMIT 1"
)


def duplicate_key(member_id: int, column_name: str, title: str, at: str) -> tuple[Any, ...]:
    """What makes two submissions of one campaign the same one: member, column, cleaned
    title and the stored instant (SPEC.md, "CSV imports")."""
    return (member_id, column_name, title, at)


def duplicate_of(
    conn: sqlite3.Connection,
    campaign_id: int,
    member_id: int,
    column_name: str,
    title: str,
    at: str,
    *,
    other_than: int | None = None,
) -> int | None:
    """The id of the submission already logged with the same ``duplicate_key`` in the
    campaign (``other_than``: the one being corrected, left out), else None."""
    row = conn.execute(
        _DUPLICATE_SQL, (campaign_id, member_id, column_name, title, at, other_than)
    ).fetchone()
    return None if row is None else int(row[0])


def refuse_duplicate(
    conn: sqlite3.Connection,
    campaign_id: int,
    member_id: int,
    column_name: str,
    title: str,
    at: str,
    *,
    other_than: int | None = None,
) -> None:
    """``Duplicate`` naming the existing id when ``duplicate_of`` finds one: the one check of
    ``submit``, ``submission import``, ``submission edit`` and the mail intake."""
    found = duplicate_of(
        conn, campaign_id, member_id, column_name, title, at, other_than=other_than
    )
    if found is not None:
        raise Duplicate(found)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str


def column(conn: sqlite3.Connection, name: str) -> Column:
    """A column members submit to, or a clear error naming the ones they can."""
    name = (name or "").strip()
    row = storage.named(
        conn.execute("SELECT name, kind FROM column_def WHERE name = ?", (name,))
    ).fetchone()
    if row is None or row["kind"] == "association":
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
    return Column(row["name"], row["kind"])


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


def clean_author(author: str | None) -> str:
    """An author's name as typed (``--author``, a CSV's author): one line, no control
    character, at most ``members.MAX_TEXT`` characters; empty: the officer in office."""
    text = check_text(author, "author")
    if len(text) > members.MAX_TEXT:
        raise SvcmonthError(_("the author name is too long"))
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
            "SELECT DISTINCT week FROM submission WHERE campaign_id = ? AND member_id = ?"  # noqa: S608 (a fixed fragment)
            " AND kind = 'report' AND " + rules.COUNTS,
            (campaign_id, member_id),
        )
    }


def reported_weeks_all(conn: sqlite3.Connection, campaign_id: int) -> list[tuple[int, int]]:
    """``(member_id, week)`` of every report that counts in the campaign."""
    return conn.execute(
        "SELECT DISTINCT member_id, week FROM submission WHERE campaign_id = ?"  # noqa: S608 (a fixed fragment)
        " AND kind = 'report' AND " + rules.COUNTS,
        (campaign_id,),
    ).fetchall()


class _Lookup:
    """Where ``submit`` reads members, columns and reported weeks: the database."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def member(self, code: str) -> members.Member:
        return members.get_active(self.conn, code)

    def column(self, name: str) -> Column:
        return column(self.conn, name)

    def reported(self, campaign_id: int, member_id: int) -> set[int]:
        return reported_weeks(self.conn, campaign_id, member_id)

    def logged_report(self, campaign_id: int, member_id: int, week: int) -> None:
        """A report was logged (the database has it once it is inserted)."""

    def refuse_duplicate(
        self, campaign_id: int, member_id: int, col: str, title: str, at: str
    ) -> None:
        """``Duplicate`` when the database already holds this submission."""
        refuse_duplicate(self.conn, campaign_id, member_id, col, title, at)


class _ImportLookup(_Lookup):
    """The same answers for an import, each read from the database once (nothing else writes
    while the import holds the write lock): reported weeks also count the rows before."""

    def __init__(self, conn: sqlite3.Connection):
        super().__init__(conn)
        self.members: dict[str, members.Member] = {}
        self.columns: dict[str, Column] = {}
        self.weeks: dict[tuple[int, int], set[int]] = {}
        # per campaign: hashes of (member, column, title, instant) logged or read so far; a
        # hit is confirmed exactly (a hash is 8 bytes where the key is ~150: a 1M-row import)
        self.keys: dict[int, dict[int, int]] = {}
        self.pending: list[tuple[Any, ...]] = []  # the batch not yet inserted
        self.campaigns: set[int] = set()

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
        if campaign_id not in self.campaigns:
            # every member's reported weeks of the campaign in one read (a bulk load may
            # have dropped the index a query per member would use)
            self.campaigns.add(campaign_id)
            for member, week in reported_weeks_all(self.conn, campaign_id):
                self.weeks.setdefault((campaign_id, member), set()).add(week)
        return self.weeks.setdefault((campaign_id, member_id), set())

    def logged_report(self, campaign_id: int, member_id: int, week: int) -> None:
        self.reported(campaign_id, member_id).add(week)

    def refuse_duplicate(
        self, campaign_id: int, member_id: int, col: str, title: str, at: str
    ) -> None:
        known = self._known(campaign_id)
        key = hash(duplicate_key(member_id, col, title, at))
        found = known.get(key)
        if found is not None:
            if found:  # a row logged before this import: confirmed by its id (the rowid
                # needs no index, and a large load runs without the others)
                row = self.conn.execute(
                    "SELECT member_id, column_name, title, submitted_at FROM submission"
                    " WHERE id = ?",
                    (found,),
                ).fetchone()
                if row is not None and tuple(row) == duplicate_key(member_id, col, title, at):
                    raise Duplicate(found)
            if any(
                p[0] == campaign_id
                and p[1] == member_id
                and p[2] == col
                and p[4] == title
                and p[5] == at
                for p in self.pending
            ):
                raise Duplicate(None)
            super().refuse_duplicate(campaign_id, member_id, col, title, at)  # exact, rare
        known[key] = 0  # logged by this import

    def _known(self, campaign_id: int) -> dict[int, int]:
        """Hashes of ``(member, column, title, instant)`` of the campaign's submissions → id
        (0: logged by this import), read in one pass the first time the campaign is met."""
        known = self.keys.get(campaign_id)
        if known is None:
            known = self.keys[campaign_id] = {
                hash(duplicate_key(member, column, title, at)): id_
                for id_, member, column, title, at in self.conn.execute(
                    "SELECT id, member_id, column_name, title, submitted_at FROM submission"
                    " WHERE campaign_id = ?",
                    (campaign_id,),
                )
            }
        return known


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
    writer = clean_author(author)
    # no author named: stored empty, and the officer in office at the submission's instant is
    # its author on every read (rule 9; a late-recorded officer change re-attributes it)
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
IMPORT_IGNORED = ("kind", "on_time", "level", "status", "adopted_by", "points", "endorsed_by")
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
    place: Callable[[str, datetime], tuple[Campaign, datetime]],
    rows: Iterable[tuple[int, dict[str, str]]],
    now: datetime,
) -> tuple[list[tuple[int, str]], int]:
    """``import_submissions`` as ``(problems, rows written)``."""
    result = import_submissions(conn, place, rows, now)
    return result.problems, result.written


def import_submissions(
    conn: sqlite3.Connection,
    place: Callable[[str, datetime], tuple[Campaign, datetime]],
    rows: Iterable[tuple[int, dict[str, str]]],
    now: datetime,
) -> ImportResult:
    """Log submissions from ``(line, row)`` pairs inside the caller's transaction.

    ``place(submitted_at text, now)`` gives each row's campaign and instant (a
    ``campaigns.Placer`` built with ``submission=True``). Every row is checked as
    ``submit`` checks one; they are written in batches (``executemany``) until a row has a
    problem. A duplicate (README, "Reliability and security review") is skipped and
    counted. With any problem the caller rolls the whole import back.
    """
    problems: list[tuple[int, str]] = []
    written = skipped = 0
    batch: list[tuple[Any, ...]] = []
    lookup = _ImportLookup(conn)
    lookup.pending = batch
    logged_at = timeutil.to_db(now)
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
            campaign, instant = place(row.get("submitted_at") or "", now)
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
    row = storage.named(
        conn.execute(
            "SELECT e.*, m.code AS member FROM submission_eval e"
            " JOIN member m ON m.id = e.member_id WHERE e.id = ?",
            (submission_id,),
        )
    ).fetchone()
    if row is None:
        raise NotFound(_("no submission with id {id}").format(id=submission_id))
    return dict(row)


def local_day(conn: sqlite3.Connection, row: dict[str, Any]) -> date:
    """The day the submission ``row`` arrived, in its campaign's zone."""
    arrived = timeutil.from_db(row["submitted_at"])
    return arrived.astimezone(zone_of(conn, row["campaign_id"])).date()


def campaign_year(conn: sqlite3.Connection, submission_id: int) -> int:
    """The year of the submission's campaign."""
    row = get_row(conn, submission_id)
    start = conn.execute(
        "SELECT start_date FROM campaign WHERE id = ?", (row["campaign_id"],)
    ).fetchone()[0]
    return date.fromisoformat(start).year


def typed_day(
    conn: sqlite3.Connection, submission_ids: list[int], text: str, now: datetime
) -> date:
    """A day typed about submissions (``endorse``/``adopt``/``forward --on``): a date without
    a year (``7月20日``) is read in the year of their campaign, not of the current one. A day
    after today (in their campaigns' zones) is refused: what is recorded has happened."""
    years = {campaign_year(conn, sid) for sid in submission_ids}
    days = {timeutil.parse_date(text, year) for year in years} or {timeutil.parse_date(text)}
    if len(days) > 1:  # typed without a year, for submissions of campaigns of different years
        raise SvcmonthError(
            _(
                "the submissions belong to campaigns of different years; give the year in "
                "{text!r}, e.g. {example}"
            ).format(text=text, example=min(days).isoformat())
        )
    day = days.pop()
    zones = {zone_of(conn, get_row(conn, sid)["campaign_id"]) for sid in submission_ids}
    today = max((now.astimezone(z).date() for z in zones), default=now.date())
    if day > today:
        raise SvcmonthError(
            _("--on {day} is after today ({today}): record it on the day it happens").format(
                day=day.isoformat(), today=today.isoformat()
            )
        )
    return day


def refuse_adopted(conn: sqlite3.Connection, submission_id: int, action: str) -> None:
    """Rule 13: an adopted submission cannot be withdrawn or rejected (``action``: ``withdraw``
    or ``reject``) until the adoption is undone."""
    outlets = [
        r[0]
        for r in conn.execute(
            "SELECT outlet FROM adoption WHERE submission_id = ? ORDER BY id", (submission_id,)
        )
    ]
    if not outlets:
        return
    text = (
        _(
            "submission {id} was adopted by {outlets} and cannot be rejected; undo the "
            "adoption first (adopt {id} --outlet NAME --undo)"
        )
        if action == "reject"
        else _(
            "submission {id} was adopted by {outlets} and cannot be withdrawn; undo the "
            "adoption first (adopt {id} --outlet NAME --undo)"
        )
    )
    raise SvcmonthError(text.format(id=submission_id, outlets=", ".join(outlets)))


def refuse_adoption_before(
    conn: sqlite3.Connection,
    submission_id: int,
    arrived: date,
    adopted_on: date | None = None,
) -> None:
    """Rule 13: an adoption's date may not precede the day the submission arrived
    (``arrived``, in its campaign's zone). With ``adopted_on``, a new adoption's date is
    checked (``adopt``); without it, every recorded adoption against a corrected arrival
    (``submission edit --at``)."""
    if adopted_on is not None:
        if adopted_on < arrived:
            raise SvcmonthError(
                _(
                    "an adoption on {on} cannot precede the submission, which arrived on {day}"
                ).format(on=adopted_on.isoformat(), day=arrived.isoformat())
            )
        return
    early = storage.named(
        conn.execute(
            "SELECT outlet, adopted_on FROM adoption WHERE submission_id = ? AND adopted_on < ?"
            " ORDER BY adopted_on, id LIMIT 1",
            (submission_id, arrived.isoformat()),
        )
    ).fetchone()
    if early is not None:
        raise SvcmonthError(
            _(
                "submission {id} was adopted by {outlet} on {on}; it cannot have arrived later "
                "({day}); correct or undo the adoption first (adopt {id} --outlet NAME --undo)"
            ).format(
                id=submission_id,
                outlet=early["outlet"],
                on=early["adopted_on"],
                day=arrived.isoformat(),
            )
        )


_AUDITED = ("status", "level", "points", "on_time")


def _figures(row: dict[str, Any], *extra: str) -> dict[str, Any]:
    return {k: row[k] for k in (*_AUDITED, *extra)}


def withdraw(
    conn: sqlite3.Connection, submission_id: int, now: datetime, reason: str | None = None
) -> None:
    """Withdraw a submission: kept, shown, scores nothing."""
    row = get_row(conn, submission_id)
    if row["withdrawn_at"] is not None:
        raise SvcmonthError(_("submission {id} is already withdrawn").format(id=submission_id))
    refuse_adopted(conn, submission_id, "withdraw")
    why = clean_reason(reason)
    at = timeutil.to_db(now)
    conn.execute(
        "UPDATE submission SET withdrawn_at = ?, withdraw_reason = ? WHERE id = ?",
        (at, why, submission_id),
    )
    after = get_row(conn, submission_id)
    record(
        conn,
        at,
        "withdraw",
        "submission",
        submission_id,
        _figures(row, "withdraw_reason"),
        _figures(after, "withdraw_reason"),
    )


LIST = (
    cols_.Field("id", N_("ID"), "int"),
    cols_.MEMBER,
    cols_.COLUMN,
    cols_.KIND,
    cols_.TITLE,
    cols_.AUTHOR,
    cols_.SUBMITTED_AT,
    cols_.WEEK,
    cols_.Field("on_time", N_("On time"), "bool"),
    cols_.LEVEL,
    cols_.Field("status", N_("Status"), "grade_status"),
    cols_.ADOPTED_BY,
    cols_.POINTS,
    cols_.Field("url", N_("Link")),
    cols_.ENDORSED_BY,
)


def restore(conn: sqlite3.Connection, submission_id: int, now: datetime) -> dict[str, Any]:
    """Undo a withdrawal: the submission counts again (audited)."""
    row = get_row(conn, submission_id)
    if row["withdrawn_at"] is None:
        raise SvcmonthError(_("submission {id} is not withdrawn").format(id=submission_id))
    conn.execute(
        "UPDATE submission SET withdrawn_at = NULL, withdraw_reason = NULL WHERE id = ?",
        (submission_id,),
    )
    after = get_row(conn, submission_id)
    record(
        conn,
        timeutil.to_db(now),
        "restore",
        "submission",
        submission_id,
        _figures(row, "withdraw_reason"),
        _figures(after, "withdraw_reason"),
    )
    return after


def clean_reason(reason: str | None) -> str | None:
    """A reason typed by the clerk: one line, at most 500 characters; None when empty."""
    text = check_text(reason, "reason")
    if not text:
        return None
    if len(text) > MAX_TITLE:
        raise SvcmonthError(_("the reason must be one line of at most 500 characters"))
    return text


EDITABLE = ("member", "column", "title", "submitted_at", "week", "author", "url")


def edit(
    conn: sqlite3.Connection,
    submission_id: int,
    changes: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Correct a submission's stored fields (audited). ``changes`` holds only what changes:
    ``member`` (code), ``column``, ``title``, ``submitted_at`` (an instant), ``week``,
    ``author`` ('' : no author named, the officer in office then), ``url``.

    The submission stays in its campaign: a new instant before the campaign's first day, or
    inside another campaign's span, is refused. Every derived figure (on time, level, points,
    the week a report covers) follows on the next read.
    """
    from svcmonth import campaigns  # a cycle at import time otherwise

    row = get_row(conn, submission_id)
    campaign = campaigns.load_by_id(conn, row["campaign_id"])
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise SvcmonthError(_("cannot edit {fields}").format(fields=", ".join(sorted(unknown))))
    if not changes:
        raise SvcmonthError(_("nothing to change: give at least one field"))
    member_id = row["member_id"]
    if "member" in changes:
        member_id = members.get_active(conn, changes["member"]).id
    col = column(conn, changes.get("column", row["column_name"]))
    title = clean_title(changes.get("title", row["title"]))
    url = clean_url(changes.get("url", row["url"]))
    author = row["stored_author"]
    if "author" in changes:
        author = clean_author(changes["author"])
    at = row["submitted_at"]
    if "submitted_at" in changes:
        instant = changes["submitted_at"]
        at = timeutil.to_db(instant)
        campaigns.campaign_and_instant(conn, campaign.name, instant, now, submission=True)
        other = campaigns.campaign_containing(conn, at)
        if other is not None and other.id != campaign.id:
            raise SvcmonthError(
                _("{at} lies in campaign {name}; a submission stays in its campaign").format(
                    at=campaign.show(at), name=other.name
                )
            )
        refuse_adoption_before(conn, submission_id, instant.astimezone(campaign.tz).date())
    if (member_id, col.name, title, at) != (
        row["member_id"],
        row["column_name"],
        row["title"],
        row["submitted_at"],
    ):
        refuse_duplicate(
            conn, campaign.id, member_id, col.name, title, at, other_than=submission_id
        )
    week: int | None = None
    if col.kind == "report":
        if changes.get("week") is not None:
            week = campaign.week(changes["week"]).number
        elif row["kind"] == "report":
            week = row["week"]
        else:  # an article becomes a report: the week it covers by rule 4
            week = default_report_week(
                campaign.weeks, timeutil.from_db(at), reported_weeks(conn, campaign.id, member_id)
            )
    elif changes.get("week") is not None:
        raise SvcmonthError(
            _("--week is for reports only ({column} takes articles)").format(column=col.name)
        )
    conn.execute(
        "UPDATE submission SET member_id = ?, column_name = ?, kind = ?, title = ?,"
        " submitted_at = ?, week = ?, author = ?, url = ? WHERE id = ?",
        (member_id, col.name, col.kind, title, at, week, author, url, submission_id),
    )
    after = get_row(conn, submission_id)
    shown = ("member", "column_name", "title", "submitted_at", "week", "author", "url")
    record(
        conn,
        timeutil.to_db(now),
        "edit",
        "submission",
        submission_id,
        {**{k: row[k] for k in shown}, **_figures(row)},
        {**{k: after[k] for k in shown}, **_figures(after)},
    )
    return after


def attachments(conn: sqlite3.Connection, submission_id: int) -> list[dict[str, Any]]:
    """The files a submission came with by mail (``inbox accept`` links them)."""
    return attachments_of(conn, submission_id)


SHOW_KEYS = (
    "id",
    "campaign",
    "member",
    "column",
    "kind",
    "title",
    "author",
    "submitted_at",
    "week",
    "deadline",
    "on_time",
    "grade",
    "level",
    "status",
    "points",
    "reject_reason",
    "withdrawn_at",
    "withdraw_reason",
    "url",
    "logged_at",
)


def show(conn: sqlite3.Connection, submission_id: int) -> dict[str, Any]:
    """One submission: its fields and figures (SHOW_KEYS), then ``adoptions``,
    ``forwardings``, ``attachments`` and ``history`` (its audit trail), times in its
    campaign's zone."""
    from svcmonth import campaigns
    from svcmonth.storage import audit

    row = get_row(conn, submission_id)
    campaign = campaigns.load_by_id(conn, row["campaign_id"])
    shown = timeutil.shower(campaign.tz)
    out: dict[str, Any] = {
        **{k: row.get(k) for k in SHOW_KEYS},
        "campaign": campaign.name,
        "column": row["column_name"],
        "on_time": bool(row["on_time"]),
        "deadline": shown(row["deadline"]),
        "submitted_at": shown(row["submitted_at"]),
        "withdrawn_at": shown(row["withdrawn_at"]),
        "logged_at": shown(row["logged_at"]),
    }
    out["adoptions"] = [
        dict(r)
        for r in storage.named(
            conn.execute(
                "SELECT outlet, adopted_on FROM adoption WHERE submission_id = ? ORDER BY id",
                (submission_id,),
            )
        )
    ]
    out["forwardings"] = [
        dict(r)
        for r in storage.named(
            conn.execute(
                "SELECT body, forwarded_on FROM forwarding WHERE submission_id = ? ORDER BY id",
                (submission_id,),
            )
        )
    ]
    out["attachments"] = attachments(conn, submission_id)
    history = audit.entries(conn, "submission", str(submission_id))
    for h in history:
        h["at"] = shown(h["at"])
    out["history"] = history
    return out


def _listing_where(
    conn: sqlite3.Connection,
    campaign: Campaign,
    member: str | None,
    week: int | None,
    column_name: str | None,
    pending: bool,
    as_of: datetime | None,
) -> tuple[list[str], list[Any]]:
    """The conditions of ``listing`` (on ``submission_eval e``) and their values."""
    where = ["e.campaign_id = ?"]
    params: list[Any] = [campaign.id]
    if member:
        where.append("e.member_id = ?")
        params.append(members.get(conn, member).id)
    if column_name:
        where.append("e.column_name = ?")
        params.append(column(conn, column_name).name)
    if week is not None:
        start, end = campaign.article_week(week)
        where.append(
            "((e.kind = 'report' AND e.week = ?)"
            " OR (e.kind = 'article' AND e.submitted_at >= ? AND e.submitted_at < ?))"
        )
        params += [week, start, end]
    if pending:
        where.append("e.status = 'pending'")
    if as_of is not None:
        where.append("e.submitted_at <= ?")
        params.append(timeutil.to_db(as_of))
    return where, params


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
    where, params = _listing_where(conn, campaign, member, week, column_name, pending, as_of)
    sql = (
        "SELECT e.id, m.code, e.column_name, e.kind, e.title, e.author, e.submitted_at,"  # noqa: S608 (fixed fragments; values bound)
        " e.week, e.on_time, e.level, e.status,"
        " (SELECT group_concat(a.outlet, ';') FROM (SELECT outlet FROM adoption"
        "   WHERE submission_id = e.id ORDER BY id) a) AS adopted_by,"
        " e.points, e.url,"
        " (SELECT group_concat(n.by, ';') FROM (SELECT by FROM endorsements"
        "   WHERE submission_id = e.id ORDER BY id) n) AS endorsed_by"
        " FROM submission_eval e JOIN member m ON m.id = e.member_id"
        " WHERE " + " AND ".join(where) + " ORDER BY e.id"
    )
    show = timeutil.shower(campaign.tz)
    # each row unpacked by name, in the SELECT's order (a tuple: a million rows stream fast)
    for (
        sid, code, column_name, kind, title, author, submitted_at, week,
        on_time, level, status, adopted_by, points, url, endorsed_by,
    ) in conn.execute(sql, params):  # fmt: skip
        yield {
            "id": sid,
            "member": code,
            "column": column_name,
            "kind": kind,
            "title": title,
            "author": author,
            "submitted_at": show(submitted_at) or "",
            "week": week,
            "on_time": bool(on_time),
            "level": level,
            "status": status,
            "adopted_by": adopted_by.split(";") if adopted_by else [],
            "points": points,
            "url": url,
            "endorsed_by": endorsed_by.split(";") if endorsed_by else [],
        }


def _inert_sql(expr: str) -> str:
    """``csvio.inert`` in SQL: a text a spreadsheet would run as a formula gets a ``'``."""
    first = ", ".join(f"char({ord(c)})" for c in (*csvio.DANGEROUS_START, "'"))
    return f"CASE WHEN substr({expr}, 1, 1) IN ({first}) THEN char(39) || {expr} ELSE {expr} END"


def export_rows(
    conn: sqlite3.Connection,
    campaign: Campaign,
    *,
    member: str | None = None,
    week: int | None = None,
    column_name: str | None = None,
    pending: bool = False,
    as_of: datetime | None = None,
) -> Iterator[tuple[Any, ...]] | None:
    """``listing`` as the CSV cells ``csvio.write`` makes of it (the columns of ``LIST``),
    one tuple a row straight from SQLite: local times, ``true``/``false``, the outlets
    joined with ``;`` and every text made inert are computed in SQL, so a million rows
    stream with no Python work per row (``kind`` and ``status`` are words of
    docs/commands.md and never need the ``'``). None when SQL cannot give the same bytes (the
    zone's offset changes too often over the campaign's instants, or an outlet's name
    holds ``;``): the caller then renders ``listing``."""
    where, params = _listing_where(conn, campaign, member, week, column_name, pending, as_of)
    if member is None:
        # read the table in id order (unary + keeps the campaign's index out): no sort of a
        # million wide rows, no lookup from the index into the table for each row
        where[0] = "+" + where[0]
    first, last = conn.execute(
        "SELECT min(submitted_at), max(submitted_at) FROM submission WHERE campaign_id = ?",
        (campaign.id,),
    ).fetchone()
    if first is None:
        return iter(())
    local = timeutil.show_sql("e.submitted_at", campaign.tz, first, last)
    if (
        local is None
        or conn.execute("SELECT 1 FROM adoption WHERE instr(outlet, ';') > 0 LIMIT 1").fetchone()
        or conn.execute("SELECT 1 FROM endorsements WHERE instr(by, ';') > 0 LIMIT 1").fetchone()
    ):
        return None
    outlets = (
        "(SELECT group_concat(a.o, ';') FROM (SELECT "  # noqa: S608 (a fixed fragment)
        + _inert_sql("outlet")
        + " AS o FROM adoption WHERE submission_id = e.id ORDER BY id) a)"
    )
    sql = (
        f"SELECT e.id, {_inert_sql('m.code')}, {_inert_sql('e.column_name')},"  # noqa: S608 (fixed fragments; values bound)
        f" e.kind, {_inert_sql('e.title')}, {_inert_sql('e.author')},"
        f" {local}, e.week, CASE WHEN e.on_time THEN 'true' ELSE 'false' END, e.level,"
        f" e.status, {outlets}, e.points, {_inert_sql('e.url')},"
        " (SELECT group_concat(n.b, ';') FROM (SELECT "  # noqa: S608 (a fixed fragment)
        + _inert_sql("by")
        + " AS b FROM endorsements WHERE submission_id = e.id ORDER BY id) n)"
        " FROM submission_eval e JOIN member m ON m.id = e.member_id"
        " WHERE " + " AND ".join(where) + " ORDER BY e.id"
    )
    return conn.execute(sql, params)
