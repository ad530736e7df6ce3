"""``svcmonth slogans``: the plan's publicity slogans."""

from typing import Any

import typer

from svcmonth import refdata
from svcmonth.cli.common import Output, output_options, output_rows
from svcmonth.i18n import N_
from svcmonth.output import render
from svcmonth.output.columns import Field


@output_options
def slogans(
    out: Output = Output(),
) -> None:
    """The plan's publicity slogans (附件), each once, for LED screens and roadshows."""
    lines = refdata.slogans()
    output_rows(out, [{"slogan": s} for s in lines], SLOGAN, listing=LISTING)


LISTING = "slogans"


@render.register_writer(
    LISTING, can_render=lambda fmt, target: fmt == "table" and not target.output
)
def _lines(rows: Any, fields: list[Field], target: render.Target, source: Any) -> int:
    """One slogan a line on a terminal, for the LED screen."""
    slogans_ = [r["slogan"] for r in rows]
    render.write_lines(slogans_, target.encoding)
    return len(slogans_)


SLOGAN = (Field("slogan", N_("Slogan")),)


def register(root: typer.Typer) -> None:
    root.command("slogans")(slogans)
