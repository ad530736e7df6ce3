"""中文界面 (SPEC.md, "Language"): Chinese by default, English with SVCMONTH_LANG=en; human
formats speak the language, machine formats keep the contract; input as Chinese users type it."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from wcwidth import wcswidth

from conftest import Svc
from svcmonth.cli.app import COMMAND_MODULES

# words that may stay Latin in a Chinese screen: command and option names, formats, codes
COMMAND_WORDS = set(COMMAND_MODULES) | {
    "svcmonth",
    "new",
    "show",
    "list",
    "deadline",
    "rules",
    "rename",
    "add",
    "import",
    "edit",
    "deactivate",
    "activate",
    "extend",
    "history",
    "withdraw",
    "deadlines",
    "quota",
    "scoreboard",
    "weekly",
    "year-end",
    "officers",
    "forwarded",
    "auto",
    "table",
    "csv",
    "json",
    "md",
    "xlsx",
    "html",
    "wal",  # SQLite's journal mode, a code
    "fetch",
    "accept",
    "assign",
    "ignore",
    "report",
    "build",
}
LATIN = re.compile(r"[A-Za-z][A-Za-z'-]*")


def english_words(text: str) -> list[str]:
    """The English words of ``text`` besides command/option names, codes and acronyms."""
    text = re.sub(r"'[^'\n]*'|“[^”\n]*”", " ", text)  # what the user typed, quoted back
    text = re.sub(r"(?<![\w])--?[a-z][a-z-]*", " ", text)  # option names
    text = re.sub(r"\$?\b[A-Z][A-Z0-9_]*\b", " ", text)  # codes, acronyms, SVCMONTH_DB
    text = re.sub(r"[\w./-]*/[\w./-]*|\b[\w.]+\.(?:db|xlsx|csv)(?:-wal|-shm)?", " ", text)
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses
    # file names (the senders' attachments) and file types (.eml, .xls): data and codes
    text = re.sub(r"[^\s/|]*\.(?:docx?|xlsx?|pdf|png|jpe?g|gif|webp|eml|md|html)\b", " ", text)
    # names of programs and formats
    text = re.sub(r"\b(?:SQLite|Excel|cron|Markdown|Maildir|mbox)\b", " ", text)
    return [w for w in LATIN.findall(text) if w.strip("'-") not in COMMAND_WORDS]


@pytest.fixture
def zh(c2023: Svc) -> Svc:
    """The 2023 campaign with a few submissions, run in Chinese."""
    c2023("submit", "ICBC", "--column", "活动扫描", "--title", "第一周", "--at", "2023-07-17 09:40")
    c2023("submit", "ABC", "--column", "活动扫描", "--title", "第一周", "--at", "2023-07-17 12:05")
    c2023("submit", "ICBC", "--column", "先进事迹", "--title", "事迹", "--at", "2023-07-20 10:00")
    c2023("grade", "auto")
    c2023.lang = "zh_CN"
    return c2023


def test_in_chinese_mode_no_english_word_is_left(zh):
    screens = {
        "--help": zh("--help").out,
        "report year-end --help": zh("report", "year-end", "--help").out,
        "usage error": zh("member", "list", "--format", "pdf", code=2).err,
        "missing option": zh("report", "year-end", code=2).err,
        "unknown command": zh("nosuch", code=2).err,
        "user error": zh(
            "submit",
            "ICBB",
            "--column",
            "先进事迹",
            "--title",
            "t",
            "--at",
            "7月20日 10:00",
            code=1,
        ).err,
        "report scoreboard": zh("report", "scoreboard").out,
        "check deadlines": zh("check", "deadlines").out,
        "check quota": zh("check", "quota").out,
        "doctor": zh("doctor").out,
        "confirmation": zh(
            "submit", "BOC", "--column", "活动扫描", "--title", "t", "--at", "2023-07-17 10:00"
        ).err,
        "log": zh("log").out,
    }
    left = {name: english_words(text) for name, text in screens.items()}
    assert left == {name: [] for name in screens}, screens


def test_the_chinese_screens_say_what_spec_says(zh):
    assert zh("--help").out.startswith("用法：svcmonth [选项] 命令 [参数]...")
    assert zh("member", "list", "--format", "pdf", code=2).err.splitlines() == [
        "用法：svcmonth member list [选项]",
        "查看帮助：svcmonth member list -h",
        "错误：'--format' / '-f' 的值无效："
        "'pdf' 不在可选值 'table', 'csv', 'json', 'md', 'html', 'xlsx' 之中。",
    ]
    assert zh("report", "year-end", code=2).err.endswith("错误：缺少选项 '--year'。\n")
    assert zh(
        "submit", "ICBB", "--column", "先进事迹", "--title", "t", "--at", "7月20日 10:00", code=1
    ).err == ("错误：未知的会员单位代码 'ICBB'；是否要找 ICBC？\n")
    quota = zh("check", "quota").out.splitlines()
    assert quota[0].split() == ["单位代码", "稿件数", "应报篇数", "尚差篇数", "状态", "单位名称"]
    assert quota[2].split()[:5] == ["ICBC", "1", "3", "2", "未完成"]
    deadlines = zh("check", "deadlines", "--week", "1").out.splitlines()
    assert deadlines[2].split()[:7] == [
        "ICBC",
        "1",
        "2023-07-17",
        "12:00",
        "按时",
        "2023-07-17",
        "09:40",
    ]
    assert deadlines[3].split()[4] == "迟报" and deadlines[4].split()[4] == "未报"


def test_one_process_speaks_each_invocation_in_its_own_language(zh):
    assert "选项：" in zh("report", "scoreboard", "--help").out
    zh.lang = "en"
    assert "Options:" in zh("report", "scoreboard", "--help").out
    assert zh("check", "quota").out.split()[:2] == ["Member", "code"]
    zh.lang = "zh_CN"
    assert "选项：" in zh("report", "scoreboard", "--help").out


def test_english_is_complete_with_svcmonth_lang_en(zh):
    zh.lang = "en"
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert not cjk.search(zh("report", "year-end", "--help").out)
    assert not cjk.search(zh("check", "quota", "--help").out)
    assert zh(
        "submit", "XX", "--column", "先进事迹", "--title", "t", "--at", "7月20日 10:00", code=1
    ).err.startswith("Error: unknown member 'XX'")
    header = zh("report", "scoreboard").out.splitlines()[2]
    assert not cjk.search(header) and header.startswith("Rank")
    assert "Usage: svcmonth member list [OPTIONS]" in zh("member", "list", "-f", "x", code=2).err


def test_machine_formats_keep_keys_values_and_instants(zh):
    rows = zh.json("check", "deadlines", "--week", "1")
    assert rows[0]["status"] == "on_time" and rows[0]["deadline"] == "2023-07-17T12:00:00+08:00"
    csv_lines = zh("check", "quota", "--format", "csv").out.splitlines()
    assert csv_lines[0] == "member,articles,required,shortfall,status,name"
    assert csv_lines[1] == "ICBC,1,3,2,failed,中国工商银行内蒙古分行"


def test_csv_labels_gives_the_human_header_and_values(zh):
    lines = zh("check", "quota", "--format", "csv", "--labels").out.splitlines()
    assert lines[0] == "单位代码,稿件数,应报篇数,尚差篇数,状态,单位名称"
    assert lines[1] == "ICBC,1,3,2,未完成,中国工商银行内蒙古分行"
    board = zh("report", "scoreboard", "--format", "csv", "--labels").out.splitlines()
    assert board[0].endswith(",得分,被采用篇数,完成稿件指标")
    assert board[1].endswith(",否")


def test_markdown_speaks_chinese_for_the_website(zh):
    md = zh("report", "weekly", "--week", "1", "--format", "md").out
    assert md.startswith("### 2023服务月 第1周（2023-07-11 至 2023-07-16）")
    assert "| 单位代码 " in md and "| 按时 " in md and "| 2023-07-17 09:40 " in md
    assert "week" not in md


def test_submit_confirms_in_words_on_stderr_and_prints_the_id_alone(zh):
    run = zh(
        "submit", "BOC", "--column", "活动扫描", "--title", "中行第二周", "--at", "7月24日 11:00"
    )
    assert run.out == "4\n"
    assert run.err == "已登记 #4：BOC 第2周活动扫描，按时\n"
    late = zh(
        "submit", "CCB", "--column", "活动扫描", "--title", "t", "--at", "7月24日 12:00", code=1
    )
    assert late.err.startswith("错误：未知的会员单位代码 'CCB'")
    run = zh(  # after the campaign: logged late in it by naming it (rule 11)
        "submit",
        "abc",
        "--column",
        "学习体会",
        "--title",
        "心得",
        "--at",
        "8月20日 9:00",
        "-c",
        "2023服务月",
    )
    assert run.err == "已登记 #5：ABC 学习体会《心得》，迟报\n"
    zh.lang = "en"
    run = zh("submit", "ABC", "--column", "活动扫描", "--title", "x", "--at", "2023-07-24 12:00")
    assert run.err == "logged #6: ABC week 2 活动扫描, late\n"


def test_the_reminder_dry_run_shows_the_body(zh):
    zh.now = "2023-07-24T09:00:00+08:00"
    rows = zh.json("remind")
    # Chinese punctuation in the Chinese catalog (the English one keeps the message ids)
    assert rows[0]["body"].startswith("王丽同志：\n\n您好！中国工商银行内蒙古分行")
    assert "请于北京时间2023年7月24日（星期一）12:00前在“活动扫描”栏目报送。" in rows[0]["body"]
    table = zh("remind").out.splitlines()
    assert table[0].split()[7:] == ["邮件正文", "提醒标识"]
    assert "您好！中国工商银行内蒙古分行2023服务月第2周（2023年7月17日至2023年7月23日）" in table[2]


# --- the year-end workbook, a document for the leadership -----------------------------------


def test_the_year_end_workbook_is_a_document_for_the_leadership(zh, tmp_path):
    long_name = "内蒙古自治区呼和浩特市赛罕区某某农村商业银行股份有限公司"
    zh("member", "add", "RCB", long_name, "--officer", "阿拉坦其其格")
    for day in (12, 13, 14):
        zh(
            "submit",
            "ABC",
            "--column",
            "学习体会",
            "--title",
            f"体会{day}",
            "--at",
            f"7月{day}日 10:00",
        )
    zh("grade", "auto")
    out = tmp_path / "2023年度考核.xlsx"
    zh("report", "year-end", "--year", "2023", "--format", "xlsx", "--output", str(out))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["2023年度考核"]
    ws = wb["2023年度考核"]
    assert ws["A1"].value == "2023年度信息宣传工作考核表" and ws["A1"].font.bold
    assert ws["A2"].value == (
        "截至 2023-08-20 10:00；规则：每次活动报送稿件不少于3篇，未完成者取消入选资格；"
        "有入选资格的单位按得分排名，得分相同者名次并列"
    )
    header = [c.value for c in ws[3]]
    assert header == [
        "排名",
        "单位代码",
        "单位名称",
        "信息宣传员",
        "活动",
        "稿件数",
        "按时报送周数",
        "应报周数",
        "得分",
        "被采用篇数",
        "完成稿件指标",
        "入选资格",
    ]
    assert all(c.font.bold for c in ws[3])
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["ABC"][0] == 1 and rows["ABC"][8] == 7  # numbers as numbers
    assert rows["ABC"][10:] == ("是", "是")
    assert rows["ICBC"][0] is None and rows["ICBC"][10:] == ("否", "取消入选资格")
    assert rows["RCB"][2] == long_name
    # widths fit their text, a CJK character counting double
    assert ws.column_dimensions["C"].width >= wcswidth(long_name)
    assert ws.column_dimensions["L"].width >= wcswidth("取消入选资格")


def test_every_other_workbook_has_the_same_shape_with_its_own_title(zh, tmp_path):
    out = tmp_path / "quota.xlsx"
    zh("check", "quota", "--format", "xlsx", "--output", str(out))
    ws = openpyxl.load_workbook(out).active
    assert ws.title == "稿件指标" and ws["A1"].value == "稿件指标"
    assert [c.value for c in ws[2]][:5] == ["单位代码", "稿件数", "应报篇数", "尚差篇数", "状态"]
    assert ws.freeze_panes == "A3" and ws.page_setup.orientation == "landscape"
    assert [c.value for c in ws[3]][:5] == ["ICBC", 1, 3, 2, "未完成"]


# --- input as Chinese users type it ----------------------------------------------------------

AT_0940 = "2023-07-17T09:40:00+08:00"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2023-07-17 09:40", AT_0940),
        ("2023/7/17 9:40", AT_0940),
        ("2023.7.17 9:40", AT_0940),
        ("2023年7月17日 9:40", AT_0940),
        ("2023年7月17日9时40分", AT_0940),
        ("7月17日 9:40", AT_0940),
        ("７月１７日 ９：４０", AT_0940),
        ("２０２３-０７-１７ ０９：４０", AT_0940),
        ("7月17日 上午9:40", AT_0940),
        ("2023年7月17日 下午2:05", "2023-07-17T14:05:00+08:00"),
        ("7月17日下午2点05分", "2023-07-17T14:05:00+08:00"),
        ("2023年7月17日", "2023-07-17T00:00:00+08:00"),
    ],
)
def test_times_as_chinese_users_type_them(c2023, typed, expected):
    c2023("submit", "ICBC", "--column", "先进事迹", "--title", "事迹", "--at", typed)
    assert c2023.json("submission", "list")[0]["submitted_at"] == expected


def test_a_date_without_a_year_takes_the_campaigns_year(c2023):
    c2023("campaign", "new", "2024服务月", "--start", "2024年7月9日", "--end", "2024年8月9日")
    c2023("submit", "ICBC", "--column", "先进事迹", "--title", "a", "--at", "7月17日 9:40")
    c2023("submit", "ABC", "--column", "先进事迹", "--title", "b", "-c", "2023服务月")
    rows = c2023.json("submission", "list", "-c", "2024服务月")
    assert [r["submitted_at"] for r in rows] == ["2024-07-17T09:40:00+08:00"]
    c2023("campaign", "deadline", "--week", "2", "--at", "7月24日 下午6:00", "-c", "2023服务月")
    weeks = c2023.json("campaign", "show", "-c", "2023服务月")["weeks"]
    assert weeks[1]["deadline"] == "2023-07-24T18:00:00+08:00"


@pytest.mark.parametrize("typed", ["7月32日 9:40", "2023年13月1日", "下午2:05", "7月17日 25:00"])
def test_a_time_that_is_not_one_is_refused(c2023, typed):
    before = c2023.dump()
    err = c2023.fails("submit", "ICBC", "--column", "先进事迹", "--title", "t", "--at", typed)
    assert "is not a" in err and len(err.splitlines()) == 1
    assert c2023.dump() == before


@pytest.mark.parametrize(
    "phone",
    [
        "13904710007",
        "+86 139 0471 0007",
        "139 0471 0007",
        "0471-6900000",
        "(0471)6900000",
        "0471-6900000转8001",
        "010-12345678",
        "400-810-9999",
        "800 820 8820",
    ],
)
def test_phone_numbers_as_chinese_offices_write_them(c2023, phone):
    c2023("member", "add", "CMB", "招商银行", "--phone", phone)
    assert [m["phone"] for m in c2023.json("member", "list") if m["code"] == "CMB"] == [phone]


@pytest.mark.parametrize("phone", ["123", "1390471000", "139047100071", "6900000", "电话"])
def test_what_is_not_a_phone_number_is_refused(c2023, phone):
    before = c2023.dump()
    assert "is not a phone number" in c2023.fails("member", "add", "CMB", "招商", "--phone", phone)
    assert c2023.dump() == before


def test_member_import_takes_chinese_headers_from_excel(c2023, tmp_path):
    f = tmp_path / "会员单位.csv"
    f.write_bytes(
        "单位代码,单位名称,信息宣传员,联系电话,电子邮箱,单位类别\r\n"
        "CMB,招商银行呼和浩特分行,孙悦,0471-6900000转8001,sunyue@cmb.example.cn,股份制银行\r\n".encode(
            "gb18030"
        )
    )
    c2023("member", "import", str(f))
    cmb = c2023.json("member", "list")[-1]
    assert (cmb["code"], cmb["officer"], cmb["phone"]) == ("CMB", "孙悦", "0471-6900000转8001")


def test_submission_import_takes_chinese_headers_and_times(c2023, tmp_path):
    f = tmp_path / "稿件.csv"
    f.write_text(
        "单位代码,栏目,标题,报送时间,周次\n"
        "icbc,活动扫描,工行第一周,2023年7月17日 9:40,1\n"
        "ABC,先进事迹,农行事迹,7月18日 下午3:00,\n",
        encoding="utf-8-sig",
    )
    c2023("submission", "import", str(f))
    rows = c2023.json("submission", "list")
    assert [(r["member"], r["submitted_at"], r["week"]) for r in rows] == [
        ("ICBC", AT_0940, 1),
        ("ABC", "2023-07-18T15:00:00+08:00", None),
    ]


def test_member_codes_match_regardless_of_case_and_unknown_ones_get_a_suggestion(c2023):
    c2023("submit", "icbc", "--column", "先进事迹", "--title", "t", "--at", "2023-07-17 09:40")
    assert c2023.json("submission", "list")[0]["member"] == "ICBC"
    assert c2023.fails("member", "edit", "IBCC", "--name", "x") == (
        "Error: unknown member 'IBCC'; did you mean ICBC?\n"
    )
    assert "is already registered" in c2023.fails("member", "add", "boc", "中行")
    assert "see `svcmonth member list`" in c2023.fails("member", "edit", "ZZZZZZ", "--name", "x")


# --- the mail intake, the survey and the website, in Chinese ---------------------------------


def page_text(html: str) -> str:
    """What a reader of a page sees: its title, text and pictures' alt texts."""
    import html5lib

    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    for style in doc.iter("style"):
        style.text = ""
    alts = [img.get("alt") or "" for img in doc.iter("img")]
    return "\n".join([" ".join(doc.itertext()), *alts])


def test_the_inbox_the_survey_and_the_site_speak_chinese(zh, tmp_path, smtp, monkeypatch):
    import survey_exports as ex
    from mailmaker import mail, rfc2231, word
    from site_data import picture_mail, png

    server = smtp()
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    icbc, abc = "王丽 <wangli@icbc.example.cn>", "liqiang@abc.example.cn"
    messages = [
        mail(  # on time, by its week tag
            icbc,
            word("工商银行第2周周报"),
            received="Mon, 24 Jul 2023 09:40:00 +0800",
            message_id="<w2@icbc>",
            attachments=[(rfc2231("周报.docx"), "application/octet-stream", b"doc")],
        ),
        mail(  # late: received after Monday 12:00
            abc,
            word("【活动扫描】农业银行第2周工作情况"),
            received="Mon, 24 Jul 2023 12:00:30 +0800",
            date="Mon, 24 Jul 2023 11:58:00 +0800",
            message_id="<w2@abc>",
        ),
        picture_mail(
            icbc,
            "【看图话服务】爱心座椅",
            "2023-07-25 10:00",
            [("座椅.png", png(40, 30), "image/png")],
        ),
        mail(  # an address nobody knows yet
            "zhangmin@boc.example.cn",
            word("【先进事迹】中行营业部助老服务"),
            received="Tue, 25 Jul 2023 15:00:00 +0800",
            message_id="<d1@boc>",
        ),
        mail(  # no column in the subject
            icbc,
            word("网点服务情况"),
            received="Wed, 26 Jul 2023 09:00:00 +0800",
            message_id="<n@i>",
        ),
        mail(  # an auto-reply
            abc,
            word("自动回复: 您的邮件已收到"),
            received="Wed, 26 Jul 2023 09:05:00 +0800",
            message_id="<auto@abc>",
            headers=[b"Auto-Submitted: auto-replied"],
        ),
        mail(  # after the campaign
            icbc,
            word("【学习体会】心得"),
            received="Fri, 1 Sep 2023 09:00:00 +0800",
            message_id="<x@i>",
        ),
    ]
    paths = []
    for n, raw in enumerate(messages, 1):
        paths.append(tmp_path / f"{n}.eml")
        paths[-1].write_bytes(raw)
    export = ex.write_xlsx(tmp_path / "问卷星导出.xlsx", *ex.small())
    screens = {
        "inbox import": zh("inbox", "import", *paths).err,
        "inbox list": zh("inbox", "list").out,
        "inbox list md": zh("inbox", "list", "--format", "md").out,
        "inbox list --status": zh("inbox", "list", "--status", "no_campaign").out,
        "inbox assign": zh("inbox", "assign", "4", "--member", "BOC", "--remember").err,
        "inbox assign column": zh("inbox", "assign", "5", "--column", "先进事迹").err,
        "inbox ignore": zh("inbox", "ignore", "5").err,
        "inbox accept": zh("inbox", "accept", "--ack").err,
        "inbox accept error": zh("inbox", "accept", "7", code=1).err,
        "inbox list after": zh("inbox", "list").out,
        "survey import": zh(
            "survey", "import", export, "--name", "2023年服务满意度调查", "--campaign", "2023服务月"
        ).err,
        "survey list": zh("survey", "list").out,
        "survey report": zh("survey", "report", "2023年服务满意度调查").out,
        "survey report md": zh("survey", "report", "2023年服务满意度调查", "--format", "md").out,
        "survey report html": page_text(
            zh("survey", "report", "2023年服务满意度调查", "--format", "html").out
        ),
        "inbox help": zh("inbox", "--help").out,
        "inbox accept help": zh("inbox", "accept", "--help").out,
        "survey help": zh("survey", "report", "--help").out,
        "site help": zh("site", "build", "--help").out,
    }
    zh("grade", "auto")
    out = tmp_path / "专栏"
    screens["site build"] = zh("site", "build", out).err
    for page in sorted(out.glob("*.html")):
        screens[page.name] = page_text(page.read_text(encoding="utf-8"))
    for n, (_to, msg, _raw) in enumerate(server.mailbox.received, 1):
        screens[f"receipt {n}"] = f"{msg['Subject']}\n{msg.get_content()}"
    assert len(server.mailbox.received) == 4
    left = {name: english_words(text) for name, text in screens.items()}
    assert {name: words for name, words in left.items() if words} == {}, screens
    leaks = {name: LEAK.findall(text) for name, text in screens.items()}
    assert {name: found for name, found in leaks.items() if found} == {}, screens
    # and English stays English
    zh.lang = "en"
    english = zh("inbox", "list", "--status", "ignored").out
    assert english.splitlines()[0].split()[:4] == ["ID", "From", "Arrived", "Arrival"]
    assert "Received header" in english and "ignored" in english


def test_submission_show_and_the_log_name_every_field_and_action_in_chinese(zh):
    zh("grade", "1", "--clear")
    zh("grade", "1", "--level", "3")
    zh("adopt", "3", "--outlet", "中国银行业协会网站", "--on", "2023-07-21")
    zh("adopt", "3", "--outlet", "中国银行业协会网站", "--undo")
    zh("submission", "withdraw", "2", "--reason", "重复报送")
    zh("submission", "restore", "2")
    zh("member", "edit", "BOC", "--officer", "黄蕾", "--since", "2023-07-24")
    screens = {
        "submission show 1": zh("submission", "show", "1").out,
        "submission show 2": zh("submission", "show", "2").out,
        "submission show 3": zh("submission", "show", "3").out,
        "log": zh("log").out,
        "campaign rules": zh("campaign", "rules", "--late-level", "1").out,  # was JSON
    }
    left = {name: english_words(text) for name, text in screens.items()}
    assert left == {name: [] for name in screens}, screens
    assert [name for name, text in screens.items() if LEAK.search(text)] == []
    assert "迟报稿件等级        1" in screens["campaign rules"]
    shown = screens["submission show 1"]
    assert "报送时间  2023-07-17 09:40" in shown and "状态      已评" in shown
    # csv stays the keys and values programs read
    assert zh("submission", "show", "1", "--format", "csv").out.splitlines()[:2] == [
        "setting,value",
        "id,1",
    ]


# --- no leaks: a month's human outputs hold no Python literal and no UTC instant -------------

# UTC alone is an instant in UTC; "12:00（UTC+08:00）" (a reminder's deadline) is local time
# with its zone named for the reader, which SPEC keeps
LEAK = re.compile(r"\bTrue\b|\bNone\b|UTC(?![+-]\d\d:\d\d)|\d\d:\d\d:\d\dZ|T\d\d:")


def _cells(path: Path) -> str:
    """Every cell value of a workbook, one per line."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return "\n".join(
            str(v)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    finally:
        wb.close()


def test_a_months_human_outputs_hold_no_python_literal_and_no_utc_instant(
    c2023, tmp_path, monkeypatch
):
    """A month typed through the CLI in Chinese (late reports to the second, corrections,
    rejections, adoptions, forwardings, an officer change, an extension, a moved deadline,
    a rules change), then every command's table, md, html and xlsx, the confirmations on
    stderr and ``log``: no ``True``/``None``, no ``UTC``, no ISO instant."""
    for var in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD", "FROM", "CAFILE"):
        monkeypatch.delenv(f"SVCMONTH_SMTP_{var}", raising=False)
    zh = c2023
    zh.lang = "zh_CN"
    said: dict[str, str] = {}

    def run(*args: str) -> str:
        result = zh(*args)
        said[" ".join(args)] = result.err
        return result.out

    def sid(*args: str) -> str:
        return run("submit", *args).strip()

    week1 = [
        sid("ICBC", "--column", "活动扫描", "--title", "第一周", "--at", "2023-07-17 09:40"),
        sid("ABC", "--column", "活动扫描", "--title", "第一周", "--at", "2023-07-17 12:00:30"),
        sid("BOC", "--column", "活动扫描", "--title", "第一周", "--at", "2023年7月18日 8:05"),
    ]
    deed = sid("ICBC", "--column", "先进事迹", "--title", "事迹", "--at", "2023-07-20 10:00")
    people = sid("ABC", "--column", "感动人物", "--title", "人物", "--at", "2023-07-21 16:30:15")
    study = sid("BOC", "--column", "学习体会", "--title", "体会", "--at", "2023-07-22 11:10")
    extra = sid("ICBC", "--column", "学习体会", "--title", "重复稿", "--at", "2023-07-23 09:00")
    run("submission", "edit", week1[2], "--at", "2023-07-17 11:50")
    run("submission", "edit", study, "--title", "学习体会（修订）")
    run("grade", "auto")
    run("grade", deed, "--level", "3")
    run("grade", people, "--reject", "--reason", "与主题无关")
    run("grade", people, "--reject")
    run("grade", people, "--clear")
    run("adopt", study, "--outlet", "银行视窗", "--on", "2023-07-25")
    run("adopt", deed, "--outlet", "中国银行业协会网站", "--on", "2023-07-26")
    run("adopt", deed, "--outlet", "中国银行业协会网站", "--undo")
    run("forward", deed, "--to", "中国银行业协会", "--on", "2023-07-27")
    run("submission", "withdraw", extra, "--reason", "重复报送")
    run("member", "edit", "ABC", "--officer", "钱七", "--since", "2023-07-25")
    run("member", "extend", "BOC", "--week", "2", "--until", "2023-07-25 18:00")
    run("campaign", "deadline", "--week", "3", "--at", "2023-08-01 12:00")
    run("campaign", "rules", "--late-level", "1")
    run("member", "deactivate", "BOC")
    run("member", "activate", "BOC")
    sid("ICBC", "--column", "活动扫描", "--title", "第二周", "--at", "2023-07-24 12:00:45")
    sid("BOC", "--column", "活动扫描", "--title", "第二周", "--at", "2023-07-25 17:59")

    screens: dict[str, str] = {}
    listings = [
        ("log",),
        ("member", "list"),
        ("member", "history", "ABC"),
        ("submission", "list"),
        ("submission", "show", week1[1]),
        ("submission", "show", deed),
        ("submission", "show", people),
        ("submission", "show", extra),
        ("check", "deadlines"),
        ("check", "quota"),
        ("report", "scoreboard"),
        ("report", "weekly", "--week", "2"),
        ("report", "year-end", "--year", "2023"),
        ("report", "officers", "--year", "2023"),
        ("report", "forwarded"),
        ("campaign", "show"),
        ("campaign", "list"),
        ("remind", "--as-of", "2023-07-23 20:00"),
        ("column", "list"),
        ("outlet", "list"),
        ("body", "list"),
        ("doctor",),
    ]
    for args in listings:
        name = " ".join(args)
        for fmt in ("table", "md", "html"):
            screens[f"{name} --format {fmt}"] = run(*args, "--format", fmt)
        book = tmp_path / f"{len(screens)}.xlsx"
        run(*args, "--format", "xlsx", "--output", str(book))
        screens[f"{name} --format xlsx"] = _cells(book)
    screens.update({f"stderr of {k}": v for k, v in said.items()})
    leaks = {name: LEAK.findall(text) for name, text in screens.items()}
    assert {name: found for name, found in leaks.items() if found} == {}, screens
    # the scan sees what it looks for
    assert "2023-07-17 12:00:30" in screens["submission list --format table"]
    assert "延期至 2023-07-25 18:00" in screens["log --format table"]
