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
