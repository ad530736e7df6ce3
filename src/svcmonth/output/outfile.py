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
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from svcmonth import platform
from svcmonth.errors import SvcmonthError, reason
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
        _("{path} is the database (or one of its files); write to another file").format(path=target)
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
            _("cannot write {path}: {reason}").format(path=target, reason=reason(exc))
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
            _("cannot write {path}: {reason}").format(path=target, reason=reason(exc))
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


# --- folders ---------------------------------------------------------------------------------

MANIFEST = ".svcmonth-manifest.json"
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass
class FolderWritten:
    """What ``write_folder`` did: the files it wrote and the earlier ones it removed (names
    relative to the folder, ``/``-separated)."""

    path: Path
    written: list[str]
    removed: list[str]


def write_folder(
    target: Path,
    files: Mapping[str, str | bytes],
    copies: Mapping[str, Path] | None = None,
    *,
    writer: str,
    public: bool = False,
    legacy: Callable[[Path], set[str]] | None = None,
    extra_protected: tuple[Path, ...] = (),
) -> FolderWritten:
    """The one writer of a folder of output (``site build``, exports): owns only what it wrote.

    ``files`` maps a relative name (``a.html``, ``pictures/1.png``) to its content (text is
    written UTF-8 with ``\\n`` line ends), ``copies`` a relative name to a file to copy.
    ``writer`` names the command; the folder's manifest (``.svcmonth-manifest.json``) records
    it and every file written, so the next run of the same command replaces exactly those
    files and removes those it no longer writes: any other file in the folder is left as it
    is. A folder that is not empty and has no manifest of ``writer`` (``legacy`` may name
    what an older version wrote there) is refused; so is one that holds a database file
    anywhere, or whose files to write would replace a file the manifest does not list.
    ``public``: files 0644 and folders 0755 (a web folder), else owner-only.

    Every file is first written whole into a temporary folder beside ``target``; only then
    are the files moved in, the manifest written and the files of the earlier run that are
    gone removed, so a failure while writing leaves the folder as it was.
    """
    target = Path(target)
    files = {_relative(name): content for name, content in files.items()}
    copies = {_relative(name): source for name, source in (copies or {}).items()}
    names = [*files, *copies]
    if MANIFEST in names:
        raise ValueError(f"{MANIFEST} is the manifest's name")
    owned = check_folder(target, writer, legacy=legacy, extra_protected=extra_protected)
    for name in names:
        if not _inside(target, name):
            raise SvcmonthError(
                _("{path} leads out of {folder} (a link); nothing was written").format(
                    path=target / name, folder=target
                )
            )
        if (target / name).exists() and name not in owned:
            raise SvcmonthError(
                _(
                    "{path} was not written by svcmonth {writer}; move it away or choose "
                    "another folder"
                ).format(path=target / name, writer=writer)
            )
    target = target.absolute()
    parent = target.parent
    file_mode, dir_mode = (0o644, 0o755) if public else (0o600, 0o700)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
    except OSError as exc:
        raise _cannot(target, exc) from None
    try:
        os.chmod(fresh, dir_mode)
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            _write_new(fresh / name, data, file_mode, dir_mode)
        for name, source in copies.items():
            (fresh / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, fresh / name)
            os.chmod(fresh / name, file_mode)
            _fsync_file(fresh / name)
        written = sorted(names)
        final = _manifest_bytes(writer, {name: _digest(fresh / name) for name in written})
        _write_new(fresh / MANIFEST, final, file_mode, dir_mode)
        for folder in {(fresh / n).parent for n in written}:
            os.chmod(folder, dir_mode)
        if not target.exists():
            os.rename(fresh, target)
            _sync_folder(parent)
            return FolderWritten(target, written, [])
        # first a manifest naming the old files and the new ones: a run killed from here on
        # leaves a folder whose every svcmonth file the manifest lists, so the next run
        # replaces or removes them (never refuses them as someone else's)
        union: dict[str, Any] = {name: {} for name in owned - {MANIFEST}}
        union.update({name: {} for name in written})
        _write_new(fresh / ".interim", _manifest_bytes(writer, union), file_mode, dir_mode)
        os.replace(fresh / ".interim", target / MANIFEST)
        for name in written:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(fresh / name, target / name)
        _sync_folder(target)
    except OSError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise _cannot(Path(exc.filename) if exc.filename else target, exc) from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    removed = []
    for name in sorted(owned - set(written) - {MANIFEST}, reverse=True):
        path = target / name
        try:
            if not path.is_symlink() and not path.exists():
                removed.append(name)  # gone already: no longer listed
            elif _inside(target, name) and (path.is_symlink() or path.is_file()):
                path.unlink()
                removed.append(name)
        except OSError:
            continue  # left behind (still listed below), never an error: the output is whole
    for folder in sorted(
        {p for n in removed for p in Path(n).parents if str(p) != "."}, key=lambda p: -len(p.parts)
    ):
        try:
            (target / folder).rmdir()  # only when nothing else is in it
        except OSError:
            pass
    kept: dict[str, Any] = {n: {} for n in owned - set(written) - set(removed) - {MANIFEST}}
    try:
        if kept:  # an old file that could not be removed stays listed: still svcmonth's
            final = _manifest_bytes(writer, {**kept, **{n: _digest(target / n) for n in written}})
            (fresh / MANIFEST).unlink()
            _write_new(fresh / MANIFEST, final, file_mode, dir_mode)
        os.replace(fresh / MANIFEST, target / MANIFEST)
        _sync_folder(target)
    except OSError as exc:
        raise _cannot(target / MANIFEST, exc) from None
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return FolderWritten(target, written, sorted(removed))


def _manifest_bytes(writer: str, files: Mapping[str, Any]) -> bytes:
    """The manifest's text: the writer and each file's size and SHA-256 (ASCII JSON)."""
    return (json.dumps({"writer": writer, "files": dict(files)}, indent=1) + "\n").encode("ascii")


def _relative(name: str) -> str:
    """``name`` as a plain relative path inside the folder (never ``..``, never absolute,
    never a Windows drive)."""
    parts = name.replace("\\", "/").split("/")
    if (
        not name
        or name.startswith("/")
        or ":" in parts[0]
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise ValueError(f"not a relative file name: {name!r}")
    return "/".join(parts)


def _inside(target: Path, name: str) -> bool:
    """Whether ``target/name``'s folder is inside ``target`` once links are followed (a
    sub-folder the clerk replaced by a link elsewhere is never written or emptied)."""
    try:
        folder = (target / name).parent.resolve()
        return folder == target.resolve() or folder.is_relative_to(target.resolve())
    except (OSError, RuntimeError):
        return False


def check_folder(
    target: Path,
    writer: str,
    *,
    legacy: Callable[[Path], set[str]] | None = None,
    extra_protected: tuple[Path, ...] = (),
) -> set[str]:
    """The files of ``target`` an earlier run of ``writer`` wrote (its manifest's names and
    the manifest); ``SvcmonthError`` for a folder ``write_folder`` would refuse. Call it
    before a long piece of work to fail early."""
    if target.exists() and not target.is_dir():
        raise SvcmonthError(_("{path} is not a folder").format(path=target))
    if not target.is_dir():
        return set()
    refuse_protected(target, extra_protected)
    try:
        entries = {p.name for p in target.iterdir()}
    except OSError as exc:
        raise SvcmonthError(
            _("cannot read {path}: {reason}").format(path=target, reason=reason(exc))
        ) from None
    database = _find_database(target, extra_protected)
    if database is not None:
        raise SvcmonthError(
            _(
                "{path} holds a database file ({file}); nothing was written: "
                "give a folder of its own for the output"
            ).format(path=target, file=database)
        )
    if not entries:
        return set()
    if MANIFEST in entries:
        try:
            manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
            files = manifest["files"]
            if manifest["writer"] != writer or not isinstance(files, dict):
                raise ValueError(manifest["writer"])
            owned = set()
            for name in files:
                try:
                    owned.add(_relative(name))
                except ValueError:
                    continue  # a hand-edited manifest names nothing outside the folder
            return owned | {MANIFEST}
        except (OSError, ValueError, KeyError, TypeError):
            pass
    elif legacy is not None:
        old = legacy(target)
        if old:
            return old
    raise SvcmonthError(
        _(
            "{path} is not empty and was not written by svcmonth {writer}; "
            "give a new or empty folder"
        ).format(path=target, writer=writer)
    )


def _find_database(folder: Path, extra: tuple[Path, ...]) -> Path | None:
    """The first file under ``folder`` that is an SQLite database (by its header, or the
    database this run opened), or ``None``."""
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            try:
                refuse_protected(path, extra)
                if not path.is_file():  # a pipe or a device is never opened (it would block)
                    continue
                with open(path, "rb") as handle:
                    if handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER:
                        return path
            except SvcmonthError:
                return path
            except OSError:
                continue
    return None


def _write_new(path: Path, data: bytes, file_mode: int, dir_mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, file_mode)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _digest(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


def _cannot(path: Path, exc: OSError) -> SvcmonthError:
    return SvcmonthError(_("cannot write {path}: {reason}").format(path=path, reason=reason(exc)))


def read_bytes(path: Path) -> bytes:
    """A file's bytes; one ``Error:`` line naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SvcmonthError(
            _("cannot read {path}: {reason}").format(path=path, reason=reason(exc))
        ) from None
