"""``svcmonth submit`` and ``svcmonth submission …``: log, import, list, withdraw."""

from pathlib import Path
from typing import Annotated, Any

import typer

from svcmonth import campaigns, csvio, render, storage, submissions, timeutil
from svcmonth.cli.common import (
    AsOfOpt,
    CampaignOpt,
    DbOpt,
    EncodingOpt,
    Format,
    FormatOpt,
    OutputOpt,
    campaign_at,
    database,
    globals_,
    now,
    show,
)
from svcmonth.columns import header_aliases
from svcmonth.i18n import _
from svcmonth.render import message

app = typer.Typer(
    help=_("Submissions: import, list, show, correct, withdraw, restore."), no_args_is_help=True
)


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
        typer.Option("--week", help=_("Week a report covers (reports only)."), show_default=False),
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
        c, instant = campaign_at(conn, campaign, at, submission=True)
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
        place = campaigns.Placer(conn, campaign, submission=True)
        with storage.bulk_load(conn, "submission", csvio.count_lines(file)):
            problems, n = submissions.import_rows(conn, place, rows, now())
            csvio.refuse(file, bad + problems)
    message(_("imported {n} submission(s)").format(n=n))


@app.command("list")
def list_(
    member: Annotated[str | None, typer.Option("--member", help=_("Only this member."))] = None,
    week: Annotated[int | None, typer.Option("--week", help=_("Only this week."))] = None,
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
        filters: dict[str, Any] = {
            "member": member,
            "week": week,
            "column_name": column,
            "pending": pending,
            "as_of": instant if as_of else None,
        }
        if str(getattr(fmt, "value", fmt)) == "csv" and not globals_().labels:
            # an export: the cells straight from SQL (the same bytes, no dict per row)
            cells = submissions.export_rows(conn, c, **filters)
            if cells is not None:
                n = render.csv_cells(cells, [k.key for k in submissions.LIST], output, encoding)
                if output is not None:
                    message(_("wrote {n} rows to {path}").format(n=n, path=output))
                return
        rows = submissions.listing(conn, c, **filters)
        show(rows, submissions.LIST, fmt, output, encoding, heading=_("Submissions"))


IdArg = Annotated[int, typer.Argument(metavar="ID", help=_("Submission id."))]


@app.command("withdraw")
def withdraw(
    submission_id: IdArg,
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why it is withdrawn."), show_default=False)
    ] = None,
    db: DbOpt = None,
) -> None:
    """Withdraw a submission: it stays on record and scores nothing."""
    with database(db, write=True) as conn:
        submissions.withdraw(conn, submission_id, now(), reason)
    message(_("withdrew {id}").format(id=submission_id))


@app.command("restore")
def restore(submission_id: IdArg, db: DbOpt = None) -> None:
    """Undo a withdrawal: the submission counts again."""
    with database(db, write=True) as conn:
        row = submissions.restore(conn, submission_id, now())
    message(
        _("restored {id}: {status}, {points} points").format(
            id=submission_id, status=row["status"], points=row["points"]
        )
    )


def _opt(help_text: str, name: str) -> Any:
    return typer.Option(name, help=help_text, show_default=False)


@app.command("edit")
def edit(
    submission_id: IdArg,
    title: Annotated[str | None, _opt(_("New title."), "--title")] = None,
    column: Annotated[str | None, _opt(_("New column."), "--column")] = None,
    at: Annotated[str | None, _opt(_("When it really arrived."), "--at")] = None,
    week: Annotated[int | None, _opt(_("Week the report covers."), "--week")] = None,
    author: Annotated[
        str | None, _opt(_("Author ('' : the officer in office then)."), "--author")
    ] = None,
    url: Annotated[str | None, _opt(_("Link."), "--url")] = None,
    member: Annotated[str | None, _opt(_("The member it came from."), "--member")] = None,
    db: DbOpt = None,
) -> None:
    """Correct a submission; on time, level and points follow.

    Example: svcmonth submission edit 12 --at '2023-07-17 11:30'
    """
    given = {
        "title": title,
        "column": column,
        "week": week,
        "author": author,
        "url": url,
        "member": member,
    }
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    with database(db, write=True) as conn:
        if at is not None:
            current = submissions.get_row(conn, submission_id)
            tz = campaigns.load_by_id(conn, current["campaign_id"]).tz
            changes["submitted_at"] = timeutil.parse_instant(at, tz)
        row = submissions.edit(conn, submission_id, changes, now())
    message(
        _("corrected {id}: on time {on_time}, level {level}, {points} points").format(
            id=submission_id, on_time=bool(row["on_time"]), level=row["level"], points=row["points"]
        )
    )


@app.command("show")
def show_one(
    submission_id: IdArg,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """One submission with its grade, adoptions, forwardings, attachments and history."""
    with database(db) as conn:
        item = submissions.show(conn, submission_id)
    if fmt is Format.json:
        render.document(item, output, encoding)
        return
    fields = [{"setting": k, "value": item[k]} for k in submissions.SHOW_KEYS]
    show(
        fields,
        ("setting", "value"),
        fmt,
        output,
        encoding,
        title=_("submission {id}").format(id=submission_id),
    )
    if output is not None:
        return
    parts = (
        ("adoptions", ("outlet", "adopted_on"), _("Adoptions")),
        ("forwardings", ("body", "forwarded_on"), _("Forwardings")),
        ("attachments", ("name", "size"), _("Attachments")),
        ("history", ("at", "action", "before", "after"), _("History")),
    )
    for key, keys, title in parts:
        if item[key]:
            print()
            show(item[key], keys, fmt, None, encoding, title=title)


def register(root: typer.Typer) -> None:
    root.command("submit")(submit)
