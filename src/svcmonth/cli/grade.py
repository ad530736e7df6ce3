"""``svcmonth grade``, ``adopt`` and ``forward``: the clerk's decisions on a submission."""

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from svcmonth import endorsements, grading, submissions
from svcmonth.cli.common import (
    MAX_ID,
    CampaignOpt,
    DbOpt,
    bounded,
    campaign_at,
    database,
    db_path,
    id_arg,
    level_parser,
    now,
)
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output.render import message

OnOpt = Annotated[
    str | None,
    typer.Option("--on", help=N_("Date, YYYY-MM-DD (default: today)."), show_default=False),
]


def grade(
    target: Annotated[
        str, typer.Argument(metavar="ID|auto", help=N_("A submission id, or `auto`."))
    ],
    level: Annotated[
        int | None,
        typer.Option(
            "--level",
            help=N_("Level 1, 2 or 3 (3 is highest)."),
            show_default=False,
            parser=level_parser("--level"),
        ),
    ] = None,
    reject: Annotated[bool, typer.Option("--reject", help=N_("Reject the submission."))] = False,
    reason: Annotated[str, typer.Option("--reason", help=N_("Why it was rejected."))] = "",
    clear: Annotated[
        bool, typer.Option("--clear", help=N_("Undo a grade or rejection: pending again."))
    ] = False,
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Grade by hand (ID --level N, ID --reject, ID --clear) or by the plan's rule (auto).

    The rule: on time level 2, late the campaign's late level (default 1).
    """
    if target == "auto":
        if level is not None or reject or clear:
            raise SvcmonthError(_("`grade auto` takes no --level, --reject or --clear"))
        with database(db, write=True) as conn:
            c, _at = campaign_at(conn, campaign, None)
            n = grading.auto(conn, c, now())
        message(
            _("graded {n} pending submission(s) of {name} by the rule").format(n=n, name=c.name)
        )
        return
    if not target.isdigit():
        raise SvcmonthError(
            _("{target!r} is not a submission id (or `auto`)").format(target=target)
        )
    submission_id = bounded("ID", 1, MAX_ID)(target)
    if clear:
        if level is not None or reject or reason:
            raise SvcmonthError(_("--clear takes no --level, --reject or --reason"))
        with database(db, write=True) as conn:
            grading.clear(conn, submission_id, now())
        message(_("{id} is pending again").format(id=target))
        return
    if (level is None) == (not reject):
        raise SvcmonthError(_("give either --level 1|2|3 or --reject"))
    if reason and not reject:
        raise SvcmonthError(_("--reason goes with --reject"))
    with database(db, write=True) as conn:
        if reject:
            grading.reject(conn, submission_id, reason, now())
        else:
            assert level is not None
            grading.set_level(conn, submission_id, level, now())
    message(
        _("rejected {id}").format(id=target)
        if reject
        else _("graded {id} level {level}").format(id=target, level=level)
    )


def _day(conn: sqlite3.Connection, submission_id: int, on: str | None) -> date:
    """The date typed (a year-less one in the submission's campaign's year), else today in the
    current campaign's zone."""
    if on:
        return submissions.typed_day(conn, [submission_id], on, now())
    c, instant = campaign_at(conn, None, None)
    return instant.astimezone(c.tz).date()


def _undo(
    db: Path | None, on: str | None, undo: Callable[[sqlite3.Connection], dict[str, Any]]
) -> dict[str, Any]:
    """``--undo`` of an adoption or an endorsement: ``undo(conn)`` in a write transaction (it
    takes no ``--on``); the submission's row after it."""
    if on is not None:
        raise SvcmonthError(_("--undo takes no --on"))
    with database(db, write=True) as conn:
        return undo(conn)


def adopt(
    submission_id: Annotated[int, id_arg()],
    outlet: Annotated[str, typer.Option("--outlet", help=N_("Who published it."))],
    on: OnOpt = None,
    undo: Annotated[
        bool, typer.Option("--undo", help=N_("Undo an adoption recorded by mistake."))
    ] = False,
    db: DbOpt = None,
) -> None:
    """Record an adoption (刊用); a doubling outlet scores level 3 at double points."""
    if undo:
        row = _undo(db, on, lambda conn: grading.undo_adoption(conn, submission_id, outlet, now()))
        message(
            _("adoption of {id} by {outlet} undone: {level}, {points} points").format(
                id=submission_id,
                outlet=outlet.strip(),
                level=col.words(row["level"], "level"),
                points=row["points"],
            )
        )
        return
    with database(db, write=True) as conn:
        row = grading.adopt(conn, submission_id, outlet, _day(conn, submission_id, on), now())
    message(
        _("{id} adopted by {outlet}: {level}, {points} points").format(
            id=submission_id,
            outlet=outlet.strip(),
            level=col.words(row["level"], "level"),
            points=row["points"],
        )
    )


def forward(
    submission_ids: Annotated[
        list[int],
        typer.Argument(
            metavar="ID...",
            help=N_("Submission ids."),
            parser=bounded("ID", 1, MAX_ID),
            show_default=False,
        ),
    ],
    to: Annotated[str, typer.Option("--to", help=N_("The body it was forwarded to."))],
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help=N_("Also write the 报送包 for that body: a zip with the list, letter and files."),
            show_default=False,
        ),
    ] = None,
    on: OnOpt = None,
    db: DbOpt = None,
) -> None:
    """Record forwardings (报送) to a higher body, e.g. 中国银行业协会; --bundle writes the 报送包.

    Example: svcmonth forward 12 15 31 --to 中国银行业协会 --bundle 报送包.zip
    """
    from svcmonth import bundles

    with database(db, write=True) as conn:
        c, instant = campaign_at(conn, None, None)
        day = submissions.typed_day(conn, submission_ids, on, now()) if on else None
        done = bundles.forward(
            conn,
            db_path(db),
            submission_ids,
            to,
            day,
            instant.astimezone(c.tz).date(),
            now(),
            bundle,
        )
    for sid in done.recorded:
        message(_("{id} forwarded to {body}").format(id=sid, body=done.body))
    if bundle is not None:
        message(
            _(
                "wrote the 报送包 for {body} to {path}: {n} submission(s), {k} forwarding(s) "
                "newly recorded"
            ).format(body=done.body, path=bundle, n=len(done.packed), k=len(done.recorded))
        )


def endorse(
    submission_id: Annotated[int, id_arg()],
    by: Annotated[str, typer.Option("--by", help=N_("The leader who endorsed it (批示领导)."))],
    level: Annotated[
        str,
        typer.Option(
            "--level",
            # the default named in the text, not shown by Typer: a Chinese default value would
            # be read back as a message id in another language's help
            help=N_("The endorsement's level, free text such as 省部级 (default: 批示)."),
            show_default=False,
        ),
    ] = endorsements.DEFAULT_LEVEL,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help=N_("Date of the endorsement, e.g. 2023-07-17 (default: today)."),
            show_default=False,
        ),
    ] = None,
    undo: Annotated[
        bool, typer.Option("--undo", help=N_("Remove an endorsement recorded by mistake."))
    ] = False,
    db: DbOpt = None,
) -> None:
    """Record a leader's endorsement (批示) of a submission; each adds the campaign's
    endorsement points (campaign rules --endorsement-points, default 0)."""
    if undo:
        row = _undo(db, on, lambda conn: endorsements.undo(conn, submission_id, by, now()))
        message(
            _("endorsement of {id} by {by} removed: {points} points").format(
                id=submission_id, by=by.strip(), points=row["points"]
            )
        )
        return
    with database(db, write=True) as conn:
        day = submissions.typed_day(conn, [submission_id], on, now()) if on else None
        row = endorsements.endorse(conn, submission_id, by, level, day, now())
    message(
        _("{id} endorsed by {by}: {points} points").format(
            id=submission_id, by=by.strip(), points=row["points"]
        )
    )


def register(root: typer.Typer) -> None:
    root.command("grade")(grade)
    root.command("adopt")(adopt)
    root.command("forward")(forward)
    root.command("endorse")(endorse)
