"""Nothing misleading (SPEC "No leaks"): a refusal in words, never a constraint's English
text or a Python literal; instants in local time, to the second when it is not zero."""

from __future__ import annotations

import sqlite3

import survey_exports as ex
from svcmonth.storage import describe_sqlite_error

NAME = "2023服务月"


def test_campaign_delete_with_a_survey_is_refused_in_words_not_a_foreign_key_failure(
    c2023, tmp_path
):
    export = ex.write_xlsx(tmp_path / "问卷.xlsx", *ex.small())
    c2023("survey", "import", str(export), "--name", "满意度调查", "--campaign", NAME)
    before = c2023.dump()
    err = c2023.fails("campaign", "delete", NAME)
    assert err == (
        f"Error: campaign {NAME} holds 1 survey(s): only an empty campaign can be deleted\n"
    )
    assert c2023.dump() == before
    c2023.lang = "zh_CN"
    err = c2023("campaign", "delete", NAME, code=1).err
    assert err == f"错误：活动 {NAME} 已有1 份调查问卷，请先删除；只能删除未登记任何内容的活动\n"
    assert "FOREIGN KEY" not in err


def test_a_constraint_failure_is_explained_in_words():
    for english in (
        "FOREIGN KEY constraint failed",
        "UNIQUE constraint failed: member.code",
        "CHECK constraint failed: length(title) > 0",
        "NOT NULL constraint failed: submission.title",
    ):
        text = describe_sqlite_error(sqlite3.IntegrityError(english))
        assert "constraint" not in text.lower() and text


def test_campaign_delete_with_an_inbox_entry_is_refused_in_words(c2023, tmp_path):
    from mailmaker import JPEG, mail, word

    raw = mail(
        "王丽 <WangLi@ICBC.example.cn>",
        word("【看图话服务】网点的微笑服务"),
        received="Mon, 24 Jul 2023 09:40:00 +0800",
        attachments=[(b'filename="a.jpg"', "image/jpeg", JPEG)],
    )
    (tmp_path / "m.eml").write_bytes(raw)
    c2023("inbox", "import", str(tmp_path / "m.eml"))
    err = c2023.fails("campaign", "delete", NAME)
    assert err == (
        f"Error: campaign {NAME} holds 1 inbox entry(ies): only an empty campaign can be deleted\n"
    )


def test_submission_show_json_escapes_u202e_and_u0085_like_submission_list(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-12 10:00", "标题")
    # text from before the control-character check (or a path that skipped it)
    conn = sqlite3.connect(c2023.db)
    with conn:
        conn.execute("UPDATE submission SET title = ? WHERE id = ?", ("甲\u202e乙\u0085丙", sid))
    conn.close()
    shown = c2023("submission", "show", str(sid), "--format", "json").out
    listed = c2023("submission", "list", "--format", "json").out
    for out in (shown, listed):
        assert "\u202e" not in out and "\u0085" not in out
        assert "甲\\u202e乙\\u0085丙" in out
    assert c2023.json("submission", "show", str(sid))["title"] == "甲\u202e乙\u0085丙"


# --- instants: local time, to the second when not zero ----------------------------------------


def test_log_shows_before_and_after_in_local_time_and_an_extension_as_extended_until(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-20 10:00", "事迹")
    c2023("submission", "edit", str(sid), "--at", "2023-07-22 12:10")
    c2023("member", "edit", "ABC", "--officer", "钱七", "--since", "2023-07-25")
    c2023("member", "extend", "ABC", "--week", "2", "--until", "2023-07-25 18:00")
    c2023.lang = "zh_CN"
    text = c2023("log").out
    assert "报送时间 2023-07-20 10:00" in text and "报送时间 2023-07-22 12:10" in text
    assert "任职起始 2023-07-25 00:00" in text  # the day typed, not 2023-07-24 16:00 UTC
    assert "延期至 2023-07-25 18:00" in text and "任职止" not in text
    assert "UTC" not in text and "Z" not in text and "T04:" not in text
    entries = c2023.json("log")
    edit = next(e for e in entries if e["action"] == "edit" and e["entity"] == "submission")
    assert edit["after"]["submitted_at"] == "2023-07-22T12:10:00+08:00"
    extend = next(e for e in entries if e["action"] == "extend")
    assert extend["after"]["until"] == "2023-07-25T18:00:00+08:00"  # the JSON keeps its key


def test_a_report_at_12_00_30_shows_its_seconds_beside_a_12_00_deadline(c2023, submit):
    sid = submit("ICBC", "活动扫描", "2023-07-17 12:00:30", "第一周")
    c2023.lang = "zh_CN"
    for args in (
        ("check", "deadlines", "--week", "1"),
        ("submission", "list"),
        ("submission", "show", str(sid)),
        ("submission", "list", "--format", "md"),
    ):
        out = c2023(*args).out
        assert "2023-07-17 12:00:30" in out, args
    deadlines = c2023("check", "deadlines", "--week", "1").out
    assert "2023-07-17 12:00 " in deadlines  # the deadline itself: to the minute
    c2023.lang = "en"
    c2023("submission", "edit", str(sid), "--at", "2023-07-17 11:59")
    assert "2023-07-17 11:59 " in c2023("submission", "list").out  # :00 seconds are not shown


def test_confirmations_say_on_time_and_not_graded_never_true_or_none(c2023, submit):
    sid = submit("ICBC", "先进事迹", "2023-07-20 10:00", "事迹")
    c2023.lang = "zh_CN"
    err = c2023("submission", "edit", str(sid), "--at", "2023-07-21 10:00").err
    assert err == f"已更正稿件 {sid}：按时，待评，0 分\n"
    err = c2023("adopt", str(sid), "--outlet", "银行视窗", "--on", "2023-07-25").err
    assert err == f"#{sid} 已登记被银行视窗刊用：未评级，0分\n"
    err = c2023("adopt", str(sid), "--outlet", "银行视窗", "--undo").err
    assert err == f"已撤销 银行视窗 对稿件 {sid} 的刊用：未评级，0 分\n"
    c2023("grade", str(sid), "--level", "2")
    err = c2023("adopt", str(sid), "--outlet", "银行视窗", "--on", "2023-07-25").err
    assert "True" not in err and "None" not in err and "级" in err
    c2023.lang = "en"
    sid2 = submit("ABC", "活动扫描", "2023-07-17 13:00", "第一周")
    err = c2023("submission", "edit", str(sid2), "--at", "2023-07-17 12:30").err
    assert err == f"corrected {sid2}: late, pending, 0 points\n"


def test_log_names_the_new_records_fields_in_words(c2023, submit):
    """settings, 批示: the audit trail reads 设置/批示级别, not association/endorsement_level."""
    sid = submit("ICBC", "先进事迹", "2023-07-20 10:00", "事迹")
    c2023("settings", "--association", "内蒙古银行业协会")
    c2023("endorse", str(sid), "--by", "王书记", "--level", "省部级", "--on", "2023-07-28")
    c2023.lang = "zh_CN"
    shown = c2023("log").out
    assert "修改设置" in shown and "批示级别 省部级" in shown
    for key in ("association", "endorsement_level", "endorsed_by", "setting ", " on "):
        assert key not in shown, key


def test_a_system_error_reads_in_chinese_not_the_c_librarys_english(c2023, tmp_path):
    """`-o` into a folder that does not exist: 文件或文件夹不存在, not No such file or directory."""
    c2023.lang = "zh_CN"
    err = c2023(
        "member", "list", "-f", "csv", "-o", str(tmp_path / "无此文件夹" / "x.csv"), code=1
    ).err
    assert err.startswith("错误：") and "文件或文件夹不存在" in err
    assert "No such file" not in err and "Errno" not in err
