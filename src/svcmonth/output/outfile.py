"""The one writer of every ``--output`` file: complete or absent, owner-only, never the database.

The text goes to a temporary file in the target's folder (so the rename stays on one file
system), is flushed and ``fsync``-ed, made readable by its owner only (it may hold officers'
phone numbers), then renamed over the target in one step. Any failure on the way, an encoding
that cannot hold the text, a full disk, an interrupted run, removes the temporary file and
leaves the target as it was. A target that is the database this run opened (or the file
svcmonth would open), or its ``-wal``, ``-shm`` or ``-journal`` file, is refused before anything
is written.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from svcmonth import platform
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _

_SIDE_FILES = ("", "-wal", "-shm", "-journal")
_protected: set[str] = set()


def protect(database: Path) -> None:
    """Remember ``database`` (and its side files) as a path no output may name."""
    _protected.add(_key(database))


def _key(path: Path) -> str:
    return os.path.normcase(os.path.realpath(os.fspath(path)))


def refuse_protected(target: Path, extra: tuple[Path, ...] = ()) -> None:
    """``SvcmonthError`` when ``target`` is a protected database or one of its side files."""
    wanted = _key(target)
    for base in {*_protected, *(_key(p) for p in extra)}:
        if any(wanted == base + side for side in _SIDE_FILES):
            raise _is_database(target)
    if target.exists():  # a hard link to the database is the database too
        for base in {*_protected, *(_key(p) for p in extra)}:
            for side in _SIDE_FILES:
                try:
                    same = os.path.samefile(base + side, target)
                except OSError:
                    same = False
                if same:
                    raise _is_database(target)


def _is_database(target: Path) -> SvcmonthError:
    return SvcmonthError(
        _("--output {path} is the database (or one of its files); choose another file").format(
            path=target
        )
    )


@contextmanager
def open_binary(target: Path, extra_protected: tuple[Path, ...] = ()) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``target`` only when the ``with`` block ends without error."""
    target = Path(target)
    refuse_protected(target, extra_protected)
    if target.is_dir():
        raise SvcmonthError(
            _("cannot write {path}: {reason}").format(path=target, reason=_("it is a folder"))
        )
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise SvcmonthError(
            _("cannot write {path}: {reason}").format(path=target, reason=exc.strerror)
        ) from None
    temp = Path(temp_name)
    try:
        # mkstemp creates the file 0600 already: owner-only from the first byte
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise SvcmonthError(
            _("cannot write {path}: {reason}").format(path=target, reason=exc.strerror or exc)
        ) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


@contextmanager
def open_text(
    target: Path, encoding: str = "utf-8", extra_protected: tuple[Path, ...] = ()
) -> Iterator[IO[str]]:
    """A text file (``newline=""``: the writer decides line ends) that becomes ``target`` only
    when complete; text the encoding cannot hold is one clear error and no file."""
    check_encoding(encoding)
    import io

    with open_binary(target, extra_protected) as raw:
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        try:
            yield stream
            stream.flush()
        except UnicodeEncodeError as exc:
            raise unencodable(encoding, exc) from None
        finally:
            stream.detach()


def write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    """``target`` holding ``text``, written the safe way."""
    with open_text(target, encoding) as out:
        out.write(text)


def unencodable(encoding: str | None, exc: UnicodeError) -> SvcmonthError:
    """The one error for text an encoding cannot hold."""
    char = ""
    obj: Any = getattr(exc, "object", "")
    start = getattr(exc, "start", None)
    if isinstance(obj, str) and isinstance(start, int) and start < len(obj):
        char = ascii(obj[start])
    return SvcmonthError(
        _("some text cannot be written in {enc} (first: {char}); nothing was written").format(
            enc=encoding or "utf-8", char=char
        )
    )


def check_encoding(encoding: str | None) -> None:
    """Refuse an encoding Python does not know (or one that is not for text), up front."""
    if encoding is None:
        return
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise SvcmonthError(
            _("unknown encoding {name!r} (e.g. utf-8, gb18030)").format(name=encoding)
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise SvcmonthError(
            _("unknown encoding {name!r} (e.g. utf-8, gb18030)").format(name=encoding)
        )


def _replace(temp: Path, target: Path) -> None:
    """Rename the finished file over ``target``. A workbook open in WPS/Excel locks it on
    Windows: ``platform.replace`` waits briefly, then this says what to do instead of the
    system's bare 拒绝访问."""
    try:
        platform.replace(temp, target)
    except platform.FileLocked:
        raise SvcmonthError(
            _(
                "cannot write {path}: the file may be open in WPS/Excel; close {path} in "
                "WPS/Excel and try again"
            ).format(path=target)
        ) from None


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
