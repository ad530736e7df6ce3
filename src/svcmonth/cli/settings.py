"""``svcmonth settings``: database-wide settings (the association's name for documents)."""

from typing import Annotated

import typer

from svcmonth import settings as settings_
from svcmonth.cli.common import DbOpt, Output, database, now, output_options, output_rows
from svcmonth.i18n import N_, _
from svcmonth.output import render
from svcmonth.output.columns import Field
from svcmonth.output.render import message


@output_options
def settings(
    association: Annotated[
        str | None,
        typer.Option(
            "--association",
            help=N_("The association's name, the 落款 of documents and 制表单位 of workbooks."),
            show_default=False,
        ),
    ] = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """Show or change the database-wide settings (e.g. settings --association 某某市银行业协会)."""
    if association is not None:
        with database(db, write=True) as conn:
            value = settings_.set_association(conn, association, now())
        if value:
            message(_("the association's name is now {name}").format(name=value))
        else:
            message(_("the association's name is cleared"))
        return
    with database(db) as conn:
        values = settings_.all_settings(conn)
    if out.fmt == "json":
        render.write_object(values, out.output, out.encoding)
        return
    rows = [{"setting": _(LABELS.get(k, k)), "value": v} for k, v in values.items()]
    output_rows(out, rows, SETTINGS, heading=_("Settings"))


LABELS = {"association": N_("Association")}
SETTINGS = (Field("setting", N_("Setting")), Field("value", N_("Value")))


def register(root: typer.Typer) -> None:
    root.command("settings")(settings)
