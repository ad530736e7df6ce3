"""``svcmonth survey …``: import a survey tool's export (调查问卷), list surveys, report results."""

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from svcmonth import survey
from svcmonth.cli.common import (
    CampaignOpt,
    DbOpt,
    Output,
    database,
    now,
    output_options,
    output_query,
    output_rows,
)
from svcmonth.i18n import N_, _
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
@output_options
def list_(
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """The surveys imported, with their questions, responses and first and last answers."""
    output_query(out, db, survey.list_surveys, survey.LIST_COLUMNS)


LISTING = "survey report"


@app.command("report")
@output_options
def report(
    name: NameArg,
    question: Annotated[
        int | None, typer.Option("--question", "-q", help=N_("Only this question number."))
    ] = None,
    out: Output = Output(),
    db: DbOpt = None,
) -> None:
    """The results: each option's count and percentage of those who answered the question.

    --format md is ready to paste into the website; --format html is a page with a bar per
    option; --format xlsx adds a bar chart per choice question.
    """
    with database(db) as conn:
        rows = survey.report(conn, name, question)
    fields = survey.REPORT_COLUMNS
    if out.human:  # people see only the keys the questions use (no empty 矩阵行 column)
        fields = survey_output.used_keys(rows, fields)
    output_rows(out, rows, fields, name, listing=LISTING, source=rows)


# The survey report's human formats are shaped by question, not as a table of its rows: each
# registers its writer for this listing (the machine formats, json and csv, are the rows).


@render.register_writer(LISTING, can_render=lambda fmt, target: fmt == "table")
def _table(rows: Any, fields: list[Any], target: render.Target, source: Any) -> int:
    """One row per option, the question's number and text shown once above its options."""
    people = survey_output.for_people(source, blank_repeats=True)
    return render.FORMATS["table"].render(people, fields, target)


@render.register_writer(LISTING, can_render=lambda fmt, target: fmt == "md", document=True)
def _markdown(rows: Any, fields: list[Any], target: render.Target, source: Any) -> int:
    """Ready to paste into the website: a section per question, "other" texts listed under it."""
    render.write_text(
        survey_output.markdown(source, target.title or "") + "\n", target.output, target.encoding
    )
    return len(source)


@render.register_writer(LISTING, can_render=lambda fmt, target: fmt == "html", document=True)
def _html(rows: Any, fields: list[Any], target: render.Target, source: Any) -> int:
    """A page shaped by question (bars), like the website's 调查问卷 section."""
    pages.write_survey(
        target.title or "", survey_output.for_page(source), target.output, target.encoding
    )
    return len(source)


@render.register_writer(LISTING, can_render=lambda fmt, target: fmt == "xlsx", document=True)
def _workbook(rows: Any, fields: list[Any], target: render.Target, source: Any) -> int:
    """The workbook with its charts, written once through the one output writer: the
    renderer's sheet is made in a scratch folder, the charts are added to it in memory, and
    only the finished workbook goes to ``--output`` (a full disk leaves an earlier file
    as it was, never a truncated one)."""
    import tempfile

    from openpyxl import load_workbook

    assert target.output is not None  # xlsx is file-only: the renderer refused stdout
    people = survey_output.for_people(source, False)
    with tempfile.TemporaryDirectory(prefix="svcmonth-") as scratch:
        draft = Path(scratch) / "survey.xlsx"
        render.FORMATS["xlsx"].render(people, fields, replace(target, output=draft))
        book = load_workbook(draft)
    survey_output.add_charts(book, source, tuple(f.key for f in fields))
    with outfile.open_binary(target.output) as handle:
        book.save(handle)
    return len(source)
