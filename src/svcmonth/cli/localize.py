"""The framework's own words in the interface language, through Typer's public hooks only.

Typer 0.28 bundles a Click whose words are English f-strings (``Usage:``, ``Missing option``,
``No such command``, ``Show this message and exit.``); Typer's own (``Options``,
``Commands``, ``[default: …]``, ``required``) go through the standard ``gettext`` module with
no catalog of ours. Nothing of the framework is patched; instead:

- ``localize(command)``: called on every command as it is built for an invocation — its help
  texts (``help=N_()``, docstrings) are translated again in this invocation's language, the
  usage metavars (``[OPTIONS]``, ``COMMAND [ARGS]...``, ``TEXT``, ``CODE``) get their names, the
  help option is our own (its text translated), its contexts are ``SvcmonthContext`` (whose
  formatter writes ``用法：``, ``选项：``, ``[默认：…]`` and lines up CJK text), and help is drawn
  by the plain formatter (Rich's boxes are left out: plain text reads the same in a
  terminal, a pipe, a cron mail and a test);
- ``show_error(exc)``: the one error boundary (``cli/app.py``) shows a framework error as
  ``用法：… / 错误：…``, with Click's English message translated by the patterns below.

Click's messages are matched as text, so Typer is pinned to one exact version in
``pyproject.toml``; ``tests/test_localize.py`` is the canary that fails the day an upgrade
changes one of the English messages, the help layout or the hooks used here.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperOption

from svcmonth.cli.common import globals_
from svcmonth.i18n import N_, _, translate
from svcmonth.output.render import display_width

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
    N_("Show this message and exit."),
)

# Click's words, written as English f-strings in Typer's bundled Click: (pattern, message).
# The groups of the pattern fill the message's fields in order.
ERROR_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"Missing option (?P<hint>.+)\.$", N_("Missing option {hint}.")),
    (r"Missing argument (?P<hint>.+)\.$", N_("Missing argument {hint}.")),
    (r"Missing parameter:? (?P<hint>.+?)\.?$", N_("Missing parameter {hint}.")),
    (
        r"No such command '(?P<name>.+)'\. Did you mean (?P<suggestions>.+)\?$",
        N_("No such command '{name}'. Did you mean: {suggestions}?"),
    ),
    (r"No such command '(?P<name>.+)'\.$", N_("No such command '{name}'.")),
    (r"Missing command\.$", N_("Missing command.")),
    (
        r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)$",
        N_("No such option: {name} (did you mean: {options})"),
    ),
    (r"No such option: (?P<name>\S+)$", N_("No such option: {name}")),
    (
        r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)$",
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
            if "suggestions" in fields:  # 'submit', 'site' → submit、site
                names = re.findall(r"'([^']*)'", fields["suggestions"])
                fields["suggestions"] = names[0] if names else ""
                for name in names[1:]:
                    fields["suggestions"] = _("{items}, {item}").format(
                        items=fields["suggestions"], item=name
                    )
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
    _add_labels_option(command)
    _add_help_option(command)
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
    command.context_class = SvcmonthContext
    commands = getattr(command, "commands", None)
    if commands is not None and not hasattr(commands, "built"):  # a subgroup, built whole
        for sub in commands.values():
            localize(sub)


def _add_labels_option(command: Any) -> None:
    """Every command with ``--format`` that can write csv also takes ``--labels`` (csv for
    people); the documents (docx/md/html/json) have no csv to label."""
    fmt = next((p for p in command.params if p.name == "fmt"), None)
    if fmt is None or "csv" not in getattr(fmt.type, "choices", ()):
        return
    if any(p.name == "labels" for p in command.params):
        return

    def remember(ctx: Any, param: Any, value: bool) -> bool:
        if value:
            globals_().labels = True
        return value

    option = TyperOption(
        param_decls=["--labels"],
        is_flag=True,
        expose_value=False,
        callback=remember,
        help=N_("With --format csv: the labels and values as people read them."),
    )
    index = next(i for i, p in enumerate(command.params) if p.name == "fmt")
    command.params.insert(index + 1, option)


HELP_OPTION_NAMES = ("-h", "--help")


def _add_help_option(command: Any) -> None:
    """Our own ``-h``/``--help`` in place of Click's, whose text is an English literal."""
    if not command.add_help_option:
        return
    command.add_help_option = False
    taken = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    names = [name for name in HELP_OPTION_NAMES if name not in taken]
    if not names:
        return
    command.params.append(
        TyperOption(
            param_decls=names,
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_show_help,
            help=N_("Show this message and exit."),
        )
    )


def _show_help(ctx: Any, param: Any, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        typer.echo(ctx.get_help(), color=ctx.color)
        raise typer.Exit()


def _has_help_option(command: Any) -> bool:
    return any(p.name == "help" and p.expose_value is False for p in command.params)


# Typer's own words inside an option's help: ``[default: 3; required]``.
_MARKERS = re.compile(r"(?P<help>.*?)(?P<gap> {0,2})\[(?P<markers>[^\[\]]*)\]$", re.S)
_MARKER_WORDS = (
    (re.compile(r"default: (?P<default>.*)$", re.S), N_("default: {default}")),
    (re.compile(r"env var: (?P<var>.*)$", re.S), N_("env var: {var}")),
    (re.compile(r"required$"), N_("required")),
    (re.compile(r"\(dynamic\)$"), N_("(dynamic)")),
)


def _markers(help_text: str) -> str:
    """``… [default: 3; required]`` with Typer's English words in the interface language."""
    m = _MARKERS.fullmatch(help_text)
    if not m:
        return help_text
    words = []
    for word in m.group("markers").split("; "):
        for pattern, msgid in _MARKER_WORDS:
            found = pattern.match(word)
            if found:
                fields = {k: translate(v) for k, v in found.groupdict().items()}
                word = _(msgid).format(**fields)
                break
        words.append(word)
    return f"{m.group('help')}{m.group('gap')}[{'; '.join(words)}]"


_ClickFormatter: Any = typer.Context.formatter_class  # Click's HelpFormatter, by its public door


class SvcmonthFormatter(_ClickFormatter):
    """Click's help formatter with translated headings and widths that count a CJK character
    as two columns (so the options line up under Chinese metavars)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = _("Usage: ") if prefix is None else prefix
        usage_prefix = f"{prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if text_width >= display_width(usage_prefix) + 20:
            indent = " " * display_width(usage_prefix)
            self.write(_fill(args, text_width, usage_prefix, indent))
        else:
            self.write(usage_prefix + "\n")
            indent = " " * (max(self.current_indent, display_width(prefix)) + 4)
            self.write(_fill(args, text_width, indent, indent))
        self.write("\n")

    def write_heading(self, heading: str) -> None:
        text = _("{heading}:").format(heading=translate(heading))
        self.write(f"{'':>{self.current_indent}}{text}\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = [(first, _markers(second) if second else second) for first, second in rows]
        if not rows:
            return
        first_col = min(max(display_width(first) for first, _second in rows), col_max)
        first_col += col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            wrapper = type(self)(width=max(self.width - first_col - 2, 10))
            wrapper.write_text(second)  # Click's wrapping: paragraphs and \\b blocks kept
            lines = wrapper.getvalue().splitlines()
            self.write(f"{lines[0]}\n" if lines else "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


def _fill(text: str, width: int, first: str, rest: str) -> str:
    return textwrap.fill(
        text, width, initial_indent=first, subsequent_indent=rest, replace_whitespace=False
    )


class SvcmonthContext(typer.Context):
    """Every command's context: help is drawn by ``SvcmonthFormatter``."""

    formatter_class = SvcmonthFormatter


def is_framework_error(exc: BaseException) -> bool:
    """A usage or other error raised by Typer's Click (all derive from ``TyperException``)."""
    return isinstance(exc, typer.TyperException)


def shows_help(exc: BaseException) -> bool:
    """Click's "no arguments: show the help" signal, which is not an error to translate."""
    return type(exc).__name__ == "NoArgsIsHelpError"


def show_error(exc: Any) -> None:
    """A framework error as the user reads it: the usage and a hint for a usage error, then
    ``错误：…`` with Click's English message translated."""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        print(ctx.get_usage(), file=sys.stderr)
        if _has_help_option(ctx.command):
            print(
                _("Try '{command} {option}' for help.").format(
                    command=ctx.command_path, option=HELP_OPTION_NAMES[0]
                ),
                file=sys.stderr,
            )
    print(_("Error: ") + message(exc.format_message()), file=sys.stderr)
