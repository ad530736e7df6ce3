"""An article's own text: from its attached .docx (the way members send them), else the body
of the mail it came in.

The digest quotes an excerpt (the first paragraphs, up to 200 characters) and its first
picture; the website gives each article a page (mammoth turns the .docx into clean HTML,
its pictures kept as files). Only files inside the attachment store whose SHA-256 is still
the recorded one are read.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svcmonth.attachments import attachments_root, file_sha256

EXCERPT_CHARS = 200
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
PICTURE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif"}


@dataclass
class Text:
    """What is known of a submission's text."""

    excerpt: list[str] = field(default_factory=list)  # the first paragraphs
    picture: Path | None = None  # the first picture attached (or in the .docx: not used)
    docx: Path | None = None
    body: str = ""  # the mail's body, when there is no .docx
    pictures: list[tuple[int, Path]] = field(default_factory=list)  # attachment id, file

    @property
    def known(self) -> bool:
        return self.docx is not None or bool(self.body.strip())


def files_of(conn: sqlite3.Connection, db_path: Path, submission_id: int) -> list[dict[str, Any]]:
    """The submission's attachments whose file is in the store, unchanged: ``id, file_name,
    content_type, file`` (a path)."""
    root = attachments_root(db_path).resolve()
    out = []
    for att_id, name, rel, content_type, sha256 in conn.execute(
        "SELECT id, file_name, path, content_type, sha256 FROM attachment"
        " WHERE submission_id = ? ORDER BY id",
        (submission_id,),
    ):
        source = (root / (rel or "")).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            continue
        if sha256 and file_sha256(source) != str(sha256).lower():
            continue
        out.append({"id": att_id, "file_name": name, "content_type": content_type, "file": source})
    return out


def is_docx(a: dict[str, Any]) -> bool:
    return a["content_type"] in DOCX_TYPES or str(a["file_name"]).lower().endswith(".docx")


def is_picture(a: dict[str, Any]) -> bool:
    return Path(str(a["file_name"])).suffix.lower() in PICTURE_SUFFIXES


def text_of(conn: sqlite3.Connection, db_path: Path, submission_id: int, title: str = "") -> Text:
    """The submission's text: the first .docx attached, else the mail body; an excerpt of
    its first paragraphs (the title line left out) and its first picture."""
    files = files_of(conn, db_path, submission_id)
    out = Text()
    pictures = [a for a in files if is_picture(a)]
    out.pictures = [(a["id"], a["file"]) for a in pictures]
    out.picture = pictures[0]["file"] if pictures else None
    docx = next((a for a in files if is_docx(a)), None)
    paragraphs: list[str] = []
    if docx is not None:
        paragraphs = docx_paragraphs(docx["file"])
        if paragraphs:
            out.docx = docx["file"]
    if out.docx is None:
        row = conn.execute(
            "SELECT body FROM intake WHERE submission_id = ?", (submission_id,)
        ).fetchone()
        out.body = (row[0] if row else "") or ""
        paragraphs = [p.strip() for p in re.split(r"\n", out.body) if p.strip()]
    out.excerpt = excerpt(paragraphs, title)
    return out


def docx_paragraphs(path: Path) -> list[str]:
    """The body text of a .docx, one string per non-empty paragraph ([] when unreadable)."""
    try:
        import docx

        document = docx.Document(str(path))
    except Exception:  # not a .docx after all, or damaged: no text
        return []
    return [p.text.strip() for p in document.paragraphs if p.text.strip()]


def excerpt(paragraphs: list[str], title: str = "", limit: int = EXCERPT_CHARS) -> list[str]:
    """The first paragraphs up to ``limit`` characters (the first cut with ``……`` if it alone
    is longer); a first paragraph that is the title is skipped."""
    if paragraphs and title and _same(paragraphs[0], title):
        paragraphs = paragraphs[1:]
    out: list[str] = []
    used = 0
    for p in paragraphs:
        if used + len(p) > limit:
            if not out:
                out.append(p[:limit].rstrip() + "……")
            break
        out.append(p)
        used += len(p)
    return out


def _same(a: str, b: str) -> bool:
    strip = re.compile(r"[\s《》“”\"']")
    return strip.sub("", a) == strip.sub("", b)


def docx_html(path: Path, picture_name: Any) -> str:
    """A .docx as HTML (mammoth: headings, paragraphs, lists, tables, pictures); each picture
    is handed to ``picture_name(content_type, bytes)``, which returns its file name beside the
    page (or '' to leave it out). mammoth escapes the text; no style or class is written."""
    import mammoth

    def image(img: Any) -> dict[str, str]:
        with img.open() as f:
            data = f.read()
        name = picture_name(img.content_type or "", data)
        return {"src": name, "alt": img.alt_text or ""} if name else {}

    with open(path, "rb") as f:
        result = mammoth.convert_to_html(
            f, convert_image=mammoth.images.img_element(image), ignore_empty_paragraphs=True
        )
    return str(result.value)
