"""A progress bar on stderr for long reads (``inbox fetch``/``import``, ``submission import``),
only when stderr is a terminal: cron mail and redirected output stay free of it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TypeVar

T = TypeVar("T")
Tick = Callable[[int | None], None]


def wanted(stream: IO[str] | None = None, quiet: bool = False) -> bool:
    """Whether to show a bar on ``stream`` (default stderr): a terminal, and not ``--quiet``."""
    stream = sys.stderr if stream is None else stream
    if quiet:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # closed or not a real stream
        return False


@contextmanager
def bar(label: str, *, quiet: bool = False, stream: IO[str] | None = None) -> Iterator[Tick | None]:
    """A tick to call per item (``tick(None)``), or once with the number of items to come
    (``tick(n)``); None when no bar is wanted."""
    if not wanted(stream, quiet):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=sys.stderr if stream is None else stream)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None)

        def tick(total: int | None = None) -> None:
            if total is not None:
                progress.update(task, total=total)
            else:
                progress.advance(task)

        yield tick


def counted(items: Iterable[T], tick: Tick | None) -> Iterator[T]:
    """``items``, ticking once per item."""
    for item in items:
        yield item
        if tick is not None:
            tick(None)
