"""Worker processes for the load and fault tests: ``python tests/workers.py JOB DB ARGS…``.

Each job runs svcmonth commands the way a user would (through the CLI), in its own process,
so several of them write to one database file at once.
"""

from __future__ import annotations

import sys

from typer.testing import CliRunner

from svcmonth.cli.app import app


def run(db: str, *args: str) -> None:
    result = CliRunner().invoke(app, ["--db", db, *args], catch_exceptions=False)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.exit_code != 0:
        raise SystemExit(result.exit_code)


def main() -> None:
    job, db, *rest = sys.argv[1:]
    if job == "clerk":  # the clerk logs submissions one by one
        prefix, count, members = rest[0], int(rest[1]), rest[2].split(",")
        for i in range(count):
            member = members[i % len(members)]
            run(
                db,
                "submit",
                member,
                "--column",
                "先进事迹",
                "--title",
                f"{prefix}-{i}",
                "--at",
                f"2023-07-{12 + i % 10} 10:{i % 60:02d}",
            )
    elif job == "grade":  # grading passes while submissions keep arriving
        for _ in range(int(rest[0])):
            run(db, "grade", "auto", "--campaign", "2023服务月")
    else:  # any other command, once
        run(db, job, *rest)


if __name__ == "__main__":
    main()
