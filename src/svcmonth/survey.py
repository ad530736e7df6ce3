"""调查问卷: read a survey tool's export (问卷星, 腾讯问卷), store it, and tally it.

The export is ``.xlsx``, ``.xls`` or ``.csv`` (UTF-8, BOM or GB18030, read like every CSV
import); a workbook is read with bounded memory whatever extent it claims
(``csvio.sheet_rows``). Columns are found by their names: the metadata of either tool
(``序号``/``编号``, ``提交答卷时间``/``结束答题时间``, ``所用时间``/``答题时长``, …) and the
questions, headed ``N、题干``, ``N.题干``, ``第N题…`` or the bare 题干. The shapes (see
SPEC "Real exports" and tests/survey_exports.py for where each comes from):

- 按文本 answers: a multiple choice joins options with ``┋``, a ranking with ``→``; text
  typed into an "other" option follows it in ``〖…〗``; ``(跳过)``, ``(空)``, ``-2``, ``-3``
  or an empty cell is no answer.
- option-per-column multiple choice (腾讯问卷): ``题干:选项`` columns sharing one 题干;
- matrix questions: ``第N题(行)``, ``N、题干(行)`` or ``N、题干—行`` columns sharing N;
- the 按序号 download (option numbers instead of texts) is refused.

A question's type is fixed by its shape (``matrix``, option-per-column ``multiple``) or by
``survey import --type N=…``; else decided when read: ``multiple`` when any answer holds
``┋``; ``ranking`` when any holds ``→``; ``text`` when its distinct answers are more than
half of its answers and more than 10; ``scale`` when every option belongs to one known
Chinese scale or the answers are integers 0–10; otherwise ``single``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from svcmonth import campaigns, timeutil
from svcmonth import text as text_
from svcmonth.errors import NotFound, SvcmonthError, reason
from svcmonth.i18n import N_, _
from svcmonth.output import columns as cols_
from svcmonth.output import csvio, outfile
from svcmonth.storage import audit

# the metadata columns, by their names in the export, and where each is stored
META = {
    "序号": "serial",
    "提交答卷时间": "submitted_at",
    "所用时间": "duration",
    "来源": "source",
    "来源详情": "source_detail",
    "来自IP": "ip",
    "总分": "score",
    # 腾讯问卷's
    "编号": "serial",
    "结束答题时间": "submitted_at",
    "答题时长": "duration",
    "IP": "ip",
}
# recognised metadata that is not stored (腾讯问卷's respondent details)
META_UNSTORED = frozenset(
    {
        "开始答题时间",
        "地理位置国家和地区",
        "地理位置省",
        "地理位置市",
        "用户类型",
        "用户标识",
        "昵称",
        "自定义字段",
        "答题序号",
    }
)
# 问卷星 writes -2 (skipped by a jump) and -3 (not shown to this respondent) in 按序号 and in
# the numbered cells of 按文本 (reportgen's wenjuanxing() drops both as NaN)
NOT_ANSWERED = frozenset({"", "(跳过)", "(空)", "（跳过）", "（空）", "-2", "-3"})
TYPES = ("text", "single", "multiple", "scale")  # what --type may set
MULTIPLE_SEP, RANKING_SEP = "┋", "→"
OTHER_OPEN, OTHER_CLOSE = "〖", "〗"
SPREADSHEETS = csvio.SPREADSHEET_SUFFIXES

# `survey report` and `survey list`: the JSON keys, with the labels people read them by
REPORT_COLUMNS = (
    cols_.Field("number", N_("No."), "int"),
    cols_.Field("question", N_("Question")),
    cols_.Field("type", N_("Type")),
    cols_.Field("row", N_("Matrix row")),
    cols_.Field("option", N_("Option")),
    cols_.Field("count", N_("Count"), "int"),
    cols_.Field("percent", N_("Percent")),
    cols_.Field("respondents", N_("Answered"), "int"),
    cols_.Field("other", N_("Other"), "bool"),
    cols_.Field("average_rank", N_("Average rank")),
    cols_.Field("mean", N_("Mean score")),
    cols_.Field("satisfaction", N_("Satisfaction %")),
)
LIST_COLUMNS = (
    cols_.Field("name", N_("Survey")),
    cols_.Field("campaign", N_("Campaign")),
    cols_.Field("questions", N_("Questions"), "int"),
    cols_.Field("responses", N_("Responses"), "int"),
    cols_.Field("first_at", N_("First answer"), "instant"),
    cols_.Field("last_at", N_("Last answer"), "instant"),
)

_QUESTION = re.compile(r"^(\d{1,4})\s*[、.．]\s*(.*)$", re.S)
_QUESTION_DI = re.compile(r"^第\s*(\d{1,4})\s*题\s*[:：、.．]?\s*(.*)$", re.S)
# 按序号: one column per option of a multiple choice, `第3题(选项)` or `3(选项)`, holding 0/1
_BY_NUMBER = re.compile(r"^(?:第\s*)?(\d{1,4})\s*(?:题)?\s*[(（].*[)）]$", re.S)
_ZERO_ONE = frozenset({"0", "1"}) | NOT_ANSWERED
# a matrix row: `题干(行)` / `题干（行）` at the end, or `题干—行`
_MATRIX_PAREN = re.compile(r"^(.*?)\s*[(（]([^()（）]+)[)）]$", re.S)
_MATRIX_DASH = re.compile(r"^(.*\S)\s*[—–]+\s*(.+)$", re.S)
# option-per-column: `题干:选项`, ASCII or full-width colon
_OPTION_COLUMN = re.compile(r"^(.+?)\s*[:：]\s*(.+)$", re.S)
_INTEGER = re.compile(r"^-?\d{1,3}$")
MAX_SURVEY_ROWS = 200_000  # a survey's responses are all held while read


# --- reading the export ------------------------------------------------------------------


@dataclass
class Sheet:
    """The cells of an export as text: the header, and the rows with their line numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_sheet(path: Path) -> Sheet:
    """The first worksheet of a spreadsheet, or a CSV file, as text cells."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SvcmonthError(
            _("cannot read {name}: {reason}").format(name=path, reason=reason(exc))
        ) from None
    if size > csvio.MAX_IMPORT_BYTES:
        raise SvcmonthError(_("{name} is too large to import").format(name=path))
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS:
        cells: list[list[str]] = list(csvio.sheet_rows(path, MAX_SURVEY_ROWS))
    elif suffix in (".csv", ".txt"):
        cells = _csv_cells(path)
    else:
        raise SvcmonthError(
            _("{name}: a survey export is a .xlsx, .xls or .csv file").format(name=path)
        )
    numbered = [(line, row) for line, row in enumerate(cells, start=1)]
    while numbered and not "".join(numbered[0][1]).strip():
        numbered.pop(0)  # blank lines above the header
    if not numbered:
        raise SvcmonthError(_("{name} is empty").format(name=path))
    header = [h.strip() for h in numbered[0][1]]
    rows = [(line, row) for line, row in numbered[1:] if "".join(row).strip()]
    return Sheet(header, rows)


def _csv_cells(path: Path) -> list[list[str]]:
    data = outfile.read_bytes(path)
    text = csvio.decode(data, str(path))
    try:
        return [
            [csvio.unescape(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""))
        ]
    except csv.Error as exc:
        raise SvcmonthError(_("{name}: bad CSV: {reason}").format(name=path, reason=exc)) from None


# --- the header: which column is what ------------------------------------------------------


@dataclass
class Question:
    """One question of the export: a column, or a group of columns (its options or rows)."""

    number: int
    text: str
    shape: str  # plain | options | matrix
    columns: list[tuple[int, str]]  # (column, option or row text; "" for a plain question)
    type: str | None = None  # fixed by the shape or by --type


@dataclass
class Layout:
    """Where the metadata and the questions are in the export."""

    meta: dict[str, int] = field(default_factory=dict)  # stored name → column index
    questions: dict[int, Question] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # headers that are neither


def _cell(row: list[str], col: int) -> str:
    return row[col].strip() if col < len(row) else ""


def layout(sheet: Sheet, name: str) -> Layout:
    """Find the columns by their names; refuse a file that is not a survey export (or is
    问卷星's 按序号 download)."""
    found = Layout()
    numbered: dict[int, list[tuple[int, str, str]]] = {}  # N → [(col, header, rest)]
    bare: list[tuple[int, str]] = []
    has_meta = False
    for col, head in enumerate(sheet.header):
        if head in META or head.startswith("地理位置") or head in META_UNSTORED:
            has_meta = True
            key = META.get(head)
            if key is not None:
                if key in found.meta:
                    raise SvcmonthError(
                        _("{name}: the column {col} appears twice").format(name=name, col=head)
                    )
                found.meta[key] = col
            continue
        m = _QUESTION.match(head) or _QUESTION_DI.match(head)
        if m is not None and int(m.group(1)) >= 1:
            numbered.setdefault(int(m.group(1)), []).append((col, head, m.group(2).strip()))
        elif head:
            bare.append((col, head))
    _refuse_by_number(sheet, numbered, name)

    groups: list[Question] = []
    for number, cols in numbered.items():
        groups.extend(_numbered_question(number, cols, name))
    if groups:
        found.ignored = [head for _col, head in bare]
    elif has_meta:
        # no numbered header: 腾讯问卷 may write the bare 题干 (a file with none of either
        # tool's metadata is not taken for a survey: a member list is no questionnaire)
        groups = _bare_questions(bare)
    if not groups:
        shown = ", ".join(h for h in sheet.header if h)[:120]
        raise SvcmonthError(
            _(
                "{name} is not a survey export: no column is headed like a question "
                "(1、题干 or 第1题); its columns are: {cols}"
            ).format(name=name, cols=shown or _("(none)"))
        )
    for q in sorted(groups, key=lambda q: q.columns[0][0]):
        if q.number in found.questions:
            raise SvcmonthError(
                _("{name}: question {n} appears in two columns").format(name=name, n=q.number)
            )
        found.questions[q.number] = q
    _refuse_integers_only(sheet, found, name)
    return found


def _numbered_question(number: int, cols: list[tuple[int, str, str]], name: str) -> list[Question]:
    """The question numbered ``number`` from its columns: one column is a plain question;
    several sharing a 题干 and differing after a colon are option-per-column; several
    differing in a bracketed or dashed tail are a matrix."""
    if len(cols) == 1:
        col, _head, rest = cols[0]
        return [Question(number, rest, "plain", [(col, "")])]
    for pattern, shape in ((_OPTION_COLUMN, "options"), (_MATRIX_PAREN, "matrix")):
        parts = [pattern.match(rest) for _c, _h, rest in cols]
        if all(parts) and len({p.group(1).strip() for p in parts if p}) == 1:
            stem = parts[0].group(1).strip() if parts[0] else ""
            return [_group(number, stem, shape, cols, parts)]
    parts = [_MATRIX_DASH.match(rest) for _c, _h, rest in cols]
    if all(parts) and len({p.group(1).strip() for p in parts if p}) == 1:
        stem = parts[0].group(1).strip() if parts[0] else ""
        return [_group(number, stem, "matrix", cols, parts)]
    raise SvcmonthError(
        _("{name}: question {n} appears in two columns").format(name=name, n=number)
    )


def _group(
    number: int,
    stem: str,
    shape: str,
    cols: list[tuple[int, str, str]],
    parts: list[re.Match[str] | None],
) -> Question:
    members = [(c, p.group(2).strip()) for (c, _h, _r), p in zip(cols, parts, strict=True) if p]
    text = stem or _("question {n}").format(n=number)
    return Question(number, text, shape, members, "multiple" if shape == "options" else "matrix")


def _bare_questions(bare: list[tuple[int, str]]) -> list[Question]:
    """Headers without a number (腾讯问卷 may write the bare 题干): numbered in their order;
    ``题干:选项`` columns sharing a 题干 are one option-per-column question."""
    out: list[Question] = []
    by_stem: dict[str, Question] = {}
    stems: dict[str, int] = {}
    for _col, head in bare:
        m = _OPTION_COLUMN.match(head)
        if m:
            stems[m.group(1).strip()] = stems.get(m.group(1).strip(), 0) + 1
    for col, head in bare:
        m = _OPTION_COLUMN.match(head)
        if m and stems[m.group(1).strip()] > 1:
            stem = m.group(1).strip()
            if stem in by_stem:
                by_stem[stem].columns.append((col, m.group(2).strip()))
                continue
            q = by_stem[stem] = Question(
                len(out) + 1, stem, "options", [(col, m.group(2).strip())], "multiple"
            )
        else:
            q = Question(len(out) + 1, head, "plain", [(col, "")])
        out.append(q)
    return out


def _refuse_by_number(
    sheet: Sheet, numbered: dict[int, list[tuple[int, str, str]]], name: str
) -> None:
    """问卷星's 按序号 download, recognised by a ``第N题(…)`` group of only 0/1 cells (its
    multiple choices, one column per option)."""
    for cols in numbered.values():
        for col, head, _rest in cols:
            if _BY_NUMBER.match(head) and all(
                _cell(row, col) in _ZERO_ONE for _line, row in sheet.rows
            ):
                raise _by_number_error(name)


def _refuse_integers_only(sheet: Sheet, found: Layout, name: str) -> None:
    """… or by every question being answered only by integers (its single choices are
    option numbers). A file whose questions hold text besides integer ones is 按文本 (there
    a 0–10 question is a scale)."""
    answered = 0
    for q in found.questions.values():
        if q.shape == "options":
            return  # 腾讯问卷's option columns: the option is in the header
        for col, _label in q.columns:
            for _line, row in sheet.rows:
                value = _cell(row, col)
                if value in NOT_ANSWERED:
                    continue
                if not _INTEGER.match(value):
                    return
                answered += 1
    if answered:
        raise _by_number_error(name)


def _by_number_error(name: str) -> SvcmonthError:
    return SvcmonthError(
        _(
            "{name} is 问卷星's 按序号 download (option numbers, not their texts): "
            "download the answers 按文本 (下载答卷数据 → 按文本下载) and import that"
        ).format(name=name)
    )


# --- one answer ----------------------------------------------------------------------------


def split_answer(text: str) -> tuple[str | None, list[tuple[str, str | None]]]:
    """``(separator, [(option, other text), …])`` of one answered cell: split on ``┋`` (a
    multiple choice) or else ``→`` (a ranking), never inside ``〖…〗``; ``separator`` is
    ``None`` for a cell of one option."""
    seps = {MULTIPLE_SEP: [], RANKING_SEP: []}  # type: dict[str, list[int]]
    depth = 0
    for i, ch in enumerate(text):
        if ch == OTHER_OPEN:
            depth += 1
        elif ch == OTHER_CLOSE and depth:
            depth -= 1
        elif depth == 0 and ch in seps:
            seps[ch].append(i)
    sep = MULTIPLE_SEP if seps[MULTIPLE_SEP] else RANKING_SEP if seps[RANKING_SEP] else None
    pieces: list[str] = []
    if sep is None:
        pieces = [text]
    else:
        start = 0
        for i in seps[sep]:
            pieces.append(text[start:i])
            start = i + 1
        pieces.append(text[start:])
    parts: list[tuple[str, str | None]] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        option, other = piece, None
        if piece.endswith(OTHER_CLOSE) and OTHER_OPEN in piece:
            at = piece.index(OTHER_OPEN)
            option, other = piece[:at].strip(), piece[at + 1 : -1].strip() or None
        parts.append((option or piece, other))
    return sep, parts


def question_type(answers: Sequence[str]) -> str:
    """The type of a question from all its answers (checked in this order)."""
    seps = {split_answer(a)[0] for a in answers}
    if MULTIPLE_SEP in seps:
        return "multiple"
    if RANKING_SEP in seps:
        return "ranking"
    distinct = len(set(answers))
    if distinct * 2 > len(answers) and distinct > 10:
        return "text"
    return "single"


# --- import --------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    identity: str
    meta: dict[str, Any]
    when: str | None  # 提交答卷时间 as exported
    answers: dict[int, str]
    matrix: dict[int, dict[int, str]]  # question → matrix row → option


@dataclass
class ImportResult:
    """What an import did."""

    survey: str
    campaign: str | None
    questions: int
    added: int
    skipped: int  # already there (the same 序号, else the same content)
    ignored_columns: list[str]


def parse_types(given: Sequence[str]) -> dict[int, str]:
    """``--type N=text|single|multiple|scale`` (repeatable) as ``{N: type}``."""
    out: dict[int, str] = {}
    for item in given:
        number, sep, kind = item.partition("=")
        kind = kind.strip().lower()
        if not sep or not number.strip().isdigit() or kind not in TYPES:
            raise SvcmonthError(
                _("--type {value!r}: write N=TYPE, TYPE one of {types}").format(
                    value=item, types=", ".join(TYPES)
                )
            )
        if int(number) in out and out[int(number)] != kind:
            raise SvcmonthError(
                _("--type: question {n} is given twice ({a} and {b})").format(
                    n=int(number), a=out[int(number)], b=kind
                )
            )
        out[int(number)] = kind
    return out


def import_export(
    conn: sqlite3.Connection,
    path: Path,
    name: str,
    campaign_name: str | None,
    now: datetime,
    types: dict[int, str] | None = None,
) -> ImportResult:
    """Import a survey tool's export into survey ``name`` (created on its first import),
    inside the caller's transaction; responses already there are skipped. Every problem is
    found before anything is written. ``types`` overrides inferred question types."""
    name = name.strip()
    if not name:
        raise SvcmonthError(_("the survey needs a name (--name)"))
    name = text_.check_text(name, "--name")
    sheet = read_sheet(path)
    found = layout(sheet, str(path))
    for number, kind in (types or {}).items():
        q = found.questions.get(number)
        if q is None:
            raise SvcmonthError(_("--type: {file} has no question {n}").format(file=path, n=number))
        if q.shape != "plain":
            raise SvcmonthError(
                _("--type: question {n} is a {shape}; its type is fixed").format(
                    n=number, shape=_("matrix") if q.shape == "matrix" else _("multiple choice")
                )
            )
        q.type = kind
    rows, problems = _rows(sheet, found)
    if not rows and not problems:
        raise SvcmonthError(_("{name} holds no responses").format(name=path))
    for number, kind in (types or {}).items():
        answered = sorted({r.answers[number] for r in rows if r.answers.get(number)})
        if kind == "scale" and scale_of(answered) is None:  # no mean, no 满意率 to give
            raise SvcmonthError(
                _(
                    "--type {n}=scale: the answers of question {n} are not the options of a "
                    "known scale (非常满意…非常不满意 and the like, or 0–10)"
                ).format(n=number)
            )

    existing = conn.execute("SELECT id, campaign_id FROM survey WHERE name = ?", (name,)).fetchone()
    campaign = _campaign_for(conn, existing, campaign_name, rows, name)
    tz = campaign.tz if campaign else timeutil.zone(campaigns.DEFAULT_TZ)
    instants: dict[int, str | None] = {}
    for row in rows:
        try:
            instants[row.line] = (
                timeutil.to_db(timeutil.parse_instant(row.when, tz)) if row.when else None
            )
        except SvcmonthError as exc:
            problems.append((row.line, _("提交答卷时间: {reason}").format(reason=exc)))
    problems.sort()
    csvio.refuse(path, problems)

    questions = {n: q.text for n, q in found.questions.items()}
    if existing is None:
        survey_id = conn.execute(
            "INSERT INTO survey (name, campaign_id, source, created_at) VALUES (?, ?, ?, ?)",
            (name, campaign.id if campaign else None, path.name, timeutil.to_db(now)),
        ).lastrowid
        conn.executemany(
            "INSERT INTO survey_question (survey_id, number, text, type) VALUES (?, ?, ?, ?)",
            [(survey_id, n, q.text, q.type) for n, q in sorted(found.questions.items())],
        )
        conn.executemany(
            "INSERT INTO survey_matrix_row (survey_id, number, row, text) VALUES (?, ?, ?, ?)",
            [
                (survey_id, n, i, label)
                for n, q in sorted(found.questions.items())
                if q.shape == "matrix"
                for i, (_col, label) in enumerate(q.columns, start=1)
            ],
        )
    else:
        survey_id = existing[0]
        stored = dict(
            conn.execute(
                "SELECT number, text FROM survey_question WHERE survey_id = ?", (survey_id,)
            ).fetchall()
        )
        if stored != questions:
            differ = sorted(
                n for n in set(stored) | set(questions) if stored.get(n) != questions.get(n)
            )
            raise SvcmonthError(
                _(
                    "{file} is not the survey {name}: its questions differ "
                    "(question {n}); import it under another --name"
                ).format(file=path, name=name, n=differ[0])
            )
        for number, kind in (types or {}).items():
            conn.execute(
                "UPDATE survey_question SET type = ? WHERE survey_id = ? AND number = ?",
                (kind, survey_id, number),
            )

    added = skipped = 0
    for row in rows:
        got = conn.execute(
            "INSERT INTO response (survey_id, identity, serial, submitted_at, duration, source,"
            " source_detail, ip, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (survey_id, identity) DO NOTHING RETURNING id",
            (
                survey_id,
                row.identity,
                row.meta.get("serial"),
                instants[row.line],
                row.meta.get("duration"),
                row.meta.get("source"),
                row.meta.get("source_detail"),
                row.meta.get("ip"),
                row.meta.get("score"),
            ),
        ).fetchone()
        if got is None:
            skipped += 1
            continue
        added += 1
        response_id = got[0]
        conn.executemany(
            "INSERT INTO answer (response_id, survey_id, question, text) VALUES (?, ?, ?, ?)",
            [(response_id, survey_id, n, text) for n, text in row.answers.items()],
        )
        conn.executemany(
            "INSERT INTO answer_choice (response_id, question, position, option, other)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (response_id, n, position, option, other)
                for n, text in row.answers.items()
                for position, (option, other) in enumerate(split_answer(text)[1], start=1)
            ],
        )
        conn.executemany(
            "INSERT INTO matrix_answer (response_id, survey_id, question, row, option)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (response_id, survey_id, n, r, option)
                for n, chosen in row.matrix.items()
                for r, option in chosen.items()
            ],
        )
    if added:
        audit.record(
            conn,
            timeutil.to_db(now),
            "import",
            "survey",
            name,
            None,
            {"file": path.name, "responses": added},
        )
    return ImportResult(
        name, campaign.name if campaign else None, len(questions), added, skipped, found.ignored
    )


_CHOSEN_MARKS = frozenset({"1", "是", "√", "✓", "TRUE", "true"})


def _answers(q: Question, cells: list[str]) -> tuple[str | None, dict[int, str]]:
    """One response's answer to ``q``: the 按文本 text (option-per-column choices joined
    with ``┋``, a cell holding other text than a mark kept as that option's 〖…〗), and
    for a matrix the option chosen in each of its rows."""
    if q.shape == "plain":
        value = _cell(cells, q.columns[0][0])
        if value in NOT_ANSWERED or not split_answer(value)[1]:
            return None, {}
        return value, {}
    if q.shape == "options":
        chosen = []
        for col, option in q.columns:
            value = _cell(cells, col)
            if value in NOT_ANSWERED or value == "0":
                continue
            clean = option.replace(MULTIPLE_SEP, " ").replace(OTHER_OPEN, "(").strip()
            if value in _CHOSEN_MARKS or value == option:
                chosen.append(clean)
            else:
                chosen.append(f"{clean}{OTHER_OPEN}{value.replace(OTHER_CLOSE, ')')}{OTHER_CLOSE}")
        return (MULTIPLE_SEP.join(chosen) or None), {}
    rows = {}
    for index, (col, _label) in enumerate(q.columns, start=1):
        value = _cell(cells, col)
        if value not in NOT_ANSWERED:
            rows[index] = value
    return None, rows


def _rows(sheet: Sheet, found: Layout) -> tuple[list[_Row], list[tuple[int, str]]]:
    rows: list[_Row] = []
    problems: list[tuple[int, str]] = []
    width = len(sheet.header)
    for line, cells in sheet.rows:
        if len(cells) > width and "".join(cells[width:]).strip():
            problems.append(
                (line, _("{n} fields where the header has {m}").format(n=len(cells), m=width))
            )
            continue
        cells = cells + [""] * (width - len(cells))
        meta: dict[str, Any] = {}
        for key, col in found.meta.items():
            value = cells[col].strip()
            meta[key] = value or None
        bad = False
        if meta.get("serial") is not None:
            if not meta["serial"].isdigit():
                problems.append((line, _("序号 {v!r} is not a number").format(v=meta["serial"])))
                bad = True
            else:
                meta["serial"] = int(meta["serial"])
        if meta.get("score") is not None:
            try:
                meta["score"] = float(meta["score"])
            except ValueError:
                problems.append((line, _("总分 {v!r} is not a number").format(v=meta["score"])))
                bad = True
        if bad:
            continue
        answers: dict[int, str] = {}
        matrix: dict[int, dict[int, str]] = {}
        for number, q in sorted(found.questions.items()):
            text, chosen = _answers(q, cells)
            if text is not None:
                answers[number] = text
            if chosen:
                matrix[number] = chosen
        if meta.get("serial") is not None:
            identity = str(meta["serial"])
        else:
            content = json.dumps([c.strip() for c in cells], ensure_ascii=False)
            identity = "sha256:" + hashlib.sha256(content.encode("utf-8")).hexdigest()
        when = meta.pop("submitted_at", None)
        rows.append(_Row(line, identity, meta, when, answers, matrix))
    return rows, problems


def _campaign_for(
    conn: sqlite3.Connection,
    existing: tuple[int, int | None] | None,
    campaign_name: str | None,
    rows: list[_Row],
    name: str,
) -> campaigns.Campaign | None:
    """The campaign the survey follows: the one named; else the one it already has; else the
    campaign running when the first response came in (the default), when there is one."""
    if existing is not None:
        stored = _campaign_by_id(conn, existing[1])
        if campaign_name is not None and (stored is None or stored.name != campaign_name):
            raise SvcmonthError(
                _("the survey {name} belongs to {campaign}, not to {other}").format(
                    name=name,
                    campaign=stored.name if stored else _("no campaign"),
                    other=campaign_name,
                )
            )
        return stored
    if campaign_name is not None:
        return campaigns.load(conn, campaign_name)
    if conn.execute("SELECT count(*) FROM campaign").fetchone()[0] == 0:
        return None
    zone = campaigns.zone_for_display(conn)
    firsts = []
    for row in rows:
        if row.when:
            try:
                firsts.append(timeutil.parse_instant(row.when, zone))
            except SvcmonthError:
                pass  # reported once the campaign's zone is known
    if not firsts:
        return None
    return campaigns.resolve(conn, None, min(firsts))


def _campaign_by_id(conn: sqlite3.Connection, campaign_id: int | None) -> campaigns.Campaign | None:
    if campaign_id is None:
        return None
    (cname,) = conn.execute("SELECT name FROM campaign WHERE id = ?", (campaign_id,)).fetchone()
    return campaigns.load(conn, cname)


# --- reading it back -----------------------------------------------------------------------


def _survey_id(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT id FROM survey WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFound(_("no survey named {name!r}; see `svcmonth survey list`").format(name=name))
    return int(row[0])


def percent(count: int, of: int) -> float | None:
    """``count`` as a percentage of ``of``, to one decimal place, halves rounded up."""
    if not of:
        return None
    value = (Decimal(count) * 100 / Decimal(of)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


def _mean(values: list[int]) -> float:
    value = (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


# the Chinese scales a single choice may be on: each position (best first) with the labels
# that fill it (the plain and the 比较 forms)
SCALES: tuple[tuple[frozenset[str], ...], ...] = tuple(
    tuple(frozenset(p.split("/")) for p in scale)
    for scale in (
        ("满意", "一般", "不满意"),
        ("非常满意", "满意/比较满意", "一般", "不满意/比较不满意", "非常不满意"),
        ("很满意", "满意/比较满意", "一般", "不满意/比较不满意", "很不满意"),
        ("非常同意", "同意/比较同意", "一般/中立/不确定", "不同意/比较不同意", "非常不同意"),
        ("非常了解", "了解/比较了解", "一般", "不了解/不太了解/比较不了解", "完全不了解"),
    )
)
ZERO_TO_TEN = tuple(str(n) for n in range(10, -1, -1))


def scale_of(options: Sequence[str]) -> tuple[list[str], int] | None:
    """``(labels best first, points of the best)`` when every option of ``options`` belongs
    to one known scale (the shortest that holds them all), or all are integers 0–10; else
    ``None``. A position nobody chose is shown by its first label."""
    used = [o for o in options if o]
    if not used:
        return None
    if all(o.isdigit() and int(o) <= 10 and o == str(int(o)) for o in used):
        return list(ZERO_TO_TEN), 10
    for scale in SCALES:
        if all(any(o in labels for labels in scale) for o in used):
            shown = []
            for labels in scale:
                picked = [o for o in used if o in labels]
                shown.append(picked[0] if picked else sorted(labels, key=len)[0])
            return shown, len(scale)
    return None


def report(
    conn: sqlite3.Connection, name: str, question: int | None = None
) -> list[dict[str, Any]]:
    """The results of survey ``name`` (or of one of its questions), one row per option in
    the keys of ``REPORT_COLUMNS``: ``single``/``multiple``: each option's count and its
    percentage of the question's respondents (most chosen first), then each text typed into
    an "other" option (``other`` true); ``scale``: every option of the scale, best first,
    with the question's ``mean`` and ``satisfaction`` on each row; ``matrix``: one row per
    matrix row × option (``row``), percentages of those who answered that row; ``ranking``:
    each option's count of first places and its ``average_rank`` (best first); ``text``:
    each distinct answer with its count. A question nobody answered gives one row with
    ``option`` null."""
    survey_id = _survey_id(conn, name)
    questions = conn.execute(
        "SELECT number, text, type FROM survey_question WHERE survey_id = ? ORDER BY number",
        (survey_id,),
    ).fetchall()
    if question is not None:
        questions = [q for q in questions if q[0] == question]
        if not questions:
            raise NotFound(_("the survey {name} has no question {n}").format(name=name, n=question))
    answers: dict[int, list[str]] = {}
    for number, text in conn.execute(
        "SELECT a.question, a.text FROM answer a JOIN response r ON r.id = a.response_id"
        " WHERE a.survey_id = ? ORDER BY r.serial, r.id",
        (survey_id,),
    ):
        answers.setdefault(number, []).append(text)
    choices: dict[int, list[tuple[int, str, str | None]]] = {}
    for number, position, option, other in conn.execute(
        "SELECT c.question, c.position, c.option, c.other FROM answer_choice c"
        " JOIN response r ON r.id = c.response_id WHERE r.survey_id = ?"
        " ORDER BY r.serial, r.id, c.question, c.position",
        (survey_id,),
    ):
        choices.setdefault(number, []).append((position, option, other))
    rows: list[dict[str, Any]] = []
    for number, text, fixed in questions:
        if fixed == "matrix":
            rows.extend(_matrix(conn, survey_id, number, text))
            continue
        given = answers.get(number, [])
        picked = choices.get(number, [])
        qtype = fixed or question_type(given)
        if qtype == "single" and fixed is None and scale_of([o for _p, o, _x in picked]):
            qtype = "scale"
        rows.extend(_tally(number, text, qtype, given, picked))
    return rows


def _matrix(
    conn: sqlite3.Connection, survey_id: int, number: int, text: str
) -> list[dict[str, Any]]:
    """A matrix question: per matrix row, each option's count and share of those who answered
    that row (so each row's percentages add up to 100); the options in the order of a scale
    when they are one (best first), else most chosen first over the whole question."""
    labels = conn.execute(
        "SELECT row, text FROM survey_matrix_row WHERE survey_id = ? AND number = ? ORDER BY row",
        (survey_id, number),
    ).fetchall()
    counts: dict[int, dict[str, int]] = {r: {} for r, _t in labels}
    total: dict[str, int] = {}
    for r, option in conn.execute(
        "SELECT m.row, m.option FROM matrix_answer m JOIN response p ON p.id = m.response_id"
        " WHERE m.survey_id = ? AND m.question = ? ORDER BY p.serial, p.id, m.row",
        (survey_id, number),
    ):
        counts[r][option] = counts[r].get(option, 0) + 1
        total[option] = total.get(option, 0) + 1
    scale = scale_of(list(total))
    order = scale[0] if scale else [o for o, _c in _by_count(total)]
    out = []
    for r, label in labels:
        n = sum(counts[r].values())
        if not n:
            out.append(_row(number, text, "matrix", 0, row=label))
            continue
        extra = _scale_figures(counts[r], scale) if scale else {}
        out += [
            _row(number, text, "matrix", n, row=label, option=o, count=counts[r].get(o, 0), **extra)
            for o in order
        ]
    return out


def _scale_figures(counts: dict[str, int], scale: tuple[list[str], int]) -> dict[str, Any]:
    """``mean`` (best = the scale's length, or 10 on 0–10; one decimal) and ``satisfaction``
    (the top two options' share, %) of the answers ``counts`` on ``scale``."""
    labels, best = scale
    n = sum(counts.values())
    if not n:
        return {}
    if best == 10 and labels == list(ZERO_TO_TEN):
        points = {label: int(label) for label in labels}
    else:
        points = {label: best - i for i, label in enumerate(labels)}
    position = {o: next(i for i, lab in enumerate(labels) if _same(o, lab, scale)) for o in counts}
    total = sum(points[labels[position[o]]] * c for o, c in counts.items())
    mean = float((Decimal(total) / Decimal(n)).quantize(Decimal("0.1"), ROUND_HALF_UP))
    top = sum(c for o, c in counts.items() if position[o] < 2)
    return {"mean": mean, "satisfaction": percent(top, n)}


def _same(option: str, label: str, scale: tuple[list[str], int]) -> bool:
    """Whether ``option`` fills the position ``label`` shows (a 比较 form of it, say)."""
    if option == label:
        return True
    for positions in SCALES:
        for labels in positions:
            if option in labels and label in labels:
                return True
    return False


def _row(number: int, text: str, qtype: str, respondents: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "number": number,
        "question": text,
        "type": qtype,
        "row": None,
        "option": None,
        "count": 0,
        "percent": None,
        "respondents": respondents,
        "other": False,
        "average_rank": None,
        "mean": None,
        "satisfaction": None,
    }
    row.update(values)
    if row["option"] is not None:
        row["percent"] = percent(row["count"], respondents)
    return row


def _by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Most first; ties in the order first seen (dicts keep it)."""
    return sorted(counts.items(), key=lambda kv: -kv[1])


def _tally(
    number: int,
    text: str,
    qtype: str,
    answers: list[str],
    choices: list[tuple[int, str, str | None]],
) -> list[dict[str, Any]]:
    n = len(answers)
    if n == 0:
        return [_row(number, text, qtype, 0)]
    if qtype == "text":
        counts: dict[str, int] = {}
        for a in answers:
            counts[a] = counts.get(a, 0) + 1
        return [_row(number, text, qtype, n, option=a, count=c) for a, c in _by_count(counts)]
    if qtype == "ranking":
        ranks: dict[str, list[int]] = {}
        firsts: dict[str, int] = {}
        for position, option, _other in choices:
            ranks.setdefault(option, []).append(position)
            firsts[option] = firsts.get(option, 0) + (position == 1)
        order = sorted(ranks, key=lambda o: (_mean(ranks[o]), -firsts[o]))
        return [
            _row(number, text, qtype, n, option=o, count=firsts[o], average_rank=_mean(ranks[o]))
            for o in order
        ]
    counts = {}
    others: dict[str, int] = {}
    for _position, option, other in choices:
        counts[option] = counts.get(option, 0) + 1
        if other is not None:
            others[other] = others.get(other, 0) + 1
    if qtype == "scale":
        scale = scale_of(list(counts))
        if scale is not None:
            figures = _scale_figures(counts, scale)
            labels = scale[0]
            merged = {
                label: sum(c for o, c in counts.items() if _same(o, label, scale))
                for label in labels
            }
            return [
                _row(number, text, qtype, n, option=o, count=merged[o], **figures) for o in labels
            ]
    rows = [_row(number, text, qtype, n, option=o, count=c) for o, c in _by_count(counts)]
    rows += [
        _row(number, text, qtype, n, option=o, count=c, other=True) for o, c in _by_count(others)
    ]
    return rows


def list_surveys(conn: sqlite3.Connection, campaign_id: int | None = None) -> list[dict[str, Any]]:
    """Every survey (or those following one campaign), oldest first: ``id``, ``name``,
    ``campaign`` (its name or null), ``questions``, ``responses``, and the first and last
    submission instants (``first_at``, ``last_at``) in the campaign's zone."""
    rows = []
    for sid, name, cname, tz, questions, responses, first, last in conn.execute(
        "SELECT s.id, s.name, c.name, c.tz,"
        " (SELECT count(*) FROM survey_question q WHERE q.survey_id = s.id),"
        " (SELECT count(*) FROM response r WHERE r.survey_id = s.id),"
        " (SELECT min(submitted_at) FROM response r WHERE r.survey_id = s.id),"
        " (SELECT max(submitted_at) FROM response r WHERE r.survey_id = s.id)"
        " FROM survey s LEFT JOIN campaign c ON c.id = s.campaign_id"
        " WHERE ?1 IS NULL OR s.campaign_id = ?1 ORDER BY s.id",
        (campaign_id,),
    ):
        zone: ZoneInfo = timeutil.zone(tz or campaigns.DEFAULT_TZ)
        rows.append(
            {
                "id": sid,
                "name": name,
                "campaign": cname,
                "questions": questions,
                "responses": responses,
                "first_at": timeutil.show(first, zone),
                "last_at": timeutil.show(last, zone),
            }
        )
    return rows
