"""Bad input, everywhere: one ``Error:`` line (exit 1) or a usage error (exit 2), no
traceback, and the database's content exactly as it was."""

from __future__ import annotations

import pytest

GOOD_HEADER = "member,column,title,submitted_at\n"

# name → file content (bytes) for the CSV cases
FILES: dict[str, bytes] = {
    "wrong_header.csv": "成员,栏目,标题,时间\nICBC,先进事迹,t,2023-07-12 10:00\n".encode(),
    "missing_column.csv": b"member,column,title\nICBC,x,t\n",
    "extra_column.csv": b"member,column,title,submitted_at,colour\nICBC,a,b,c,d\n",
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
    "header_only_bad_members.csv": b"code,name,officer,phone,email,category,shoe_size\n",
    "members_dup.csv": "code,name\nX1,甲\nX1,乙\n".encode(),
    "members_bad_phone.csv": "code,name,phone\nX2,甲,call me\n".encode(),
    "members_empty_name.csv": b"code,name\nX3,\n",
    "members_gbk_broken.csv": "code,name\nX4,内蒙古\n".encode("gbk")[:-3] + b"\xff\xff\n",
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
        "unknown column(s): shoe_size",
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
    ("submit-unknown-member", "submit NOPE --column 先进事迹 --title t", 1, "unknown member"),
    ("submit-unknown-column", "submit ICBC --column 新闻 --title t", 1, "unknown column"),
    (
        "submit-association-column",
        "submit ICBC --column 调查问卷 --title t",
        1,
        "run by the association",
    ),
    (
        "submit-empty-title",
        ["submit", "ICBC", "--column", "先进事迹", "--title", " "],
        1,
        "title is empty",
    ),
    (
        "submit-huge-title",
        ["submit", "ICBC", "--column", "先进事迹", "--title", "长" * 501],
        1,
        "too long",
    ),
    (
        "submit-multiline-title",
        ["submit", "ICBC", "--column", "先进事迹", "--title", "a\nb"],
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
    ("submit-week-article", "submit ICBC --column 先进事迹 --title t --week 1", 1, "reports only"),
    ("submit-week-range", "submit ICBC --column 活动扫描 --title t --week 0", 1, "out of range"),
    ("submit-week-text", "submit ICBC --column 活动扫描 --title t --week one", 2, ""),
    (
        "submit-bad-url",
        ["submit", "ICBC", "--column", "先进事迹", "--title", "t", "--url", "http://a b"],
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
        "unknown column(s): colour",
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
]


@pytest.fixture
def seeded(tmp_path, c2023, submit):
    article = submit("ICBC", "先进事迹", "2023-07-12 10:00")
    report = submit("ICBC", "活动扫描", "2023-07-17 10:00")
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
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
    run = svc(*_args(spec, values, tmp_path), code=code)
    assert "Traceback" not in run.err + run.out
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
