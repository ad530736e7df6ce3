"""Database-wide settings (the association's name), a campaign's public title, and files a
clerk attaches to a typed submission (``submit --attach``).

The association's name is the 落款 of every document and the 制表单位 of the year-end
workbook; a campaign's public title (``2024年银行业文明优质服务月``) is what pages and
documents call it, its name (``2024服务月``) when none was given.
"""

from __future__ import annotations

import mimetypes
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from svcmonth import attachments, text, timeutil
from svcmonth.campaigns import Campaign
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.output import outfile
from svcmonth.storage.audit import record

ASSOCIATION = "association"
MAX_SETTING = 200


def get(conn: sqlite3.Connection, key: str) -> str | None:
    """One setting's value, None when it was never set."""
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def association(conn: sqlite3.Connection) -> str:
    """The association's name (``''`` when ``settings --association`` was never given)."""
    return get(conn, ASSOCIATION) or ""


def all_settings(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every setting as ``settings --format json`` shows it."""
    return {ASSOCIATION: association(conn)}


def set_association(conn: sqlite3.Connection, name: str, now: datetime) -> str:
    """Store the association's name (audited); an empty name clears it."""
    value = text.check_text(name, _("the association's name"))
    if len(value) > MAX_SETTING:
        raise SvcmonthError(
            _("the association's name is longer than {n} characters").format(n=MAX_SETTING)
        )
    before = association(conn)
    if value:
        conn.execute(
            "INSERT INTO setting (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (ASSOCIATION, value),
        )
    else:
        conn.execute("DELETE FROM setting WHERE key = ?", (ASSOCIATION,))
    record(
        conn,
        timeutil.to_db(now),
        "settings",
        "setting",
        ASSOCIATION,
        {"value": before},
        {"value": value},
    )
    return value


def campaign_title(conn: sqlite3.Connection, campaign: Campaign) -> str:
    """The campaign's public title: the one ``campaign edit --title`` gave, else its name."""
    row = conn.execute("SELECT title FROM campaign WHERE id = ?", (campaign.id,)).fetchone()
    return (row[0] if row and row[0] else "") or campaign.name


def set_campaign_title(
    conn: sqlite3.Connection, campaign: Campaign, title: str, now: datetime
) -> str:
    """Give the campaign a public title (audited); an empty title goes back to its name."""
    value = text.check_text(title, _("the title"))
    if len(value) > MAX_SETTING:
        raise SvcmonthError(_("the title is longer than {n} characters").format(n=MAX_SETTING))
    before = campaign_title(conn, campaign)
    conn.execute("UPDATE campaign SET title = ? WHERE id = ?", (value, campaign.id))
    record(
        conn,
        timeutil.to_db(now),
        "edit",
        "campaign",
        campaign.name,
        {"title": before},
        {"title": value or campaign.name},
    )
    return value or campaign.name


# --- files attached by hand ------------------------------------------------------------------


def attach(
    conn: sqlite3.Connection,
    db_path: Path,
    submission_id: int,
    files: list[Path],
    max_bytes: int | None = None,
) -> tuple[list[dict[str, Any]], Path | None]:
    """Copy ``files`` into the attachment store (``svcmonth.attachments``, as the mail's) for a
    typed submission, inside the caller's transaction: safe names, owner-only, size and
    SHA-256 recorded. Returns the rows and the folder made (the caller removes it when the
    transaction fails)."""
    datas = []
    for path in files:
        path = Path(path)
        if not path.is_file():
            raise SvcmonthError(_("{path} is not a file").format(path=path))
        data = outfile.read_bytes(path)
        if max_bytes is not None and len(data) > max_bytes:
            raise SvcmonthError(
                _("{path} is {size:.1f} MiB, over the {limit:.0f} MiB limit").format(
                    path=path, size=len(data) / (1 << 20), limit=max_bytes / (1 << 20)
                )
            )
        datas.append((path, data))
    if not datas:
        return [], None
    store = attachments.Store(attachments.attachments_root(db_path))
    owner = f"s{submission_id}"
    rows = []
    try:
        for path, data in datas:
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            record = attachments.save_file(
                conn,
                store,
                owner,
                f"submission:{submission_id}",
                path.name,
                data,
                content_type,
                submission_id=submission_id,
            )
            rows.append(
                {
                    "file_name": record.file_name,
                    "path": record.path,
                    "content_type": record.content_type,
                    "size": record.size,
                    "sha256": record.sha256,
                }
            )
        store.publish()
    except BaseException:
        store.discard()
        raise
    return rows, (store.published[0] if store.published else None)
