"""``svcmonth archive export``: the campaign's articles filed by member and column, in one zip."""

from pathlib import Path
from typing import Annotated

import typer

from svcmonth.cli.common import CampaignOpt, DbOpt, campaign_at, database, db_path
from svcmonth.i18n import N_, _
from svcmonth.output.render import message

app = typer.Typer(help=N_("The campaign archive (归档)."), no_args_is_help=True)


@app.command("export")
def export(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help=N_("The zip file to write."), show_default=False),
    ],
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """File every counted submission's files by member and column, with a 目录, in one zip.

    Example: svcmonth archive export --campaign 2023服务月 --output 2023服务月归档.zip
    """
    from svcmonth import bundles

    with database(db) as conn:
        c, instant = campaign_at(conn, campaign, None)
        manifest = bundles.archive(conn, db_path(db), c, output, instant)
    files = sum(len(s["files"]) for s in manifest["submissions"])
    message(
        _("wrote the archive of {name} to {path}: {n} submission(s), {k} file(s)").format(
            name=c.name, path=output, n=len(manifest["submissions"]), k=files
        )
    )
