"""``svcmonth campaign …``: create campaigns, show their weeks, move deadlines, set rules."""

from typing import Annotated

import typer

from svcmonth import campaigns, timeutil, weeks
from svcmonth.cli.common import (
    MAX_COUNT,
    CampaignOpt,
    DbOpt,
    Output,
    WeekOpt,
    bounded,
    campaign_at,
    database,
    level_parser,
    now,
    output_options,
    output_query,
    output_rows,
)
from svcmonth.defaults import CAMPAIGN as DEFAULTS
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output import render
from svcmonth.output.columns import Field
from svcmonth.output.render import message

app = typer.Typer(
    help=N_("Campaigns: dates, weeks, deadlines and scoring rules."), no_args_is_help=True
)


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(help=N_("Campaign name, e.g. 2023服务月."))],
    start: Annotated[str, typer.Option("--start", help=N_("First day, YYYY-MM-DD."))],
    end: Annotated[str, typer.Option("--end", help=N_("Last day, YYYY-MM-DD."))],
    min_articles: Annotated[
        int,
        typer.Option(
            "--min-articles",
            help=N_("Article minimum."),
            parser=bounded("--min-articles", 0, MAX_COUNT),
        ),
    ] = DEFAULTS.min_articles,
    tz: Annotated[str, typer.Option("--tz", help=N_("Time zone."))] = DEFAULTS.tz,
    deadline_day: Annotated[
        str, typer.Option("--deadline-day", help=N_("Weekday of the weekly deadline."))
    ] = weeks.WEEKDAYS[DEFAULTS.deadline_weekday],
    deadline_time: Annotated[
        str, typer.Option("--deadline-time", help=N_("Time of the weekly deadline."))
    ] = DEFAULTS.deadline_time.isoformat(timespec="minutes"),
    late_level: Annotated[
        int,
        typer.Option(
            "--late-level",
            help=N_("Level of a late submission by the rule."),
            parser=level_parser("--late-level"),
        ),
    ] = DEFAULTS.late_level,
    db: DbOpt = None,
) -> None:
    """Create a campaign.

    Example: svcmonth campaign new 2023服务月 --start 2023-07-11 --end 2023-08-11
    """
    first, last = timeutil.parse_date(start), timeutil.parse_date(end)
    weekday = weeks.parse_weekday(deadline_day)
    at = timeutil.parse_time_of_day(deadline_time)
    with database(db, write=True) as conn:
        c = campaigns.create(
            conn,
            name,
            first,
            last,
            now(),
            tz_name=tz,
            min_articles=min_articles,
            deadline_weekday=weekday,
            deadline_time=at,
            late_level=late_level,
        )
    message(
        _("created campaign {name}: {start} to {end}, {n} weeks").format(
            name=c.name, start=c.start, end=c.end, n=len(c.weeks)
        )
    )


@app.command("show")
@output_options
def show_(
    campaign: CampaignOpt = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """Show a campaign's settings and its weeks with their deadlines."""
    with database(db) as conn:
        c, _at = campaign_at(conn, campaign, None)
    settings = c.settings()
    if out.fmt == "json":
        render.write_object(settings, out.output, out.encoding)
        if out.output:
            message(_("wrote {path}").format(path=out.output))
        return
    if out.to_stdout("table", "md"):
        output_rows(out, _setting_rows(settings), SETTINGS, title=c.name)
    output_rows(out, c.week_rows(), WEEKS, title=None, heading=c.name)


def _setting_rows(settings: dict[str, object]) -> list[dict[str, object]]:
    """The settings (without the weeks) as ``setting, value`` rows people read."""
    return [{"setting": k, "value": _setting(k, v)} for k, v in settings.items() if k != "weeks"]


def _setting(key: str, value: object) -> object:
    """A setting's value as people read it (the weekday and the points per level)."""
    if key == "deadline_weekday":
        return col.value_name("weekday", value)
    if key == "points" and isinstance(value, dict):
        return [
            _("level {level}: {points} points").format(level=k, points=v) for k, v in value.items()
        ]
    return value


SETTINGS = (Field("setting", N_("Setting"), "setting"), Field("value", N_("Value"), "map"))
WEEKS = (
    col.WEEK,
    Field("first_day", N_("First day"), "date"),
    Field("last_day", N_("Last day"), "date"),
    col.DEADLINE,
)
CAMPAIGNS = (
    Field("name", N_("Campaign")),
    Field("start", N_("First day"), "date"),
    Field("end", N_("Last day"), "date"),
    Field("tz", N_("Time zone")),
    Field("min_articles", N_("Article minimum"), "int"),
    Field("weeks", N_("Weeks"), "int"),
)


@app.command("list")
@output_options
def list_(
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """List every campaign in the database."""
    output_query(out, db, campaigns.list_all, CAMPAIGNS, heading=_("Campaigns"))


@app.command("rename")
def rename(
    old: Annotated[str, typer.Argument(help=N_("Its name now."))],
    new: Annotated[str, typer.Argument(help=N_("The new name."))],
    db: DbOpt = None,
) -> None:
    """Rename a campaign."""
    with database(db, write=True) as conn:
        c = campaigns.rename(conn, old, new, now())
    message(_("renamed campaign {old} to {new}").format(old=old, new=c.name))


@app.command("edit")
def edit(
    name: Annotated[str, typer.Argument(help=N_("Campaign name."))],
    title: Annotated[
        str,
        typer.Option(
            "--title",
            help=N_("Public title on pages and documents (empty: the campaign's name)."),
        ),
    ],
    db: DbOpt = None,
) -> None:
    """Give a campaign its public title (e.g. --title 2024年银行业文明优质服务月)."""
    from svcmonth import settings

    with database(db, write=True) as conn:
        shown = settings.set_campaign_title(conn, campaigns.load(conn, name), title, now())
    message(_("campaign {name} is now titled {title}").format(name=name, title=shown))


@app.command("delete")
def delete(
    name: Annotated[str, typer.Argument(help=N_("Campaign name."))],
    db: DbOpt = None,
) -> None:
    """Delete a campaign created by mistake (only one with nothing logged in it)."""
    with database(db, write=True) as conn:
        campaigns.delete(conn, name, now())
    message(_("deleted campaign {name}").format(name=name))


@app.command("deadline")
def deadline(
    week: WeekOpt,
    at: Annotated[str, typer.Option("--at", help=N_("New deadline, e.g. '2023-07-18 12:00'."))],
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Move one week's deadline for everyone (a holiday).

    Example: svcmonth campaign deadline --week 2 --at '2023-07-25 12:00'
    """
    with database(db, write=True) as conn:
        c, _now = campaign_at(conn, campaign, None)
        instant = timeutil.parse_instant(at, c.tz, c.start.year)
        result = campaigns.move_deadline(conn, c, week, instant, now())
    message(
        _("week {week} of {name}: deadline {deadline} (was {was})").format(
            name=c.name,
            week=result["week"],
            deadline=col.minute(result["deadline"]),
            was=col.minute(result["was"]),
        )
    )


def _points(values: list[str]) -> dict[int, int]:
    out = {}
    for item in values:
        level, sep, pts = item.partition("=")
        if not sep or not level.strip().isdigit() or not pts.strip().isdigit():
            raise SvcmonthError(
                _("points are given as LEVEL=POINTS, e.g. 3=4, not {x!r}").format(x=item)
            )
        out[level_parser("--points")(level)] = bounded("--points", 0, MAX_COUNT)(pts)
    return out


@app.command("rules")
def rules(
    min_articles: Annotated[
        int | None,
        typer.Option("--min-articles", parser=bounded("--min-articles", 0, MAX_COUNT)),
    ] = None,
    late_level: Annotated[
        int | None, typer.Option("--late-level", parser=level_parser("--late-level"))
    ] = None,
    on_time_level: Annotated[
        int | None, typer.Option("--on-time-level", parser=level_parser("--on-time-level"))
    ] = None,
    points: Annotated[
        list[str] | None, typer.Option("--points", help=N_("LEVEL=POINTS, repeatable."))
    ] = None,
    multiplier: Annotated[
        int | None,
        typer.Option(
            "--adoption-multiplier",
            help=N_("Doubling factor."),
            parser=bounded("--adoption-multiplier", 1, MAX_COUNT),
        ),
    ] = None,
    endorsement_points: Annotated[
        int | None,
        typer.Option(
            "--endorsement-points",
            help=N_("Points each endorsement (批示) adds to a submission (default 0)."),
            parser=bounded("--endorsement-points", 0, MAX_COUNT),
        ),
    ] = None,
    add_doubling: Annotated[
        list[str] | None, typer.Option("--doubling-outlet", help=N_("Make an outlet double."))
    ] = None,
    remove_doubling: Annotated[
        list[str] | None, typer.Option("--no-doubling-outlet", help=N_("Stop it doubling."))
    ] = None,
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Change the scoring rules; every score follows at once.

    Example: svcmonth campaign rules --points 3=4 --late-level 2
    """
    with database(db, write=True) as conn:
        c, _now = campaign_at(conn, campaign, None)
        changed = campaigns.set_rules(
            conn,
            c,
            now(),
            min_articles=min_articles,
            late_level=late_level,
            on_time_level=on_time_level,
            points=_points(points or []),
            adoption_multiplier=multiplier,
            endorsement_points=endorsement_points,
            add_doubling=add_doubling,
            remove_doubling=remove_doubling,
        )
    # the rules now in force, as `campaign show` lists them (the JSON: campaign show -f json)
    output_rows(Output(), _setting_rows(changed.settings()), SETTINGS, title=changed.name)
