"""The framework's own words in the interface language: Typer and its bundled Click.

Typer 0.28 bundles a Click whose words are English f-strings (``Usage:``, ``Missing option``,
``No such command``, ``Show this message and exit.``); Typer's own (``Options``,
``Commands``, ``[default: …]``, ``required``) go through the standard ``gettext`` module. So
both are translated here, through svcmonth's catalog, in one place:

- ``localize(command)``: called on every command as it is built for an invocation — its help
  texts (``help=_()``, docstrings) are translated again in this invocation's language, the
  usage metavars (``[OPTIONS]``, ``COMMAND [ARGS]...``, ``TEXT``, ``CODE``) get their names, and
  help is drawn by the plain formatter (Rich's boxes are left out: plain text reads the
  same in a terminal, a pipe, a cron mail and a test);
- ``install()``: once per process — Typer's ``gettext`` calls go to the catalog, ``Usage:``
  and the help option's text are translated, and a usage error is shown as
  ``用法：… / 错误：…`` with Click's English message translated by the patterns below.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import IO, Any

from svcmonth.i18n import N_, _, translate

# Typer's gettext-marked words: listed so the catalog holds them.
FRAMEWORK_MESSAGES = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
)

# Click's words, written as English f-strings in Typer's bundled Click: (pattern, message).
# The groups of the pattern fill the message's fields in order.
ERROR_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"Missing option (?P<hint>.+)\.$", N_("Missing option {hint}.")),
    (r"Missing argument (?P<hint>.+)\.$", N_("Missing argument {hint}.")),
    (r"Missing parameter:? (?P<hint>.+?)\.?$", N_("Missing parameter {hint}.")),
    (r"No such command (?P<name>.+)\.$", N_("No such command {name}.")),
    (r"Missing command\.$", N_("Missing command.")),
    (
        r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)$",
        N_("No such option: {name} (did you mean: {options})"),
    ),
    (r"No such option: (?P<name>\S+)$", N_("No such option: {name}")),
    (
        r"Got unexpected extra arguments? \((?P<args>.*)\)$",
        N_("Unexpected extra argument(s): {args}"),
    ),
    (r"Option (?P<name>\S+) requires an argument\.$", N_("Option {name} needs a value.")),
    (
        r"Option (?P<name>\S+) requires (?P<n>\d+) arguments\.$",
        N_("Option {name} needs {n} values."),
    ),
    (r"Invalid value for (?P<hint>.+?): (?P<reason>.+)$", N_("Invalid value for {hint}: {reason}")),
    (r"Invalid value: (?P<reason>.+)$", N_("Invalid value: {reason}")),
    (
        r"(?P<value>.+) is not one of (?P<choices>.+)\.$",
        N_("{value} is not one of {choices}."),
    ),
    (r"(?P<value>.+) is not a valid integer\.?$", N_("{value} is not a whole number.")),
    (r"(?P<value>.+) is not a valid float\.?$", N_("{value} is not a number.")),
    (r"(?P<value>.+) is not a valid boolean\.?$", N_("{value} is not yes or no.")),
    (
        r"(?P<value>.+) is not in the range (?P<range>.+)\.$",
        N_("{value} is not in the range {range}."),
    ),
    (r"(?P<kind>File|Directory|Path) (?P<path>.+) does not exist\.$", N_("{path} does not exist.")),
    (r"(?P<kind>File|Directory|Path) (?P<path>.+) is a directory\.$", N_("{path} is a directory.")),
    (
        r"(?P<kind>File|Directory|Path) (?P<path>.+) is a file\.$",
        N_("{path} is a file, not a folder."),
    ),
)
_COMPILED = [(re.compile(p, re.S), m) for p, m in ERROR_PATTERNS]

# Names shown in usage lines: the type metavars and the arguments' names.
METAVARS = {
    "TEXT": N_("TEXT"),
    "INTEGER": N_("NUMBER"),
    "INT": N_("NUMBER"),
    "STR": N_("TEXT"),
    "PATH": N_("PATH"),
    "FILE": N_("FILE"),
    "CODE": N_("CODE"),
    "NAME": N_("NAME"),
    "ID": N_("ID"),
    "FLOAT": N_("NUMBER"),
    "BODY": N_("BODY"),
    "OLD": N_("OLD"),
    "NEW": N_("NEW"),
    "DIR": N_("DIR"),
    "ADDR": N_("ADDR"),
    "TARGET": N_("TARGET"),
    "ID|auto": N_("ID|auto"),
    "PATH...": N_("PATH..."),
    "ID...": N_("ID..."),
}


def message(english: str) -> str:
    """One of Click's English messages in the interface language (as is when unknown)."""
    text = english.strip()
    for pattern, msgid in _COMPILED:
        m = pattern.match(text)
        if m:
            fields = {k: message(v) if k == "reason" else v for k, v in m.groupdict().items()}
            return _(msgid).format(**fields)
    return english


def _metavar(name: str) -> str:
    msgid = METAVARS.get(name)
    if msgid is None:  # an optional or repeated argument: [ID]...
        found = re.fullmatch(r"\[(\w+)\](\.\.\.)?", name)
        if found and found.group(1) in METAVARS:
            return f"[{_(METAVARS[found.group(1)])}]{found.group(2) or ''}"
    return _(msgid) if msgid else name


def localize(command: Any) -> None:
    """Translate one built command (and, for a group, its subcommands) for this invocation."""
    command.help = translate(command.help)
    if getattr(command, "short_help", None):
        command.short_help = translate(command.short_help)
    if getattr(command, "epilog", None):
        command.epilog = translate(command.epilog)
    command.rich_markup_mode = None
    command.options_metavar = _("[OPTIONS]")
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = _("COMMAND [ARGS]...")
    for param in command.params:
        if getattr(param, "help", None):
            param.help = translate(param.help)
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        if param.param_type_name == "argument":
            param.metavar = _metavar(param.metavar or (param.name or "").upper())
        elif param.metavar is None and hasattr(param.type, "choices"):
            param.metavar = "[" + "|".join(str(c) for c in param.type.choices) + "]"
        elif param.metavar is None:
            param.metavar = _metavar(param.type.name.upper())
    _add_labels_option(command)
    commands = getattr(command, "commands", None)
    if commands is not None and not hasattr(commands, "built"):  # a subgroup, built whole
        for sub in commands.values():
            localize(sub)


def _add_labels_option(command: Any) -> None:
    """Every command with ``--format`` also takes ``--labels`` (csv for people)."""
    if not any(p.name == "fmt" for p in command.params):
        return
    if any(p.name == "labels" for p in command.params):
        return
    from typer.core import TyperOption

    from svcmonth.cli.common import globals_

    def remember(ctx: Any, param: Any, value: bool) -> bool:
        if value:
            globals_().labels = True
        return value

    option = TyperOption(
        param_decls=["--labels"],
        is_flag=True,
        expose_value=False,
        callback=remember,
        help=_("With --format csv: the labels and values as people read them."),
    )
    index = next(i for i, p in enumerate(command.params) if p.name == "fmt")
    command.params.insert(index + 1, option)


_installed = False


def install() -> None:
    """Route the framework's words through the catalog (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    import typer.core
    from typer._click import decorators, exceptions, formatting
    from typer._click._compat import strip_ansi

    typer.core._ = _  # (Rich's help boxes, typer.rich_utils, are never used: see localize)

    original_write_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    def write_heading(self: Any, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}" + _("{heading}:").format(heading=heading) + "\n")

    formatting.HelpFormatter.write_heading = write_heading  # type: ignore[method-assign]

    def term_len(x: str) -> int:  # CJK characters take two columns: options line up
        from svcmonth.output.render import display_width

        return display_width(strip_ansi(x))

    formatting.term_len = term_len

    original_help_option = decorators.help_option

    def help_option(param_decls: list[str]) -> Callable[[Any], Any]:
        add = original_help_option(param_decls)

        def apply(command: Any) -> Any:
            result = add(command)
            command.params[-1].help = _("Show this message and exit.")
            return result

        return apply

    decorators.help_option = help_option

    def show_usage_error(self: Any, file: IO[Any] | None = None) -> None:
        out = file or sys.stderr
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            print(ctx.get_usage(), file=out)
            if ctx.command.get_help_option(ctx) is not None:
                print(
                    _("Try '{command} {option}' for help.").format(
                        command=ctx.command_path, option=ctx.help_option_names[0]
                    ),
                    file=out,
                )
        print(_("Error: ") + message(self.format_message()), file=out)

    def show_error(self: Any, file: IO[Any] | None = None) -> None:
        print(_("Error: ") + message(self.format_message()), file=file or sys.stderr)

    exceptions.UsageError.show = show_usage_error  # type: ignore[method-assign]
    exceptions.ClickException.show = show_error  # type: ignore[method-assign]
