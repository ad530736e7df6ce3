"""The message catalog: every user-facing string goes through ``_()`` (gettext).

English strings are the message ids. A translation is a standard gettext catalog,
``svcmonth/locale/<lang>/LC_MESSAGES/svcmonth.mo``, chosen by ``SVCMONTH_LANG`` or the usual
``LANGUAGE``/``LC_ALL``/``LC_MESSAGES``/``LANG`` variables; without one, English. JSON keys and
CSV headers are never translated: they are the stable contract of SPEC.md.
"""

import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "svcmonth"


def _load() -> gettext.NullTranslations:
    lang = os.environ.get("SVCMONTH_LANG")
    return gettext.translation(
        DOMAIN, LOCALE_DIR, languages=[lang] if lang else None, fallback=True
    )


_catalog = _load()


def _(message: str) -> str:
    """Translate ``message`` through the catalog (identity when no translation is installed)."""
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message whose form depends on ``n``."""
    return _catalog.ngettext(singular, plural, n)
