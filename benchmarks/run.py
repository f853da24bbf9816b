"""Performance figures for `make bench`, each measured in one run and reported as ratios.

1. `import helpers` (with every module) vs importing its third-party dependencies.
2. Each explorer's callback (recompute + a new SVG chart): median and p95 over slider moves.
3. Monte Carlo draws per second of helpers.uncertainty.
4. Each notebook executed in a fresh kernel vs the floor: a notebook whose only cell imports the
   stack (numpy, pandas, altair, ipywidgets, helpers).
5. The per-token model (helpers.tokens) on a 100 × 100 grid of (reasoning tokens, batch size) in
   one vectorized call vs one scalar call vs a Python loop of 10,000 scalar calls.

Usage: python benchmarks/run.py [--quick]
"""

from __future__ import annotations

import contextlib
import io
import pkgutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _execute_seconds(nb) -> float:
    t0 = time.perf_counter()
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    return time.perf_counter() - t0


def notebooks(repeats: int) -> None:
    floor_nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import numpy, pandas, altair, ipywidgets, helpers\nhelpers.setup()"
            )
        ]
    )
    floor = min(_execute_seconds(floor_nb) for _ in range(repeats))
    print(
        f"\n4. Notebooks in a fresh kernel (best of {repeats}); floor = kernel start + imports = {floor:.2f} s"
    )
    total = 0.0
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        t = min(_execute_seconds(nbformat.read(path, 4)) for _ in range(repeats))
        total += t
        print(f"   {path.name:42s} {t:6.2f} s  = {t / floor:4.2f} × floor")
    n = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    print(f"   {'whole course':42s} {total:6.2f} s  = {total / (n * floor):4.2f} × ({n} × floor)")


def explorers(moves: int) -> None:
    import altair as alt
    import ipywidgets as w

    import helpers
    from helpers import widgets

    helpers.setup()
    render = alt.renderers.get()
    print(f"\n2. Explorer callbacks: recompute + SVG chart, {moves} slider moves each")
    for name in sorted(n for n in dir(widgets) if n.endswith("_explorer")):
        with contextlib.redirect_stdout(
            io.StringIO()
        ):  # no kernel here: the first draw prints a repr
            box = getattr(widgets, name)()
        draw, controls = box.draw_function, box.control_widgets
        values = {k: c.value for k, c in controls.items()}
        sliders = [
            k
            for k, c in controls.items()
            if isinstance(c, (w.FloatSlider, w.FloatLogSlider, w.IntSlider))
        ]
        times = []
        for i in range(moves):
            k = sliders[i % len(sliders)]
            c = controls[k]
            lo, hi = (10**c.min, 10**c.max) if isinstance(c, w.FloatLogSlider) else (c.min, c.max)
            frac = ((i * 7) % moves) / max(moves - 1, 1)
            values[k] = (
                lo * (hi / lo) ** frac if isinstance(c, w.FloatLogSlider) else lo + (hi - lo) * frac
            )
            if isinstance(c, w.IntSlider):
                values[k] = int(round(values[k]))
            t0 = time.perf_counter()
            render(draw(**values).to_dict())
            times.append(time.perf_counter() - t0)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"   {name:32s} median {1e3 * statistics.median(times):6.1f} ms   p95 {1e3 * p95:6.1f} ms"
        )


def _import_seconds(stmt: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", stmt], check=True, cwd=ROOT)
        best = min(best, time.perf_counter() - t0)
    return best


def imports(repeats: int) -> None:
    import helpers

    mods = ["helpers"] + [
        f"helpers.{m.name}"
        for m in pkgutil.walk_packages(
            helpers.__path__,
        )
        if not m.name.startswith("_")
    ]
    ours = "import " + ", ".join(mods)
    deps = "import numpy, pandas, altair, ipywidgets"
    empty = _import_seconds("pass", repeats)
    t_deps = _import_seconds(deps, repeats) - empty
    t_all = _import_seconds(ours, repeats) - empty
    t_calc = (
        _import_seconds("import helpers.lifecycle, helpers.units, helpers.data", repeats) - empty
    )
    print(f"\n1. Imports (best of {repeats}, interpreter start subtracted)")
    print(f"   numpy, pandas, altair, ipywidgets       {t_deps:5.2f} s")
    print(
        f"   every helpers module ({len(mods)})           {t_all:5.2f} s  = {t_all / t_deps:4.2f} × dependencies"
    )
    print(
        f"   calculators + data only                {t_calc:5.2f} s  = {t_calc / t_deps:4.2f} × dependencies"
    )


def monte_carlo(repeats: int) -> None:
    import numpy as np

    from helpers import fleet, uncertainty

    ranges = {
        "queries": 1e7,
        "energy_per_query_kwh": uncertainty.Range(0.001, 0.003),
        "pue": uncertainty.Range(1.1, 1.6),
    }
    n = 100_000

    def best(fn) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    t_mc = best(lambda: uncertainty.band(fleet.fleet_energy_kwh, ranges, n))
    rng = np.random.default_rng(0)
    t_floor = best(lambda: (rng.uniform(size=n), rng.uniform(size=n)))
    print(
        f"\n3. Monte Carlo, fleet energy over 2 uncertain inputs, {n:,} draws (best of {repeats})"
    )
    print(
        f"   draw + model + percentiles   {1e3 * t_mc:6.1f} ms  = {n / t_mc / 1e6:5.1f} M draws/s"
    )
    print(
        f"   numpy drawing the inputs only {1e3 * t_floor:6.1f} ms  -> {t_mc / t_floor:4.1f} × that floor"
    )


def token_grid(repeats: int) -> None:
    import numpy as np

    from helpers import data, tokens

    kw = tokens.model_kwargs(data.load("models").loc["deepseek-r1"], "FP8")
    kw.update(tokens.gpu_kwargs(data.load("gpus").loc["h800-sxm"], "FP8"))
    reasoning = np.linspace(0, 20_000, 100)[:, None]
    batch = np.geomspace(1, 1024, 100)[None, :]

    def grid():
        return tokens.answer_energy(500, reasoning, 300, batch_size=batch, efficiency=0.3, **kw)

    def one(r=4000.0, b=64.0):
        return tokens.answer_energy(500, r, 300, batch_size=b, efficiency=0.3, **kw)

    def loop():
        return [[one(r, b).total_j for b in batch[0]] for r in reasoning[:, 0]]

    assert np.allclose(loop(), grid().total_j)

    def best(fn, number):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            times.append((time.perf_counter() - t0) / number)
        return min(times)

    t_grid, t_one, t_loop = best(grid, 50), best(one, 50), best(loop, 1)
    print(f"\n5. helpers.tokens.answer_energy on a 100 × 100 grid (best of {repeats})")
    print(
        f"   one vectorized call   {1e3 * t_grid:7.2f} ms  = {t_grid / t_one:5.1f} × one scalar call ({1e3 * t_one:.2f} ms)"
    )
    print(
        f"   Python loop of 10,000 {1e3 * t_loop:7.0f} ms  = {t_loop / t_grid:5.0f} × the vectorized call"
    )


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    print(f"Python {sys.version.split()[0]}; figures from one run of this script")
    imports(1 if quick else 3)
    explorers(10 if quick else 40)
    monte_carlo(3 if quick else 15)
    notebooks(1 if quick else 2)
    token_grid(2 if quick else 5)
