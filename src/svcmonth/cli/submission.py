"""``svcmonth submit`` and ``svcmonth submission …``: log, import, list, withdraw."""

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from svcmonth import campaigns, csvio, submissions
from svcmonth.cli.common import (
    MAX_COUNT,
    AsOfOpt,
    CampaignOpt,
    DbOpt,
    EncodingOpt,
    Format,
    FormatOpt,
    OptionalWeekOpt,
    OutputOpt,
    bounded,
    campaign_at,
    database,
    id_arg,
    now,
    show,
    typed_year,
)
from svcmonth.columns import header_aliases
from svcmonth.i18n import _
from svcmonth.render import message

app = typer.Typer(help=_("Submissions: import, list, withdraw."), no_args_is_help=True)


def submit(
    code: Annotated[str, typer.Argument(help=_("Member code."))],
    column: Annotated[str, typer.Option("--column", help=_("Column, e.g. 活动扫描 or 先进事迹."))],
    title: Annotated[str, typer.Option("--title", help=_("Title of the report or article."))],
    at: Annotated[
        str | None,
        typer.Option("--at", help=_("When it arrived (default: now)."), show_default=False),
    ] = None,
    week: Annotated[
        int | None,
        typer.Option(
            "--week",
            help=_("Week a report covers (reports only)."),
            show_default=False,
            parser=bounded("--week", 1, MAX_COUNT),
        ),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option(
            "--author", help=_("Author (default: the member's officer)."), show_default=False
        ),
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help=_("Link."), show_default=False)] = None,
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Log one submission and print its id.

    Example: svcmonth submit ICBC --column 活动扫描 --title 第一周动态 --at '2023-07-17 11:59'
    """
    with database(db, write=True) as conn:
        c, instant = campaign_at(conn, campaign, at)
        new_id = submissions.submit(
            conn, c, code, column, title, instant, now(), week=week, author=author, url=url
        )
        logged = submissions.get_row(conn, new_id)
    print(new_id)
    message(_confirmation(new_id, logged))


def _confirmation(new_id: int, row: dict[str, object]) -> str:
    """``已登记 #115：CCB 第2周活动扫描，按时`` — what was logged, in words (on stderr)."""
    timing = _("on time") if row["on_time"] else _("late")
    if row["kind"] == "report":
        return _("logged #{id}: {member} week {week} {column}, {timing}").format(
            id=new_id,
            member=row["member"],
            week=row["week"],
            column=row["column_name"],
            timing=timing,
        )
    return _("logged #{id}: {member} {column} “{title}”, {timing}").format(
        id=new_id,
        member=row["member"],
        column=row["column_name"],
        title=row["title"],
        timing=timing,
    )


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help=_("CSV: member,column,title,submitted_at[,week,author,url]."))
    ],
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Import submissions from a CSV file (UTF-8 or GBK from Excel); all rows or none."""
    rows, bad = csvio.iter_rows(
        file,
        submissions.IMPORT_REQUIRED,
        submissions.IMPORT_OPTIONAL,
        submissions.IMPORT_IGNORED,
        header_aliases(submissions.LIST),
    )
    with database(db, write=True) as conn:
        fixed = campaigns.load(conn, campaign) if campaign else None
        zone = fixed.tz if fixed else campaigns.zone_for_display(conn)
        resolve = campaigns.resolver(conn)

        def campaign_for(instant: datetime) -> campaigns.Campaign:
            return fixed if fixed is not None else resolve(instant)

        year = typed_year(conn, fixed)
        result = submissions.import_submissions(conn, campaign_for, rows, now(), zone.key, year)
        csvio.refuse(file, bad + result.problems)
    message(_("imported {n} submission(s)").format(n=result.written))
    if result.skipped:
        message(
            _(
                "skipped {n} duplicate(s) already logged (same member, column, title and "
                "time, or the same id)"
            ).format(n=result.skipped)
        )


@app.command("list")
def list_(
    member: Annotated[str | None, typer.Option("--member", help=_("Only this member."))] = None,
    week: OptionalWeekOpt = None,
    column: Annotated[str | None, typer.Option("--column", help=_("Only this column."))] = None,
    pending: Annotated[bool, typer.Option("--pending", help=_("Only ungraded ones."))] = False,
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """List submissions with their level, status and points (deactivated members too)."""
    with database(db) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        rows = submissions.listing(
            conn,
            c,
            member=member,
            week=week,
            column_name=column,
            pending=pending,
            as_of=instant if as_of else None,
        )
        show(rows, submissions.LIST, fmt, output, encoding, heading=_("Submissions"))


@app.command("withdraw")
def withdraw(
    submission_id: Annotated[int, id_arg()],
    db: DbOpt = None,
) -> None:
    """Withdraw a submission: it stays on record and scores nothing."""
    with database(db, write=True) as conn:
        submissions.withdraw(conn, submission_id, now())
    message(_("withdrew {id}").format(id=submission_id))


def register(root: typer.Typer) -> None:
    root.command("submit")(submit)
