"""Performance figures for `make bench`, each measured in one run and reported as ratios.

1. `import helpers` (with every module) vs importing its third-party dependencies.
2. Each explorer's callback (recompute + a new SVG chart): median and p95 over slider moves.
3. Monte Carlo draws per second of helpers.uncertainty.
4. Each notebook executed in a fresh kernel vs the floor: a notebook whose only cell imports the
   stack (numpy, pandas, altair, ipywidgets, helpers).
5. The per-token model (helpers.tokens) on a 100 × 100 grid of (reasoning tokens, batch size) in
   one vectorized call vs one scalar call vs a Python loop of 10,000 scalar calls.

6. The installed environment's size vs the bare computing stack it needs.

Usage: python benchmarks/run.py [--quick | --smoke]
"""

from __future__ import annotations

import contextlib
import io
import os
import pkgutil
import platform
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


def notebooks(repeats: int, only: str = "[0-9][0-9]_*.ipynb") -> None:
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
    paths = sorted((ROOT / "notebooks").glob(only))
    for path in paths:
        t = min(_execute_seconds(nbformat.read(path, 4)) for _ in range(repeats))
        total += t
        print(f"   {path.name:42s} {t:6.2f} s  = {t / floor:4.2f} × floor")
    n = len(paths)
    ratio = total / (n * floor)
    print(
        f"   {'whole course':42s} {total:6.2f} s  = {ratio:4.2f} × ({n} × floor)  {_verdict(ratio, 1.25, '×')}"
    )


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
        med = 1e3 * statistics.median(times)
        print(
            f"   {name:32s} median {med:6.1f} ms {_verdict(med, 20, 'ms')}"
            f"   p95 {1e3 * p95:6.1f} ms {_verdict(1e3 * p95, 50, 'ms')}"
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
        f"  {_verdict(t_all / t_deps, 1.1, '×')}"
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

    def plain():
        # The same arithmetic written directly in numpy: draw, multiply, percentiles.
        rng = np.random.default_rng(0)
        e = rng.uniform(0.001, 0.003, n)
        p = rng.uniform(1.1, 1.6, n)
        return np.percentile(1e7 * e * p, (5, 50, 95))

    t_plain = best(plain)
    print(
        f"\n3. Monte Carlo, fleet energy over 2 uncertain inputs, {n:,} draws (best of {repeats})"
    )
    print(
        f"   helpers.uncertainty.band     {1e3 * t_mc:6.1f} ms  = {n / t_mc / 1e6:5.1f} M draws/s"
        f"   {_verdict(1e3 * t_mc, 50, 'ms')}"
    )
    print(
        f"   plain numpy, same arithmetic {1e3 * t_plain:6.1f} ms  -> band takes {t_mc / t_plain:4.2f} × that"
    )


def environment() -> None:
    """Installed size of the environment vs the dependency closure of the course's runtime."""
    import re
    from importlib import metadata

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    dists = {norm(d.metadata["Name"]): d for d in metadata.distributions()}

    def size(d) -> int:
        total = 0
        for f in d.files or []:
            path = Path(d.locate_file(f))
            if path.is_file():
                total += path.stat().st_size
        return total

    def closure(roots: list[str]) -> set[str]:
        seen, todo = set(), [(norm(r), frozenset()) for r in roots]
        while todo:
            name, extras = todo.pop()
            if name not in dists or (name, extras) in seen:
                continue
            seen.add((name, extras))
            for req in dists[name].requires or []:
                m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?", req)
                marker = req.split(";", 1)[1] if ";" in req else ""
                wanted = re.findall(r'extra\s*==\s*["\']([^"\']+)["\']', marker)
                if wanted and not (set(map(norm, wanted)) & extras):
                    continue
                if "sys_platform" in marker and "linux" not in marker and "!=" not in marker:
                    continue
                sub = frozenset(
                    norm(e) for e in (m.group(2) or "[]").strip("[]").split(",") if e.strip()
                )
                todo.append((norm(m.group(1)), sub))
        return {name for name, _ in seen}

    ours = dists[norm("joules-and-jevons-helpers")]
    runtime = [re.match(r"[A-Za-z0-9._-]+", r).group(0) for r in ours.requires if ";" not in r]
    bare = ["numpy", "pandas", "altair", "vl-convert-python", "ipywidgets", "ipykernel"]
    mb = {
        k: sum(size(dists[n]) for n in names) / 1e6
        for k, names in {
            "bare": closure(bare),
            "runtime": closure(runtime),
            "all": set(dists),
        }.items()
    }
    print("\n6. Installed environment (sum of the files each installed distribution lists)")
    print(f"   bare computing stack ({', '.join(bare)}) and what it pulls in  {mb['bare']:6.0f} MB")
    print(
        f"   runtime (pip install .: adds JupyterLab etc.)  {mb['runtime']:6.0f} MB  = {mb['runtime'] / mb['bare']:4.2f} × bare"
    )
    print(
        f"   whole .venv (with the test extra and pip)      {mb['all']:6.0f} MB  = {mb['all'] / mb['bare']:4.2f} × bare"
    )


def _verdict(value: float, target: float, unit: str) -> str:
    return f"[target ≤ {target:g} {unit}: {'met' if value <= target else 'MISSED'}]"


def token_grid(repeats: int, number: int = 50) -> None:
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

    t_grid, t_one, t_loop = best(grid, number), best(one, number), best(loop, 1)
    print(f"\n5. helpers.tokens.answer_energy on a 100 × 100 grid (best of {repeats})")
    print(
        f"   one vectorized call   {1e3 * t_grid:7.2f} ms  = {t_grid / t_one:5.1f} × one scalar call ({1e3 * t_one:.2f} ms)"
    )
    print(
        f"   Python loop of 10,000 {1e3 * t_loop:7.0f} ms  = {t_loop / t_grid:5.0f} × the vectorized call"
    )


def main(argv: list[str]) -> None:
    smoke, quick = "--smoke" in argv, "--quick" in argv
    print(
        f"Python {sys.version.split()[0]}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d')}; every ratio below is measured within this one run"
    )
    if smoke:  # tests/test_benchmarks.py: every section once, with tiny counts, so it cannot rot
        imports(1)
        explorers(2)
        monte_carlo(1)
        notebooks(1, only="00_*.ipynb")
        token_grid(1, number=1)
        environment()
        return
    imports(1 if quick else 3)
    explorers(10 if quick else 60)
    monte_carlo(3 if quick else 15)
    notebooks(1 if quick else 2)
    token_grid(2 if quick else 5)
    environment()


if __name__ == "__main__":
    main(sys.argv[1:])
