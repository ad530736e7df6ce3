"""Mail intake (README, "Mail intake"): messages become entries, entries become submissions.

Each message read (from IMAP or saved mail) becomes one ``intake`` entry, once (its
Message-ID, else its content hash, is unique). An entry is **placed**: its member (the
sender's address against every officer e-mail a member has had, and the addresses the clerk
remembered), its column and week (from the subject), its title and the campaign whose span
holds its arrival. Its status says what is missing:

- ``ignored``: an auto-reply, a bounce, mail from the association's own address, or set aside;
- ``unmatched``: no member for the sender (``inbox assign``);
- ``needs_column``: no column in the subject (``inbox assign --column``);
- ``no_campaign``: it arrived in no campaign's span (docs/rules.md); only ``inbox accept ID
  --campaign NAME`` logs it, deliberately;
- ``ready``: ``inbox accept`` makes it a submission (``submitted_at`` = its arrival);
- ``accepted``: done; its attachments are linked to the submission;
- ``unreadable``: the message could not be read (broken MIME, no headers, no time): its raw
  bytes are its one attachment (``message.eml``), and intake went on past it;
- ``needs_review``: ``inbox accept`` could not log it (a duplicate of a submission typed in,
  a report with no week left); ``note`` says why. ``inbox assign ID --week N`` or
  ``--submission SID`` resolves it (or ``inbox ignore``); it is not placed again.

Open entries (not ignored, not accepted) are placed again by every intake and accept, so a
member's e-mail added later, or a campaign created later, makes them ready.

Attachments are saved through ``svcmonth.attachments`` under ``attachments/`` beside the
database, one new folder per entry, names made safe, files owner-only, moved into place just
before the commit; one over the size limit is left out (the entry says so).

**Receipts** (``--ack``) are sent by ``mail/receipts.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from svcmonth import campaigns, members, storage, submissions, timeutil
from svcmonth.attachments import Store, safe_name, save_file
from svcmonth.campaigns import Campaign
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.mail.mailparse import (
    MailError,
    Parsed,
    clean_text,
    content_keys,
    decode_header,
    parse,
    raw_header,
    subject_column,
    subject_title,
    subject_week,
)
from svcmonth.output import columns as col
from svcmonth.storage.audit import record
from svcmonth.weeks import default_report_week

# `inbox list`: the JSON keys, with the labels and value kinds people read them by
LIST_COLUMNS = (
    col.Field("id", N_("ID"), "int"),
    col.Field("message_id", N_("Message-ID")),
    col.Field("from", N_("From")),
    col.SUBJECT,
    col.Field("arrived_at", N_("Arrived"), "arrival"),  # to the second when not :00
    col.Field("arrival_source", N_("Arrival from"), "arrival_source"),
    col.MEMBER,
    col.COLUMN,
    col.KIND,
    col.WEEK,
    col.TITLE,
    col.Field("attachments", N_("Attachments"), "list"),
    col.Field("status", N_("Status"), "intake_status"),
    col.Field("note", N_("Note")),
)
STATUSES = (
    "ready",
    "unmatched",
    "needs_column",
    "no_campaign",
    "needs_review",
    "unreadable",
    "ignored",
    "accepted",
)
OPEN = ("ready", "unmatched", "needs_column", "no_campaign")
DEFAULT_MAX_MB = 25.0
RECEIPT_HEADER = "X-Svcmonth-Receipt"
RAW_NAME = "message.eml"  # an unreadable message's bytes, kept as its one attachment
SINCE_DAYS = 30


@dataclass(frozen=True)
class Settings:
    """What intake takes from the environment: the attachment limit and our own addresses."""

    max_mb: float = DEFAULT_MAX_MB
    own: frozenset[str] = frozenset()

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)


def settings_from_env(env: Mapping[str, str]) -> Settings:
    """``SVCMONTH_INBOX_MAX_MB`` (MiB, default 25); own addresses from ``SVCMONTH_SMTP_FROM``
    and ``SVCMONTH_IMAP_USER``."""
    text = (env.get("SVCMONTH_INBOX_MAX_MB") or "").strip()
    try:
        mb = float(text) if text else DEFAULT_MAX_MB
        if not 0 < mb < 1e6:
            raise ValueError(text)
    except ValueError:
        raise SvcmonthError(
            _("SVCMONTH_INBOX_MAX_MB={value!r} is not a size in MiB").format(value=text)
        ) from None
    own = set()
    for var in ("SVCMONTH_SMTP_FROM", "SVCMONTH_IMAP_USER", "SVCMONTH_SMTP_USER"):
        address = parseaddr(env.get(var) or "")[1].strip().lower()
        if "@" in address:
            own.add(address)
    return Settings(mb, frozenset(own))


def default_since(conn: sqlite3.Connection, now: datetime) -> date:
    """Where a folder's first ``inbox fetch`` starts: the earlier of 30 days before ``now`` and
    the first day of the campaign in progress."""
    day = (now - timedelta(days=SINCE_DAYS)).date()
    running = campaigns.campaign_containing(conn, timeutil.to_db(now))
    if running is not None:
        day = min(day, running.start)
    return day


# --- placing an entry -------------------------------------------------------------------------


class _Placer:
    """What placing entries needs, read once per run."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.kinds: dict[str, str] = dict(
            conn.execute(
                "SELECT name, kind FROM column_def WHERE kind <> 'association' ORDER BY sort, name"
            )
        )
        self.columns = sorted(self.kinds, key=len, reverse=True)  # 先进事迹 before 事迹
        self.report_column = next((n for n, kind in self.kinds.items() if kind == "report"), None)
        by_address: dict[str, set[int]] = {}
        for address, member_id in conn.execute(
            "SELECT lower(trim(o.email)), o.member_id FROM officer o JOIN member m"
            " ON m.id = o.member_id WHERE m.active = 1 AND o.email <> ''"
        ):
            by_address.setdefault(address, set()).add(member_id)
        self.officers = {a: next(iter(ids)) for a, ids in by_address.items() if len(ids) == 1}
        self.remembered = dict(
            conn.execute(
                "SELECT s.address, s.member_id FROM inbox_sender s JOIN member m"
                " ON m.id = s.member_id WHERE m.active = 1"
            ).fetchall()
        )
        self.campaigns: dict[int, Campaign] = {}

    def member(self, address: str) -> tuple[int | None, str | None]:
        if address in self.remembered:
            return self.remembered[address], "remembered"
        if address in self.officers:
            return self.officers[address], "address"
        return None, None

    def campaign(self, instant: datetime) -> Campaign | None:
        found = campaigns.campaign_containing(self.conn, timeutil.to_db(instant))
        if found is not None:
            found = self.campaigns.setdefault(found.id, found)
        return found

    def place(self, entry_id: int) -> None:
        """Work out (again) an open entry's member, column, week, title, campaign and status."""
        e = _entry(self.conn, entry_id)
        if e["status"] not in OPEN:
            return
        member_id, member_by = e["member_id"], e["member_by"]
        if member_by != "assigned":
            member_id, member_by = self.member(e["sender"])
        column, column_by = e["column_name"], e["column_by"]
        if column_by != "assigned":
            column = subject_column(e["subject"], self.columns, self.report_column)
            column_by = "subject" if column else None
        title = subject_title(e["subject"], self.columns)
        if not title:
            first = self.conn.execute(
                "SELECT file_name FROM attachment WHERE intake_id = ? ORDER BY id LIMIT 1",
                (entry_id,),
            ).fetchone()
            title = Path(first[0]).stem if first else ""
        title = title or e["subject"] or _("(no subject)")
        arrived = timeutil.from_db(e["arrived_at"])
        campaign = self.campaign(arrived)
        week, from_subject = None, 0
        if column and self.kinds.get(column) == "report" and campaign is not None:
            named = subject_week(e["subject"])
            if named is not None and 1 <= named <= len(campaign.weeks):
                week, from_subject = named, 1
            elif member_id is not None:
                reported = submissions.reported_weeks(self.conn, campaign.id, member_id)
                try:
                    week = default_report_week(campaign.weeks, arrived, reported)
                except SvcmonthError:
                    week = None
        if member_id is None:
            status = "unmatched"
        elif column is None:
            status = "needs_column"
        elif campaign is None:
            status = "no_campaign"
        else:
            status = "ready"
        self.conn.execute(
            "UPDATE intake SET member_id = ?, member_by = ?, column_name = ?, column_by = ?,"
            " campaign_id = ?, week = ?, week_from_subject = ?, title = ?, status = ?"
            " WHERE id = ?",
            (
                member_id,
                member_by,
                column,
                column_by,
                campaign.id if campaign else None,
                week,
                from_subject,
                title[: submissions.MAX_TITLE],
                status,
                entry_id,
            ),
        )


def _entry(conn: sqlite3.Connection, entry_id: int) -> dict[str, Any]:
    row = storage.named(conn.execute("SELECT * FROM intake WHERE id = ?", (entry_id,))).fetchone()
    if row is None:
        raise NotFound(_("no inbox entry with id {id}").format(id=entry_id))
    return dict(row)


def refresh(conn: sqlite3.Connection) -> None:
    """Place every open entry again (inside the caller's transaction)."""
    placer = _Placer(conn)
    for (entry_id,) in conn.execute(
        "SELECT id FROM intake WHERE status IN ('ready', 'unmatched', 'needs_column',"
        " 'no_campaign') ORDER BY id"
    ).fetchall():
        placer.place(entry_id)


# --- storing a message -----------------------------------------------------------------------


@dataclass
class Intake:
    """What one run of ``fetch``/``import`` did; ``files`` are the attachments of its open
    transaction (moved into place before its commit, removed if it is rolled back);
    ``progress`` is called once per message read (the command's progress bar)."""

    root: Path
    settings: Settings
    now: datetime
    new: list[int] = field(default_factory=list)
    skipped: int = 0
    left_out: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    progress: Callable[[int | None], None] | None = None
    files: Store = field(init=False)

    def __post_init__(self) -> None:
        self.files = Store(self.root)

    def discard_files(self) -> None:
        """Remove the folders this run's open transaction made (it was rolled back)."""
        self.files.discard()

    def step(self, total: int | None = None) -> None:
        if self.progress is not None:
            self.progress(total)


def store(
    conn: sqlite3.Connection, run: Intake, parsed: Parsed, source: str, origin: str
) -> int | None:
    """Add one message as an entry (inside the caller's transaction); None if seen before."""
    if _seen(conn, (parsed.key, *parsed.seen_as)):
        run.skipped += 1
        return None
    reason = parsed.auto
    if not reason and parsed.sender and parsed.sender in run.settings.own:
        reason = _("our own address")
    at = timeutil.to_db(run.now)
    cur = conn.execute(
        "INSERT INTO intake (message_key, message_id, source, origin, sender, sender_name,"
        " subject, body, arrived_at, arrival_source, sent_at, status, note, read_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            parsed.key,
            parsed.message_id,
            source,
            origin,
            parsed.sender,
            parsed.sender_name[: members.MAX_TEXT],
            parsed.subject[:1000],
            parsed.body,
            timeutil.to_db(parsed.arrived_at),
            parsed.arrival_source,
            timeutil.to_db(parsed.sent_at) if parsed.sent_at else None,
            "ignored" if reason else "unmatched",
            _("ignored: {reason}").format(reason=_(reason)) if reason else "",
            at,
        ),
    )
    entry_id = cur.lastrowid
    assert entry_id is not None
    notes = _save_attachments(conn, run, entry_id, parsed)
    if notes:
        conn.execute(
            "UPDATE intake SET note = trim(note || ' ' || ?) WHERE id = ?",
            ("; ".join(notes), entry_id),
        )
    if not reason:
        _Placer(conn).place(entry_id)
    row = _entry(conn, entry_id)
    record(
        conn,
        at,
        "receive",
        "intake",
        entry_id,
        None,
        {
            "from": parsed.sender,
            "subject": parsed.subject,
            "arrived_at": row["arrived_at"],
            "arrival_source": parsed.arrival_source,
            "status": row["status"],
        },
    )
    run.new.append(entry_id)
    return entry_id


def _seen(conn: sqlite3.Connection, keys: tuple[str, ...]) -> bool:
    """Whether a message stored under any of ``keys`` was read before."""
    marks = ", ".join("?" * len(keys))
    sql = f"SELECT 1 FROM intake WHERE message_key IN ({marks})"  # noqa: S608 (placeholders)
    return conn.execute(sql, keys).fetchone() is not None


def _best_effort(raw: bytes) -> tuple[str, str, str]:
    """The sender, sender's name and subject of a message that cannot be read, as far as they
    can be told ("" where they cannot)."""
    import email
    import email.policy
    from email.utils import getaddresses

    try:
        msg = email.message_from_bytes(raw[:200_000], policy=email.policy.compat32)
        subject = clean_text(decode_header(raw_header(msg, "Subject")))
        pairs = getaddresses([clean_text(decode_header(raw_header(msg, "From")))])
        name, address = pairs[0] if pairs else ("", "")
        address = address.strip().lower()
        if "@" not in address or address != clean_text(address):
            address = ""
        return address, clean_text(name), subject
    except Exception:  # noqa: BLE001 (nothing more can be told of it)
        return "", "", ""


def store_unreadable(
    conn: sqlite3.Connection,
    run: Intake,
    raw: bytes,
    reason: str,
    source: str,
    origin: str,
    internaldate: datetime | None = None,
) -> int | None:
    """Keep a message that cannot be read (inside the caller's transaction) as an
    ``unreadable`` entry, its raw bytes its one attachment; None if seen before."""
    key, exact = content_keys(raw)
    if _seen(conn, (key, exact)):
        run.skipped += 1
        return None
    sender, name, subject = _best_effort(raw)
    at = timeutil.to_db(run.now)
    arrived, arrival_source = (internaldate, "internaldate") if internaldate else (run.now, "read")
    note = _("cannot be read: {reason}").format(reason=reason)
    cur = conn.execute(
        "INSERT INTO intake (message_key, message_id, source, origin, sender, sender_name,"
        " subject, arrived_at, arrival_source, status, note, title, read_at)"
        " VALUES (?, '', ?, ?, ?, ?, ?, ?, ?, 'unreadable', ?, ?, ?)",
        (
            key,
            source,
            origin,
            sender,
            name[: members.MAX_TEXT],
            subject[:1000],
            timeutil.to_db(arrived),
            arrival_source,
            note,
            subject[: submissions.MAX_TITLE],
            at,
        ),
    )
    entry_id = cur.lastrowid
    assert entry_id is not None
    save_file(
        conn, run.files, str(entry_id), key, RAW_NAME, raw, "message/rfc822", intake_id=entry_id
    )
    record(
        conn,
        at,
        "receive",
        "intake",
        entry_id,
        None,
        {"from": sender, "subject": subject, "status": "unreadable", "reason": reason},
    )
    run.new.append(entry_id)
    run.unreadable.append(f"{entry_id}: {origin}: {reason}")
    return entry_id


def _save_attachments(
    conn: sqlite3.Connection, run: Intake, entry_id: int, parsed: Parsed
) -> list[str]:
    notes: list[str] = []
    if not parsed.attachments:
        return notes
    limit_mb = run.settings.max_mb
    used: set[str] = set()
    for a in parsed.attachments:
        if len(a.data) > run.settings.max_bytes:
            name = safe_name(a.name, a.content_type, used)
            note = _("{name} left out: {size:.1f} MiB, over the {limit:g} MiB limit").format(
                name=name, size=len(a.data) / (1024 * 1024), limit=limit_mb
            )
            notes.append(note)
            run.left_out.append(f"{entry_id}: {note}")
            continue
        saved = save_file(
            conn,
            run.files,
            str(entry_id),
            parsed.key,
            a.name,
            a.data,
            a.content_type,
            intake_id=entry_id,
        )
        used.add(saved.file_name.casefold())
    return notes


# --- reading entries -------------------------------------------------------------------------


def _zone(
    conn: sqlite3.Connection, campaign_id: int | None, cache: dict[int, ZoneInfo]
) -> ZoneInfo:
    if campaign_id is None:
        return campaigns.zone_for_display(conn)
    if campaign_id not in cache:
        cache[campaign_id] = campaigns.zone_of(conn, campaign_id)
    return cache[campaign_id]


def status_key(text: str) -> str:
    """A status as the clerk typed it: its key (``unmatched``) or its label in Chinese or
    English (``未识别单位``, ``needs column``); an unknown one lists the accepted labels in the
    interface language."""
    wanted = " ".join(text.split()).casefold()
    for key in STATUSES:
        label = col.VALUES["intake_status"].get(key, key)
        if wanted in (key, label.casefold(), _(label).casefold()):
            return key
    raise SvcmonthError(
        _("unknown status {status!r} (one of: {known})").format(
            status=text,
            known=_(", ").join(col.value_name("intake_status", k) for k in STATUSES),
        )
    )


def listing(conn: sqlite3.Connection, status: str | None = None) -> list[dict[str, Any]]:
    """Every entry (or those with ``status``: a key or its label), oldest first, with the
    JSON keys."""
    if status is not None:
        status = status_key(status)
    sql = (
        "SELECT i.id, i.message_id, i.sender, i.subject, i.arrived_at, i.arrival_source,"
        " m.code, i.column_name, c.kind, i.week, i.title, i.status, i.note, i.campaign_id,"
        " (SELECT group_concat(file_name, char(31)) FROM"
        "   (SELECT file_name FROM attachment WHERE intake_id = i.id ORDER BY id)) AS attachments"
        " FROM intake i LEFT JOIN member m ON m.id = i.member_id"
        " LEFT JOIN column_def c ON c.name = i.column_name"
    )
    params: list[Any] = []
    if status:
        sql += " WHERE i.status = ?"
        params.append(status)
    zones: dict[int, ZoneInfo] = {}
    out = []
    for r in storage.named(conn.execute(sql + " ORDER BY i.id", params)).fetchall():
        out.append(
            {
                "id": r["id"],
                "message_id": r["message_id"],
                "from": r["sender"],
                "subject": r["subject"],
                "arrived_at": timeutil.show(r["arrived_at"], _zone(conn, r["campaign_id"], zones)),
                "arrival_source": r["arrival_source"],
                "member": r["code"],
                "column": r["column_name"],
                "kind": r["kind"],
                "week": r["week"],
                "title": r["title"],
                "attachments": r["attachments"].split("\x1f") if r["attachments"] else [],
                "status": r["status"],
                "note": r["note"],
            }
        )
    return out


# --- the clerk's decisions -------------------------------------------------------------------


def _open_entry(conn: sqlite3.Connection, entry_id: int) -> dict[str, Any]:
    e = _entry(conn, entry_id)
    if e["status"] == "accepted":
        raise SvcmonthError(
            _("inbox entry {id} is already accepted (submission {sid})").format(
                id=entry_id, sid=e["submission_id"]
            )
        )
    return e


def _snapshot(conn: sqlite3.Connection, entry_id: int) -> dict[str, Any]:
    row = conn.execute(
        "SELECT m.code, i.column_name, i.week, i.status, i.submission_id FROM intake i"
        " LEFT JOIN member m ON m.id = i.member_id WHERE i.id = ?",
        (entry_id,),
    ).fetchone()
    return dict(zip(("member", "column", "week", "status", "submission"), row, strict=True))


def assign(
    conn: sqlite3.Connection,
    entry_id: int,
    code: str | None,
    column_name: str | None,
    remember: bool,
    now: datetime,
    *,
    week: int | None = None,
    submission_id: int | None = None,
) -> dict[str, Any]:
    """Set an entry's member (and column); ``remember`` maps its sender to the member.

    ``week``: log the entry now, as that week's report (what resolves a report with no week
    left). ``submission_id``: the mail is that submission (typed in by hand): its attachments
    join it and the entry is accepted."""
    e = _open_entry(conn, entry_id)
    if submission_id is not None:
        if code is not None or column_name is not None or week is not None or remember:
            raise SvcmonthError(_("--submission goes alone: the submission says the rest"))
        return _assign_submission(conn, e, submission_id, now)
    if code is None and column_name is None and week is None:
        raise SvcmonthError(_("give --member, --column, --week or --submission"))
    if e["status"] == "unreadable":
        raise SvcmonthError(
            _(
                "inbox entry {id} could not be read; log it by hand (submit) and give "
                "inbox assign {id} --submission ID, or inbox ignore {id}"
            ).format(id=entry_id)
        )
    if code is None and column_name is None:
        assert week is not None
        return _assign_week(conn, e, week, now)
    if remember and code is None:
        raise SvcmonthError(_("--remember needs --member"))
    before = _snapshot(conn, entry_id)
    at = timeutil.to_db(now)
    sets: list[str] = []
    params: list[Any] = []
    if code is not None:
        member = members.get_active(conn, code)
        sets += ["member_id = ?", "member_by = 'assigned'"]
        params.append(member.id)
        if remember:
            address = e["sender"]
            members.validate({"email": address})  # the member e-mail check
            if not address:
                raise SvcmonthError(_("entry {id} has no sender address").format(id=entry_id))
            old = conn.execute(
                "SELECT m.code FROM inbox_sender s JOIN member m ON m.id = s.member_id"
                " WHERE s.address = ?",
                (address,),
            ).fetchone()
            conn.execute(
                "INSERT INTO inbox_sender (address, member_id, remembered_at) VALUES (?, ?, ?)"
                " ON CONFLICT (address) DO UPDATE SET member_id = excluded.member_id,"
                " remembered_at = excluded.remembered_at",
                (address, member.id, at),
            )
            record(
                conn,
                at,
                "remember",
                "inbox_sender",
                address,
                {"member": old[0]} if old else None,
                {"member": member.code},
            )
    if column_name is not None:
        col = submissions.column(conn, column_name)
        sets += ["column_name = ?", "column_by = 'assigned'"]
        params.append(col.name)
    if e["status"] in ("ignored", "needs_review"):
        sets.append("status = 'unmatched'")  # placed again just below
    conn.execute(
        "UPDATE intake SET " + ", ".join(sets) + " WHERE id = ?",  # noqa: S608 (fixed fragments)
        (*params, entry_id),
    )
    refresh(conn)
    after = _snapshot(conn, entry_id)
    record(conn, at, "assign", "intake", entry_id, before, after)
    if week is not None:
        return _assign_week(conn, _entry(conn, entry_id), week, now)
    return after


def _assign_week(
    conn: sqlite3.Connection, e: dict[str, Any], week: int, now: datetime
) -> dict[str, Any]:
    """Log a report entry now as week ``week``'s report."""
    entry_id = e["id"]
    if e["status"] == "needs_review":
        conn.execute("UPDATE intake SET status = 'unmatched' WHERE id = ?", (entry_id,))
        _Placer(conn).place(entry_id)
        e = _entry(conn, entry_id)
    if e["status"] != "ready":
        raise SvcmonthError(
            _("inbox entry {id} is not ready (status {status})").format(
                id=entry_id, status=col.value_name("intake_status", e["status"])
            )
        )
    kind = conn.execute(
        "SELECT kind FROM column_def WHERE name = ?", (e["column_name"],)
    ).fetchone()
    if not kind or kind[0] != "report":
        raise SvcmonthError(
            _("--week is for reports only ({column} takes articles)").format(
                column=e["column_name"]
            )
        )
    try:
        _log(conn, e, now, None, week, False, "accept")
    except SvcmonthError as exc:
        raise SvcmonthError(
            _("inbox entry {id}: {reason}").format(id=entry_id, reason=exc)
        ) from None
    return _snapshot(conn, entry_id)


def _assign_submission(
    conn: sqlite3.Connection, e: dict[str, Any], submission_id: int, now: datetime
) -> dict[str, Any]:
    """The entry is submission ``submission_id``: its attachments join it, it is accepted."""
    entry_id = e["id"]
    s = submissions.get_row(conn, submission_id)
    if s["status"] in ("withdrawn", "rejected"):  # the mail would vanish into a dead record
        raise SvcmonthError(
            _(
                "submission {sid} is {status}: restore it first (submission restore / grade "
                "--clear), or set the mail aside with inbox ignore {id}"
            ).format(
                sid=submission_id, status=col.value_name("grade_status", s["status"]), id=entry_id
            )
        )
    other = conn.execute(
        "SELECT id FROM intake WHERE submission_id = ?", (submission_id,)
    ).fetchone()
    if other is not None:
        raise SvcmonthError(
            _("submission {sid} already came from inbox entry {other}").format(
                sid=submission_id, other=other[0]
            )
        )
    if e["member_id"] is not None and e["member_id"] != s["member_id"]:
        mine = conn.execute("SELECT code FROM member WHERE id = ?", (e["member_id"],)).fetchone()
        raise SvcmonthError(
            _(
                "inbox entry {id} came from {member}, submission {sid} is {other}'s; "
                "give inbox assign {id} --member {other} first if the mail is theirs"
            ).format(id=entry_id, member=mine[0], sid=submission_id, other=s["member"])
        )
    before = _snapshot(conn, entry_id)
    member_id = s["member_id"]
    conn.execute(
        "UPDATE intake SET status = 'accepted', submission_id = ?, campaign_id = ?,"
        " member_id = ?, member_by = coalesce(member_by, 'assigned'), note = ? WHERE id = ?",
        (
            submission_id,
            s["campaign_id"],
            member_id,
            _("is submission {sid}").format(sid=submission_id),
            entry_id,
        ),
    )
    conn.execute(
        "UPDATE attachment SET submission_id = ? WHERE intake_id = ?", (submission_id, entry_id)
    )
    after = _snapshot(conn, entry_id)
    record(conn, timeutil.to_db(now), "assign", "intake", entry_id, before, after)
    return after


def ignore(conn: sqlite3.Connection, entry_id: int, now: datetime) -> None:
    """Set an entry aside: it stays listed, and is never accepted."""
    e = _open_entry(conn, entry_id)
    if e["status"] == "ignored":
        return
    before = _snapshot(conn, entry_id)
    note = conn.execute("SELECT note FROM intake WHERE id = ?", (entry_id,)).fetchone()[0]
    by_hand = _("ignored by hand")
    note = _("{first}; {then}").format(first=by_hand, then=note) if note else by_hand
    conn.execute("UPDATE intake SET status = 'ignored', note = ? WHERE id = ?", (note, entry_id))
    record(
        conn, timeutil.to_db(now), "ignore", "intake", entry_id, before, _snapshot(conn, entry_id)
    )


@dataclass
class Accepted:
    """What ``accept`` did: the new submission ids, and the entries it could not log
    (``(entry id, reason)``: now ``needs_review``)."""

    submissions: list[int] = field(default_factory=list)
    review: list[tuple[int, str]] = field(default_factory=list)


def accept(
    conn: sqlite3.Connection,
    ids: Iterable[int],
    now: datetime,
    *,
    campaign_name: str | None = None,
    ack: bool = False,
) -> Accepted:
    """Make ready entries submissions (inside the caller's transaction); the ids given, else
    every ready one. A given id that is not ready is an error (and the caller rolls
    everything back). An entry that cannot be logged (a duplicate of a submission already
    typed in, a report with no week left) becomes ``needs_review`` with the reason in its
    note, and the others are accepted. ``campaign_name`` logs entries that arrived in no
    campaign's span into that campaign (never before its first day)."""
    refresh(conn)
    wanted = list(dict.fromkeys(ids))
    named = campaigns.load(conn, campaign_name) if campaign_name else None
    if named is not None and not wanted:
        raise SvcmonthError(_("--campaign needs the ids of the entries to log in it"))
    if not wanted:
        wanted = [
            r[0] for r in conn.execute("SELECT id FROM intake WHERE status = 'ready' ORDER BY id")
        ]
    done = Accepted()
    for entry_id in wanted:
        e = _entry(conn, entry_id)
        allowed = ("ready", "no_campaign") if named is not None else ("ready",)
        if e["status"] not in allowed:
            if e["status"] == "no_campaign":
                raise SvcmonthError(
                    _(
                        "inbox entry {id} arrived at {at}, in no campaign's span; give "
                        "--campaign NAME to log it in one deliberately"
                    ).format(
                        id=entry_id,
                        at=timeutil.from_db(e["arrived_at"])
                        .astimezone(campaigns.zone_for_display(conn))
                        .strftime("%Y-%m-%d %H:%M:%S"),
                    )
                )
            raise SvcmonthError(
                _("inbox entry {id} is not ready (status {status})").format(
                    id=entry_id, status=col.value_name("intake_status", e["status"])
                )
            )
        week = e["week"] if e["week_from_subject"] and named is None else None
        conn.execute("SAVEPOINT accept_entry")
        try:
            sid = _log(conn, e, now, campaign_name, week, ack, "accept")
        except SvcmonthError as exc:
            conn.execute("ROLLBACK TO accept_entry")
            conn.execute("RELEASE accept_entry")
            if named is not None:  # the clerk's deliberate choice: told, not set aside
                raise SvcmonthError(
                    _("inbox entry {id}: {reason}").format(id=entry_id, reason=exc)
                ) from None
            reason = _review_reason(conn, e, exc)
            _needs_review(conn, entry_id, reason, now)
            done.review.append((entry_id, reason))
            continue
        conn.execute("RELEASE accept_entry")
        done.submissions.append(sid)
    return done


def _log(
    conn: sqlite3.Connection,
    e: dict[str, Any],
    now: datetime,
    campaign_name: str | None,
    week: int | None,
    ack: bool,
    action: str,
) -> int:
    """Log one entry as a submission (rule 11: the campaign whose span holds the arrival, or
    the one named, never before its first day) and mark it accepted; the new id."""
    entry_id = e["id"]
    campaign, arrived = campaigns.campaign_and_instant(
        conn, campaign_name, timeutil.from_db(e["arrived_at"]), now, submission=True
    )
    code = conn.execute("SELECT code FROM member WHERE id = ?", (e["member_id"],)).fetchone()
    before = _snapshot(conn, entry_id)
    sid = submissions.submit(
        conn, campaign, code[0], e["column_name"], e["title"], arrived, now, week=week
    )
    logged_week = conn.execute("SELECT week FROM submission WHERE id = ?", (sid,)).fetchone()[0]
    conn.execute(
        "UPDATE intake SET status = 'accepted', submission_id = ?, campaign_id = ?,"
        " week = ?, ack = ? WHERE id = ?",
        (sid, campaign.id, logged_week, int(ack), entry_id),
    )
    conn.execute("UPDATE attachment SET submission_id = ? WHERE intake_id = ?", (sid, entry_id))
    record(conn, timeutil.to_db(now), action, "intake", entry_id, before, _snapshot(conn, entry_id))
    return sid


def _review_reason(conn: sqlite3.Connection, e: dict[str, Any], exc: SvcmonthError) -> str:
    """Why an entry could not be logged, in the words of what the clerk can do about it."""
    if isinstance(exc, submissions.Duplicate) and exc.existing_id is not None:
        return _(
            "the same submission is already logged as id {sid}; if this mail is it, "
            "run: inbox assign {id} --submission {sid}"
        ).format(sid=exc.existing_id, id=e["id"])
    kind = conn.execute(
        "SELECT kind FROM column_def WHERE name = ?", (e["column_name"],)
    ).fetchone()
    if kind and kind[0] == "report" and "--week" in str(exc):
        return _(
            "no week left to place this report in (the member has reported every week up to "
            "the last); give its week: inbox assign {id} --week N"
        ).format(id=e["id"])
    return str(exc)


def _needs_review(conn: sqlite3.Connection, entry_id: int, reason: str, now: datetime) -> None:
    before = _snapshot(conn, entry_id)
    conn.execute(
        "UPDATE intake SET status = 'needs_review', note = ? WHERE id = ?", (reason, entry_id)
    )
    record(
        conn,
        timeutil.to_db(now),
        "review",
        "intake",
        entry_id,
        before,
        {**_snapshot(conn, entry_id), "reason": reason},
    )


# --- the runs: saved mail, the IMAP folder, accepting ------------------------------------------


def import_files(
    conn: sqlite3.Connection, run: Intake, messages: Iterable[tuple[str, bytes]]
) -> None:
    """Add every saved message in one transaction; a message that cannot be read becomes an
    ``unreadable`` entry beside the others. The files are moved into place just before the
    commit (removed if it fails). ``conn`` must have no transaction open."""
    try:
        with storage.transaction(conn):
            for origin, raw in messages:
                _store_raw(conn, run, raw, "file", origin)
                run.step()
            refresh(conn)
            run.files.publish()
    except BaseException:
        run.discard_files()
        raise
    run.files.done()


def _store_raw(
    conn: sqlite3.Connection,
    run: Intake,
    raw: bytes,
    source: str,
    origin: str,
    internaldate: datetime | None = None,
) -> int | None:
    """One message as an entry, or as an ``unreadable`` one when it cannot be read (a
    savepoint undoes what a half-stored message wrote)."""
    try:
        parsed = parse(raw, internaldate)
    except MailError as exc:
        return store_unreadable(conn, run, raw, str(exc), source, origin, internaldate)
    conn.execute("SAVEPOINT intake_message")
    staged = len(run.files.folders)
    try:
        entry_id = store(conn, run, parsed, source, origin)
    except (sqlite3.DataError, sqlite3.IntegrityError, ValueError, UnicodeError) as exc:
        # what the parser let through and the database refused: kept unreadable all the same
        conn.execute("ROLLBACK TO intake_message")
        conn.execute("RELEASE intake_message")
        run.files.drop(staged)
        return store_unreadable(
            conn, run, raw, f"{type(exc).__name__}: {exc}"[:200], source, origin, internaldate
        )
    conn.execute("RELEASE intake_message")
    return entry_id


class Reader(Protocol):
    """What ``fetch`` needs of an IMAP folder (``imapread.ImapReader``, opened)."""

    uidvalidity: int

    def uids_after(self, last_uid: int) -> list[int]: ...

    def uids_since(self, day: date) -> list[int]: ...

    def fetch(self, uids: list[int]) -> Iterable[tuple[int, datetime, bytes]]: ...


def fetch(
    conn: sqlite3.Connection,
    run: Intake,
    reader: Reader,
    mailbox: str,
    since: date | None = None,
) -> None:
    """Add the folder's messages not read before, each with the folder's read position in
    one transaction: a run killed midway loses nothing and reads nothing twice. A message
    that cannot be read is kept ``unreadable`` and the position moves past it. The folder's
    first read (or a read after the server renumbered it) takes only mail that arrived on or
    after ``since`` (every message when None)."""
    with storage.snapshot(conn):
        row = storage.named(
            conn.execute(
                "SELECT uidvalidity, last_uid FROM imap_state WHERE mailbox = ?", (mailbox,)
            )
        ).fetchone()
    if row and row["uidvalidity"] == reader.uidvalidity:
        uids = reader.uids_after(row["last_uid"])
    elif since is not None:
        uids = reader.uids_since(since)
    else:
        uids = reader.uids_after(0)
    run.step(len(uids))
    for uid, internaldate, raw in reader.fetch(uids):
        try:
            with storage.transaction(conn):
                _store_raw(conn, run, raw, "imap", f"{mailbox};uid={uid}", internaldate)
                conn.execute(
                    "INSERT INTO imap_state (mailbox, uidvalidity, last_uid, read_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (mailbox) DO UPDATE SET"
                    " last_uid = CASE WHEN uidvalidity = excluded.uidvalidity"
                    "   THEN max(last_uid, excluded.last_uid) ELSE excluded.last_uid END,"
                    " uidvalidity = excluded.uidvalidity, read_at = excluded.read_at",
                    (mailbox, reader.uidvalidity, uid, timeutil.to_db(run.now)),
                )
                run.files.publish()
        except BaseException:
            run.discard_files()
            raise
        run.files.done()
        run.step()
    with storage.transaction(conn):
        refresh(conn)


def accept_entries(
    conn: sqlite3.Connection,
    ids: Iterable[int],
    now: datetime,
    *,
    campaign_name: str | None = None,
    ack: bool = False,
) -> Accepted:
    """``accept`` in one transaction of its own: every entry it logs or sets aside for
    review, or (an error) none."""
    with storage.transaction(conn):
        return accept(conn, ids, now, campaign_name=campaign_name, ack=ack)


def summary(conn: sqlite3.Connection, ids: list[int]) -> dict[str, int]:
    """How many of the entries ``ids`` have each status."""
    counts: dict[str, int] = {}
    for entry_id in ids:
        status = conn.execute("SELECT status FROM intake WHERE id = ?", (entry_id,)).fetchone()[0]
        counts[status] = counts.get(status, 0) + 1
    return counts
