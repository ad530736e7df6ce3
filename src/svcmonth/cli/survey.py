"""``svcmonth survey …``: import a survey tool's export (调查问卷), list surveys, report results."""

from pathlib import Path
from typing import Annotated, Any

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
from svcmonth.errors import SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.output import columns as cols_
from svcmonth.output import outfile, pages, render, survey_output
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
    types: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help=N_(
                "N=text|single|multiple|scale: the type of question N, where the answers "
                "mislead (repeatable)."
            ),
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Import the answers of a survey; importing the same file again adds nothing.

    问卷星: 下载答卷数据 → 按文本下载; 腾讯问卷: 数据 → 下载 → Excel or CSV.

    Example: svcmonth survey import 问卷星导出.xlsx --name 2023服务月满意度调查
    """
    name = check_text(name, "--name")  # one line, no control character, as every name
    overrides = survey.parse_types(types or [])
    with database(db, write=True) as conn:
        result = survey.import_export(conn, file, name, campaign, now(), overrides)
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
        return
    human = survey_output.used_keys(rows, keys)
    if fmt == Format.md:
        _write(survey_output.markdown(rows, name), output, encoding)
    elif fmt == Format.html:
        # a document shaped by question (bars), like md: the website's 调查问卷 section
        pages.write_survey(name, survey_output.for_page(rows), output, encoding)
        if output is not None:
            message(_("wrote {path}").format(path=output))
    elif fmt == Format.xlsx:
        _workbook(rows, human, name, output, encoding)
    else:
        people = survey_output.for_people(rows, blank_repeats=True)
        show(people, human, fmt, output, encoding, title=name)


def _workbook(
    rows: list[dict[str, object]],
    keys: tuple[Any, ...],
    name: str,
    output: Path | None,
    encoding: str | None,
) -> None:
    """The workbook with its charts, written once through the one output writer: the
    renderer's sheet is made in a scratch folder, the charts are added to it in memory, and
    only the finished workbook goes to ``--output`` (a full disk leaves an earlier file
    as it was, never a truncated one)."""
    import tempfile

    from openpyxl import load_workbook

    if output is None:
        raise SvcmonthError(_("--format {fmt} needs --output FILE.{fmt}").format(fmt="xlsx"))
    outfile.refuse_protected(output)
    people = survey_output.for_people(rows, False)
    with tempfile.TemporaryDirectory(prefix="svcmonth-") as scratch:
        draft = Path(scratch) / "survey.xlsx"
        show(people, keys, Format.xlsx, draft, encoding, title=name, quiet=True)
        book = load_workbook(draft)
    survey_output.add_charts(book, rows, cols_.keys(keys))
    with outfile.open_binary(output) as handle:
        book.save(handle)
    message(_("wrote {n} rows to {path}").format(n=len(rows), path=output))


def _write(text: str, output: Path | None, encoding: str | None) -> None:
    render.write_text(text + "\n", output, encoding)
    if output is None:
        return
    message(_("wrote {path}").format(path=output))
