"""Documents (SPEC "Documents (通报, 会员动态)"): settings, campaign titles, typed attachments,
the weekly and final 通报 and the 会员动态 digest, in every format, through the CLI."""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from conftest import Svc
from docmaker import docx_file
from mailmaker import mail, word

TITLE = "2023年银行业文明<优质>服务月&"


def _png(path: Path) -> Path:
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\xcc\x33\x33" * 8 for _ in range(6))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 6, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


@dataclass
class Month:
    svc: Svc
    ids: dict[str, int]


@pytest.fixture
def month(c2023: Svc, submit: Callable[..., int], tmp_path: Path) -> Month:
    """A constructed month: week 1 ICBC on time, ABC late, BOC missing; an adopted article,
    a level-3 article with a .docx, a forwarded one, a pending and a rejected one."""
    c2023("settings", "--association", "内蒙古银行业协会")
    c2023("campaign", "edit", "2023服务月", "--title", TITLE)
    ids = {}
    submit("ICBC", "活动扫描", "2023-07-17 11:59", "工行第一周动态", "--week", "1")
    submit("ABC", "活动扫描", "2023-07-17 12:00", "农行第一周动态", "--week", "1")
    article = docx_file(
        tmp_path / "article.docx",
        "温暖服务暖人心",
        "七月以来，工行某支行开展“服务进社区”活动，为行动不便的老年客户上门办理业务。",
        "第二段。",
    )
    ids["level3"] = submit(
        "ICBC",
        "先进事迹",
        "2023-07-13 10:00",
        "温暖服务暖人心",
        "--attach",
        str(article),
        "--attach",
        str(_png(tmp_path / "photo.png")),
    )
    ids["adopted"] = submit("ABC", "学习体会", "2023-07-14 10:00", "学习<体会>&心得")
    ids["forwarded"] = submit("ICBC", "感动人物", "2023-07-15 10:00", "最美柜员")
    ids["pending"] = submit("BOC", "感动人物", "2023-07-15 11:00", "待审的稿件")
    ids["rejected"] = submit("BOC", "学习体会", "2023-07-16 11:00", "退回的稿件")
    ids["later"] = submit("ICBC", "学习体会", "2023-07-20 11:00", "第二周的稿件")
    c2023("grade", str(ids["level3"]), "--level", "3")
    c2023("grade", str(ids["adopted"]), "--level", "2")
    c2023("grade", str(ids["forwarded"]), "--level", "2")
    c2023("grade", str(ids["later"]), "--level", "2")
    c2023("grade", str(ids["rejected"]), "--reject", "--reason", "离题")
    c2023("adopt", str(ids["adopted"]), "--outlet", "中国银行业协会网站", "--on", "2023-07-16")
    c2023("forward", str(ids["forwarded"]), "--to", "中国银行业协会", "--on", "2023-07-16")
    return Month(c2023, ids)


def _zh(svc: Svc) -> Svc:
    svc.lang = "zh_CN"
    return svc


def test_settings_association_and_campaign_title(c2023: Svc) -> None:
    assert c2023.json("settings") == {"association": ""}
    c2023("settings", "--association", "内蒙古银行业协会")
    assert c2023.json("settings") == {"association": "内蒙古银行业协会"}
    c2023("campaign", "edit", "2023服务月", "--title", "2023年银行业文明优质服务月")
    log = c2023("log").out
    assert "内蒙古银行业协会" in log and "2023年银行业文明优质服务月" in log
    before = c2023.dump()
    c2023.fails("settings", "--association", "协会\x1b[31m")
    assert c2023.dump() == before


def test_submit_attach_copies_into_the_store(c2023: Svc, tmp_path: Path) -> None:
    original = _png(tmp_path / "照片 1.png")
    run = c2023(
        "submit", "ICBC", "--column", "看图话服务", "--title", "图", "--at", "2023-07-13 10:00",
        "--attach", str(original), "--attach", str(original),
    )  # fmt: skip
    sid = run.out.strip()
    original.unlink()  # the original may be deleted
    shown = c2023.json("submission", "show", sid)
    files = shown["attachments"]
    assert [f["file_name"] for f in files] == ["照片 1.png", "照片 1 (2).png"]
    for f in files:
        stored = c2023.db.parent / "attachments" / f["path"]
        assert stored.stat().st_size == f["size"]
        if os.name == "posix":
            assert stored.stat().st_mode & 0o777 == 0o600


def test_submit_attach_missing_file_changes_nothing(c2023: Svc, tmp_path: Path) -> None:
    before = c2023.dump()
    err = c2023.fails(
        "submit", "ICBC", "--column", "看图话服务", "--title", "图", "--at", "2023-07-13 10:00",
        "--attach", str(tmp_path / "nope.png"),
    )  # fmt: skip
    assert "nope.png" in err
    assert c2023.dump() == before


def test_weekly_bulletin_lists_members_titles_adoptions(month: Month) -> None:
    svc = _zh(month.svc)
    doc = svc("report", "bulletin", "--week", "1", "--format", "json").json()
    assert doc["title"] == f"关于{TITLE}信息报送情况的通报（第1期）"
    sections = {s["heading"]: s["blocks"] for s in doc["sections"]}
    reporting = {b["label"]: b["items"] for b in sections["一、报送情况"]}
    assert reporting == {
        "按时报送的单位": ["中国工商银行内蒙古分行"],
        "迟报的单位": ["中国农业银行内蒙古分行"],
        "未报送的单位": ["中国银行内蒙古分行"],
    }
    table = next(b for b in sections["二、稿件情况"] if b["type"] == "table")
    titles = [row[2] for row in table["rows"]]
    assert "温暖服务暖人心" in titles and "学习<体会>&心得" in titles and "待审的稿件" in titles
    assert "退回的稿件" not in titles  # rejected: not counted
    assert "第二周的稿件" not in titles  # week 2
    adoptions = [b for b in sections["三、刊用和报送情况"] if b["type"] == "table"]
    assert adoptions[0]["rows"] == [
        ["中国农业银行内蒙古分行", "学习<体会>&心得", "中国银行业协会网站", "2023-07-16"]
    ]
    assert adoptions[1]["rows"] == [
        ["中国工商银行内蒙古分行", "最美柜员", "中国银行业协会", "2023-07-16"]
    ]
    assert doc["association"] == "内蒙古银行业协会"
    issue = svc("report", "bulletin", "--week", "1", "--issue", "7", "-f", "json").json()
    assert issue["title"].endswith("（第7期）")


def test_weekly_bulletin_next_steps_as_of(month: Month) -> None:
    svc = _zh(month.svc)
    text = svc(
        "report", "bulletin", "--week", "1", "--as-of", "2023-07-18 09:00"
    ).out  # Markdown by default
    assert "请各会员单位于2023年7月24日12:00前报送第2周活动扫描。" in text
    # one form of a day throughout: 统计截至 writes it as the week's days are written
    assert "（2023年7月11日至2023年7月16日）" in text and "（统计截至2023年7月18日09:00）" in text
    # the pending article counts towards the minimum (rule 13), the rejected one does not
    assert (
        "中国工商银行内蒙古分行（差1篇）、中国农业银行内蒙古分行（差2篇）、中国银行内蒙古分行（差2篇）"
        in text
    )
    assert "第二周的稿件" not in text


def test_final_bulletin_ranked_and_disqualified(month: Month) -> None:
    svc = _zh(month.svc)
    for title in ("补稿一", "补稿二"):
        svc("submit", "ICBC", "--column", "学习体会", "--title", title, "--at", "2023-07-21 10:00")
    doc = svc("report", "bulletin", "--final", "-f", "json").json()
    assert doc["title"] == f"关于{TITLE}信息宣传工作情况的通报"
    sections = {s["heading"]: s["blocks"] for s in doc["sections"]}
    assert list(sections) == [
        "",
        "一、总体情况",
        "二、按时报送情况",
        "三、稿件指标完成情况",
        "四、得分排名",
        "五、取消入选资格的单位",
        "六、优秀稿件",
    ]
    on_time = sections["二、按时报送情况"][0]["rows"]
    assert on_time[0] == ["中国工商银行内蒙古分行", "1", "0", "4"]
    quota = {b["label"]: b["items"] for b in sections["三、稿件指标完成情况"]}
    assert quota["完成3篇稿件指标的单位"] == ["中国工商银行内蒙古分行"]
    ranking = sections["四、得分排名"][0]["rows"]
    assert [r[:2] for r in ranking] == [["1", "中国工商银行内蒙古分行"]]
    board = {r["member"]: r for r in svc.json("report", "scoreboard")}
    assert ranking[0][2] == str(board["ICBC"]["points"])  # the scoreboard's figure
    disqualified = sections["五、取消入选资格的单位"][1]["rows"]
    assert [r[0] for r in disqualified] == ["中国农业银行内蒙古分行", "中国银行内蒙古分行"]
    best = sections["六、优秀稿件"][0]["rows"]
    # best first: the adopted article (doubled points) before the level-3 one
    assert [r[2] for r in best] == ["学习<体会>&心得", "温暖服务暖人心"]
    assert best[0][3] == "中国银行业协会网站" and best[1][3] == "三级稿件"
    assert "最美柜员" not in str(best)  # forwarded only, level 2: not in the final's list


def test_bulletin_docx_opens_with_title_sections_signature_and_page_field(
    month: Month, tmp_path: Path
) -> None:
    svc = _zh(month.svc)
    out = tmp_path / "通报.docx"
    svc("report", "bulletin", "--week", "1", "--format", "docx", "--output", str(out))
    d = docx.Document(str(out))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == f"关于{TITLE}信息报送情况的通报（第1期）"
    for heading in ("一、报送情况", "二、稿件情况", "三、刊用和报送情况", "四、下一步要求"):
        assert heading in texts
    assert "内蒙古银行业协会" in texts and "2023年8月20日" in texts
    footer = d.sections[0].footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer
    assert abs(d.sections[0].page_width.mm - 210) < 1
    assert any("学习<体会>&心得" in c.text for t in d.tables for r in t.rows for c in r.cells)
    body = zipfile.ZipFile(out).read("word/document.xml").decode()
    assert 'w:eastAsia="仿宋_GB2312"' in body and 'w:eastAsia="方正小标宋简体"' in body
    assert "w:tblBorders" in body
    # 文件 → 属性 names this 通报 and the association, not the shipped template
    props = d.core_properties
    assert props.title == texts[0] and props.author == "内蒙古银行业协会"
    assert props.created is not None and props.created.year == 2023
    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o600


def test_docx_needs_output(month: Month) -> None:
    svc = month.svc
    assert "--output" in svc.fails("report", "bulletin", "--format", "docx")


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [a for a, _v in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_bulletin_html_inline_styles_only_and_escaped(month: Month) -> None:
    svc = month.svc
    page = svc("report", "bulletin", "--final", "--format", "html").out
    parsed = _Tags()
    parsed.feed(page)
    assert "style" not in parsed.tags and "script" not in parsed.tags
    assert "class" not in parsed.attrs
    assert "<体会>" not in page and "学习&lt;体会&gt;&amp;心得" in page
    assert "2023年银行业文明&lt;优质&gt;服务月&amp;" in page
    assert "学习<体会>&心得" in "".join(parsed.text)


def test_bulletin_markdown_escapes(month: Month) -> None:
    text = month.svc("report", "bulletin", "--week", "1").out
    assert "学习\\<体会\\>\\&心得" in text


def test_template_fills_title_association_date(month: Month, tmp_path: Path) -> None:
    svc = _zh(month.svc)
    template = docx_file(
        tmp_path / "红头.docx",
        "{{ association }}文件",
        "{{ title }}",
        "{{p body }}",
        "落款：{{ association }} {{ date }}",
    )
    out = tmp_path / "out.docx"
    svc(
        "report",
        "bulletin",
        "--week",
        "1",
        "-f",
        "docx",
        "--template",
        str(template),
        "-o",
        str(out),
    )
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert texts[0] == "内蒙古银行业协会文件"
    assert texts[1] == f"关于{TITLE}信息报送情况的通报（第1期）"  # & and < kept as text
    assert "一、报送情况" in texts
    assert texts[-1] == "落款：内蒙古银行业协会 2023年8月20日"


def test_template_that_is_not_docx_is_refused(month: Month, tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip")
    err = month.svc.fails(
        "report", "bulletin", "-f", "docx", "--template", str(bad), "-o", str(tmp_path / "o.docx")
    )
    assert "bad.docx" in err
    assert not (tmp_path / "o.docx").exists()


def test_without_association_no_signature_and_a_note(
    c2023: Svc, submit: Callable[..., int]
) -> None:
    run = c2023("report", "bulletin", "--week", "1", "-f", "json")
    assert run.json()["association"] == ""
    assert "settings --association" in run.err


def test_digest_quotes_docx_and_leaves_pending_and_rejected_out(month: Month) -> None:
    svc = _zh(month.svc)
    doc = svc("report", "digest", "-f", "json").json()
    assert doc["title"] == f"{TITLE}会员动态"
    blocks = doc["sections"][1]["blocks"]
    text = json.dumps(blocks, ensure_ascii=False)
    assert "七月以来，工行某支行开展“服务进社区”活动，为行动不便的老年客户上门办理业务。" in text
    assert "温暖服务暖人心》" in text and "学习<体会>&心得" in text and "最美柜员" in text
    assert "待审的稿件" not in text and "退回的稿件" not in text
    assert "第二周的稿件" not in text  # level 2, not adopted or forwarded
    assert any(b["type"] == "picture" for b in blocks)
    limited = svc("report", "digest", "--limit", "1", "-f", "json").json()
    assert (
        sum(
            b["kind"] == "subheading"
            for b in limited["sections"][1]["blocks"]
            if b["type"] == "paragraph"
        )
        == 1
    )


def test_digest_html_embeds_picture_and_md_copies_it(month: Month, tmp_path: Path) -> None:
    svc = month.svc
    page = svc("report", "digest", "-f", "html").out
    assert 'src="data:image/png;base64,' in page and "<style" not in page
    out = tmp_path / "digest.md"
    svc("report", "digest", "-o", str(out))
    assert "![" in out.read_text() and (tmp_path / "digest-1.png").is_file()
    docx_out = tmp_path / "digest.docx"
    svc("report", "digest", "-f", "docx", "-o", str(docx_out))
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(docx_out).namelist())


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_bulletin_docx_renders_in_libreoffice(month: Month, tmp_path: Path) -> None:
    out = tmp_path / "b.docx"
    month.svc("report", "bulletin", "--final", "-f", "docx", "-o", str(out))
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = (tmp_path / "b.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]


# --- the site: articles' own pages, full pictures, no scoreboard, the public title ---------


def test_site_gives_a_docx_article_its_page_with_its_pictures(month: Month, tmp_path: Path) -> None:
    svc = month.svc
    picture = _png(tmp_path / "inside.png")
    d = docx.Document()
    d.add_paragraph("一线柜员的<一天>&")
    d.add_picture(str(picture))
    article = tmp_path / "with-picture.docx"
    d.save(str(article))
    sid = svc(
        "submit", "ABC", "--column", "感动人物", "--title", "柜员的一天",
        "--at", "2023-07-18 10:00", "--attach", str(article),
    ).out.strip()  # fmt: skip
    svc("grade", sid, "--level", "2")
    out = tmp_path / "site"
    svc("site", "build", str(out), "--no-scoreboard")
    page = (out / f"article-{sid}.html").read_text(encoding="utf-8")
    assert "一线柜员的&lt;一天&gt;&amp;" in page
    assert f'src="pictures/{sid}-doc1.png"' in page
    assert (out / "pictures" / f"{sid}-doc1.png").read_bytes() == picture.read_bytes()
    assert f'href="article-{sid}.html"' in (out / "people.html").read_text(encoding="utf-8")
    level3 = (out / f"article-{month.ids['level3']}.html").read_text(encoding="utf-8")
    assert "七月以来" in level3
    assert f"article-{month.ids['pending']}.html" not in "".join(p.name for p in out.iterdir())
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2023年银行业文明&lt;优质&gt;服务月&amp;" in index  # the public title
    assert "2023服务月" not in index
    assert "<table" in index  # the weeks
    assert "col-points" not in index  # no scoreboard


def test_site_picture_thumbnails_link_to_the_full_picture(month: Month, tmp_path: Path) -> None:
    svc = month.svc
    for n in range(3):
        sid = svc(
            "submit", "BOC", "--column", "看图话服务", "--title", f"图{n}",
            "--at", f"2023-07-1{n + 2} 10:00", "--attach", str(_png(tmp_path / f"{n}.png")),
        ).out.strip()  # fmt: skip
        svc("grade", sid, "--level", "2")
    out = tmp_path / "site"
    svc("site", "build", str(out))
    page = (out / "pictures.html").read_text(encoding="utf-8")
    assert page.count("<img ") == 3
    for src in re.findall(r'<a href="(pictures/[^"]+)"><img src="([^"]+)"', page):
        assert src[0] == src[1] and (out / src[0]).is_file()
    assert len(re.findall(r'<a href="pictures/', page)) == 3
    assert "col-points" in (out / "index.html").read_text(encoding="utf-8")


def test_year_end_workbook_has_prepared_by_date_and_page_numbers(
    month: Month, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    svc = _zh(month.svc)
    out = tmp_path / "考核表.xlsx"
    svc("report", "year-end", "--year", "2023", "-f", "xlsx", "-o", str(out))
    ws = load_workbook(out).active
    assert ws is not None
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert "制表单位：内蒙古银行业协会    日期：2023年8月20日" in cells
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_year_end_workbook_without_association_says_so(c2023: Svc, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    err = c2023("report", "year-end", "--year", "2023", "-f", "xlsx", "-o", str(out)).err
    assert "settings --association" in err


def test_digest_quotes_the_mail_body_when_no_docx_came(c2023: Svc, tmp_path: Path) -> None:
    eml = tmp_path / "m.eml"
    eml.write_bytes(
        mail(
            "王丽 <WangLi@ICBC.example.cn>",
            word("【先进事迹】爱心座椅"),
            date="Tue, 18 Jul 2023 10:19:30 +0800",
            message_id="<20230718101930.9@icbc.example.cn>",
            body="网点为老年客户设置了<爱心座椅>&老花镜。\n\n第二段。",
        )
    )
    c2023("inbox", "import", str(eml))
    sid = c2023("inbox", "accept").out.strip()
    c2023("grade", sid, "--level", "3")
    doc = c2023("report", "digest", "-f", "json").json()
    texts = [b.get("text") for b in doc["sections"][1]["blocks"]]
    assert "网点为老年客户设置了<爱心座椅>&老花镜。" in texts and "第二段。" in texts
    page = c2023("report", "digest", "-f", "html").out
    assert "&lt;爱心座椅&gt;&amp;老花镜" in page


def test_a_docx_link_that_is_not_http_loses_its_target() -> None:
    from svcmonth.output.pages import docx_markup

    converted = '<p><a href="javascript:alert(1)">x</a><a href="https://a.example/">y</a></p>'
    assert str(docx_markup(converted)) == ('<p><a>x</a><a href="https://a.example/">y</a></p>')


def test_a_bulletin_as_of_a_day_leaves_out_what_was_adopted_or_forwarded_after_it(
    month: Month,
) -> None:
    """--as-of 2023-07-15: the adoption and the forwarding of 07-16 had not happened yet."""
    svc = _zh(month.svc)
    doc = svc(
        "report", "bulletin", "--week", "1", "--as-of", "2023-07-15 18:00", "-f", "json"
    ).json()
    shown = str({s["heading"]: s["blocks"] for s in doc["sections"]}["三、刊用和报送情况"])
    assert "中国银行业协会网站" not in shown and "中国银行业协会" not in shown
    digest = svc("report", "digest", "--as-of", "2023-07-15 18:00", "-f", "json").json()
    assert "最美柜员" not in str(digest)  # forwarded on 07-16: not yet one of the best
