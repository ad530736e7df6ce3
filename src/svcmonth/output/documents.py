"""Documents (通报, 会员动态, 报送函): one data model of a document, rendered to Word, Markdown,
paste-safe HTML and JSON.

A ``Document`` is a title, an optional addressee (主送: ``各会员单位：``), sections of blocks
(paragraphs, inline lists of names, tables, pictures) and the 落款 (the association's name and
the date). The renderers know nothing of the database; ``svcmonth.bulletin`` builds the data.

- ``docx``: through docxtpl and a template (the default one ships in the package:
  ``templates/bulletin.docx``, made by ``tools/make_docx_template.py``; ``--template`` names
  the association's own 红头). The template holds ``{{ title }}``, ``{{ association }}``,
  ``{{ date }}`` and ``{{p body }}``: the sections are written with python-docx into a
  subdocument that replaces ``{{p body }}``; every value is XML-escaped by the rendering.
  公文 typography: body 三号 (16 pt) 仿宋_GB2312, headings 黑体, sub-headings 楷体_GB2312,
  the East Asian font named on each run (``w:eastAsia``), tables bordered cell by cell.
- ``md``: for the website's editor; every text escaped.
- ``html``: one self-contained page with inline styles only (no ``<style>``, no ``class``, no
  script), so it survives pasting into the WeChat 公众号 editor or a CMS; pictures embedded.
- ``json``: the document as data.
"""

from __future__ import annotations

import base64
import html
import io
import json
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from svcmonth import timeutil
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _, is_chinese

FORMATS = ("md", "docx", "html", "json")
DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "bulletin.docx"

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_PT = 16  # 三号
TABLE_PT = 12  # 小四
LINE_PT = 28  # the 公文 line: 22 lines a page
PICTURE_TYPES = {"image/jpeg", "image/png", "image/gif"}
# what no document may hold: C0/C1 controls (tab and newline kept)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class Paragraph:
    """A paragraph; ``kind`` ``subheading`` (（一）…) or ``plain`` (no first-line indent)."""

    text: str
    kind: str = "text"


@dataclass
class Names:
    """An inline list: ``按时报送的单位（3家）：甲、乙、丙。`` — a label, items and a count."""

    label: str
    items: list[str]
    count: str = "({n})"  # how the count is written: ``（{n}家）``


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Picture:
    """A picture from a file (a submission's attachment)."""

    path: Path
    caption: str = ""


Block = Paragraph | Names | Table | Picture


@dataclass
class Section:
    heading: str  # ``一、报送情况``; empty: no heading (the opening)
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    sections: list[Section]
    association: str = ""  # 落款; empty: left out
    date: date | None = None
    addressee: str = ""  # 主送, e.g. 各会员单位：
    kind: str = "document"  # what it is, in JSON: bulletin, digest, letter


def clean(text: Any) -> str:
    """Any value as document text: no control character, whatever came in."""
    return _CONTROL.sub("", "" if text is None else str(text))


def names_text(block: Names) -> str:
    """``label（3家）：甲、乙、丙。`` (``无。`` when there is none)."""
    comma, colon, stop, space = ("、", "：", "。", "") if is_chinese() else (", ", ": ", ".", " ")
    count = space + block.count.format(n=len(block.items))
    items = comma.join(clean(i) for i in block.items) if block.items else _("none")
    return f"{clean(block.label)}{count}{colon}{items}{stop}"


# --- JSON ------------------------------------------------------------------------------------


def to_data(doc: Document) -> dict[str, Any]:
    """The document as data (``--format json``)."""

    def block(b: Block) -> dict[str, Any]:
        if isinstance(b, Paragraph):
            return {"type": "paragraph", "kind": b.kind, "text": clean(b.text)}
        if isinstance(b, Names):
            return {"type": "names", "label": clean(b.label), "items": [clean(i) for i in b.items]}
        if isinstance(b, Table):
            return {
                "type": "table",
                "columns": [clean(c) for c in b.columns],
                "rows": [[clean(c) for c in r] for r in b.rows],
            }
        return {"type": "picture", "file": b.path.name, "caption": clean(b.caption)}

    return {
        "kind": doc.kind,
        "title": clean(doc.title),
        "addressee": clean(doc.addressee),
        "sections": [
            {"heading": clean(s.heading), "blocks": [block(b) for b in s.blocks]}
            for s in doc.sections
        ],
        "association": clean(doc.association),
        "date": doc.date.isoformat() if doc.date else None,
    }


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=])")
_MD_NUMBERED = re.compile(r"^(\s*\d+)([.)])")


def md_escape(text: Any) -> str:
    """Text that Markdown shows as it is (no emphasis, link, HTML, heading, list item or table
    cell break)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", clean(text).replace("\n", " "))
    escaped = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    return _MD_NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def picture_names(doc: Document, stem: str) -> dict[int, str]:
    """The file name of each picture beside a written document: ``<stem>-1.png``, …
    (keyed by ``id`` of the block)."""
    pictures = [b for s in doc.sections for b in s.blocks if isinstance(b, Picture)]
    return {id(p): f"{stem}-{n}{p.path.suffix.lower()}" for n, p in enumerate(pictures, 1)}


def to_markdown(doc: Document, names: dict[int, str] | None = None) -> str:
    """The document in Markdown, for the website's editor; pictures referenced by ``names``
    (the files written beside it), left out when there are none."""
    names = names or {}
    out = [f"# {md_escape(doc.title)}", ""]
    if doc.addressee:
        out += [md_escape(doc.addressee), ""]
    for s in doc.sections:
        if s.heading:
            out += [f"## {md_escape(s.heading)}", ""]
        for b in s.blocks:
            if isinstance(b, Paragraph):
                text = md_escape(b.text)
                out += [f"**{text}**" if b.kind == "subheading" else text, ""]
            elif isinstance(b, Names):
                out += [md_escape(names_text(b)), ""]
            elif isinstance(b, Table):
                out.append("| " + " | ".join(md_escape(c) for c in b.columns) + " |")
                out.append("|" + "---|" * len(b.columns))
                out += ["| " + " | ".join(md_escape(c) for c in r) + " |" for r in b.rows]
                out.append("")
            elif id(b) in names:
                out += [f"![{md_escape(b.caption)}]({_md_link(names[id(b)])})", ""]
    sign = [t for t in (clean(doc.association), timeutil.day_text(doc.date)) if t]
    if sign:
        out += [f'<p align="right">{html.escape(t)}</p>' for t in sign]
        out.append("")
    return "\n".join(out)


def _md_link(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- HTML (inline styles only) ---------------------------------------------------------------

PAGE = "margin:0;padding:12px;background:#fff"
BODY = (
    "max-width:720px;margin:0 auto;color:#222;font-size:16px;line-height:1.8;"
    "font-family:FangSong,'仿宋_GB2312','仿宋',STFangsong,serif"
)
TITLE = (
    "text-align:center;font-size:22px;line-height:1.5;margin:16px 0 20px;font-weight:normal;"
    "font-family:'方正小标宋简体','FZXiaoBiaoSong-B05S',SimSun,'宋体',serif"
)
HEADING = (
    "font-size:17px;margin:18px 0 8px;font-weight:bold;"
    "font-family:SimHei,'黑体','Heiti SC',sans-serif"
)
PARA = "margin:0 0 8px;text-indent:2em"
PLAIN = "margin:0 0 8px"
SUBHEADING = "margin:14px 0 6px;text-indent:2em;font-weight:bold;font-family:KaiTi,'楷体',serif"
TABLE = "border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:14px;line-height:1.5"
CELL = "border:1px solid #888;padding:4px 6px;text-align:left;vertical-align:top"
HEAD_CELL = CELL + ";background:#f0f0f0;font-weight:bold"
FIGURE = "margin:8px 0 12px;text-align:center"
IMG = "max-width:100%;height:auto"
CAPTION = "font-size:14px;color:#555;text-indent:0"
SIGN = "margin:0;text-align:right"


def _e(text: Any) -> str:
    return html.escape(clean(text), quote=True)


def to_html(doc: Document, *, embed: bool = True) -> str:
    """One self-contained page, inline styles only; pictures embedded as data: URIs (or, with
    ``embed=False``, referenced by file name beside the page)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(doc.title)}</title></head>",
        f'<body style="{PAGE}">',
        f'<section style="{BODY}">',
        f'<h1 style="{TITLE}">{_e(doc.title)}</h1>',
    ]
    if doc.addressee:
        out.append(f'<p style="{PLAIN}">{_e(doc.addressee)}</p>')
    for s in doc.sections:
        if s.heading:
            out.append(f'<h2 style="{HEADING}">{_e(s.heading)}</h2>')
        for b in s.blocks:
            out.append(_html_block(b, embed))
    sign = [t for t in (clean(doc.association), timeutil.day_text(doc.date)) if t]
    if sign:
        out.append('<div style="margin-top:24px">')
        out += [f'<p style="{SIGN}">{_e(t)}</p>' for t in sign]
        out.append("</div>")
    out += ["</section>", "</body>", "</html>", ""]
    return "\n".join(out)


def _html_block(b: Block, embed: bool) -> str:
    if isinstance(b, Paragraph):
        style = {"subheading": SUBHEADING, "plain": PLAIN}.get(b.kind, PARA)
        return f'<p style="{style}">{_e(b.text)}</p>'
    if isinstance(b, Names):
        return f'<p style="{PARA}">{_e(names_text(b))}</p>'
    if isinstance(b, Table):
        head = "".join(f'<th style="{HEAD_CELL}">{_e(c)}</th>' for c in b.columns)
        rows = "".join(
            "<tr>" + "".join(f'<td style="{CELL}">{_e(c)}</td>' for c in r) + "</tr>"
            for r in b.rows
        )
        return f'<table style="{TABLE}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    src = picture_uri(b.path) if embed else _md_link(b.path.name)
    if not src:
        return ""
    caption = f'<br><span style="{CAPTION}">{_e(b.caption)}</span>' if b.caption else ""
    return (
        f'<p style="{FIGURE}"><img src="{_e(src)}" alt="{_e(b.caption)}" style="{IMG}">'
        f"{caption}</p>"
    )


def picture_type(path: Path) -> str | None:
    """The picture's type when it is one a document may show (JPEG, PNG, GIF), else None."""
    kind = mimetypes.guess_type(path.name)[0]
    return kind if kind in PICTURE_TYPES else None


def picture_uri(path: Path) -> str:
    """A picture as a ``data:`` URI ('' when it is not a picture a page may show)."""
    kind = picture_type(path)
    if kind is None:
        return ""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


# --- Word ------------------------------------------------------------------------------------


def to_docx(doc: Document, template: Path | None = None) -> bytes:
    """The document as a .docx, through ``template`` (default: the one shipped)."""
    from docxtpl import DocxTemplate

    path = Path(template) if template is not None else DEFAULT_TEMPLATE
    _check_template(path)
    try:
        tpl = DocxTemplate(str(path))
        tpl.init_docx()
    except Exception:  # a damaged or foreign file: docx/zip/lxml errors (English texts)
        raise SvcmonthError(
            _("{path} is not a Word .docx template: {reason}").format(
                path=path, reason=_("an empty file, or not a .docx saved by Word or WPS")
            )
        ) from None
    body = tpl.new_subdoc()
    write_body(body, doc)
    context = {
        "title": clean(doc.title),
        "association": clean(doc.association),
        "date": timeutil.day_text(doc.date),
        "addressee": clean(doc.addressee),
        "body": body,
    }
    try:
        tpl.render(context, autoescape=True)
    except Exception as exc:  # a template with a Jinja error
        raise SvcmonthError(
            _("the template {path} cannot be filled: {reason}").format(path=path, reason=exc)
        ) from None
    # the file's own properties (文件 → 属性) are this document's, not the template's
    props = tpl.docx.core_properties
    props.title = clean(doc.title)
    props.author = clean(doc.association)
    props.last_modified_by = clean(doc.association)
    props.subject = props.keywords = props.comments = ""
    if doc.date is not None:
        stamp = datetime.combine(doc.date, time(0, 0))
        props.created = props.modified = stamp
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _check_template(path: Path) -> None:
    if not path.is_file():
        raise SvcmonthError(_("{path} is not a file").format(path=path))
    if path.suffix.lower() != ".docx":
        raise SvcmonthError(_("--template needs a .docx file (Word 2007 or later, or WPS)"))


def font(run: Any, name: str, size: float, bold: bool = False) -> None:
    """Set a run's font, the East Asian name included (``w:eastAsia``: what Word and WPS use
    for Chinese characters; ``font.name`` alone sets only the Latin ones)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), name)
    rfonts.set(qn("w:hAnsi"), name)


def _paragraph(
    container: Any,
    text: str,
    face: str = BODY_FONT,
    size: float = BODY_PT,
    *,
    indent: bool = True,
    align: str = "left",
    bold: bool = False,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT if size >= BODY_PT else size * 1.5)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    fmt.alignment = {
        "left": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    if text:
        font(p.add_run(clean(text)), face, size, bold)
    return p


def write_body(container: Any, doc: Document) -> None:
    """The addressee and the sections, written into a python-docx document or subdocument."""
    if doc.addressee:
        _paragraph(container, doc.addressee, indent=False)
    for s in doc.sections:
        if s.heading:
            _paragraph(container, s.heading, HEADING_FONT)
        for b in s.blocks:
            if isinstance(b, Paragraph):
                face = SUBHEADING_FONT if b.kind == "subheading" else BODY_FONT
                _paragraph(container, b.text, face, indent=b.kind != "plain")
            elif isinstance(b, Names):
                _paragraph(container, names_text(b))
            elif isinstance(b, Table):
                _table(container, b)
            else:
                _picture(container, b)


def _table(container: Any, b: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table = container.add_table(rows=1 + len(b.rows), cols=max(1, len(b.columns)))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    for i, heading in enumerate(b.columns):
        cell = table.rows[0].cells[i]
        _cell_text(cell, heading, bold=True)
    for r, row in enumerate(b.rows, start=1):
        for i, value in enumerate(row[: len(b.columns)]):
            _cell_text(table.rows[r].cells[i], value)
    _repeat_header(table.rows[0])
    _paragraph(container, "", indent=False)  # a line after the table


def _cell_text(cell: Any, text: str, bold: bool = False) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    fmt = p.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(TABLE_PT * 1.6)
    fmt.space_before = fmt.space_after = Pt(3)
    font(p.add_run(clean(text)), BODY_FONT, TABLE_PT, bold)


def _borders(table: Any) -> None:
    """Single borders on every edge and between every cell (no style needed in the template)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "6")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _picture(container: Any, b: Picture) -> None:
    from docx.shared import Cm

    if picture_type(b.path) is None or not b.path.is_file():
        return
    p = _paragraph(container, "", indent=False, align="center")
    p.paragraph_format.line_spacing = None  # a fixed line would crop the picture
    try:
        p.add_run().add_picture(str(b.path), width=Cm(12))
    except Exception:  # a damaged picture: the document goes out without it
        return
    if b.caption:
        _paragraph(container, b.caption, BODY_FONT, TABLE_PT, indent=False, align="center")


# --- writing ---------------------------------------------------------------------------------


def write(
    doc: Document,
    fmt: str,
    output: Path | None,
    *,
    template: Path | None = None,
) -> None:
    """Write ``doc`` in ``fmt`` to ``output`` (through ``outfile``: whole or not at all,
    owner-only, never the database) or to stdout (not ``docx``)."""
    from svcmonth.output import outfile, render

    if fmt not in FORMATS:
        raise SvcmonthError(
            _("unknown format {fmt!r} (one of {names})").format(fmt=fmt, names=", ".join(FORMATS))
        )
    if template is not None and fmt != "docx":
        raise SvcmonthError(_("--template is for --format docx"))
    if fmt == "docx":
        if output is None:
            raise SvcmonthError(_("--format {fmt} needs --output FILE.{fmt}").format(fmt=fmt))
        data = to_docx(doc, template)
        with outfile.open_binary(output) as handle:
            handle.write(data)
        return
    if output is not None:
        outfile.refuse_protected(output)
    if fmt == "md":
        names = picture_names(doc, output.stem) if output is not None else {}
        text = to_markdown(doc, names)
        assert output is not None or not names
        for block in (b for s in doc.sections for b in s.blocks if isinstance(b, Picture)):
            if output is not None and id(block) in names:
                with outfile.open_binary(output.parent / names[id(block)]) as handle:
                    handle.write(block.path.read_bytes())
    elif fmt == "html":
        text = to_html(doc)
    else:
        text = json.dumps(to_data(doc), ensure_ascii=False, indent=2) + "\n"
    render.write_text(text, output, "utf-8")
