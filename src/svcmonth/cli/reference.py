"""``svcmonth column``, ``outlet`` and ``body``: the reference lists (栏目, 刊用单位, 报送单位)."""

from typing import Annotated

import typer

from svcmonth import refdata
from svcmonth.cli.common import DbOpt, Output, database, now, output_options, output_query
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output.columns import Field, value_name
from svcmonth.output.render import message


def _reference_app(kind: str, table: str, keys: tuple[str, ...], help_text: str) -> typer.Typer:
    sub = typer.Typer(help=help_text, no_args_is_help=True)

    @sub.command("list")
    @output_options
    def list_(
        out: Output = Output(),
        db: DbOpt = None,
    ) -> None:
        """List them."""
        output_query(out, db, lambda conn: refdata.listing(conn, table), _reference_columns(keys))

    @sub.command("add")
    def add(
        name: Annotated[str, typer.Argument(help=N_("Name."))],
        kind_: Annotated[
            str, typer.Option("--kind", help=N_("Columns: report, article or association."))
        ] = "article",
        doubling: Annotated[
            bool, typer.Option("--doubling", help=N_("Outlets: adoption doubles the points."))
        ] = False,
        db: DbOpt = None,
    ) -> None:
        """Add one."""
        fields: dict[str, object] = {}
        if table == "column_def":
            if kind_ not in ("report", "article", "association"):
                raise SvcmonthError(_("--kind must be report, article or association"))
            fields["kind"] = kind_
        elif table == "outlet":
            fields["doubling_default"] = int(doubling)
        with database(db, write=True) as conn:
            refdata.reference_add(conn, table, name, now(), **fields)
        message(_("added {kind} {name}").format(kind=value_name("entity", table), name=name))

    return sub


def _reference_columns(keys: tuple[str, ...]) -> list[Field]:
    known = {
        "name": Field("name", N_("Name")),
        "kind": Field("kind", N_("Kind"), "column_kind"),
        "description": Field("description", N_("Description")),
        "doubling_default": Field("doubling_default", N_("Doubles points"), "bool"),
    }
    return [known[k] for k in keys]


def register(root: typer.Typer) -> None:
    for name, table, keys, help_text in (
        (
            "column",
            "column_def",
            ("name", "kind", "description"),
            _("Website columns (栏目) members submit to."),
        ),
        (
            "outlet",
            "outlet",
            ("name", "doubling_default", "description"),
            _("Outlets that adopt (刊用) submissions."),
        ),
        ("body", "body", ("name",), _("Bodies the association forwards (报送) to.")),
    ):
        root.add_typer(_reference_app(name, table, keys, help_text), name=name)
