"""报送包 and the campaign archive: the one writer and the one reader of ``svcmonth-bundle/1``.

A bundle is a zip: ``报送清单.xlsx`` (or ``目录.xlsx`` in an archive), ``报送函.docx`` (not in
an archive), one folder per submission with its attachments (and ``正文.txt``, the body of
the mail it came in), and ``manifest.json`` — what the receiving association's svcmonth reads
(README, "Forwarding packages"). ``forward --bundle`` and ``archive export`` write it through
``write``; ``bundle import`` reads it through ``Reader``, which refuses a bundle whose files
do not match its manifest, of another format, with a path outside its folder, or one that
would expand past ``MAX_RATIO`` times its size or ``MAX_BYTES``, before anything is written.

The workbook goes through the one workbook writer (``output.xlsx``), the letter through the
document writer (``output.documents``), the zip through the one output writer
(``output.outfile``: temporary file, fsync, rename, owner-only).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import sqlite3
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from svcmonth import (
    attachments,
    campaigns,
    grading,
    members,
    reports,
    rules,
    settings,
    storage,
    submissions,
    timeutil,
)
from svcmonth.campaigns import Campaign
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output import documents, outfile, xlsx
from svcmonth.output.columns import Field
from svcmonth.output.render import Target
from svcmonth.storage.audit import record

FORMAT = "svcmonth-bundle/1"
MANIFEST = "manifest.json"
LIST_NAME = "报送清单.xlsx"
INDEX_NAME = "目录.xlsx"
LETTER_NAME = "报送函.docx"
BODY_NAME = "正文.txt"
DOCUMENTS = (LIST_NAME, INDEX_NAME, LETTER_NAME)

# Windows' classic path limit is 260 characters for the whole path: every path inside the
# zip stays under MAX_PATH characters, so a bundle unpacked into a folder of ~150 characters
# still opens in Explorer and WPS
MAX_PATH = 100
FOLDER_CHARS, FILE_CHARS = 50, 46  # {序号}_{单位名称}_{标题}/{file}: at most 97
ARCHIVE_PARTS = (20, 12, 28, 36)  # 单位名称/栏目/{序号}_{标题}/{file}: at most 99

# the reader's limits (SPEC: "expands beyond 20 times its size or 2 GiB")
MAX_RATIO = 20
MAX_BYTES = 2 << 30
MAX_ENTRIES = 10_000
MAX_MANIFEST = 16 << 20

_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_CHUNK = 1 << 16

LIST_FIELDS = (
    Field("number", N_("Serial no."), "int"),
    Field("member_name", N_("Member name")),
    Field("column", N_("Column")),
    Field("title", N_("Title")),
    Field("author", N_("Author")),
    Field("submitted", N_("Submitted at"), "instant"),
    Field("level", N_("Level")),
    Field("adopted", N_("Published by")),
    Field("files", N_("Attachments")),
)


# --- names safe on Windows ---------------------------------------------------------------------


def segment(text: str, limit: int) -> str:
    """``text`` as one folder or file name Windows accepts: no control or forbidden character
    (``<>:"/\\|?*``), no trailing dot or space, no device name (CON, NUL, COM1…), at most
    ``limit`` characters."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(_FORBIDDEN.sub("_", text).split()).strip(". ")
    text = text[: max(1, limit)].rstrip(" .") or "_"
    if attachments.is_reserved(text):
        text = ("_" + text)[: max(2, limit)].rstrip(" .")
    return text


def file_segment(name: str, limit: int, used: set[str]) -> str:
    """A file name as ``segment`` makes it, its extension kept, never one in ``used``
    (compared case-insensitively, as Windows does; the result is added)."""
    stem, dot, ext = (name or "").rpartition(".")
    if not dot or not stem.strip(". "):
        stem, ext = name, ""
    ext = segment(ext, 10) if ext.strip(". ") else ""
    tail = "." + ext if ext else ""
    n = 1
    while True:
        mark = f" ({n})" if n > 1 else ""
        candidate = segment(stem, limit - len(tail) - len(mark)) + mark + tail
        if candidate.casefold() not in used:
            used.add(candidate.casefold())
            return candidate
        n += 1


# --- what goes in -----------------------------------------------------------------------------


@dataclass
class Packed:
    """One submission in a bundle: its manifest entry and the files of its folder."""

    entry: dict[str, Any]
    folder: str
    # name, the bytes or the stored file, SHA-256, size
    files: list[tuple[str, Path | bytes, str, int]] = field(default_factory=list)
    row: dict[str, Any] = field(default_factory=dict)  # the 清单's row


_SELECT = (
    "SELECT e.id, e.campaign_id, m.code AS member, m.name AS member_name, e.column_name,"
    " e.kind, e.title, e.author, e.submitted_at, e.level, e.points,"
    " (SELECT group_concat(a.outlet, char(31)) FROM (SELECT outlet FROM adoption"
    "   WHERE submission_id = e.id ORDER BY id) a) AS adopted_by"
    " FROM submission_eval e JOIN member m ON m.id = e.member_id"
)


def _entry(r: sqlite3.Row, campaign: Campaign) -> dict[str, Any]:
    """A submission's manifest entry (its files added later)."""
    at = timeutil.from_db(r["submitted_at"]).astimezone(campaign.tz)
    return {
        "id": r["id"],
        "member": r["member"],
        "member_name": r["member_name"],
        "column": r["column_name"],
        "kind": r["kind"],
        "title": r["title"],
        "author": r["author"] or "",
        "submitted_at": at.isoformat(),
        "level": r["level"],
        "points": r["points"],
        "adopted_by": r["adopted_by"].split("\x1f") if r["adopted_by"] else [],
        "files": [],
    }


def _pack(
    conn: sqlite3.Connection,
    db_path: Path,
    r: sqlite3.Row,
    campaign: Campaign,
    number: int,
    folder: str,
    file_chars: int = FILE_CHARS,
) -> Packed:
    """One submission with its files: the attachments (checked against their recorded SHA-256
    when copied) and ``正文.txt`` when it came by mail with a body."""
    entry = _entry(r, campaign)
    packed = Packed(entry, folder)
    root = attachments.attachments_root(db_path).resolve()
    used = {BODY_NAME.casefold()}
    body = conn.execute(
        "SELECT body FROM intake WHERE submission_id = ? ORDER BY id LIMIT 1", (r["id"],)
    ).fetchone()
    if body and (body[0] or "").strip():
        data = body[0].replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8-sig")
        packed.files.append((BODY_NAME, data, hashlib.sha256(data).hexdigest(), len(data)))
    for a in attachments.attachments_of(conn, r["id"]):
        source = (root / a["path"]).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            raise SvcmonthError(
                _(
                    "attachment {name} of submission {id} is missing from {root}; "
                    "nothing was written"
                ).format(name=a["file_name"], id=r["id"], root=root)
            )
        name = file_segment(a["file_name"], file_chars, used)
        packed.files.append((name, source, a["sha256"], a["size"]))
    entry["files"] = [
        {"path": f"{folder}/{name}", "size": size, "sha256": sha}
        for name, _data, sha, size in packed.files
    ]
    shown = timeutil.shower(campaign.tz)
    packed.row = {
        "number": number,
        "member_name": r["member_name"],
        "column": r["column_name"],
        "title": r["title"],
        "author": r["author"] or "",
        "submitted": shown(r["submitted_at"]) or "",
        "level": col.words(r["level"], "level"),
        "adopted": _(", ").join(entry["adopted_by"]),
        "files": _(", ").join(Path(f["path"]).name for f in entry["files"]),
    }
    return packed


def _campaign_entry(conn: sqlite3.Connection, campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "title": settings.campaign_title(conn, campaign),
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "time_zone": campaign.tz.key,
    }


def _association(conn: sqlite3.Connection) -> str:
    name = settings.association(conn)
    if not name:
        raise SvcmonthError(
            _(
                "no association name is set: a 报送包 names its sender; set it first with "
                "`svcmonth settings --association NAME`"
            )
        )
    return name


def _manifest(head: dict[str, Any], packed: list[Packed]) -> dict[str, Any]:
    """The manifest; its ``bundle`` id is the SHA-256 of everything else in it, so the same
    package built again has the same id (README, "Forwarding packages")."""
    body = {"format": FORMAT, **head, "submissions": [p.entry for p in packed]}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {
        "format": FORMAT,
        "bundle": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        **head,
        "submissions": body["submissions"],
    }


# --- forward --bundle ---------------------------------------------------------------------------


@dataclass
class Forwarded:
    """What ``forward`` did: the submissions packed and those newly recorded."""

    packed: list[int]
    recorded: list[int]
    body: str
    on: date
    manifest: dict[str, Any] | None = None


def forward(
    conn: sqlite3.Connection,
    db_path: Path,
    ids: list[int],
    body: str,
    on: date | None,
    today: date,
    now: datetime,
    bundle: Path | None = None,
) -> Forwarded:
    """Record each forwarding to ``body`` (inside the caller's transaction) and, with
    ``bundle``, write the 报送包. Without ``bundle`` a forwarding already recorded is refused
    (as ``grading.forward`` does); with it, it is packed again without being recorded twice,
    so a lost zip can be rebuilt. ``on`` None: when every forwarding is recorded already, the
    latest of their days (the rebuilt zip is the same), else ``today``."""
    ids = list(dict.fromkeys(ids))
    body = (body or "").strip()
    association = _association(conn) if bundle is not None else ""
    done = {}
    for sid in ids:
        found = conn.execute(
            "SELECT forwarded_on FROM forwarding WHERE submission_id = ? AND body = ?", (sid, body)
        ).fetchone()
        if found:
            done[sid] = found[0]
    if on is None:
        on = max(date.fromisoformat(d) for d in done.values()) if len(done) == len(ids) else today
    recorded = []
    for sid in ids:
        if bundle is not None and sid in done:
            if submissions.get_row(conn, sid)["withdrawn_at"] is not None:
                raise SvcmonthError(_("submission {id} is withdrawn").format(id=sid))
            continue
        grading.forward(conn, sid, body, on, now)
        recorded.append(sid)
    result = Forwarded(ids, recorded, body, on)
    if bundle is None:
        return result
    rows = {
        sid: storage.named(conn.execute(_SELECT + " WHERE e.id = ?", (sid,))).fetchone()
        for sid in ids
    }
    campaign_ids = {rows[sid]["campaign_id"] for sid in ids}
    if len(campaign_ids) > 1:
        raise SvcmonthError(
            _(
                "the submissions belong to {n} campaigns: a 报送包 holds one campaign's; "
                "forward each campaign's separately"
            ).format(n=len(campaign_ids))
        )
    campaign = campaigns.load_by_id(conn, campaign_ids.pop())
    packed = []
    for number, sid in enumerate(ids, start=1):
        r = rows[sid]
        folder = segment(f"{number}_{r['member_name']}_{r['title']}", FOLDER_CHARS)
        packed.append(_pack(conn, db_path, r, campaign, number, folder))
    head = {
        "association": association,
        "body": body,
        "forwarded_on": on.isoformat(),
        "campaign": _campaign_entry(conn, campaign),
    }
    manifest = _manifest(head, packed)
    title = _("{association} articles forwarded to {body}").format(
        association=association, body=body
    )
    note = _("Forwarded on {date}").format(date=timeutil.day_text(on))
    sheet = xlsx.to_bytes(
        [p.row for p in packed],
        list(LIST_FIELDS),
        Target(title=title, note=note, sheet=_("Forwarded"), footer=reports.prepared_by(conn, on)),
    )
    letter = documents.to_docx(_letter(conn, campaign, association, body, on, packed))
    write(bundle, manifest, packed, {LIST_NAME: sheet, LETTER_NAME: letter}, on)
    result.manifest = manifest
    return result


def _letter(
    conn: sqlite3.Connection,
    campaign: Campaign,
    association: str,
    body: str,
    on: date,
    packed: list[Packed],
) -> documents.Document:
    """报送函: the cover letter to ``body`` from the association (the date, the count, the list)."""
    title = settings.campaign_title(conn, campaign)
    table = documents.Table(
        [_("Serial no."), _("Member name"), _("Column"), _("Title"), _("Author")],
        [
            [
                str(p.row["number"]),
                p.row["member_name"],
                p.row["column"],
                p.row["title"],
                p.row["author"],
            ]
            for p in packed
        ],
    )
    opening = _(
        "We forward herewith {n} selected articles from our members' submissions to {title}, "
        "listed below; their files are in the package. Please review them."
    ).format(n=len(packed), title=title)
    return documents.Document(
        _("Letter forwarding the selected articles of {title}").format(title=title),
        [
            documents.Section("", [documents.Paragraph(opening), table]),
            documents.Section(
                "",
                [documents.Paragraph(_("Attachment: {name}").format(name=LIST_NAME), "plain")],
            ),
        ],
        association,
        on,
        _("{body}:").format(body=body),
        "letter",
    )


# --- archive export -----------------------------------------------------------------------------


def archive(
    conn: sqlite3.Connection, db_path: Path, campaign: Campaign, output: Path, as_of: datetime
) -> dict[str, Any]:
    """The campaign's counted submissions (not rejected, not withdrawn) filed by member and
    column (``单位名称/栏目/{序号}_{标题}/``), each attachment once, with ``目录.xlsx`` and the
    manifest; returns the manifest."""
    association = _association(conn)
    order = {
        name: n
        for n, (name,) in enumerate(conn.execute("SELECT name FROM column_def ORDER BY sort, name"))
    }
    found = storage.named(
        conn.execute(
            _SELECT + f" WHERE e.campaign_id = ? AND {rules.counts_sql('e')}", (campaign.id,)
        )
    ).fetchall()
    found.sort(
        key=lambda r: (
            r["member"],
            order.get(r["column_name"], len(order)),
            r["submitted_at"],
            r["id"],
        )
    )
    packed = []
    member_dirs: dict[str, str] = {}
    used_members: set[str] = set()
    for number, r in enumerate(found, start=1):
        code = r["member"]
        if code not in member_dirs:
            member_dirs[code] = file_segment(r["member_name"], ARCHIVE_PARTS[0], used_members)
        folder = "/".join(
            (
                member_dirs[code],
                segment(r["column_name"], ARCHIVE_PARTS[1]),
                segment(f"{number}_{r['title']}", ARCHIVE_PARTS[2]),
            )
        )
        packed.append(_pack(conn, db_path, r, campaign, number, folder, ARCHIVE_PARTS[3]))
    day = as_of.astimezone(campaign.tz).date()
    head = {
        "association": association,
        "body": None,
        "forwarded_on": None,
        "campaign": _campaign_entry(conn, campaign),
    }
    manifest = _manifest(head, packed)
    title = _("{association} archive of {title}").format(
        association=association, title=settings.campaign_title(conn, campaign)
    )
    note = _("As of {date}").format(date=timeutil.day_text(day))
    sheet = xlsx.to_bytes(
        [p.row for p in packed],
        list(LIST_FIELDS),
        Target(title=title, note=note, sheet=_("Index"), footer=reports.prepared_by(conn, day)),
    )
    write(output, manifest, packed, {INDEX_NAME: sheet}, day)
    return manifest


# --- the writer ---------------------------------------------------------------------------------


def write(
    target: Path,
    manifest: dict[str, Any],
    packed: list[Packed],
    docs: dict[str, bytes],
    day: date,
) -> None:
    """The zip, through the one output writer: the documents, each submission's folder and
    files (each attachment's SHA-256 checked again as it is copied), the manifest. Entries
    carry ``day`` as their time, so the same bundle built again has the same entries."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    with outfile.open_binary(Path(target)) as handle, zipfile.ZipFile(handle, "w") as zf:
        for name, document in docs.items():
            zf.writestr(_info(name, stamp), document)
        for p in packed:
            zf.writestr(_info(p.folder + "/", stamp), b"")
            for name, data, sha, size in p.files:
                info = _info(f"{p.folder}/{name}", stamp)
                if isinstance(data, bytes):
                    zf.writestr(info, data)
                    continue
                digest = hashlib.sha256()
                source = data
                big = size > zipfile.ZIP64_LIMIT >> 1  # deflate may grow it: ZIP64 headers
                with open(source, "rb") as src, zf.open(info, "w", force_zip64=big) as dst:
                    for block in iter(lambda: src.read(_CHUNK), b""):  # noqa: B023
                        digest.update(block)
                        dst.write(block)
                if digest.hexdigest() != sha:
                    raise SvcmonthError(
                        _(
                            "attachment {path} of submission {id} has changed since it was "
                            "stored (its SHA-256 differs); nothing was written"
                        ).format(path=source, id=p.entry["id"])
                    )
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        zf.writestr(_info(MANIFEST, stamp), text.encode("utf-8"))


def _info(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    if len(name) > MAX_PATH:  # the layout's caps (FOLDER_CHARS, ARCHIVE_PARTS) prevent it
        raise ValueError(f"a path in the zip is longer than {MAX_PATH} characters: {name}")
    info = zipfile.ZipInfo(name, date_time=stamp)
    if name.endswith("/"):
        info.external_attr = (0o40700 << 16) | 0x10
    else:
        info.external_attr = 0o600 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


# --- the reader ---------------------------------------------------------------------------------


def _refused(path: Path, reason: str) -> SvcmonthError:
    return SvcmonthError(
        _("{path} is refused, nothing was imported: {reason}").format(path=path, reason=reason)
    )


def unsafe_name(name: str) -> bool:
    """Whether a zip entry's name could lead outside the folder it is unpacked in: absolute,
    a drive letter, a backslash, ``..`` or ``.`` parts, empty parts, control characters."""
    if not name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        return True
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    return any(p in ("", ".", "..") or ":" in p for p in parts)


_SUBMISSION_KEYS = {
    "id": int,
    "member": str,
    "member_name": str,
    "column": str,
    "kind": str,
    "title": str,
    "author": str,
    "submitted_at": str,
    "files": list,
}


class Reader:
    """A bundle opened for reading, checked whole before anything is read from it: the
    entries (how many, their names, their declared sizes against the limits), the manifest
    (its format and shape), every file of the manifest present with its size and SHA-256
    (read through a counting cap: declared sizes can lie), and no other file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.size = self.path.stat().st_size
            # a name stored without the zip's UTF-8 flag is in the packer's code page: a bundle
            # re-zipped on a Chinese Windows PC (WinRAR, 7-Zip, Explorer) is GBK, not cp437
            self.zip = zipfile.ZipFile(self.path, metadata_encoding="gbk")
        except FileNotFoundError:
            raise SvcmonthError(_("{path} is not a file").format(path=path)) from None
        except (OSError, zipfile.BadZipFile, ValueError):
            raise _refused(self.path, _("it is not a zip file")) from None
        self.limit = min(MAX_BYTES, MAX_RATIO * max(self.size, 1))
        self.read_so_far = 0
        try:
            self.manifest = self._check()
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self) -> dict[str, Any]:
        infos = self.zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refused(
                self.path,
                _("it holds {n} entries, more than {max}").format(n=len(infos), max=MAX_ENTRIES),
            )
        names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if unsafe_name(info.filename):
                raise _refused(
                    self.path,
                    _("the entry {name!r} leads outside its folder").format(name=info.filename),
                )
            if info.filename in names:
                raise _refused(
                    self.path, _("the entry {name!r} is there twice").format(name=info.filename)
                )
            names[info.filename] = info
        declared = sum(i.file_size for i in infos)
        if declared > self.limit:
            raise _refused(self.path, self._too_big())
        if MANIFEST not in names:
            raise _refused(self.path, _("it has no {name}").format(name=MANIFEST))
        try:
            manifest = json.loads(self._read(names[MANIFEST], MAX_MANIFEST).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _refused(self.path, _("its {name} is not JSON").format(name=MANIFEST)) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            found = manifest.get("format") if isinstance(manifest, dict) else None
            raise _refused(
                self.path,
                _("its format is {found!r}, not {format}").format(found=found, format=FORMAT),
            )
        self._check_shape(manifest)
        self.files: dict[str, dict[str, Any]] = {}
        for s in manifest["submissions"]:
            for f in s["files"]:
                if f["path"] in self.files or unsafe_name(f["path"]) or f["path"].endswith("/"):
                    raise _refused(
                        self.path, _("its manifest names {name!r} wrongly").format(name=f["path"])
                    )
                self.files[f["path"]] = f
        for name in names:
            if name.endswith("/") or name == MANIFEST or name in DOCUMENTS:
                continue
            if name not in self.files:
                raise _refused(self.path, _("{name} is not in its manifest").format(name=name))
        self.infos = names
        for name in self.files:
            if name not in names:
                raise _refused(self.path, _("{name} is missing").format(name=name))
            for _block in self._verified(name):
                pass
        return manifest

    def _check_shape(self, manifest: dict[str, Any]) -> None:
        def bad(what: str) -> SvcmonthError:
            return _refused(self.path, _("its manifest has no valid {key}").format(key=what))

        if not isinstance(manifest.get("association"), str) or not manifest["association"].strip():
            raise bad("association")
        on = manifest.get("forwarded_on")
        if on is not None:
            try:
                date.fromisoformat(on)
            except (TypeError, ValueError):
                raise bad("forwarded_on") from None
        if not isinstance(manifest.get("submissions"), list):
            raise bad("submissions")
        for s in manifest["submissions"]:
            if not isinstance(s, dict):
                raise bad("submissions")
            for key, kind in _SUBMISSION_KEYS.items():
                if not isinstance(s.get(key), kind) or isinstance(s.get(key), bool):
                    raise bad(f"submissions.{key}")
            if s["id"] <= 0 or s["id"] > 2**63 - 1:
                raise bad("submissions.id")
            for f in s["files"]:
                if not (
                    isinstance(f, dict)
                    and isinstance(f.get("path"), str)
                    and isinstance(f.get("size"), int)
                    and isinstance(f.get("sha256"), str)
                    and re.fullmatch(r"[0-9a-f]{64}", f["sha256"])
                ):
                    raise bad("submissions.files")

    def _too_big(self) -> str:
        return _("it would expand beyond {ratio} times its size or {gib} GiB (a zip bomb?)").format(
            ratio=MAX_RATIO, gib=MAX_BYTES >> 30
        )

    def _stream(self, info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
        """The entry's bytes, counted: past ``cap`` bytes of it, or past the bundle's limit
        over everything read, refused."""
        n = 0
        try:
            with self.zip.open(info) as src:
                while block := src.read(_CHUNK):
                    n += len(block)
                    self.read_so_far += len(block)
                    if self.read_so_far > self.limit:
                        raise _refused(self.path, self._too_big())
                    if n > cap:
                        raise _refused(
                            self.path, _("{name} is larger than it says").format(name=info.filename)
                        )
                    yield block
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise _refused(
                self.path,
                _("{name} cannot be read: {reason}").format(name=info.filename, reason=exc),
            ) from None

    def _read(self, info: zipfile.ZipInfo, cap: int) -> bytes:
        return b"".join(self._stream(info, cap))

    def _verified(self, name: str) -> Iterator[bytes]:
        f = self.files[name]
        digest = hashlib.sha256()
        size = 0
        for block in self._stream(self.infos[name], f["size"]):
            digest.update(block)
            size += len(block)
            yield block
        if size != f["size"] or digest.hexdigest() != f["sha256"]:
            raise _refused(
                self.path,
                _("{name} does not match its manifest (size or SHA-256)").format(name=name),
            )

    def read(self, name: str) -> bytes:
        """A file of the manifest, checked again against its size and SHA-256."""
        self.read_so_far = 0  # the check read it once; this second reading is counted anew
        return b"".join(self._verified(name))


# --- bundle import ------------------------------------------------------------------------------


@dataclass
class Imported:
    """What ``bundle import`` did."""

    member: str
    added: list[int] = field(default_factory=list)
    already: int = 0
    files: int = 0


def member_for(conn: sqlite3.Connection, association: str, code: str | None) -> members.Member:
    """The member a bundle is logged under: ``--as CODE``, else the member named as the
    bundle's association, else a refusal saying how to register it."""
    if code:
        return members.get_active(conn, code)
    row = conn.execute(
        "SELECT code FROM member WHERE name = ? ORDER BY id", (association.strip(),)
    ).fetchall()
    if len(row) == 1:
        return members.get_active(conn, row[0][0])
    if len(row) > 1:
        raise SvcmonthError(
            _("{n} members are named {name}: name one with --as CODE").format(
                n=len(row), name=association
            )
        )
    raise SvcmonthError(
        _(
            "no member is named {name}: register the sending association first, e.g. "
            "`svcmonth member add CODE {name} --officer NAME --phone PHONE`, or name the "
            "member with --as CODE"
        ).format(name=association)
    )


def import_bundle(
    conn: sqlite3.Connection,
    db_path: Path,
    reader: Reader,
    code: str | None,
    campaign_name: str | None,
    now: datetime,
) -> Imported:
    """Log each submission of the bundle (inside the caller's transaction) as a submission of
    the sending association: column, title, author ``member_name：author``, the bundle's
    ``forwarded_on`` (an archive: each one's ``submitted_at``) placed by rule 11, attachments
    copied into the store and checked against their SHA-256. One already imported (the same
    association and sender id) is skipped; so is one already logged by hand (``Duplicate``),
    which is then linked to its origin."""
    manifest = reader.manifest
    association = manifest["association"].strip()
    member = member_for(conn, association, code)
    result = Imported(member.code)
    place = campaigns.Placer(conn, campaign_name, submission=True)
    store = attachments.Store(attachments.attachments_root(db_path))
    imported_at = timeutil.to_db(now)
    try:
        for s in manifest["submissions"]:
            if conn.execute(
                "SELECT 1 FROM origin WHERE association = ? AND sender_id = ?",
                (association, s["id"]),
            ).fetchone():
                result.already += 1
                continue
            when = manifest.get("forwarded_on") or s["submitted_at"]
            campaign, instant = place(when, now)
            author = f"{s['member_name']}：{s['author']}" if s["author"] else s["member_name"]
            try:
                sid = submissions.submit(
                    conn,
                    campaign,
                    member.code,
                    s["column"],
                    s["title"],
                    instant,
                    now,
                    author=author,
                )
            except submissions.Duplicate as dup:
                result.already += 1
                if (
                    dup.existing_id is not None
                    and not conn.execute(
                        "SELECT 1 FROM origin WHERE submission_id = ?", (dup.existing_id,)
                    ).fetchone()
                ):
                    _origin(conn, dup.existing_id, association, s["id"], manifest, imported_at)
                continue
            except SvcmonthError as exc:
                raise SvcmonthError(
                    _("{path}: submission {id} ({title}): {reason}").format(
                        path=reader.path, id=s["id"], title=s["title"], reason=exc
                    )
                ) from None
            for f in s["files"]:
                name = f["path"].rsplit("/", 1)[-1]
                kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
                attachments.save_file(
                    conn,
                    store,
                    f"s{sid}",
                    f"bundle:{manifest.get('bundle')}:{association}:{s['id']}",
                    name,
                    reader.read(f["path"]),
                    kind,
                    submission_id=sid,
                )
                result.files += 1
            _origin(conn, sid, association, s["id"], manifest, imported_at)
            result.added.append(sid)
        store.publish()
    except BaseException:
        store.discard()
        raise
    return result


def _origin(
    conn: sqlite3.Connection,
    sid: int,
    association: str,
    sender_id: int,
    manifest: dict[str, Any],
    at: str,
) -> None:
    bundle = str(manifest.get("bundle") or "")
    conn.execute(
        "INSERT INTO origin (submission_id, association, sender_id, bundle, imported_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (sid, association, sender_id, bundle, at),
    )
    record(
        conn,
        at,
        "import",
        "submission",
        sid,
        None,
        {"association": association, "sender_id": sender_id, "bundle": bundle},
    )
