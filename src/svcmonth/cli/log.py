"""``svcmonth log``: the audit trail."""

from typing import Annotated

import typer

from svcmonth import campaigns
from svcmonth.cli.common import DbOpt, EncodingOpt, Format, FormatOpt, OutputOpt, database, show
from svcmonth.i18n import N_, _
from svcmonth.output.columns import Field
from svcmonth.storage import audit
from svcmonth.timeutil import show as show_time


def log(
    entity: Annotated[str | None, typer.Option("--entity", help=N_("submission, member…"))] = None,
    entity_id: Annotated[str | None, typer.Option("--id", help=N_("Only this id or code."))] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """The audit trail: every change to grades, adoptions, withdrawals and members."""
    with database(db) as conn:
        tz = campaigns.zone_for_display(conn)
        rows = audit.entries(conn, entity, entity_id)
    for r in rows:
        r["at"] = show_time(r["at"], tz)
    show(rows, LOG, fmt, output, encoding, heading=_("Audit trail"))


LOG = (
    Field("at", N_("At"), "instant"),
    Field("action", N_("Action"), "audit_action"),
    Field("entity", N_("Entity"), "entity"),
    Field("entity_id", N_("Entity ID")),
    Field("before", N_("Before"), "fields"),
    Field("after", N_("After"), "fields"),
)


def register(root: typer.Typer) -> None:
    root.command("log")(log)
