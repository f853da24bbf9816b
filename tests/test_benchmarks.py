"""The benchmark script runs end to end (tiny counts), so `make bench` cannot rot unnoticed.

No timing is asserted here: performance figures live in `make bench`, not in the test suite.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_smoke_run_prints_every_section():
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for heading in (
        "1. Imports",
        "2. Explorer callbacks",
        "3. Monte Carlo",
        "4. Notebooks",
        "5. ",
        "6. Installed",
        "7. Calculator mode",
    ):
        assert f"\n{heading}" in out.stdout, f"section {heading!r} missing:\n{out.stdout}"
    assert "whole course" in out.stdout
