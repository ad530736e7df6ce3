"""The framework's words in Chinese, and the canary for the pinned Typer version.

``cli/localize.py`` matches Click's English messages and draws help through Click's formatter
hooks. These tests fail the day a Typer upgrade changes one of those messages or hooks: then
read ``cli/localize.py`` again, adjust it, and move the pin in pyproject.toml.
"""

import re
import tomllib
from pathlib import Path

import pytest
import typer

from svcmonth.cli import localize

ROOT = Path(__file__).resolve().parents[1]


def test_typer_is_pinned_to_the_version_localize_was_written_for():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in deps["dependencies"] if d.startswith("typer")]
    assert len(pins) == 1 and re.fullmatch(r"typer==[\d.]+", pins[0].split()[0]), pins
    assert typer.__version__ == pins[0].split("==")[1]


def test_the_hooks_localize_uses_are_there():
    assert issubclass(localize.SvcmonthContext, typer.Context)
    formatter = localize.SvcmonthContext.formatter_class(width=60)
    for hook in ("write_usage", "write_heading", "write_dl", "write_text", "getvalue"):
        assert callable(getattr(formatter, hook))
    assert issubclass(typer.BadParameter, typer.TyperException)


# (what the user types, the English line, the Chinese line) — every framework error. Click's
# own English differs (``Got unexpected extra argument (x)``): a message that no pattern of
# localize.py matches any more comes out as Click wrote it, and both assertions fail.
FRAMEWORK_ERRORS = [
    (
        ("sumbit",),
        "No such command 'sumbit'. Did you mean: submit, site?",
        "错误：没有命令“sumbit”。您是不是要输入：submit、site？",
    ),
    (("member", "nosuch"), "No such command 'nosuch'.", "错误：没有命令“nosuch”。"),
    (
        ("member", "list", "--format"),
        "Option '--format' needs a value.",
        "错误：选项 '--format' 需要一个值。",
    ),
    (("report", "year-end"), "Missing option '--year'.", "错误：缺少选项 '--year'。"),
    (("member", "add"), "Missing argument 'CODE'.", "错误：缺少参数 '单位代码'。"),
    (
        ("member", "list", "-f", "pdf"),
        "Invalid value for '--format' / '-f': 'pdf' is not one of 'table', 'csv', 'json', "
        "'md', 'html', 'xlsx'.",
        "错误：'--format' / '-f' 的值无效：'pdf' 不在可选值 'table', 'csv', 'json', 'md', "
        "'html', 'xlsx' 之中。",
    ),
    (
        ("member", "list", "surplus"),
        "Unexpected extra argument(s): surplus",
        "错误：多余的参数：surplus",
    ),
    (("member", "list", "--bogus"), "No such option: --bogus", "错误：没有选项：--bogus"),
]


@pytest.mark.parametrize(("args", "english", "chinese"), FRAMEWORK_ERRORS)
def test_every_framework_error_in_english_and_chinese(svc, args, english, chinese):
    svc("init")
    assert svc(*args, code=2).err.splitlines()[-1] == "Error: " + english
    svc.lang = "zh_CN"
    line = svc(*args, code=2).err.splitlines()[-1]
    assert line == chinese


def test_cmd_exe_quote_split_gives_chinese_extra_arguments(svc):
    """cmd.exe does not know single quotes: --at '7月17日 9:40' arrives as two words."""
    svc("init")
    svc("member", "add", "ICBC", "工行")
    svc.lang = "zh_CN"
    err = svc(
        "submit",
        "ICBC",
        "--column",
        "先进事迹",
        "--title",
        "t",
        "--at",
        "'7月17日",
        "9:40'",
        code=2,
    ).err
    assert err.splitlines()[-1] == "错误：多余的参数：9:40'"


def test_help_is_drawn_in_chinese_with_typer_words_translated(svc):
    svc.lang = "zh_CN"
    out = svc("report", "year-end", "--help").out
    assert out.startswith("用法：svcmonth report year-end [选项]\n")
    assert "\n选项：\n" in out
    assert re.search(
        r"-f, --format \[table\|csv\|json\|md\|html\|xlsx\]\n +输出格式。  \[默认：table\]", out
    )
    assert re.search(r"--year 数字 +年度.*\[必填\]", out)
    assert re.search(r"-h, --help +显示本帮助并退出。", out)


def test_help_in_english_keeps_clicks_words(svc):
    out = svc("report", "year-end", "--help").out
    assert out.startswith("Usage: svcmonth report year-end [OPTIONS]\n")
    assert "\nOptions:\n" in out and "[default: table]" in out and "[required]" in out
    assert re.search(r"-h, --help +Show this message and exit\.", out)


def test_chinese_metavars_line_up_the_option_help(svc):
    """A CJK character takes two columns: every help text starts in the same column."""
    from svcmonth.output.render import display_width

    svc.lang = "zh_CN"
    lines = svc("report", "year-end", "--help").out.split("选项：\n")[1].splitlines()
    starts = {
        display_width(line[: m.start(1)])
        for line in lines
        if (m := re.match(r"  \S.*?\S {2,}(\S)", line))
    }
    assert len(starts) == 1, lines


def test_help_texts_are_marked_once_and_translated_when_shown():
    """A help text is declared ``help=N_("…")`` (marked, not translated at import) and
    translated once, by ``localize`` for the invocation that shows it."""
    translated_at_import = [
        f"{path.name}:{n}"
        for path in sorted((ROOT / "src" / "svcmonth" / "cli").glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "help=_(" in line
    ]
    assert translated_at_import == []
