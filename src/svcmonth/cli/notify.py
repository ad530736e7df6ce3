"""``svcmonth notify results``: tell each officer, once, what became of their submissions."""

import functools
import os
from typing import Annotated

import typer

from svcmonth import chat, notices
from svcmonth.cli.common import (
    AsOfOpt,
    CampaignOpt,
    DbOpt,
    Output,
    campaign_at,
    database,
    now,
    output_options,
    output_rows,
)
from svcmonth.errors import SendFailed
from svcmonth.i18n import N_, _
from svcmonth.mail import mailer
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
    via: Annotated[
        str,
        typer.Option(
            "--via",
            metavar="CHANNELS",
            help=N_(
                "Where to send: mail, wecom (企业微信 group robot), dingtalk (钉钉 group robot), "
                "comma-separated; or text: print the group messages to paste into a WeChat group."
            ),
        ),
    ] = "mail",
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help=N_("Print nothing unless something goes wrong.")),
    ] = False,
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
        with database(db) as conn:
            c, instant = campaign_at(conn, campaign, as_of)
            posts = notices.group_text(conn, c, instant)
        if posts:
            render.write_text("\n\n".join(posts) + "\n", out.output, out.encoding)
        return
    config = mailer.config_from_env(os.environ) if send and "mail" in channels else None
    robots = [chat.robot_from_env(ch, os.environ) for ch in channels if send and ch in chat.GROUPS]
    with database(db, snapshot=False) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        if not send:
            rows = [r.row() for ch in channels for r in notices.preview(conn, c, instant, ch)]
            if not quiet:
                output_rows(out, rows, KEYS, heading=_("Results notices"))
            return
        smtp = config
        outcome = notices.send(
            conn,
            c,
            instant,
            now(),
            None if smtp is None else (lambda: mailer.open_session(smtp)),
            [functools.partial(chat.RobotSession, robot) for robot in robots],
        )
    shown = [n.row() for n in outcome.notices if n.status in ("sent", "no_address")]
    if not quiet and (shown or out.fmt in ("csv", "json")):
        output_rows(out, shown, KEYS, heading=_("Results notices"), quiet=True)
    for n in outcome.failed:
        render.message(
            _("not sent: {member} #{submission} {event} to {to}: {reason}").format(
                member=n.member, submission=n.submission_id, event=n.event, to=n.to, reason=n.reason
            )
        )
    if outcome.failed:
        raise SendFailed(
            _(
                "{n} notice(s) could not be sent; they were not recorded and will be retried on "
                "the next run"
            ).format(n=len(outcome.failed))
        )
