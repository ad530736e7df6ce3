"""HTML pages from plain data: the website's 服务月专栏 and ``--format html`` of the reports.

Jinja2 templates (``svcmonth/templates``) with autoescaping on: every text — a member's
name, a title, a survey answer — is escaped where it is written, never concatenated into
markup. The pages embed their one stylesheet and hold no script and no external reference
(fonts are the reader's own), so a built folder works offline, on a phone and on paper.
The clerk's Markdown is rendered by markdown-it-py with raw HTML and images turned off.
This module knows nothing of the database: ``svcmonth.site`` gathers the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.output import columns as columns_
from svcmonth.output import render

TEMPLATES = Path(__file__).parent / "templates"
# what text may hold that an HTML page cannot: C0/C1 controls (tab and newlines kept) and
# Unicode noncharacters (U+FDD0-U+FDEF, and the last two code points of every plane)
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
    + "]"
)
NUMERIC_KEYS = {
    "rank",
    "articles",
    "reports_on_time",
    "reports_late",
    "reports_missing",
    "points",
    "adopted",
    "week",
    "required",
    "shortfall",
    "submissions",
    "weeks",
    "count",
    "percent",
    "respondents",
}


@dataclass
class Picture:
    """One picture of a submission: where it goes in the site and where it comes from."""

    src: str  # path inside the site folder, e.g. ``pictures/12-3.jpg``
    alt: str
    caption: str = ""
    source: Path | None = None  # the file to copy (None: already in place, or a test)


@dataclass
class Entry:
    """One published submission as a column page lists it."""

    id: int
    day: str  # 2023-07-14
    submitted_at: str  # ISO instant in the campaign's zone, for ordering
    member: str  # the member's name
    title: str
    url: str | None = None  # only http(s) addresses become links
    week: int | None = None
    column: str = ""
    pictures: list[Picture] = field(default_factory=list)
    page: str | None = None  # its own page (``article-12.html``) when its text is known


@dataclass
class Article:
    """A submission's own page: its text as safe HTML (an attached .docx converted by
    mammoth, or the mail body) and the pictures that came with it."""

    entry: Entry
    body: Markup
    images: dict[str, bytes] = field(default_factory=dict)  # pictures inside the .docx


@dataclass
class Group:
    heading: str
    entries: list[Entry]


@dataclass
class SurveyOption:
    label: str
    count: int
    percent: float  # the bar's length, 0-100
    value: str  # the number shown beside the bar (a percentage, or an average rank)


@dataclass
class SurveyQuestion:
    number: int
    question: str
    type: str  # single | multiple | ranking | text
    respondents: int
    options: list[SurveyOption] = field(default_factory=list)
    others: list[SurveyOption] = field(default_factory=list)  # texts typed into "other"

    @property
    def kind_label(self) -> str:
        return {
            "single": _("single choice"),
            "multiple": _("multiple choice"),
            "ranking": _("ranking"),
            "text": _("free text"),
        }.get(self.type, self.type)

    @property
    def answered(self) -> str:
        """``单选题 · 11 人作答``, as the Markdown of ``survey report`` says it."""
        return _("{type} · {n} answered").format(type=self.kind_label, n=self.respondents)

    @property
    def count_label(self) -> str:
        return _("First places") if self.type == "ranking" else _("Count")

    @property
    def value_label(self) -> str:
        return _("Average rank") if self.type == "ranking" else _("Share")


@dataclass
class Survey:
    name: str
    questions: list[SurveyQuestion]


@dataclass
class ColumnPage:
    """A column's (栏目's) page: a list of entries, entries by week, Markdown, survey results."""

    name: str
    file: str
    description: str = ""
    entries: list[Entry] | None = None
    groups: list[Group] | None = None
    markdown: Markup | None = None
    surveys: list[Survey] = field(default_factory=list)

    @property
    def count(self) -> int | None:
        if self.groups is not None:
            return sum(len(g.entries) for g in self.groups)
        return None if self.entries is None else len(self.entries)

    @property
    def count_text(self) -> str:
        return _("({n} published)").format(n=self.count)


@dataclass
class TableColumn:
    label: str
    numeric: bool = False
    key: str = ""  # the report key: its cells get class ``col-<key>`` (the phone layout)

    @property
    def css(self) -> str:
        return " ".join(
            c for c in ("num" if self.numeric else "", f"col-{self.key}" if self.key else "") if c
        )


@dataclass
class Site:
    """Everything the pages show, gathered from one campaign at one instant."""

    campaign: str
    dates: str
    as_of: str
    weeks: list[list[str]]
    week_columns: list[TableColumn]
    scoreboard: list[list[str]]
    scoreboard_columns: list[TableColumn]
    columns: list[ColumnPage]
    show_scoreboard: bool = True
    articles: list[Article] = field(default_factory=list)


def texts() -> dict[str, str]:
    """The pages' own words (translated through the catalog like every other message)."""
    return {
        "section": _("Service Month column"),
        "home": _("Home"),
        "columns": _("Columns"),
        "weeks": _("Weeks and deadlines"),
        "scoreboard": _("Scoreboard"),
        "as_of": _("Figures as of"),
        "none": _("(none)"),
        "nothing_yet": _("Nothing published yet."),
        "chart": _("Chart"),
        "option": _("Option"),
        "count": _("Count"),
        "other_answers": _("Other answers:"),
        "original": _("Original link"),
    }


@cache
def environment() -> Any:
    """The Jinja2 environment: autoescape on, undefined names an error."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def _finalize(value: Any) -> Any:
    """Every text written into a page loses the characters HTML cannot hold (escaping
    follows); markup already made safe (the clerk's Markdown) passes as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_text(value)
    return value


def _render(template: str, **context: Any) -> str:
    context.setdefault("site", None)
    context.setdefault("current", "")
    context.setdefault("as_of", "")
    return str(environment().get_template(template).render(t=texts(), **context))


def render_index(site: Site) -> str:
    """The index page: the campaign, its weeks and deadlines, the scoreboard, the columns."""
    return _render(
        "index.html", site=site, page_title=site.campaign, current="index", as_of=site.as_of
    )


def render_column(site: Site, column: ColumnPage) -> str:
    """One column's page."""
    return _render(
        "column.html",
        site=site,
        page=column,
        page_title=column.name,
        current=column.file,
        as_of=site.as_of,
    )


def render_article(site: Site, article: Article) -> str:
    """One submission's own page: title, member and date, its text and pictures."""
    column = next((c for c in site.columns if c.name == article.entry.column), None)
    return _render(
        "article.html",
        site=site,
        article=article,
        column=column,
        page_title=article.entry.title,
        current=column.file if column else "",
        as_of=site.as_of,
    )


def text_html(text: str) -> Markup:
    """A mail body as paragraphs (every text escaped)."""
    from markupsafe import escape

    paragraphs = [p.strip() for p in clean_text(text).splitlines() if p.strip()]
    return Markup("".join(f"<p>{escape(p)}</p>\n" for p in paragraphs))


_UNSAFE_HREF = re.compile(r'<a href="(?!https?://|#)[^"]*"', re.IGNORECASE)


def docx_markup(converted: str) -> Markup:
    """mammoth's HTML of a .docx made safe to publish: mammoth escapes every text and writes
    no script or style; links that are not http(s) lose their target."""
    return Markup(_UNSAFE_HREF.sub("<a", clean_text(converted)))


def render_report(
    rows: Iterable[dict[str, Any]], cols: Sequence[Any], title: str | None = None
) -> str:
    """A report's rows as one self-contained HTML page (``--format html``); ``cols`` are the
    report's declared columns (or bare keys of the shared ones)."""
    columns, cells = table(rows, cols)
    return _render(
        "report.html", rows=cells, columns=columns, surveys=[], page_title=title or "svcmonth"
    )


def table(
    rows: Iterable[dict[str, Any]], cols: Sequence[Any]
) -> tuple[list[TableColumn], list[list[str]]]:
    """Headings and cells of a listing as people read them (the labels and value names of
    the declared columns: the same words as the table, Markdown and workbook formats)."""
    declared = columns_.resolve(list(cols))
    heads = [
        TableColumn(c.heading, c.kind == "int" or c.key in NUMERIC_KEYS, c.key) for c in declared
    ]
    return heads, [[columns_.human(row.get(c.key), c.kind) for c in declared] for row in rows]


def render_survey(name: str, rows: Iterable[dict[str, Any]], title: str | None = None) -> str:
    """A survey's report rows (``survey report NAME``) as one page with bar charts."""
    return _render(
        "report.html",
        rows=[],
        columns=[],
        surveys=[survey_from_rows(name, rows)],
        page_title=title or name,
    )


def clean_text(text: str) -> str:
    """Text without the control characters HTML cannot hold."""
    return _CONTROL.sub("", text)


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # CommonMark with raw HTML off (it is shown as text); an image shows its alt text (a
    # picture from elsewhere would be an external reference); links with javascript:,
    # data:, vbscript: or file: are refused by markdown-it's own link validation; tables on
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.add_render_rule("image", _image_as_text)
    return md


def _image_as_text(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    from markdown_it.common.utils import escapeHtml

    return str(escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env)))


def markdown(text: str) -> Markup:
    """The clerk's Markdown as safe HTML (no raw HTML, no pictures from elsewhere, no
    script links)."""
    return Markup(_markdown().render(clean_text(text)))  # markdown-it escaped every text


def survey_from_rows(name: str, rows: Iterable[dict[str, Any]]) -> Survey:
    """Questions with their options, from ``survey report`` rows (``number, question, type,
    option, count, percent, respondents`` and ``other``, ``average_rank``)."""
    questions: dict[int, SurveyQuestion] = {}
    for row in rows:
        number = int(row["number"])
        q = questions.get(number)
        if q is None:
            q = questions[number] = SurveyQuestion(
                number,
                str(row.get("question") or ""),
                str(row.get("type") or "single"),
                int(row.get("respondents") or 0),
            )
        count = int(row.get("count") or 0)
        label = str(row.get("option") if row.get("option") is not None else "")
        if q.type == "ranking":
            average = row.get("average_rank")
            share = 100.0 * count / q.respondents if q.respondents else 0.0
            value = "" if average is None else f"{float(average):.1f}"
            q.options.append(SurveyOption(label, count, share, value))
            continue
        percent = float(row.get("percent") or 0.0)
        option = SurveyOption(label, count, max(0.0, min(percent, 100.0)), f"{percent:.1f}%")
        if row.get("other"):
            q.others.append(option)
        else:
            q.options.append(option)
    return Survey(name, [questions[n] for n in sorted(questions)])


def write_report(
    rows: Iterable[dict[str, Any]],
    cols: Sequence[Any],
    output: Path | None,
    encoding: str | None = None,
    title: str | None = None,
) -> int:
    """``--format html`` of any listing: one page to stdout or to ``output`` (owner-only,
    written whole into a temporary file and renamed into place). Returns the number of rows."""
    if encoding and codec_name(encoding) != "utf-8":
        raise SvcmonthError(_("--format html is always written in UTF-8"))
    rows = list(rows)
    write_page(render_report(rows, cols, title), output)
    return len(rows)


def write_survey(
    name: str,
    rows: Iterable[dict[str, Any]],
    output: Path | None,
    encoding: str | None = None,
) -> int:
    """``survey report NAME --format html``: the results as one page with bar charts, the
    same section the website's 调查问卷 page shows. Returns the number of rows."""
    if encoding and codec_name(encoding) != "utf-8":
        raise SvcmonthError(_("--format html is always written in UTF-8"))
    rows = list(rows)
    write_page(render_survey(name, rows), output)
    return len(rows)


def codec_name(encoding: str) -> str:
    import codecs

    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise SvcmonthError(
            _("unknown encoding {name!r} (e.g. utf-8, gb18030)").format(name=encoding)
        ) from None


def write_page(text: str, output: Path | None) -> None:
    """One page to stdout, or to a file that appears only when complete (``render.write_text``)."""

    render.write_text(text, output, "utf-8")


@render.register("html", human=True)
def _html(rows: Iterable[dict[str, Any]], cols: list[Any], target: render.Target) -> int:
    """``--format html``: one self-contained page in the style of the website's pages."""
    return write_report(rows, cols, target.output, target.encoding, target.title)
