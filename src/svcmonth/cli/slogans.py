"""``svcmonth slogans``: the plan's publicity slogans."""

import typer

from svcmonth import refdata
from svcmonth.cli.common import EncodingOpt, Format, FormatOpt, OutputOpt, show


def slogans(
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """The plan's publicity slogans (附件), each once, for LED screens and roadshows."""
    lines = refdata.slogans()
    if fmt is Format.table and output is None:
        for line in lines:
            print(line)
        return
    show([{"slogan": s} for s in lines], ("slogan",), fmt, output, encoding)


def register(root: typer.Typer) -> None:
    root.command("slogans")(slogans)
