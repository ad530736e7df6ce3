"""``svcmonth notify results``: tell each officer, once, what became of their submissions."""

from typing import Annotated

import typer

from svcmonth import chat, notices
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
from svcmonth.errors import SendFailed
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output import render
from svcmonth.output.columns import Field

app = typer.Typer(
    help=N_("Notices to the officers: what became of their submissions."), no_args_is_help=True
)

KEYS = (
    col.MEMBER,
    Field("officer", N_("Officer")),
    Field("submission", N_("Submission"), "int"),
    Field("event", N_("Event"), "notice_event"),
    Field("channel", N_("Channel"), "channel"),
    Field("status", N_("Status"), "remind_status"),
    Field("to", N_("To")),
    Field("text", N_("Message")),
)


@app.command("results")
@output_options
def results(
    send: Annotated[
        bool,
        typer.Option("--send", help=N_("Send them (else only list them).")),
    ] = False,
    via: ViaOpt = "mail",
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    quiet: QuietOpt = False,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """Tell each officer, once, what became of their submissions since the last notice:
    graded, rejected (and why), adopted, forwarded, endorsed.

    One mail per officer per run, one group message per run; a fact changed after it was told
    is told again. Settings as for remind. Example: svcmonth notify results --send --via wecom
    """
    render.check_encoding(out.encoding)
    channels = chat.parse_via(via)
    if channels == [chat.TEXT]:
        sending.refuse_with_text(send, out)
        sending.print_group_text(db, campaign, as_of, out, notices.group_text)
        return
    open_mail, robots = sending.sessions(send, channels)
    with database(db, snapshot=False) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        if not send:
            rows = [r.row() for ch in channels for r in notices.preview(conn, c, instant, ch)]
            if not quiet:
                output_rows(out, rows, KEYS, heading=_("Results notices"))
            return
        outcome = notices.send(conn, c, instant, now(), open_mail, robots)
    shown = [n.row() for n in outcome.notices if n.status in ("sent", "no_address")]
    sending.show_sent(out, quiet, shown, KEYS, _("Results notices"))
    for n in outcome.failed:
        render.message(
            _("not sent: {member} #{submission} {event} to {to}: {reason}").format(
                member=n.member,
                submission=n.submission_id,
                event=col.value_name("notice_event", n.event),
                to=n.to,
                reason=n.reason,
            )
        )
    if outcome.failed:
        raise SendFailed(
            _(
                "{n} notice(s) could not be sent; they were not recorded and will be retried on "
                "the next run"
            ).format(n=len(outcome.failed))
        )
