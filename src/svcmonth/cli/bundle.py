"""``svcmonth bundle import``: log a 报送包 another association sent."""

from pathlib import Path
from typing import Annotated

import typer

from svcmonth.cli.common import CampaignOpt, DbOpt, database, db_path, now
from svcmonth.i18n import N_, _
from svcmonth.output.render import message

app = typer.Typer(help=N_("报送包 received from other associations."), no_args_is_help=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE.zip", help=N_("The 报送包 (a zip file)."))],
    as_code: Annotated[
        str | None,
        typer.Option(
            "--as",
            help=N_("The member that sent it (default: the member named as its association)."),
            show_default=False,
        ),
    ] = None,
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Log each article of a 报送包 as a submission of the association that sent it.

    Example: svcmonth bundle import 报送包.zip --as BTBA
    """
    from svcmonth import bundles

    with bundles.Reader(file) as reader, database(db, write=True) as conn:
        done = bundles.import_bundle(conn, db_path(db), reader, as_code, campaign, now())
    for sid in done.added:
        print(sid)
    message(
        _(
            "imported {n} submission(s) from {path} under {member} ({files} file(s)); "
            "{k} already logged"
        ).format(n=len(done.added), path=file, member=done.member, files=done.files, k=done.already)
    )
