"""报送包 and the archive (SPEC "Forwarding packages (报送包) and the archive"), through the CLI:
`forward ID… --to BODY --bundle`, `archive export`, `bundle import`."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import Svc, _copy
from docmaker import docx_file
from mailmaker import mail, word

CITY = "包头市银行业协会"
BODY = "中国银行业协会"


def _picture(path: Path, seed: bytes) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + hashlib.sha256(seed).digest() * 40)
    return path


@dataclass
class City:
    svc: Svc
    ids: list[int]
    zip: Path


@pytest.fixture
def city(c2023: Svc, submit: Callable[..., int], tmp_path: Path) -> City:
    """The city association's database: three articles (pictures, a .docx, typed), graded
    and one adopted, forwarded to 中国银行业协会 in one 报送包."""
    c2023("settings", "--association", CITY)
    files = tmp_path / "files"
    files.mkdir()
    pics = [_picture(files / "路演现场1.png", b"1"), _picture(files / "路演现场2.png", b"2")]
    doc = docx_file(files / "先进事迹.docx", "营业部开展宣传路演", "正文第一段。")
    ids = [
        submit("ICBC", "看图话服务", "2023-07-13 10:00", "组图：服务路演现场",
               "--attach", str(pics[0]), "--attach", str(pics[1])),
        submit("ABC", "先进事迹", "2023-07-14 10:00", "营业部开展“六公约一承诺”宣传路演",
               "--attach", str(doc)),
        submit("BOC", "学习体会", "2023-07-15 10:00", "学习体会", "--author", "张三"),
    ]  # fmt: skip
    c2023("grade", str(ids[0]), "--level", "3")
    c2023("grade", "auto")
    c2023("adopt", str(ids[1]), "--outlet", "银行视窗", "--on", "2023-07-20")
    out = tmp_path / "报送包.zip"
    c2023("forward", *map(str, ids), "--to", BODY, "--bundle", str(out), "--on", "2023-07-25")
    return City(c2023, ids, out)


def _manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json").decode("utf-8"))


def _files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}


def test_bundle_of_three_articles_opens_with_zipfile(city: City) -> None:
    with zipfile.ZipFile(city.zip) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
    assert {"报送清单.xlsx", "报送函.docx", "manifest.json"} <= set(names)
    folders = sorted(n for n in names if n.endswith("/"))
    assert folders == [
        "1_中国工商银行内蒙古分行_组图：服务路演现场/",
        "2_中国农业银行内蒙古分行_营业部开展“六公约一承诺”宣传路演/",
        "3_中国银行内蒙古分行_学习体会/",
    ]
    assert "1_中国工商银行内蒙古分行_组图：服务路演现场/路演现场2.png" in names
    assert "2_中国农业银行内蒙古分行_营业部开展“六公约一承诺”宣传路演/先进事迹.docx" in names
    assert all(len(n) < 100 for n in names)


def test_bundle_list_and_letter_carry_rows_and_names(city: City, tmp_path: Path) -> None:
    svc = city.svc
    svc.lang = "zh_CN"
    out = tmp_path / "zh.zip"
    svc("forward", *map(str, city.ids), "--to", BODY, "--bundle", str(out))
    files = _files(out)
    ws = openpyxl.load_workbook(io.BytesIO(files["报送清单.xlsx"])).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[0][0] == f"{CITY}报送{BODY}稿件清单"
    assert cells[1][0] == "报送日期：2023年7月25日"  # the day recorded, rebuilt the same
    assert cells[2] == ["序号", "单位名称", "栏目", "标题", "作者", "报送时间", "等级",
                        "刊用单位", "附件"]  # fmt: skip
    assert cells[3][:6] == [1, "中国工商银行内蒙古分行", "看图话服务", "组图：服务路演现场",
                            "王丽", "2023-07-13 10:00"]  # fmt: skip
    assert cells[3][8] == "路演现场1.png，路演现场2.png"
    assert cells[4][1] == "中国农业银行内蒙古分行" and cells[4][7] == "银行视窗"
    assert cells[5][3:5] == ["学习体会", "张三"] and cells[5][8] is None
    assert any(f"制表单位：{CITY}" in str(v) for row in cells for v in row if v)
    letter = docx.Document(io.BytesIO(files["报送函.docx"]))
    text = "\n".join(p.text for p in letter.paragraphs)
    assert f"{BODY}：" in text and "3篇" in text and CITY in text and "2023年7月25日" in text
    table = [[c.text for c in r.cells] for r in letter.tables[0].rows]
    assert [r[3] for r in table[1:]] == [
        "组图：服务路演现场", "营业部开展“六公约一承诺”宣传路演", "学习体会"
    ]  # fmt: skip
    assert [r[1] for r in table[1:]] == [
        "中国工商银行内蒙古分行", "中国农业银行内蒙古分行", "中国银行内蒙古分行"
    ]  # fmt: skip


def test_manifest_matches_the_database(city: City) -> None:
    m = _manifest(city.zip)
    assert m["format"] == "svcmonth-bundle/1"
    assert len(m["bundle"]) == 64
    assert (m["association"], m["body"], m["forwarded_on"]) == (CITY, BODY, "2023-07-25")
    assert m["campaign"] == {
        "name": "2023服务月", "title": "2023服务月", "start": "2023-07-11", "end": "2023-08-11",
        "time_zone": "Asia/Shanghai",
    }  # fmt: skip
    files = _files(city.zip)
    assert [s["id"] for s in m["submissions"]] == city.ids
    for s in m["submissions"]:
        shown = city.svc.json("submission", "show", str(s["id"]))
        assert s["member"] == shown["member"]
        assert (s["column"], s["kind"], s["title"]) == (
            shown["column"], shown["kind"], shown["title"]
        )  # fmt: skip
        assert (s["author"], s["level"], s["points"]) == (
            shown["author"], shown["level"], shown["points"]
        )  # fmt: skip
        assert s["adopted_by"] == [a["outlet"] for a in shown["adoptions"]]
        assert s["submitted_at"].startswith(shown["submitted_at"].replace(" ", "T"))
        assert [(f["size"], f["sha256"]) for f in s["files"]] == [
            (a["size"], a["sha256"]) for a in shown["attachments"]
        ]
        for f in s["files"]:
            assert hashlib.sha256(files[f["path"]]).hexdigest() == f["sha256"]
        assert {"中国银行业协会"} == {f["body"] for f in shown["forwardings"]}
    assert m["submissions"][0]["member_name"] == "中国工商银行内蒙古分行"


def test_rerunning_forward_bundle_records_nothing_twice(city: City, tmp_path: Path) -> None:
    svc = city.svc
    log = len(svc.json("log"))
    manifest = _manifest(city.zip)
    city.zip.unlink()  # the zip was lost: the same command rebuilds it
    run = svc("forward", *map(str, city.ids), "--to", BODY, "--bundle", str(city.zip))
    assert "0 forwarding(s) newly recorded" in run.err
    assert _manifest(city.zip) == manifest
    assert len(svc.json("log")) == log
    assert [len(svc.json("submission", "show", str(i))["forwardings"]) for i in city.ids] == [1] * 3
    # without --bundle a forwarding already recorded is still refused
    assert "already recorded" in svc.fails("forward", str(city.ids[0]), "--to", BODY)


def test_forward_bundle_failure_records_nothing(
    c2023: Svc, submit: Callable[..., int], tmp_path: Path
) -> None:
    c2023("settings", "--association", CITY)
    ids = [
        submit("ICBC", "学习体会", "2023-07-13 10:00", "甲"),
        submit("ABC", "学习体会", "2023-07-14 10:00", "乙"),
    ]
    before = c2023.dump()
    folder = tmp_path / "a folder"
    folder.mkdir()
    c2023.fails("forward", *map(str, ids), "--to", BODY, "--bundle", str(folder))
    c2023.fails("forward", *map(str, ids), "999", "--to", BODY, "--bundle", str(tmp_path / "x.zip"))
    assert c2023.dump() == before
    assert not (tmp_path / "x.zip").exists()


def test_forward_takes_several_ids(c2023: Svc, submit: Callable[..., int]) -> None:
    ids = [
        submit("ICBC", "学习体会", "2023-07-13 10:00", "甲"),
        submit("ABC", "学习体会", "2023-07-14 10:00", "乙"),
    ]
    c2023("forward", *map(str, ids), "--to", BODY, "--on", "2023-07-25")
    assert [len(c2023.json("submission", "show", str(i))["forwardings"]) for i in ids] == [1, 1]


@pytest.fixture
def province(tmp_path: Path, templates: dict[str, Path]) -> Svc:
    """The provincial association's own database, the city association one of its members."""
    (tmp_path / "province").mkdir()  # its own attachment store beside it
    s = Svc(tmp_path / "province" / "province.db", CliRunner())
    _copy(templates["c2023"], s.db)
    s("settings", "--association", "内蒙古银行业协会")
    s("member", "add", "BTBA", CITY, "--officer", "赵敏", "--phone", "13904710009")
    return s


def test_bundle_import_logs_under_the_sending_association(city: City, province: Svc) -> None:
    run = province("bundle", "import", str(city.zip))
    new = [int(x) for x in run.out.split()]
    assert len(new) == 3
    listed = {s["id"]: s for s in province.json("submission", "list")}
    sent = _manifest(city.zip)["submissions"]
    for sid, s in zip(new, sent, strict=True):
        row = listed[sid]
        assert (row["member"], row["column"], row["title"]) == ("BTBA", s["column"], s["title"])
        assert row["author"] == f"{s['member_name']}：{s['author']}"
        assert row["submitted_at"] == "2023-07-25T00:00:00+08:00"  # forwarded_on, rule 11
        shown = province.json("submission", "show", str(sid))
        assert [a["sha256"] for a in shown["attachments"]] == [f["sha256"] for f in s["files"]]
        for a in shown["attachments"]:
            stored = province.db.parent / "attachments" / a["path"]
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == a["sha256"]
    before = province.dump()
    again = province("bundle", "import", str(city.zip))
    assert again.out == "" and "3 already logged" in again.err
    assert province.dump() == before


def test_bundle_import_two_bundles_with_the_same_article_add_it_once(
    city: City, province: Svc, tmp_path: Path
) -> None:
    other = tmp_path / "银监分局.zip"
    city.svc("forward", str(city.ids[0]), "--to", "银监分局", "--bundle", str(other))
    # forwarded today, after the campaign: rule 11 places it only in a campaign named
    assert "--campaign" in province.fails("bundle", "import", str(other))
    run = province("bundle", "import", str(other), "--campaign", "2023服务月")
    assert len(run.out.split()) == 1
    assert len(province("bundle", "import", str(city.zip)).out.split()) == 2
    assert len(province.json("submission", "list")) == 3


def test_bundle_import_unknown_association_says_how_to_register(
    city: City, tmp_path: Path, templates: dict[str, Path]
) -> None:
    (tmp_path / "other").mkdir()
    s = Svc(tmp_path / "other" / "other.db", CliRunner())
    _copy(templates["c2023"], s.db)
    before = s.dump()
    err = s.fails("bundle", "import", str(city.zip))
    assert f"member add CODE {CITY}" in err and "--as" in err
    assert s.dump() == before
    s("bundle", "import", str(city.zip), "--as", "ICBC")
    assert {r["member"] for r in s.json("submission", "list")} == {"ICBC"}


def _rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes | None],
             extra: dict[str, bytes] | None = None) -> Path:  # fmt: skip
    """A copy of the bundle with entries changed (None: left out) and extra ones added."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                out.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            out.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return target


def _refused(province: Svc, bundle: Path, reason: str) -> None:
    before = province.dump()
    store = province.db.parent / "attachments"
    err = province.fails("bundle", "import", str(bundle))
    assert "nothing was imported" in err and reason in err, err
    assert province.dump() == before
    assert not store.exists() or not [p for p in store.rglob("*") if p.is_file()]


def test_bundle_import_refuses_a_tampered_file(city: City, province: Svc, tmp_path: Path) -> None:
    def tamper(name: str, data: bytes) -> bytes:
        return data[:-1] + b"!" if name.endswith("路演现场2.png") else data

    _refused(province, _rewrite(city.zip, tmp_path / "t.zip", tamper), "does not match")


def test_bundle_import_refuses_a_missing_or_extra_file(
    city: City, province: Svc, tmp_path: Path
) -> None:
    def drop(name: str, data: bytes) -> bytes | None:
        return None if name.endswith(".docx") and "/" in name else data

    _refused(province, _rewrite(city.zip, tmp_path / "m.zip", drop), "is missing")
    extra = {"1_中国工商银行内蒙古分行_组图：服务路演现场/病毒.exe": b"MZ"}
    _refused(
        province,
        _rewrite(city.zip, tmp_path / "e.zip", lambda n, d: d, extra),
        "not in its manifest",
    )


@pytest.mark.parametrize(
    "name", ["../evil.txt", "a/../../evil.txt", "/etc/evil", "C:/evil.txt", "a\\..\\evil.txt"]
)
def test_bundle_import_refuses_a_path_outside_its_folder(
    city: City, province: Svc, tmp_path: Path, name: str
) -> None:
    bad = _rewrite(city.zip, tmp_path / "p.zip", lambda n, d: d, {name: b"x"})
    _refused(province, bad, "leads outside its folder")


def test_bundle_import_refuses_a_zip_bomb(city: City, province: Svc, tmp_path: Path) -> None:
    bomb = b"\0" * (16 << 20)  # 16 MiB of zeros: some 16 KiB compressed

    def swap(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            m = json.loads(data)
            f = m["submissions"][2]
            f["files"] = [{"path": "3_中国银行内蒙古分行_学习体会/bomb.txt", "size": len(bomb),
                           "sha256": hashlib.sha256(bomb).hexdigest()}]  # fmt: skip
            return json.dumps(m).encode()
        return data

    bad = _rewrite(
        city.zip, tmp_path / "b.zip", swap, {"3_中国银行内蒙古分行_学习体会/bomb.txt": bomb}
    )
    _refused(province, bad, "zip bomb")


def test_bundle_import_refuses_a_bomb_whose_sizes_lie(
    city: City, province: Svc, tmp_path: Path
) -> None:
    bomb = b"\0" * (16 << 20)
    name = "3_中国银行内蒙古分行_学习体会/bomb.txt"
    small = b"tiny"

    def swap(entry: str, data: bytes) -> bytes:
        if entry == "manifest.json":
            m = json.loads(data)
            m["submissions"][2]["files"] = [
                {"path": name, "size": 4, "sha256": hashlib.sha256(small).hexdigest()}
            ]
            return json.dumps(m).encode()
        return data

    bad = _rewrite(city.zip, tmp_path / "l.zip", swap, {name: bomb})
    raw = bytearray(bad.read_bytes())
    # declare 4 bytes for the 16 MiB entry, in its local header and its central directory
    with zipfile.ZipFile(bad) as zf:
        info = zf.getinfo(name)
    real = info.file_size.to_bytes(4, "little")
    assert raw.count(real) >= 2
    bad.write_bytes(bytes(raw).replace(real, (4).to_bytes(4, "little")))
    before = province.dump()
    err = province.fails("bundle", "import", str(bad))
    assert "nothing was imported" in err and "bomb.txt" in err, err
    assert province.dump() == before


def test_bundle_import_refuses_another_format(city: City, province: Svc, tmp_path: Path) -> None:
    def other(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            return json.dumps({**json.loads(data), "format": "svcmonth-bundle/2"}).encode()
        return data

    _refused(province, _rewrite(city.zip, tmp_path / "f.zip", other), "svcmonth-bundle/2")
    not_zip = tmp_path / "n.zip"
    not_zip.write_bytes(b"not a zip")
    _refused(province, not_zip, "not a zip file")


def test_folder_names_are_safe_on_windows(
    c2023: Svc, submit: Callable[..., int], tmp_path: Path
) -> None:
    c2023("settings", "--association", CITY)
    long_title = "一个非常长的标题" * 30
    ids = [
        submit("ICBC", "学习体会", "2023-07-13 10:00", "CON"),
        submit("ICBC", "学习体会", "2023-07-13 11:00", 'a<b>c:d"e|f?g*h/i\\j. '),
        submit("ICBC", "学习体会", "2023-07-13 12:00", long_title),
    ]
    out = tmp_path / "w.zip"
    c2023("forward", *map(str, ids), "--to", BODY, "--bundle", str(out))
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
    for n in names:
        assert len(n) < 100
        for part in n.rstrip("/").split("/"):
            assert not set('<>:"|?*\\') & set(part)
            assert not part.endswith((".", " "))
            assert part.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}


def test_archive_of_the_demo_holds_every_counted_file_once(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    svc = Svc(db, CliRunner())
    svc("demo", "--db", str(db), "--quiet")
    svc("settings", "--association", CITY)
    pic = _picture(tmp_path / "照片.png", b"demo")
    doc = docx_file(tmp_path / "稿件.docx", "正文")
    kept = svc(
        "submit", "ICBC", "--column", "看图话服务", "--title", "组图", "--at", "2023-07-20 10:00",
        "--attach", str(pic), "--attach", str(pic), "--attach", str(doc),
    ).out.strip()  # fmt: skip
    gone = svc(
        "submit", "ICBC", "--column", "学习体会", "--title", "撤回的", "--at", "2023-07-20 11:00",
        "--attach", str(doc),
    ).out.strip()  # fmt: skip
    svc("submission", "withdraw", gone, "--reason", "重复")
    out = tmp_path / "归档.zip"
    svc("archive", "export", "--output", str(out))
    listed = svc.json("submission", "list")
    counted = [s for s in listed if s["status"] in ("graded", "pending")]
    m = _manifest(out)
    assert sorted(s["id"] for s in m["submissions"]) == sorted(s["id"] for s in counted)
    assert int(gone) not in {s["id"] for s in m["submissions"]}
    stored = [
        a for s in counted for a in svc.json("submission", "show", str(s["id"]))["attachments"]
    ]
    files = _files(out)
    folders = {n: d for n, d in files.items() if n not in ("目录.xlsx", "manifest.json")}
    assert sorted(hashlib.sha256(d).hexdigest() for d in folders.values()) == sorted(
        a["sha256"] for a in stored
    )
    with zipfile.ZipFile(out) as zf:
        assert len(zf.namelist()) == len(set(zf.namelist()))
        assert all(len(n) < 100 for n in zf.namelist())
    ours = next(s for s in m["submissions"] if s["id"] == int(kept))
    assert [f["path"].split("/")[:2] for f in ours["files"]] == [
        ["中国工商银行内蒙古分行", "看图话服务"]
    ] * 3
    ws = openpyxl.load_workbook(io.BytesIO(files["目录.xlsx"])).active
    assert ws.max_row >= len(counted) + 3
    assert "报送函.docx" not in files
    shutil.rmtree(tmp_path / "attachments")


def test_bundle_carries_the_mail_body_as_zhengwen_txt(c2023: Svc, tmp_path: Path) -> None:
    c2023("settings", "--association", CITY)
    eml = tmp_path / "m.eml"
    eml.write_bytes(
        mail(
            "王丽 <WangLi@ICBC.example.cn>",
            word("【先进事迹】爱心座椅"),
            date="Tue, 18 Jul 2023 10:19:30 +0800",
            message_id="<20230718101930.9@icbc.example.cn>",
            body="网点为老年客户设置了爱心座椅。\n\n第二段。",
        )
    )
    c2023("inbox", "import", str(eml))
    sid = c2023("inbox", "accept").out.strip()
    out = tmp_path / "b.zip"
    c2023("forward", sid, "--to", BODY, "--bundle", str(out), "--on", "2023-07-25")
    files = _files(out)
    body = files["1_中国工商银行内蒙古分行_爱心座椅/正文.txt"]
    assert body.decode("utf-8-sig") == "网点为老年客户设置了爱心座椅。\r\n\r\n第二段。"
    entry = _manifest(out)["submissions"][0]
    assert [f["path"] for f in entry["files"]] == ["1_中国工商银行内蒙古分行_爱心座椅/正文.txt"]


def test_an_archive_imports_at_each_submission_own_time(
    city: City, province: Svc, tmp_path: Path
) -> None:
    out = tmp_path / "归档.zip"
    city.svc("archive", "export", "-o", str(out))
    assert _manifest(out)["forwarded_on"] is None
    province("bundle", "import", str(out))
    times = sorted(s["submitted_at"] for s in province.json("submission", "list"))
    assert times == ["2023-07-13T10:00:00+08:00", "2023-07-14T10:00:00+08:00",
                     "2023-07-15T10:00:00+08:00"]  # fmt: skip


def test_bundle_import_refuses_too_many_entries(city: City, province: Svc, tmp_path: Path) -> None:
    many = {f"d{i}/": b"" for i in range(10_001)}
    _refused(province, _rewrite(city.zip, tmp_path / "n.zip", lambda n, d: d, many), "entries")


def test_bundle_import_failing_midway_keeps_no_file(
    city: City, province: Svc, submit: Callable[..., int], tmp_path: Path
) -> None:
    # the last article is in a column the province does not have: the first ones' files,
    # already copied, are removed with the rolled-back transaction
    city.svc("column", "add", "金融知识")
    extra = submit("ICBC", "金融知识", "2023-07-16 10:00", "金融知识进社区",
                   "--attach", str(_picture(tmp_path / "x.png", b"x")))  # fmt: skip
    out = tmp_path / "col.zip"
    city.svc("forward", *map(str, [*city.ids, extra]), "--to", BODY, "--bundle", str(out),
             "--on", "2023-07-25")  # fmt: skip
    before = province.dump()
    err = province.fails("bundle", "import", str(out))
    assert "金融知识" in err
    assert province.dump() == before
    store = province.db.parent / "attachments"
    assert not store.exists() or not [p for p in store.rglob("*") if p.is_file()]


def test_a_bundle_re_zipped_on_chinese_windows_is_read(
    city: City, province: Svc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WinRAR, 7-Zip and Explorer on a Chinese PC store names in GBK without the UTF-8 flag;
    read as cp437 they became µèÑ… and the bundle was refused."""
    original = zipfile.ZipInfo._encodeFilenameFlags

    def gbk(self: zipfile.ZipInfo) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800

    rezipped = tmp_path / "重新压缩.zip"
    with zipfile.ZipFile(city.zip) as source:
        entries = [(i.filename, source.read(i)) for i in source.infolist()]
    monkeypatch.setattr(zipfile.ZipInfo, "_encodeFilenameFlags", gbk)
    with zipfile.ZipFile(rezipped, "w") as target:
        for name, data in entries:
            target.writestr(name, data)
    monkeypatch.setattr(zipfile.ZipInfo, "_encodeFilenameFlags", original)
    with zipfile.ZipFile(rezipped) as check:  # as a plain reader sees it: not UTF-8
        assert not any(i.flag_bits & 0x800 for i in check.infolist())
    run = province("bundle", "import", str(rezipped))
    assert len(run.out.split()) == 3
