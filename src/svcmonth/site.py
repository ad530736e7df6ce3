"""The website's 服务月专栏 (``site build DIR``): gather one campaign's data, render the pages,
write them into one self-contained folder.

What is published: the submissions that count and are graded — pending, rejected and
withdrawn ones are not — of the campaign's active members, newest first. 活动扫描 is listed
by week; 看图话服务 shows the pictures the mail intake saved (copied beside the pages); the
association's own columns show the Markdown the clerk provides (``--pages DIR``, one
``<column name>.md`` each) and 调查问卷 the survey results. A column page without content of
its own is built only for the member columns (they say "nothing published yet").

Building again replaces what the last build wrote (its manifest, see
``outfile.write_folder``) and leaves every other file in the folder as it is; a failure
leaves the old site whole. A folder that is not empty and holds no earlier build, or that
holds a database anywhere, is refused, so a mistyped path never wipes someone's files.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from markupsafe import escape

from svcmonth import reports, settings, submissions
from svcmonth.attachments import attachments_root, file_sha256
from svcmonth.campaigns import Campaign
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.output import outfile, pages

MARKER = ".svcmonth-site"
PICTURE_DIR = "pictures"
# pictures a browser shows in <img>; SVG is left out (a file that can carry script)
PICTURE_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
PICTURE_SUFFIXES = {
    ".jpg": ".jpg",
    ".jpeg": ".jpg",
    ".png": ".png",
    ".gif": ".gif",
    ".webp": ".webp",
}
SURVEY_COLUMN = "调查问卷"
# page file names: ASCII, so that any web server and upload tool serves them as they are
FILE_NAMES = {
    "活动扫描": "scan.html",
    "先进事迹": "deeds.html",
    "感动人物": "people.html",
    "学习体会": "study.html",
    "看图话服务": "pictures.html",
    "银行业文明示范单位": "models.html",
    "活动部署": "plan.html",
    "调查问卷": "survey.html",
}


@dataclass
class Built:
    """What ``build`` wrote."""

    path: Path
    pages: int
    pictures: int
    notes: list[str] = field(default_factory=list)


def build(
    conn: sqlite3.Connection,
    campaign: Campaign,
    as_of: datetime,
    target: Path,
    *,
    db_path: Path,
    pages_dir: Path | None = None,
    scoreboard: bool = True,
) -> Built:
    """Build the campaign's site as of ``as_of`` into ``target`` (replacing an earlier build)."""
    target = Path(target)
    outfile.check_folder(target, "site build", legacy=_legacy({}, {}))  # before the work
    notes: list[str] = []
    markdown = read_markdown_pages(conn, pages_dir, notes) if pages_dir is not None else {}
    site = gather(
        conn,
        campaign,
        as_of,
        db_path=db_path,
        markdown=markdown,
        notes=notes,
        scoreboard=scoreboard,
    )
    files = render_site(site)
    copies = {
        p.src: p.source
        for c in site.columns
        for e in (c.entries or []) + [e for g in c.groups or [] for e in g.entries]
        for p in e.pictures
        if p.source is not None
    }
    with tempfile.TemporaryDirectory() as held:
        # the pictures inside the articles' .docx files, held as files to be copied
        for article in site.articles:
            for name, data in article.images.items():
                source = Path(held) / name.replace("/", "_")
                source.write_bytes(data)
                copies[name] = source
        write_folder(target, files, copies)
    return Built(target, len(files), len(copies), notes)


# --- gathering -------------------------------------------------------------------------


def gather(
    conn: sqlite3.Connection,
    campaign: Campaign,
    as_of: datetime,
    *,
    db_path: Path,
    markdown: dict[str, pages.Markup] | None = None,
    notes: list[str] | None = None,
    scoreboard: bool = True,
) -> pages.Site:
    """Everything the pages show, read in the caller's snapshot."""
    markdown = markdown or {}
    notes = notes if notes is not None else []
    labels = _labels()
    entries = published(conn, campaign, as_of)
    pictures = pictures_for(conn, db_path, [e.id for e in entries], notes)
    for e in entries:
        e.pictures = pictures.get(e.id, [])
    article_pages = [a for e in entries if (a := article(conn, db_path, e, notes)) is not None]
    by_column: dict[str, list[pages.Entry]] = defaultdict(list)
    for e in entries:
        by_column[e.column].append(e)
    surveys = survey_results(conn, campaign.id)
    columns = []
    for position, (name, kind, description) in enumerate(
        conn.execute("SELECT name, kind, description FROM column_def ORDER BY sort, name"), 1
    ):
        file = FILE_NAMES.get(name, f"column-{position}.html")
        col = pages.ColumnPage(name, file, description or "", markdown=markdown.get(name))
        if kind == "report":
            col.groups = _by_week(by_column[name], campaign)
        elif kind == "article":
            col.entries = by_column[name]
        elif name == SURVEY_COLUMN:
            col.surveys = surveys
            if not surveys and col.markdown is None:
                continue
        elif col.markdown is None:
            continue  # an association column the clerk wrote nothing for
        columns.append(col)
    week_columns = [
        pages.TableColumn(labels["week"], True),
        pages.TableColumn(_("Days")),
        pages.TableColumn(labels["deadline"]),
    ]
    weeks = [
        [
            str(w.number),
            f"{w.first_day.isoformat()} – {w.last_day.isoformat()}",
            _local(w.deadline, campaign),
        ]
        for w in campaign.weeks
    ]
    board_columns, board = pages.table(
        reports.scoreboard(conn, campaign, as_of) if scoreboard else [], reports.SCOREBOARD
    )
    return pages.Site(
        campaign=settings.campaign_title(conn, campaign),
        dates=_("{start} to {end}").format(start=campaign.start, end=campaign.end),
        as_of=_local(as_of, campaign),
        weeks=weeks,
        week_columns=week_columns,
        scoreboard=board,
        scoreboard_columns=board_columns,
        columns=columns,
        show_scoreboard=scoreboard,
        articles=article_pages,
    )


def article(
    conn: sqlite3.Connection, db_path: Path, entry: pages.Entry, notes: list[str]
) -> pages.Article | None:
    """The submission's own page when its text is known: its attached .docx as HTML (the
    pictures in it copied beside the pages), else the mail's body; None without either."""
    from svcmonth import articles

    text = articles.text_of(conn, db_path, entry.id, entry.title)
    if not text.known:
        return None
    entry.page = f"article-{entry.id}.html"
    if text.docx is None:
        return pages.Article(entry, pages.text_html(text.body))
    images: dict[str, bytes] = {}

    def picture_name(content_type: str, data: bytes) -> str:
        suffix = PICTURE_TYPES.get(content_type.split(";")[0].strip().lower())
        if suffix is None:
            return ""  # EMF/WMF and other pictures a browser cannot show
        name = f"{PICTURE_DIR}/{entry.id}-doc{len(images) + 1}{suffix}"
        images[name] = data
        return name

    try:
        body = articles.docx_html(text.docx, picture_name)
    except Exception:  # a .docx mammoth cannot read: the mail body, else no page
        notes.append(
            _("the .docx of submission {id} cannot be read; its page left out").format(id=entry.id)
        )
        entry.page = None
        return None
    # the title the member typed above the text is the page's heading already
    title = re.escape(str(escape(entry.title)))
    body = re.sub(rf"^\s*<(p|h[1-6])>(<strong>)?{title}(</strong>)?</\1>", "", body)
    return pages.Article(entry, pages.docx_markup(body), images)


def _labels() -> dict[str, str]:
    from svcmonth.output.render import labels

    return labels()


def _local(instant: datetime, campaign: Campaign) -> str:
    return instant.astimezone(campaign.tz).strftime("%Y-%m-%d %H:%M")


def published(conn: sqlite3.Connection, campaign: Campaign, as_of: datetime) -> list[pages.Entry]:
    """The campaign's graded submissions of active members up to ``as_of``, newest first.

    Pending, rejected and withdrawn ones are not published: the status is the one
    ``submission list`` shows (``submission_eval``), so the site and the reports agree.
    """
    names = {
        code: name for code, name in conn.execute("SELECT code, name FROM member WHERE active = 1")
    }
    out = []
    for row in submissions.listing(conn, campaign, as_of=as_of):
        if row["status"] != "graded" or row["member"] not in names:
            continue
        url = row["url"] or ""
        entry = pages.Entry(
            id=row["id"],
            day=row["submitted_at"][:10],
            submitted_at=row["submitted_at"],
            member=names[row["member"]],
            title=pages.clean_text(row["title"]),
            url=url if url.lower().startswith(("http://", "https://")) else None,
            week=row["week"],
            column=row["column"],
        )
        out.append(entry)
    out.sort(key=lambda e: (datetime.fromisoformat(e.submitted_at), e.id), reverse=True)
    return out


def _by_week(entries: list[pages.Entry], campaign: Campaign) -> list[pages.Group]:
    """活动扫描: the reports by the week they cover, latest week first (weeks with none
    published are left out)."""
    weeks: dict[int, list[pages.Entry]] = defaultdict(list)
    for e in entries:
        weeks[e.week or 0].append(e)
    groups = []
    for w in reversed(campaign.weeks):
        if not weeks.get(w.number):
            continue
        heading = _("Week {week} ({first} – {last})").format(
            week=w.number, first=w.first_day.strftime("%m-%d"), last=w.last_day.strftime("%m-%d")
        )
        groups.append(pages.Group(heading, weeks[w.number]))
    return groups


# --- providers of other parts' data -----------------------------------------------------


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        is not None
    )


def pictures_for(
    conn: sqlite3.Connection,
    db_path: Path,
    submission_ids: list[int],
    notes: list[str] | None = None,
) -> dict[int, list[pages.Picture]]:
    """The pictures the mail intake saved for these submissions (table ``attachment``, files
    under ``attachments/`` beside the database), by submission id.

    Only raster pictures a browser shows (JPEG, PNG, GIF, WebP) whose file is inside the
    attachments folder and still has its recorded SHA-256; anything else is left out with a
    note. Nothing when this database has no attachments table.
    """
    notes = notes if notes is not None else []
    if not submission_ids or not _has_table(conn, "attachment"):
        return {}
    root = attachments_root(db_path).resolve()
    wanted = set(submission_ids)
    titles = {}
    out: dict[int, list[pages.Picture]] = defaultdict(list)
    rows = conn.execute(
        "SELECT a.id, a.submission_id, a.file_name, a.path, a.content_type, a.sha256, s.title"
        " FROM attachment a JOIN submission s ON s.id = a.submission_id"
        " WHERE a.submission_id IS NOT NULL ORDER BY a.submission_id, a.id"
    ).fetchall()
    for att_id, sub_id, file_name, rel, content_type, sha256, title in rows:
        if sub_id not in wanted:
            continue
        suffix = PICTURE_TYPES.get((content_type or "").split(";")[0].strip().lower())
        suffix = suffix or PICTURE_SUFFIXES.get(Path(file_name or "").suffix.lower())
        if suffix is None:
            continue  # a document, not a picture
        source = (root / (rel or "")).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            notes.append(
                _("picture {name!r} of submission {id} is missing; left out").format(
                    name=file_name, id=sub_id
                )
            )
            continue
        if sha256 and file_sha256(source) != str(sha256).lower():
            notes.append(
                _(
                    "picture {name!r} of submission {id} has changed since it arrived; left out"
                ).format(name=file_name, id=sub_id)
            )
            continue
        titles[sub_id] = title
        out[sub_id].append(
            pages.Picture(
                src=f"{PICTURE_DIR}/{sub_id}-{att_id}{suffix}",
                alt="",
                caption="",
                source=source,
            )
        )
    for sub_id, pictures in out.items():
        for n, p in enumerate(pictures, 1):
            title = pages.clean_text(titles[sub_id])
            p.alt = title if len(pictures) == 1 else f"{title} ({n}/{len(pictures)})"
    return dict(out)


def survey_results(conn: sqlite3.Connection, campaign_id: int) -> list[pages.Survey]:
    """The surveys that follow the campaign (``survey import … --campaign``, or imported
    while it ran), oldest first, with their results."""
    from svcmonth import survey

    return [
        pages.survey_from_rows(item["name"], survey.report(conn, item["name"]))
        for item in survey.list_surveys(conn, campaign_id)
    ]


# --- the clerk's Markdown ------------------------------------------------------------------


def read_markdown_pages(
    conn: sqlite3.Connection, folder: Path, notes: list[str]
) -> dict[str, pages.Markup]:
    """``<column>.md`` files for the association's own columns (银行业文明示范单位, 活动部署,
    调查问卷), read as UTF-8 (with or without a BOM) or GB18030, rendered to safe HTML."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SvcmonthError(_("{path} is not a folder").format(path=folder))
    names = {r[0] for r in conn.execute("SELECT name FROM column_def WHERE kind = 'association'")}
    out = {}
    for path in sorted(folder.glob("*.md")):
        if path.stem not in names:
            notes.append(
                _("{file}: no column of the association is named {name!r}; left out").format(
                    file=path.name, name=path.stem
                )
            )
            continue
        out[path.stem] = pages.markdown(_read_text(path))
    return out


def _read_text(path: Path) -> str:
    data = outfile.read_bytes(path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SvcmonthError(_("{path} is neither UTF-8 nor GB18030 text").format(path=path))


# --- rendering and writing ------------------------------------------------------------------


def render_site(site: pages.Site) -> dict[str, str]:
    """Every page of the site: file name → HTML."""
    files = {"index.html": pages.render_index(site)}
    for column in site.columns:
        files[column.file] = pages.render_column(site, column)
    for a in site.articles:
        assert a.entry.page is not None
        files[a.entry.page] = pages.render_article(site, a)
    return files


def write_folder(target: Path, files: dict[str, str], copies: dict[str, Path]) -> None:
    """Write the pages and copy the pictures into ``target`` through the one folder writer:
    a rebuild replaces what the last build wrote (its manifest) and nothing else."""
    outfile.write_folder(
        target, files, copies, writer="site build", public=True, legacy=_legacy(files, copies)
    )


def _legacy(files: dict[str, str], copies: dict[str, Path]) -> Callable[[Path], set[str]]:
    """A folder built before the manifest (only the ``.svcmonth-site`` marker): it owns the
    marker and the files this build writes again, nothing else."""

    def owned(target: Path) -> set[str]:
        if not (target / MARKER).is_file():
            return set()
        return {MARKER} | {n for n in [*files, *copies] if (target / n).is_file()}

    return owned
