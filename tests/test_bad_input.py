"""Bad input, everywhere: one ``Error:`` line (exit 1) or a usage error (exit 2), no
traceback, and the database's content exactly as it was."""

from __future__ import annotations

import sqlite3

import pytest

GOOD_HEADER = "member,column,title,submitted_at\n"

# name → file content (bytes) for the CSV cases
FILES: dict[str, bytes] = {
    "wrong_header.csv": "成员,栏目,标题,时间\nICBC,先进事迹,t,2023-07-12 10:00\n".encode(),
    "missing_column.csv": b"member,column,title\nICBC,x,t\n",
    "extra_column.csv": b"member,title,submitted_at,colour\nICBC,b,c,d\n",
    "repeated_column.csv": b"member,member,column,title,submitted_at\nA,A,b,c,d\n",
    "short_row.csv": (GOOD_HEADER + "ICBC,先进事迹,缺时间\n").encode(),
    "long_row.csv": (GOOD_HEADER + "ICBC,先进事迹,多一列,2023-07-12 10:00,1,2,3,4\n").encode(),
    "unknown_member.csv": (GOOD_HEADER + "NOPE,先进事迹,t,2023-07-12 10:00\n").encode(),
    "bad_date.csv": (GOOD_HEADER + "ICBC,先进事迹,t,2023-13-45 10:00\n").encode(),
    "bad_week.csv": (
        "member,column,title,submitted_at,week\nICBC,活动扫描,t,2023-07-12 10:00,九\n"
    ).encode(),
    "week_out_of_range.csv": (
        "member,column,title,submitted_at,week\nICBC,活动扫描,t,2023-07-12 10:00,6\n"
    ).encode(),
    "binary.csv": bytes(range(256)) * 4,
    # Latin-1 bytes: neither valid UTF-8 nor valid GB18030
    "latin1.csv": b"member,column,title,submitted_at\nICBC,caf\xe9,t\xff\xfe,x\n",
    "empty.csv": b"",
    "header_only_bad_members.csv": b"name,officer,phone,email,category,shoe_size\n",
    "members_dup.csv": "code,name\nX1,甲\nX1,乙\n".encode(),
    "members_bad_phone.csv": "code,name,phone\nX2,甲,call me\n".encode(),
    "members_empty_name.csv": b"code,name\nX3,\n",
    "members_gbk_broken.csv": "code,name\nX4,内蒙古\n".encode("gbk")[:-3] + b"\xff\xff\n",
    # issue 11: hostile text and odd files
    "members_bad_email.csv": "code,name,email\nX5,甲,a(b@x.cn\n".encode(),
    "members_control.csv": "code,name\nX6,工商\x0b银行\n".encode(),
    "control_title.csv": (GOOD_HEADER + "ICBC,先进事迹,\x1b[2J标题,2023-07-12 11:00\n").encode(),
    "bad_id.csv": (
        "id,member,column,title,submitted_at\nabc,ICBC,先进事迹,t,2023-07-12 11:00\n"
    ).encode(),
    "huge_week.csv": (
        "member,column,title,submitted_at,week\nICBC,活动扫描,t,2023-07-12 10:00," + "9" * 25 + "\n"
    ).encode(),
    "empty.db": b"",
    "other.db": b"%PDF-1.4\n" + bytes(range(256)) * 4,
}

# (id, arguments, exit code, a piece of the message); {f:NAME} is a file above, {id} the
# article's id, {rid} the report's id
CASES = [
    (
        "campaign-inverted",
        "campaign new x --start 2023-08-11 --end 2023-07-11",
        1,
        "ends (2023-07-11) before it starts",
    ),
    (
        "campaign-impossible-date",
        "campaign new x --start 2023-02-30 --end 2023-03-11",
        1,
        "not a real date",
    ),
    ("campaign-not-a-date", "campaign new x --start yesterday --end 2023-03-11", 1, "not a date"),
    (
        "campaign-bad-tz",
        "campaign new x --start 2023-07-11 --end 2023-08-11 --tz Mars/Base",
        1,
        "unknown time zone",
    ),
    (
        "campaign-tz-path",
        "campaign new x --start 2023-07-11 --end 2023-08-11 --tz ../../etc",
        1,
        "unknown time zone",
    ),
    (
        "campaign-duplicate",
        "campaign new 2023服务月 --start 2023-07-11 --end 2023-08-11",
        1,
        "already exists",
    ),
    (
        "campaign-empty-name",
        ["campaign", "new", " ", "--start", "2023-07-11", "--end", "2023-08-11"],
        1,
        "needs a name",
    ),
    (
        "campaign-negative-min",
        "campaign new y --start 2023-07-11 --end 2023-08-11 --min-articles -1",
        1,
        "--min-articles -1 is out of range (0 to",
    ),
    (
        "campaign-bad-weekday",
        "campaign new y --start 2023-07-11 --end 2023-08-11 --deadline-day someday",
        1,
        "not a weekday",
    ),
    (
        "campaign-bad-time",
        "campaign new y --start 2023-07-11 --end 2023-08-11 --deadline-time 25:00",
        1,
        "not a time of day",
    ),
    ("campaign-unknown", "campaign show --campaign 1999", 1, "no campaign named"),
    ("deadline-week-0", "campaign deadline --week 0 --at 2023-07-18T12:00", 1, "out of range"),
    ("deadline-week-6", "campaign deadline --week 6 --at 2023-07-18T12:00", 1, "out of range"),
    ("deadline-bad-at", "campaign deadline --week 1 --at 2023-07-18T25:00", 1, "not a real date"),
    ("deadline-ambiguous", "campaign deadline --week 1 --at 18/07/2023", 1, "not a date and time"),
    ("rules-bad-points", "campaign rules --points three=4", 1, "LEVEL=POINTS"),
    ("rules-bad-level", "campaign rules --late-level 4", 1, "1, 2 or 3"),
    ("rules-unknown-outlet", "campaign rules --doubling-outlet 火星日报", 1, "unknown outlet"),
    ("member-duplicate", "member add ICBC 重复银行", 1, "already registered"),
    ("member-code-space", ["member", "add", "IC BC", "银行"], 1, "without spaces"),
    ("member-empty-name", ["member", "add", "NEW", "  "], 1, "name is empty"),
    ("member-bad-email", "member add NEW 银行 --email not-mail", 1, "not an e-mail"),
    ("member-huge-name", ["member", "add", "NEW", "行" * 5000], 1, "too long"),
    ("member-edit-unknown", "member edit NOPE --name x", 1, "unknown member"),
    ("member-deactivate-twice", "member deactivate BOC", 0, ""),
    (
        "member-extend-unknown",
        "member extend NOPE --week 1 --until 2023-07-18T12:00",
        1,
        "unknown member",
    ),
    (
        "member-extend-week",
        "member extend ICBC --week 9 --until 2023-07-18T12:00",
        1,
        "out of range",
    ),
    (
        "member-extend-bad-until",
        "member extend ICBC --week 1 --until soon",
        1,
        "not a date and time",
    ),
    ("member-import-missing-file", "member import /nonexistent/会员.csv", 1, "cannot read"),
    (
        "member-import-extra-header",
        "member import {f:header_only_bad_members.csv}",
        1,
        "missing column(s): code",
    ),
    ("member-import-dup", "member import {f:members_dup.csv}", 1, "appears again"),
    ("member-import-phone", "member import {f:members_bad_phone.csv}", 1, "not a phone number"),
    ("member-import-empty-name", "member import {f:members_empty_name.csv}", 1, "name is empty"),
    (
        "member-import-broken-gbk",
        "member import {f:members_gbk_broken.csv}",
        1,
        "neither UTF-8 nor GB18030",
    ),
    (
        "submit-unknown-member",
        "submit NOPE --column 先进事迹 --title t --at 2023-07-12T10:00",
        1,
        "unknown member",
    ),
    ("submit-in-no-campaign", "submit ICBC --column 先进事迹 --title t", 1, "no campaign runs"),
    (
        "submit-before-named-campaign",
        "submit ICBC --column 先进事迹 --title t --at 2023-07-10T23:59 --campaign 2023服务月",
        1,
        "before campaign",
    ),
    (
        "submit-unknown-column",
        "submit ICBC --column 新闻 --title t --at 2023-07-12T10:00",
        1,
        "unknown column",
    ),
    (
        "submit-association-column",
        "submit ICBC --column 调查问卷 --title t --at 2023-07-12T10:00",
        1,
        "run by the association",
    ),
    (
        "submit-empty-title",
        ["submit", "ICBC", "--at", "2023-07-12T10:00", "--column", "先进事迹", "--title", " "],
        1,
        "title is empty",
    ),
    (
        "submit-huge-title",
        [
            "submit",
            "ICBC",
            "--at",
            "2023-07-12T10:00",
            "--column",
            "先进事迹",
            "--title",
            "长" * 501,
        ],
        1,
        "too long",
    ),
    (
        "submit-multiline-title",
        ["submit", "ICBC", "--at", "2023-07-12T10:00", "--column", "先进事迹", "--title", "a\nb"],
        1,
        "line break",
    ),
    (
        "submit-impossible-date",
        "submit ICBC --column 先进事迹 --title t --at 2023-02-29T10:00",
        1,
        "not a real date",
    ),
    (
        "submit-bad-offset",
        "submit ICBC --column 先进事迹 --title t --at 2023-07-12T10:00+25:00",
        1,
        "impossible UTC offset",
    ),
    ("submit-year-0", "submit ICBC --column 先进事迹 --title t --at 0000-01-01", 1, "out of range"),
    (
        "submit-week-article",
        "submit ICBC --column 先进事迹 --title t --at 2023-07-12T10:00 --week 1",
        1,
        "reports only",
    ),
    (
        "submit-week-range",
        "submit ICBC --column 活动扫描 --title t --at 2023-07-12T10:00 --week 0",
        1,
        "out of range",
    ),
    (
        "submit-week-text",
        "submit ICBC --column 活动扫描 --title t --at 2023-07-12T10:00 --week one",
        2,
        "",
    ),
    (
        "submit-bad-url",
        [
            "submit",
            "ICBC",
            "--at",
            "2023-07-12T10:00",
            "--column",
            "先进事迹",
            "--title",
            "t",
            "--url",
            "http://a b",
        ],
        1,
        "not a usable URL",
    ),
    ("import-wrong-header", "submission import {f:wrong_header.csv}", 1, "missing column(s)"),
    (
        "import-missing-column",
        "submission import {f:missing_column.csv}",
        1,
        "missing column(s): submitted_at",
    ),
    (
        "import-extra-column",
        "submission import {f:extra_column.csv}",
        1,
        "missing column(s): column",
    ),
    (
        "import-repeated-column",
        "submission import {f:repeated_column.csv}",
        1,
        "repeated column(s)",
    ),
    ("import-short-row", "submission import {f:short_row.csv}", 1, "line 2: 3 fields"),
    ("import-long-row", "submission import {f:long_row.csv}", 1, "line 2: 8 fields"),
    (
        "import-unknown-member",
        "submission import {f:unknown_member.csv}",
        1,
        "line 2: unknown member",
    ),
    ("import-bad-date", "submission import {f:bad_date.csv}", 1, "line 2:"),
    ("import-bad-week", "submission import {f:bad_week.csv}", 1, "not a number"),
    ("import-week-out-of-range", "submission import {f:week_out_of_range.csv}", 1, "out of range"),
    ("import-binary", "submission import {f:binary.csv}", 1, "NUL bytes"),
    (
        "import-unexpected-encoding",
        "submission import {f:latin1.csv}",
        1,
        "neither UTF-8 nor GB18030",
    ),
    ("import-empty", "submission import {f:empty.csv}", 1, "is empty"),
    ("import-directory", "submission import /tmp", 1, "cannot read"),
    ("list-unknown-member", "submission list --member NOPE", 1, "unknown member"),
    ("list-unknown-column", "submission list --column 新闻", 1, "unknown column"),
    ("list-week-range", "submission list --week 99", 1, "out of range"),
    ("list-bad-format", "submission list --format pdf", 2, ""),
    ("list-bad-as-of", "submission list --as-of 2023-07-32", 1, "not a real date"),
    ("withdraw-unknown", "submission withdraw 999", 1, "no submission with id 999"),
    ("withdraw-negative", "submission withdraw -5", 2, ""),
    ("grade-unknown", "grade 999 --level 2", 1, "no submission"),
    ("grade-level-4", "grade {id} --level 4", 1, "1, 2 or 3"),
    ("grade-level-0", "grade {id} --level 0", 1, "1, 2 or 3"),
    ("grade-level-negative", "grade {id} --level -2", 1, "1, 2 or 3"),
    ("grade-level-text", "grade {id} --level high", 2, ""),
    ("grade-both", "grade {id} --level 2 --reject", 1, "either --level"),
    ("grade-neither", "grade {id}", 1, "either --level"),
    ("grade-auto-level", "grade auto --level 2", 1, "takes no --level"),
    ("grade-id-text", "grade first --level 2", 1, "not a submission id"),
    ("adopt-unknown-outlet", "adopt {id} --outlet 火星日报", 1, "unknown outlet"),
    ("adopt-unknown-id", "adopt 999 --outlet 银监分局简报", 1, "no submission"),
    ("adopt-bad-date", "adopt {id} --outlet 银监分局简报 --on 2023-02-30", 1, "not a real date"),
    ("forward-unknown-body", "forward {id} --to 火星协会", 1, "unknown body"),
    ("check-week-range", "check deadlines --week 0", 1, "out of range"),
    ("check-bad-as-of", "check quota --as-of 'next monday'", 1, "not a date"),
    ("report-weekly-range", "report weekly --week 7", 1, "out of range"),
    ("report-year-none", "report year-end --year 1999", 1, "no campaign starts in 1999"),
    ("report-officers-none", "report officers --year 2030", 1, "no campaign starts"),
    ("report-year-text", "report year-end --year twenty", 2, ""),
    ("output-bad-encoding", "member list --format csv --encoding klingon", 1, "unknown encoding"),
    ("output-unwritable", "member list --output /nonexistent/dir/x.csv", 1, "cannot write"),
    (
        "output-unencodable",
        "member list --format csv --encoding ascii --output {tmp}/a.csv",
        1,
        "cannot be written in ascii",
    ),
    ("xlsx-to-stdout", "report scoreboard --format xlsx", 1, "needs --output"),
    ("backup-over-db", "backup {db}", 1, "already exists"),
    ("backup-bad-dir", "backup /nonexistent/dir/b.db", 1, "cannot write"),
    ("demo-over-db", "demo --db {db}", 1, "never touches an existing file"),
    ("demo-half-large", "demo --db {tmp}/d.db --members 5", 1, "needs both"),
    ("log-unknown-option", "log --colour red", 2, ""),
    # --- issue 11: hostile text, odd files, huge numbers ---
    ("output-is-the-db", "report scoreboard --format csv --output {db}", 1, "is the database"),
    ("output-is-the-wal", "member list --format csv --output {db}-wal", 1, "is the database"),
    ("output-is-the-shm", "member list --format json --output {db}-shm", 1, "is the database"),
    ("output-xlsx-is-the-db", "member list --format xlsx --output {db}", 1, "is the database"),
    ("output-json-is-the-db", "campaign show --format json --output {db}", 1, "is the database"),
    (
        "output-json-ascii",
        "submission list --format json --encoding ascii --output {tmp}/s.json",
        1,
        "cannot be written in ascii",
    ),
    (
        "output-csv-latin1",
        "member list --format csv --encoding latin-1 --output {tmp}/m.csv",
        1,
        "cannot be written in latin-1",
    ),
    ("output-json-ascii-stdout", "member list --format json --encoding ascii", 1, "ascii"),
    ("output-not-a-text-codec", "member list --format csv --encoding rot13", 1, "unknown encoding"),
    ("output-to-a-folder", "member list --format csv --output {tmp}", 1, "cannot write"),
    ("member-vertical-tab", ["member", "add", "NEW", "工商\x0b银行"], 1, "ame contains"),
    (
        "member-esc-officer",
        ["member", "edit", "ICBC", "--officer", "王\x1b[31m"],
        1,
        "fficer contains",
    ),
    (
        "member-nul-category",
        ["member", "add", "NEW", "行", "--category", "a\x00"],
        1,
        "ategory contains",
    ),
    ("member-bidi-name", ["member", "edit", "ICBC", "--name", "行\u202e"], 1, "ame contains"),
    ("member-surrogate-code", ["member", "add", "N\udcff", "行"], 1, "not UTF-8 text"),
    ("member-email-paren", "member add NEW 银行 --email a(b@x.cn", 1, "not an e-mail"),
    ("member-email-dots", "member add NEW 银行 --email a@x..cn", 1, "not an e-mail"),
    ("member-email-colon", "member add NEW 银行 --email a:b@x.cn", 1, "not an e-mail"),
    ("member-edit-email", "member edit ICBC --email a(b@x.cn", 1, "not an e-mail"),
    ("member-import-email", "member import {f:members_bad_email.csv}", 1, "not an e-mail"),
    ("member-import-control", "member import {f:members_control.csv}", 1, "ame contains a line"),
    (
        "campaign-newline-name",
        ["campaign", "new", "服务\n月", "--start", "2024-07-11", "--end", "2024-08-11"],
        1,
        "name contains a line break",
    ),
    (
        "campaign-esc-name",
        ["campaign", "new", "\x1b[2J", "--start", "2024-07-11", "--end", "2024-08-11"],
        1,
        "name contains a control character",
    ),
    (
        "submit-esc-title",
        [
            "submit",
            "ICBC",
            "--column",
            "先进事迹",
            "--title",
            "\x1b]0;x\x07",
            "--at",
            "2023-07-12 10:00",
        ],
        1,
        "title contains",
    ),
    (
        "submit-c1-author",
        [
            "submit",
            "ICBC",
            "--column",
            "先进事迹",
            "--title",
            "t",
            "--author",
            "a\x85b",
            "--at",
            "2023-07-12 10:00",
        ],
        1,
        "author contains",
    ),
    (
        "submit-control-url",
        [
            "submit",
            "ICBC",
            "--column",
            "先进事迹",
            "--title",
            "t",
            "--url",
            "http://a\x1bb",
            "--at",
            "2023-07-12 10:00",
        ],
        1,
        "url contains",
    ),
    (
        "submit-duplicate",
        "submit ICBC --column 先进事迹 --title 标题 --at '2023-07-12 10:00'",
        1,
        "already logged as id",
    ),
    ("import-control-title", "submission import {f:control_title.csv}", 1, "line 2: title"),
    ("import-bad-id", "submission import {f:bad_id.csv}", 1, "not a submission id"),
    ("import-huge-week", "submission import {f:huge_week.csv}", 1, "line 2:"),
    ("reject-nul-reason", ["grade", "{id}", "--reject", "--reason", "a\x00b"], 1, "reason"),
    ("outlet-control-name", ["outlet", "add", "日报\x07"], 1, "name contains"),
    ("body-control-name", ["body", "add", "协会\x1b"], 1, "name contains"),
    ("withdraw-20-digits", "submission withdraw 99999999999999999999", 1, "ID 9999"),
    ("grade-20-digits", "grade 99999999999999999999 --level 2", 1, "out of range"),
    ("adopt-20-digits", "adopt 99999999999999999999 --outlet 银监分局简报", 1, "out of range"),
    ("forward-20-digits", "forward 99999999999999999999 --to 中国银行业协会", 1, "out of range"),
    ("grade-level-20-digits", "grade {id} --level 99999999999999999999", 1, "1, 2 or 3"),
    ("rules-huge-min", "campaign rules --min-articles 99999999999999999999", 1, "out of range"),
    ("rules-huge-points", "campaign rules --points 3=99999999999999999999", 1, "out of range"),
    ("rules-huge-multiplier", "campaign rules --adoption-multiplier 10000000", 1, "out of range"),
    (
        "campaign-huge-min",
        "campaign new y --start 2023-07-11 --end 2023-08-11 --min-articles 10000000000",
        1,
        "out of range",
    ),
    ("year-end-year-0", "report year-end --year 0", 1, "--year 0 is out of range"),
    ("officers-year-huge", "report officers --year 99999999999999999999", 1, "out of range"),
    ("weekly-week-huge", "report weekly --week 99999999999999999999", 1, "out of range"),
    ("check-week-huge", "check deadlines --week 99999999999999999999", 1, "out of range"),
    ("list-week-huge", "submission list --week 99999999999999999999", 1, "out of range"),
    (
        "extend-week-huge",
        "member extend ICBC --week 99999999999999999999 --until 2023-07-18T12:00",
        1,
        "out of range",
    ),
    (
        "deadline-week-huge",
        "campaign deadline --week 99999999999999999999 --at 2023-07-18T12:00",
        1,
        "out of range",
    ),
    ("demo-huge-members", "demo --db {tmp}/d.db --members 99999999999 --submissions 1", 1, "range"),
    (
        "submit-week-huge",
        "submit ICBC --column 活动扫描 --title t --week 99999999999999999999",
        1,
        "out of range",
    ),
    ("db-folder", "--db {tmp} member list", 1, "is a folder"),
    ("db-empty", "--db {f:empty.db} member list", 1, "is empty (0 bytes)"),
    ("db-foreign", "--db {tmp}/foreign.db report scoreboard", 1, "another program"),
    ("db-other-program", "--db {f:other.db} submission list", 1, "not an SQLite file"),
    ("init-on-folder", "--db {tmp} init", 1, "is a folder"),
    ("init-on-empty", "--db {f:empty.db} init", 1, "is empty"),
    ("init-on-foreign", "--db {tmp}/foreign.db init", 1, "another program"),
    ("remind-release-and-send", "remind --release-stuck --send", 1, "runs alone"),
    ("remind-summary-to-bad", "remind --summary-to a(b@x.cn", 1, "not an e-mail"),
    (
        "deadline-skipped-dst",
        "campaign deadline --campaign 柏林 --week 1 --at '2022-03-27 02:30'",
        1,
        "does not exist in Europe/Berlin",
    ),
]

# mail intake (tracker issue 18): ids beyond SQLite, unknown entries, statuses, paths, days
INTAKE_CASES = [
    ("inbox-ignore-huge-id", "inbox ignore 99999999999999999999", 1, "out of range"),
    ("inbox-assign-huge-id", "inbox assign 99999999999999999999 --member ICBC", 1, "out of range"),
    ("inbox-accept-huge-id", "inbox accept 1 99999999999999999999", 1, "out of range"),
    ("inbox-accept-unknown", "inbox accept 42", 1, "no inbox entry with id 42"),
    ("inbox-assign-unknown", "inbox assign 42 --member ICBC", 1, "no inbox entry with id 42"),
    ("inbox-ignore-unknown", "inbox ignore 42", 1, "no inbox entry with id 42"),
    ("inbox-assign-week-0", "inbox assign 1 --week 0", 1, "out of range"),
    (
        "inbox-assign-huge-submission",
        "inbox assign 1 --submission 99999999999999999999",
        1,
        "out of range",
    ),
    ("inbox-list-bad-status", "inbox list --status 已完成", 1, "unknown status"),
    ("inbox-import-csv", "inbox import {f:members_bad_email.csv}", 1, "is not an mbox file"),
    ("inbox-import-missing", "inbox import {tmp}/nope.mbox", 1, "no file or folder"),
    ("inbox-fetch-bad-since", "inbox fetch --since 2023-13-45", 1, "not a"),
]
CASES += INTAKE_CASES


@pytest.fixture
def seeded(tmp_path, c2023, submit):
    article = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    report = submit("ICBC", "活动扫描", "2023-07-17 10:00")
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    foreign = sqlite3.connect(tmp_path / "foreign.db")
    foreign.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    foreign.execute("PRAGMA user_version = 3")
    foreign.commit()
    foreign.close()
    c2023(
        "campaign",
        "new",
        "柏林",
        "--start",
        "2022-03-21",
        "--end",
        "2022-04-20",
        "--tz",
        "Europe/Berlin",
    )
    return c2023, {
        "id": str(article),
        "rid": str(report),
        "tmp": str(tmp_path),
        "db": str(c2023.db),
    }


def _args(spec, values, tmp_path):
    import shlex

    parts = shlex.split(spec) if isinstance(spec, str) else list(spec)
    out = []
    for p in parts:
        if p.startswith("{f:"):
            out.append(str(tmp_path / p[3:-1]))
        else:
            out.append(p.format(**values) if "{" in p else p)
    return out


@pytest.mark.parametrize(("name", "spec", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_cleanly_and_changes_nothing(
    name, spec, code, message, seeded, tmp_path
):
    svc, values = seeded
    if name == "member-deactivate-twice":
        svc("member", "deactivate", "BOC")
        spec, code, message = "member deactivate BOC", 1, "already deactivated"
    before = svc.dump()

    def files() -> list[str]:  # the database's own -wal and -shm come and go
        return sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("svc.db"))

    files_before = files()
    run = svc(*_args(spec, values, tmp_path), code=code)
    assert "Traceback" not in run.err + run.out
    # nothing created beside (no half-written output, no -wal or -shm of an odd --db)
    assert files() == files_before
    if code == 1:
        first = run.err.splitlines()[0]
        assert first.startswith("Error: "), run.err
        assert message in run.err, run.err
        # one Error line; an import adds one line per bad row
        assert sum(line.startswith("Error:") for line in run.err.splitlines()) == 1
        assert all(line.startswith("line ") for line in run.err.splitlines()[1:]), run.err
    assert svc.dump() == before


def test_there_are_at_least_forty_bad_inputs():
    assert len(CASES) >= 40


def test_the_matrix_covers_issue_11():
    # 96 of the first release, issue 10's and issue 11's; then the intake cases of issue 18
    assert len(CASES) == 159 + len(INTAKE_CASES)


# --- hostile Unicode in every text field of every command and every output format ----------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from svcmonth import text as text_module  # noqa: E402
from svcmonth.cli.app import app  # noqa: E402

# what pasted, mailed or badly decoded text brings: C0 and C1 controls, ESC sequences, NUL,
# bidi overrides and isolates, line separators, lone surrogates (surrogateescape), and the
# characters that matter to a format (| for Markdown, : [ ] ? * for a sheet title, = for CSV)
SPECIAL = [
    "\x00",
    "\x07",
    "\x08",
    "\t",
    "\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1b[2J",
    "\x1b]0;x\x07",
    "\x7f",
    "\x85",
    "\x9b",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u2028",
    "\u2029",
    "\udcff",
    "\ud800",
    "|",
    ":",
    "[",
    "]",
    "?",
    "*",
    "/",
    "=",
    "+",
    "@",
    "'",
    '"',
    ",",
    ";",
    "中",
    "银行",
    "😀",
    " ",
]
HOSTILE = st.lists(
    st.one_of(
        st.sampled_from(SPECIAL),
        st.characters(codec=None, categories=["Cc", "Cf", "Cs", "Zl", "Zp", "Lo", "Sm"]),
    ),
    min_size=1,
    max_size=8,
).map("".join)

# every command that takes text from a person, with {t} where the text goes (as --opt=VALUE
# where it is an option, so a text starting with "-" is still that option's value)
TEXT_COMMANDS = [
    ["member", "add", "F1", "{t}"],
    ["member", "add", "{t}", "银行"],
    ["member", "add", "F2", "银行", "--officer={t}"],
    ["member", "add", "F3", "银行", "--category={t}"],
    ["member", "add", "F4", "银行", "--email={t}"],
    ["member", "add", "F5", "银行", "--phone={t}"],
    ["member", "edit", "ICBC", "--name={t}"],
    ["member", "edit", "ABC", "--officer={t}"],
    ["member", "edit", "ABC", "--email={t}"],
    ["member", "history", "{t}"],
    ["campaign", "new", "{t}", "--start=2030-07-11", "--end=2030-08-11"],
    ["campaign", "show", "--campaign={t}"],
    ["campaign", "rules", "--doubling-outlet={t}"],
    ["submit", "ICBC", "--column=先进事迹", "--title={t}", "--at=2023-07-13 09:00"],
    ["submit", "ICBC", "--column=先进事迹", "--title=t", "--author={t}", "--at=2023-07-13 09:01"],
    ["submit", "ICBC", "--column=先进事迹", "--title=t", "--url={t}", "--at=2023-07-13 09:02"],
    ["submit", "ICBC", "--column={t}", "--title=t"],
    ["submit", "{t}", "--column=先进事迹", "--title=t"],
    ["submit", "ICBC", "--column=先进事迹", "--title=t", "--at={t}"],
    ["grade", "{id}", "--reject", "--reason={t}"],
    ["adopt", "{id}", "--outlet={t}"],
    ["forward", "{id}", "--to={t}"],
    ["outlet", "add", "{t}"],
    ["column", "add", "{t}"],
    ["body", "add", "{t}"],
    ["submission", "list", "--member={t}"],
    ["submission", "list", "--column={t}"],
    ["log", "--entity={t}"],
    ["remind", "--summary-to={t}"],
    ["check", "quota", "--as-of={t}"],
]
FORMATS = ["table", "md", "csv", "json", "xlsx"]
LISTINGS = [
    ["member", "list"],
    ["member", "history", "ICBC"],
    ["submission", "list", "--campaign=2023服务月"],
    ["check", "deadlines", "--campaign=2023服务月"],
    ["check", "quota", "--campaign=2023服务月"],
    ["report", "scoreboard", "--campaign=2023服务月"],
    ["report", "weekly", "--week=1", "--campaign=2023服务月"],
    ["report", "year-end", "--year=2023"],
    ["report", "officers", "--year=2023"],
    ["report", "forwarded", "--campaign=2023服务月"],
    ["campaign", "list"],
    ["campaign", "show", "--campaign=2023服务月"],
    ["remind", "--as-of=2023-07-23 20:00", "--campaign=2023服务月"],
    ["log"],
    ["outlet", "list"],
]
FUZZ_EXAMPLES = 120


def _raw(output: str, allowed: str) -> list[str]:
    return [ch for ch in output if text_module.display(ch) != ch and ch not in allowed]


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=st.sampled_from(TEXT_COMMANDS), hostile=HOSTILE)
def test_hostile_text_in_any_field_is_stored_clean_or_refused_cleanly(seeded, command, hostile):
    svc, values = seeded
    args = [a.replace("{t}", hostile).replace("{id}", values["id"]) for a in command]
    before = svc.dump()
    result = svc.runner.invoke(
        app,
        args,
        env={"SVCMONTH_DB": str(svc.db), "SVCMONTH_NOW": svc.now, "NO_COLOR": "1"},
        catch_exceptions=True,
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1), (args, result.exit_code, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert _raw(result.stdout + result.stderr, "\n") == [], (args, result.stderr)
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: ")
        assert svc.dump() == before
    # whatever was stored holds no control character
    conn = sqlite3.connect(svc.db)
    try:
        for table in ("member", "officer", "submission", "campaign", "outlet", "column_def"):
            for row in conn.execute(f"SELECT * FROM {table}"):
                for value in row:
                    if isinstance(value, str):
                        assert _raw(value, "\t") == [], (table, row)
    finally:
        conn.close()


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(listing=st.sampled_from(LISTINGS), fmt=st.sampled_from(FORMATS), hostile=HOSTILE)
def test_no_output_format_prints_a_stored_control_character_raw(
    seeded, tmp_path, listing, fmt, hostile
):
    """Text an older version (or another tool) stored with control characters: every listing
    in every format shows it escaped, never raw, and never fails."""
    svc, values = seeded
    # SQLite stores UTF-8: a lone surrogate cannot reach the file (the input fuzz above
    # refuses it); the ends keep the NOT-empty checks of the schema satisfied
    hostile = "x" + hostile.encode("utf-8", "replace").decode("utf-8") + "x"
    conn = sqlite3.connect(svc.db)
    try:
        conn.execute("UPDATE member SET name = ?, category = ? WHERE code = 'ICBC'", (hostile,) * 2)
        conn.execute("UPDATE officer SET name = ?, phone = ?", (hostile, hostile))
        conn.execute("UPDATE submission SET title = ?, author = ?, url = ?", (hostile,) * 3)
        conn.execute("UPDATE outlet SET description = ?", (hostile,))
        conn.execute(
            "INSERT INTO audit_log (at, action, entity, entity_id) VALUES (?, ?, ?, ?)",
            ("2023-07-20T00:00:00.000000Z", hostile, hostile, hostile),
        )
        conn.commit()
    finally:
        conn.close()
    out = tmp_path / f"out.{fmt}"
    args = [*listing, f"--format={fmt}"] + ([f"--output={out}"] if fmt == "xlsx" else [])
    result = svc.runner.invoke(
        app,
        args,
        env={"SVCMONTH_DB": str(svc.db), "SVCMONTH_NOW": svc.now, "NO_COLOR": "1"},
        catch_exceptions=True,
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 0, (args, result.stderr)
    assert _raw(result.stdout, "\n\r\t" if fmt == "csv" else "\n") == [], args
    assert _raw(result.stderr, "\n") == []
    if fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(out)
        for ws in wb.worksheets:
            assert not set(ws.title) & set(":\\/?*[]")
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        assert _raw(value, "\t") == [], (args, value)
