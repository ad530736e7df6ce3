"""``svcmonth submit`` and ``svcmonth submission …``: log, import, list, withdraw."""

import functools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from svcmonth import campaigns, storage, submissions, timeutil
from svcmonth.cli.common import (
    MAX_COUNT,
    AsOfOpt,
    CampaignOpt,
    DbOpt,
    OptionalWeekOpt,
    Output,
    bounded,
    campaign_at,
    database,
    id_arg,
    now,
    output_options,
    output_rows,
)
from svcmonth.cli.log import LOG
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output import csvio, render
from svcmonth.output.columns import Field, header_aliases
from svcmonth.output.render import message

app = typer.Typer(
    help=N_("Submissions: import, list, show, correct, withdraw, restore."), no_args_is_help=True
)


def submit(
    code: Annotated[str, typer.Argument(help=N_("Member code."))],
    column: Annotated[str, typer.Option("--column", help=N_("Column, e.g. 活动扫描 or 先进事迹."))],
    title: Annotated[str, typer.Option("--title", help=N_("Title of the report or article."))],
    at: Annotated[
        str | None,
        typer.Option("--at", help=N_("When it arrived (default: now)."), show_default=False),
    ] = None,
    week: Annotated[
        int | None,
        typer.Option(
            "--week",
            help=N_("Week a report covers (reports only)."),
            show_default=False,
            parser=bounded("--week", 1, MAX_COUNT),
        ),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option(
            "--author", help=N_("Author (default: the member's officer)."), show_default=False
        ),
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help=N_("Link."), show_default=False)] = None,
    attach: Annotated[
        list[Path] | None,
        typer.Option(
            "--attach",
            help=N_("A file to attach (the article's .docx, a picture); repeatable."),
            show_default=False,
        ),
    ] = None,
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Log one submission and print its id.

    Example: svcmonth submit ICBC --column 活动扫描 --title 第一周动态 --at '2023-07-17 11:59'
    """
    made: list[Path] = []  # the attachment folder, removed if the transaction fails
    with _removed_on_failure(made), database(db, write=True) as conn:
        c, instant = campaign_at(conn, campaign, at, submission=True)
        new_id = submissions.submit(
            conn, c, code, column, title, instant, now(), week=week, author=author, url=url
        )
        logged = submissions.get_row(conn, new_id)
        attached = _attach(conn, db, new_id, attach or [], made)
    print(new_id)
    message(_confirmation(new_id, logged))
    for row in attached:
        message(_("attached {name} ({size} bytes)").format(name=row["file_name"], size=row["size"]))


@contextmanager
def _removed_on_failure(folder: list[Path]) -> Iterator[None]:
    try:
        yield
    except BaseException:
        for f in folder:
            shutil.rmtree(f, ignore_errors=True)
        raise


def _attach(
    conn: Any, db: Path | None, submission_id: int, files: list[Path], made: list[Path]
) -> list[Any]:
    """Copy ``--attach`` files into the attachment store (inside the command's transaction)."""
    if not files:
        return []
    from svcmonth import settings
    from svcmonth.cli.common import db_path

    rows, folder = settings.attach(conn, db_path(db), submission_id, files)
    if folder is not None:
        made.append(folder)
    return rows


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
        Path, typer.Argument(help=N_("CSV: member,column,title,submitted_at[,week,author,url]."))
    ],
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Import submissions from a CSV file (UTF-8 or GBK from Excel); all rows or none."""
    from svcmonth.cli import progress

    rows, bad = csvio.iter_rows(
        file,
        submissions.IMPORT_REQUIRED,
        submissions.IMPORT_OPTIONAL,
        submissions.IMPORT_IGNORED,
        header_aliases(submissions.LIST),
    )
    with database(db, write=True) as conn, progress.bar(_("importing rows")) as tick:
        place = campaigns.Placer(conn, campaign, submission=True)
        with storage.bulk_load(conn, "submission", csvio.count_lines(file)):
            counted = progress.counted(rows, tick)
            result = submissions.import_submissions(conn, place, counted, now())
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
@output_options
def list_(
    member: Annotated[str | None, typer.Option("--member", help=N_("Only this member."))] = None,
    week: OptionalWeekOpt = None,
    column: Annotated[str | None, typer.Option("--column", help=N_("Only this column."))] = None,
    pending: Annotated[bool, typer.Option("--pending", help=N_("Only ungraded ones."))] = False,
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    out: Output = Output(),
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
        rows = submissions.listing(conn, c, **filters)  # streamed: read only if rendered
        export = functools.partial(submissions.export_rows, conn, c, **filters)
        output_rows(
            out, rows, submissions.LIST, heading=_("Submissions"), listing=LISTING, source=export
        )


LISTING = "submission list"


@render.register_writer(LISTING, can_render=lambda fmt, target: fmt == "csv" and not target.labels)
def _csv_from_sql(rows: Any, fields: list[Field], target: render.Target, export: Any) -> int | None:
    """An export: the cells straight from SQL (the same bytes as the csv format, no dict per
    row); None (the csv renderer then) when SQL cannot give the same bytes."""
    cells = export()
    if cells is None:
        return None
    return render.csv_cells(cells, [f.key for f in fields], target.output, target.encoding)


IdArg = Annotated[int, id_arg()]


@app.command("withdraw")
def withdraw(
    submission_id: IdArg,
    reason: Annotated[
        str | None, typer.Option("--reason", help=N_("Why it is withdrawn."), show_default=False)
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
            id=submission_id,
            status=col.value_name("grade_status", row["status"]),
            points=row["points"],
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
            c = campaigns.load_by_id(conn, current["campaign_id"])
            changes["submitted_at"] = timeutil.parse_instant(at, c.tz, c.start.year)
        row = submissions.edit(conn, submission_id, changes, now())
    message(
        _("corrected {id}: {on_time}, {level}, {points} points").format(
            id=submission_id,
            on_time=col.words(row["on_time"], "on_time"),
            level=col.words(row["level"], "level")
            if row["level"] is not None
            else col.value_name("grade_status", row["status"]),
            points=row["points"],
        )
    )


@app.command("show")
@output_options
def show_one(
    submission_id: IdArg,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """One submission with its grade, adoptions, forwardings, attachments and history."""
    with database(db) as conn:
        item = submissions.show(conn, submission_id)
    if out.fmt == "json":
        render.write_object(item, out.output, out.encoding)
        return
    if out.human:  # each field by its label, each value by its kind
        fields = [
            {"setting": SHOW[k].heading, "value": col.human(item[k], SHOW[k].kind)}
            for k in submissions.SHOW_KEYS
        ]
    else:  # csv: the keys and the values as they are
        fields = [{"setting": k, "value": item[k]} for k in submissions.SHOW_KEYS]
    output_rows(
        out,
        fields,
        FIELD_VALUE,
        title=_("submission {id}").format(id=submission_id),
    )
    if out.output is not None:
        return
    parts = (
        ("adoptions", ADOPTIONS, _("Adoptions")),
        ("forwardings", FORWARDINGS, _("Forwardings")),
        ("attachments", ATTACHMENTS, _("Attachments")),
        ("history", HISTORY, _("History")),
    )
    for key, cols, title in parts:
        if item[key]:
            print()
            output_rows(out, item[key], cols, title=title)


# `submission show`: each field's label and how its value reads, in the order of SHOW_KEYS
SHOW = {
    c.key: c
    for c in (
        Field("id", N_("ID"), "int"),
        Field("campaign", N_("Campaign")),
        col.MEMBER,
        col.COLUMN,
        col.KIND,
        col.TITLE,
        col.AUTHOR,
        col.SUBMITTED_AT,
        col.WEEK,
        col.DEADLINE,
        Field("on_time", N_("On time"), "bool"),
        Field("grade", N_("Grade"), "grade_value"),
        col.LEVEL,
        Field("status", N_("Status"), "grade_status"),
        col.POINTS,
        Field("reject_reason", N_("Reason for rejection")),
        Field("withdrawn_at", N_("Withdrawn at"), "instant"),
        Field("withdraw_reason", N_("Reason for withdrawal")),
        Field("url", N_("Link")),
        Field("logged_at", N_("Logged at"), "instant"),
    )
}
FIELD_VALUE = (Field("setting", N_("Field")), Field("value", N_("Value")))
ADOPTIONS = (Field("outlet", N_("Outlet")), Field("adopted_on", N_("Adopted on"), "date"))
FORWARDINGS = (
    Field("body", N_("Forwarded to")),
    Field("forwarded_on", N_("Forwarded on"), "date"),
)
ATTACHMENTS = (
    Field("file_name", N_("File")),
    Field("size", N_("Size (bytes)"), "int"),
    Field("path", N_("Saved as")),
)
HISTORY = tuple(c for c in LOG if c.key not in ("entity", "entity_id"))


def register(root: typer.Typer) -> None:
    root.command("submit")(submit)
