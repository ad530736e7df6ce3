"""调查问卷: read a survey tool's export (问卷星, 腾讯问卷), store it, and tally it.

The export is ``.xlsx``, ``.xls`` (read with python-calamine) or ``.csv`` (UTF-8, BOM or
GB18030, read like every CSV import). Columns are found by their names: the metadata
(``序号``, ``提交答卷时间``, ``所用时间``, ``来源``, ``来源详情``, ``来自IP``,
``总分``, whichever are present) and one column per question headed ``N、题干`` or
``第N题…``. Answers are in the 按文本 layout: a multiple choice joins options with
``┋``, a ranking with ``→``; text typed into an "other" option follows it in ``〖…〗``;
``(跳过)``, ``(空)`` or an empty cell is no answer. The 按序号 layout (one 0/1 column
per option) is refused: its single choices are bare numbers whose option texts the file
does not hold.

A question's type is decided when read: ``multiple`` when any answer holds ``┋``;
``ranking`` when any holds ``→``; ``text`` when its distinct answers are more than half of its
answers and more than 10; otherwise ``single``.
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
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from svcmonth import campaigns, timeutil
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output import columns as cols_
from svcmonth.output import csvio
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
}
NOT_ANSWERED = frozenset({"", "(跳过)", "(空)", "（跳过）", "（空）"})
MULTIPLE_SEP, RANKING_SEP = "┋", "→"
OTHER_OPEN, OTHER_CLOSE = "〖", "〗"
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

# `survey report` and `survey list`: the JSON keys, with the labels people read them by
REPORT_COLUMNS = (
    cols_.Field("number", N_("No."), "int"),
    cols_.Field("question", N_("Question")),
    cols_.Field("type", N_("Type")),
    cols_.Field("option", N_("Option")),
    cols_.Field("count", N_("Count"), "int"),
    cols_.Field("percent", N_("Percent")),
    cols_.Field("respondents", N_("Answered"), "int"),
    cols_.Field("other", N_("Other"), "bool"),
    cols_.Field("average_rank", N_("Average rank")),
)
REPORT_KEYS = cols_.keys(REPORT_COLUMNS)
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
            _("cannot read {name}: {reason}").format(name=path, reason=exc.strerror)
        ) from None
    if size > csvio.MAX_IMPORT_BYTES:
        raise SvcmonthError(_("{name} is too large to import").format(name=path))
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS:
        cells = _spreadsheet_cells(path)
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


def _spreadsheet_cells(path: Path) -> list[list[str]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        values = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own errors for a damaged or foreign file
        raise SvcmonthError(
            _("cannot read {name} as a spreadsheet: {reason}").format(
                name=path, reason=str(exc) or type(exc).__name__
            )
        ) from None
    return [[_cell_text(v) for v in row] for row in values]


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a user sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds())}秒"
    return str(value)


def _csv_cells(path: Path) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SvcmonthError(
            _("cannot read {name}: {reason}").format(name=path, reason=exc.strerror)
        ) from None
    text = csvio.decode(data, str(path))
    try:
        return [
            [csvio.unescape(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""))
        ]
    except csv.Error as exc:
        raise SvcmonthError(_("{name}: bad CSV: {reason}").format(name=path, reason=exc)) from None


# --- the header: which column is what ------------------------------------------------------


@dataclass
class Layout:
    """Where the metadata and the questions are in the export."""

    meta: dict[str, int] = field(default_factory=dict)  # stored name → column index
    questions: dict[int, tuple[int, str]] = field(default_factory=dict)  # number → (col, text)
    ignored: list[str] = field(default_factory=list)  # headers that are neither


def layout(sheet: Sheet, name: str) -> Layout:
    """Find the columns by their names; refuse a file that is not a survey export."""
    found = Layout()
    by_number: list[str] = []
    for col, head in enumerate(sheet.header):
        if head in META:
            if META[head] in found.meta:
                raise SvcmonthError(
                    _("{name}: the column {col} appears twice").format(name=name, col=head)
                )
            found.meta[META[head]] = col
            continue
        if _BY_NUMBER.match(head) and all(
            (row[col].strip() if col < len(row) else "") in _ZERO_ONE for _line, row in sheet.rows
        ):
            by_number.append(head)
            continue
        m = _QUESTION.match(head) or _QUESTION_DI.match(head)
        if m is None:
            if head:
                found.ignored.append(head)
            continue
        number, text = int(m.group(1)), m.group(2).strip()
        if number < 1:
            found.ignored.append(head)
            continue
        if number in found.questions:
            raise SvcmonthError(
                _("{name}: question {n} appears in two columns").format(name=name, n=number)
            )
        found.questions[number] = (col, text)
    if by_number:
        raise SvcmonthError(
            _(
                "{name} is in the 按序号 layout (one 0/1 column per option, e.g. {col}): "
                "download the answers 按文本 (by text) from the survey tool and import that"
            ).format(name=name, col=by_number[0])
        )
    if not found.questions:
        shown = ", ".join(h for h in sheet.header if h)[:120]
        raise SvcmonthError(
            _(
                "{name} is not a survey export: no column is headed like a question "
                "(1、题干 or 第1题); its columns are: {cols}"
            ).format(name=name, cols=shown or _("(none)"))
        )
    return found


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


@dataclass
class ImportResult:
    """What an import did."""

    survey: str
    campaign: str | None
    questions: int
    added: int
    skipped: int  # already there (the same 序号, else the same content)
    ignored_columns: list[str]


def import_export(
    conn: sqlite3.Connection,
    path: Path,
    name: str,
    campaign_name: str | None,
    now: datetime,
) -> ImportResult:
    """Import a survey tool's export into survey ``name`` (created on its first import),
    inside the caller's transaction; responses already there are skipped. Every problem is
    found before anything is written."""
    name = name.strip()
    if not name:
        raise SvcmonthError(_("the survey needs a name (--name)"))
    sheet = read_sheet(path)
    found = layout(sheet, str(path))
    rows, problems = _rows(sheet, found)
    if not rows and not problems:
        raise SvcmonthError(_("{name} holds no responses").format(name=path))

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
            problems.append((row.line, f"提交答卷时间: {exc}"))
    problems.sort()
    csvio.refuse(path, problems)

    questions = {n: text for n, (_col, text) in found.questions.items()}
    if existing is None:
        survey_id = conn.execute(
            "INSERT INTO survey (name, campaign_id, source, created_at) VALUES (?, ?, ?, ?)",
            (name, campaign.id if campaign else None, path.name, timeutil.to_db(now)),
        ).lastrowid
        conn.executemany(
            "INSERT INTO survey_question (survey_id, number, text) VALUES (?, ?, ?)",
            [(survey_id, n, text) for n, text in sorted(questions.items())],
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
        answers = {}
        for number, (col, _text) in sorted(found.questions.items()):
            value = cells[col].strip()
            if value not in NOT_ANSWERED and split_answer(value)[1]:
                answers[number] = value
        if meta.get("serial") is not None:
            identity = str(meta["serial"])
        else:
            content = json.dumps([c.strip() for c in cells], ensure_ascii=False)
            identity = "sha256:" + hashlib.sha256(content.encode("utf-8")).hexdigest()
        when = meta.pop("submitted_at", None)
        rows.append(_Row(line, identity, meta, when, answers))
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


def report(
    conn: sqlite3.Connection, name: str, question: int | None = None
) -> list[dict[str, Any]]:
    """The results of survey ``name`` (or of one of its questions), one row per option in
    the keys of ``REPORT_KEYS``: ``single``/``multiple``: each option's count and its
    percentage of the question's respondents (most chosen first), then each text typed into
    an "other" option (``other`` true); ``ranking``: each option's count of first places and
    its ``average_rank`` (best first); ``text``: each distinct answer with its count. A
    question nobody answered gives one row with ``option`` null."""
    survey_id = _survey_id(conn, name)
    questions = conn.execute(
        "SELECT number, text FROM survey_question WHERE survey_id = ? ORDER BY number",
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
    for number, text in questions:
        given = answers.get(number, [])
        rows.extend(_tally(number, text, question_type(given), given, choices.get(number, [])))
    return rows


def _row(number: int, text: str, qtype: str, respondents: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "number": number,
        "question": text,
        "type": qtype,
        "option": None,
        "count": 0,
        "percent": None,
        "respondents": respondents,
        "other": False,
        "average_rank": None,
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
