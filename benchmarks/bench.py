"""Fast at any size: svcmonth against sqlite-utils and the sqlite3 shell (GitHub issues 6, 15).

One command, from the repository root, with svcmonth installed::

    python benchmarks/bench.py                       # 1,000,000 submissions, 3000 members
    python benchmarks/bench.py --submissions 2000 --members 20 --repeat 1   # a smoke run

It builds its data as a user does, in a work folder: ``member import`` of the members,
``submission import`` of a seeded CSV, then ``grade auto``; on two datasets, ``mixed`` (a
quarter weekly reports, the rest articles) and ``articles`` (articles only). It runs every
command as its own process ``--repeat`` times, alternating with its anchor, and prints one
table: the median seconds of svcmonth and of its anchor, the ratio of the medians, the
median of the paired ratios (what the goals are judged on: the machine is shared and
noisy), the goal, the ratio to the ``sqlite3`` shell (the physical floor) and the peak
memory (RSS) of each process, read from ``os.wait4``. The import is compared with the bare
loader (``bare_loader.py``) into a plain table and into svcmonth's schema, and with
``sqlite-utils insert --csv``.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = "2023-08-20T10:00:00+08:00"  # after the 2023 campaign: every deadline has passed
CAMPAIGN = "2023文明优质服务月"
STARTUP_MEMBERS = 100
IMPORT_SMALL = 100_000

MEMBER_LIST_SQL = (
    "SELECT m.code, m.name, coalesce(o.name, '') AS officer, coalesce(o.phone, '') AS phone,"
    " coalesce(o.email, '') AS email, m.category, m.active FROM member m"
    " LEFT JOIN officer o ON o.member_id = m.id AND o.until IS NULL ORDER BY m.id"
)
# the bare per-member aggregates over the rows each check or report reads
QUOTA_SQL = (
    "SELECT member_id, count(*) AS articles FROM submission WHERE kind = 'article'"
    " GROUP BY member_id"
)
DEADLINES_SQL = (
    "SELECT member_id, week, min(submitted_at) AS first_at FROM submission"
    " WHERE kind = 'report' GROUP BY member_id, week"
)
TOTALS_SQL = (
    "SELECT member_id, count(*) AS submissions, sum(kind = 'article') AS articles,"
    " sum(kind = 'report') AS reports FROM submission GROUP BY member_id"
)
# the stored rows of `submission list`, without the figures the rules derive
EXPORT_SQL = (
    'SELECT s.id, m.code AS member, s.column_name AS "column", s.kind, s.title, s.author,'
    " s.submitted_at, s.week, s.grade, s.manual_level, s.url FROM submission s"
    " JOIN member m ON m.id = s.member_id ORDER BY s.id"
)


# ---------------------------------------------------------------- running and measuring


@dataclass
class Cmd:
    """One process to time: argv, where its stdout goes, and untimed preparation."""

    argv: list[str]
    stdout: Path | None = None
    prepare: Callable[[], None] | None = None


@dataclass
class Sample:
    seconds: float
    rss_mb: float


class CommandFailed(RuntimeError):
    pass


def run(cmd: Cmd, env: dict[str, str]) -> Sample:
    """Run ``cmd`` once; its wall time and its peak resident memory (``ru_maxrss``)."""
    if cmd.prepare is not None:
        cmd.prepare()
    with tempfile.TemporaryFile() as err:
        out = open(cmd.stdout, "wb") if cmd.stdout else subprocess.DEVNULL  # noqa: SIM115
        try:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd.argv, stdout=out, stderr=err, env=env)
            _pid, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if cmd.stdout:
                out.close()  # type: ignore[union-attr]
        if proc.returncode != 0:
            err.seek(0)
            text = err.read().decode("utf-8", "replace")[-2000:]
            raise CommandFailed(f"exit {proc.returncode}: {' '.join(cmd.argv)}\n{text}")
    rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Sample(seconds, rss)


@dataclass
class Goal:
    text: str
    max_ratio: float
    max_rss_mb: float | None = None


@dataclass
class Figure:
    name: str
    rows: int
    ours: Cmd
    anchor_name: str = ""
    anchor: Cmd | None = None
    floor: Cmd | None = None
    goal: Goal | None = None
    warmup: bool = True
    # after the runs: the databases the figure wrote, which must hold ``rows`` submissions
    written: tuple[tuple[Path, str], ...] = ()
    ours_s: list[Sample] = field(default_factory=list)
    anchor_s: list[Sample] = field(default_factory=list)
    floor_s: list[Sample] = field(default_factory=list)
    # growth rows: the anchor is a linear projection from the size before
    previous: Figure | None = None
    projected: float | None = None

    def median(self, samples: list[Sample]) -> float | None:
        return statistics.median(s.seconds for s in samples) if samples else None

    def ratio_of_medians(self) -> float | None:
        a = self.anchor_median()
        o = self.median(self.ours_s)
        return o / a if a and o is not None else None

    def anchor_median(self) -> float | None:
        return self.projected if self.projected is not None else self.median(self.anchor_s)

    def paired_ratio(self) -> float | None:
        if self.projected is not None:
            return self.ratio_of_medians()
        pairs = [o.seconds / a.seconds for o, a in zip(self.ours_s, self.anchor_s, strict=False)]
        return statistics.median(pairs) if pairs else None

    def floor_ratio(self) -> float | None:
        pairs = [o.seconds / f.seconds for o, f in zip(self.ours_s, self.floor_s, strict=False)]
        return statistics.median(pairs) if pairs else None

    def peak(self, samples: list[Sample]) -> float | None:
        return max(s.rss_mb for s in samples) if samples else None

    def met(self) -> bool | None:
        if self.goal is None:
            return None
        ratio = self.paired_ratio()
        if ratio is None:
            return None
        ok = ratio <= self.goal.max_ratio
        if self.goal.max_rss_mb is not None:
            ok = ok and (self.peak(self.ours_s) or 0) < self.goal.max_rss_mb
        return ok


def measure(fig: Figure, repeat: int, env: dict[str, str], log: Callable[[str], None]) -> None:
    """Run the figure's commands ``repeat`` times, alternating who goes first."""
    cmds = [(fig.ours, fig.ours_s), (fig.anchor, fig.anchor_s), (fig.floor, fig.floor_s)]
    present = [(c, s) for c, s in cmds if c is not None]
    if fig.warmup and repeat > 1:
        for c, _samples in present:
            run(c, env)  # page cache and .pyc warm, not counted
    for i in range(repeat):
        order = present if i % 2 == 0 else list(reversed(present))
        for c, samples in order:
            samples.append(run(c, env))
    for db, table in fig.written:
        found = count_rows(db, table)
        if found != fig.rows:
            raise CommandFailed(f"{db} holds {found} rows in {table}, not {fig.rows}")
    log(
        f"  {fig.name}: {fig.median(fig.ours_s):.3f} s"
        + (f" vs {fig.anchor_median():.3f} s" if fig.anchor_median() else "")
    )


# ---------------------------------------------------------------- data


def write_members_csv(path: Path, n: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["code", "name", "officer", "phone", "email", "category"])
        for i in range(1, n + 1):
            w.writerow(
                [
                    f"M{i:05d}",
                    f"会员银行{i:05d}内蒙古分行",
                    f"宣传员{i:05d}",
                    f"139{i:08d}",
                    f"officer{i}@bank.example.cn",
                    "演示",
                ]
            )


ARTICLE_COLUMNS = ("先进事迹", "感动人物", "学习体会", "看图话服务")
ARTICLE_TITLES = (
    "开展“六公约一承诺”宣传路演",
    "网点推出爱心窗口服务老年客户",
    "开展金融知识进社区活动",
    "大堂经理十年如一日热情服务",
    "践行文明规范服务 提升客户满意度",
)


DATASETS = ("mixed", "articles")


def write_submissions_csv(
    path: Path, n: int, n_members: int, seed: int = 2023, dataset: str = "mixed"
) -> None:
    """``n`` submissions of the 2023 campaign; ``mixed``: a quarter of them weekly reports
    (with their week), the rest articles; ``articles``: articles only. Every row names its
    author, as a clerk's spreadsheet would."""
    rng = random.Random(seed)
    tz = timezone(timedelta(hours=8))
    start = datetime(2023, 7, 11, tzinfo=tz)
    span = int((datetime(2023, 8, 14, 12, tzinfo=tz) - start).total_seconds())
    reports = dataset == "mixed"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["member", "column", "title", "submitted_at", "week", "author", "url"])
        for k in range(n):
            m = rng.randrange(1, n_members + 1)
            at = (start + timedelta(seconds=rng.randrange(span))).isoformat()
            url = f"https://www.example.cn/news/{k}.html" if k % 10 == 0 else ""
            if reports and k % 4 == 0:
                week = rng.randrange(1, 6)
                title = f"会员银行{m:05d}服务月活动第{week}周动态"
                w.writerow([f"M{m:05d}", "活动扫描", title, at, week, f"宣传员{m:05d}", url])
            else:
                title = f"会员银行{m:05d}{rng.choice(ARTICLE_TITLES)}({k})"
                column = rng.choice(ARTICLE_COLUMNS)
                w.writerow([f"M{m:05d}", column, title, at, "", f"宣传员{m:05d}", url])


def head_csv(src: Path, dst: Path, n: int) -> None:
    """The header and the first ``n`` rows of ``src``."""
    with open(src, encoding="utf-8", newline="") as f, open(dst, "w", encoding="utf-8") as g:
        for i, line in enumerate(f):
            if i > n:
                break
            g.write(line)


def count_rows(db: Path, table: str = "submission") -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    finally:
        conn.close()


def fresh(path: Path) -> Callable[[], None]:
    """Preparation: remove ``path`` and its -wal/-shm files."""

    def prepare() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    return prepare


def copy_of(src: Path, dst: Path) -> Callable[[], None]:
    """Preparation: a fresh copy of the database ``src`` at ``dst``."""

    def prepare() -> None:
        fresh(dst)()
        shutil.copyfile(src, dst)

    return prepare


# ---------------------------------------------------------------- the benchmark


def tool(name: str, given: str | None) -> str | None:
    if given:
        return given
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    return shutil.which(name)


def version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def human(n: int) -> str:
    return f"{n:,}"


def with_sql(db: Path, sql_file: Path | None) -> Path:
    """``db`` itself, or with ``--apply-sql``, a copy of it with that SQL applied (a proposed
    migration measured before it is written)."""
    if sql_file is None:
        return db
    variant = db.with_name(f"{db.stem}+{sql_file.stem}.db")
    if not variant.exists():
        shutil.copyfile(db, variant)
        conn = sqlite3.connect(variant, isolation_level=None)
        try:
            conn.executescript(sql_file.read_text(encoding="utf-8"))
        finally:
            conn.close()
    return variant


def build_figures(args: argparse.Namespace, work: Path, log: Callable[[str], None]) -> list[Figure]:
    svc, su, sq = args.svcmonth, args.sqlite_utils, args.sqlite3
    env = args.env
    n, members = args.submissions, args.members
    sections = set(args.only.split(",")) if args.only else None
    sql_file = args.apply_sql

    def want(section: str) -> bool:
        return sections is None or section in sections

    def svcmonth(db: Path, *rest: str) -> list[str]:
        return [svc, "--db", str(db), *rest]

    def setup(*argv: str) -> None:
        run(Cmd(list(argv)), env)

    figures: list[Figure] = []

    # 1. start-up
    if want("startup"):
        small = work / "startup.db"
        if not small.exists():
            setup(*svcmonth(small, "demo", "--members", str(STARTUP_MEMBERS), "--submissions", "0"))
        small = with_sql(small, sql_file)
        figures.append(
            Figure(
                "start-up: --version",
                0,
                Cmd([svc, "--version"]),
                "sqlite-utils --version",
                Cmd([su, "--version"]) if su else None,
                goal=Goal("≤ 1.0×", 1.0),
            )
        )
        figures.append(
            Figure(
                "start-up: member list --format json",
                STARTUP_MEMBERS,
                Cmd(svcmonth(small, "member", "list", "--format", "json")),
                "sqlite-utils query (same join)",
                Cmd([su, "query", str(small), MEMBER_LIST_SQL]) if su else None,
                Cmd([sq, "-json", str(small), MEMBER_LIST_SQL]) if sq else None,
                goal=Goal("≤ 1.0×", 1.0),
            )
        )

    def base_db(name: str) -> Path:
        """A new file with the campaign and the members, as a user makes it."""
        members_csv = work / f"members-{members}.csv"
        if not members_csv.exists():
            write_members_csv(members_csv, members)
        base = work / f"{name}-base-{members}.db"
        if not base.exists():
            fresh(base)()
            setup(*svcmonth(base, "init"))
            setup(
                *svcmonth(base, "campaign", "new", CAMPAIGN, "--start", "2023-07-11"),
                "--end",
                "2023-08-11",
            )
            setup(*svcmonth(base, "member", "import", str(members_csv)))
        return base

    def data_csv(dataset: str, size: int) -> Path:
        path = work / f"submissions-{dataset}-{members}x{size}.csv"
        if not path.exists():
            log(f"writing {human(size)} {dataset} submissions to {path.name}")
            full = work / f"submissions-{dataset}-{members}x{n}.csv"
            if size < n and full.exists():
                head_csv(full, path, size)
            else:
                write_submissions_csv(path, size, members, dataset=dataset)
        return path

    def user_db(dataset: str, size: int) -> Path:
        """The user's file: members imported, submissions imported, graded by the rule."""
        db = work / f"user-{dataset}-{members}x{size}.db"
        if not db.exists():
            log(f"building {db.name}: member import, submission import, grade auto")
            source = data_csv(dataset, size)
            shutil.copyfile(base_db("user"), db)
            setup(*svcmonth(db, "submission", "import", str(source)))
            setup(*svcmonth(db, "grade", "auto"))
        return with_sql(db, sql_file)

    for dataset in DATASETS:
        tag = f"[{dataset}] "
        # 2. import and grading, from the base file a user has before the first import
        if want("import"):
            subs_csv = data_csv(dataset, n)
            n_small = min(n, IMPORT_SMALL)
            small_csv = work / f"submissions-{dataset}-{members}x{n}-first{n_small}.csv"
            if not small_csv.exists():
                head_csv(subs_csv, small_csv, n_small)
            base = with_sql(base_db("import"), sql_file)
            ours_db, bare_db = work / "import-ours.db", work / "import-bare.db"
            plain_db, su_db = work / "import-plain.db", work / "su.db"
            ours = Cmd(
                svcmonth(ours_db, "submission", "import", str(subs_csv)),
                prepare=copy_of(base, ours_db),
            )
            figures.append(
                Figure(
                    tag + "import: submission import vs bare loader, plain table",
                    n,
                    ours,
                    "csv.reader + executemany into a plain table",
                    Cmd(
                        [
                            sys.executable,
                            str(HERE / "bare_loader.py"),
                            str(plain_db),
                            str(subs_csv),
                            "--plain",
                        ],
                        prepare=copy_of(base, plain_db),
                    ),
                    goal=Goal("≤ 2.0×", 2.0),
                    warmup=False,
                    written=((ours_db, "submission"), (plain_db, "plain_submission")),
                )
            )
            figures.append(
                Figure(
                    tag + "import: submission import vs bare loader, our schema",
                    n,
                    ours,
                    "csv.reader + executemany into svcmonth's table",
                    Cmd(
                        [sys.executable, str(HERE / "bare_loader.py"), str(bare_db), str(subs_csv)],
                        prepare=copy_of(base, bare_db),
                    ),
                    warmup=False,
                    written=((ours_db, "submission"), (bare_db, "submission")),
                )
            )
            figures.append(
                Figure(
                    tag + "import: submission import vs sqlite-utils insert --csv",
                    n_small,
                    Cmd(
                        svcmonth(ours_db, "submission", "import", str(small_csv)),
                        prepare=copy_of(base, ours_db),
                    ),
                    "sqlite-utils insert --csv",
                    Cmd(
                        [su, "insert", str(su_db), "submission", str(small_csv), "--csv"],
                        prepare=fresh(su_db),
                    )
                    if su
                    else None,
                    goal=Goal("≥ 5× faster (≤ 0.2×)", 0.2),
                    warmup=False,
                    written=((ours_db, "submission"), (su_db, "submission")) if su else (),
                )
            )
            imported = work / f"imported-{dataset}-{members}x{n}.db"
            if not imported.exists():
                shutil.copyfile(base, imported)
                setup(*svcmonth(imported, "submission", "import", str(subs_csv)))
            graded = work / "graded.db"
            figures.append(
                Figure(
                    tag + "grade auto (every submission pending)",
                    n,
                    Cmd(svcmonth(graded, "grade", "auto"), prepare=copy_of(imported, graded)),
                    warmup=False,
                )
            )

        # 3-4. the checks, the reports and the export, on the user's file
        if want("reports") or want("export"):
            big = user_db(dataset, n)
        if want("reports"):
            for name, argv, anchor_sql in (
                ("check quota", ["check", "quota"], QUOTA_SQL),
                ("check deadlines", ["check", "deadlines"], DEADLINES_SQL),
                ("report scoreboard", ["report", "scoreboard"], TOTALS_SQL),
                ("report year-end", ["report", "year-end", "--year", "2023"], TOTALS_SQL),
                (
                    "report totals",
                    ["report", "totals", "--from", "2023-01-01", "--to", "2023-12-31"],
                    TOTALS_SQL,
                ),
            ):
                figures.append(
                    Figure(
                        tag + name,
                        n,
                        Cmd(svcmonth(big, *argv, "--format", "json")),
                        "sqlite-utils query (per-member aggregate)",
                        Cmd([su, "query", str(big), anchor_sql]) if su else None,
                        Cmd([sq, "-json", str(big), anchor_sql]) if sq else None,
                        goal=Goal("≤ 1.0×", 1.0),
                    )
                )
        if want("export"):
            out = work / "export-svcmonth.csv"
            figures.append(
                Figure(
                    tag + "export: submission list --format csv",
                    n,
                    Cmd(
                        svcmonth(big, "submission", "list", "--format", "csv", "--output", str(out))
                    ),
                    "sqlite-utils query --csv (stored rows)",
                    Cmd(
                        [su, "query", str(big), EXPORT_SQL, "--csv"],
                        stdout=work / "export-sqlite-utils.csv",
                    )
                    if su
                    else None,
                    Cmd(
                        [sq, "-csv", "-header", str(big), EXPORT_SQL],
                        stdout=work / "export-sqlite3.csv",
                    )
                    if sq
                    else None,
                    goal=Goal("≤ 1.0×, RSS < 100 MB", 1.0, 100.0),
                )
            )

    # 5. growth: the scoreboard on the user's file at N/100, N/10 and N (mixed)
    if want("growth"):
        sizes = sorted({max(1, n // 100), max(1, n // 10), n})
        previous: Figure | None = None
        for i, size in enumerate(sizes):
            label = ("N/100", "N/10", "N")[i + 3 - len(sizes)]
            fig = Figure(
                f"growth: report scoreboard at {label}",
                size,
                Cmd(svcmonth(user_db("mixed", size), "report", "scoreboard", "--format", "json")),
                "linear from the size before" if previous else "",
                goal=Goal("≤ 1.0× linear", 1.0) if previous else None,
                previous=previous,
            )
            figures.append(fig)
            previous = fig
    return figures


def fmt_s(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def fmt_r(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}×"


def fmt_mb(x: float | None) -> str:
    return "" if x is None else f"{x:.0f}"


HEADERS = (
    "figure",
    "rows",
    "svcmonth s",
    "anchor",
    "anchor s",
    "ratio",
    "paired",
    "goal",
    "met",
    "sqlite3 s",
    "× sqlite3",
    "RSS MB",
    "anchor RSS MB",
)


def table_rows(figures: Sequence[Figure]) -> list[list[str]]:
    out = []
    for f in figures:
        met = f.met()
        out.append(
            [
                f.name,
                human(f.rows) if f.rows else "",
                fmt_s(f.median(f.ours_s)),
                f.anchor_name,
                fmt_s(f.anchor_median()),
                fmt_r(f.ratio_of_medians()),
                fmt_r(f.paired_ratio()),
                f.goal.text if f.goal else "",
                "" if met is None else ("yes" if met else "NO"),
                fmt_s(f.median(f.floor_s)),
                fmt_r(f.floor_ratio()),
                fmt_mb(f.peak(f.ours_s)),
                fmt_mb(f.peak(f.anchor_s)),
            ]
        )
    return out


def render_table(rows: list[list[str]], markdown: bool) -> str:
    try:
        from tabulate import tabulate
    except ImportError:  # pragma: no cover - tabulate comes with svcmonth
        lines = [" | ".join(HEADERS)] + [" | ".join(r) for r in rows]
        return "\n".join(lines)
    return tabulate(
        rows,
        headers=HEADERS,
        tablefmt="github" if markdown else "simple",
        disable_numparse=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (median)")
    parser.add_argument("--workdir", type=Path, help="keep the data here (reused next time)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--only", help="comma-separated sections: startup,import,reports,export,growth"
    )
    parser.add_argument("--svcmonth", help="the svcmonth program (default: beside python)")
    parser.add_argument("--sqlite-utils", dest="sqlite_utils", help="the sqlite-utils program")
    parser.add_argument("--sqlite3", help="the sqlite3 shell (default: on PATH)")
    parser.add_argument(
        "--apply-sql",
        type=Path,
        metavar="FILE",
        help="apply this SQL to every database first (measure a proposed migration)",
    )
    args = parser.parse_args(argv)
    if args.submissions < 100 or args.members < 1 or args.repeat < 1:
        parser.error("--submissions must be at least 100, --members and --repeat at least 1")

    args.svcmonth = tool("svcmonth", args.svcmonth)
    args.sqlite_utils = tool("sqlite-utils", args.sqlite_utils)
    args.sqlite3 = tool("sqlite3", args.sqlite3)
    if not args.svcmonth:
        parser.error("svcmonth is not installed (pip install -e .)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SVCMONTH_")}
    env.update({"SVCMONTH_NOW": NOW, "NO_COLOR": "1"})
    args.env = env

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    temp = None
    if args.workdir:
        work = args.workdir
        work.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.mkdtemp(prefix="svcmonth-bench-")
        work = Path(temp)
    try:
        started = datetime.now().astimezone()
        figures = build_figures(args, work, log)
        for fig in figures:
            measure(fig, args.repeat, env, log)
            prev = fig.previous
            if prev is not None and prev.ours_s:
                fig.projected = statistics.median(s.seconds for s in prev.ours_s) * (
                    fig.rows / prev.rows
                )
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)

    su_version = version([args.sqlite_utils, "--version"]) if args.sqlite_utils else "-"
    sq_version = version([args.sqlite3, "--version"]).split(" ")[0] if args.sqlite3 else "-"
    header = [
        f"svcmonth benchmark, {started:%Y-%m-%d %H:%M %z}",
        f"machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()}"
        f" {platform.release()}; Python {platform.python_version()},"
        f" SQLite {sqlite3.sqlite_version}",
        f"{version([args.svcmonth, '--version'])}; {su_version}; sqlite3 shell {sq_version}",
        f"data: {human(args.members)} members, {human(args.submissions)} submissions;"
        f" {args.repeat} run(s) of each command, medians"
        + (f"; with {args.apply_sql.name} applied" if args.apply_sql else ""),
        "command: python benchmarks/bench.py " + " ".join(sys.argv[1:] if argv is None else argv),
    ]
    print("\n".join(("- " if args.markdown else "") + line for line in header))
    print()
    print(render_table(table_rows(figures), args.markdown))
    print()
    print(
        "ratio: svcmonth median / anchor median; paired: median of the per-run ratios (the goal"
        " is judged on it); × sqlite3: the same aggregate in the sqlite3 shell, the floor."
    )
    missed = [f.name for f in figures if f.met() is False]
    print("goals missed: " + (", ".join(missed) if missed else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
