"""Development tooling for the catalog (needs Babel, a development dependency).

- ``extract``: Babel's Python extractor, plus the docstrings of the command functions in
  ``svcmonth/cli/`` (a command's docstring is its ``--help`` text, so it is a message too).
  ``babel.cfg`` names it for ``src/svcmonth/cli/**.py``.
- ``refresh``: ``pybabel extract`` → ``pybabel update`` → ``pybabel compile``, the three
  steps after changing a message (``python -m svcmonth.i18n`` runs it).
"""

from __future__ import annotations

import ast
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
LOCALE = Path(__file__).resolve().parent / "locale"
KEYWORDS = ["N_"]
EXTRACT_OPTIONS = ["--sort-output", "--add-location=file", "--no-wrap", "--project=svcmonth"]


def command_docstrings(source: str) -> list[tuple[int, str]]:
    """``(line, docstring)`` of the functions a module declares as commands: decorated with
    ``….command(…)``/``….callback(…)``, or passed to ``….command("name")(function)``."""
    tree = ast.parse(source)
    registered: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Call)
            and isinstance(node.func.func, ast.Attribute)
            and node.func.func.attr in ("command", "callback")
        ):
            registered.update(a.id for a in node.args if isinstance(a, ast.Name))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        decorated = any(
            isinstance(d, ast.Call)
            and isinstance(d.func, ast.Attribute)
            and d.func.attr in ("command", "callback")
            for d in node.decorator_list
        )
        doc = ast.get_docstring(node, clean=True)
        if doc and not node.name.startswith("_") and (decorated or node.name in registered):
            out.append((node.body[0].lineno, doc))
    return out


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[Any]:
    """A Babel extraction method: the ``_()``/``N_()`` messages and the command docstrings."""
    from babel.messages.extract import extract_python

    data = fileobj.read()
    yield from extract_python(io.BytesIO(data), keywords, comment_tags, options)
    for line, doc in command_docstrings(data.decode("utf-8")):
        yield line, "", doc, []


def run(*args: str) -> None:
    """``pybabel ARGS``."""
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


def template(pot: Path) -> None:
    """Write the catalog template of the current sources to ``pot``."""
    import os

    here = Path.cwd()
    os.chdir(ROOT)  # locations relative to the repository
    try:
        _extract(pot)
    finally:
        os.chdir(here)


def _extract(pot: Path) -> None:
    run(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *[f"--keyword={k}" for k in KEYWORDS],
        *EXTRACT_OPTIONS,
        "-o",
        str(pot),
        "src/svcmonth",
    )


def refresh() -> None:
    """Extract, update every catalog (keeping translations), compile."""
    catalogs = sorted(LOCALE.glob("*/LC_MESSAGES/svcmonth.po"))
    before = {po: po.read_text(encoding="utf-8") for po in catalogs}
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "svcmonth.pot"
        template(pot)
        run(
            "update",
            "-i",
            str(pot),
            "-d",
            str(LOCALE),
            "-D",
            "svcmonth",
            "--no-wrap",
            "--ignore-obsolete",
            "--update-header-comment",
        )
    for po, text in before.items():  # nothing changed but the date: keep the file as it was
        if _undated(po.read_text(encoding="utf-8")) == _undated(text):
            po.write_text(text, encoding="utf-8")
    run("compile", "-d", str(LOCALE), "-D", "svcmonth", "--statistics")


def _undated(text: str) -> str:
    return "\n".join(
        line for line in text.splitlines() if not line.startswith('"POT-Creation-Date:')
    )
