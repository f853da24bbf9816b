"""Write data/ch07_runs.csv: the runs of chapter 07 this project ships, made on this machine.

    python tools/ch07_runs.py [--prefix dev-vm]

Four runs of ``helpers.measure.run()``: a quick one on one BLAS thread, two quick ones and a
precise one on every usable CPU. Run it on a quiet machine (the runs print how busy the other
programs kept the CPUs); every row says when, with which Python and numpy, and how many repeats.
"""

from __future__ import annotations

import argparse
import csv
import platform
import time
from pathlib import Path

import numpy as np

from helpers import measure

OUT = Path(__file__).resolve().parents[1] / "data" / "ch07_runs.csv"
PROVENANCE = ["how_known", "evidence", "source_id", "locator", "notes"]


def rows(prefix: str) -> list[dict]:
    plan = [
        (f"{prefix}-t1-quick", {"threads": 1}),
        (f"{prefix}-t2-quick-a", {}),
        (f"{prefix}-t2-quick-b", {}),
        (f"{prefix}-t2-precise", {"precise": True}),
    ]
    out = []
    for run_id, options in plan:
        result = measure.run(**options)
        print(run_id, result, sep="\n", end="\n\n")
        bw, mm = result.bandwidth, result.matmul
        note = (
            f"Run on {time.strftime('%Y-%m-%d')} with Python {platform.python_version()}, "
            f"numpy {np.__version__}: bandwidth {len(bw.samples)} repeats over "
            f"{bw.size / 2**20:.0f} MiB, matmul {len(mm.samples)} repeats at n = {mm.size}."
        )
        table = measure.run_table(result, run_id)
        for r in table.to_dict("records"):
            if not r["energy_measured"]:
                note_here = note + " Energy is an estimate (no readable counter): step time × "
                note_here += "an assumed power, not a measurement."
            else:
                note_here = note + " Energy measured by a counter, idle baseline subtracted."
            out.append(
                {
                    "id": f"{run_id}-b{r['batch_size']:03d}",
                    **r,
                    "how_known": "primary",
                    "evidence": "measurement",
                    "source_id": "joules-jevons-ch07-runs",
                    "locator": f"run {run_id}, batch size {r['batch_size']}",
                    "notes": note_here,
                }
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="dev-vm", help="machine name at the start of run ids")
    records = rows(parser.parse_args().prefix)
    with open(OUT, "w", newline="") as f:
        writer = csv.DictWriter(f, ["id", *measure.RUN_COLUMNS, *PROVENANCE])
        writer.writeheader()
        writer.writerows(records)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
