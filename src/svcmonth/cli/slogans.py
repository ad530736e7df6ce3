"""``svcmonth slogans``: the plan's publicity slogans."""

import typer

from svcmonth import refdata
from svcmonth.cli.common import EncodingOpt, Format, FormatOpt, OutputOpt, show
from svcmonth.i18n import N_
from svcmonth.output import render
from svcmonth.output.columns import Field


def slogans(
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """The plan's publicity slogans (附件), each once, for LED screens and roadshows."""
    lines = refdata.slogans()
    if fmt is Format.table and output is None:
        render.write_lines(lines, encoding)  # one slogan a line, for the LED screen
        return
    show([{"slogan": s} for s in lines], SLOGAN, fmt, output, encoding)


SLOGAN = (Field("slogan", N_("Slogan")),)


def register(root: typer.Typer) -> None:
    root.command("slogans")(slogans)
