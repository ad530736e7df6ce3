"""Make the default Word template of documents: src/svcmonth/output/templates/bulletin.docx.

Run after changing it: ``python tools/make_docx_template.py``. The template is an ordinary
.docx holding the placeholders an association's own 红头 template holds too (README,
"Documents"): ``{{ title }}``, ``{{p body }}``, ``{{ association }}``, ``{{ date }}``.
Layout after GB/T 9704-2012 (党政机关公文格式): A4, margins 37/35/28/26 mm, title 二号
方正小标宋简体 centred, body 三号 仿宋_GB2312 at a fixed 28 pt line, 落款 right-aligned, the
page number ``— 1 —`` centred in the footer (a PAGE field).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from svcmonth.output.documents import (  # noqa: E402 (after the path is set)
    BODY_FONT,
    BODY_PT,
    DEFAULT_TEMPLATE,
    LINE_PT,
    TITLE_FONT,
    TITLE_PT,
    font,
)


def _line(paragraph, exact: float = LINE_PT) -> None:  # type: ignore[no-untyped-def]
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(exact)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _page_field(paragraph) -> None:  # type: ignore[no-untyped-def]
    """``— PAGE —``: a complex field Word, WPS and LibreOffice all update."""
    font(paragraph.add_run("— "), "宋体", 14)
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = paragraph.add_run()
        font(run, "宋体", 14)
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._element.append(element)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
            run._element.append(element)
        else:
            run.text = text
    font(paragraph.add_run(" —"), "宋体", 14)


def make(target: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)

    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _line(title, 36)
    font(title.add_run("{{ title }}"), TITLE_FONT, TITLE_PT)
    _line(doc.add_paragraph())

    body = doc.add_paragraph("{{p body }}")
    _line(body)

    _line(doc.add_paragraph())
    for placeholder in ("{{ association }}", "{{ date }}"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(BODY_PT * 4)
        _line(p)
        font(p.add_run(placeholder), BODY_FONT, BODY_PT)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(footer)

    doc.core_properties.author = "svcmonth"
    doc.core_properties.title = "svcmonth document template"
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))


if __name__ == "__main__":
    make(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TEMPLATE)
    print(f"wrote {DEFAULT_TEMPLATE if len(sys.argv) == 1 else sys.argv[1]}")
