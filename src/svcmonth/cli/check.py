"""``svcmonth check …``: who reported on time, and who is short of articles."""

from typing import Annotated

import typer

from svcmonth import checks
from svcmonth.cli.common import (
    AsOfOpt,
    CampaignOpt,
    DbOpt,
    ExitCodeOpt,
    OptionalWeekOpt,
    Output,
    output_options,
    output_rows,
    query_at,
)
from svcmonth.i18n import N_, _

app = typer.Typer(
    help=N_("Checks: weekly deadlines and the article minimum."), no_args_is_help=True
)


@app.command("deadlines")
@output_options
def deadlines(
    week: OptionalWeekOpt = None,
    matrix: Annotated[
        bool,
        typer.Option("--matrix", help=N_("One row per member, one column per week.")),
    ] = False,
    as_of: AsOfOpt = None,
    exit_code: ExitCodeOpt = False,
    campaign: CampaignOpt = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """Every active member × week: on time, late, missing or pending."""
    c, _instant, rows = query_at(db, campaign, as_of, checks.deadline_rows, week=week)
    heading = _("Weekly report deadlines")
    if matrix:
        numbers = [w.number for w in c.weeks if week is None or w.number == week]
        output_rows(
            out,
            checks.matrix(rows),
            checks.matrix_columns(numbers),
            heading=heading,
        )
    else:
        output_rows(out, rows, checks.DEADLINES, heading=heading)
    if exit_code and checks.falls_short(rows):
        raise typer.Exit(3)


@app.command("quota")
@output_options
def quota(
    as_of: AsOfOpt = None,
    exit_code: ExitCodeOpt = False,
    campaign: CampaignOpt = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """Every active member's article count against the minimum: met, at risk or failed."""
    _c, _instant, rows = query_at(db, campaign, as_of, checks.quota_rows)
    output_rows(out, rows, checks.QUOTA, heading=_("Article minimum"))
    if exit_code and checks.falls_short(rows):
        raise typer.Exit(3)
