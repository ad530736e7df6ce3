"""Members and officers: add, edit (history), deactivate, extend, list, import."""

from __future__ import annotations


def test_member_list_shows_the_current_officer(c2023):
    rows = c2023.json("member", "list")
    assert rows[0] == {
        "code": "ICBC",
        "name": "中国工商银行内蒙古分行",
        "officer": "王丽",
        "phone": "13904710001",
        "email": "wangli@icbc.example.cn",
        "category": "",
        "active": True,
    }
    assert [r["code"] for r in rows] == ["ICBC", "ABC", "BOC"]


def test_an_officer_change_is_kept_in_history_and_authors_follow_the_submission_instant(
    c2023, submit
):
    first = submit("BOC", "先进事迹", "2023-07-12 10:00")
    c2023.now = "2023-08-21T09:00:00+08:00"
    c2023("member", "edit", "BOC", "--officer", "黄蕾", "--email", "huanglei@boc.example.cn")
    # logged after the change but submitted before it: still the old officer's (rule 9)
    second = submit("BOC", "先进事迹", "2023-07-20 10:00")
    history = c2023.json("member", "history", "BOC")
    assert [(h["officer"], h["since"], h["until"]) for h in history] == [
        ("张敏", None, "2023-08-21T09:00:00+08:00"),
        ("黄蕾", "2023-08-21T09:00:00+08:00", None),
    ]
    authors = {r["id"]: r["author"] for r in c2023.json("submission", "list")}
    assert authors[first] == "张敏" and authors[second] == "张敏"


def test_a_phone_correction_keeps_the_same_officer(c2023):
    c2023("member", "edit", "ICBC", "--phone", "0471-6660001")
    history = c2023.json("member", "history", "ICBC")
    assert len(history) == 1 and history[0]["phone"] == "0471-6660001"


def test_a_duplicate_code_is_refused(c2023):
    before = c2023.dump()
    err = c2023.fails("member", "add", "ICBC", "另一家银行")
    assert "already registered" in err
    assert c2023.dump() == before


def test_a_deactivated_member_keeps_its_history_but_leaves_checks(c2023, submit):
    sid = submit("ABC", "先进事迹", "2023-07-12 10:00")
    c2023("member", "deactivate", "ABC")
    assert [r["member"] for r in c2023.json("check", "quota")] == ["ICBC", "BOC"]
    assert [r["id"] for r in c2023.json("submission", "list", "--member", "ABC")] == [sid]
    err = c2023.fails(
        "submit", "ABC", "--column", "先进事迹", "--title", "x", "--at", "2023-07-13 10:00"
    )
    assert "deactivated" in err
    assert c2023.json("member", "list")[1]["active"] is False
    c2023("member", "activate", "ABC")
    assert len(c2023.json("check", "quota")) == 3


def test_an_extension_gives_one_member_more_time(c2023, submit):
    c2023("member", "extend", "ABC", "--week", "1", "--until", "2023-07-18 18:00")
    submit("ICBC", "活动扫描", "2023-07-18 10:00", "周报")
    submit("ABC", "活动扫描", "2023-07-18 10:00", "周报")
    rows = {r["member"]: r for r in c2023.json("check", "deadlines", "--week", "1")}
    assert rows["ICBC"]["status"] == "late"
    assert rows["ABC"]["status"] == "on_time"
    assert rows["ABC"]["deadline"] == "2023-07-18T18:00:00+08:00"


def test_an_extension_earlier_than_the_deadline_is_refused_and_changes_nothing(c2023, submit):
    before = c2023.dump()
    err = c2023.fails("member", "extend", "ABC", "--week", "1", "--until", "2023-07-16 18:00")
    assert "not after week 1's deadline (2023-07-17 12:00)" in err
    assert c2023.dump() == before
    rows = {r["member"]: r for r in c2023.json("check", "deadlines", "--week", "1")}
    assert rows["ABC"]["deadline"] == "2023-07-17T12:00:00+08:00"


def test_import_utf8_with_bom(tmp_path, svc):
    f = tmp_path / "members.csv"
    f.write_text(
        "code,name,officer,phone,email,category\r\n"
        "ICBC,中国工商银行内蒙古分行,王丽,13904710001,wangli@icbc.example.cn,国有\r\n",
        encoding="utf-8-sig",
    )
    svc("member", "import", str(f))
    assert svc.json("member", "list")[0]["name"] == "中国工商银行内蒙古分行"


def test_import_a_gbk_file_saved_by_excel_intact(tmp_path, svc):
    f = tmp_path / "会员.csv"
    f.write_bytes(
        "code,name,officer,phone,email,category\r\n"
        "NMRCU,内蒙古农村信用社联合社,格日勒,13904710012,,农村金融机构\r\n"
        "HSB,呼和浩特市商业银行,郑欣,13904710010,zhengxin@hsbank.example.cn,城市商业银行\r\n".encode(
            "gbk"
        )
    )
    svc("member", "import", str(f))
    rows = svc.json("member", "list")
    assert [(r["code"], r["name"], r["officer"], r["category"]) for r in rows] == [
        ("NMRCU", "内蒙古农村信用社联合社", "格日勒", "农村金融机构"),
        ("HSB", "呼和浩特市商业银行", "郑欣", "城市商业银行"),
    ]


def test_import_names_every_bad_line_and_writes_nothing(tmp_path, c2023):
    f = tmp_path / "members.csv"
    f.write_text(
        "code,name,officer,phone,email,category\n"
        "CCB,中国建设银行内蒙古分行,刘洋,13904710004,liuyang@ccb.example.cn,国有\n"
        "ICBC,重复,王丽,,,\n"
        ",没有代码,,,,\n"
        "BOCOM,交通银行,陈静,123,not-an-email,\n"
        "CMB,招商银行\n",
        encoding="utf-8",
    )
    before = c2023.dump()
    run = c2023("member", "import", str(f), code=1)
    lines = run.err.strip().splitlines()
    assert lines[0].startswith("Error: ") and "nothing was imported" in lines[0]
    assert lines[1:] == [
        "line 3: member ICBC is already registered (use --update)",
        "line 4: member code '' must be non-empty, without spaces",
        "line 5: '123' is not a phone number (a mobile such as 13904710007, a landline with its"
        " area code such as 0471-6900000 or 0471-6900000转8001, or a 400/800 number)",
        "line 6: 2 fields where the header has 6",
    ]
    assert c2023.dump() == before


def test_import_update_changes_existing_members(tmp_path, c2023):
    f = tmp_path / "members.csv"
    f.write_text(
        "code,name,officer\nICBC,工行内蒙古分行,赵六\nCCB,建行内蒙古分行,刘洋\n", encoding="utf-8"
    )
    c2023("member", "import", "--update", str(f))
    rows = {r["code"]: r for r in c2023.json("member", "list")}
    assert rows["ICBC"]["name"] == "工行内蒙古分行" and rows["ICBC"]["officer"] == "赵六"
    assert rows["ICBC"]["phone"] == "13904710001"  # not in the file: unchanged
    assert rows["CCB"]["officer"] == "刘洋"


def test_import_with_a_wrong_header_is_refused(tmp_path, c2023):
    f = tmp_path / "m.csv"
    f.write_text("编号,名称\nX,Y\n", encoding="utf-8")
    run = c2023("member", "import", str(f), code=1)
    assert run.err.startswith("Error: ")
    # no recognised column anywhere: the required ones are named (columns are no longer
    # refused for being unknown: a clerk's list carries 序号, 备注, … — issue 20)
    assert "line 1: missing column(s): code, name" in run.err


def test_member_list_exported_imports_back_into_a_new_database(tmp_path, c2023):
    out = tmp_path / "members.csv"
    c2023("member", "list", "--format", "csv", "--output", str(out))
    c2023.db = tmp_path / "other.db"
    c2023("init")
    c2023("member", "import", str(out))
    rows = c2023.json("member", "list")
    assert [r["code"] for r in rows] == ["ICBC", "ABC", "BOC"]
    assert rows[0]["phone"] == "13904710001"
