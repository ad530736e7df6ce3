"""Text people type or mail brings, checked once on the way in and made safe once on the way out.

- ``check_text``: the one validator for every name, title, reason and campaign name. It refuses
  control characters (tabs aside), line and paragraph separators, the
  bidirectional overrides and isolates that make text read in another order than it is stored
  (U+202A-U+202E, U+2066-U+2069), and lone surrogates (what a badly decoded byte becomes), and
  names the field in the error.
- ``display``: the one sanitizer every output format calls on every text cell. Whatever is in
  the database (an older version let control characters in), nothing is printed raw: each such
  character becomes a visible escape (``\\x1b``, ``\\u202e``), so a title cannot move the
  clerk's cursor, recolour the terminal, break a Markdown table or an Excel file.
  ``markdown_cell`` and ``sheet_title`` add the two formats' own rules.
- ``check_email``: the one e-mail address check, done when an address is stored
  (``member add/edit/import``, ``inbox assign --remember``): the ``email-validator`` library,
  syntax only (no DNS).
"""

from __future__ import annotations

import re
import sys

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _

# DEL and the C1 controls; U+2028/U+2029 (line and paragraph separators); the bidi
# embeddings, overrides and isolates; lone surrogates (what a badly decoded byte becomes)
_BEYOND_C0 = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# coming in: every C0 control but the tab
_REFUSED = re.compile(f"[\x00-\x08\x0a-\x1f{_BEYOND_C0}]")
# going out: the tab too (it breaks a table's columns and a header)
_UNSAFE = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
# what ``json.dumps`` leaves raw that ``display`` would escape (it escapes C0 itself)
JSON_UNSAFE = re.compile(f"[{_BEYOND_C0}]")
# what may not appear raw in a CSV file: tabs and line breaks inside a cell are quoted
_CSV_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_BEYOND_C0}]")
_SHEET_TITLE_BAD = re.compile(r"[:\\/?*\[\]]")
# what a Chinese input method types for ASCII: full-width digits and punctuation, the
# ideographic space (folded by ``timeutil``'s parser and ``typed.check_phone``)
FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "：": ":",
        "／": "/",
        "－": "-",
        "．": ".",
        "　": " ",
        "＋": "+",
        "（": "(",
        "）": ")",
        "，": ",",
    }
)
MAX_SHEET_TITLE = 31


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def check_text(value: str | None, field: str) -> str:
    """``value`` stripped, or ``SvcmonthError`` naming ``field`` when it holds a control
    character (tabs aside), a line break, a bidi override or a lone surrogate."""
    text = (value or "").strip()
    bad = _REFUSED.search(text)
    if bad is not None and bad.group() in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
        raise SvcmonthError(
            _("{field} contains a line break; it must be one line").format(field=field)
        )
    if bad is not None:
        raise SvcmonthError(
            _("{field} contains a control character ({char}); type it again without it").format(
                field=field, char=_escape(bad)
            )
        )
    return text


def display(value: str) -> str:
    """``value`` with every control character, tab, line separator, bidi control and lone
    surrogate shown as a visible escape (``\\x1b``), for any output people or programs read."""
    if not _UNSAFE.search(value):
        return value
    return _UNSAFE.sub(_escape, value)


def keep_tabs(value: str) -> str:
    """``display`` but with tabs kept (a CSV or JSON cell holds a tab safely, quoted)."""
    if not _REFUSED.search(value):
        return value
    return _REFUSED.sub(_escape, value)


def csv_safe(chunk: str) -> str:
    """CSV text with ``display``'s escapes, quoted tabs and line breaks kept."""
    if not _CSV_UNSAFE.search(chunk):
        return chunk
    return _CSV_UNSAFE.sub(_escape, chunk)


def markdown_cell(value: str) -> str:
    """A table cell for GitHub-flavoured Markdown: displayable, ``|`` escaped."""
    return display(value).replace("|", "\\|")


def sheet_title(value: str | None, fallback: str = "svcmonth") -> str:
    """A worksheet title Excel accepts: no ``: \\ / ? * [ ]``, no control character, not
    starting or ending with ``'``, at most 31 characters, never empty."""
    text = _SHEET_TITLE_BAD.sub("-", display(value or "")).strip().strip("'")
    text = text[:MAX_SHEET_TITLE].strip().strip("'")
    return text or fallback


def one_line(value: str) -> str:
    """Text for a single-line place (an e-mail subject, an error line): displayable, and runs
    of white space (which ``display`` leaves alone apart from tabs) made one space."""
    return " ".join(display(value).split())


def check_email(value: str | None, field: str = "email") -> str:
    """An e-mail address as stored: checked by the ``email-validator`` library for syntax only
    (deliverability checks off: no DNS, it works offline), normalised (the domain in lower
    case); ``SvcmonthError`` naming ``field`` when it is not an address. Empty stays empty."""
    text = (value or "").strip()
    if not text:
        return ""
    check_text(text, field)
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise SvcmonthError(_("{value!r} is not an e-mail address").format(value=text)) from None
    return str(checked.normalized)


def message(text: str) -> None:
    """A message for people, on stderr (stdout carries only data), every line made safe to
    print (``display``). ``output.render.message`` is this function."""
    print("\n".join(display(line) for line in text.split("\n")), file=sys.stderr)
