"""Saved mail: ``.eml`` files (or a folder of them), a Maildir folder, an mbox file.

Read with the standard library's ``mailbox``; nothing is changed (a Maildir's new messages
are not moved to ``cur``). Yields ``(origin, raw bytes)`` per message, in a stable order.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from pathlib import Path

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.mail import outlook
from svcmonth.mail.mailparse import decode_bytes

MAX_MESSAGE_BYTES = 200 * 1024 * 1024


def shown(path: Path | str) -> str:
    """A path as text people can read and the database can store: a file name that is not
    UTF-8 (a folder unzipped from Windows holds GBK names; Linux keeps their bytes as
    surrogates) is decoded as GB18030."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return decode_bytes(os.fsencode(text))
    return text


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def messages(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """Every message in ``paths``, or a clear error for a path that holds none."""
    for path in paths:
        if not path.exists():
            raise SvcmonthError(_("no file or folder {path}").format(path=shown(path)))
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
                        path=shown(path)
                    )
                )
            for file in files:
                yield shown(file), _msg_or_mail(file)
        elif path.suffix.lower() == ".eml":
            yield shown(path), _read(path)
        elif path.suffix.lower() == ".msg":  # Outlook: converted, then the .eml path
            yield shown(path), outlook.to_rfc822(path, _read(path))
        else:
            with path.open("rb") as f:
                head = f.read(5)
            if head != b"From ":
                raise SvcmonthError(
                    _(
                        "{path} is not an mbox file (it does not begin with a 'From ' line) "
                        "nor a .eml message"
                    ).format(path=shown(path))
                )
            yield from _mbox(path)


def _msg_or_mail(path: Path) -> bytes:
    """A file of a folder of saved mail: an Outlook ``.msg`` converted to RFC 5322 bytes; one
    that cannot be converted is passed on as it is, so the intake keeps it as an unreadable
    entry and goes on with the rest of the folder (a cron job never fails twice on it)."""
    data = _read(path)
    if path.suffix.lower() != ".msg":
        return data
    try:
        return outlook.to_rfc822(path, data)
    except SvcmonthError:
        return data


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_MESSAGE_BYTES:
        raise SvcmonthError(_("{path} is too large for one message").format(path=shown(path)))
    return path.read_bytes()


def _maildir(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.keys()):
        yield f"{shown(path)}#{key}", box.get_bytes(key)


def _mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for n, key in enumerate(box.iterkeys(), start=1):
            yield f"{shown(path)}#{n}", box.get_bytes(key)
    finally:
        box.close()
