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
- ``accepted``: done; its attachments are linked to the submission.

Open entries (not ignored, not accepted) are placed again by every intake and accept, so a
member's e-mail added later, or a campaign created later, makes them ready.

Attachments are saved under ``attachments/`` beside the database, one new folder per entry,
names made safe, files owner-only; one over the size limit is left out (the entry says so).

**Receipts** (``--ack``) are sent by ``mail/receipts.py``.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import shutil
import sqlite3
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from svcmonth import campaigns, members, storage, submissions, timeutil
from svcmonth.campaigns import Campaign
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.mail.mailparse import Parsed, subject_column, subject_title, subject_week
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
STATUSES = ("ready", "unmatched", "needs_column", "no_campaign", "ignored", "accepted")
OPEN = ("ready", "unmatched", "needs_column", "no_campaign")
DEFAULT_MAX_MB = 25.0
MAX_NAME_BYTES = 180
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in "123456789"
}


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


def attachments_root(db_path: Path) -> Path:
    """The folder beside the database that holds every saved attachment."""
    return Path(db_path).absolute().parent / "attachments"


# --- placing an entry -------------------------------------------------------------------------


class _Placer:
    """What placing entries needs, read once per run."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        rows = conn.execute(
            "SELECT name, kind FROM column_def WHERE kind <> 'association' ORDER BY sort, name"
        ).fetchall()
        self.kinds = {r[0]: r[1] for r in rows}
        self.columns = sorted(self.kinds, key=len, reverse=True)  # 先进事迹 before 事迹
        self.report_column = next((r[0] for r in rows if r[1] == "report"), None)
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
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM intake WHERE id = ?", (entry_id,)).fetchone()
    finally:
        conn.row_factory = None
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


def safe_name(name: str, content_type: str, used: set[str]) -> str:
    """A file name that cannot escape its folder, hold a control character, or overwrite."""
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = re.sub(r'[<>:"|?*]', "_", text)
    text = " ".join(text.split()).strip(". ")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if not ext and content_type != "application/octet-stream":
        guessed = mimetypes.guess_extension(content_type or "") or ""
        ext = guessed.lstrip(".")
    if not stem.strip(". "):
        stem = "attachment"
    if stem.lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    ext = ext[:16]

    def fits(s: str) -> str:
        while len((s + "." + ext).encode("utf-8")) > MAX_NAME_BYTES:
            s = s[:-1]
        return s

    stem = fits(stem)
    candidate, n = (f"{stem}.{ext}" if ext else stem), 1
    while candidate.casefold() in used:
        n += 1
        base = fits(f"{stem} ({n})")
        if not base.endswith(f"({n})"):
            base = fits(stem[:-8]) + f" ({n})"
        candidate = f"{base}.{ext}" if ext else base
    used.add(candidate.casefold())
    return candidate


def _new_folder(root: Path, entry_id: int) -> Path:
    """A new folder for one entry's files, never one that exists (another database's)."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    for n in range(0, 1000):
        folder = root / (str(entry_id) if n == 0 else f"{entry_id}-{n}")
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return folder
    raise SvcmonthError(
        _("cannot make a folder for the attachments under {root}").format(root=root)
    )


def _write_private(path: Path, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


@dataclass
class Intake:
    """What one run of ``fetch``/``import`` did; ``folders`` are removed if it fails."""

    root: Path
    settings: Settings
    now: datetime
    new: list[int] = field(default_factory=list)
    skipped: int = 0
    left_out: list[str] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)

    def discard_files(self) -> None:
        """Remove the folders this run made (its transaction was rolled back)."""
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)
        self.folders.clear()


def store(
    conn: sqlite3.Connection, run: Intake, parsed: Parsed, source: str, origin: str
) -> int | None:
    """Add one message as an entry (inside the caller's transaction); None if seen before."""
    if conn.execute("SELECT 1 FROM intake WHERE message_key = ?", (parsed.key,)).fetchone():
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


def _save_attachments(
    conn: sqlite3.Connection, run: Intake, entry_id: int, parsed: Parsed
) -> list[str]:
    notes: list[str] = []
    if not parsed.attachments:
        return notes
    folder: Path | None = None
    used: set[str] = set()
    limit_mb = run.settings.max_mb
    for a in parsed.attachments:
        name = safe_name(a.name, a.content_type, used)
        if len(a.data) > run.settings.max_bytes:
            note = _("{name} left out: {size:.1f} MiB, over the {limit:g} MiB limit").format(
                name=name, size=len(a.data) / (1024 * 1024), limit=limit_mb
            )
            notes.append(note)
            run.left_out.append(f"{entry_id}: {note}")
            continue
        if folder is None:
            folder = _new_folder(run.root, entry_id)
            run.folders.append(folder)
        _write_private(folder / name, a.data)
        conn.execute(
            "INSERT INTO attachment (intake_id, file_name, path, content_type, size, sha256)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                entry_id,
                name,
                f"{folder.name}/{name}",
                a.content_type,
                len(a.data),
                hashlib.sha256(a.data).hexdigest(),
            ),
        )
    return notes


# --- reading entries -------------------------------------------------------------------------


def _zone(
    conn: sqlite3.Connection, campaign_id: int | None, cache: dict[int, ZoneInfo]
) -> ZoneInfo:
    if campaign_id is None:
        return campaigns.zone_for_display(conn)
    if campaign_id not in cache:
        tz = conn.execute("SELECT tz FROM campaign WHERE id = ?", (campaign_id,)).fetchone()[0]
        cache[campaign_id] = timeutil.zone(tz)
    return cache[campaign_id]


def listing(conn: sqlite3.Connection, status: str | None = None) -> list[dict[str, Any]]:
    """Every entry (or those with ``status``), oldest first, with the JSON keys."""
    if status is not None and status not in STATUSES:
        raise SvcmonthError(
            _("unknown status {status!r} (one of: {known})").format(
                status=status, known=", ".join(STATUSES)
            )
        )
    sql = (
        "SELECT i.id, i.message_id, i.sender, i.subject, i.arrived_at, i.arrival_source,"
        " m.code, i.column_name, c.kind, i.week, i.title, i.status, i.note, i.campaign_id,"
        " (SELECT group_concat(file_name, char(31)) FROM"
        "   (SELECT file_name FROM attachment WHERE intake_id = i.id ORDER BY id))"
        " FROM intake i LEFT JOIN member m ON m.id = i.member_id"
        " LEFT JOIN column_def c ON c.name = i.column_name"
    )
    params: list[Any] = []
    if status:
        sql += " WHERE i.status = ?"
        params.append(status)
    zones: dict[int, ZoneInfo] = {}
    out = []
    for r in conn.execute(sql + " ORDER BY i.id", params).fetchall():
        out.append(
            {
                "id": r[0],
                "message_id": r[1],
                "from": r[2],
                "subject": r[3],
                "arrived_at": timeutil.show(r[4], _zone(conn, r[13], zones)),
                "arrival_source": r[5],
                "member": r[6],
                "column": r[7],
                "kind": r[8],
                "week": r[9],
                "title": r[10],
                "attachments": r[14].split("\x1f") if r[14] else [],
                "status": r[11],
                "note": r[12],
            }
        )
    return out


def attachments_of(conn: sqlite3.Connection, submission_id: int) -> list[dict[str, Any]]:
    """A submission's attachments: ``file_name, path`` (under ``attachments/``),
    ``content_type, size, sha256``."""
    return [
        {"file_name": r[0], "path": r[1], "content_type": r[2], "size": r[3], "sha256": r[4]}
        for r in conn.execute(
            "SELECT file_name, path, content_type, size, sha256 FROM attachment"
            " WHERE submission_id = ? ORDER BY id",
            (submission_id,),
        )
    ]


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
) -> dict[str, Any]:
    """Set an entry's member (and column); ``remember`` maps its sender to the member."""
    e = _open_entry(conn, entry_id)
    if code is None and column_name is None:
        raise SvcmonthError(_("give --member, --column or both"))
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
    if e["status"] == "ignored":
        sets.append("status = 'unmatched'")  # placed again just below
    conn.execute(
        "UPDATE intake SET " + ", ".join(sets) + " WHERE id = ?",  # noqa: S608 (fixed fragments)
        (*params, entry_id),
    )
    refresh(conn)
    after = _snapshot(conn, entry_id)
    record(conn, at, "assign", "intake", entry_id, before, after)
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


def accept(
    conn: sqlite3.Connection,
    ids: Iterable[int],
    now: datetime,
    *,
    campaign_name: str | None = None,
    ack: bool = False,
) -> list[int]:
    """Make ready entries submissions (inside the caller's transaction); the ids given, else
    every ready one. Returns the new submission ids. A given id that is not ready is an error
    (and the caller rolls everything back). ``campaign_name`` logs entries that arrived in no
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
    at = timeutil.to_db(now)
    new_ids = []
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
        # rule 11, decided where every command decides it: the campaign whose span holds the
        # arrival, or the one named (never before its first day)
        try:
            campaign, arrived = campaigns.campaign_and_instant(
                conn, campaign_name, timeutil.from_db(e["arrived_at"]), now, submission=True
            )
        except SvcmonthError as exc:
            raise SvcmonthError(
                _("inbox entry {id}: {reason}").format(id=entry_id, reason=exc)
            ) from None
        code = conn.execute("SELECT code FROM member WHERE id = ?", (e["member_id"],)).fetchone()
        before = _snapshot(conn, entry_id)
        try:
            sid = submissions.submit(
                conn,
                campaign,
                code[0],
                e["column_name"],
                e["title"],
                arrived,
                now,
                week=e["week"] if e["week_from_subject"] and named is None else None,
            )
        except SvcmonthError as exc:
            raise SvcmonthError(
                _("inbox entry {id}: {reason}").format(id=entry_id, reason=exc)
            ) from None
        week = conn.execute("SELECT week FROM submission WHERE id = ?", (sid,)).fetchone()[0]
        conn.execute(
            "UPDATE intake SET status = 'accepted', submission_id = ?, campaign_id = ?,"
            " week = ?, ack = ? WHERE id = ?",
            (sid, campaign.id, week, int(ack), entry_id),
        )
        conn.execute("UPDATE attachment SET submission_id = ? WHERE intake_id = ?", (sid, entry_id))
        record(conn, at, "accept", "intake", entry_id, before, _snapshot(conn, entry_id))
        new_ids.append(sid)
    return new_ids


# --- the runs: saved mail, the IMAP folder, accepting ------------------------------------------


def import_files(
    conn: sqlite3.Connection, run: Intake, messages: Iterable[tuple[str, bytes]]
) -> None:
    """Add every saved message, all or nothing: one unreadable message and nothing is kept
    (neither entries nor files). ``conn`` must have no transaction open."""
    from svcmonth.mail.mailparse import MailError, parse

    try:
        with storage.transaction(conn):
            for origin, raw in messages:
                try:
                    parsed = parse(raw)
                except MailError as exc:
                    raise SvcmonthError(f"{origin}: {exc}") from None
                store(conn, run, parsed, "file", origin)
            refresh(conn)
    except BaseException:
        run.discard_files()
        raise
    run.folders.clear()


class Reader(Protocol):
    """What ``fetch`` needs of an IMAP folder (``imapread.ImapReader``, opened)."""

    uidvalidity: int

    def uids_after(self, last_uid: int) -> list[int]: ...

    def fetch(self, uids: list[int]) -> Iterable[tuple[int, datetime, bytes]]: ...


def fetch(conn: sqlite3.Connection, run: Intake, reader: Reader, mailbox: str) -> None:
    """Add the folder's messages not read before, each with the folder's read position in
    one transaction: a run killed midway loses nothing and reads nothing twice."""
    from svcmonth.mail.mailparse import MailError, parse

    with storage.snapshot(conn):
        row = conn.execute(
            "SELECT uidvalidity, last_uid FROM imap_state WHERE mailbox = ?", (mailbox,)
        ).fetchone()
    last = row[1] if row and row[0] == reader.uidvalidity else 0
    for uid, internaldate, raw in reader.fetch(reader.uids_after(last)):
        try:
            parsed = parse(raw, internaldate)
        except MailError as exc:
            raise SvcmonthError(
                _("message UID {uid} in {mailbox}: {reason}").format(
                    uid=uid, mailbox=mailbox, reason=exc
                )
            ) from None
        try:
            with storage.transaction(conn):
                store(conn, run, parsed, "imap", f"{mailbox};uid={uid}")
                conn.execute(
                    "INSERT INTO imap_state (mailbox, uidvalidity, last_uid, read_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (mailbox) DO UPDATE SET"
                    " last_uid = CASE WHEN uidvalidity = excluded.uidvalidity"
                    "   THEN max(last_uid, excluded.last_uid) ELSE excluded.last_uid END,"
                    " uidvalidity = excluded.uidvalidity, read_at = excluded.read_at",
                    (mailbox, reader.uidvalidity, uid, timeutil.to_db(run.now)),
                )
        except BaseException:
            run.discard_files()
            raise
        run.folders.clear()
    with storage.transaction(conn):
        refresh(conn)


def accept_entries(
    conn: sqlite3.Connection,
    ids: Iterable[int],
    now: datetime,
    *,
    campaign_name: str | None = None,
    ack: bool = False,
) -> list[int]:
    """``accept`` in one transaction of its own: all of them or none."""
    with storage.transaction(conn):
        return accept(conn, ids, now, campaign_name=campaign_name, ack=ack)


def summary(conn: sqlite3.Connection, ids: list[int]) -> dict[str, int]:
    """How many of the entries ``ids`` have each status."""
    counts: dict[str, int] = {}
    for entry_id in ids:
        status = conn.execute("SELECT status FROM intake WHERE id = ?", (entry_id,)).fetchone()[0]
        counts[status] = counts.get(status, 0) + 1
    return counts
