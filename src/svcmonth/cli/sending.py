"""What ``remind`` and ``notify results`` share: the channels they send through, the group text
they print for ``--via text``, and how they list what was (or would be) sent."""

import functools
import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from svcmonth import campaigns, chat
from svcmonth.cli.common import Output, output_rows, query_at
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.mail import mailer
from svcmonth.output import render
from svcmonth.output.columns import Field


def refuse_with_text(send: bool, out: Output, summary_to: str | None = None) -> None:
    """``--via text`` prints the group messages to paste; it sends and records nothing, so
    ``--send``, ``--summary-to`` and a listing format would be silently ignored: refused."""
    for given, option in ((send, "--send"), (summary_to, "--summary-to")):
        if given:
            raise SvcmonthError(
                _(
                    "--via text prints the messages to paste and sends nothing: leave out {option}"
                ).format(option=option)
            )
    if out.fmt != "table":
        raise SvcmonthError(
            _("--via text prints the messages as text: leave out --format {fmt}").format(
                fmt=out.fmt
            )
        )


def print_group_text(
    db: Path | None,
    campaign: str | None,
    as_of: str | None,
    out: Output,
    group_text: Callable[[sqlite3.Connection, campaigns.Campaign, datetime], list[str]],
) -> None:
    """``--via text``: the group messages, to paste into a WeChat group."""
    _c, _instant, posts = query_at(db, campaign, as_of, group_text)
    if posts:
        render.write_text("\n\n".join(posts) + "\n", out.output, out.encoding)


def sessions(send: bool, channels: list[str]) -> tuple[Callable[[], Any] | None, list[Any]]:
    """The mail session opener (None unless mailing) and the group robots' session factories,
    their settings read from the environment (an error before anything is opened)."""
    config = mailer.config_from_env(os.environ) if send and "mail" in channels else None
    robots = [chat.robot_from_env(ch, os.environ) for ch in channels if send and ch in chat.GROUPS]
    open_mail = None if config is None else (lambda: mailer.open_session(config))
    return open_mail, [functools.partial(chat.RobotSession, robot) for robot in robots]


def show_sent(
    out: Output, quiet: bool, rows: list[dict[str, Any]], keys: Sequence[Field], heading: str
) -> None:
    """What a sending run did, without the "wrote N rows" note: cron mails whatever is
    printed."""
    if not quiet and (rows or out.fmt in ("csv", "json")):
        output_rows(out, rows, keys, heading=heading, quiet=True)
