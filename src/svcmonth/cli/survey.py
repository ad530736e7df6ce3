"""``svcmonth survey …``: import a survey tool's export (调查问卷), list surveys, report results."""

from pathlib import Path
from typing import Annotated

import typer

from svcmonth import survey
from svcmonth.cli.common import (
    CampaignOpt,
    DbOpt,
    EncodingOpt,
    Format,
    FormatOpt,
    OutputOpt,
    database,
    now,
    show,
)
from svcmonth.i18n import N_, _
from svcmonth.output import pages, render, survey_output
from svcmonth.output.render import message
from svcmonth.text import check_text

app = typer.Typer(
    help=N_("调查问卷: tally a survey tool's export (问卷星, 腾讯问卷) and publish the results."),
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(help=N_("The survey's name, as given to `survey import`."))]


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help=N_("The export: .xlsx, .xls or .csv, answers 按文本 (by text)."))
    ],
    name: Annotated[
        str, typer.Option("--name", help=N_("The survey's name, e.g. 2023服务月客户满意度调查."))
    ],
    campaign: CampaignOpt = None,
    db: DbOpt = None,
) -> None:
    """Import the answers of a survey; importing the same file again adds nothing.

    Example: svcmonth survey import 问卷星导出.xlsx --name 2023服务月满意度调查
    """
    name = check_text(name, "--name")  # one line, no control character, as every name
    with database(db, write=True) as conn:
        result = survey.import_export(conn, file, name, campaign, now())
    message(
        _(
            "survey {name}: {added} response(s) imported, {skipped} already there; "
            "{questions} question(s)"
        ).format(
            name=result.survey,
            added=result.added,
            skipped=result.skipped,
            questions=result.questions,
        )
    )
    if result.ignored_columns:
        message(
            _("columns not read (neither a question nor known metadata): {cols}").format(
                cols=", ".join(result.ignored_columns)
            )
        )


@app.command("list")
def list_(
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """The surveys imported, with their questions, responses and first and last answers."""
    with database(db) as conn:
        rows = survey.list_surveys(conn)
    show(rows, survey.LIST_COLUMNS, fmt, output, encoding)


@app.command("report")
def report(
    name: NameArg,
    question: Annotated[
        int | None, typer.Option("--question", "-q", help=N_("Only this question number."))
    ] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
) -> None:
    """The results: each option's count and percentage of those who answered the question.

    --format md is ready to paste into the website; --format html is a page with a bar per
    option; --format xlsx adds a bar chart per choice question.
    """
    with database(db) as conn:
        rows = survey.report(conn, name, question)
    keys = survey.REPORT_COLUMNS
    if fmt in (Format.json, Format.csv):
        show(rows, keys, fmt, output, encoding)
    elif fmt == Format.md:
        _write(survey_output.markdown(rows, name), output, encoding)
    elif fmt == Format.html:
        # a document shaped by question (bars), like md: the website's 调查问卷 section
        pages.write_survey(name, rows, output, encoding)
        if output is not None:
            message(_("wrote {path}").format(path=output))
    elif fmt == Format.xlsx:
        show(survey_output.for_people(rows, False), keys, fmt, output, encoding, title=name)
        assert output is not None  # the renderer refuses xlsx without --output
        survey_output.add_charts(output, rows, survey.REPORT_KEYS)
    else:
        people = survey_output.for_people(rows, blank_repeats=True)
        show(people, keys, fmt, output, encoding, title=name)


def _write(text: str, output: Path | None, encoding: str | None) -> None:
    render.write_text(text + "\n", output, encoding)
    if output is None:
        return
    message(_("wrote {path}").format(path=output))
