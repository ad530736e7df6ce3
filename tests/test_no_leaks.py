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
