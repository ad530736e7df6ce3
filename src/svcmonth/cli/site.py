"""``svcmonth site build DIR``: the website's 服务月专栏 as static pages."""

from pathlib import Path
from typing import Annotated

import typer

from svcmonth import site
from svcmonth.cli.common import AsOfOpt, CampaignOpt, DbOpt, campaign_at, database, db_path
from svcmonth.i18n import N_, _
from svcmonth.output import render

app = typer.Typer(
    help=N_("The website's Service Month column as static pages."), no_args_is_help=True
)


@app.command("build")
def build(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help=N_("Folder to build into (new, empty, or an earlier build, which is replaced)."),
            show_default=False,
        ),
    ],
    pages: Annotated[
        Path | None,
        typer.Option(
            "--pages",
            help=N_(
                "Folder of the association's own pages in Markdown, one per column "
                "(银行业文明示范单位.md, 活动部署.md, 调查问卷.md)."
            ),
            show_default=False,
        ),
    ] = None,
    no_scoreboard: Annotated[
        bool,
        typer.Option("--no-scoreboard", help=N_("Leave the scoreboard off the public pages.")),
    ] = False,
    as_of: AsOfOpt = None,
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Build the campaign's column pages into DIR, ready to upload (e.g. site build 专栏)."""
    with database(db) as conn:
        c, instant = campaign_at(conn, campaign, as_of)
        built = site.build(
            conn,
            c,
            instant,
            folder,
            db_path=db_path(db),
            pages_dir=pages,
            scoreboard=not no_scoreboard,
        )
    for note in built.notes:
        render.message(note)
    render.message(
        _("wrote {pages} pages and {pictures} pictures to {path}").format(
            pages=built.pages, pictures=built.pictures, path=folder
        )
    )
