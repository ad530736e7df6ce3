"""Fuzzing: the date/time parser and the CSV importers never raise an unhandled exception;
export → import round-trips Chinese text, hostile strings and 4-byte characters exactly."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from svcmonth import members, timeutil
from svcmonth.cli.app import app
from svcmonth.errors import ImportErrors, SvcmonthError
from svcmonth.output import csvio

ZONES = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])
DATEISH = st.from_regex(
    r"\A[0-9]{1,5}[-/.][0-9]{1,3}[-/.][0-9]{1,3}([T ][0-9]{1,3}(:[0-9]{1,3}){0,2}"
    r"([.,][0-9]{1,4})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?\Z"
)


@settings(max_examples=400)
@given(text=st.one_of(st.text(max_size=40), DATEISH), tz=ZONES)
def test_the_instant_parser_answers_or_refuses_cleanly(text, tz):
    try:
        instant = timeutil.parse_instant(text, ZoneInfo(tz))
    except SvcmonthError:
        return
    assert instant.tzinfo is not None
    stored = timeutil.to_db(instant)
    assert len(stored) == timeutil.STORED_WIDTH and stored.endswith("Z")
    assert timeutil.from_db(stored) == instant  # the fraction too


@given(
    moment=st.datetimes(
        min_value=datetime(1901, 1, 1), max_value=datetime(2998, 12, 31), timezones=st.just(UTC)
    ),
    tz=ZONES,
)
def test_a_shown_instant_parses_back_to_itself(moment, tz):
    moment = moment.replace(microsecond=0)
    shown = timeutil.show(timeutil.to_db(moment), ZoneInfo(tz))
    assert timeutil.parse_instant(shown, ZoneInfo("Asia/Shanghai")) == moment


@given(text=st.text(max_size=20))
def test_the_date_parser_answers_or_refuses_cleanly(text):
    try:
        timeutil.parse_date(text)
    except SvcmonthError:
        pass


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: ("code,name,officer\n" + t).encode("utf-8")),
        st.text(alphabet="ab,\"\n\r'=中", max_size=80).map(
            lambda t: ("code,name\n" + t).encode("gb18030")
        ),
    )
)
def test_the_csv_reader_answers_or_refuses_cleanly(tmp_path, data):
    f = tmp_path / "fuzz.csv"
    f.write_bytes(data)
    try:
        rows, problems = csvio.read_rows(f, ("code", "name"), ("officer",))
    except (SvcmonthError, ImportErrors):
        return
    for line, row in rows:
        assert line >= 2 and set(row) <= {"code", "name", "officer"}
    for line, reason in problems:
        assert line >= 2 and reason


STORABLE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf"))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "code": st.text(
                    st.characters(codec="utf-8", exclude_categories=("Cs", "Zs", "Cc")),
                    min_size=1,
                    max_size=8,
                ),
                # text a member file can hold: control and format characters are refused on
                # input and never written raw (an export shows them as visible escapes)
                "name": st.text(STORABLE, min_size=1, max_size=30),
                "officer": st.text(STORABLE, max_size=10),
            }
        ),
        max_size=5,
    )
)
def test_member_rows_import_or_are_refused_by_line(tmp_path, templates, rows):
    from svcmonth import storage

    db = tmp_path / "f.db"
    for old in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        old.unlink(missing_ok=True)
    shutil.copyfile(templates["blank"], db)  # a new database, without building one per example
    conn = storage.connect(db)
    f = tmp_path / "m.csv"
    with open(f, "w", encoding="utf-8-sig", newline="") as out:
        csvio.write(out, ("code", "name", "officer"), rows)
    try:
        parsed, _problems = csvio.read_rows(f, ("code", "name"), ("officer",))
    except SvcmonthError:  # e.g. a NUL character: refused as a binary file
        conn.close()
        return
    try:
        with storage.transaction(conn):
            found, added, _u = members.import_rows(conn, parsed, datetime(2023, 7, 1, tzinfo=UTC))
            if found:
                raise ImportErrors("bad", found)
    except ImportErrors as exc:
        assert all(line >= 2 for line, _ in exc.problems)
        assert conn.execute("SELECT count(*) FROM member").fetchone()[0] == 0
    else:  # every row imported, exactly as written
        stored = conn.execute("SELECT code, name FROM member ORDER BY id").fetchall()
        assert added == len(parsed) == len(rows) == len(stored)
        assert stored == [(r["code"].strip(), r["name"].strip()) for r in rows]
    finally:
        conn.close()


HOSTILE = st.sampled_from(
    [
        "=1+1",
        "+86 139",
        "-2",
        "@SUM(A1)",
        "\tTAB",
        "'quoted",
        "''",
        "'=x",
        "=cmd|'/c calc'!A1",
        "𠀀𪚥𝄞😀",
        "内蒙古银行业协会",
        '逗号,引号"分号;',
        "emoji 👩‍💼 zwj",
    ]
)
TEXT = st.one_of(
    HOSTILE,
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=25),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(TEXT.filter(lambda t: t.strip() and t == t.strip()), min_size=1, max_size=4),
    officer=TEXT,
)
def test_member_list_export_then_import_round_trips_exactly(tmp_path, templates, names, officer):
    runner = CliRunner()
    src, dst, out = tmp_path / "src.db", tmp_path / "dst.db", tmp_path / "members.csv"
    for p in (src, dst, out):
        if p.exists():
            p.unlink()
    for p in (Path(f"{src}-wal"), Path(f"{dst}-wal"), Path(f"{src}-shm"), Path(f"{dst}-shm")):
        p.unlink(missing_ok=True)

    def svc(db: Path, *args: str) -> str:
        result = runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    for db in (src, dst):  # two initialised databases (`init` run once, for the session)
        shutil.copyfile(templates["blank"], db)
    officer = officer.strip()
    if "\n" in officer or "\r" in officer or "\x00" in officer:
        officer = "王丽"
    for i, name in enumerate(names):
        if any(ch in name for ch in "\r\n\x00"):
            name = "内蒙古"
        svc(src, "member", "add", "--officer", officer, "--", f"M{i}", name)
    svc(src, "member", "list", "--format", "csv", "--output", str(out))
    for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))):
        for cell in row:
            assert not cell.startswith(csvio.DANGEROUS_START)
    svc(dst, "member", "import", str(out))

    def read(db: Path) -> list[tuple]:
        conn = sqlite3.connect(db)
        try:
            return conn.execute(
                "SELECT m.code, m.name, o.name FROM member m"
                " JOIN officer o ON o.member_id = m.id ORDER BY m.id"
            ).fetchall()
        finally:
            conn.close()

    assert read(dst) == read(src)
