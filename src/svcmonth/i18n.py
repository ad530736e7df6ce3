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


def extract(root: Path | None = None) -> str:
    """The catalog template (``svcmonth.pot``): every literal passed to ``_()`` in the
    package, in order of first appearance. Regenerate with ``python -m svcmonth.i18n``."""
    import ast

    root = root or Path(__file__).parent
    seen: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
                seen.setdefault(node.args[0].value, where)
    out = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for message, where in sorted(seen.items(), key=lambda kv: kv[0]):
        escaped = message.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        out += [f"#: {where.split(':')[0]}", f'msgid "{escaped}"', 'msgstr ""', ""]
    return "\n".join(out)


if __name__ == "__main__":
    (LOCALE_DIR / f"{DOMAIN}.pot").parent.mkdir(exist_ok=True)
    (LOCALE_DIR / f"{DOMAIN}.pot").write_text(extract(), encoding="utf-8")
