"""Survey exports as 问卷星 writes them (按文本), for the survey tests and the closing note.

``SMALL`` is a 12-response export whose tallies are fixed by construction (see
tests/test_survey.py for the counts). ``realistic(n)`` is a 20-question export of ``n``
responses about the 服务月, drawn from a seeded generator (the same file every time).

    python tests/survey_exports.py OUT.xlsx [N]    # write the 20-question export
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
Q1 = "1、您所在的单位类型是？"
Q2 = "2、您通过哪些渠道了解到本次服务月活动？"
Q3 = "3、请对以下服务改进方向按重要性排序"
Q4 = "4、您对本次活动还有什么意见和建议？"

_ANSWERS = [
    # Q1 (single)       Q2 (multiple, "other" in 〖〗)          Q3 (ranking)              Q4 (text)
    ("国有大型商业银行", "协会网站┋微信公众号", "服务效率→服务态度→适老化服务", "建议延长活动时间"),
    (
        "国有大型商业银行",
        "协会网站┋营业网点宣传",
        "服务效率→适老化服务→服务态度",
        "希望多组织网点开放日",
    ),
    ("国有大型商业银行", "微信公众号", "服务态度→服务效率→适老化服务", "宣传材料可以更通俗"),
    (
        "国有大型商业银行",
        "协会网站┋微信公众号┋其他〖抖音短视频〗",
        "服务效率→服务态度→适老化服务",
        "增加老年人专场",
    ),
    ("国有大型商业银行", "协会网站", "(跳过)", "评选结果要及时公布"),
    ("股份制商业银行", "协会网站┋营业网点宣传", "服务效率→服务态度→适老化服务", "多宣传典型案例"),
    (
        "股份制商业银行",
        "微信公众号┋营业网点宣传",
        "适老化服务→服务效率→服务态度",
        "网点排队时间还是长",
    ),
    (
        "股份制商业银行",
        "协会网站┋其他〖社区宣传栏〗",
        "服务态度→适老化服务→服务效率",
        "希望每年都办",
    ),
    (
        "城市商业银行",
        "协会网站┋微信公众号",
        "服务效率→适老化服务→服务态度",
        "可以结合消费者权益保护",
    ),
    ("城市商业银行", "营业网点宣传", "服务态度→服务效率→适老化服务", "活动很好"),
    ("农村金融机构", "协会网站┋微信公众号┋营业网点宣传", "(跳过)", "加强对县域网点的指导"),
    ("(跳过)", "营业网点宣传", "服务效率→服务态度→适老化服务", "(空)"),
]


def small(with_serial: bool = True) -> tuple[list[str], list[list[str]]]:
    """The 12-response export: ``(header, rows)`` of text cells."""
    header = (META if with_serial else META[1:]) + [Q1, Q2, Q3, Q4]
    start = datetime(2023, 7, 15, 9, 2, 11)
    rows = []
    for i, answers in enumerate(_ANSWERS, start=1):
        when = start + timedelta(hours=7 * i, minutes=13 * i)
        meta = [
            str(i),
            f"{when.year}/{when.month}/{when.day} {when:%H:%M:%S}",
            f"{60 + 17 * i}秒",
            "微信" if i % 3 else "手机提交",
            "直接访问" if i % 2 else "N/A",
            f"10.21.{i}.{200 - i}(内蒙古-呼和浩特)",
        ]
        rows.append((meta if with_serial else meta[1:]) + list(answers))
    return header, rows


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(header)
    for row in rows:
        # 问卷星 writes 序号 as a number
        sheet.append([int(c) if j == 0 and header[0] == "序号" else c for j, c in enumerate(row)])
    book.save(path)
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> Path:
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xls(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A real legacy .xls (BIFF8), as 问卷星's "下载Excel(.xls)" gives."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for j, head in enumerate(header):
        sheet.write(0, j, head)
    for i, row in enumerate(rows, start=1):
        for j, cell in enumerate(row):
            sheet.write(i, j, int(cell) if j == 0 and header[0] == "序号" else cell)
    book.save(str(path))
    return path


# --- the realistic 20-question export ------------------------------------------------------

BANKS = ["国有大型商业银行", "股份制商业银行", "城市商业银行", "农村金融机构", "其他金融机构"]
REALISTIC: list[tuple[str, str, list[str]]] = [
    ("single", "您的身份是？", ["银行客户", "银行员工", "其他"]),
    ("single", "您的年龄段是？", ["18岁以下", "18-30岁", "31-45岁", "46-60岁", "60岁以上"]),
    ("single", "您最常办理业务的银行类型是？", BANKS),
    (
        "multiple",
        "您通过哪些渠道了解到本次文明优质服务月活动？",
        ["协会网站", "微信公众号", "营业网点宣传", "电视广播", "报纸", "其他"],
    ),
    ("single", "您是否注意到营业网点的服务月宣传标语或LED屏？", ["注意到", "没有注意到", "记不清"]),
    (
        "single",
        "您对营业网点整体服务的满意程度是？",
        ["非常满意", "满意", "一般", "不满意", "非常不满意"],
    ),
    (
        "single",
        "与去年相比，您觉得网点服务有何变化？",
        ["明显改善", "有所改善", "没有变化", "有所下降"],
    ),
    (
        "single",
        "您在网点办理业务的平均等候时间是？",
        ["5分钟以内", "5-15分钟", "15-30分钟", "30分钟以上"],
    ),
    (
        "multiple",
        "您认为网点在哪些方面做得较好？",
        ["服务态度", "业务效率", "环境设施", "适老化服务", "消费者权益保护宣传", "其他"],
    ),
    (
        "multiple",
        "您认为网点在哪些方面还需要改进？",
        ["排队等候", "业务流程", "自助设备", "人员专业水平", "信息公开", "其他"],
    ),
    (
        "ranking",
        "请按重要性对以下服务改进方向排序",
        ["缩短等候时间", "提升服务态度", "完善适老化服务", "加强反诈宣传"],
    ),
    (
        "single",
        "您是否使用过网点的适老化服务（爱心窗口、老花镜等）？",
        ["使用过", "没有使用过", "不了解"],
    ),
    ("single", "网点工作人员是否主动向您宣传防范电信诈骗知识？", ["是", "否", "记不清"]),
    (
        "single",
        "您是否参加过服务月期间的“走进网点”或“金融知识进社区”活动？",
        ["参加过", "没有参加过"],
    ),
    ("single", "您对银行处理投诉的及时性是否满意？", ["满意", "基本满意", "不满意", "没有投诉过"]),
    (
        "multiple",
        "您希望协会今后开展哪些活动？",
        ["服务明星评选", "网点开放日", "金融知识讲座", "客户座谈会", "其他"],
    ),
    (
        "ranking",
        "请对以下宣传方式的效果排序",
        ["网点现场宣传", "微信公众号", "协会网站", "报纸电视"],
    ),
    ("single", "您是否愿意向亲友推荐您常去的网点？", ["愿意", "一般", "不愿意"]),
    ("text", "您印象最深的一次服务经历是？", []),
    ("text", "您对本次服务月活动还有什么意见和建议？", []),
]
_OTHERS = ["抖音短视频", "社区宣传栏", "朋友推荐", "公交站广告", "单位通知", "12345热线"]
_CITIES = ["呼和浩特", "包头", "鄂尔多斯", "赤峰", "通辽", "呼伦贝尔", "巴彦淖尔", "乌兰察布"]
_TEXTS = [
    "网点排队时间明显缩短了",
    "柜员耐心帮我母亲办理了社保卡激活",
    "希望周末也能多开几个窗口",
    "大堂经理主动引导使用自助设备",
    "建议宣传材料多用图片，少用文字",
    "希望活动常态化，不要只在服务月",
    "手机银行操作指导很有帮助",
    "网点为老年人准备了老花镜和血压计",
    "建议对农村网点多加指导",
    "评选结果应在网站公示",
    "反诈宣传很及时，避免了一次被骗",
    "服务态度好，但是业务流程还是繁琐",
    "希望增加县域网点的宣传力度",
    "工作人员上门为行动不便的老人办理业务",
    "建议延长营业时间",
]


def realistic(n: int = 200, seed: int = 2023) -> tuple[list[str], list[list[str]]]:
    """A 20-question 按文本 export of ``n`` responses."""
    rng = random.Random(seed)
    header = META + [f"{i}、{stem}" for i, (_t, stem, _o) in enumerate(REALISTIC, start=1)]
    start = datetime(2023, 7, 11, 8, 30, 0)
    rows = []
    for r in range(1, n + 1):
        when = start + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        row = [
            str(r),
            f"{when.year}/{when.month}/{when.day} {when:%H:%M:%S}",
            f"{rng.randint(80, 600)}秒",
            rng.choice(["微信", "手机提交", "链接"]),
            "直接访问",
            ".".join(str(rng.randint(1, 254)) for _ in range(4)) + "(内蒙古-呼和浩特)",
        ]
        for kind, _stem, options in REALISTIC:
            if rng.random() < 0.04:
                row.append("(跳过)")
                continue
            weights = [len(options) - k + 1.5 for k in range(len(options))]
            if kind == "single":
                row.append(rng.choices(options, weights)[0])
            elif kind == "multiple":
                picked = sorted(
                    {rng.choices(options, weights)[0] for _ in range(rng.randint(1, 3))},
                    key=options.index,
                )
                row.append(
                    "┋".join(f"其他〖{rng.choice(_OTHERS)}〗" if p == "其他" else p for p in picked)
                )
            elif kind == "ranking":
                order = sorted(options, key=lambda o: rng.random() * (options.index(o) + 2))
                row.append("→".join(order))
            elif rng.random() < 0.1:
                row.append(rng.choice(["无", "没有", "(空)"]))
            else:  # free text is mostly unique: where, and what
                row.append(
                    f"{rng.choice(_CITIES)}{rng.choice(BANKS[:4])}网点：{rng.choice(_TEXTS)}"
                )
        rows.append(row)
    return header, rows


if __name__ == "__main__":
    out = Path(sys.argv[1])
    write_xlsx(out, *realistic(int(sys.argv[2]) if len(sys.argv) > 2 else 200))
    print(out)


# --- the real tools' shapes (issue 20) -------------------------------------------------------
#
# Where each shape comes from:
# - 问卷星 "下载答卷数据": the file names ``<问卷ID>_<序号>_0.xls`` (按文本) and ``…_2.xls``
#   (按序号), the six metadata columns before the first question (序号, 提交答卷时间, 所用时间,
#   来源, 来源详情, 来自IP), headers ``N、题干``, and the codes -2 (skipped by a jump) and -3
#   (not shown) that the 按序号 data holds: reportgen's ``questionnaire.wenjuanxing()``
#   (headlen=6, ``re.findall('\d+_\d+_0.xls')``, ``d2.replace({-2: nan, -3: nan})``).
# - 问卷星 按文本 cells: ``┋`` between the options of a multiple choice, ``〖…〗`` around the
#   text typed into "other", ``(跳过)`` for a question a jump skipped, a matrix as one
#   column per row ``第N题(行)``; 按序号: option numbers, and one 0/1 column per option of a
#   multiple choice (SPEC "Real exports", the field reports).
# - 腾讯问卷 "数据 → 下载": metadata 编号, 开始答题时间, 结束答题时间, 答题时长,
#   地理位置国家和地区/省/市, 自定义字段; a multiple choice as one column per option
#   ``N.题干:选项`` (1 chosen, 0 not; the "other" column holds the typed text); the CSV with
#   a UTF-8 BOM and full-width colons, the bare 题干 (SPEC "Real exports").
# The sheet of every workbook is "Sheet1", as both tools name it in the files we were given.

WJX_META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
WJX_Q1 = "1、您的身份是？"
WJX_MATRIX = ["第2题(服务态度)", "第2题(等候时间)", "第2题(环境设施)"]
WJX_Q3 = "3、您对本次服务月活动的总体满意度"
WJX_Q4 = "4、您通过哪些渠道了解到本次活动？"
WJX_Q5 = "5、您还有什么意见和建议？"

# 20 responses, the counts fixed by construction (tests/test_survey_real.py):
# Q1 single: 个人客户 12, 企业客户 5, 其他 3 (退休教师 2, 学生 1)
# Q2 matrix: 服务态度 非常满意 10, 满意 6, 一般 4 (20 answered); 等候时间 非常满意 4, 满意 6,
#   一般 4, 不满意 2 (16 answered, 4 not shown: -3); 环境设施 非常满意 5, 满意 10, 一般 5
# Q3 scale: 非常满意 8, 满意 6, 一般 4, 不满意 2, 非常不满意 0 → mean 4.0, 满意率 70.0
# Q4 multiple: 协会网站 12, 微信公众号 13 (five chose both)
# Q5 free text, mostly 无: 12 无 and 8 distinct texts (so read as a single choice)
_Q1 = ["个人客户"] * 12 + ["企业客户"] * 5 + ["其他〖退休教师〗"] * 2 + ["其他〖学生〗"]
_ATTITUDE = ["非常满意"] * 10 + ["满意"] * 6 + ["一般"] * 4
_WAITING = ["非常满意"] * 4 + ["满意"] * 6 + ["一般"] * 4 + ["不满意"] * 2 + ["-3"] * 4
_SETTING = ["非常满意"] * 5 + ["满意"] * 10 + ["一般"] * 5
_Q3 = ["非常满意"] * 8 + ["满意"] * 6 + ["一般"] * 4 + ["不满意"] * 2
_Q4 = ["协会网站"] * 10 + ["微信公众号"] * 10
_Q5 = ["无"] * 12 + [f"建议{n}" for n in "一二三四五六七八"]
_SCALE_NUMBER = {"非常满意": "1", "满意": "2", "一般": "3", "不满意": "4", "非常不满意": "5"}


def wjx_by_text() -> tuple[list[str], list[list[str]]]:
    """问卷星's 按文本 download with a matrix (Q2) and a satisfaction scale (Q3)."""
    header = WJX_META + [WJX_Q1, *WJX_MATRIX, WJX_Q3, WJX_Q4, WJX_Q5]
    rows = []
    for i in range(20):
        when = datetime(2023, 7, 20, 9, 0, 0) + timedelta(minutes=37 * i)
        meta = [
            str(i + 1),
            f"{when.year}/{when.month}/{when.day} {when:%H:%M:%S}",
            f"{80 + i}秒",
            "微信",
            "N/A",
            f"10.21.3.{i + 10}(内蒙古-呼和浩特)",
        ]
        rows.append(
            meta
            + [_Q1[i], _ATTITUDE[i], _WAITING[(i * 7) % 20], _SETTING[(i * 3) % 20]]
            + [_Q3[(i * 9) % 20], _Q4[i] if i % 4 else "协会网站┋微信公众号", _Q5[i]]
        )
    return header, rows


def wjx_by_number() -> tuple[list[str], list[list[str]]]:
    """The same answers as 问卷星's 按序号 download: option numbers, and the multiple choice as
    one 0/1 column per option."""
    header = WJX_META + [
        WJX_Q1,
        *WJX_MATRIX,
        WJX_Q3,
        "第4题(协会网站)",
        "第4题(微信公众号)",
        WJX_Q5,
    ]
    rows = []
    for row in wjx_by_text()[1]:
        meta, q1, a, w, s, q3, q4, q5 = row[:6], *row[6:]
        rows.append(
            meta
            + ["1" if q1 == "个人客户" else "2" if q1 == "企业客户" else "3"]
            + [_SCALE_NUMBER.get(v, v) for v in (a, w, s, q3)]
            + ["1" if "协会网站" in q4 else "0", "1" if "微信公众号" in q4 else "0", q5]
        )
    return header, rows


def wjx_skips() -> tuple[list[str], list[list[str]]]:
    """问卷星 按文本 with jump logic: Q2 skipped ``(跳过)`` by those who answered 否 to Q1, Q3
    not shown (``-3``) to them; 8 responses, 5 answered Q2 and Q3."""
    header = WJX_META + ["1、您是否到过网点办理业务？", "2、您办理的业务是？", "3、办理是否顺利？"]
    rows = []
    for i in range(8):
        been = i < 5
        rows.append(
            [str(i + 1), f"2023/7/21 10:{i:02d}:00", "60秒", "手机提交", "直接访问", "10.0.0.1"]
            + ["是" if been else "否"]
            + [("存款" if i % 2 else "理财") if been else "(跳过)"]
            + [("顺利" if i != 4 else "不顺利") if been else "-3"]
        )
    return header, rows


TX_META = ["编号", "开始答题时间", "结束答题时间", "答题时长", "地理位置国家和地区", "地理位置省"]
TX_META += ["地理位置市", "自定义字段"]


def tencent(bare: bool = False, colon: str = ":") -> tuple[list[str], list[list[str]]]:
    """腾讯问卷's download: its metadata, a multiple choice as one column per option (the
    "其他" column holds the typed text), a 很满意…很不满意 scale; ``bare``: headers without
    their number, as the CSV was given to us. 10 responses."""

    def q(n: int, text: str) -> str:
        return text if bare else f"{n}.{text}"

    channel = "您了解本次活动的渠道"
    header = TX_META + [
        q(1, "您所在的盟市"),
        *(q(2, f"{channel}{colon}{o}") for o in ("协会网站", "微信公众号", "其他")),
        q(3, "您对营业网点服务的满意度"),
    ]
    scale = ["很满意"] * 5 + ["满意"] * 3 + ["一般", "很不满意"]
    rows = []
    for i in range(10):
        start = datetime(2023, 7, 22, 8, 0, 0) + timedelta(minutes=11 * i)
        end = start + timedelta(seconds=70 + i)
        rows.append(
            [str(i + 1), f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}", f"{70 + i}秒"]
            + ["中国", "内蒙古自治区", "呼和浩特市", ""]
            + ["呼和浩特" if i < 6 else "包头"]
            + ["1" if i < 7 else "0", "1" if i % 2 else "0", "抖音" if i == 9 else "0"]
            + [scale[i]]
        )
    return header, rows
