"""``svcmonth log``: the audit trail."""

import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from svcmonth import campaigns
from svcmonth.cli.common import DbOpt, Output, database, output_options, output_rows
from svcmonth.i18n import N_, _
from svcmonth.output import columns as col
from svcmonth.output.columns import Field
from svcmonth.storage import audit
from svcmonth.timeutil import show as show_time


@output_options
def log(
    entity: Annotated[str | None, typer.Option("--entity", help=N_("submission, member…"))] = None,
    entity_id: Annotated[str | None, typer.Option("--id", help=N_("Only this id or code."))] = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """The audit trail: every change to grades, adoptions, withdrawals and members."""
    with database(db) as conn:
        tz = campaigns.zone_for_display(conn)
        rows = audit.entries(conn, entity, entity_id)
    human = out.human
    for r in rows:
        r["at"] = show_time(r["at"], tz)
        for side in ("before", "after"):
            r[side] = _local(r[side], tz)
            if human and r["action"] == "extend" and isinstance(r[side], dict):
                # an extension's end is the deadline it moves to, not an officer's term
                r[side] = {("extended_until" if k == "until" else k): v for k, v in r[side].items()}
        if human and r["entity"] == "setting":  # a setting is named by its key: in words
            r["entity_id"] = col.field_label(str(r["entity_id"]))
    output_rows(out, rows, LOG, heading=_("Audit trail"))


_STORED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


def _local(value: Any, tz: ZoneInfo) -> Any:
    """Every stored (UTC) instant in an entry's before/after as local time, like ``at``."""
    if isinstance(value, str) and _STORED.fullmatch(value):
        return show_time(value, tz)
    if isinstance(value, dict):
        return {k: _local(v, tz) for k, v in value.items()}
    if isinstance(value, list):
        return [_local(v, tz) for v in value]
    return value


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
