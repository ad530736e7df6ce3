"""The message catalog (Babel): every message of the sources has a current Chinese
translation, the compiled catalog is the .po compiled, and an installed wheel speaks Chinese."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from svcmonth import _babel
from svcmonth.i18n import LOCALE_DIR

PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "svcmonth.po"
MO = PO.with_suffix(".mo")
FIX = "run: python -m svcmonth.i18n, translate the new entries in svcmonth.po, run it again"


def _catalog(path: Path):  # noqa: ANN202
    with open(path, "rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    pot = tmp_path_factory.mktemp("pot") / "svcmonth.pot"
    _babel.template(pot)
    return _catalog(pot)


def test_every_message_of_the_sources_has_a_chinese_translation(template):
    po = _catalog(PO)
    missing = [m.id for m in template if m.id and not (po.get(m.id) and po.get(m.id).string)]
    assert missing == [], FIX


def test_no_translation_is_fuzzy_or_stale(template):
    po = _catalog(PO)
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    stale = [m.id for m in po if m.id and template.get(m.id) is None]
    assert (fuzzy, stale, list(po.obsolete)) == ([], [], []), FIX


def test_a_translation_keeps_the_fields_of_its_message():
    fields = re.compile(r"\{[^{}]*\}")
    wrong = [
        m.id
        for m in _catalog(PO)
        if m.id and sorted(fields.findall(m.id)) != sorted(fields.findall(m.string))
    ]
    assert wrong == []


def test_the_compiled_catalog_is_the_po_compiled():
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(PO))
    assert MO.read_bytes() == compiled.getvalue(), "run: python -m svcmonth.i18n"


def test_command_docstrings_are_messages():
    found = _babel.command_docstrings(
        'import typer\napp = typer.Typer()\n@app.command("x")\ndef x():\n    """Do x."""\n'
        'def y():\n    """Not a command."""\ndef register(root):\n    root.command("z")(z)\n'
        'def z():\n    """Do z."""\n'
    )
    assert [doc for _line, doc in found] == ["Do x.", "Do z."]


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_speaks_chinese(tmp_path):
    """…from a folder whose path has Chinese characters and a space (issue 21): help, an
    error, the demo and the schedule naming its own executable."""
    root = Path(__file__).resolve().parents[1]
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(root)],
        check=True,
    )
    wheel = next(dist.glob("svcmonth-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "svcmonth/locale/zh_CN/LC_MESSAGES/svcmonth.mo" in names
    # a fresh venv holding only the wheel; its dependencies are read from this environment
    # (a .pth after the venv's own site-packages) instead of being installed again, which
    # took most of the test's time. The check below makes sure svcmonth is the wheel's copy.
    # installed where a clerk's Windows user folder puts it: Chinese and a space in the path
    venv = tmp_path / "服务月 工具" / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps"]
        + [str(wheel)],
        check=True,
        timeout=600,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    (Path(site) / "zz_test_deps.pth").write_text(deps + "\n", encoding="utf-8")
    where = subprocess.run(
        [str(python), "-c", "import svcmonth; print(svcmonth.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},  # not this run's PYTHONPATH (a worktree's src)
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    env = {"PATH": "/usr/bin:/bin", "SVCMONTH_DB": str(tmp_path / "none.db")}
    run = subprocess.run(
        [str(venv / "bin" / "svcmonth"), "report", "year-end", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("用法：svcmonth report year-end [选项]")
    assert "年度考核表" in run.stdout and "显示本帮助并退出。" in run.stdout
    failed = subprocess.run(
        [str(venv / "bin" / "svcmonth"), "member", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert failed.returncode == 1 and failed.stderr.startswith("错误：")
    demo_db = venv.parent / "演示 数据.db"
    demo = subprocess.run(
        [str(venv / "bin" / "svcmonth"), "demo", "--db", str(demo_db)],
        capture_output=True,
        text=True,
        env=env,
        cwd=venv.parent,
    )
    assert demo.returncode == 0, demo.stderr
    assert "中国工商银行" in demo.stdout and "Traceback" not in demo.stderr
    entries = subprocess.run(
        [str(venv / "bin" / "svcmonth"), "--db", str(demo_db), "schedule", "--platform", "linux"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert entries.returncode == 0, entries.stderr
    assert f"'{venv / 'bin' / 'svcmonth'}' --db '{demo_db}' remind --send" in entries.stdout
