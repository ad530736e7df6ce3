"""Load and faults: writers at once lose nothing; a killed process leaves the file whole."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smtp_server import Mailbox

WORKERS = Path(__file__).with_name("workers.py")
pytestmark = pytest.mark.slow  # real processes, kills and concurrency

MEMBERS = [f"B{i:02d}" for i in range(20)]


def start(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKERS), args[0], str(db), *args[1:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def svcmonth(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "svcmonth", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def one(db: Path, sql: str) -> object:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def integrity(db: Path) -> str:
    return str(one(db, "PRAGMA integrity_check"))


def import_csv(path: Path, rows: int, prefix: str) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        f.write("member,column,title,submitted_at\n")
        for i in range(rows):
            f.write(
                f"{MEMBERS[i % len(MEMBERS)]},学习体会,{prefix}{i},2023-07-{11 + i % 20} "
                f"{8 + i % 10}:{i % 60:02d}\n"
            )
    return path


@pytest.fixture
def db(tmp_path, svc):
    svc("campaign", "new", "2023服务月", "--start", "2023-07-11", "--end", "2023-08-11")
    members = tmp_path / "members.csv"
    members.write_text(
        "code,name,email\n"
        + "".join(f"{m},会员银行{m},{m.lower()}@bank.example.cn\n" for m in MEMBERS),
        encoding="utf-8",
    )
    svc("member", "import", str(members))
    return svc.db


def remind_send(db: Path, server) -> subprocess.Popen[str]:
    env = {**os.environ, "SVCMONTH_NOW": "2023-08-20T10:00:00+08:00", **server.env}
    return subprocess.Popen(
        [sys.executable, "-m", "svcmonth", "--db", str(db), "remind", "--send", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_writers_at_once_lose_and_duplicate_nothing(tmp_path, db, smtp):
    """3 clerks × 15 submits, a 3,000-row import, 4 grade passes and a remind --send
    mailing 100 overdue notices, all at once."""
    server = smtp(mailbox=Mailbox(delay=0.01))
    csv_file = import_csv(tmp_path / "batch.csv", 3000, "导入")
    procs = [start(db, "clerk", f"clerk{n}", "15", ",".join(MEMBERS)) for n in range(3)]
    procs.append(start(db, "submission", "import", str(csv_file)))
    procs.append(start(db, "grade", "4"))
    procs.append(remind_send(db, server))
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    # every member × week overdue notice, each sent once (no report arrived in time for
    # the remind run to see: they are all after it or it ran first)
    keys = server.mailbox.keys()
    assert len(keys) == len(set(keys))
    # one mail per officer holding its 5 reminders (issue 23: one e-mail per officer per run)
    assert one(db, "SELECT count(*) FROM reminder WHERE status = 'sent'") == len(keys) * 5
    assert len(keys) == len(MEMBERS)
    assert integrity(db) == "ok"
    assert one(db, "SELECT count(*) FROM submission") == 3 * 15 + 3000
    assert one(db, "SELECT count(DISTINCT title) FROM submission") == 3 * 15 + 3000
    assert one(db, "SELECT count(*) FROM submission WHERE title LIKE 'clerk%'") == 45


def _kill_when_writing(proc: subprocess.Popen[str], db: Path, min_wal: int) -> bool:
    """SIGKILL ``proc`` once its transaction has spilled ``min_wal`` bytes into the WAL
    (so it is certainly in the middle of writing). False if it finished first."""
    wal = Path(f"{db}-wal")
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size >= min_wal:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.002)
    proc.wait()
    return False


@pytest.mark.parametrize("min_wal", [64 * 1024, 1024 * 1024, 4 * 1024 * 1024])
def test_an_import_killed_midway_writes_nothing(tmp_path, db, min_wal):
    csv_file = import_csv(tmp_path / "big.csv", 60000, "大批")
    one(db, "PRAGMA wal_checkpoint(TRUNCATE)")
    killed = _kill_when_writing(svcmonth(db, "submission", "import", str(csv_file)), db, min_wal)
    assert integrity(db) == "ok"
    assert killed, "the import finished before it could be killed"
    assert one(db, "SELECT count(*) FROM submission") == 0  # all or nothing: nothing


@pytest.fixture(scope="module")
def graded_db(tmp_path_factory):
    """A 40-member, 150,000-submission database (about a third pending)."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "svcmonth",
            "demo",
            "--db",
            str(path),
            "--members",
            "40",
            "--submissions",
            "150000",
            "--seed",
            "5",
        ],
        check=True,
        capture_output=True,
    )
    return path


@pytest.mark.parametrize("min_wal", [32 * 1024, 2 * 1024 * 1024])
def test_grade_auto_killed_midway_is_all_or_nothing(tmp_path, graded_db, min_wal):
    db = tmp_path / "copy.db"
    src = sqlite3.connect(graded_db)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA journal_mode = WAL")
    dst.close()
    pending = one(
        db, "SELECT count(*) FROM submission WHERE grade = 'pending' AND withdrawn_at IS NULL"
    )
    assert pending > 10000
    killed = _kill_when_writing(svcmonth(db, "grade", "auto"), db, min_wal)
    assert integrity(db) == "ok"
    ruled = one(db, "SELECT count(*) FROM submission WHERE grade = 'rule'")
    logged = one(db, "SELECT count(*) FROM audit_log WHERE action = 'grade_auto'")
    assert one(db, "SELECT count(*) FROM submission WHERE grade = 'pending'") in (0, pending)
    assert logged in (0, pending)
    if killed:
        assert (
            logged == 0
            and one(db, "SELECT count(*) FROM submission WHERE grade = 'pending'") == pending
        )
    assert ruled >= 0


@pytest.fixture
def small_fs(tmp_path):
    """A real 1 MB file system (tmpfs), where the machine lets us mount one (CI runs as root);
    else None, and the tests simulate the condition inside SQLite instead."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    ok = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True
        ).returncode
        == 0
        if os.geteuid() == 0
        else False
    )
    yield mnt if ok else None
    if ok:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_is_a_clear_error_and_writes_nothing(tmp_path, db, monkeypatch, svc, small_fs):
    from svcmonth import storage

    if small_fs is not None:  # a real full disk
        svc.db = small_fs / "full.db"
        svc("init")
        svc("campaign", "new", "2023服务月", "--start", "2023-07-11", "--end", "2023-08-11")
        svc("member", "add", MEMBERS[0], "会员银行")
    else:  # the same error from SQLite's page limit
        real_connect = storage.connect

        def tiny(path, *, create=False):
            conn = real_connect(path, create=create)
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages + 5}")
            return conn

        monkeypatch.setattr(storage, "connect", tiny)
    before = svc.dump()
    rows = tmp_path / "f.csv"  # about 3 MB of titles for one member: more than the disk
    rows.write_text(
        "member,column,title,submitted_at\n"
        + "".join(f"{MEMBERS[0]},学习体会,{'满' * 50}{i},2023-07-12 10:00\n" for i in range(20000)),
        encoding="utf-8",
    )
    err = svc.fails("submission", "import", str(rows))
    assert err == "Error: database: the disk is full; nothing was written\n"
    assert svc.dump() == before


def test_a_read_only_file_is_a_clear_error(tmp_path, db, svc, small_fs):
    if small_fs is not None:  # a read-only file system: even root cannot write
        target = small_fs / "ro.db"
        svc.db = target
        svc("init")
        svc("member", "add", "X", "银行")
        subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    elif os.geteuid() != 0:
        os.chmod(db, 0o444)
    else:
        pytest.skip("root without mount: cannot make a file read-only")
    for args in (("member", "add", "Y", "银行"), ("member", "list")):
        run = svc(*args, code=1)
        assert run.err.startswith("Error: ") and "Traceback" not in run.err
        assert "read-only" in run.err, run.err


@pytest.mark.parametrize("after", [1, 4, 9])
def test_remind_send_killed_midway_never_sends_twice(db, smtp, after):
    server = smtp(mailbox=Mailbox(delay=0.05))
    proc = remind_send(db, server)
    deadline = time.monotonic() + 60
    while len(server.mailbox.received) < after and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert integrity(db) == "ok"
    first = len(server.mailbox.received)
    assert after <= first < len(MEMBERS)  # one mail per officer
    server.mailbox.delay = 0  # only the first run needs time to be killed in
    rerun = remind_send(db, server)
    _out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    keys = server.mailbox.keys()
    assert len(keys) == len(set(keys))  # nobody mailed twice
    # at most the one message in flight when the first run died is lost (its claim holds)
    assert len(MEMBERS) - 1 <= len(keys) <= len(MEMBERS)
