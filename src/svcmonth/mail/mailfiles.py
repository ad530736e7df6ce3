"""Saved mail: ``.eml`` files (or a folder of them), a Maildir folder, an mbox file.

Read with the standard library's ``mailbox``; nothing is changed (a Maildir's new messages
are not moved to ``cur``). Yields ``(origin, raw bytes)`` per message, in a stable order.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.mail import outlook

MAX_MESSAGE_BYTES = 200 * 1024 * 1024


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def messages(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """Every message in ``paths``, or a clear error for a path that holds none."""
    for path in paths:
        if not path.exists():
            raise SvcmonthError(_("no file or folder {path}").format(path=path))
        if path.is_dir():
            if _is_maildir(path):
                yield from _maildir(path)
                continue
            files = sorted(
                p for p in path.iterdir() if p.suffix.lower() in (".eml", ".msg") and p.is_file()
            )
            if not files:
                raise SvcmonthError(
                    _("{path} is neither a Maildir folder nor a folder of .eml files").format(
                        path=path
                    )
                )
            for file in files:
                data = _read(file)
                if file.suffix.lower() == ".msg":
                    data = outlook.to_rfc822(file, data)
                yield str(file), data
        elif path.suffix.lower() == ".eml":
            yield str(path), _read(path)
        elif path.suffix.lower() == ".msg":  # Outlook: converted, then the .eml path
            yield str(path), outlook.to_rfc822(path, _read(path))
        else:
            with path.open("rb") as f:
                head = f.read(5)
            if head != b"From ":
                raise SvcmonthError(
                    _(
                        "{path} is not an mbox file (it does not begin with a 'From ' line) "
                        "nor a .eml message"
                    ).format(path=path)
                )
            yield from _mbox(path)


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_MESSAGE_BYTES:
        raise SvcmonthError(_("{path} is too large for one message").format(path=path))
    return path.read_bytes()


def _maildir(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.keys()):
        yield f"{path}#{key}", box.get_bytes(key)


def _mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for n, key in enumerate(box.iterkeys(), start=1):
            yield f"{path}#{n}", box.get_bytes(key)
    finally:
        box.close()
