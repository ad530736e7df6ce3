"""``svcmonth report …``: scoreboard, weekly report, year-end table, officers, forwardings."""

from datetime import datetime

import typer

from svcmonth import grading, reports
from svcmonth.campaigns import DEFAULT_TZ
from svcmonth.cli.common import (
    AsOfOpt,
    CampaignOpt,
    DbOpt,
    EncodingOpt,
    Format,
    FormatOpt,
    OutputOpt,
    WeekOpt,
    YearOpt,
    campaign_at,
    database,
    now,
    show,
)
from svcmonth.i18n import _
from svcmonth.timeutil import parse_instant, zone

app = typer.Typer(help=_("Reports for the clerk and the leadership."), no_args_is_help=True)


@app.command("scoreboard")
def scoreboard(
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """The campaign's members ranked by points (ties share a rank)."""
    with database(db) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        rows = reports.scoreboard(conn, c, instant)
    show(rows, reports.SCOREBOARD_KEYS, fmt, output, encoding, title=c.name)


@app.command("weekly")
def weekly(
    week: WeekOpt,
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """One week: who reported and when, and the week's articles by column (--format md to paste)."""
    with database(db) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        rows = reports.weekly(conn, c, week, instant)
        w = c.week(week)
    title = _("{name}, week {week} ({first} – {last})").format(
        name=c.name, week=week, first=w.first_day, last=w.last_day
    )
    show(rows, reports.WEEKLY_KEYS, fmt, output, encoding, title=title)


def _as_of_for_year(text: str | None) -> datetime:
    # year reports span several campaigns: a typed --as-of without offset is read in the
    # default zone of the association (Asia/Shanghai)
    return parse_instant(text, zone(DEFAULT_TZ)) if text else now()


@app.command("year-end")
def year_end(
    year: YearOpt,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """The year-end table: eligible members ranked by points; below any minimum, not eligible."""
    with database(db) as conn:
        rows = reports.year_end(conn, year, _as_of_for_year(as_of))
    show(
        rows,
        reports.YEAR_END_KEYS,
        fmt,
        output,
        encoding,
        title=_("Year-end table {year}").format(year=year),
    )


@app.command("officers")
def officers(
    year: YearOpt,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """Publicity officers (优秀工作者) ranked by the points of what they authored."""
    with database(db) as conn:
        rows = reports.officers(conn, year, _as_of_for_year(as_of))
    show(
        rows,
        reports.OFFICER_KEYS,
        fmt,
        output,
        encoding,
        title=_("Officers {year}").format(year=year),
    )


@app.command("forwarded")
def forwarded(
    campaign: CampaignOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """The submissions forwarded to higher bodies (报送)."""
    with database(db) as conn:
        c, _at = campaign_at(conn, campaign, None)
        rows = grading.forwardings(conn, c)
    show(rows, ("submission", "member", "title", "body", "forwarded_on"), fmt, output, encoding)
