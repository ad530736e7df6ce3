"""The Chinese manual (README.zh-CN.md) stays true: every shell block in it runs or parses.

- ```sh blocks run command by command through the CLI, in document order, in one temporary
  folder with a fixed clock, so that later sections build on the campaign of "秘书处的一周".
  A line ending in ``# 退出码 N`` must exit N; files the manual tells the clerk to download
  or save (a survey export, saved mail) are made by the test the first time a command names
  them (``FIXTURES``).
- ```bat (cmd.exe) and ```powershell blocks are split with that shell's quoting rules
  (tests/manual_shells.py) and every svcmonth invocation is parsed against the real command
  tree: the command exists, every option is declared, the arguments fit.
- Every command of the program is shown somewhere, so a new command without a section fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import typer.main
from typer.testing import CliRunner

import mailmaker
import survey_exports
from manual_shells import (
    SHELLS,
    Block,
    ShellSyntaxError,
    Statement,
    blocks,
    check_invocation,
    cmd_statements,
    split_cmd,
    statements,
)
from svcmonth import __version__
from svcmonth.cli.app import COMMAND_MODULES, app

GUIDE = Path(__file__).resolve().parents[1] / "README.zh-CN.md"
NOW = "2023-08-20T10:00:00+08:00"
WHEEL = f"svcmonth-{__version__}-py3-none-any.whl"
# commands the manual shows that are not svcmonth: checked, not run
INSTALLERS = (["py", "-m", "pip", "install"], ["python3", "-m", "pip", "install"], ["uv", "tool"])
WINDOWS_COMMANDS = {
    "bat": {"cd", "mkdir", "set", "setx"},
    "powershell": {"cd", "mkdir", "$env:", "SetEnvironmentVariable", "Start-ScheduledTask"},
}


def _manual() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _week_block(lang: str = "sh") -> Block:
    (block,) = [b for b in blocks(_manual()) if b.section == "秘书处的一周" and b.lang == lang]
    return block


# --- files the manual has the clerk download or save -------------------------------------------


def _survey_export(path: Path) -> None:
    survey_exports.write_xlsx(path, *survey_exports.small())


def _saved_mail(folder: Path) -> None:
    """What the clerk saves from the mail client: a report from a known officer, an article
    from an address nobody registered, one whose subject names no column, an auto-reply."""
    folder.mkdir()
    arrived = "Mon, 24 Jul 2023 10:{:02d}:00 +0800"
    messages = [
        mailmaker.mail(
            "王丽 <wangli@icbc.example.cn>",
            mailmaker.word("【活动扫描】工行第二周活动扫描"),
            received=arrived.format(5),
            message_id="<a1@icbc.example.cn>",
            attachments=[(mailmaker.rfc2231("网点活动照片.jpg"), "image/jpeg", mailmaker.JPEG)],
        ),
        mailmaker.mail(
            "赵刚 <zhaogang@ccb.example.cn>",
            mailmaker.word("【先进事迹】建行营业部为老年客户上门服务"),
            received=arrived.format(20),
            message_id="<a2@ccb.example.cn>",
        ),
        mailmaker.mail(
            "李强 <liqiang@abc.example.cn>",
            mailmaker.word("农行网点开展反诈宣传"),
            received=arrived.format(30),
            message_id="<a3@abc.example.cn>",
        ),
        mailmaker.mail(
            "张敏 <zhangmin@boc.example.cn>",
            mailmaker.word("自动回复：我已休假"),
            received=arrived.format(40),
            message_id="<a4@boc.example.cn>",
            headers=[b"Auto-Submitted: auto-replied"],
        ),
    ]
    for n, raw in enumerate(messages, start=1):
        (folder / f"来信{n}.eml").write_bytes(raw)


def _photo(path: Path) -> None:
    path.write_bytes(mailmaker.JPEG)


FIXTURES: dict[str, Callable[[Path], None]] = {
    "问卷星导出.xlsx": _survey_export,
    "来信": _saved_mail,
    "网点照片.jpg": _photo,
}


# --- running the blocks -------------------------------------------------------------------------


def _check_installer(statement: Statement) -> bool:
    words = statement.words
    if not any(words[: len(prefix)] == prefix for prefix in INSTALLERS):
        return False
    wheels = [w for w in words if w.endswith(".whl")]
    assert wheels and all(Path(w.replace("\\", "/")).name == WHEEL for w in wheels), (
        f"the manual installs {wheels}, the package builds {WHEEL}: {statement.source}"
    )
    if "-i" in words:
        assert words[words.index("-i") + 1].startswith("https://"), statement.source
    return True


def _svcmonth_args(words: list[str]) -> list[str] | None:
    if words[0] == "svcmonth":
        return words[1:]
    if words[:3] in (["py", "-m", "svcmonth"], ["python3", "-m", "svcmonth"]):
        return words[3:]
    return None


class Session:
    """One clerk at one desk: a folder, the environment, the commands typed so far."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.env = {"SVCMONTH_NOW": NOW, "NO_COLOR": "1", "SVCMONTH_LANG": "", "COLUMNS": "200"}
        self.runner = CliRunner()
        self.outputs: dict[str, str] = {}  # "submit icbc" → what it printed
        self.paths: set[tuple[str, ...]] = set()  # every command path shown in the manual
        self.typed: list[tuple[list[str], str]] = []  # every svcmonth command run, and its output

    def run_sh(self, block: Block) -> None:
        for statement in statements(block):
            words = statement.words
            where = f"README.zh-CN.md:{block.line} ({block.section}): {statement.source}"
            if words[0] == "export":
                self.env.update(statement.env)
            elif words[0] == "cat":
                target = self.folder / words[2]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(words[4], encoding="utf-8")
            elif words[0] == "mkdir":
                for name in words[1:]:
                    if name != "-p":
                        (self.folder / name).mkdir(parents=True, exist_ok=True)
            elif _check_installer(statement):
                pass
            else:
                args = _svcmonth_args(words)
                assert args is not None, f"not a command the test knows: {where}"
                self.paths.add(tuple(check_invocation(app, args)))
                for word in args:
                    if word in FIXTURES and not (self.folder / word).exists():
                        FIXTURES[word](self.folder / word)
                result = self.runner.invoke(app, args, env=self.env)
                self.typed.append((args, result.stdout + result.stderr))
                expected = re.search(r"#\s*退出码\s*(\d+)", statement.source)
                code = int(expected[1]) if expected else 0
                assert result.exit_code == code, f"{where}\n{result.stdout}\n{result.stderr}"
                assert "Traceback" not in result.stdout + result.stderr, where
                if code == 0:
                    assert not result.stderr.startswith("错误"), where
                self.outputs.setdefault(" ".join(args[:2]), result.stdout + result.stderr)
                self.outputs[statement.source.split("#")[0].strip()] = result.stdout + result.stderr

    def run_windows(self, block: Block) -> None:
        """Run a cmd or PowerShell block here (it must need no Windows: variables for this
        window and svcmonth commands only)."""
        for statement in statements(block):
            where = f"README.zh-CN.md:{block.line} ({block.section}): {statement.source}"
            if statement.words[0] in ("set", "$env:"):
                self.env.update(statement.env)
                continue
            args = _svcmonth_args(statement.words)
            assert args is not None, f"needs Windows, cannot run here: {where}"
            self.paths.add(tuple(check_invocation(app, args)))
            result = self.runner.invoke(app, args, env=self.env)
            assert result.exit_code == 0, f"{where}\n{result.stdout}\n{result.stderr}"
            self.typed.append((args, result.stdout + result.stderr))

    def parse_windows(self, block: Block) -> None:
        for statement in statements(block):
            words = statement.words
            where = f"README.zh-CN.md:{block.line} ({block.section}): {statement.source}"
            if words[0] in WINDOWS_COMMANDS[block.lang] or _check_installer(statement):
                continue
            args = _svcmonth_args(words)
            assert args is not None, f"not a command the test knows: {where}"
            try:
                self.paths.add(tuple(check_invocation(app, args)))
            except Exception as exc:
                raise AssertionError(f"{where}\n{exc}") from exc


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """Every block of the manual, in order, once for the module."""
    folder = tmp_path_factory.mktemp("manual")
    mp = pytest.MonkeyPatch()
    mp.chdir(folder)
    try:
        desk = Session(folder)
        for block in blocks(_manual()):
            if block.lang == "sh":
                desk.run_sh(block)
            elif block.lang in SHELLS:
                desk.parse_windows(block)
    finally:
        mp.undo()
    return desk


def test_the_readme_points_to_the_chinese_guide():
    readme = GUIDE.with_name("README.md").read_text(encoding="utf-8")
    assert "[README.zh-CN.md](README.zh-CN.md)" in readme.split("\n## ")[0]


def test_every_block_is_a_shell_the_test_knows_or_plain_text():
    langs = {block.lang for block in blocks(_manual())}
    assert langs <= {*SHELLS, "text"}, langs
    assert set(SHELLS) <= langs


def test_every_block_of_the_manual_runs_or_parses(session: Session):
    # spot checks of what the later sections say the commands do
    out = session.outputs
    listed = out["svcmonth inbox list"]
    assert all(status in listed for status in ("待登记", "未识别单位", "待定栏目", "已搁置"))
    assert "已登记稿件 3 篇" in out["svcmonth inbox accept"]
    pictures = sorted(p.name for p in (session.folder / "attachments").rglob("*.jpg"))
    assert pictures == ["网点活动照片.jpg", "网点照片.jpg"]  # the mail's, then submit --attach's
    assert (session.folder / "第2期通报.docx").exists() and (
        session.folder / "会员动态.html"
    ).exists()
    assert (session.folder / "2023年统计表.xlsx").exists()
    # the 报送包 travels one level up and is logged there once
    assert (session.folder / "报送包-内蒙古银行业协会.zip").exists()
    provincial = out["svcmonth --db 自治区协会.db submission list"]
    assert provincial.count("HHHT") == 1 and "招商银行呼和浩特分行：孙悦" in provincial, provincial
    assert "调查问卷" not in out.get("survey import", "错误")
    assert (session.folder / "调查结果.md").read_text(encoding="utf-8").startswith("#")
    assert (session.folder / "专栏" / "index.html").exists()
    assert "Register-ScheduledTask" in out["schedule --platform"]


def test_every_command_of_the_program_has_a_place_in_the_manual(session: Session):
    root = typer.main.get_command(app)
    missing = []
    for name in COMMAND_MODULES:
        command = root.commands[name]  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        if subs:
            missing += [f"{name} {sub}" for sub in subs if (name, sub) not in session.paths]
        elif (name,) not in session.paths:
            missing.append(name)
    assert not missing, f"commands the manual never shows: {missing}"


def test_every_command_group_has_its_own_section():
    """One `##` section per command group, so the lead can append a section per new group."""
    text = _manual()
    for name in COMMAND_MODULES:
        assert re.search(rf"^## .*`{name}`", text, re.M) or re.search(
            rf"^## .*\b{name}\b", text, re.M
        ), f"no `##` section names the command {name}"


def test_the_clerks_week_in_the_chinese_guide_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    desk = Session(tmp_path)
    desk.run_sh(_week_block())
    outputs = desk.outputs
    assert "已登记 #1：ICBC 第1周活动扫描，按时" in outputs["submit icbc"]
    deadlines = outputs["check deadlines"].splitlines()
    assert [row.split()[4] for row in deadlines[2:6]] == ["按时", "迟报", "未报", "未报"]
    assert "已完成" not in outputs["check quota"]
    assert "待发送" in outputs["remind --as-of"]
    ws = openpyxl.load_workbook(tmp_path / "2023年度信息宣传考核.xlsx")["2023年度考核"]
    assert ws["A1"].value == "2023年度信息宣传工作考核表"
    assert (tmp_path / "服务月备份-2023-08-20.db").exists()


# --- the shells themselves ----------------------------------------------------------------------


def test_cmd_keeps_double_quotes_together_and_splits_single_quotes():
    line = "svcmonth submit ICBC --column 活动扫描 --title 测试 --at "
    assert split_cmd(line + '"7月17日 9:40"')[-1] == "7月17日 9:40"
    assert split_cmd(line + "'7月17日 9:40'")[-2:] == ["'7月17日", "9:40'"]


def test_cmd_set_with_a_name_and_address_needs_the_quoted_form():
    with pytest.raises(ShellSyntaxError):
        cmd_statements("set SVCMONTH_SMTP_FROM=协会秘书处 <xcb@assoc.example.cn>")
    (quoted,) = cmd_statements('set "SVCMONTH_SMTP_FROM=协会秘书处 <xcb@assoc.example.cn>"')
    assert quoted.env == {"SVCMONTH_SMTP_FROM": "协会秘书处 <xcb@assoc.example.cn>"}


def test_powershell_takes_single_and_double_quotes_and_a_backtick_continuation():
    block = Block(
        "powershell",
        "$env:SVCMONTH_DB = 'D:\\服务月\\svcmonth.db'\n"
        'svcmonth --db "$env:SVCMONTH_DB" submit ICBC `\n'
        "  --column 活动扫描 --title 'it''s' --at \"7月17日 9:40\"  # 注释\n",
        1,
        "",
    )
    *_, last = statements(block)
    assert last.words == [
        "svcmonth",
        "--db",
        "D:\\服务月\\svcmonth.db",
        "submit",
        "ICBC",
        "--column",
        "活动扫描",
        "--title",
        "it's",
        "--at",
        "7月17日 9:40",
    ]


def test_a_mistyped_option_in_a_windows_block_is_caught():
    with pytest.raises(Exception, match="--untill"):
        check_invocation(app, ["member", "extend", "CMB", "--week", "2", "--untill", "7月25日"])


def test_help_is_chinese():
    result = CliRunner().invoke(app, ["--help"], env={"SVCMONTH_LANG": ""})
    assert result.exit_code == 0
    assert result.stdout.startswith("用法：svcmonth")
    assert "Usage" not in result.stdout and "Options" not in result.stdout


def _english_words(text: str, typed: list[str]) -> list[str]:
    for word in typed:
        text = text.replace(word, "")
    return re.findall(r"[A-Za-z]{3,}", re.sub(r"-[-\w]+", "", text))


def test_a_single_quoted_time_typed_in_cmd_gets_a_chinese_error():
    words = split_cmd("svcmonth submit ICBC --column 活动扫描 --title 测试 --at '7月17日 9:40'")
    assert words[-2:] == ["'7月17日", "9:40'"]  # what cmd.exe passes
    result = CliRunner().invoke(app, words[1:], env={"SVCMONTH_LANG": "", "SVCMONTH_NOW": NOW})
    assert result.exit_code == 2  # a usage error, nothing run
    assert "错误" in result.stderr
    assert not _english_words(result.stderr, words), result.stderr


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_manuals_links_to_its_own_sections_lead_somewhere():
    text = _manual()
    anchors = {_anchor(h) for h in re.findall(r"^#{2,4} (.+)$", text, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert links
    assert [link for link in links if link not in anchors] == []


@pytest.mark.parametrize("shell", ["bat", "powershell"])
def test_the_clerks_week_typed_in_cmd_or_powershell_does_the_same(shell, tmp_path, monkeypatch):
    """The Windows versions of the week: split by that shell's rules, the same commands with
    the same arguments, the same outputs, the same files."""
    monkeypatch.chdir(tmp_path)
    bash = Session(tmp_path / "sh")
    bash.folder.mkdir()
    monkeypatch.chdir(bash.folder)
    bash.run_sh(_week_block())
    windows = Session(tmp_path / shell)
    windows.folder.mkdir()
    monkeypatch.chdir(windows.folder)
    # the members' CSV the clerk saved from Excel
    (windows.folder / "会员单位.csv").write_bytes((bash.folder / "会员单位.csv").read_bytes())
    windows.run_windows(_week_block(shell))
    assert [args for args, _ in windows.typed] == [args for args, _ in bash.typed]
    assert windows.typed == bash.typed
    assert {p.name for p in windows.folder.iterdir()} == {p.name for p in bash.folder.iterdir()}


def test_the_wps_error_the_manual_quotes_is_the_one_the_clerk_sees(session, monkeypatch):
    """The manual's ```text block for a workbook left open in WPS, against the Windows branch
    simulated as tests/test_windows.py does (``os.name`` "nt", every rename refused)."""
    import os

    from svcmonth import platform

    (quoted,) = [
        b.text for b in blocks(_manual()) if b.lang == "text" and b.text.startswith("错误：")
    ]
    monkeypatch.chdir(session.folder)
    monkeypatch.setattr(platform, "NAME", "nt")
    monkeypatch.setattr(platform, "SLEEP", lambda seconds: None)

    def refused(source, target):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "拒绝访问。", os.fspath(target))

    monkeypatch.setattr(os, "replace", refused)
    args = ["report", "year-end", "--year", "2023", "--format", "xlsx", "-o", "年度考核表.xlsx"]
    result = CliRunner().invoke(app, args, env=session.env)
    assert result.exit_code == 1
    assert result.stderr == quoted
