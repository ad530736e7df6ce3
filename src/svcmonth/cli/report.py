"""``svcmonth report …``: scoreboard, weekly report, year-end table, officers, forwardings."""

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from svcmonth import grading, reports, settings, timeutil
from svcmonth.campaigns import DEFAULT_TZ
from svcmonth.cli.common import (
    MAX_COUNT,
    AsOfOpt,
    CampaignOpt,
    DbOpt,
    OptionalWeekOpt,
    Output,
    OutputOpt,
    YearOpt,
    as_of_note,
    bounded,
    campaign_at,
    database,
    db_path,
    now,
    output_options,
    output_rows,
    query_at,
)
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output.columns import Field
from svcmonth.output.render import message
from svcmonth.timeutil import zone

app = typer.Typer(help=N_("Reports for the clerk and the leadership."), no_args_is_help=True)


@app.command("scoreboard")
@output_options
def scoreboard(
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """The campaign's members ranked by points (ties share a rank)."""
    c, instant, rows = query_at(db, campaign, as_of, reports.scoreboard)
    output_rows(
        out,
        rows,
        reports.SCOREBOARD,
        title=c.name,
        note=as_of_note(instant, c.tz),
        sheet=_("Scoreboard"),
    )


@app.command("weekly")
@output_options
def weekly(
    week: OptionalWeekOpt = None,
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """One week: who reported and when, and the week's articles by column (--format md to paste)."""
    with database(db) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        number = week if week is not None else c.last_ended_week(instant)
        rows = reports.weekly(conn, c, number, instant)
        w = c.week(number)
    title = _("{name}, week {week} ({first} – {last})").format(
        name=c.name, week=number, first=w.first_day, last=w.last_day
    )
    output_rows(
        out,
        rows,
        reports.WEEKLY,
        title=title,
        note=as_of_note(instant, c.tz),
        sheet=_("Week {n}").format(n=number),
    )


def _as_of_for_year(text: str | None) -> datetime:
    # year reports span several campaigns: a typed --as-of without offset is read in the
    # default zone of the association (Asia/Shanghai)
    return timeutil.parse_instant(text, zone(DEFAULT_TZ)) if text else now()


@app.command("year-end")
@output_options
def year_end(
    year: YearOpt,
    as_of: AsOfOpt = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """The year-end table: eligible members ranked by points; below any minimum, not eligible."""
    instant = _as_of_for_year(as_of)
    with database(db) as conn:
        rows = reports.year_end(conn, year, instant)
        minimums = sorted({c.min_articles for c in reports.year_campaigns(conn, year)})
        footer = reports.prepared_by(conn, instant.astimezone(zone(DEFAULT_TZ)).date())
        signed = bool(settings.association(conn))
    rule = _(
        "rules: at least {n} articles in each campaign, else not eligible; "
        "eligible members ranked by points, ties share a rank"
    ).format(n="/".join(str(m) for m in minimums))
    output_rows(
        out,
        rows,
        reports.YEAR_END,
        title=_("Publicity work assessment table {year}").format(year=year),
        note=as_of_note(instant, zone(DEFAULT_TZ)) + _("; ") + rule,
        sheet=_("Assessment {year}").format(year=year),
        footer=footer,
    )
    if out.fmt == "xlsx" and not signed:
        message(
            _(
                "no association name is set: the workbook goes out without its 制表单位 "
                "(settings --association NAME)"
            )
        )


@app.command("officers")
@output_options
def officers(
    year: YearOpt,
    as_of: AsOfOpt = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """Publicity officers (优秀工作者) ranked by the points of what they authored."""
    instant = _as_of_for_year(as_of)
    with database(db) as conn:
        rows = reports.officers(conn, year, instant)
    output_rows(
        out,
        rows,
        reports.OFFICERS,
        title=_("Publicity officers ranked, {year}").format(year=year),
        note=as_of_note(instant, zone(DEFAULT_TZ)),
        sheet=_("Officers {year}").format(year=year),
    )


@app.command("forwarded")
@output_options
def forwarded(
    campaign: CampaignOpt = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """The submissions forwarded to higher bodies (报送)."""
    with database(db) as conn:
        c, _at = campaign_at(conn, campaign, None)
        rows = grading.forwardings(conn, c)
    output_rows(out, rows, FORWARDED, heading=_("Forwarded submissions"))


FORWARDED = (
    Field("submission", N_("Submission"), "int"),
    col.MEMBER,
    col.TITLE,
    Field("body", N_("Forwarded to")),
    Field("forwarded_on", N_("Forwarded on"), "date"),
)


class TotalsBy(StrEnum):
    member = "member"
    officer = "officer"
    column = "column"


def _day(text: str, option: str) -> date:
    try:
        return timeutil.parse_date(text, now().astimezone(zone(DEFAULT_TZ)).year)
    except SvcmonthError as exc:
        raise SvcmonthError(f"{option}: {exc}") from None


@app.command("totals")
@output_options
def totals(
    first: Annotated[
        str, typer.Option("--from", help=N_("First day of the period, e.g. 2023-01-01."))
    ],
    last: Annotated[
        str, typer.Option("--to", help=N_("Last day of the period (included), e.g. 2023-12-31."))
    ],
    by: Annotated[
        TotalsBy, typer.Option("--by", help=N_("One row per member, officer or column."))
    ] = TotalsBy.member,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """Totals over any period, across campaigns: 报送, 刊用, 采用率, 批示 and points."""
    start, end = _day(first, "--from"), _day(last, "--to")
    with database(db) as conn:
        rows = reports.totals(conn, start, end, by.value)
    period = _("{first} to {last}").format(first=start.isoformat(), last=end.isoformat())
    output_rows(
        out,
        rows,
        reports.TOTALS[by.value],
        title=_("Publicity work statistics {period}").format(period=period),
        note=_(
            "days read in each campaign's zone; submissions that count; adoption rate ="
            " adopted / submissions"
        ),
        sheet=_("Totals"),
    )


# --- documents (通报, 会员动态): see output/documents.py -----------------------------------------


class DocFormat(StrEnum):
    md = "md"
    docx = "docx"
    html = "html"
    json = "json"


DocFormatOpt = Annotated[
    DocFormat,
    typer.Option(
        "--format",
        "-f",
        help=N_("Document format (docx needs --output)."),
        case_sensitive=False,
    ),
]
TemplateOpt = Annotated[
    Path | None,
    typer.Option(
        "--template",
        help=N_(
            "The association's own .docx (红头) with {{ title }}, {{p body }}, "
            "{{ association }}, {{ date }} (--format docx)."
        ),
        show_default=False,
    ),
]


def _write_document(doc: Any, fmt: DocFormat, output: Path | None, template: Path | None) -> None:
    from svcmonth.output import documents

    if not doc.association:
        message(
            _(
                "no association name is set: the document goes out without its 落款 "
                "(settings --association NAME)"
            )
        )
    documents.write(doc, fmt.value, output, template=template)
    if output is not None:
        message(_("wrote {path}").format(path=output))


@app.command("bulletin")
def bulletin(
    week: OptionalWeekOpt = None,
    final: Annotated[
        bool, typer.Option("--final", help=N_("The final circular of the campaign."))
    ] = False,
    issue: Annotated[
        int | None,
        typer.Option(
            "--issue",
            help=N_("Issue number (default: the week number)."),
            show_default=False,
            parser=bounded("--issue", 1, MAX_COUNT),
        ),
    ] = None,
    template: TemplateOpt = None,
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    fmt: DocFormatOpt = DocFormat.md,
    output: OutputOpt = None,
    db: DbOpt = None,
) -> None:
    """The 通报: weekly (--week N, default the last week whose deadline passed) or --final."""
    from svcmonth import bulletin as bulletin_

    if final and week is not None:
        raise SvcmonthError(_("--week and --final exclude each other"))
    with database(db) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        ctx = bulletin_.context(conn, c, instant)
        if final:
            doc = bulletin_.final(ctx)
        else:
            number = week if week is not None else bulletin_.default_week(c, instant)
            doc = bulletin_.weekly(ctx, number, issue)
    _write_document(doc, fmt, output, template)


@app.command("digest")
def digest(
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            help=N_("How many of the best submissions to quote."),
            parser=bounded("--limit", 1, MAX_COUNT),
        ),
    ] = 10,
    template: TemplateOpt = None,
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    fmt: DocFormatOpt = DocFormat.md,
    output: OutputOpt = None,
    db: DbOpt = None,
) -> None:
    """The 会员动态 summary: the campaign in numbers and the best submissions' excerpts."""
    from svcmonth import bulletin as bulletin_

    with database(db) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        doc = bulletin_.digest(bulletin_.context(conn, c, instant), db_path(db), limit)
    _write_document(doc, fmt, output, template)
