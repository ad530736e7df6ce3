"""The benchmark (benchmarks/bench.py) runs end to end at a tiny size and prints every figure,
on both datasets (mixed, articles only), with the data built by imports and ``grade auto``.

No timing is asserted: the figures of a tiny run on a shared machine mean nothing; what
matters is that the one command in the README still works and still measures everything.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"

PER_DATASET = (
    "import: submission import vs bare loader, plain table",
    "import: submission import vs bare loader, our schema",
    "import: submission import vs sqlite-utils insert --csv",
    "grade auto (every submission pending)",
    "check quota",
    "check deadlines",
    "report scoreboard",
    "report year-end",
    "report totals",
    "export: submission list --format csv",
)
FIGURES = (
    "start-up: --version",
    "start-up: member list --format json",
    *(f"[{dataset}] {name}" for dataset in ("mixed", "articles") for name in PER_DATASET),
    "growth: report scoreboard at N/100",
    "growth: report scoreboard at N/10",
    "growth: report scoreboard at N",
)


@pytest.mark.slow
def test_the_benchmark_runs_at_a_tiny_size_and_prints_every_figure(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--submissions",
            "2000",
            "--members",
            "20",
            "--repeat",
            "1",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("svcmonth benchmark, ")
    assert " cores" in lines[1]
    for name in FIGURES:
        assert any(line.startswith(name + " ") for line in lines), f"no row for {name!r}"
    assert "goals missed: " in proc.stdout
