"""``svcmonth inbox …``: submissions read from the association's mailbox or from saved mail."""

import os
import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer

from svcmonth import timeutil
from svcmonth.attachments import attachments_root
from svcmonth.cli.common import (
    MAX_COUNT,
    MAX_ID,
    DbOpt,
    Output,
    QuietOpt,
    bounded,
    database,
    db_path,
    now,
    output_options,
    output_rows,
)
from svcmonth.errors import SendFailed
from svcmonth.i18n import N_, _
from svcmonth.mail import inbox, mailer
from svcmonth.mail import receipts as receipts_
from svcmonth.output import render
from svcmonth.output.columns import Field, value_name

app = typer.Typer(
    help=N_("Mail intake: submissions read from the mailbox (IMAP) or from saved mail."),
    no_args_is_help=True,
)

AcceptOpt = Annotated[
    bool, typer.Option("--accept", help=N_("Then accept every ready entry (for cron)."))
]
AckOpt = Annotated[
    bool,
    typer.Option(
        "--ack", help=N_("Send each accepted submission's sender one receipt (SMTP settings).")
    ),
]
EntryArg = Annotated[
    int,
    typer.Argument(metavar="ID", help=N_("Inbox entry id."), parser=bounded("ID", 1, MAX_ID)),
]


def _settings() -> inbox.Settings:
    return inbox.settings_from_env(os.environ)


def _report(conn: sqlite3.Connection, run: inbox.Intake, quiet: bool) -> None:
    for note in run.left_out:
        print(_("warning: entry {note}").format(note=note), file=sys.stderr)
    for note in run.unreadable:
        print(
            _(
                "warning: entry {note} (kept as unreadable; its raw message is under attachments/)"
            ).format(note=note),
            file=sys.stderr,
        )
    if quiet:
        return
    counts = inbox.summary(conn, run.new)
    read = _("read {n} new message(s), {seen} seen before").format(n=len(run.new), seen=run.skipped)
    if counts:
        parts = _(", ").join(
            _("{n} {status}").format(n=n, status=value_name("intake_status", s))
            for s, n in sorted(counts.items())
        )
        read = _("{read}: {parts}").format(read=read, parts=parts)
    render.message(read)


def _accept_and_ack(
    conn: sqlite3.Connection, ids: list[int], ack: bool, quiet: bool, campaign: str | None = None
) -> None:
    smtp = mailer.config_from_env(os.environ) if ack else None
    done = inbox.accept_entries(conn, ids, now(), campaign_name=campaign, ack=ack)
    new = done.submissions
    if not quiet:
        for sid in new:
            print(sid)
        render.message(_("accepted {n} submission(s)").format(n=len(new)))
    for entry_id, reason in done.review:
        print(
            _("entry {id} needs review: {reason}").format(id=entry_id, reason=reason),
            file=sys.stderr,
        )
    if smtp is None:
        return
    config = smtp
    receipts = receipts_.send_receipts(conn, now(), lambda: mailer.open_session(config))
    failed = [r for r in receipts if r.status == "failed"]
    if not quiet:
        sent = sum(1 for r in receipts if r.status == "sent")
        render.message(_("sent {n} receipt(s)").format(n=sent))
    for r in failed:
        print(
            _("receipt not sent: submission {id} to {to}: {reason}").format(
                id=r.submission_id, to=r.to, reason=r.reason
            ),
            file=sys.stderr,
        )
    if failed:
        raise SendFailed(
            _("{n} receipt(s) could not be sent; the next run with --ack retries them").format(
                n=len(failed)
            )
        )


@app.command("fetch")
def fetch(
    accept: AcceptOpt = False,
    ack: AckOpt = False,
    quiet: QuietOpt = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="D",
            help=N_(
                "A folder's first fetch reads mail that arrived on or after this day (default: "
                "the earlier of 30 days ago and the first day of the campaign in progress)."
            ),
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Read new messages from the mailbox over IMAP (read-only: nothing is marked or moved).

    Settings: SVCMONTH_IMAP_HOST, _PORT, _SECURITY (ssl|starttls|none), _USER, _PASSWORD,
    _FOLDER, _CAFILE. For cron: svcmonth inbox fetch --accept --ack --quiet
    """
    from svcmonth.cli import progress
    from svcmonth.mail import imapread

    since_day = timeutil.parse_date(since) if since is not None else None
    config = imapread.config_from_env(os.environ)
    settings = _settings()
    if ack:
        mailer.config_from_env(os.environ)  # a bad SMTP setting is found before reading
    path = db_path(db)
    with database(db, snapshot=False) as conn:
        run = inbox.Intake(attachments_root(path), settings, now())
        if since_day is None:
            since_day = inbox.default_since(conn, run.now)
        with (
            imapread.ImapReader(config) as reader,
            progress.bar(_("reading mail"), quiet=quiet) as tick,
        ):
            run.progress = tick
            inbox.fetch(conn, run, reader, config.mailbox, since_day)
        _report(conn, run, quiet)
        if accept:
            _accept_and_ack(conn, [], ack, quiet)


@app.command("import")
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(help=N_(".eml files, folders of them, Maildir folders or mbox files.")),
    ],
    accept: AcceptOpt = False,
    ack: AckOpt = False,
    quiet: QuietOpt = False,
    db: DbOpt = None,
) -> None:
    """Read saved mail: .eml files (or a folder of them), a Maildir folder or an mbox file.

    Example: svcmonth inbox import ~/Mail/inbox.mbox
    """
    from svcmonth.cli import progress
    from svcmonth.mail import mailfiles

    settings = _settings()
    if ack:
        mailer.config_from_env(os.environ)
    path = db_path(db)
    with database(db, snapshot=False) as conn:
        run = inbox.Intake(attachments_root(path), settings, now())
        with progress.bar(_("reading mail"), quiet=quiet) as tick:
            run.progress = tick
            inbox.import_files(conn, run, mailfiles.messages(paths))
        _report(conn, run, quiet)
        if accept:
            _accept_and_ack(conn, [], ack, quiet)


@app.command("list")
@output_options
def list_(
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=N_("Only entries with this status (ready, unmatched, needs_column, …)."),
            show_default=False,
        ),
    ] = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """List what the mail brought: sender, arrival, member, column, week, title, status."""
    with database(db) as conn:
        rows = inbox.listing(conn, status)
    cols: tuple[Field, ...] = inbox.LIST_COLUMNS
    if out.fmt in ("table", "md"):
        cols = tuple(c for c in cols if c.key not in ("message_id", "subject", "kind"))
    output_rows(out, rows, cols)


@app.command("accept")
def accept_(
    ids: Annotated[
        list[int] | None,
        typer.Argument(
            metavar="[ID]...",
            help=N_("Entries to accept (default: every ready one)."),
            parser=bounded("ID", 1, MAX_ID),
        ),
    ] = None,
    campaign: Annotated[
        str | None,
        typer.Option(
            "--campaign",
            "-c",
            help=N_("Log entries that arrived in no campaign's span in this campaign."),
            show_default=False,
        ),
    ] = None,
    ack: AckOpt = False,
    quiet: QuietOpt = False,
    db: DbOpt = None,
) -> None:
    """Make ready entries submissions, submitted at their arrival; print their ids."""
    with database(db, snapshot=False) as conn:
        _accept_and_ack(conn, list(ids or []), ack, quiet, campaign)


@app.command("assign")
def assign(
    entry_id: EntryArg,
    member: Annotated[
        str | None, typer.Option("--member", help=N_("Member code."), show_default=False)
    ] = None,
    column: Annotated[
        str | None, typer.Option("--column", help=N_("Column."), show_default=False)
    ] = None,
    remember: Annotated[
        bool,
        typer.Option("--remember", help=N_("Map the sender's address to this member from now on.")),
    ] = False,
    week: Annotated[
        int | None,
        typer.Option(
            "--week",
            help=N_("Log the entry now as this week's report (a report with no week left)."),
            parser=bounded("--week", 1, MAX_COUNT),
            show_default=False,
        ),
    ] = None,
    submission: Annotated[
        int | None,
        typer.Option(
            "--submission",
            metavar="SID",
            help=N_("The mail is this submission (typed in already): its attachments join it."),
            parser=bounded("--submission", 1, MAX_ID),
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Set an entry's member (and column); --remember the sender for next time; resolve an
    entry that needs review with --week N or --submission SID."""
    with database(db, write=True) as conn:
        after = inbox.assign(
            conn, entry_id, member, column, remember, now(), week=week, submission_id=submission
        )
    if after["status"] == "accepted":
        render.message(
            _("entry {id}: accepted as submission {sid}").format(
                id=entry_id, sid=after["submission"]
            )
        )
        return
    render.message(
        _("entry {id}: {member} {column}, {status}").format(
            id=entry_id,
            member=after["member"] or "-",
            column=after["column"] or "-",
            status=value_name("intake_status", after["status"]),
        )
    )


@app.command("ignore")
def ignore(
    entry_id: EntryArg,
    db: DbOpt = None,
) -> None:
    """Set an entry aside: it stays listed and is never accepted."""
    with database(db, write=True) as conn:
        inbox.ignore(conn, entry_id, now())
    render.message(_("ignored entry {id}").format(id=entry_id))
