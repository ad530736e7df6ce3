"""The Chinese user guide (README.zh-CN.md) stays true: its clerk's week runs, command by
command, and says what the guide says it does."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from svcmonth.cli.app import app

GUIDE = Path(__file__).resolve().parents[1] / "README.zh-CN.md"


def _week_block() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## 秘书处的一周") :]
    return re.search(r"```sh\n(.*?)```", section, re.S)[1]


def test_the_readme_points_to_the_chinese_guide():
    readme = GUIDE.with_name("README.md").read_text(encoding="utf-8")
    assert "[README.zh-CN.md](README.zh-CN.md)" in readme.split("\n## ")[0]


def test_the_clerks_week_in_the_chinese_guide_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"SVCMONTH_NOW": "2023-08-20T10:00:00+08:00", "NO_COLOR": "1", "SVCMONTH_LANG": ""}
    runner = CliRunner()
    outputs: dict[str, str] = {}
    lines = iter(_week_block().replace("\\\n", " ").splitlines())
    for line in lines:
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            env[name] = value
        elif words[0] == "cat":  # cat > FILE <<'EOF' … EOF
            body = []
            for row in lines:
                if row == "EOF":
                    break
                body.append(row)
            Path(words[2]).write_text("\n".join(body) + "\n", encoding="utf-8")
        else:
            assert words[0] == "svcmonth", line
            result = runner.invoke(app, words[1:], env=env)
            assert result.exit_code == 0, f"{line}\n{result.stdout}\n{result.stderr}"
            assert not result.stderr.startswith("错误"), line
            outputs[" ".join(words[1:3])] = result.stdout + result.stderr
    assert "已登记 #1：ICBC 第1周活动扫描，按时" in outputs["submit icbc"]
    deadlines = outputs["check deadlines"].splitlines()
    assert [row.split()[4] for row in deadlines[2:6]] == ["按时", "迟报", "未报", "未报"]
    assert "已完成" not in outputs["check quota"]
    assert "待发送" in outputs["remind --as-of"]
    ws = openpyxl.load_workbook(tmp_path / "2023年度信息宣传考核.xlsx")["2023年度考核"]
    assert ws["A1"].value == "2023年度信息宣传工作考核表"
    assert (tmp_path / "服务月备份-2023-08-20.db").exists()
