"""The message catalog: every user-facing string goes through ``_()`` (gettext).

English strings are the message ids; the Chinese catalog
(``svcmonth/locale/zh_CN/LC_MESSAGES/svcmonth.po``, compiled to ``svcmonth.mo`` beside it) is
the interface people see. **Chinese is the default**; ``SVCMONTH_LANG=en`` gives English
(``zh``/``zh_CN`` or nothing: Chinese; ``en``, ``en_US``, ``C``: English). JSON keys and CSV
headers are never translated: they are the stable contract (docs/commands.md).

The language is read from the environment **each time a message is translated**, not once
at import, so one process can run one command in Chinese and the next in English (the tests
do, through typer's ``CliRunner``). Texts built at import time — ``help=_("…")`` in option
declarations, column labels — are resolved when they are *shown*:

- ``N_()`` only marks a string for extraction; whoever shows it calls ``_()`` then: the
  command line translates every help text (``help=N_("…")``) when it builds a command for an
  invocation (``cli/localize.py``), the renderer the labels of the declared fields;
- ``_()`` returns a ``str`` that remembers its message id (``Msg``, and a table from each
  translation back to its id, for frameworks that copy the text), so a text translated in
  one language can still be shown in the language of a later invocation;
- a command's docstring is its help text and a message id (extracted by ``svcmonth._babel``).

The toolchain is Babel: ``python -m svcmonth.i18n`` runs ``pybabel extract`` (``babel.cfg``),
``pybabel update`` and ``pybabel compile`` (see the README's development section).
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "svcmonth"
DEFAULT_LANGUAGE = "zh_CN"
ENGLISH = "en"

_catalogs: dict[str, gettext.NullTranslations] = {}


def language() -> str:
    """The language of this invocation: ``zh_CN`` (default) or ``en``."""
    text = os.environ.get("SVCMONTH_LANG", "").strip().lower().replace("-", "_")
    if text.startswith("en") or text in ("c", "posix"):
        return ENGLISH
    return DEFAULT_LANGUAGE


def catalog(lang: str | None = None) -> gettext.NullTranslations:
    """The translations of ``lang`` (default: this invocation's), loaded once per process."""
    lang = lang or language()
    found = _catalogs.get(lang)
    if found is None:
        if lang == ENGLISH:
            found = gettext.NullTranslations()
        else:
            found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
        _catalogs[lang] = found
    return found


class Msg(str):
    """A translated text that remembers its message id, to be translated again when shown."""

    msgid: str


# Each translation made in this process, back to its message id: a framework that copies a
# help text into a plain ``str`` (Typer does) loses the ``Msg``, not the way back.
_message_ids: dict[str, str] = {}


def _(message: str) -> str:
    """``message`` in this invocation's language (a ``Msg``: it keeps its message id)."""
    translated = catalog().gettext(message)
    if translated != message:
        _message_ids[translated] = message
    text = Msg(translated)
    text.msgid = message
    return text


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark ``message`` for the catalog without translating it (translated where shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message whose form depends on ``n``."""
    return catalog().ngettext(singular, plural, n)


def translate(text: str | None) -> str | None:
    """``text`` in this invocation's language, whatever language it was made in: a ``Msg`` by
    its message id, any other text (a docstring, an ``N_()`` string) as a message id."""
    if text is None:
        return None
    return _(getattr(text, "msgid", None) or _message_ids.get(text, text))


def is_chinese() -> bool:
    return language() != ENGLISH


def main() -> None:
    """Extract the messages, update the catalogs and compile them (Babel)."""
    from svcmonth._babel import refresh

    refresh()


if __name__ == "__main__":
    main()
