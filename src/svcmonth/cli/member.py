"""``svcmonth member …``: register, import, edit, deactivate members; extensions."""

from pathlib import Path
from typing import Annotated

import typer

from svcmonth import members, timeutil
from svcmonth.campaigns import zone_for_display
from svcmonth.cli.common import (
    AsOfOpt,
    CampaignOpt,
    DbOpt,
    Output,
    WeekOpt,
    campaign_at,
    database,
    now,
    output_options,
    output_rows,
)
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output import csvio
from svcmonth.output.columns import Field
from svcmonth.output.render import message

app = typer.Typer(help=N_("Member banks and their publicity officers."), no_args_is_help=True)

Code = Annotated[str, typer.Argument(help=N_("Member code, e.g. ICBC."))]
NameOpt = Annotated[str | None, typer.Option("--name", help=N_("Member name."))]
OfficerOpt = Annotated[str | None, typer.Option("--officer", help=N_("Publicity officer."))]
PhoneOpt = Annotated[str | None, typer.Option("--phone", help=N_("Officer's phone."))]
EmailOpt = Annotated[str | None, typer.Option("--email", help=N_("Officer's e-mail."))]
CategoryOpt = Annotated[str | None, typer.Option("--category", help=N_("Category of bank."))]

LIST = (
    Field("code", N_("Member code")),
    col.NAME,
    col.OFFICER,
    col.PHONE,
    col.EMAIL,
    col.CATEGORY,
    col.ACTIVE,
)
HISTORY = (
    col.OFFICER,
    col.PHONE,
    col.EMAIL,
    Field("since", N_("Since"), "instant"),
    Field("until", N_("Until"), "instant"),
)


@app.command("add")
def add(
    code: Code,
    name: Annotated[str, typer.Argument(help=N_("Member name, e.g. 中国工商银行内蒙古分行."))],
    officer: OfficerOpt = None,
    phone: PhoneOpt = None,
    email: EmailOpt = None,
    category: CategoryOpt = None,
    db: DbOpt = None,
) -> None:
    """Register a member bank.

    Example: svcmonth member add ICBC 中国工商银行内蒙古分行 --officer 王丽 --phone 13904710001
    """
    fields = _fields(name, officer, phone, email, category)
    with database(db, write=True) as conn:
        added = members.add(conn, code, fields, now())
    message(_("registered {code}").format(code=added))


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help=N_(
                "CSV, .xlsx or .xls: code,name,officer,phone,email,category "
                "(or their Chinese labels; other columns are ignored)."
            )
        ),
    ],
    update: Annotated[bool, typer.Option("--update", help=N_("Update existing codes."))] = False,
    db: DbOpt = None,
) -> None:
    """Import members from a CSV file (UTF-8 or GBK) or an Excel workbook; all rows or none."""
    rows, bad = csvio.read_rows(
        file,
        ("code", "name"),
        ("officer", "phone", "email", "category"),
        members.IMPORT_IGNORED,
        col.header_aliases(LIST),
    )
    with database(db, write=True) as conn:
        problems, added, updated = members.import_rows(conn, rows, now(), update=update)
        csvio.refuse(file, bad + problems)
    message(
        _("imported {added} new and {updated} updated member(s)").format(
            added=added, updated=updated
        )
    )


@app.command("edit")
def edit(
    code: Code,
    name: NameOpt = None,
    officer: OfficerOpt = None,
    phone: PhoneOpt = None,
    email: EmailOpt = None,
    category: CategoryOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help=N_("With --officer: in office from this day or instant (default: now)."),
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Change a member; a new officer is kept in the officer history.

    Example: svcmonth member edit BOC --officer 黄蕾 --since 2023-07-20
    """
    fields = _fields(name, officer, phone, email, category)
    with database(db, write=True) as conn:
        effective = None
        if since is not None:
            at = now()
            effective = timeutil.parse_instant(since, zone_for_display(conn), at.year)
        members.edit(conn, code, fields, now(), since=effective)
    message(_("updated {code}").format(code=code))


@app.command("deactivate")
def deactivate(code: Code, db: DbOpt = None) -> None:
    """A member leaves: its history stays, it is left out of checks, reports and reminders."""
    with database(db, write=True) as conn:
        members.set_active(conn, code, False, now())
    message(_("deactivated {code}").format(code=code))


@app.command("activate")
def activate(code: Code, db: DbOpt = None) -> None:
    """Bring a deactivated member back."""
    with database(db, write=True) as conn:
        members.set_active(conn, code, True, now())
    message(_("activated {code}").format(code=code))


@app.command("extend")
def extend(
    code: Code,
    week: WeekOpt,
    until: Annotated[str, typer.Option("--until", help=N_("The member's own deadline."))],
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Give one member more time for one week (the later deadline applies)."""
    with database(db, write=True) as conn:
        c, _now = campaign_at(conn, campaign, None)
        until_at = timeutil.parse_instant(until, c.tz, c.start.year)
        result = members.extend(conn, c, code, week, until_at, now())
    message(
        _("{member}: week {week} due {until}").format(
            member=result["member"], week=result["week"], until=col.minute(result["until"])
        )
    )


@app.command("list")
@output_options
def list_(
    all_: Annotated[
        bool, typer.Option("--all/--active", help=N_("Include deactivated members."))
    ] = True,
    as_of: AsOfOpt = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """List members with the officer in office now (or at --as-of)."""
    with database(db) as conn:
        instant = now()
        if as_of is not None:
            instant = timeutil.parse_instant(as_of, zone_for_display(conn), instant.year)
        rows = members.listing(conn, instant, include_inactive=all_)
    output_rows(out, rows, LIST, heading=_("Members"))


@app.command("history")
@output_options
def history(
    code: Code,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """Every publicity officer a member has had."""
    with database(db) as conn:
        tz = zone_for_display(conn)
        rows = members.officer_history(conn, code)
    for r in rows:
        r["since"], r["until"] = timeutil.show(r["since"], tz), timeutil.show(r["until"], tz)
    output_rows(out, rows, HISTORY)


def _fields(
    name: str | None,
    officer: str | None,
    phone: str | None,
    email: str | None,
    category: str | None,
) -> dict[str, str | None]:
    """The member's fields as ``members.add``/``members.edit`` take them (None: not given)."""
    return {"name": name, "officer": officer, "phone": phone, "email": email, "category": category}
