"""The shells of the Chinese manual (README.zh-CN.md), for tests/test_guide.py.

The manual shows each command three ways: ```sh (bash, the 信创 Linux desktop), ```bat
(cmd.exe) and ```powershell (Windows PowerShell 5.1). Each has its own quoting, so each is
split with its own rules — the subset the manual uses — into statements of words, and every
``svcmonth`` invocation is checked against the real command tree: the command path exists,
every option is one that command declares, the arguments parse (click's own parser, without
running the command).

- cmd: words split at spaces outside double quotes; ``"`` groups and is removed; a single
  quote is an ordinary character (so ``'7月17日 9:40'`` is two words, as cmd passes it);
  ``^`` escapes the next character, and at the end of a line continues it; ``REM`` and ``::``
  lines are comments; ``%NAME%`` expands. Redirection and pipes (``> | & <``) outside quotes
  are refused: the manual writes files with ``-o``.
- PowerShell: single quotes are literal (``''`` is one quote); double quotes expand
  ``$env:NAME`` and take backtick escapes; a backtick at the end of a line continues it;
  ``#`` at the start of a word is a comment; ``$env:NAME = '…'`` and
  ``[Environment]::SetEnvironmentVariable('NAME', '…', 'User')`` set variables. Characters
  PowerShell would read as syntax (``> | & ; ( ) { } ,``, and ``@`` starting a word) outside
  quotes are refused.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

import typer
import typer.main

FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.S | re.M)
SHELLS = ("sh", "bat", "powershell")


@dataclass
class Block:
    lang: str
    text: str
    line: int  # where it starts in the manual (1-based), for messages
    section: str  # the `##` heading it sits under


def blocks(manual: str) -> list[Block]:
    """Every fenced block of the manual, in order, with its language and section."""
    found = []
    for m in FENCE.finditer(manual):
        before = manual[: m.start()]
        headings = re.findall(r"^## (.+)$", before, re.M)
        found.append(Block(m[1], m[2], before.count("\n") + 2, headings[-1] if headings else ""))
    return found


@dataclass
class Statement:
    words: list[str]
    source: str  # the (joined) line as written
    env: dict[str, str] = field(default_factory=dict)  # variables it sets, if any


class ShellSyntaxError(ValueError):
    pass


# --- cmd.exe --------------------------------------------------------------------------------


def _cmd_lines(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if raw.rstrip().endswith("^") and not raw.rstrip().endswith("^^"):
            pending += raw.rstrip()[:-1]
            continue
        lines.append(pending + raw)
        pending = ""
    if pending:
        raise ShellSyntaxError(f"a continuation ^ at the end of the block: {pending!r}")
    return lines


def split_cmd(line: str, env: dict[str, str] | None = None) -> list[str]:
    """The words cmd.exe (and the C runtime of a Python program) makes of one line."""
    env = env or {}
    line = re.sub(r"%(\w+)%", lambda m: env.get(m[1], m[0]), line)
    words: list[str] = []
    word, quoted, started, i = "", False, False, 0
    while i < len(line):
        ch = line[i]
        if ch == '"':
            quoted, started = not quoted, True
        elif quoted:
            word += ch
        elif ch == "^":
            i += 1
            if i < len(line):
                word += line[i]
                started = True
        elif ch in " \t":
            if started:
                words.append(word)
            word, started = "", False
        elif ch in "<>|&":
            raise ShellSyntaxError(f"redirection or pipe {ch!r} in cmd line: {line!r}")
        else:
            word += ch
            started = True
        i += 1
    if quoted:
        raise ShellSyntaxError(f"unbalanced double quote in cmd line: {line!r}")
    if started:
        words.append(word)
    return words


def cmd_statements(text: str) -> list[Statement]:
    env: dict[str, str] = {}
    out = []
    for line in _cmd_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("::") or re.match(r"(?i)rem(\s|$)", stripped):
            continue
        m = re.match(r'(?i)set\s+("?)(\w+)=(.*?)\1$', stripped)
        if m:
            if not m[1] and any(ch in m[3] for ch in "<>|&"):
                raise ShellSyntaxError(f'cmd reads < > | & as redirection: set "NAME=…": {line!r}')
            env[m[2]] = m[3]
            out.append(Statement(["set"], line, {m[2]: m[3]}))
            continue
        words = split_cmd(stripped, env)
        if words[0].lower() == "setx":
            if len(words) != 3:
                raise ShellSyntaxError(f"setx takes a name and one value: {line!r}")
            out.append(Statement(words, line, {words[1]: words[2]}))
            continue
        out.append(Statement(words, line))
    return out


# --- PowerShell -----------------------------------------------------------------------------

_PS_SYNTAX = set("><|&;(){},")  # and "@" at the start of a word (splatting, @(…), @{…})


def _ps_lines(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if raw.rstrip().endswith("`"):
            pending += raw.rstrip()[:-1]
            continue
        lines.append(pending + raw)
        pending = ""
    if pending:
        raise ShellSyntaxError(f"a continuation ` at the end of the block: {pending!r}")
    return lines


def _ps_expand(text: str, env: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        if m[1] not in env:
            raise ShellSyntaxError(f"$env:{m[1]} is not set in this block")
        return env[m[1]]

    return re.sub(r"\$env:(\w+)", one, text)


def split_powershell(line: str, env: dict[str, str] | None = None) -> list[str]:
    """The words PowerShell passes to a native program for one line (the manual's subset)."""
    env = env or {}
    words: list[str] = []
    word, started, i = "", False, 0
    while i < len(line):
        ch = line[i]
        if ch == "'":
            end = i + 1
            text = ""
            while True:
                if end >= len(line):
                    raise ShellSyntaxError(f"unbalanced single quote: {line!r}")
                if line[end] == "'":
                    if line[end + 1 : end + 2] == "'":
                        text += "'"
                        end += 2
                        continue
                    break
                text += line[end]
                end += 1
            word += text
            started, i = True, end
        elif ch == '"':
            end = i + 1
            text = ""
            while True:
                if end >= len(line):
                    raise ShellSyntaxError(f"unbalanced double quote: {line!r}")
                if line[end] == "`" and end + 1 < len(line):
                    text += {"n": "\n", "t": "\t"}.get(line[end + 1], line[end + 1])
                    end += 2
                    continue
                if line[end] == '"':
                    break
                text += line[end]
                end += 1
            word += _ps_expand(text, env)
            started, i = True, end
        elif ch == "#" and not started:
            break
        elif ch in " \t":
            if started:
                words.append(word)
            word, started = "", False
        elif ch == "`":
            i += 1
            word += line[i] if i < len(line) else ""
            started = True
        elif ch in _PS_SYNTAX or (ch == "@" and not started):
            raise ShellSyntaxError(f"{ch!r} outside quotes is PowerShell syntax: {line!r}")
        elif ch == "$":
            m = re.match(r"\$env:(\w+)", line[i:])
            if not m:
                raise ShellSyntaxError(f"a variable other than $env: in {line!r}")
            word += _ps_expand(m[0], env)
            started, i = True, i + len(m[0]) - 1
        else:
            word += ch
            started = True
        i += 1
    if started:
        words.append(word)
    return words


_PS_ENV_SET = re.compile(r"\$env:(\w+)\s*=\s*(.+)$")
_PS_SET_USER = re.compile(
    r"\[Environment\]::SetEnvironmentVariable\(\s*('[^']*')\s*,\s*('(?:[^']|'')*')\s*,"
    r"\s*'User'\s*\)$"
)


def powershell_statements(text: str) -> list[Statement]:
    env: dict[str, str] = {}
    out = []
    for line in _ps_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _PS_ENV_SET.match(stripped)
        if m:
            value = split_powershell(m[2], env)
            if len(value) != 1:
                raise ShellSyntaxError(f"one value expected: {line!r}")
            env[m[1]] = value[0]
            out.append(Statement(["$env:"], line, {m[1]: value[0]}))
            continue
        m = _PS_SET_USER.match(stripped)
        if m:
            name, value = split_powershell(m[1])[0], split_powershell(m[2])[0]
            out.append(Statement(["SetEnvironmentVariable"], line, {name: value}))
            continue
        out.append(Statement(split_powershell(stripped, env), line))
    return out


# --- bash (the subset the guide test runs) -----------------------------------------------------


def sh_statements(text: str) -> list[Statement]:
    """Lines of a ```sh block; ``cat > FILE <<'EOF' … EOF`` becomes one statement
    ``["cat", ">", FILE, "<<'EOF'", BODY]``."""
    out = []
    lines = iter(text.replace("\\\n", " ").splitlines())
    for line in lines:
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "cat":
            if words[1] != ">" or not line.rstrip().endswith("<<'EOF'"):
                raise ShellSyntaxError(f"only cat > FILE <<'EOF' is supported: {line!r}")
            body = []
            for row in lines:
                if row == "EOF":
                    break
                body.append(row)
            out.append(Statement(["cat", ">", words[2], "<<'EOF'", "\n".join(body) + "\n"], line))
            continue
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            out.append(Statement(words, line, {name: value}))
            continue
        out.append(Statement(words, line))
    return out


def statements(block: Block) -> list[Statement]:
    return {"sh": sh_statements, "bat": cmd_statements, "powershell": powershell_statements}[
        block.lang
    ](block.text)


# --- the command tree -------------------------------------------------------------------------


def check_invocation(app: Any, args: list[str]) -> list[str]:
    """Parse ``svcmonth ARGS`` as the real program would, without running the command, and
    return the command path (e.g. ``["member", "extend"]``). Raises the framework's usage
    error on an unknown command or option, a missing or extra argument, a bad choice."""
    root = typer.main.get_command(app)
    path: list[str] = []
    try:
        ctx = root.make_context("svcmonth", list(args))
        command = root
        while hasattr(command, "resolve_command"):
            rest = [*ctx._protected_args, *ctx.args]
            if not rest:
                break
            name, sub, rest = command.resolve_command(ctx, rest)
            assert sub is not None and name is not None
            path.append(name)
            ctx = sub.make_context(name, rest, parent=ctx)
            command = sub
    except typer.Exit:  # --version, --help: eager options that end the parse
        pass
    return path
