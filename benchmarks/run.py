"""Performance figures for `make bench`, each measured in one run and reported as ratios.

1. `import helpers` (with every module) vs importing its third-party dependencies.
2. Each explorer's callback in the kernel (recompute + what its chart widget sends to the
   browser): median and p95 over slider moves, next to rendering the chart as an SVG in the
   kernel. 2b, if Chromium is installed: the same explorers in JupyterLab, from a key press to
   the redrawn chart in the page, vs a slider whose callback only sets a text (the floor of a
   widget round trip through the kernel).
3. Monte Carlo draws per second of helpers.uncertainty vs the same arithmetic in plain numpy.
4. Each notebook executed in a fresh kernel vs the floor (a notebook whose only cell imports
   numpy, pandas, altair, ipywidgets and helpers), with the SVG cache empty and filled.
5. The per-token model (helpers.tokens) on a 100 × 100 grid of (reasoning tokens, batch size) in
   one vectorized call vs one scalar call vs a Python loop of 10,000 scalar calls.
6. The installed environment's size vs the bare computing stack it needs.
7. Calculator mode (Voilà, with a kernel started ahead), if Chromium is installed: how long the
   pool takes to fill, and how long the first visitor then waits for a ready page, vs Voilà
   starting a kernel per visitor.
8. Measure it yourself (chapter 07, helpers.measure): one default run on this machine; the
   batch-1 decode step vs the weight bytes ÷ the read bandwidth measured at the same thread
   count, and measured ÷ predicted (chapter 02, η = 1) for every batch size from 1 to 256.

Usage: python benchmarks/run.py [--quick | --smoke]
"""

from __future__ import annotations

import json
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


def _execute_seconds(nb, cache: Path | None = None) -> float:
    """Seconds to run ``nb`` in a fresh kernel (start, Run All, shut down), with the course's
    cache folder at ``cache`` (``J2_CACHE_DIR``, which the kernel inherits)."""
    before = os.environ.get("J2_CACHE_DIR")
    if cache is not None:
        os.environ["J2_CACHE_DIR"] = str(cache)
    try:
        t0 = time.perf_counter()
        NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(ROOT / "notebooks")}},
        ).execute()
        return time.perf_counter() - t0
    finally:
        if before is None:
            os.environ.pop("J2_CACHE_DIR", None)
        else:
            os.environ["J2_CACHE_DIR"] = before


def notebooks(repeats: int, only: str = "[0-9][0-9]_*.ipynb") -> None:
    """Each chapter run twice over: on a machine whose SVG cache is empty (its first run, or CI),
    and once the cache holds its charts (a later run, or Binder after postBuild)."""
    import shutil
    import tempfile

    from helpers.ui import cache, chart_view

    chart_view.bundle_code()
    (bundle,) = cache.private_dir().glob("chart-view-*.js")
    scratch = Path(tempfile.mkdtemp(prefix="j2-bench-cache-"))

    def empty_cache() -> Path:
        # A cache folder with the explorers' Vega bundle (built once per machine) but no charts.
        folder = Path(tempfile.mkdtemp(dir=scratch))
        shutil.copy(bundle, folder / bundle.name)
        return folder

    floor_nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import numpy, pandas, altair, ipywidgets, helpers\nhelpers.setup()"
            )
        ]
    )
    # The machine is noisy and drifts: each notebook is compared with floor runs made alongside
    # it, as many as its own runs (floor, first run, later run; ``repeats`` times), best of each.
    paths = sorted((ROOT / "notebooks").glob(only))
    rows = []
    for path in paths:
        nb = nbformat.read(path, 4)
        floors, colds, warms = [], [], []
        for _ in range(repeats):
            floors.append(_execute_seconds(floor_nb, empty_cache()))
            cache = empty_cache()
            colds.append(_execute_seconds(nb, cache))
            warms.append(_execute_seconds(nb, cache))
        rows.append((path.name, min(floors), min(colds), min(warms)))
    all_floors = [f for _, f, _, _ in rows]
    print(
        f"\n4. Notebooks in a fresh kernel, each beside the floor (a kernel start + imports, run"
        f" alongside it: {min(all_floors):.2f}–{max(all_floors):.2f} s); best of {repeats}"
        f"\n   {'':42s} {'chart cache empty (first run, CI)':>33s}"
        f"   {'chart cache filled (later runs, Binder)':>38s}"
    )
    totals = [0.0, 0.0]
    for name, floor, cold, warm in rows:
        totals[0] += cold
        totals[1] += warm
        print(
            f"   {name:42s} {cold:12.2f} s = {cold / floor:4.2f} × floor"
            f"   {warm:15.2f} s = {warm / floor:4.2f} × floor"
        )
    floor = sum(all_floors)
    cold_ratio, warm_ratio = (t / floor for t in totals)
    print(
        f"   {'whole course':42s} {totals[0]:12.2f} s = {cold_ratio:4.2f} × floors"
        f"   {totals[1]:15.2f} s = {warm_ratio:4.2f} × floors"
        f"\n   {'':42s} {_verdict(cold_ratio, 1.25, '×'):>33s}   {_verdict(warm_ratio, 1.25, '×'):>38s}"
    )
    shutil.rmtree(scratch, ignore_errors=True)


def _explorers() -> list[tuple[str, object]]:
    """Every chapter's explorer, in chapter order: ``(name, function)``."""
    import importlib

    import helpers.views

    found = []
    for m in pkgutil.iter_modules(helpers.views.__path__):
        module = importlib.import_module(f"helpers.views.{m.name}")
        found += [(n, getattr(module, n)) for n in module.__all__ if n.endswith("_explorer")]
    return found


def _slider_moves(controls: dict, moves: int):
    """Values of the controls after each of ``moves`` slider moves, spread over each range."""
    import ipywidgets as w

    values = {k: c.value for k, c in controls.items()}
    sliders = [
        k
        for k, c in controls.items()
        if isinstance(c, (w.FloatSlider, w.FloatLogSlider, w.IntSlider))
    ]
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
        yield dict(values)


def _median_p95(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return 1e3 * statistics.median(times), 1e3 * times[int(0.95 * (len(times) - 1))]


def explorers(moves: int) -> None:
    import helpers
    from helpers.ui import render

    helpers.setup()
    print(
        f"\n2. Explorer callbacks in the kernel, {moves} slider moves each: recompute + refill the"
        " chart's template + the JSON a move sends (new rows and title, or a whole specification"
        " when the chart's shape changes), which the browser draws;\n   vs drawing the chart the"
        " way static charts are (Altair builds it, vl-convert renders SVG and PNG, no cache)"
    )
    for name, make in _explorers():
        box = make()
        view = box.children[-1]
        sent, svg, whole = [], [], 0
        for values in _slider_moves(box.control_widgets, moves):
            t0 = time.perf_counter()
            view.show(*box.fill_function(**values))
            json.dumps(view.spec if view.data is None else view.data)
            t1 = time.perf_counter()
            picture = render._vlc().vegalite_to_svg(
                box.draw_function(**values).to_dict(), vl_version=render.VL_VERSION
            )
            render._png(picture)
            t2 = time.perf_counter()
            sent.append(t1 - t0)
            svg.append(t2 - t1)
            whole += view.data is None
        med, p95 = _median_p95(sent)
        med_svg, p95_svg = _median_p95(svg)
        print(
            f"   {name:26s} median {med:5.1f} ms {_verdict(med, 20, 'ms')}"
            f"  p95 {p95:5.1f} ms {_verdict(p95, 50, 'ms')}"
            f"  | pictures {med_svg:4.0f} / {p95_svg:4.0f} ms = {med_svg / med:3.0f} × slower"
            f"  | {whole} of {moves} moves sent a whole specification"
        )


# In the page: time one key press on a slider until the watched element's markup changes.
# `t0` is taken when the key goes down (capture phase); a MutationObserver stamps the moment
# the new markup is in the page (`dom`), a requestAnimationFrame loop the first frame that
# shows it (`frame`), and the chart widget's own marks (helpers/chart_view.js) when the move's
# data arrived and when Vega had drawn it.
_ARM = """selector => {
  const target = () => document.querySelector(selector);
  const before = target().innerHTML;
  window.__move = null;
  document.addEventListener("keydown", () => {
    const t0 = performance.now(), move = {dom: null, frame: null, data: null, drawn: null};
    for (const name of ["j2-data", "j2-drawn"]) performance.clearMarks(name);
    const done = () => {
      if (move.dom === null || move.frame === null) return;
      for (const [key, name] of [["data", "j2-data"], ["drawn", "j2-drawn"]]) {
        const m = performance.getEntriesByName(name).at(-1);
        if (m && m.startTime >= t0) move[key] = m.startTime - t0;
      }
      window.__move = move;
    };
    const changed = () => target().innerHTML !== before;
    const observer = new MutationObserver(() => {
      if (changed()) { move.dom = performance.now() - t0; observer.disconnect(); done(); }
    });
    observer.observe(target(), {subtree: true, childList: true, attributes: true, characterData: true});
    const tick = () => {
      if (changed()) { move.frame = performance.now() - t0; done(); } else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, {capture: true, once: true});
}"""

_FLOOR_CELL = """import ipywidgets as w

slider = w.FloatSlider(0, min=0, max=10, continuous_update=False)
text = w.HTML("0.0")
slider.observe(lambda change: setattr(text, "value", str(change["new"])), names="value")
w.VBox([slider, text])"""


def _lab(root: Path):
    """JupyterLab on a free local port serving ``root``, as the course starts it: ``(url, stop)``."""
    import tempfile

    from helpers.server import start_lab

    home = Path(tempfile.mkdtemp())
    env = {"JUPYTER_CONFIG_DIR": str(home), "JUPYTER_RUNTIME_DIR": str(home)}
    server = start_lab(root, env=env, args=["--LabApp.expose_app_in_browser=True"], log_dir=home)
    return f"{server.url}/lab/tree/{{}}?reset&token={server.token}", server.stop


def _open_and_run(page, url: str, ready: str) -> None:
    page.goto(url)
    page.wait_for_function(
        "() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel"
        "?.connectionStatus === 'connected'", timeout=120_000,
    )  # fmt: skip
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ready, timeout=180_000)


def _moves_in_page(page, handle, selector: str, moves: int) -> dict[str, list[float]]:
    """Key presses on ``handle`` (End, Home, End, ...): milliseconds of each phase per move."""
    out: dict[str, list[float]] = {"dom": [], "frame": [], "data": [], "drawn": []}
    for i in range(moves):
        handle.focus()
        page.evaluate(_ARM, selector)
        page.keyboard.press("End" if i % 2 == 0 else "Home")
        page.wait_for_function("() => window.__move !== null", timeout=30_000)
        for key, value in page.evaluate("() => window.__move").items():
            if value is not None:
                out[key].append(value / 1e3)
        page.wait_for_timeout(150)  # let the kernel go idle before the next move
    return out


def browser(moves: int) -> None:
    """Every explorer of notebooks/calculators.ipynb in JupyterLab in headless Chromium, from a
    key press on a slider to the redrawn chart in the page; and, as the floor, the same for a
    slider whose callback only sets a text widget."""
    import shutil
    import tempfile

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        print("\n2b. Explorers in the browser: skipped (no Chromium or Playwright)")
        return
    root = Path(tempfile.mkdtemp(prefix="j2-bench-lab-"))
    shutil.copy(ROOT / "notebooks" / "calculators.ipynb", root / "calculators.ipynb")
    floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_FLOOR_CELL)])
    floor_nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(floor_nb, root / "floor.ipynb")
    url, stop = _lab(root)
    try:
        with sync_playwright() as p:
            page = p.chromium.launch(executable_path=chromium).new_page()
            _open_and_run(
                page,
                url.format("floor.ipynb"),
                "() => document.querySelector('.widget-html-content')",
            )
            floor = _moves_in_page(
                page, page.locator(".noUi-handle").first, ".widget-html-content", moves
            )
            floor_med, floor_p95 = _median_p95(floor["dom"])
            print(
                f"\n2b. In JupyterLab in headless Chromium, {moves} key presses each (End, Home, ...)"
                " on a slider: from the key press to the new markup in the page (kernel,"
                " websocket and drawing together)"
            )
            print(
                f"   floor: a slider whose callback sets a text  median {floor_med:5.1f} ms"
                f"  p95 {floor_p95:5.1f} ms"
            )
            page.close()
            page = p.chromium.launch(executable_path=chromium).new_page()
            _open_and_run(page, url.format("calculators.ipynb"),
                          "() => document.querySelectorAll('.widget-vbox .vega-embed svg.marks').length >= 6")  # fmt: skip
            names = [name for name, _ in _explorers()]
            for n, name in enumerate(names):
                box = page.locator(".widget-vbox").nth(n)
                box.scroll_into_view_if_needed()
                selector = f"#j2-bench-{n}"
                box.locator(".vega-embed").evaluate(f"el => el.id = 'j2-bench-{n}'")
                # The first two sliders, alternately (both ends of one slider, then the other's).
                times = {k: [] for k in ("dom", "frame", "data", "drawn")}
                for k in range(2):
                    part = _moves_in_page(
                        page, box.locator(".noUi-handle").nth(k), selector, moves // 2
                    )
                    for key in times:
                        times[key] += part[key]
                med, p95 = _median_p95(times["dom"])
                split = "".join(
                    f", {label} {_median_p95(times[key])[0]:.0f}"
                    for key, label in (
                        ("data", "data in"),
                        ("drawn", "drawn"),
                        ("frame", "next frame"),
                    )
                    if times[key]
                )
                print(
                    f"   {name:26s} median {med:5.1f} ms {_verdict(med, 20, 'ms')}"
                    f"  p95 {p95:5.1f} ms {_verdict(p95, 50, 'ms')}  = {med / floor_med:3.1f} × floor"
                    f"  (medians, ms: {split[2:]})"
                )
    finally:
        stop()


_CALCULATORS_READY = (
    "n => document.querySelectorAll('.widget-vbox .vega-embed svg.marks').length >= n"
)


def calculators(visitors: int) -> None:
    """Calculator mode as a class meets it: the seconds from opening the page to every explorer
    drawn, with Voilà's pool (a kernel started ahead that has already run the notebook) and
    without it (a kernel started for each visitor); and, as the floor, Voilà's page for a
    notebook whose only output is one slider, from the same kind of pool."""
    import importlib.util
    import shutil
    import tempfile

    from helpers import server as servers

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        print("\n7. Calculator mode: skipped (no Chromium or Playwright)")
        return
    spec = importlib.util.spec_from_file_location("calculators", ROOT / "tools" / "calculators.py")
    calc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(calc)
    explorers = sum(
        "live-widget" in c.get("metadata", {}).get("tags", [])
        for c in nbformat.read(calc.NOTEBOOK, 4).cells
    )
    floor_nb = Path(tempfile.mkdtemp(prefix="j2-bench-voila-")) / "floor.ipynb"
    cell = nbformat.v4.new_code_cell("import ipywidgets as w\nw.FloatSlider()")
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, floor_nb)
    one_slider = "() => document.querySelector('.widget-slider .noUi-handle') !== null"

    def page_ready(browser, url: str, ready: str, arg=None) -> float:
        # Each visitor in a fresh context (a cold browser cache). The page closes as a tab does,
        # so that it frees its kernel (calculator mode holds at most helpers.server.MAX_KERNELS);
        # its context stays open until the browser closes, or the page's goodbye never leaves.
        page = browser.new_context().new_page()
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=120_000)
        page.wait_for_function(ready, arg=arg, timeout=120_000)
        seconds = time.perf_counter() - t0
        page.close(run_before_unload=True)
        return seconds

    def visits(browser, server, ready, arg=None, settle: float = 5.0) -> list[float]:
        out = []
        for _ in range(visitors):
            time.sleep(settle)  # the pool refills behind each visitor
            out.append(page_ready(browser, server.url + "/", ready, arg))
        return out

    print(f"\n7. Calculator mode (Voilà): seconds from opening the page to all {explorers}"
          " explorers drawn, in headless Chromium")  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        with servers.start_voila(floor_nb, template_dir=calc.TEMPLATES, pool_size=1) as server:
            floor = min(visits(browser, server, one_slider, settle=10.0))
        t_start = time.perf_counter()
        with calc.start(pool_size=1) as server:
            t_up = time.perf_counter() - t_start
            fill = page_ready(browser, server.url + "/", _CALCULATORS_READY, explorers)
            ready = visits(browser, server, _CALCULATORS_READY, explorers, max(2.0 * fill, 5.0))
        print(
            f"   with a kernel started ahead: server up in {t_up:.1f} s; the pool is filled"
            f" {fill:.1f} s later (a visitor arriving at once waits that long)"
        )
        print(
            f"   first visitor once the pool is filled: {min(ready):.2f} s (best of {visitors},"
            f" worst {max(ready):.2f} s) = {min(ready) / floor:.1f} × the floor  "
            f"{_verdict(min(ready), 1.0, 's')}"
        )
        print(f"   floor: Voilà's page with one slider, from a pool: {floor:.2f} s")
        with calc.start(pool_size=0) as server:
            page_ready(browser, server.url + "/", _CALCULATORS_READY, explorers)  # warm caches
            cold = visits(browser, server, _CALCULATORS_READY, explorers, settle=1.0)
        print(f"   a kernel per visitor (no pool, Binder's route): {min(cold):.2f} s")
        browser.close()


def _import_seconds(stmt: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", stmt], check=True, cwd=ROOT)
        best = min(best, time.perf_counter() - t0)
    return best


def imports(repeats: int) -> None:
    import compileall

    import helpers

    # pip installs the dependencies with their bytecode compiled; do the same for helpers (an
    # editable install), or a PYTHONDONTWRITEBYTECODE environment compiles it at every import.
    compileall.compile_dir(helpers.__path__[0], quiet=1)

    # helpers.server runs in the Jupyter server (it imports Jupyter Server), never in a kernel.
    mods = ["helpers"] + [
        f"helpers.{m.name}"
        for m in pkgutil.walk_packages(helpers.__path__)
        if not m.name.startswith("_") and m.name != "server"
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
        f"   every module a kernel imports ({len(mods)})  {t_all:5.2f} s  = {t_all / t_deps:4.2f} × dependencies"
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
        "energy_per_query_wh": uncertainty.Range(1.0, 3.0),
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

    t_mc = best(lambda: uncertainty.band(fleet.queries_energy_wh, ranges, n))

    def plain():
        # The same arithmetic written directly in numpy: draw, multiply, percentiles.
        rng = np.random.default_rng(0)
        e = rng.uniform(1.0, 3.0, n)
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
        f"   a kernel's install (pip install .; JupyterLab and Voilà are the [lab] extra)  "
        f"{mb['runtime']:6.0f} MB  = {mb['runtime'] / mb['bare']:4.2f} × bare"
    )
    print(
        f"   whole .venv (with the test extra and pip)      {mb['all']:6.0f} MB  = {mb['all'] / mb['bare']:4.2f} × bare"
    )


def _verdict(value: float, target: float, unit: str) -> str:
    return f"[target ≤ {target:g} {unit}: {'met' if value <= target else 'MISSED'}]"


def token_grid(repeats: int, number: int = 50) -> None:
    import numpy as np

    from helpers import tokens

    d = tokens.Deployment.from_tables("deepseek-r1", "h800-sxm", "FP8")
    reasoning = np.linspace(0, 20_000, 100)[:, None]
    batch = np.geomspace(1, 1024, 100)[None, :]

    def grid():
        return tokens.answer_energy(
            500, reasoning, 300, deployment=d, batch_size=batch, efficiency=0.3
        )

    def one(r=4000.0, b=64.0):
        return tokens.answer_energy(500, r, 300, deployment=d, batch_size=b, efficiency=0.3)

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


def measure_yourself(smoke: bool = False) -> None:
    """Chapter 07's run: how close chapter 02's ideal model comes on this CPU, batch by batch."""
    from helpers import measure

    if smoke:  # a tiny workload, only to keep the section running
        r = measure.run(weight_bytes=2**20, d_model=64, batch_sizes=(1, 2), meters=[])
    else:
        r = measure.run()
    t = r.table.set_index("batch_size")
    floor = r.spec.weight_bytes / (r.bandwidth.median * 1e9)
    ratio_1 = t.loc[1, "step_s"] / floor
    print(
        f"\n8. Measure it yourself: one helpers.measure.run() ({r.seconds:.1f} s, "
        f"{r.machine.threads} BLAS threads, others kept {r.machine.busy_before:.0%} of the "
        "CPUs busy just before)"
    )
    print(f"   read bandwidth {r.bandwidth}; matmul {r.matmul.median * 1e3:.0f} GFLOP/s")
    print(
        f"   batch-1 step {t.loc[1, 'step_s'] * 1e3:6.2f} ms = {ratio_1:4.2f} × weight bytes ÷ "
        f"bandwidth ({floor * 1e3:.2f} ms)   {_verdict(ratio_1, 1.5, '×')}"
    )
    print(
        "   measured ÷ predicted: "
        + "  ".join(f"B={b}: {v:.2f}" for b, v in t["measured_over_predicted"].items())
    )
    print(f"   run time {r.seconds:.1f} s   {_verdict(r.seconds, 10, 's')}")


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
        calculators(1)
        measure_yourself(smoke=True)
        return
    imports(1 if quick else 3)
    explorers(10 if quick else 60)
    browser(10 if quick else 50)
    monte_carlo(3 if quick else 15)
    notebooks(1 if quick else 3)
    token_grid(2 if quick else 5)
    environment()
    calculators(2 if quick else 5)
    measure_yourself()


if __name__ == "__main__":
    main(sys.argv[1:])
