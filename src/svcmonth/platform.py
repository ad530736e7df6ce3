"""Every decision that depends on the operating system, in one place.

The clerk runs Windows (or a 信创 Linux desktop); the CI runs Linux. Every other module asks
this one instead of testing ``os.name`` itself, so the Windows branches can be tested on Linux
by switching ``NAME`` (and ``SYS_PLATFORM``) here:

- ``permissions_enforced()``: whether POSIX mode bits say who can read a file (not on
  Windows, where ``stat`` reports 0666 whatever the folder's ACL allows);
- ``replace()``: ``os.replace`` that waits briefly for a file another program holds open
  (WPS or Excel lock the workbook they show; Windows then refuses the rename);
- ``prepare_console()``: a console whose code page cannot hold Chinese gets UTF-8 with
  replacement instead of a ``UnicodeEncodeError``;
- ``system()``: ``windows``, ``mac`` or ``linux`` (the default of ``svcmonth schedule``);
- ``command()``: how to start the running ``svcmonth`` again from a scheduler.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

NAME = os.name  # "nt" on Windows; tests switch it to simulate the clerk's PC
SYS_PLATFORM = sys.platform

# a workbook open in WPS/Excel: try the rename again this many times, this long apart (~2 s)
REPLACE_ATTEMPTS = 8
REPLACE_PAUSE = 0.25
SLEEP: Callable[[float], None] = time.sleep  # tests replace it: no test waits


class FileLocked(OSError):
    """The target stayed locked by another program through every attempt."""


def is_windows() -> bool:
    return NAME == "nt"


def system() -> str:
    """``windows``, ``mac`` or ``linux`` (any other POSIX system counts as linux: cron)."""
    if is_windows():
        return "windows"
    return "mac" if SYS_PLATFORM == "darwin" else "linux"


def permissions_enforced() -> bool:
    """Whether a file's mode bits say who can read it. On Windows the ACL decides and
    ``stat`` reports 0666 for every writable file, so nothing can be claimed from them."""
    return not is_windows()


def replace(
    source: Path,
    target: Path,
    *,
    sleep: Callable[[float], None] | None = None,
    attempts: int = REPLACE_ATTEMPTS,
    pause: float = REPLACE_PAUSE,
) -> None:
    """``os.replace(source, target)``; on Windows a target another program holds open (WPS,
    Excel) is retried briefly, then ``FileLocked``. Elsewhere an open file never blocks a
    rename, so a ``PermissionError`` there is a real one and is raised at once."""
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if not is_windows():
                raise
            if attempt + 1 < attempts:
                (sleep or SLEEP)(pause)
    raise FileLocked(os.fspath(target))


def prepare_console(stream: Any) -> None:
    """On a Windows console, make ``stream`` write UTF-8 with replacement: a legacy code page
    (or ``PYTHONLEGACYWINDOWSSTDIO``) cannot hold every character and must never turn Chinese
    output into a traceback. Redirected output and other systems are left as they are (what
    goes to a file is decided by ``--output``/``--encoding``)."""
    if not is_windows():
        return
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError, OSError):
        return
    reconfigure = getattr(stream, "reconfigure", None)
    if interactive and reconfigure is not None:
        reconfigure(encoding="utf-8", errors="replace")


def command(
    argv0: str | None = None,
    *,
    which: Callable[[str], str | None] = shutil.which,
    executable: str | None = None,
) -> list[str]:
    """The absolute command that starts this svcmonth again (for a scheduler, which has no
    ``PATH`` or working folder to rely on): the script being run (on Windows
    ``Scripts\\svcmonth.exe``), else the ``svcmonth`` on ``PATH``, else
    ``python -m svcmonth`` with this interpreter."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = executable or sys.executable
    name = os.path.basename(argv0).lower()
    stem = name[:-4] if name.endswith(".exe") else name
    if stem == "svcmonth":
        path = os.path.abspath(argv0)
        if is_windows() and not path.lower().endswith(".exe") and os.path.exists(path + ".exe"):
            path += ".exe"
        if os.path.exists(path):
            return [path]
    if name not in ("__main__.py", "-m", "-c"):
        found = which("svcmonth")
        if found:
            return [os.path.abspath(found)]
    return [os.path.abspath(executable), "-m", "svcmonth"]
