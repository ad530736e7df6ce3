"""``svcmonth remind``: the reminders due now; with ``--send``, mail each officer once."""

from typing import Annotated

import typer

from svcmonth import chat, reminders
from svcmonth.cli import sending
from svcmonth.cli.common import (
    AsOfOpt,
    CampaignOpt,
    DbOpt,
    Output,
    QuietOpt,
    ViaOpt,
    campaign_at,
    database,
    now,
    output_options,
    output_rows,
)
from svcmonth.errors import SendFailed, SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.mail import mailer
from svcmonth.output import columns as col
from svcmonth.output import render
from svcmonth.output.columns import Field

KEYS = (
    col.MEMBER,
    Field("kind", N_("Reminder"), "reminder_kind"),
    col.WEEK,
    Field("channel", N_("Channel"), "channel"),
    col.TO,
    col.SUBJECT,
    Field("status", N_("Status"), "remind_status"),
    Field("body", N_("Message"), "first_line"),
    Field("key", N_("Key")),
)
SHOWN_AFTER_SENDING = ("sent", "no_address")


@output_options
def remind(
    send: Annotated[
        bool,
        typer.Option(
            "--send", help=N_("Send them through the channels of --via (else only list them).")
        ),
    ] = False,
    via: ViaOpt = "mail",
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    summary_to: Annotated[
        str | None,
        typer.Option(
            "--summary-to",
            metavar="ADDR",
            help=N_("With --send: also mail a summary of what was sent to this address."),
            show_default=False,
        ),
    ] = None,
    quiet: QuietOpt = False,
    release_stuck: Annotated[
        bool,
        typer.Option(
            "--release-stuck",
            help=N_(
                "Release the reminders a killed run left 'sending', so that the next run sends "
                "them (audited)."
            ),
        ),
    ] = False,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """List the reminders due now; with --send, mail each officer once (for cron).

    SMTP settings come from SVCMONTH_SMTP_HOST, _PORT, _SECURITY (ssl|starttls|none), _USER,
    _PASSWORD, _FROM and _CAFILE; the group robots from SVCMONTH_WECOM_WEBHOOK,
    SVCMONTH_DINGTALK_WEBHOOK and SVCMONTH_DINGTALK_SECRET. Example: svcmonth remind --send
    --via mail,wecom --quiet
    """
    render.check_encoding(out.encoding)
    channels = chat.parse_via(via)
    if release_stuck:
        if send:
            raise SvcmonthError(_("--release-stuck runs alone: give it without --send"))
        with database(db, write=True) as conn:
            released = reminders.release_stuck(conn, now())
        for claim in released:
            render.message(
                _("released {member} {key} to {to} (sending since {since})").format(**claim)
            )
        render.message(_("released {n} stuck reminder(s)").format(n=len(released)))
        return
    if channels == [chat.TEXT]:
        sending.refuse_with_text(send, out, summary_to)
        sending.print_group_text(db, campaign, as_of, out, reminders.group_text)
        return
    open_mail, robots = sending.sessions(send, channels)
    address = mailer.check_address(summary_to) if summary_to else None
    # no snapshot: send_due opens its own short transactions around each claim
    with database(db, snapshot=False) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        stuck = reminders.stuck_claims(conn, now())
        if stuck:  # reported on every run, --quiet or not: cron mails stderr
            render.message(_("warning: {text}").format(text=reminders.describe_stuck(stuck)))
        if not send:
            rows = [r.row() for ch in channels for r in reminders.preview(conn, c, instant, ch)]
            if not quiet:
                output_rows(out, rows, KEYS, heading=_("Reminders"))
            return
        outcome = reminders.send_due(conn, c, instant, now(), open_mail, address, robots)
    shown = [r.row() for r in outcome.reminders if r.status in SHOWN_AFTER_SENDING]
    sending.show_sent(out, quiet, shown, KEYS, _("Reminders"))
    for r in outcome.failed:
        render.message(
            _("not sent: {member} {what} to {to}: {reason}").format(
                member=r.member, what=r.subject, to=r.to, reason=r.reason
            )
        )
    if outcome.failed:
        if outcome.summary_error is not None:
            render.message(
                _("summary to {to} not sent: {reason}").format(
                    to=address, reason=outcome.summary_error
                )
            )
        raise SendFailed(
            _(
                "{n} of {total} reminders could not be sent; they were not recorded and will be "
                "retried on the next run"
            ).format(
                n=len(outcome.failed),
                total=sum(1 for r in outcome.reminders if r.status in ("sent", "failed")),
            )
        )
    if outcome.summary_error is not None:
        raise SendFailed(
            _("the summary to {to} could not be sent: {reason}").format(
                to=address, reason=outcome.summary_error
            )
        )


def register(root: typer.Typer) -> None:
    """Add ``remind`` to the root command."""
    root.command("remind")(remind)
