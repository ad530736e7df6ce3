"""The website's 服务月专栏 (``site build``) and ``--format html``: what is published, that
every page is valid, escaped and self-contained, and that a rebuild leaves nothing stale."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import subprocess
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import survey_exports as ex
from conftest import Svc
from site_data import mail_in, picture_mail, png, png_size
from svcmonth import site
from svcmonth.output import outfile, pages

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
DOCX = b"PK\x03\x04 not a picture"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HIDDEN = {
    "pending": "待评稿件PENDING",
    "rejected": "退稿稿件REJECTED",
    "withdrawn": "撤回稿件WITHDRAWN",
}


@pytest.fixture(scope="session")
def campaign_template(
    tmp_path_factory: pytest.TempPathFactory, templates: dict[str, Path]
) -> tuple[Path, dict[str, int]]:
    """A campaign with something of every status, a hostile title, a picture and reports,
    built once through the CLI (and the mail intake); each test gets a copy."""
    c2023 = Svc(tmp_path_factory.mktemp("site") / "svc.db", CliRunner())
    shutil.copyfile(templates["c2023"], c2023.db)
    os.chmod(c2023.db, 0o600)

    def submit(code: str, column: str, at: str, title: str, *extra: str) -> int:
        run = c2023("submit", code, "--column", column, "--title", title, "--at", at, *extra)
        return int(run.out.strip())

    ids = {}
    ids["reportw1"] = submit("ICBC", "活动扫描", "2023-07-17 09:00", "工行第一周活动扫描")
    ids["reportw2"] = submit("ABC", "活动扫描", "2023-07-24 09:30", "农行第二周活动扫描")
    ids["deed"] = submit(
        "ICBC", "先进事迹", "2023-07-12 10:00", "先进事迹甲", "--url", "https://news.example.cn/a"
    )
    ids["deed2"] = submit("BOC", "先进事迹", "2023-07-20 15:00", "先进事迹乙")
    ids["hostile"] = submit(
        "ABC", "感动人物", "2023-07-13 10:00", HOSTILE, "--url", "javascript:alert(1)"
    )
    # the picture comes by mail from an address not yet known: assigned to BOC, remembered
    ids["picture"] = mail_in(
        c2023,
        picture_mail(
            "张敏 <zhangmin@boc.example.cn>",
            "【看图话服务】柜台前的微笑",
            "2023-07-18 11:00",
            [("微笑.png", png(64, 48), "image/png"), ("说明.docx", DOCX, DOCX_TYPE)],
        ),
        "--member",
        "BOC",
        "--remember",
    )
    ids["rejected"] = submit("ICBC", "学习体会", "2023-07-14 10:00", HIDDEN["rejected"])
    ids["withdrawn"] = submit("ABC", "先进事迹", "2023-07-15 10:00", HIDDEN["withdrawn"])
    c2023("grade", str(ids["rejected"]), "--reject", "--reason", "离题")
    c2023("submission", "withdraw", str(ids["withdrawn"]))
    c2023("grade", "auto")
    ids["pending"] = submit("ICBC", "学习体会", "2023-07-19 10:00", HIDDEN["pending"])
    assert not Path(f"{c2023.db}-wal").exists()  # closed cleanly: the file holds everything
    return c2023.db, ids


@pytest.fixture
def campaign(c2023, campaign_template):
    """This test's copy of the campaign template (the database and its ``attachments/``
    folder), as the svc runner with ``ids`` (title → submission id) attached."""
    db, ids = campaign_template
    shutil.copyfile(db, c2023.db)
    os.chmod(c2023.db, 0o600)
    shutil.copytree(db.parent / "attachments", c2023.db.parent / "attachments")
    c2023.ids = dict(ids)
    return c2023


def build(svc, folder: Path, *args: str) -> str:
    return svc("site", "build", str(folder), *args).err


def html_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html"))


def all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in html_files(folder))


def parse_strict(text: str) -> Any:
    """Parse as the WHATWG HTML5 parser does, failing on any parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


class Links(HTMLParser):
    """Every tag and its attributes, to look for scripts and external references."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def links(text: str) -> Links:
    parser = Links()
    parser.feed(text)
    parser.close()
    return parser


def entries(text: str) -> list[str]:
    """The titles of a column page's list, in page order."""
    doc = parse_strict(text)
    return ["".join(e.itertext()) for e in doc.iter("span") if e.get("class") == "title"]


# --- what is published -----------------------------------------------------------------


def test_index_and_a_page_per_member_column(campaign, tmp_path):
    out = tmp_path / "专栏"
    err = build(campaign, out)
    # with the mailed picture's own page (its mail body)
    assert err == f"wrote 7 pages and 1 pictures to {out}\n"
    assert sorted(p.name for p in out.iterdir()) == [
        ".svcmonth-manifest.json",
        "article-6.html",
        "deeds.html",
        "index.html",
        "people.html",
        "pictures",
        "pictures.html",
        "scan.html",
        "study.html",
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<title>2023服务月</title>" in index
    assert "2023-07-11 to 2023-08-11" in index
    # the weeks with their deadlines, local time to the minute
    assert "<td>2023-07-24 – 2023-07-30</td><td>2023-08-14 12:00</td>" not in index
    assert "<td>2023-07-24 – 2023-07-30</td><td>2023-07-31 12:00</td>" in index
    # the scoreboard: ranked by points, names, 是/否 as yes/no in English
    rows = [
        ["".join(td.itertext()) for td in tr.iter("td")]
        for tr in parse_strict(index).iter("tr")
        if tr.find("td") is not None
    ]
    board = [r for r in rows if len(r) == 10]
    expected = campaign.json("report", "scoreboard")
    assert [(r[0], r[1], r[2], r[7]) for r in board] == [
        (str(r["rank"]), r["member"], r["name"], str(r["points"])) for r in expected
    ]
    assert len(board) == 3


def test_pending_rejected_and_withdrawn_appear_nowhere(campaign, tmp_path):
    build(campaign, tmp_path / "out")
    text = all_text(tmp_path / "out")
    for title in HIDDEN.values():
        assert title not in text
    assert "先进事迹甲" in text and "柜台前的微笑" in text


def test_a_column_lists_newest_first_with_date_member_and_link(campaign, tmp_path):
    build(campaign, tmp_path / "out")
    deeds = (tmp_path / "out" / "deeds.html").read_text(encoding="utf-8")
    assert entries(deeds) == ["先进事迹乙", "先进事迹甲"]
    assert (
        '<span class="title"><a href="https://news.example.cn/a" rel="noopener noreferrer">'
        "先进事迹甲</a></span>\n"
        '<span class="meta"><time datetime="2023-07-12">2023-07-12</time> · 中国工商银行内蒙古分行'
        "</span>" in deeds
    )
    # no url: the title is plain text
    assert '<span class="title">先进事迹乙</span>' in deeds


def test_a_url_that_is_not_http_is_never_a_link(campaign, tmp_path):
    build(campaign, tmp_path / "out")
    assert "javascript:" not in all_text(tmp_path / "out")


def test_scan_page_lists_reports_by_week_latest_first(campaign, tmp_path):
    build(campaign, tmp_path / "out")
    scan = parse_strict((tmp_path / "out" / "scan.html").read_text(encoding="utf-8"))
    sections = [("".join(s.find("h2").itertext()), entries_of(s)) for s in scan.iter("section")]
    assert sections == [
        ("Week 2 (07-17 – 07-23)", ["农行第二周活动扫描"]),
        ("Week 1 (07-11 – 07-16)", ["工行第一周活动扫描"]),
    ]


def entries_of(element: Any) -> list[str]:
    return ["".join(e.itertext()) for e in element.iter("span") if e.get("class") == "title"]


def test_deactivated_members_are_not_published(campaign, tmp_path):
    campaign("member", "deactivate", "BOC")
    build(campaign, tmp_path / "out")
    text = all_text(tmp_path / "out")
    assert "先进事迹乙" not in text and "中国银行内蒙古分行" not in text


def test_as_of_leaves_out_what_came_later(campaign, tmp_path):
    build(campaign, tmp_path / "out", "--as-of", "2023-07-16 00:00")
    text = all_text(tmp_path / "out")
    assert "先进事迹甲" in text and "先进事迹乙" not in text
    assert "Figures as of 2023-07-16 00:00" in text


# --- valid, escaped, self-contained ---------------------------------------------------------


def test_every_page_parses_as_html5_in_chinese_for_a_phone(campaign, tmp_path):
    build(campaign, tmp_path / "out")
    for page in html_files(tmp_path / "out"):
        text = page.read_text(encoding="utf-8")
        assert text.startswith('<!DOCTYPE html>\n<html lang="zh-CN">'), page.name
        doc = parse_strict(text)  # raises on any parse error
        head = {m.get("name"): m.get("content") for m in doc.iter("meta")}
        assert head["viewport"] == "width=device-width, initial-scale=1", page.name
        assert len(list(doc.iter("style"))) == 1, page.name
        assert "@media print" in "".join(doc.find("head").find("style").itertext())


def test_a_hostile_title_is_text_not_markup(campaign, tmp_path):
    build(campaign, tmp_path / "out")
    for page in html_files(tmp_path / "out"):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower(), page.name
        assert not [t for t, a in links(text).tags if t == "script" or "onerror" in a]
    people = (tmp_path / "out" / "people.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img" in people
    assert entries(people) == [HOSTILE]


def test_no_external_references(campaign, tmp_path):
    """Nothing loads from elsewhere: no script, stylesheet, font or picture from another
    host; the only absolute addresses are the submissions' own links."""
    build(campaign, tmp_path / "out")
    urls = {"https://news.example.cn/a"}
    for page in html_files(tmp_path / "out"):
        text = page.read_text(encoding="utf-8")
        for tag, attrs in links(text).tags:
            assert tag not in ("script", "link", "iframe", "object", "embed", "base"), page.name
            for name in ("src", "href", "srcset", "action", "poster", "data"):
                value = attrs.get(name)
                if value is None:
                    continue
                external = re.match(r"^\s*([a-z][a-z0-9+.-]*:|//)", value, re.I)
                if tag == "a" and name == "href" and value in urls:
                    continue
                assert not external, (page.name, tag, name, value)
        assert "@import" not in text and "url(" not in text, page.name


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
        min_size=1,
        max_size=40,
    )
)
def test_any_title_reads_back_exactly_and_the_page_stays_valid(title):
    entry = pages.Entry(1, "2023-07-12", "2023-07-12T10:00:00+08:00", "单位", title)
    column = pages.ColumnPage("先进事迹", "deeds.html", entries=[entry])
    text = pages.render_column(_site([column]), column)
    assert entries(text) == [pages.clean_text(title)]


def _site(columns: list[pages.ColumnPage]) -> pages.Site:
    return pages.Site(
        campaign="2023服务月",
        dates="2023-07-11 to 2023-08-11",
        as_of="2023-08-20 10:00",
        weeks=[],
        week_columns=[],
        scoreboard=[],
        scoreboard_columns=[],
        columns=columns,
    )


# --- rebuilding ----------------------------------------------------------------------------


def test_a_rebuild_drops_what_is_gone_and_keeps_what_it_did_not_write(campaign, tmp_path):
    out = tmp_path / "out"
    build(campaign, out)
    picture = next((out / "pictures").iterdir())
    (out / "旧稿.html").write_text("the clerk's", encoding="utf-8")
    campaign("submission", "withdraw", str(campaign.ids["picture"]))
    campaign("grade", str(campaign.ids["deed"]), "--reject")
    err = build(campaign, out)
    assert err == f"wrote 6 pages and 0 pictures to {out}\n"
    assert (out / "旧稿.html").read_text(encoding="utf-8") == "the clerk's"
    assert not picture.exists() and not (out / "pictures").exists()
    text = all_text(out)
    assert "柜台前的微笑" not in text and "先进事迹甲" not in text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_a_failed_build_leaves_the_earlier_site_whole(campaign, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(campaign, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    campaign("submission", "withdraw", str(campaign.ids["deed"]))

    def full_disk(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outfile.shutil, "copyfile", full_disk)
    err = campaign.fails("site", "build", str(out))
    assert err == f"Error: cannot write {out}: the disk is full\n"
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attachments", "out", "svc.db"]


def test_an_empty_folder_is_used(campaign, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    build(campaign, out)
    assert (out / "index.html").is_file()


@pytest.mark.parametrize("content", ["a user's file", None])
def test_a_folder_that_is_not_an_earlier_build_is_refused_and_left_alone(
    campaign, tmp_path, content
):
    target = tmp_path / "documents"
    if content is None:
        target.write_text("a file, not a folder", encoding="utf-8")
    else:
        target.mkdir()
        (target / "年终总结.docx").write_text(content, encoding="utf-8")
    before = campaign.dump()
    err = campaign.fails("site", "build", str(target))
    if content is None:
        assert err == f"Error: {target} is not a folder\n"
        assert target.read_text(encoding="utf-8") == "a file, not a folder"
    else:
        assert err == (
            f"Error: {target} is not empty and was not written by svcmonth site build; "
            "give a new or empty folder\n"
        )
        assert [p.name for p in target.iterdir()] == ["年终总结.docx"]
    assert campaign.dump() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attachments", "documents", "svc.db"]


def test_the_site_folder_is_readable_by_the_web_server(campaign, tmp_path):
    old = os.umask(0o077)  # cron or a careful clerk: files private by default
    try:
        build(campaign, tmp_path / "out")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    modes = {
        str(p.relative_to(tmp_path / "out")): stat.S_IMODE(p.stat().st_mode)
        for p in (tmp_path / "out").rglob("*")
    }
    sid = campaign.ids["picture"]
    assert modes["pictures"] == 0o755 and modes[f"pictures/{sid}-1.png"] == 0o644
    assert {m for name, m in modes.items() if name.endswith(".html")} == {0o644}


# --- pictures (看图话服务) -----------------------------------------------------------------


def test_pictures_are_copied_beside_the_pages_with_alt_text(campaign, tmp_path):
    out = tmp_path / "out"
    build(campaign, out)
    sid = campaign.ids["picture"]
    copied = out / "pictures" / f"{sid}-1.png"
    assert copied.read_bytes() == png(64, 48)
    assert list((out / "pictures").iterdir()) == [copied]  # the .docx is not a picture
    page = parse_strict((out / "pictures.html").read_text(encoding="utf-8"))
    assert [(i.get("src"), i.get("alt")) for i in page.iter("img")] == [
        (f"pictures/{sid}-1.png", "柜台前的微笑")
    ]
    style = "".join(page.find("head").find("style").itertext())
    assert "figure img { display: block; max-width: 100%; height: auto;" in style


def test_a_picture_mailed_by_an_officer_is_shown_on_the_pictures_page(c2023, submit, tmp_path):
    """The whole road: an officer's e-mail with a photo → inbox import → inbox accept →
    grade auto → site build: the photo is copied beside the pages and shown on 看图话服务."""
    photo = png(120, 90, seed=2)
    msg = EmailMessage()
    msg["Received"] = (
        "from mx.icbc.example.cn by mail.assoc.example.cn; Tue, 18 Jul 2023 10:20:00 +0800"
    )
    msg["From"] = "王丽 <WangLi@ICBC.example.cn>"
    msg["To"] = "xcb@assoc.example.cn"
    msg["Subject"] = "【看图话服务】新华大街支行的爱心座椅"
    msg["Date"] = "Tue, 18 Jul 2023 10:19:30 +0800"
    msg["Message-ID"] = "<20230718101930.1@icbc.example.cn>"
    msg.set_content("附件是网点为老年客户设置的爱心座椅照片。")
    msg.add_attachment(photo, maintype="image", subtype="png", filename="爱心座椅.png")
    eml = tmp_path / "爱心座椅.eml"
    eml.write_bytes(msg.as_bytes())

    c2023("inbox", "import", str(eml))
    [entry] = c2023.json("inbox", "list")
    assert (entry["member"], entry["column"], entry["status"], entry["attachments"]) == (
        "ICBC",
        "看图话服务",
        "ready",
        ["爱心座椅.png"],
    )
    sid = int(c2023("inbox", "accept").out)
    c2023("grade", "auto")
    out = tmp_path / "专栏"
    err = c2023("site", "build", str(out)).err
    assert err == f"wrote 7 pages and 1 pictures to {out}\n"

    copied = out / "pictures" / f"{sid}-1.png"
    assert copied.read_bytes() == photo
    assert stat.S_IMODE(copied.stat().st_mode) == 0o644  # the web server reads it
    page = parse_strict((out / "pictures.html").read_text(encoding="utf-8"))
    [item] = [li for li in page.iter("li") if li.find("span") is not None]
    assert entries_of(item) == ["新华大街支行的爱心座椅"]
    assert [(i.get("src"), i.get("alt")) for i in item.iter("img")] == [
        (f"pictures/{sid}-1.png", "新华大街支行的爱心座椅")
    ]
    assert "中国工商银行内蒙古分行" in "".join(item.itertext())


def test_a_picture_missing_changed_or_outside_the_folder_is_left_out(campaign, tmp_path):
    # the sender was remembered for BOC: this message is matched by its address
    sid = mail_in(
        campaign,
        picture_mail(
            "zhangmin@boc.example.cn",
            "【看图话服务】大堂一角",
            "2023-07-19 09:00",
            [
                (name, png(8, 8, seed=n), "image/png")
                for n, name in enumerate(["改过.png", "越界.png", "丢失.png"])
            ],
        ),
    )
    campaign("grade", str(sid), "--level", "2")
    conn = sqlite3.connect(campaign.db)
    with conn:
        files = dict(
            conn.execute("SELECT file_name, path FROM attachment WHERE submission_id = ?", (sid,))
        )
        conn.execute("UPDATE attachment SET path = '../outside.png' WHERE file_name = '越界.png'")
    conn.close()
    root = tmp_path / "attachments"
    (root / files["改过.png"]).write_bytes(png(9, 9))
    (tmp_path / "outside.png").write_bytes(png(8, 8, seed=1))
    (root / files["丢失.png"]).unlink()
    err = build(campaign, tmp_path / "out")
    assert err == (
        f"picture '改过.png' of submission {sid} has changed since it arrived; left out\n"
        f"picture '越界.png' of submission {sid} is missing; left out\n"
        f"picture '丢失.png' of submission {sid} is missing; left out\n"
        f"wrote 8 pages and 1 pictures to {tmp_path / 'out'}\n"
    )


def test_several_pictures_are_numbered_in_their_alt_text():
    entry = pages.Entry(
        7,
        "2023-07-18",
        "2023-07-18T11:00:00+08:00",
        "中国银行内蒙古分行",
        "网点风采",
        pictures=[
            pages.Picture("pictures/7-1.png", "网点风采 (1/2)"),
            pages.Picture("pictures/7-2.jpg", "网点风采 (2/2)", caption="大堂"),
        ],
    )
    column = pages.ColumnPage("看图话服务", "pictures.html", entries=[entry])
    doc = parse_strict(pages.render_column(_site([column]), column))
    assert [(i.get("src"), i.get("alt")) for i in doc.iter("img")] == [
        ("pictures/7-1.png", "网点风采 (1/2)"),
        ("pictures/7-2.jpg", "网点风采 (2/2)"),
    ]
    assert ["".join(f.itertext()) for f in doc.iter("figcaption")] == ["大堂"]


def test_a_submission_that_came_without_mail_has_no_pictures(c2023, submit):
    sid = submit("ICBC", "看图话服务", "2023-07-18 11:00", "图片")
    conn = sqlite3.connect(c2023.db)
    try:
        assert site.pictures_for(conn, c2023.db, [sid]) == {}
    finally:
        conn.close()


# --- the association's pages and the survey ------------------------------------------------


def test_the_clerks_markdown_pages_are_rendered_safely(campaign, tmp_path):
    folder = tmp_path / "稿件"
    folder.mkdir()
    (folder / "活动部署.md").write_text(
        "# 关于开展文明优质服务月活动的通知\n\n"
        "各会员单位：\n\n- 7月11日启动\n- **每周一12:00前**报送\n\n"
        "<script>alert(1)</script>\n\n"
        "[协会网站](https://www.example.org.cn/) [坏链接](javascript:alert(1))\n\n"
        "![外站图片](https://evil.example.com/x.png)\n",
        encoding="utf-8",
    )
    (folder / "银行业文明示范单位.md").write_bytes(
        "## 示范单位名单\n\n1. 工商银行\n".encode("gb18030")
    )
    (folder / "活动扫描.md").write_text("不是协会栏目", encoding="utf-8")
    out = tmp_path / "out"
    err = build(campaign, out, "--pages", str(folder))
    assert err.splitlines()[0] == (
        "活动扫描.md: no column of the association is named '活动扫描'; left out"
    )
    plan = (out / "plan.html").read_text(encoding="utf-8")
    parse_strict(plan)
    assert "<h1>关于开展文明优质服务月活动的通知</h1>" in plan
    assert "<li><strong>每周一12:00前</strong>报送</li>" in plan
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in plan
    assert '<a href="https://www.example.org.cn/">协会网站</a>' in plan
    anchors = [a for t, a in links(plan).tags if t == "a"]
    assert [a["href"] for a in anchors if a["href"].startswith("http")] == [
        "https://www.example.org.cn/"
    ]
    assert " [坏链接](javascript:alert(1))</p>" in plan  # refused as a link: shown as text
    assert "<p>!外站图片</p>" not in plan and "<p>外站图片</p>" in plan  # a picture: its alt text
    assert "<img" not in plan and "evil.example.com" not in plan
    models = (out / "models.html").read_text(encoding="utf-8")
    assert "<h2>示范单位名单</h2>" in models and "<li>工商银行</li>" in models
    nav = parse_strict((out / "index.html").read_text(encoding="utf-8")).find(".//nav")
    assert [a.get("href") for a in nav.iter("a")] == [
        "index.html",
        "scan.html",
        "deeds.html",
        "people.html",
        "study.html",
        "pictures.html",
        "models.html",
        "plan.html",
    ]


def test_a_missing_pages_folder_is_an_error(campaign, tmp_path):
    err = campaign.fails("site", "build", str(tmp_path / "out"), "--pages", str(tmp_path / "无"))
    assert err == f"Error: {tmp_path / '无'} is not a folder\n"
    assert not (tmp_path / "out").exists()


SURVEY_ROWS = [
    {"number": 1, "question": "您对网点服务是否满意", "type": "single", "option": "满意",
     "count": 30, "percent": 75.0, "respondents": 40},
    {"number": 1, "question": "您对网点服务是否满意", "type": "single", "option": "一般",
     "count": 10, "percent": 25.0, "respondents": 40},
    {"number": 2, "question": "您通过哪些渠道办理业务", "type": "multiple", "option": "柜台",
     "count": 28, "percent": 70.0, "respondents": 40},
    {"number": 2, "question": "您通过哪些渠道办理业务", "type": "multiple", "option": "手机银行",
     "count": 35, "percent": 87.5, "respondents": 40},
    {"number": 2, "question": "您通过哪些渠道办理业务", "type": "multiple",
     "option": "<b>自助</b>终端", "count": 1, "percent": 2.5, "respondents": 40, "other": True},
    {"number": 3, "question": "请为以下方面排序", "type": "ranking", "option": "服务态度",
     "count": 22, "percent": None, "respondents": 40, "average_rank": 1.4},
    {"number": 3, "question": "请为以下方面排序", "type": "ranking", "option": "等候时间",
     "count": 18, "percent": None, "respondents": 40, "average_rank": 1.6},
    {"number": 4, "question": "您的建议", "type": "text", "option": "延长营业时间",
     "count": 2, "percent": None, "respondents": 3},
]  # fmt: skip


def test_survey_results_as_bar_charts_without_script():
    text = pages.render_survey("2023年服务满意度调查", SURVEY_ROWS)
    doc = parse_strict(text)
    assert "<script" not in text
    questions = ["".join(h.itertext()) for h in doc.iter("h3")]
    assert questions == [
        "1. 您对网点服务是否满意",
        "2. 您通过哪些渠道办理业务",
        "3. 请为以下方面排序",
        "4. 您的建议",
    ]
    bars = [r.get("width") for r in doc.iter(SVG + "rect") if r.get("class") == "fill"]
    assert bars == ["75.0", "25.0", "70.0", "87.5", "55.0", "45.0"]
    cells = [
        ["".join(td.itertext()) for td in tr.iter("td") if td.get("class") != "bar"]
        for tr in doc.iter("tr")
        if tr.find("td") is not None
    ]
    assert cells == [
        ["满意", "30", "75.0%"],
        ["一般", "10", "25.0%"],
        ["柜台", "28", "70.0%"],
        ["手机银行", "35", "87.5%"],
        ["服务态度", "22", "1.4"],
        ["等候时间", "18", "1.6"],
    ]
    assert "<li>&lt;b&gt;自助&lt;/b&gt;终端</li>" in text  # the "other" answer, escaped
    assert "<li>延长营业时间 (2)</li>" in text


def test_a_survey_page_in_the_site(campaign):
    survey = pages.survey_from_rows("2023年服务满意度调查", SURVEY_ROWS)
    column = pages.ColumnPage("调查问卷", "survey.html", surveys=[survey])
    doc = parse_strict(pages.render_column(_site([column]), column))
    assert ["".join(h.itertext()) for h in doc.iter("h2")] == ["2023年服务满意度调查"]
    assert len(list(doc.iter(SVG + "svg"))) == 6


def test_an_imported_survey_is_published_with_bars_for_its_choice_questions(campaign, tmp_path):
    """survey import … --campaign → site build: the 调查问卷 page, linked from every page."""
    export = ex.write_xlsx(tmp_path / "问卷星导出.xlsx", *ex.small())
    campaign(
        "survey",
        "import",
        str(export),
        "--name",
        "2023年服务满意度调查",
        "--campaign",
        "2023服务月",
    )
    out = tmp_path / "out"
    assert build(campaign, out) == f"wrote 8 pages and 1 pictures to {out}\n"
    doc = parse_strict((out / "survey.html").read_text(encoding="utf-8"))
    assert ["".join(h.itertext()) for h in doc.iter("h2")] == ["2023年服务满意度调查"]
    assert ["".join(h.itertext()) for h in doc.iter("h3")] == [
        "1. 您所在的单位类型是？",
        "2. 您通过哪些渠道了解到本次服务月活动？",
        "3. 请对以下服务改进方向按重要性排序",
        "4. 您对本次活动还有什么意见和建议？",
    ]
    # single 45.5/27.3/18.2/9.1 %, multiple 66.7/50/50/16.7 %, ranking first places 6/3/1 of 10
    bars = [r.get("width") for r in doc.iter(SVG + "rect") if r.get("class") == "fill"]
    assert bars == ["45.5", "27.3", "18.2", "9.1", "66.7", "50.0", "50.0", "16.7"] + [
        "60.0",
        "30.0",
        "10.0",
    ]
    lists = ["".join(li.itertext()) for li in doc.iter("li")]
    assert "抖音短视频" in lists and "加强对县域网点的指导" in lists  # "other" and free text
    for page in ("index.html", "survey.html", "deeds.html"):
        nav = parse_strict((out / page).read_text(encoding="utf-8")).find(".//nav")
        assert [a.get("href") for a in nav.iter("a")][-1] == "survey.html"


def test_a_survey_of_another_campaign_is_not_on_this_site(campaign, tmp_path):
    campaign("campaign", "new", "2024服务月", "--start", "2024-07-11", "--end", "2024-08-11")
    export = ex.write_xlsx(tmp_path / "e.xlsx", *ex.small())
    campaign("survey", "import", str(export), "--name", "2024年调查", "--campaign", "2024服务月")
    out = tmp_path / "out"
    build(campaign, out, "--campaign", "2023服务月")
    assert not (out / "survey.html").exists()
    assert "2024年调查" not in all_text(out)


# --- report … --format html ----------------------------------------------------------------


def test_report_scoreboard_as_html(campaign, tmp_path):
    run = campaign("report", "scoreboard", "--format", "html")
    doc = parse_strict(run.out)
    assert "".join(doc.find(".//title").itertext()) == "2023服务月"
    heads = ["".join(th.itertext()) for th in doc.iter("th")]
    assert heads == [  # the scoreboard's declared labels, as in every human format
        "Rank",
        "Member code",
        "Member name",
        "Articles",
        "Weeks reported on time",
        "Weeks reported late",
        "Weeks not reported",
        "Points",
        "Adopted",
        "Article minimum met",
    ]
    json_rows = campaign.json("report", "scoreboard")
    rows = [
        ["".join(td.itertext()) for td in tr.iter("td")]
        for tr in doc.iter("tr")
        if tr.find("td") is not None
    ]
    assert rows == [
        [
            str(r["rank"]),
            r["member"],
            r["name"],
            str(r["articles"]),
            str(r["reports_on_time"]),
            str(r["reports_late"]),
            str(r["reports_missing"]),
            str(r["points"]),
            str(r["adopted"]),
            "yes" if r["quota_met"] else "no",
        ]
        for r in json_rows
    ]


def test_report_weekly_as_html_file_for_the_owner_only(campaign, tmp_path):
    target = tmp_path / "第2周.html"
    run = campaign("report", "weekly", "--week", "2", "--format", "html", "--output", str(target))
    assert run.err == f"wrote 3 rows to {target}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    doc = parse_strict(target.read_text(encoding="utf-8"))
    rows = [
        ["".join(td.itertext()) for td in tr.iter("td")]
        for tr in doc.iter("tr")
        if tr.find("td") is not None
    ]
    assert rows[1] == ["ABC", "中国农业银行内蒙古分行", "on time", "2023-07-24 09:30", "0", ""]
    assert rows[2][:3] == ["BOC", "中国银行内蒙古分行", "missing"]
    assert rows[2][4:] == ["2", "先进事迹 1, 看图话服务 1"]  # in the columns' order


def test_report_html_is_always_utf8(campaign, tmp_path):
    err = campaign.fails("report", "scoreboard", "--format", "html", "--encoding", "gb18030")
    assert err == "Error: --format html is always written in UTF-8\n"


# --- a real browser ------------------------------------------------------------------------


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium on this machine (Debian: apt-get install chromium)")


def browse(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--window-size=390,844",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HOME": str(profile)},
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page", "expected"),
    [("index.html", ["2023服务月", "中国工商银行内蒙古分行"]), ("pictures.html", ["柜台前的微笑"])],
)
def test_chromium_renders_the_pages_at_phone_width(campaign, tmp_path, page, expected):
    out = tmp_path / "out"
    build(campaign, out)
    url = (out / page).as_uri()
    dom = browse(url, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<html lang="zh-CN">' in dom.stdout
    for text in expected:
        assert text in dom.stdout
    shot = tmp_path / f"{page}.png"
    run = browse(url, tmp_path / "profile", f"--screenshot={shot}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert png_size(shot.read_bytes()) == (390, 844)
    assert shot.stat().st_size > 10_000  # drawn, not a blank page
