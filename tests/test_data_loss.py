"""Nothing of the clerk's is lost (issue 16 of the texts, "Data loss"): a folder a command
writes into keeps every file the command did not write, a database anywhere in it refuses
the build, ``backup`` takes the attachments along, and a second reject keeps the reason."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from svcmonth.errors import SvcmonthError
from svcmonth.output import outfile


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


# --- site build and the one folder writer ------------------------------------------------------


def test_site_build_twice_with_a_database_and_a_clerks_file_in_the_folder_loses_nothing(
    c2023, submit, tmp_path
):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00", "柜台前的微笑")
    c2023("grade", str(sid), "--level", "2")
    folder = tmp_path / "专栏"
    c2023("site", "build", str(folder))
    assert (folder / "index.html").is_file()
    # the clerk keeps a note there, then makes a database there (``init`` inside 专栏/)
    (folder / "说明.txt").write_text("上传前检查", encoding="utf-8")
    c2023("init", "--db", str(folder / "svc.db"))
    before = tree(folder)
    err = c2023.fails("site", "build", str(folder))
    assert err == (
        f"Error: {folder} holds a database file ({folder / 'svc.db'}); nothing was written: "
        "give a folder of its own for the output\n"
    )
    assert tree(folder) == before
    conn = sqlite3.connect(folder / "svc.db")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    # without the database, the rebuild replaces its pages and keeps the note
    (folder / "svc.db").unlink()
    c2023("site", "build", str(folder))
    assert (folder / "说明.txt").read_text(encoding="utf-8") == "上传前检查"
    assert (folder / "index.html").is_file()


def test_a_database_deep_in_the_folder_or_under_another_name_refuses_the_build(c2023, tmp_path):
    folder = tmp_path / "专栏"
    c2023("site", "build", str(folder))
    (folder / "备份" / "七月").mkdir(parents=True)
    c2023("init", "--db", str(folder / "备份" / "七月" / "旧库.bak"))
    err = c2023.fails("site", "build", str(folder))
    assert "旧库.bak" in err and "nothing was written" in err


def test_a_file_the_build_would_write_that_it_did_not_write_is_refused(c2023, tmp_path):
    folder = tmp_path / "专栏"
    c2023("site", "build", str(folder))
    manifest = json.loads((folder / ".svcmonth-manifest.json").read_text(encoding="utf-8"))
    assert manifest["writer"] == "site build" and "index.html" in manifest["files"]
    # the clerk's own scan.html replaced the built one (the manifest lists it: it is replaced)
    (folder / "scan.html").write_text("clerk", encoding="utf-8")
    c2023("site", "build", str(folder))
    assert (folder / "scan.html").read_text(encoding="utf-8") != "clerk"
    # a page the manifest does not list (hand-edited out) is the clerk's: refused, kept
    del manifest["files"]["scan.html"]
    (folder / ".svcmonth-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "scan.html").write_text("clerk", encoding="utf-8")
    err = c2023.fails("site", "build", str(folder))
    assert err == (
        f"Error: {folder / 'scan.html'} was not written by svcmonth site build; "
        "move it away or choose another folder\n"
    )
    assert (folder / "scan.html").read_text(encoding="utf-8") == "clerk"


def test_a_site_built_before_the_manifest_is_rebuilt_keeping_the_clerks_files(c2023, tmp_path):
    folder = tmp_path / "专栏"
    folder.mkdir()
    (folder / ".svcmonth-site").write_text("Built by svcmonth site build\n", encoding="utf-8")
    (folder / "index.html").write_text("old", encoding="utf-8")
    (folder / "年终总结.docx").write_bytes(b"PK clerk")
    c2023("site", "build", str(folder))
    assert (folder / "年终总结.docx").read_bytes() == b"PK clerk"
    assert (folder / "index.html").read_text(encoding="utf-8") != "old"
    assert not (folder / ".svcmonth-site").exists()
    assert (folder / ".svcmonth-manifest.json").is_file()


def test_the_folder_writer_owns_only_its_manifest(tmp_path):
    out = tmp_path / "导出"
    done = outfile.write_folder(out, {"a.txt": "一", "sub/b.bin": b"\x00\x01"}, writer="export")
    assert done.written == ["a.txt", "sub/b.bin"] and done.removed == []
    assert (out / "a.txt").read_text(encoding="utf-8") == "一"
    if os.name != "nt":  # owner-only unless public
        assert stat.S_IMODE((out / "sub" / "b.bin").stat().st_mode) == 0o600
        assert stat.S_IMODE((out / "sub").stat().st_mode) == 0o700
    (out / "sub" / "mine.txt").write_text("keep", encoding="utf-8")
    done = outfile.write_folder(out, {"c.txt": "三"}, writer="export")
    assert done.removed == ["a.txt", "sub/b.bin"]
    assert tree(out).keys() == {".svcmonth-manifest.json", "c.txt", "sub/mine.txt"}
    # another command's folder is not this one's
    with pytest.raises(SvcmonthError, match="was not written by svcmonth site build"):
        outfile.write_folder(out, {"d.txt": "四"}, writer="site build")
    # a name outside the folder is a programming error, never a write
    with pytest.raises(ValueError):
        outfile.write_folder(tmp_path / "x", {"../escape.txt": ""}, writer="export")
    assert not (tmp_path / "escape.txt").exists()


def test_a_manifest_naming_files_outside_the_folder_removes_nothing_there(tmp_path):
    out = tmp_path / "导出"
    outfile.write_folder(out, {"a.txt": "一"}, writer="export")
    (tmp_path / "precious.txt").write_text("keep", encoding="utf-8")
    manifest = {"writer": "export", "files": {"a.txt": {}, "../precious.txt": {}}}
    (out / ".svcmonth-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    outfile.write_folder(out, {"b.txt": "二"}, writer="export")
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "keep"
    assert tree(out).keys() == {".svcmonth-manifest.json", "b.txt"}


# --- a second reject ---------------------------------------------------------------------------


def test_a_second_reject_without_a_reason_keeps_the_reason(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00", "柜台前的微笑")
    c2023("grade", str(sid), "--reject", "--reason", "与主题无关")
    c2023("grade", str(sid), "--reject")
    assert c2023.json("submission", "show", str(sid))["reject_reason"] == "与主题无关"
    c2023("grade", str(sid), "--reject", "--reason", "重复报送")  # a new reason replaces it
    assert c2023.json("submission", "show", str(sid))["reject_reason"] == "重复报送"
    c2023("grade", str(sid), "--clear")
    c2023("grade", str(sid), "--reject")  # rejected afresh: no reason of an earlier time
    assert c2023.json("submission", "show", str(sid))["reject_reason"] == ""


# --- backup takes the attachments; doctor checks them -------------------------------------------


@pytest.fixture
def mailed(c2023, tmp_path):
    """A mail with two pictures imported: their files in attachments/ beside the database."""
    from mailmaker import JPEG, mail, word

    raw = mail(
        "王丽 <WangLi@ICBC.example.cn>",
        word("【看图话服务】网点的微笑服务"),
        received="Mon, 24 Jul 2023 09:40:00 +0800",
        attachments=[
            (b'filename="a.jpg"', "image/jpeg", JPEG),
            (b'filename="b.jpg"', "image/jpeg", JPEG + b"b"),
        ],
    )
    (tmp_path / "m.eml").write_bytes(raw)
    c2023("inbox", "import", str(tmp_path / "m.eml"))
    conn = sqlite3.connect(c2023.db)
    rows = conn.execute("SELECT path FROM attachment ORDER BY id").fetchall()
    conn.close()
    assert len(rows) == 2
    return [r[0] for r in rows]


def test_backup_copies_the_attachments_beside_the_copy_owner_only(c2023, mailed, tmp_path):
    saved = tmp_path / "attachments"
    target = tmp_path / "备份" / "svc-0820.db"
    target.parent.mkdir()
    run = c2023("backup", str(target))
    copy = tmp_path / "备份" / "svc-0820.db.attachments"
    assert run.err.endswith(f"attachments: 2 file(s) copied to {copy}\n")
    for rel in mailed:
        assert (copy / rel).read_bytes() == (saved / rel).read_bytes()
        if os.name != "nt":
            assert stat.S_IMODE((copy / rel).stat().st_mode) == 0o600
    if os.name != "nt":
        assert stat.S_IMODE(copy.stat().st_mode) == 0o700
    # restored: the copy and its attachments in a new place pass doctor
    restored = tmp_path / "restored"
    restored.mkdir()
    os.replace(target, restored / "svc.db")
    os.replace(copy, restored / "attachments")
    c2023.db = restored / "svc.db"
    # (a backup is a single file in rollback-journal mode: doctor names that, nothing else)
    rows = {r["check"]: r for r in c2023("doctor", "--format", "json", code=1).json()}
    assert [c for c, r in rows.items() if r["status"] != "ok"] == ["journal_mode"]
    assert rows["attachments"] == {"check": "attachments", "status": "ok", "detail": "2 file(s) ok"}


def test_backup_refuses_an_existing_attachments_copy_and_writes_nothing(c2023, mailed, tmp_path):
    target = tmp_path / "b.db"
    (tmp_path / "b.db.attachments").mkdir()
    err = c2023.fails("backup", str(target))
    assert err == f"Error: {tmp_path / 'b.db.attachments'} already exists; choose a new file\n"
    assert not target.exists()


def test_doctor_names_a_missing_or_altered_attachment(c2023, mailed, tmp_path):
    saved = tmp_path / "attachments"
    (saved / mailed[0]).unlink()
    (saved / mailed[1]).write_bytes(b"not the picture the mail brought")
    run = c2023("doctor", "--format", "json", code=1)
    bad = [r for r in run.json() if r["status"] == "problem"]
    assert bad == [
        {
            "check": "attachments",
            "status": "problem",
            "detail": f"in {saved}: missing: {mailed[0]}; changed since saved: {mailed[1]}",
        }
    ]
    assert run.err == "Error: 1 problem(s) found\n"


def test_a_run_killed_while_moving_files_in_leaves_a_folder_the_next_run_takes_over(
    tmp_path, monkeypatch
):
    out = tmp_path / "导出"
    outfile.write_folder(out, {"a.txt": "一", "b.txt": "二"}, writer="export")
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    real = os.replace
    moved = []

    def killed(src, dst):
        if str(dst).endswith("d.txt"):
            raise KeyboardInterrupt  # the run is killed after c.txt was moved in
        moved.append(dst)
        real(src, dst)

    monkeypatch.setattr(outfile.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        outfile.write_folder(out, {"c.txt": "三", "d.txt": "四"}, writer="export")
    monkeypatch.setattr(outfile.os, "replace", real)
    assert (out / "c.txt").is_file()  # moved in, and listed: the next run owns it
    done = outfile.write_folder(out, {"d.txt": "四"}, writer="export")
    assert done.removed == ["a.txt", "b.txt", "c.txt"]
    assert tree(out).keys() == {".svcmonth-manifest.json", "d.txt", "mine.txt"}
    assert [p.name for p in tmp_path.iterdir()] == ["导出"]  # no temporary folder left


def test_a_sub_folder_replaced_by_a_link_elsewhere_is_never_written_or_emptied(tmp_path):
    if os.name == "nt":
        pytest.skip("symbolic links need privileges on Windows")
    out = tmp_path / "导出"
    outfile.write_folder(out, {"pictures/1.png": b"png"}, writer="export")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "1.png").write_bytes(b"precious")
    (out / "pictures" / "1.png").unlink()
    (out / "pictures").rmdir()
    (out / "pictures").symlink_to(elsewhere)
    with pytest.raises(SvcmonthError, match="leads out of"):
        outfile.write_folder(out, {"pictures/1.png": b"new"}, writer="export")
    outfile.write_folder(out, {"index.html": "x"}, writer="export")  # 1.png no longer written
    assert (elsewhere / "1.png").read_bytes() == b"precious"
